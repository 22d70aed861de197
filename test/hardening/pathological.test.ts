/**
 * Issue #8, item 1: cmark's pathological inputs. Each piece is analysed
 * within its time budget or stopped there with one information finding; the
 * CLI then exits 2 instead of hanging, and the language server keeps
 * answering hovers while a check runs (checks run in a worker).
 *
 * The deterministic tests use the `check-hang` test fault: a piece holding
 * the marker `provenance-test-hang` makes the check worker loop forever, so
 * only the budget can end it, whatever the machine's speed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { cliJson, type JsonDiagnostic, type JsonReport } from '../helpers/cli';
import { DIST } from '../helpers/repo';
import { LspClient, positionOf, type PublishedDiagnostics } from '../helpers/lsp-client';
import { fileName, NORMAL_PIECE, PATHOLOGICAL, since, workspaceWith } from './inputs';

const HANG_PIECE = 'The engineer said "provenance-test-hang" and left.\n';

/** A never-ending piece 2.5 times the text one budget covers (budget.ts BUDGET_UNIT_CHARS, 256 KB), all ASCII. */
function longHangPiece(): string {
  const size = 640 * 1024;
  const line = 'The harbour wall was finished in May and the ferry sailed on time.\n\n';
  const filler = line.repeat(Math.ceil(size / line.length));
  return (HANG_PIECE + '\n' + filler).slice(0, size - 1) + '\n';
}

function byPath(report: JsonReport): Map<string, JsonDiagnostic[]> {
  return new Map(report.files.map((file) => [file.path, file.diagnostics]));
}

/** A piece either checked (any findings, none of them input/skipped) or stopped: exactly one input/skipped information. */
function assertCheckedOrStopped(name: string, diagnostics: { code?: unknown; severity?: unknown; message: unknown; data?: unknown }[], information: unknown): boolean {
  const skipped = diagnostics.filter((d) => d.code === 'input/skipped');
  if (!skipped.length) return false;
  assert.equal(diagnostics.length, 1, `${name}: a stopped piece has one finding, got ${JSON.stringify(diagnostics).slice(0, 300)}`);
  assert.equal(skipped[0].severity, information, `${name}: stopped at the budget is an information`);
  assert.equal((skipped[0].data as { reason?: string }).reason, 'time-budget', `${name}: ${skipped[0].message}`);
  assert.match(String(skipped[0].message), /stopped after \d+(\.\d+)? s/);
  return true;
}

test('pathological (CLI): each of cmark’s pathological inputs is checked within its budget (2 s per 256 KB) or stopped there with one information; exit 2 when one was stopped', { timeout: 180_000 }, async (t) => {
  const root = workspaceWith(Object.fromEntries(Object.entries(PATHOLOGICAL).map(([name, make]) => [fileName(name), make()])));
  const started = performance.now();
  const { code, report, stderr } = await cliJson(['check', '--time-budget', '2'], root);
  const elapsed = since(started);
  const files = byPath(report);
  let stopped = 0;
  for (const name of Object.keys(PATHOLOGICAL)) {
    const diagnostics = files.get(fileName(name));
    assert.ok(diagnostics, `${name} was reported`);
    const wasStopped = assertCheckedOrStopped(name, diagnostics, 'information');
    if (wasStopped) stopped++;
    t.diagnostic(`${name}: ${wasStopped ? 'stopped at its 2 s budget' : `checked (${diagnostics.length} finding(s))`}`);
  }
  assert.deepEqual(files.get('normal.md')!.map((d) => d.code), ['quote/misquote'], 'the ordinary piece beside them is checked as usual');
  const anyError = report.files.some((file) => file.diagnostics.some((d) => d.severity === 'error'));
  assert.equal(code, stopped ? 2 : anyError ? 1 : 0, stderr);
  if (stopped) assert.match(stderr, /stopped after 2 s/);
  t.diagnostic(`${stopped} of ${Object.keys(PATHOLOGICAL).length} stopped; whole run ${elapsed} ms`);
});

