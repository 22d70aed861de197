#!/usr/bin/env node
// The `provenance` command: a shim over runCli. exitCode (not exit()) lets piped output drain.
import { runCli } from './run';

runCli({ argv: process.argv.slice(2), cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr })
  .then((code) => { process.exitCode = code; })
  .catch((err) => { process.stderr.write(`provenance: internal error: ${(err as Error)?.stack ?? err}\n`); process.exitCode = 2; });
