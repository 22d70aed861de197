/**
 * A load may take the sources another thread listed and read (`readSources`,
 * the CLI's main thread reads them once for its workers): it must end in the
 * same workspace as a load that reads them itself — same sources, notices and
 * file findings, same findings for a piece — and it must really use what it
 * is given (not read the disk again behind it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../server/src/engine/index';
import { decodeText, loadConfig, loadSources, packSources, readSourceFile, readSources, SourceChangedError, toUri, unpackSources, type KnownSources, type ReadResult, type ReadSources, type SharedSources } from '../../server/src/node/workspace';
import { sourceHashWork } from '../../server/src/engine/index-cache';
import { indexCacheFile, writeIndexCache } from '../../server/src/node/index-cache-file';
import { tempWorkspace } from '../helpers/repo';
import type { Finding } from '../../server/src/engine/types';

const PIECE = `# Dam

The engineer said "none of them threatens the structure today" [@dam].

A spokesman said "we chose the busiest week of the year" [@bridge].
`;

function workspace(): string {
  const root = tempWorkspace({
    'sources/dam.txt': 'Dam inspection finds cracks\n\n"None of them threatens the structure today," the chief engineer said.\n',
    'sources/bridge.md': '# Footbridge closed\n\n"We chose the quietest week of the year," a council spokesman said.\n',
    'sources/binary.txt': new Uint8Array([0x41, 0, 0x42]),
    'sources/invalid.txt': new Uint8Array([0x48, 0x69, 0xff, 0x0a]),
    'pieces/piece.md': PIECE,
  });
  const outside = tempWorkspace({ 'secret.txt': 'not part of the workspace\n' });
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'sources', 'link.txt'));
  return root;
}

function load(root: string, readAhead?: (engine: ReturnType<typeof createEngine>) => ReadSources | undefined) {
  const engine = createEngine({ docsBaseUrl: 'https://example.test/docs' });
  const config = loadConfig(engine, root);
  const loaded = loadSources(engine, config, { readAhead: readAhead && (() => readAhead(engine)) });
  const text = fs.readFileSync(path.join(root, 'pieces/piece.md'), 'utf8');
  const findings = engine.check({ uri: toUri(path.join(root, 'pieces/piece.md')), text, version: 1 });
  return { loaded, findings, sources: engine.sources().map((s) => [s.id, s.text]) };
}

test('read ahead: sources read by another thread load the same workspace as sources read by the load itself', () => {
  const root = workspace();
  const itself = load(root);
  const ahead = load(root, (engine) => unpackSources(readSources(engine, root)));
  assert.deepEqual(ahead.sources, itself.sources);
  assert.deepEqual(ahead.loaded.sourceFiles, itself.loaded.sourceFiles);
  assert.deepEqual(ahead.loaded.notices, itself.loaded.notices);
  assert.deepEqual([...ahead.loaded.fileFindings], [...itself.loaded.fileFindings]);
  assert.deepEqual(ahead.findings, itself.findings);
  // The cases the comparison is about are really there: a binary skipped, a link refused, a misquote found.
  assert.ok(itself.loaded.notices.some((n) => n.includes('binary')), itself.loaded.notices.join('\n'));
  assert.ok(itself.loaded.notices.some((n) => n.includes('link.txt')), itself.loaded.notices.join('\n'));
  assert.ok(itself.findings.some((f) => f.ruleId === 'quote/misquote'), itself.findings.map((f) => f.ruleId).join());
});

test('read ahead: the load uses the texts it is given, and reads the disk itself when given none', () => {
  const root = workspace();
  const read = (engine: ReturnType<typeof createEngine>) => unpackSources(readSources(engine, root));
  // The texts as read ahead, then the source changed on disk: the load must answer for the texts it was given.
  const given = load(root, (engine) => {
    const ahead = read(engine);
    fs.writeFileSync(path.join(root, 'sources/bridge.md'), '# Footbridge closed\n\n"We chose the busiest week of the year," a council spokesman said.\n');
    return ahead;
  });
  assert.ok(given.findings.some((f) => f.ruleId === 'quote/misquote'));
  const now = load(root);
  assert.ok(!now.findings.some((f) => f.ruleId === 'quote/misquote'), 'the changed source settles the misquote');
  assert.deepEqual(load(root, () => undefined).findings, now.findings);
  assert.deepEqual(load(root, read).findings, now.findings);
});

/** A file's text as a load takes it: decoded, with the SHA-1 of its bytes as the key `Engine.setSource` takes. */
function keyed(bytes: Uint8Array, name: string): ReadResult {
  const read = decodeText(bytes, name);
  return read.ok ? { ...read, key: createHash('sha1').update(bytes).digest('hex') } : read;
}