test('pathological (CLI): a piece whose analysis never ends is stopped at its budget; dist/cli.js exits 2 and the other pieces are reported', { timeout: 60_000 }, async (t) => {
  const root = workspaceWith({ 'hang.md': HANG_PIECE });
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(DIST, 'cli.js'), 'check', '--format', 'json', '--time-budget', '0.5'], {
    cwd: root,
    env: { ...process.env, PROVENANCE_TEST_FAULTS: 'check-hang' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  // A CLI that hangs is the failure this test exists for: end it rather than leave it spinning.
  const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
  t.after(() => child.kill('SIGKILL'));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  clearTimeout(deadline);
  const elapsed = since(started);
  assert.deepEqual(exit, { code: 2, signal: null }, `dist/cli.js did not exit by itself within 30 s (killed: ${exit.signal}) ${stderr}`);
  const files = byPath(JSON.parse(stdout) as JsonReport);
  const hang = files.get('hang.md')!;
  assert.equal(hang.length, 1);
  assert.equal(hang[0].code, 'input/skipped');
  assert.equal(hang[0].severity, 'information');
  assert.match(hang[0].message, /hang\.md stopped after 0\.5 s/);
  assert.deepEqual(hang[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  assert.deepEqual(files.get('normal.md')!.map((d) => d.code), ['quote/misquote']);
  assert.match(stderr, /hang\.md stopped after 0\.5 s/);
  t.diagnostic(`dist/cli.js with a never-ending piece and a 0.5 s budget exited 2 after ${elapsed} ms`);
});

test('pathological (CLI): a long piece gets its budget per 256 KB, so it is stopped later than a short one, and the message says when', { timeout: 60_000 }, () => {
  const root = workspaceWith({ 'hang.md': HANG_PIECE, 'long-hang.md': longHangPiece() });
  const run = spawnSync(process.execPath, [path.join(DIST, 'cli.js'), 'check', 'hang.md', 'long-hang.md', '--format', 'json', '--no-cache', '--time-budget', '0.3', '--jobs', '1'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PROVENANCE_TEST_FAULTS: 'check-hang' },
    timeout: 30_000,
  });
  assert.equal(run.status, 2, run.stderr);
  const stderr = run.stderr;
  const files = byPath(JSON.parse(run.stdout) as JsonReport);
  const short = files.get('hang.md')!;
  const long = files.get('long-hang.md')!;
  assert.deepEqual([short.length, long.length], [1, 1]);
  assert.deepEqual([short[0].data, long[0].data], [{ reason: 'time-budget', budgetMs: 300 }, { reason: 'time-budget', budgetMs: 750 }]);
  assert.match(long[0].message, /long-hang\.md stopped after 0\.75 s/);
  assert.match(stderr, /hang\.md stopped after 0\.3 s/);
});

/** Hover round trips on the ordinary piece, one after another, for `forMs`; returns each latency. */
async function hoverLatencies(client: LspClient, uri: string, forMs: number): Promise<number[]> {
  const position = positionOf(NORMAL_PIECE, 'protect the old town');
  const latencies: number[] = [];
  const until = performance.now() + forMs;
  while (performance.now() < until) {
    const started = performance.now();
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position }, 5000);
    latencies.push(since(started));
    assert.ok(hover, 'the hover on the ordinary piece has a card');
  }
  return latencies;
}

