/**
 * The server keeps its source index in the folder the client names in
 * `initializationOptions.storagePath`: a reopened workspace reuses it for
 * unchanged sources (the file is not rewritten) and refreshes it when a
 * source changed on disk. What the warm-up builds after loading (the entities
 * learnt from each source) is written too, so a reopened workspace restores it,
 * and so are the answers of the opened piece's checks (quotation verdicts,
 * claims' passages), which a changed source must not bring back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient, clientCapabilities, fileUri } from '../helpers/lsp-client';
import { workspace } from './fixture';
import { tempFolder } from '../helpers/repo';
import { decodeCache } from '../../server/src/engine/index-cache';
import { SourceFactsStore, entitiesCacheProduct } from '../../server/src/engine/entities/source-facts';

/** The warm-up's last step says whether it wrote the cache or found it up to date (lsp/projects.ts). */
const CACHE_VERDICT = /kept the corpus index in .* for the next start|the corpus index kept in .* is up to date/;
/** The warm-up of the opened piece found quotation verdicts and claims' passages and kept them beside the index. */
const ANSWERS_KEPT = /kept the answers of its checks \(quotation verdicts, .*\) in .*provenance-checks-.* for the next start/;

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

/** The piece's diagnostics, and (with a storage folder) what the warm-up said of the cache once it finished. */
async function diagnosticsOf(root: string, storagePath: unknown): Promise<string[]> {
  return (await session(root, storagePath)).diagnostics;
}

async function session(root: string, storagePath: unknown, waitForAnswers = false): Promise<{ diagnostics: string[]; cacheVerdict?: string }> {
  const client = await startWith(root, { storagePath });
  try {
    const uri = client.open('analysis.md');
    const published = await client.waitForDiagnostics(uri);
    const diagnostics = published.diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`).sort();
    if (typeof storagePath !== 'string' || !path.isAbsolute(storagePath)) return { diagnostics };
    const logged = await client.waitForNotification('window/logMessage', (p) => CACHE_VERDICT.test(p.message), 'the warm-up writing or keeping the index cache');
    if (waitForAnswers) await client.waitForNotification('window/logMessage', (p) => ANSWERS_KEPT.test(p.message), "the piece's warm-up keeping its answers");
    return { diagnostics, cacheVerdict: logged.message as string };
  } finally {
    await client.stop();
  }
}

/** How many sources' entity facts the cache file holds (its `entities` section, imported as the engine would). */
function entityFactsIn(file: string): number {
  const section = decodeCache(new Uint8Array(fs.readFileSync(file)))?.get('entities');
  return section ? entitiesCacheProduct(new SourceFactsStore(), () => []).importSection(section) : 0;
}

function cacheFiles(folder: string): string[] {
  return fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => name.startsWith('provenance-index-')) : [];
}

test('server index cache: written to storagePath, reused unchanged on reopen, refreshed after a source changed', async () => {
  const root = workspace();
  const storage = path.join(tempFolder('provenance-storage-'), 'workspace-storage');

  const { diagnostics: first, cacheVerdict: firstVerdict } = await session(root, storage, true);
  const [file] = cacheFiles(storage);
  assert.ok(fs.readdirSync(storage).some((name) => name.startsWith('provenance-checks-')), 'the kept answers have a file of their own');
  assert.ok(file, 'a cache file is written into the storage folder');
  assert.match(firstVerdict ?? '', /kept the corpus index/, 'the warm-up wrote what it built after loading');
  assert.equal(entityFactsIn(path.join(storage, file)), 2, "both sources' entity facts are kept, not only what loading had built");
  const written = fs.statSync(path.join(storage, file));

  const { diagnostics: second, cacheVerdict: secondVerdict } = await session(root, storage);
  assert.deepEqual(second, first);
  assert.match(secondVerdict ?? '', /is up to date/, 'the reopened workspace restored every product: its warm-up had nothing to write');
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
