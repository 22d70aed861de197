/**
 * Issue #8, item 5: faults. A throwing handler and a vanished parent are
 * tested in test/lsp/robustness.test.ts; here, a check worker that dies under
 * a piece (what running out of memory does) costs that piece one finding and
 * nothing else: the next checks run in a new worker, and the CLI reports and
 * exits 2. The `check-crash` test fault ends the worker when it checks a piece
 * holding the marker `provenance-test-crash`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliJson } from '../helpers/cli';
import { LspClient, type PublishedDiagnostics } from '../helpers/lsp-client';
import { NORMAL_PIECE, workspaceWith } from './inputs';

const CRASH_PIECE = 'The engineer said "provenance-test-crash" and left.\n';

test('faults (server): a check worker dying under a piece gives that piece one input/skipped warning; other pieces and later versions are checked in a new worker', { timeout: 60_000 }, async (t) => {
  const client = await LspClient.start({ root: workspaceWith({ 'crash.md': CRASH_PIECE }), kind: 'push', env: { PROVENANCE_TEST_FAULTS: 'check-crash' } });
  t.after(() => client.stop());
  const crash = client.open('crash.md');
  const crashed: PublishedDiagnostics = await client.waitForDiagnostics(crash, () => true, { timeoutMs: 30_000 });
  assert.equal(crashed.diagnostics.length, 1, JSON.stringify(crashed.diagnostics));
  assert.equal(crashed.diagnostics[0].code, 'input/skipped');
  assert.equal(crashed.diagnostics[0].severity, 2, 'warning');
  assert.match(String(crashed.diagnostics[0].message), /crash\.md stopped \(the checker stopped unexpectedly \(exit code 70\)\)/);

  const normal = client.open('normal.md');
  const checked = await client.waitForDiagnostics(normal, () => true, { timeoutMs: 30_000 });
  assert.deepEqual(checked.diagnostics.map((d) => d.code), ['quote/misquote']);

  const from = client.notifications.length;
  const version = client.change(crash, NORMAL_PIECE);
  const recovered = await client.waitForDiagnostics(crash, (p) => p.version === version, { since: from, timeoutMs: 30_000 });
  assert.deepEqual(recovered.diagnostics.map((d) => d.code), ['quote/misquote']);
  assert.ok(client.logs().some((line) => /The check worker stopped \(the checker stopped unexpectedly/.test(line)), 'the crash is in the server log');
});

test('faults (CLI): a worker dying under a piece reports that piece as input/skipped, checks the others, and exits 2', { timeout: 60_000 }, async () => {
  const root = workspaceWith({ 'crash.md': CRASH_PIECE, 'later.md': NORMAL_PIECE });
  process.env.PROVENANCE_TEST_FAULTS = 'check-crash';
  try {
    const { code, report, stderr } = await cliJson(['check', '--jobs', '1'], root);
    const files = new Map(report.files.map((f) => [f.path, f.diagnostics]));
    assert.deepEqual(files.get('crash.md')!.map((d) => d.code), ['input/skipped']);
    assert.equal(files.get('crash.md')![0].severity, 'warning');
    assert.deepEqual(files.get('later.md')!.map((d) => d.code), ['quote/misquote'], 'a piece after it is checked by a replacement worker');
    assert.deepEqual(files.get('normal.md')!.map((d) => d.code), ['quote/misquote']);
    assert.equal(code, 2);
    assert.match(stderr, /crash\.md stopped/);
  } finally {
    delete process.env.PROVENANCE_TEST_FAULTS;
  }
});
