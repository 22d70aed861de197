// The language server process the extension host started for this session: found by
// its script path inside this session's own install folder, so a test only ever
// signals a process it started itself.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Pids of processes running `<installedDir>/dist/server.js` (Linux: read from /proc). */
export function serverPids(installedDir) {
  const script = join(installedDir, 'dist', 'server.js');
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone meanwhile
    }
    if (argv.includes(script)) pids.push(Number(entry));
  }
  return pids;
}

/** Kills the session's server as a crash would (SIGKILL, no shutdown); returns its pid. */
export function crashServer(installedDir) {
  const pid = runningServer(installedDir);
  process.kill(pid, 'SIGKILL');
  return pid;
}

/** The session's server pid; throws when none runs. */
function runningServer(installedDir) {
  const [pid] = serverPids(installedDir);
  if (pid === undefined) throw new Error(`no server process running ${installedDir}/dist/server.js`);
  return pid;
}

/** Freezes the session's server (SIGSTOP): it lives on but reads nothing, so what the editor sends piles up. */
export function freezeServer(installedDir) {
  const pid = runningServer(installedDir);
  process.kill(pid, 'SIGSTOP');
  return pid;
}

/**
 * Bytes a paste must exceed to fill the server's input: Node gives a child's stdio a UNIX socket
 * pair, whose send buffer is the kernel's default (212,992 bytes on our machines); 64 KB pipes elsewhere.
 */
export function socketBufferBytes() {
  const file = '/proc/sys/net/core/wmem_default';
  const bytes = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : NaN;
  return Number.isFinite(bytes) && bytes > 0 ? bytes : 212_992;
}
