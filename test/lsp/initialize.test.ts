/** What the server announces, and how it adapts to what the client can do. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './fixture';

test('initialize: announces hover, definition, completion on @ and [, quick fixes, incremental sync', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const { capabilities, serverInfo } = client.initializeResult;
  assert.equal(serverInfo.name, 'provenance');
  assert.equal(capabilities.positionEncoding, 'utf-16');
  assert.equal(capabilities.hoverProvider, true);
  assert.equal(capabilities.definitionProvider, true);
  assert.deepEqual(capabilities.completionProvider.triggerCharacters.sort(), ['@', '[']);
  assert.deepEqual(capabilities.codeActionProvider.codeActionKinds, ['quickfix']);
  assert.equal(capabilities.textDocumentSync.change, 2, 'incremental sync');
  assert.equal(capabilities.textDocumentSync.openClose, true);
  assert.ok(capabilities.textDocumentSync.save, 'wants didSave (provenance.run: onSave)');
  assert.equal(capabilities.diagnosticProvider, undefined, 'no pull diagnostics for a client that cannot pull');
});

test('initialize: a client that can pull gets a diagnostic provider', async (t) => {
  const client = await start({ kind: 'pull' });
  t.after(() => client.stop());
  const provider = client.initializeResult.capabilities.diagnosticProvider;
  assert.ok(provider, 'diagnosticProvider');
  assert.equal(provider.interFileDependencies, true, 'a piece depends on its sources');
  assert.equal(provider.workspaceDiagnostics, false);
});

test('initialize: the client’s preferred position encoding wins when offered', async (t) => {
  const client = await start({ capabilities: { general: { positionEncodings: ['utf-8', 'utf-16'] } } });
  t.after(() => client.stop());
  assert.equal(client.initializeResult.capabilities.positionEncoding, 'utf-8');
});

test('initialize: loading is reported as work-done progress and file watching is registered', async (t) => {
  const client = await start();
  t.after(() => client.stop());
  const create = await client.waitForServerRequest('window/workDoneProgress/create');
  const token = create.params.token;
  const kinds = () => client.notifications.filter((n) => n.method === '$/progress' && n.params.token === token).map((n) => n.params.value.kind);
  await client.waitUntil(() => (kinds().includes('end') ? true : undefined), 'the end of the loading progress', undefined, () => kinds().join(', '));
  assert.equal(kinds()[0], 'begin');
  const watcher = await client.waitUntil(
    () =>
      client.serverRequests
        .filter((r) => r.method === 'client/registerCapability')
        .flatMap((r) => r.params.registrations)
        .find((r: { method: string }) => r.method === 'workspace/didChangeWatchedFiles'),
    'a dynamic registration of workspace/didChangeWatchedFiles',
  );
  assert.equal(watcher.registerOptions.watchers[0].globPattern, '**/*.{md,txt,yml,yaml,json}');
});

const FILLERS = 1200;

/** Filler sources that load before the one the piece quotes ("zz-" sorts last). */
function largeCorpus(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < FILLERS; i++) files[`sources/filler-${String(i).padStart(4, '0')}.txt`] = `Filler report ${i}\n\nThe committee met for the ${i}th time and adjourned without a vote.\n`;
  files['sources/zz-last.txt'] = 'Late report\n\nThe harbourmaster said "the tide waits for no committee" before leaving.\n';
  files['late.md'] = 'She put it plainly: "the tide waits for no committee" [@zz-last].\n';
  return files;
}

test('initialize: a large corpus reports its loading as progress with source counts', async (t) => {
  const client = await start({ kind: 'push', files: largeCorpus() });
  t.after(() => client.stop());
  const create = await client.waitForServerRequest('window/workDoneProgress/create');
  const token = create.params.token;
  const values = () => client.notifications.filter((n) => n.method === '$/progress' && n.params.token === token).map((n) => n.params.value);
  await client.waitUntil(() => (values().some((v) => v.kind === 'end') ? true : undefined), 'the end of the loading progress');
  const counts = values()
    .map((v) => /(\d+)\/(\d+) sources/.exec(v.message ?? ''))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ done: Number(m[1]), total: Number(m[2]) }));
  const total = FILLERS + 1 + 2; // and the fixture's two sources
  assert.ok(counts.length >= 3, `progress with counts: ${JSON.stringify(values())}`);
  assert.ok(counts.every((c) => c.total === total), `every count out of ${total}: ${JSON.stringify(counts)}`);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i].done > counts[i - 1].done, `counts rise: ${JSON.stringify(counts)}`);
});

test('initialize: a piece opened while the sources load is checked against all of them', async (t) => {
  const client = await start({ kind: 'push', files: largeCorpus() });
  t.after(() => client.stop());
  // Opened as soon as the first count is reported: the server is then between two batches of
  // sources, and the check must finish that load, not see half of it.
  const create = await client.waitForServerRequest('window/workDoneProgress/create');
  await client.waitUntil(
    () => client.notifications.find((n) => n.method === '$/progress' && n.params.token === create.params.token && /\/\d+ sources/.test(n.params.value.message ?? '')),
    'the first progress report with counts',
  );
  const uri = client.open('late.md');
  const published = await client.waitForDiagnostics(uri);
  assert.deepEqual(
    published.diagnostics.filter((d) => /^(quote|citation)\//.test(String(d.code))),
    [],
    'the quotation of the last source is verified',
  );
});
