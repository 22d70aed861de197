/** Whole-process timing: wall clock and peak RSS of one command. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rss-probe.cjs');
const RSS_FILE = path.join(os.tmpdir(), `provenance-bench-rss-${process.pid}.txt`);

/**
 * Runs `node <args>` in `cwd` with stdout discarded and returns
 * { ms, rssBytes, status, stderr }. The RSS probe is preloaded into the
 * child (and its worker threads) so every tool is measured the same way.
 */
export function timeNode(args, cwd, { env = {} } = {}) {
  fs.rmSync(RSS_FILE, { force: true });
  const devNull = fs.openSync('/dev/null', 'w');
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', PROBE, ...args], {
    cwd,
    stdio: ['ignore', devNull, 'pipe'],
    env: { ...process.env, ...env, BENCH_RSS_FILE: RSS_FILE, FORCE_COLOR: '0', NO_COLOR: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  fs.closeSync(devNull);
  let rssBytes = NaN;
  try {
    const values = fs.readFileSync(RSS_FILE, 'utf8').trim().split('\n').map(Number);
    rssBytes = Math.max(...values) * 1024;
  } catch {
    // the probe did not run (the process crashed before exit)
  }
  return { ms, rssBytes, status: run.status, stderr: String(run.stderr ?? '').slice(0, 4000) };
}

/** Runs `node <args>` and returns its stdout (for untimed sanity runs). */
export function outputOf(args, cwd) {
  const run = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
