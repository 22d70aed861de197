/**
 * Persisted quotation verdicts (engine/quotes/verdict-cache.ts): a verdict
 * kept from an earlier run is used only for the same build and the same
 * sources (ids, texts and order), is the verdict matching would give, and a
 * damaged entry costs that entry only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Corpus } from '../../server/src/engine/corpus';
import { VerdictCache } from '../../server/src/engine/quotes/verdict-cache';
import { ByteReader, ByteWriter } from '../../server/src/engine/index-cache';

const SOURCES: Array<[string, string]> = [
  ['quay.txt', 'The harbour master said the quay would reopen in May after the storm repairs, weeks later than planned.\n'],
  ['tolls.txt', 'Tolls on the bridge rose by 12% in 2023, the council said, and will rise again next spring.\n'],
  ['ferry.txt', 'The ferry company said it would add a second boat on the island route from March.\n'],
];
const QUOTATIONS: Array<[string, string[]]> = [
  ['the quay would reopen in May', ['quay']], // verbatim
  ['the quay would reopen in June', ['quay']], // near miss
  ['tolls will rise again next spring', []], // near miss, no citation
  ['words that appear in no source at all', []], // none
];

function corpusOf(sources: Array<[string, string]>): Corpus {
  const corpus = new Corpus();
  for (const [name, text] of sources) corpus.set(`file:///w/sources/${name}`, `sources/${name}`, text);
  return corpus;
}

function verdictsOf(cache: VerdictCache): unknown[] {
  return QUOTATIONS.map(([text, prefer]) => cache.get(text, prefer));
}

test('verdict-cache: verdicts kept by a run of the same build over the same sources are used as they are', () => {
  const first = new VerdictCache(corpusOf(SOURCES), 'build-1');
  const expected = verdictsOf(first);
  assert.equal(first.stats.matched, QUOTATIONS.length);
  assert.ok(first.dirty);
  const bytes = first.exportSection();
  assert.equal(first.dirty, false, 'written: nothing new to write');

  const second = new VerdictCache(corpusOf(SOURCES), 'build-1');
  assert.equal(second.importSection(bytes), QUOTATIONS.length);
  assert.deepEqual(verdictsOf(second), expected);
  assert.deepEqual(second.stats, { matched: 0, kept: QUOTATIONS.length });
  assert.equal(second.dirty, false, 'only kept verdicts: the file need not be written again');
  // A new quotation is matched, and the export holds it with the kept ones (those used first).
  second.get('a second boat on the island route', ['ferry']);
  assert.equal(second.stats.matched, 1);
  assert.ok(second.dirty);
  const third = new VerdictCache(corpusOf(SOURCES), 'build-1');
  assert.equal(third.importSection(second.exportSection()), QUOTATIONS.length + 1);
});

test('verdict-cache: another build, changed or reordered sources, or no build id: nothing is kept', () => {
  const first = new VerdictCache(corpusOf(SOURCES), 'build-1');
  verdictsOf(first);
  const bytes = first.exportSection();
  const fresh = (cache: VerdictCache) => {
    cache.importSection(bytes);
    verdictsOf(cache);
    return cache.stats;
  };
  assert.deepEqual(fresh(new VerdictCache(corpusOf(SOURCES), 'build-2')), { matched: QUOTATIONS.length, kept: 0 });
  const changed: Array<[string, string]> = SOURCES.map(([name, text]) => [name, text.replace('May', 'June')]);
  const afterChange = new VerdictCache(corpusOf(changed), 'build-1');
  assert.deepEqual(fresh(afterChange), { matched: QUOTATIONS.length, kept: 0 });
  assert.equal(afterChange.get('the quay would reopen in June', ['quay']).verdict, 'verbatim', 'the source now says June');
  assert.deepEqual(fresh(new VerdictCache(corpusOf([...SOURCES].reverse()), 'build-1')), { matched: QUOTATIONS.length, kept: 0 });
  const noBuild = new VerdictCache(corpusOf(SOURCES));
  assert.equal(noBuild.importSection(bytes), 0);
  verdictsOf(noBuild);
  assert.equal(noBuild.dirty, false, 'without a build id nothing is ever written');
});

test('verdict-cache: a source set after the import, and a damaged entry, cost only what they touch', () => {
  const first = new VerdictCache(corpusOf(SOURCES), 'build-1');
  const expected = verdictsOf(first);
  const reader = new ByteReader(first.exportSection());
  const header = reader.json<{ keys: string[] }>();
  const lines = reader.string().split('\n');
  const damaged = header.keys.indexOf(['quay', 'the quay would reopen in June'].join('\u0000'));
  assert.ok(damaged >= 0);
  lines[damaged] = '{"verdict": "nonsense"';
  const out = new ByteWriter();
  out.json(header);
  out.string(lines.join('\n'));

  // As a load does it: import first, then set the sources one by one.
  const corpus = new Corpus();
  const second = new VerdictCache(corpus, 'build-1');
  assert.equal(second.importSection(out.finish()), QUOTATIONS.length);
  for (const [name, text] of SOURCES) corpus.set(`file:///w/sources/${name}`, `sources/${name}`, text);
  assert.deepEqual(verdictsOf(second), expected);
  assert.deepEqual(second.stats, { matched: 1, kept: QUOTATIONS.length - 1 });

  assert.equal(new VerdictCache(corpusOf(SOURCES), 'build-1').importSection(new Uint8Array([1, 2, 3])), 0, 'bytes that are not a section');
});
