// Preloaded with `node --require` into every timed process: on exit it appends
// the process's peak resident set size (KiB, from getrusage) to BENCH_RSS_FILE.
// Worker threads run it too; the reader takes the largest value.
'use strict';
const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      require('node:fs').appendFileSync(file, `${process.resourceUsage().maxRSS}\n`);
    } catch {
      // The measurement is optional; never change the measured process's outcome.
    }
  });
}
