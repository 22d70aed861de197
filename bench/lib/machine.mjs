/** What machine a benchmark ran on, for the results file. */
import * as os from 'node:os';
import { execFileSync } from 'node:child_process';

export function machineInfo(repoRoot) {
  const cpus = os.cpus();
  let commit = process.env.BENCH_COMMIT ?? 'unknown';
  if (!process.env.BENCH_COMMIT) try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    date: new Date().toISOString(),
  };
}

/** A file-name-safe machine label: cpu model words + core count. */
export function machineLabel(info) {
  const cpu = info.cpu.toLowerCase().replace(/\(r\)|\(tm\)|cpu|processor|@.*$/g, ' ').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${cpu || 'cpu'}-${info.cores}c`;
}
