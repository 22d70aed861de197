/** Runs the CLI in-process (runCli) and captures its output. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../server/src/cli/run';

/**
 * The index cache of in-process runs: one folder per test process, so tests
 * never read or fill the user's cache folder (the default; node/cache-dir.ts).
 * Runs that want another location pass `env` or `--cache`.
 */
let testCacheDir: string | undefined;
export function cacheDirForTests(): string {
  testCacheDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'provenance-test-cache-'));
  return testCacheDir;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], cwd: string, env: Record<string, string | undefined> = { ...process.env, PROVENANCE_CACHE_DIR: cacheDirForTests() }): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv,
    cwd,
    env,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

export interface JsonDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface JsonReport {
  version: number;
  files: { path: string; diagnostics: JsonDiagnostic[] }[];
}

export async function cliJson(argv: string[], cwd: string): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const run = await cli([...argv, '--format', 'json'], cwd);
  let report: JsonReport;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`CLI did not print JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { code: run.code, report, stderr: run.stderr };
}
