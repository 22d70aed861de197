// Measures the figures in docs/reliability.md: for each of cmark's pathological
// inputs, the built CLI (dist/cli.js) alone on it — wall time, CPU time, peak
// memory, and whether it was checked or stopped at its budget — and the
// language server with all of them open — time until every piece is published,
// hover latency meanwhile, peak memory.
//
//   npm run build && npx tsc -b && node test/hardening/measure.mjs
//
// Not part of `npm test`: it prints numbers, it asserts nothing. The shared
// machine's wall clock moves a lot; compare CPU times, and runs with each other.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { PATHOLOGICAL, fileName, workspaceWith, NORMAL_PIECE, peakRssMiB } = require(path.join(repo, 'out/test/hardening/inputs.js'));
const { LspClient, positionOf } = require(path.join(repo, 'out/test/helpers/lsp-client.js'));

const hook = path.join(fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'provenance-measure-')), 'usage.js');
fs.writeFileSync(hook, 'process.on("exit", () => { const u = process.resourceUsage(); process.stderr.write(`usage cpu=${Math.round((u.userCPUTime + u.systemCPUTime) / 1000)} maxRSS=${Math.round(u.maxRSS / 1024)}\\n`); });\n');

function runCli(root, file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--require', hook, path.join(repo, 'dist/cli.js'), 'check', file, '--format', 'json'], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (code) => {
      const usage = /usage cpu=(\d+) maxRSS=(\d+)/.exec(stderr);
      const diagnostics = JSON.parse(stdout).files[0].diagnostics;
      const stopped = diagnostics.some((d) => d.code === 'input/skipped' && d.data?.reason === 'time-budget');
      resolve({ code, ms: Math.round(performance.now() - started), cpuMs: Number(usage?.[1]), rssMiB: Number(usage?.[2]), outcome: stopped ? 'stopped at 2 s' : `checked, ${diagnostics.length} finding(s)` });
    });
  });
}

const files = Object.fromEntries(Object.entries(PATHOLOGICAL).map(([name, make]) => [fileName(name), make()]));
const root = workspaceWith(files);
console.log('CLI, one process per input (exit, wall, CPU of the whole process, peak RSS, outcome):');
for (const name of Object.keys(PATHOLOGICAL)) {
  const r = await runCli(root, fileName(name));
  console.log(`| ${name} | exit ${r.code} | ${r.ms} ms | ${r.cpuMs} ms CPU | ${r.rssMiB} MiB | ${r.outcome} |`);
}

console.log('\nServer, all of them opened at once (push client):');
const client = await LspClient.start({ root, kind: 'push' });
const normal = client.open('normal.md');
await client.waitForDiagnostics(normal, (p) => p.diagnostics.length > 0, { timeoutMs: 60_000 });
const started = performance.now();
const uris = Object.keys(PATHOLOGICAL).map((name) => [name, client.open(fileName(name))]);
const latencies = [];
const pending = Promise.all(uris.map(([, uri]) => client.waitForDiagnostics(uri, () => true, { timeoutMs: 120_000 })));
let done = false;
pending.then(() => (done = true));
while (!done) {
  const t = performance.now();
  await client.request('textDocument/hover', { textDocument: { uri: normal }, position: positionOf(NORMAL_PIECE, 'protect the old town') });
  latencies.push(performance.now() - t);
}
const published = await pending;
const allMs = Math.round(performance.now() - started);
latencies.sort((a, b) => a - b);
const stopped = published.filter((p) => p.diagnostics.some((d) => d.code === 'input/skipped')).length;
console.log(`all ${uris.length} published after ${allMs} ms (${stopped} stopped); ${latencies.length} hovers meanwhile: median ${latencies[latencies.length >> 1].toFixed(1)} ms, slowest ${latencies.at(-1).toFixed(1)} ms; server peak RSS ${peakRssMiB(client.process.pid)} MiB`);
await client.stop();
