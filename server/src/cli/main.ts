// The `provenance` command: a shim over runCli. exitCode (not exit()) lets piped output drain.
// Bundled as dist/cli-main.js, which the launcher (launch.ts, dist/cli.js) runs, on the main thread and in
// the CLI's worker threads (pool.ts); worker.ts takes over there.
import { runCli } from './run';
import { isCheckWorker } from './worker';

if (!isCheckWorker()) {
  // `provenance check | head`: a reader that stops early is not an error of the check. Without this, the next
  // write threw EPIPE as an unhandled error (a stack trace, exit 1, and the results cache not written).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  runCli({ argv: process.argv.slice(2), cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr })
    .then((code) => { process.exitCode = code; })
    .catch((err) => { process.stderr.write(`provenance: internal error: ${(err as Error)?.stack ?? err}\n`); process.exitCode = 2; });
}
