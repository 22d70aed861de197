/**
 * The sources' lower-case words as a corpus product of their own
 * (engine/source-words.ts): restored from the cache they answer exactly as
 * the quotation index does, without restoring that index, and only for the
 * very texts they were made from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Corpus } from '../../server/src/engine/corpus';
import { SOURCE_WORDS_SECTION, startsLowerCase } from '../../server/src/engine/source-words';
import { decodeCache, encodeCache, exportCacheProducts, importCacheProducts } from '../../server/src/engine/index-cache';

const SOURCES: Record<string, string> = {
  'sources/tolls.txt': 'Bridge tolls rise\n\nTolls on the bridge rose by 12% in 2023, the council said. Water bills rose too.\n',
  'sources/harbour.txt': 'Harbour repairs\n\nThe harbour master, Ada Quayle, said the quay would reopen in May. Élan and éclat, naïve café owners said.\n',
};

/** Words to ask: written in lower case by a source, only capitalised, in no source, and not starting in lower case at all. */
const ASKED = ['tolls', 'water', 'bills', 'harbour', 'quay', 'éclat', 'naïve', 'café', 'ada', 'quayle', 'bridge', 'élan', 'ferry', 'Tolls', '12', 'zzz', ''];

function corpusOf(sources: Record<string, string>, buildId = 'build-1'): Corpus {
  const corpus = new Corpus(buildId);
  for (const [file, text] of Object.entries(sources)) corpus.set(`file:///ws/${file}`, file, text);
  return corpus;
}

/** A corpus that restores `cache`, with the quotation index's section read only if something asks for it. */
function restored(cache: Uint8Array, sources: Record<string, string>, buildId = 'build-1'): { corpus: Corpus; quotationReads: () => number } {
  const corpus = new Corpus(buildId);
  const sections = decodeCache(cache)!;
  let reads = 0;
  corpus.quotationCache.importLater!(() => {
    reads++;
    return sections.get(corpus.quotationCache.section);
  });
  importCacheProducts(encodeCache(new Map([[SOURCE_WORDS_SECTION, sections.get(SOURCE_WORDS_SECTION)!]])), [corpus.wordsCache]);
  for (const [file, text] of Object.entries(sources)) corpus.set(`file:///ws/${file}`, file, text);
  return { corpus, quotationReads: () => reads };
}

const answers = (corpus: Corpus) => ASKED.map((word) => `${word}:${corpus.lowerCaseWords().has(word)}`);

function coldCache(sources = SOURCES): Uint8Array {
  const corpus = corpusOf(sources);
  return exportCacheProducts([corpus.quotationCache, corpus.wordsCache])!;
}

test('source words: the words a source writes in lower case, and no other', () => {
  const corpus = corpusOf(SOURCES);
  const yes = ASKED.filter((word) => corpus.lowerCaseWords().has(word));
  // "tolls" and "bridge" are written in lower case after their capitalised starts; "water", "ada" and "élan" only capitalised.
  assert.deepEqual(yes, ['tolls', 'bills', 'harbour', 'quay', 'éclat', 'naïve', 'café', 'bridge']);
  assert.equal(startsLowerCase('élan'), true);
  assert.equal(startsLowerCase('Élan'), false);
});

test('source words: restored for the same texts, they answer as the index does and the quotation index is never read', () => {
  const cold = corpusOf(SOURCES);
  const warm = restored(coldCache(), SOURCES);
  assert.deepEqual(answers(warm.corpus), answers(cold));
  assert.equal(warm.quotationReads(), 0);
  assert.equal(warm.corpus.wordsCache.dirty, false, 'nothing to write back');
});

test('source words: a changed, added or removed source sets the restored list aside, and the index answers for the new texts', () => {
  const cache = coldCache();
  const edited = { ...SOURCES, 'sources/tolls.txt': SOURCES['sources/tolls.txt'].replace('Water bills', 'Gas prices') };
  const warm = restored(cache, edited);
  assert.equal(warm.corpus.lowerCaseWords().has('bills'), false, 'the old text wrote "bills"; the new one does not');
  assert.equal(warm.corpus.lowerCaseWords().has('prices'), true);
  assert.equal(warm.quotationReads(), 1);
  assert.deepEqual(answers(warm.corpus), answers(corpusOf(edited)));
  assert.equal(warm.corpus.wordsCache.dirty, true);

  const fewer = restored(cache, { 'sources/harbour.txt': SOURCES['sources/harbour.txt'] });
  assert.equal(fewer.corpus.lowerCaseWords().has('tolls'), false, 'the source that wrote it is gone');

  // Within one corpus: a source set after the first answer gives a new object with the new answers.
  const live = restored(cache, SOURCES).corpus;
  const before = live.lowerCaseWords();
  assert.equal(before.has('ferry'), false);
  live.set('file:///ws/sources/ferry.txt', 'sources/ferry.txt', 'Ferry news\n\nThe ferry sails.\n');
  assert.notEqual(live.lowerCaseWords(), before, 'a new generation, a new object (claim names start a new epoch on it)');
  assert.equal(live.lowerCaseWords().has('ferry'), true);
});

test('source words: an export after a change writes the list the next run restores', () => {
  const edited = { ...SOURCES, 'sources/ferry.txt': 'Ferry news\n\nThe ferry sails at dawn.\n' };
  const first = restored(coldCache(), edited).corpus;
  const written = exportCacheProducts([first.quotationCache, first.wordsCache], true)!;
  assert.ok(decodeCache(written)!.has(SOURCE_WORDS_SECTION));
  assert.equal(first.wordsCache.dirty, false);
  const next = restored(written, edited);
  assert.deepEqual(answers(next.corpus), answers(corpusOf(edited)));
  assert.equal(next.corpus.lowerCaseWords().has('dawn'), true);
  assert.equal(next.quotationReads(), 0);
});

test('source words: another build\'s or a damaged section is refused, and the index answers', () => {
  const cache = coldCache();
  const other = restored(cache, SOURCES, 'build-2');
  assert.deepEqual(answers(other.corpus), answers(corpusOf(SOURCES)));
  assert.equal(other.quotationReads(), 1, 'the list is the tokenizer\'s: another build\'s may differ');
  for (const bytes of ['{"format":1,"build":"build-1","sources":7,"words":"a"}', 'not json', '{"format":99,"build":"build-1","sources":"x","words":""}']) {
    const corpus = new Corpus('build-1');
    const taken = importCacheProducts(encodeCache(new Map([[SOURCE_WORDS_SECTION, new TextEncoder().encode(bytes)]])), [corpus.wordsCache]);
    assert.equal(taken.get(SOURCE_WORDS_SECTION), 0, bytes);
  }
});
