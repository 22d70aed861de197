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