/** Sources as `readSources` packs them (one shared buffer, the ASCII files first, byte spans), from each file's bytes. */
function packed(contents: Record<string, string | Uint8Array>): { shared: SharedSources; bytesOf: Uint8Array[] } {
  const files = Object.keys(contents);
  const bytesOf = files.map((name) => (typeof contents[name] === 'string' ? new TextEncoder().encode(contents[name] as string) : (contents[name] as Uint8Array)));
  return { shared: packSources(files, [], bytesOf), bytesOf };
}

test('read ahead: texts sliced from the decoded buffer are each file decoded on its own', () => {
  const valid = {
    'a.txt': 'Plain ASCII headline\n\nBody.\n',
    'b.txt': 'Café talks: “we are close,” the mayor’s aide said.\n',
    'c.txt': '\ufeffWith a byte order mark and an astral 𝒜 letter.\n',
    'd.txt': '',
    'e.bin': new Uint8Array([0x41, 0, 0x42]),
    'f.txt': 'After them all: ß, İstanbul, e\u0301te\u0301.\n',
    'g.txt': 'ASCII again, after the others, and long enough to be a slice.\n',
    'h.bin': new Uint8Array([0xc3, 0xa9, 0, 0x42]),
    'i.txt': '',
  };
  const invalid = { ...valid, 'j.txt': new Uint8Array([0x48, 0xff, 0x69]), 'k.txt': 'Last.\n' };
  const allAscii = { 'a.txt': valid['a.txt'], 'g.txt': valid['g.txt'] };
  const noneAscii = { 'b.txt': valid['b.txt'], 'c.txt': valid['c.txt'] };
  for (const contents of [valid, invalid, allAscii, noneAscii]) {
    const { shared, bytesOf } = packed(contents);
    const asciiBytes = bytesOf.filter((b) => b.every((byte) => byte < 0x80)).reduce((n, b) => n + b.length, 0);
    assert.equal(shared.asciiEnd, asciiBytes, 'the ASCII files come first');
    const unpacked = unpackSources(shared);
    assert.deepEqual(
      unpacked.reads,
      bytesOf.map((b, i) => keyed(b, shared.files[i])),
    );
  }
  // A file not read keeps its refusal, wherever it falls among the others.
  const refusal = { ok: false as const, reason: 'too-large' as const, message: 'big.txt is too large' };
  const shared = packSources(['a.txt', 'big.txt', 'b.txt'], [], [new TextEncoder().encode(valid['a.txt']), refusal, new TextEncoder().encode(valid['b.txt'])]);
  assert.deepEqual(unpackSources(shared).reads, [keyed(new TextEncoder().encode(valid['a.txt']), 'a.txt'), refusal, keyed(new TextEncoder().encode(valid['b.txt']), 'b.txt')]);
});

test('read ahead: both ways of reading key each source by its bytes, and a warm load hashes no text', () => {
  const root = workspace();
  const cacheDir = path.join(root, '.cache');
  const engine = createEngine({ buildId: 'read-ahead-keys' });
  const listed = unpackSources(readSources((loadConfig(engine, root), engine), root));
  listed.files.forEach((file, i) => {
    const read = listed.reads[i];
    assert.deepEqual(read, readSourceFile(file, 8 * 1024 * 1024), file);
    if (read?.ok) assert.equal(read.key, createHash('sha1').update(fs.readFileSync(file)).digest('hex'));
  });
  assert.ok(listed.reads.filter((read) => read?.ok).length >= 3, 'the ASCII, the Markdown and the invalid UTF-8 file are keyed');

  // Loaded and prepared, the cache written; then loaded from it, read ahead or not: no source's text is hashed,
  // and every corpus product is taken from the cache (nothing left to write).
  const before = sourceHashWork.textsHashed;
  const ready = (readAhead: boolean) => {
    const fresh = createEngine({ buildId: 'read-ahead-keys' });
    const config = loadConfig(fresh, root);
    loadSources(fresh, config, { cacheDir, writeCache: false, readAhead: readAhead ? () => unpackSources(readSources(fresh, root)) : undefined });
    for (const step of fresh.prepare()) step();
    return fresh;
  };
  const problem = writeIndexCache(indexCacheFile(cacheDir, root), ready(false).exportIndexCache()!);
  assert.equal(problem, undefined);
  assert.equal(ready(false).exportIndexCache(true), undefined);
  assert.equal(ready(true).exportIndexCache(true), undefined, 'a load read ahead takes what a load reading itself kept');
  assert.equal(sourceHashWork.textsHashed - before, 0);
});

