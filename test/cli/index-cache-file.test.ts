/**
 * Reading chosen sections of the index cache file: the container read back
 * holds exactly those sections, byte for byte, and a broken file gives nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeCache, encodeCache } from '../../server/src/engine/index-cache';
import { commitCacheFile, discardCacheFile, readIndexCache, readIndexCacheInParallel, stageCacheFile, writeCacheFile, writeIndexCache } from '../../server/src/node/index-cache-file';
import { tempWorkspace } from '../helpers/repo';

const bytesOf = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

test('index cache file: only the sections asked for are read, in file order, byte for byte', () => {
  const sections = new Map([
    ['quotes', bytesOf(1000, 1)],
    ['entités', bytesOf(13, 2)],
    ['passages', bytesOf(0, 3)],
    ['other', bytesOf(77, 4)],
  ]);
  const file = path.join(tempWorkspace({}), 'cache.bin');
  assert.equal(writeIndexCache(file, encodeCache(sections)), undefined);

  const whole = decodeCache(readIndexCache(file)!)!;
  assert.deepEqual([...whole.keys()], [...sections.keys()]);

  const some = readIndexCache(file, ['passages', 'quotes', 'missing'])!;
  const decoded = decodeCache(some)!;
  assert.deepEqual([...decoded.keys()], ['quotes', 'passages']);
  assert.deepEqual(decoded.get('quotes'), sections.get('quotes'));
  assert.deepEqual(decoded.get('passages'), sections.get('passages'));
  assert.ok(some.length < 1000 + 200, 'the other sections are not in the result');

  const unicode = decodeCache(readIndexCache(file, ['entités'])!)!;
  assert.deepEqual([...unicode.entries()], [['entités', sections.get('entités')]]);
  assert.deepEqual([...decodeCache(readIndexCache(file, [])!)!.keys()], []);
});

test('index cache file: a truncated or foreign file gives undefined when reading sections', () => {
  const root = tempWorkspace({});
  const full = encodeCache(new Map([['quotes', bytesOf(500, 5)], ['entities', bytesOf(300, 6)]]));
  const truncated = path.join(root, 'truncated.bin');
  fs.writeFileSync(truncated, full.subarray(0, 600));
  assert.equal(readIndexCache(truncated, ['quotes']), undefined, 'the section table runs past the end');
  const foreign = path.join(root, 'foreign.bin');
  fs.writeFileSync(foreign, 'not a cache at all, just text');
  assert.equal(readIndexCache(foreign, ['quotes']), undefined);
  assert.equal(readIndexCache(path.join(root, 'absent.bin'), ['quotes']), undefined);
});

test('index cache file: the parallel reader gives the same bytes as the plain one, whole or by section, in pieces of any size', async () => {
  const sections = new Map([
    ['quotes', bytesOf(100_003, 7)],
    ['entities', bytesOf(4_097, 8)],
    ['passages', bytesOf(65_536, 9)],
  ]);
  const root = tempWorkspace({});
  const file = path.join(root, 'cache.bin');
  assert.equal(writeIndexCache(file, encodeCache(sections)), undefined);
  for (const wanted of [undefined, ['quotes'], ['passages', 'quotes'], ['entities', 'missing'], []]) {
    const plain = readIndexCache(file, wanted);
    assert.ok(plain);
    // Pieces smaller than a section, a section's size exactly and larger, so pieces end inside, at and past sections.
    for (const pieceBytes of [1_000, 4_097, 65_536, 1 << 20]) assert.deepEqual(await readIndexCacheInParallel(file, wanted, pieceBytes), plain, `${wanted} in ${pieceBytes}-byte pieces`);
  }
  const truncated = path.join(root, 'truncated.bin');
  fs.writeFileSync(truncated, fs.readFileSync(file).subarray(0, 50_000));
  assert.equal(await readIndexCacheInParallel(truncated, ['quotes'], 1_000), undefined);
  assert.equal(await readIndexCacheInParallel(path.join(root, 'absent.bin')), undefined);
  assert.equal(await readIndexCacheInParallel(root), undefined, 'a folder is not a cache');
});

test('cache files: written into a folder made when missing, replaced whole, and a write that cannot happen says why and leaves nothing', () => {
  const root = tempWorkspace({ 'in-the-way': 'a file where a folder should be' });
  const file = path.join(root, 'new', 'deeper', 'cache.bin');
  assert.equal(writeCacheFile(file, 'first', 'the test cache'), undefined);
  assert.equal(fs.readFileSync(file, 'utf8'), 'first');

  // Staged: not in place until committed; the file it replaces is gone once the process is done (Node's loop waits).
  const staged = stageCacheFile(file, 'second', 'the test cache');
  assert.ok('staged' in staged);
  assert.equal(fs.readFileSync(file, 'utf8'), 'first');
  assert.equal(commitCacheFile(staged, 'the test cache'), undefined);
  assert.equal(fs.readFileSync(file, 'utf8'), 'second');
  const discarded = stageCacheFile(file, 'third', 'the test cache');
  assert.ok('staged' in discarded);
  discardCacheFile(discarded);
  assert.equal(fs.readFileSync(file, 'utf8'), 'second');

  // Parts are written one after another, as one file (empty parts and views into larger buffers too).
  const large = Buffer.from('..fourth..');
  assert.equal(writeCacheFile(file, [Buffer.from('a'), new Uint8Array(0), large.subarray(2, 8), Buffer.alloc(70_000, 'z')], 'the test cache'), undefined);
  assert.equal(fs.readFileSync(file, 'utf8'), `afourth${'z'.repeat(70_000)}`);
  assert.equal(writeCacheFile(path.join(root, 'new', 'parts', 'cache.bin'), [Buffer.from('made '), Buffer.from('the folder')], 'the test cache'), undefined);
  assert.equal(fs.readFileSync(path.join(root, 'new', 'parts', 'cache.bin'), 'utf8'), 'made the folder');

  const blocked = path.join(root, 'in-the-way', 'cache.bin');
  assert.match(writeCacheFile(blocked, 'x', 'the test cache') ?? '', /could not write the test cache .*in-the-way/);
  assert.match(writeCacheFile(blocked, [Buffer.from('x')], 'the test cache') ?? '', /could not write the test cache .*in-the-way/);
  assert.deepEqual(fs.readdirSync(root).sort(), ['in-the-way', 'new']);
  assert.deepEqual(fs.readdirSync(path.join(root, 'new', 'deeper')).filter((name) => !name.endsWith('.old')), ['cache.bin']);
  assert.deepEqual(fs.readdirSync(path.join(root, 'new', 'parts')).filter((name) => !name.endsWith('.old')), ['cache.bin']);
});
