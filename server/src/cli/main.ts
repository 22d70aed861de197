// The `provenance` command: a shim over runCli. exitCode (not exit()) lets piped output drain.
// The same bundle is the script of the CLI's worker threads (pool.ts); worker.ts takes over there.
import { runCli } from './run';
import { isCheckWorker } from './worker';

if (!isCheckWorker()) {
  runCli({ argv: process.argv.slice(2), cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr })
    .then((code) => { process.exitCode = code; })
    .catch((err) => { process.stderr.write(`provenance: internal error: ${(err as Error)?.stack ?? err}\n`); process.exitCode = 2; });
}
