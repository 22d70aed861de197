/**
 * Issue #8, item 4: a cancelled diagnostic or hover request is answered with
 * RequestCancelled within 200 ms, and the check behind it stops using CPU.
 *
 * The check that is cancelled never ends by itself (the `check-hang` test
 * fault, with a budget far away), so only the cancellation can stop it: if
 * the server ignored `$/cancelRequest`, or let the cancelled check run on,
 * the answer would not come and the CPU would stay busy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { LspClient, positionOf } from '../helpers/lsp-client';
import { cpuTimeMs, since, workspaceWith } from './inputs';

const HANG_PIECE = 'The engineer said "provenance-test-hang" and left.\n';
const REQUEST_CANCELLED = -32800;
const ANSWER_WITHIN_MS = 200;

/** Server CPU time used over `ms` of wall time, as a share of one core. */
async function cpuShare(client: LspClient, ms: number): Promise<number> {
  const before = cpuTimeMs(client.process.pid!);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimeMs(client.process.pid!);
  return before === undefined || after === undefined ? NaN : (after - before) / (performance.now() - started);
}

/** Sends a request, cancels it once `ready` resolves, and returns the error and how long the answer took after the cancel. */
async function cancelAfter(client: LspClient, method: string, params: unknown, ready: () => Promise<void>): Promise<{ error: unknown; answeredAfterMs: number }> {
  const source = new CancellationTokenSource();
  let answeredAt = 0;
  const answer = client.connection.sendRequest(method, params, source.token).then(
    (value) => {
      answeredAt = performance.now();
      return value;
    },
    (error: unknown) => {
      answeredAt = performance.now();
      throw error;
    },
  );
  await ready();
  const cancelledAt = performance.now();
  source.cancel();
  const error = await answer.then(
    (value) => assert.fail(`${method} was answered instead of cancelled: ${JSON.stringify(value)}`),
    (err: unknown) => err,
  );
  return { error, answeredAfterMs: Math.round(answeredAt - cancelledAt) };
}

/** Where the hung check announces that it has begun (PROVENANCE_TEST_HANG_FILE). */
const hangStarted = new WeakMap<LspClient, string>();

async function startHanging(t: { after(fn: () => Promise<void>): void }): Promise<{ client: LspClient; hang: string; normal: string }> {
  const root = workspaceWith({ 'hang.md': HANG_PIECE });
  const marker = path.join(root, '.hang-started');
  const client = await LspClient.start({ root, kind: 'pull', settings: { timeBudget: 120 }, env: { PROVENANCE_TEST_FAULTS: 'check-hang', PROVENANCE_TEST_HANG_FILE: marker } });
  hangStarted.set(client, marker);
  t.after(() => client.stop());
  // Warm the worker with an ordinary piece first, so the hung check is the only work left.
  const normal = client.open('normal.md');
  await client.request('textDocument/diagnostic', { textDocument: { uri: normal } }, 30_000);
  return { client, normal, hang: client.open('hang.md') };
}

/** Resolves once the hung check has begun in the worker, and has been running for a moment. */
async function untilBusy(client: LspClient): Promise<void> {
  const marker = hangStarted.get(client)!;
  const deadline = performance.now() + 60_000;
  while (!fs.existsSync(marker)) {
    assert.ok(performance.now() < deadline, 'the hung check never began');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
}

test('cancellation: a cancelled diagnostic pull is answered RequestCancelled within 200 ms, and the check behind it stops using CPU', { timeout: 90_000 }, async (t) => {
  const { client, hang, normal } = await startHanging(t);
  const busy = await cpuShare(client, 0); // baseline read so /proc is known to work
  if (Number.isNaN(busy)) return t.skip('no /proc here to read the server’s CPU time');
  const { error, answeredAfterMs } = await cancelAfter(client, 'textDocument/diagnostic', { textDocument: { uri: hang } }, () => untilBusy(client));
  assert.ok(error instanceof ResponseError, String(error));
  assert.equal(error.code, REQUEST_CANCELLED);
  assert.ok(answeredAfterMs <= ANSWER_WITHIN_MS, `answered ${answeredAfterMs} ms after the cancel`);
  // The check could not stop by itself: the thread running it must be gone, whatever the machine's load.
  const thread = fs.readFileSync(hangStarted.get(client)!, 'utf8');
  assert.match(thread, /^\/proc\/\d+\/task\/\d+\/stat$/, 'the hung check said which thread it runs in');
  const cancelled = performance.now();
  while (fs.existsSync(thread)) {
    assert.ok(performance.now() - cancelled < 1000, 'the thread of the cancelled check still runs a second after the cancel');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const threadGoneMs = since(cancelled);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await cpuShare(client, 1000);
  assert.ok(after < 0.25, `the server used ${Math.round(after * 100)} % of a core in the second after the cancel`);
  // And checking goes on: the ordinary piece is still checked.
  const report = await client.request('textDocument/diagnostic', { textDocument: { uri: normal } }, 30_000);
  assert.deepEqual(report.items.map((d: { code: string }) => d.code), ['quote/misquote']);
  t.diagnostic(`RequestCancelled ${answeredAfterMs} ms after $/cancelRequest; the check's thread gone ${threadGoneMs} ms after it; server CPU in the second after: ${Math.round(after * 100)} % of a core`);
});

test('cancellation: a hover waiting for a running check of its piece is answered RequestCancelled within 200 ms', { timeout: 90_000 }, async (t) => {
  const { client, hang, normal } = await startHanging(t);
  // A pull starts the check that never ends; a hover on that piece waits for its verdict.
  client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri: hang } }).catch(() => undefined);
  const hoverParams = { textDocument: { uri: hang }, position: positionOf(HANG_PIECE, 'engineer') };
  await untilBusy(client);
  const { error, answeredAfterMs } = await cancelAfter(client, 'textDocument/hover', hoverParams, () => new Promise((resolve) => setTimeout(resolve, 300)));
  assert.ok(error instanceof ResponseError, String(error));
  assert.equal(error.code, REQUEST_CANCELLED);
  assert.ok(answeredAfterMs <= ANSWER_WITHIN_MS, `answered ${answeredAfterMs} ms after the cancel`);
  const started = performance.now();
  assert.ok(await client.request('textDocument/hover', { textDocument: { uri: normal }, position: { line: 0, character: 30 } }));
  t.diagnostic(`hover RequestCancelled ${answeredAfterMs} ms after $/cancelRequest; next hover on another piece ${since(started)} ms`);
});
