// The `provenance` command: a shim over runCli. exitCode (not exit()) lets piped output drain.
// Bundled as dist/cli-main.js, which the launcher (launch.ts, dist/cli.js) runs, on the main thread and in
// the CLI's worker threads (pool.ts); worker.ts takes over there.
import { runCli } from './run';
import { isCheckWorker } from './worker';

if (!isCheckWorker()) {
  runCli({ argv: process.argv.slice(2), cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr })
    .then((code) => { process.exitCode = code; })
    .catch((err) => { process.stderr.write(`provenance: internal error: ${(err as Error)?.stack ?? err}\n`); process.exitCode = 2; });
}