test('pathological (server): while a check never ends, hovers keep answering; the check is stopped at its budget with one information, and the piece recovers when edited', { timeout: 90_000 }, async (t) => {
  const root = workspaceWith({ 'hang.md': HANG_PIECE });
  const client = await LspClient.start({ root, kind: 'push', settings: { timeBudget: 1.5 }, env: { PROVENANCE_TEST_FAULTS: 'check-hang' } });
  t.after(() => client.stop());
  const normal = client.open('normal.md');
  await client.waitForDiagnostics(normal, (p) => p.diagnostics.length > 0, { timeoutMs: 30_000 });

  const hang = client.open('hang.md');
  const opened = performance.now();
  const latencies = await hoverLatencies(client, normal, 1000);
  const stopped: PublishedDiagnostics = await client.waitForDiagnostics(hang, () => true, { timeoutMs: 30_000 });
  const stoppedAfter = since(opened);
  assert.equal(stopped.diagnostics.length, 1);
  assert.equal(stopped.diagnostics[0].code, 'input/skipped');
  assert.equal(stopped.diagnostics[0].severity, 3, 'information');
  assert.match(String(stopped.diagnostics[0].message), /hang\.md stopped after 1\.5 s/);
  assert.ok(stoppedAfter >= 1500, `stopped after ${stoppedAfter} ms, not before its budget`);
  const slowest = Math.max(...latencies);
  // A main thread busy with the check would not answer at all until the budget ended it.
  assert.ok(slowest < 1500, `hover latencies while the check ran: ${latencies.join(', ')} ms`);

  // The main thread does not analyse the stopped piece itself: its hover answers at once, empty.
  const started = performance.now();
  assert.equal(await client.request('textDocument/hover', { textDocument: { uri: hang }, position: positionOf(HANG_PIECE, 'engineer') }), null);
  const gatedHover = since(started);

  // An edit that removes the cause is checked normally again (in a new worker).
  const since0 = client.notifications.length;
  const version = client.change(hang, 'The engineer said "it will protect the old town for a hundred years" [@harbour-wall].\n');
  const recovered = await client.waitForDiagnostics(hang, (p) => p.version === version, { since: since0, timeoutMs: 30_000 });
  assert.ok(!recovered.diagnostics.some((d) => d.code === 'input/skipped'), JSON.stringify(recovered.diagnostics));
  assert.ok(await client.request('textDocument/hover', { textDocument: { uri: hang }, position: positionOf(client.text(hang), 'protect the old town') }));
  t.diagnostic(`${latencies.length} hovers during the hung check: median ${latencies.sort((a, b) => a - b)[latencies.length >> 1]} ms, slowest ${slowest} ms; stopped after ${stoppedAfter} ms (budget 1500); hover on the stopped piece ${gatedHover} ms`);
});

test('pathological (server): a long piece gets its budget per 256 KB of its text', { timeout: 60_000 }, async (t) => {
  const root = workspaceWith({ 'long-hang.md': longHangPiece() });
  const client = await LspClient.start({ root, kind: 'push', settings: { timeBudget: 0.4 }, env: { PROVENANCE_TEST_FAULTS: 'check-hang' } });
  t.after(() => client.stop());
  const opened = performance.now();
  const published = await client.waitForDiagnostics(client.open('long-hang.md'), () => true, { timeoutMs: 30_000 });
  const stoppedAfter = since(opened);
  assert.equal(published.diagnostics.length, 1);
  assert.deepEqual(published.diagnostics[0].data, { reason: 'time-budget', budgetMs: 1000 });
  assert.match(String(published.diagnostics[0].message), /long-hang\.md stopped after 1 s/);
  assert.ok(stoppedAfter >= 1000, `stopped after ${stoppedAfter} ms, not before its budget`);
});

test('pathological (server): each pathological piece opened in the editor is checked within its budget or stopped with one information', { timeout: 180_000 }, async (t) => {
  const files = Object.fromEntries(Object.entries(PATHOLOGICAL).map(([name, make]) => [fileName(name), make()]));
  const root = workspaceWith(files);
  const client = await LspClient.start({ root, kind: 'push', settings: { timeBudget: 2 } });
  t.after(() => client.stop());
  const normal = client.open('normal.md');
  await client.waitForDiagnostics(normal, (p) => p.diagnostics.length > 0, { timeoutMs: 30_000 });
  const started = performance.now();
  const uris = Object.keys(PATHOLOGICAL).map((name) => [name, client.open(fileName(name))] as const);
  const latencies = await hoverLatencies(client, normal, 1500);
  for (const [name, uri] of uris) {
    const published = await client.waitForDiagnostics(uri, () => true, { timeoutMs: 60_000 });
    const wasStopped = assertCheckedOrStopped(name, published.diagnostics, 3);
    t.diagnostic(`${name}: ${wasStopped ? 'stopped at its 2 s budget' : `checked (${published.diagnostics.length} finding(s))`}`);
  }
  assert.ok(Math.max(...latencies) < 1500, `hover latencies while they were checked: ${latencies.join(', ')} ms`);
  t.diagnostic(`all ${uris.length} published after ${since(started)} ms; hovers meanwhile: slowest ${Math.max(...latencies)} ms of ${latencies.length}`);
});
