/** Runs the CLI in-process (runCli) and captures its output. */
import { runCli } from '../../server/src/cli/run';
import './repo'; // sets PROVENANCE_CACHE_DIR for the runs of tests

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` defaults to the process's (a test cache folder, see helpers/repo.ts). */
export async function cli(argv: string[], cwd: string, env: Record<string, string | undefined> = process.env): Promise<CliRun> {
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
