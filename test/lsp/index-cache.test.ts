/**
 * The server keeps its source index in the folder the client names in
 * `initializationOptions.storagePath`: a reopened workspace reuses it for
 * unchanged sources (the file is not rewritten) and refreshes it when a
 * source changed on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LspClient, clientCapabilities, fileUri } from '../helpers/lsp-client';
import { workspace } from './fixture';

async function startWith(root: string, initializationOptions: unknown): Promise<LspClient> {
  const client = await LspClient.start({ root, skipInitialize: true });
  await client.request('initialize', {
    processId: process.pid,
    rootUri: fileUri(root),
    workspaceFolders: [{ uri: fileUri(root), name: path.basename(root) }],
    capabilities: clientCapabilities('push'),
    initializationOptions,
  });
  client.notify('initialized', {});
  return client;
}

async function diagnosticsOf(root: string, storagePath: unknown): Promise<string[]> {
  const client = await startWith(root, { storagePath });
  try {
    const uri = client.open('analysis.md');
    const published = await client.waitForDiagnostics(uri);
    return published.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`).sort();
  } finally {
    await client.stop();
  }
}

function cacheFiles(folder: string): string[] {
  return fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => name.startsWith('provenance-index-')) : [];
}

test('server index cache: written to storagePath, reused unchanged on reopen, refreshed after a source changed', async () => {
  const root = workspace();
  const storage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'provenance-storage-')), 'workspace-storage');

  const first = await diagnosticsOf(root, storage);
  const [file] = cacheFiles(storage);
  assert.ok(file, 'a cache file is written into the storage folder');
  const written = fs.statSync(path.join(storage, file));

  const second = await diagnosticsOf(root, storage);
  assert.deepEqual(second, first);
  const reopened = fs.statSync(path.join(storage, file));
  assert.equal(reopened.mtimeMs, written.mtimeMs, 'nothing changed: the cache is reused, not rewritten');

  const source = path.join(root, 'sources', 'harbour-wall.txt');
  fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('a hundred years', 'two hundred years'));
  const third = await diagnosticsOf(root, storage);
  assert.notDeepEqual(third, first, 'the changed source is what the piece is checked against');
  assert.ok(fs.statSync(path.join(storage, file)).mtimeMs > reopened.mtimeMs, 'the cache is rewritten after a source changed');
});

test('server index cache: no storagePath (or a relative one) persists nothing', async () => {
  const root = workspace();
  await diagnosticsOf(root, 'relative/storage');
  assert.deepEqual(cacheFiles(path.join(root, 'relative', 'storage')), []);
  assert.deepEqual(cacheFiles(root), []);
});