/** The sources listed with the SHA-1 of each file's bytes, as the results cache knows them from its stamps. */
function known(engine: ReturnType<typeof createEngine>, root: string): KnownSources {
  const listed = unpackSources(readSources(engine, root));
  return { files: listed.files, refused: listed.refused, keys: listed.files.map((file) => createHash('sha1').update(fs.readFileSync(file)).digest('hex')) };
}

/** A load from the cache written by a full load, given the sources' keys: which files it read, and when. */
function loadKnown(root: string, cacheDir: string, change?: () => void) {
  const engine = createEngine({ docsBaseUrl: 'https://example.test/docs', buildId: 'known-sources' });
  const config = loadConfig(engine, root);
  const reads: string[] = [];
  const changed: string[] = [];
  const given = known(engine, root);
  change?.();
  const loaded = loadSources(engine, config, { cacheDir, writeCache: false, readAhead: () => given, onSourceRead: (file) => reads.push(path.basename(file)), onSourceChanged: (file) => changed.push(path.basename(file)) });
  const readByLoad = [...reads];
  const text = fs.readFileSync(path.join(root, 'pieces/piece.md'), 'utf8');
  let findings: Finding[] | SourceChangedError;
  try {
    findings = engine.check({ uri: toUri(path.join(root, 'pieces/piece.md')), text, version: 1 });
  } catch (err) {
    if (!(err instanceof SourceChangedError)) throw err;
    findings = err;
  }
  return { loaded, findings, readByLoad, reads, changed, sources: () => engine.sources().map((s) => [s.id, s.text]) };
}

function writeFullCache(root: string, cacheDir: string): void {
  const engine = createEngine({ docsBaseUrl: 'https://example.test/docs', buildId: 'known-sources' });
  loadSources(engine, loadConfig(engine, root), { cacheDir, writeCache: true });
  for (const step of engine.prepare()) step();
  assert.equal(writeIndexCache(indexCacheFile(cacheDir, root), engine.exportIndexCache()!), undefined);
}

test('known sources: a load given each source\'s key reads only the files a check needs, and ends in the same workspace', () => {
  const root = workspace();
  const cacheDir = path.join(root, '.cache');
  writeFullCache(root, cacheDir);
  const itself = load(root);
  const given = loadKnown(root, cacheDir);
  // The binary file was never loaded as text, so no header is kept for it: it is read (and refused) again.
  assert.deepEqual(given.readByLoad, ['binary.txt']);
  // The piece quotes the dam and the bridge: verifying those quotations reads those files (and whatever else the matcher weighs).
  assert.ok(given.reads.includes('dam.txt') && given.reads.includes('bridge.md'), given.reads.join());
  assert.deepEqual(given.findings, itself.findings);
  assert.deepEqual(given.loaded.notices, itself.loaded.notices);
  assert.deepEqual([...given.loaded.fileFindings], [...itself.loaded.fileFindings]);
  assert.deepEqual(given.loaded.sourceFiles, itself.loaded.sourceFiles);
  assert.deepEqual(given.sources(), itself.sources, 'every text, read when asked for, is the file\'s');
  assert.deepEqual(given.changed, []);
});

test('known sources: a file whose bytes no longer have its key is reported changed, read on demand or in full', () => {
  const root = workspace();
  const cacheDir = path.join(root, '.cache');
  writeFullCache(root, cacheDir);
  // Changed after its key was made, before a check read it.
  const onDemand = loadKnown(root, cacheDir, () => fs.writeFileSync(path.join(root, 'sources/dam.txt'), 'Dam inspection finds cracks\n\n"None of them threatens the dam today," the chief engineer said.\n'));
  assert.deepEqual(onDemand.readByLoad, ['binary.txt']);
  assert.deepEqual(onDemand.changed, ['dam.txt']);
  // Its id, body and products are the old text's: the check that needed it ends, and says which file.
  assert.ok(onDemand.findings instanceof SourceChangedError, 'the check ended');
  assert.equal(path.basename(onDemand.findings.file), 'dam.txt');
  // Changed, and not known to the cache (so read in full by the load): reported all the same.
  const other = workspace();
  const otherCache = path.join(other, '.cache');
  writeFullCache(other, otherCache);
  fs.rmSync(otherCache, { recursive: true });
  const inFull = loadKnown(other, otherCache, () => fs.writeFileSync(path.join(other, 'sources/bridge.md'), '# Footbridge open\n'));
  assert.ok(inFull.readByLoad.includes('bridge.md'), inFull.readByLoad.join());
  assert.deepEqual(inFull.changed, ['bridge.md']);
  // Read in full, the source is its new text throughout: the check goes on, and the caller writes no cache.
  assert.ok(Array.isArray(inFull.findings));
});
