/**
 * The claims passage index kept per source: after any change it answers
 * exactly like an index built from scratch, re-indexes only the sources that
 * changed, and restores from the persisted cache without splitting or
 * stemming an unchanged source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Corpus } from '../../server/src/engine/corpus';
import { createEngine, type Engine } from '../../server/src/engine/index';
import { decodeCache, encodeCache } from '../../server/src/engine/index-cache';
import { PassageIndex, passageIndexOf, passagesCacheProduct, passageWork, PASSAGES_SECTION, preparePassages } from '../../server/src/engine/claims/passages';
import { bbcNewsArticles } from '../helpers/corpus';

const SOURCES: Record<string, string> = {
  'sources/orchard.txt': `Orchard harvest best in a decade

Growers in the valley picked more apples this autumn than in any year since 2014. Prices at the market fell by a fifth.

The cooperative hired forty seasonal pickers and opened a second cold store near the station.
`,
  'sources/ferry.md': `---
id: ferry-strike
title: Ferry crews walk out
---

Ferry crews stopped work on Monday over rotas. The company offered talks on Thursday.

Passengers were told to expect delays all week, and the island school closed early.
`,
  'sources/museum.txt': `Museum roof appeal passes its target

The appeal for the museum roof raised 310,000 pounds in six weeks. The director thanked the donors.
`,
  'sources/council.txt': `Council votes on bus lanes

Councillors approved two new bus lanes on the ring road by nine votes to four. Shopkeepers warned that deliveries would suffer.
`,
};

const QUERIES = [
  'Growers picked more apples than in any year since 2014.',
  'The ferry company offered talks on Thursday.',
  'The roof appeal raised 310,000 pounds in six weeks.',
  'Councillors approved new bus lanes on the ring road.',
  'The cooperative opened a second cold store.',
  'The island school closed early because of the strike.',
  'A lighthouse keeper counted seals on the rocks.',
];

function corpusOf(files: Record<string, string>): Corpus {
  const corpus = new Corpus();
  for (const [file, text] of Object.entries(files)) corpus.set(`file:///ws/${file}`, file, text);
  return corpus;
}

function answers(index: PassageIndex, queries = QUERIES) {
  return queries.map((query) => index.search(query, 0, query.length, 3));
}

test('passages: after a source changes, is removed or is added, the index answers like one built from scratch and re-indexes only that source', () => {
  const corpus = corpusOf(SOURCES);
  const before = answers(passageIndexOf(corpus));
  assert.deepEqual(before, answers(PassageIndex.build(corpus)));
  const lighthouse = QUERIES.length - 1;
  assert.deepEqual(before[lighthouse], [], 'no source has the lighthouse yet');

  // A changed source: its new sentence is found, and it is the only source indexed again.
  const made = passageWork.made;
  corpus.set('file:///ws/sources/museum.txt', 'sources/museum.txt', `${SOURCES['sources/museum.txt']}\nA lighthouse keeper counted seals on the rocks near the museum.\n`);
  const changed = answers(passageIndexOf(corpus));
  assert.equal(passageWork.made - made, 1);
  assert.equal(changed[lighthouse][0]?.passage.sourceId, 'museum');
  assert.ok(changed[lighthouse][0].similarity > 0.9);
  assert.deepEqual(changed, answers(PassageIndex.build(corpus)));

  // A removed source: its passages are gone, and the idf of every term moves with the passage count.
  corpus.delete('file:///ws/sources/ferry.md');
  const removed = answers(passageIndexOf(corpus));
  assert.ok(removed[1].every((hit) => hit.passage.sourceId !== 'ferry-strike'));
  assert.deepEqual(removed, answers(PassageIndex.build(corpus)));

  // An added source with words no source had: the only one indexed.
  corpus.set('file:///ws/sources/harbour.txt', 'sources/harbour.txt', 'Harbour dredging\n\nThe harbour board paid for dredging the channel so larger trawlers could land.\n');
  const query = ['The harbour board paid for dredging the channel.'];
  const addedMade = passageWork.made;
  const added = answers(passageIndexOf(corpus), [...QUERIES, ...query]);
  assert.equal(passageWork.made - addedMade, 1);
  assert.equal(added[QUERIES.length][0]?.passage.sourceId, 'harbour');
  assert.deepEqual(added, answers(PassageIndex.build(corpus), [...QUERIES, ...query]));
});

test('passages: a cold build spread over short steps (preparePassages) makes each source once and answers like one built from scratch, also when a source changes between steps', () => {
  const corpus = corpusOf(SOURCES);
  const made = passageWork.made;
  const merged = passageWork.merged;
  for (let step = 1; step <= 3; step++) {
    preparePassages(corpus, 1);
    assert.equal(passageWork.made - made, step, 'one source a step');
    assert.equal(passageWork.merged - merged, 0, 'no index before every source has its passages');
  }
  preparePassages(corpus, 1);
  assert.equal(passageWork.merged - merged, 1, 'the step that makes the last source makes the index');
  const stepwise = answers(passageIndexOf(corpus));
  assert.equal(passageWork.made - made, 4, 'asking for the index made nothing again');
  assert.deepEqual(stepwise, answers(PassageIndex.build(corpus)));

  const changing = corpusOf(SOURCES);
  preparePassages(changing, 2);
  changing.set('file:///ws/sources/orchard.txt', 'sources/orchard.txt', `${SOURCES['sources/orchard.txt']}\nA lighthouse keeper counted seals on the rocks.\n`);
  for (let step = 0; step < 4; step++) preparePassages(changing, 2);
  assert.deepEqual(answers(passageIndexOf(changing)), answers(PassageIndex.build(changing)));
});

test('passages: a restored section is used without splitting or stemming, a changed source is indexed again, bad bytes are refused', () => {
  const cold = corpusOf(SOURCES);
  const coldProduct = passagesCacheProduct(cold);
  const made = passageWork.made;
  assert.equal(coldProduct.dirty, false, 'nothing asked for passages (a thread without claim rules): nothing to write');
  assert.equal(passageWork.made, made, 'and asking that built nothing');
  const coldAnswers = answers(passageIndexOf(cold));
  assert.equal(coldProduct.dirty, true);
  const bytes = coldProduct.exportSection();
  assert.equal(coldProduct.dirty, false);

  const warm = new Corpus();
  const product = passagesCacheProduct(warm);
  assert.equal(product.importSection(bytes), Object.keys(SOURCES).length);
  for (const [file, text] of Object.entries(SOURCES)) warm.set(`file:///ws/${file}`, file, text);
  const { made: madeBefore, restored, merged } = passageWork;
  assert.deepEqual(answers(passageIndexOf(warm)), coldAnswers);
  assert.equal(passageWork.made - madeBefore, 0, 'nothing split or stemmed again');
  assert.equal(passageWork.merged - merged, 0, 'the postings written with the section are used as they are');
  assert.equal(passageWork.restored - restored, Object.keys(SOURCES).length);
  assert.equal(product.dirty, false, 'the cache already holds all of it');

  // A source edited since the cache was written is indexed again; the others are still restored.
  const edited = { ...SOURCES, 'sources/council.txt': SOURCES['sources/council.txt'].replace('nine votes to four', 'eleven votes to two') };
  const third = new Corpus();
  const thirdProduct = passagesCacheProduct(third);
  thirdProduct.importSection(bytes);
  for (const [file, text] of Object.entries(edited)) third.set(`file:///ws/${file}`, file, text);
  const before = { ...passageWork };
  const query = ['Councillors approved the bus lanes by eleven votes to two.'];
  const thirdAnswers = answers(passageIndexOf(third), [...QUERIES, ...query]);
  assert.equal(passageWork.made - before.made, 1);
  assert.equal(passageWork.merged - before.merged, 1, 'a changed source: the postings are merged again');
  assert.deepEqual(thirdAnswers, answers(PassageIndex.build(third), [...QUERIES, ...query]));
  assert.equal(thirdAnswers[QUERIES.length][0].passage.sourceId, 'council');
  assert.ok(thirdAnswers[QUERIES.length][0].similarity > 0.999, 'the new wording is what the index holds');
  assert.equal(thirdProduct.dirty, true, 'the edited source makes the section worth writing again');

  // Damaged or foreign bytes: nothing taken, the index is built as if cold.
  for (const bad of [Uint8Array.of(1, 2, 3), bytes.subarray(0, bytes.length >> 1), new Uint8Array(64)]) {
    const corpus = new Corpus();
    assert.equal(passagesCacheProduct(corpus).importSection(bad), 0);
    for (const [file, text] of Object.entries(SOURCES)) corpus.set(`file:///ws/${file}`, file, text);
    assert.deepEqual(answers(passageIndexOf(corpus)), coldAnswers);
  }
});

function engineWith(files: Record<string, string>, cache?: Uint8Array): Engine {
  const engine = createEngine();
  engine.setConfig(undefined, undefined);
  if (cache) assert.equal(engine.importIndexCache(cache), true);
  for (const [file, text] of Object.entries(files)) engine.setSource(`file:///ws/${file}`, file, text);
  return engine;
}

const PIECE = {
  uri: 'file:///ws/piece.md',
  text: `# Round-up

Growers in the valley picked more apples this autumn than in any year since 2014.

Councillors approved two new bus lanes on the ring road by nine votes to four.

The appeal for the museum roof raised 310,000 pounds in six weeks.
`,
};

test('passages: a warm engine from exported bytes gives the same claim/unsourced suggestions as a cold one', () => {
  const cold = engineWith(SOURCES);
  const coldFindings = cold.check(PIECE).filter((f) => f.ruleId === 'claim/unsourced');
  assert.equal(coldFindings.length, 3);
  assert.ok(coldFindings.every((f) => f.fixes?.length === 1), 'each claim has a supporting passage to cite');
  const bytes = cold.exportIndexCache()!;
  assert.ok(decodeCache(bytes)!.has(PASSAGES_SECTION));

  const made = passageWork.made;
  const warm = engineWith(SOURCES, bytes);
  assert.deepEqual(warm.check(PIECE).filter((f) => f.ruleId === 'claim/unsourced'), coldFindings);
  assert.equal(passageWork.made - made, 0);
  assert.equal(warm.exportIndexCache(true), undefined, 'nothing to write back');

  // Only the passages section restored (the quotation index rebuilt): the same findings again.
  const passagesOnly = encodeCache(new Map([[PASSAGES_SECTION, decodeCache(bytes)!.get(PASSAGES_SECTION)!]]));
  assert.deepEqual(engineWith(SOURCES, passagesOnly).check(PIECE).filter((f) => f.ruleId === 'claim/unsourced'), coldFindings);

  // A source whose text changed: the warm engine suggests from its new text, like a cold engine does.
  const moved = { ...SOURCES, 'sources/museum.txt': 'Museum news\n\nThe director thanked the donors.\n', 'sources/council.txt': `${SOURCES['sources/council.txt']}\nThe museum roof appeal raised 310,000 pounds in six weeks, the council said.\n` };
  const warmMoved = engineWith(moved, bytes).check(PIECE).filter((f) => f.ruleId === 'claim/unsourced');
  assert.deepEqual(warmMoved, engineWith(moved).check(PIECE).filter((f) => f.ruleId === 'claim/unsourced'));
  const roof = warmMoved.find((f) => PIECE.text.slice(f.span.start, f.span.end).includes('museum roof'))!;
  assert.equal(roof.fixes?.[0].title, 'Cite @council');
});

test('passages: on the BBC corpus, one changed article gives the answers of a from-scratch build, and a restore stems nothing', (t) => {
  const articles = bbcNewsArticles(t);
  if (!articles) return;
  const files: Record<string, string> = Object.fromEntries(articles.map((a) => [`sources/${a.path}`, a.text]));
  const names = Object.keys(files);
  // Claims made from sentences of the corpus, a few words dropped so they are not verbatim.
  const queries = names
    .filter((_, i) => i % 41 === 0)
    .map((name) => files[name].split(/(?<=\.)\s+/)[2] ?? '')
    .filter((sentence) => sentence.split(' ').length > 8)
    .map((sentence) => sentence.split(' ').filter((_, i) => i % 4 !== 1).join(' '));

  const corpus = corpusOf(files);
  corpus.searchIndex().build();
  let started = performance.now();
  passageIndexOf(corpus);
  const coldMs = performance.now() - started;

  const changed = names[names.length >> 1];
  corpus.set(`file:///ws/${changed}`, changed, `${files[changed]}\nA lighthouse keeper counted ninety grey seals on the skerries at dawn.\n`);
  corpus.searchIndex().build();
  started = performance.now();
  const updated = passageIndexOf(corpus);
  const updateMs = performance.now() - started;
  const seals = ['The keeper counted ninety grey seals on the skerries.'];
  const incremental = answers(updated, [...queries, ...seals]);
  assert.deepEqual(incremental, answers(PassageIndex.build(corpus), [...queries, ...seals]));
  assert.equal(corpus.sources().get(incremental[queries.length][0].passage.sourceId)?.path, changed);

  // Export, then restore into a corpus whose quotation index is restored too (as the engine does).
  const passageBytes = passagesCacheProduct(corpus).exportSection();
  const quoteBytes = corpus.exportIndex()!;
  const warm = new Corpus();
  warm.importIndex(quoteBytes);
  const product = passagesCacheProduct(warm);
  started = performance.now();
  product.importSection(passageBytes);
  const importMs = performance.now() - started;
  for (const name of names) warm.set(`file:///ws/${name}`, name, name === changed ? `${files[changed]}\nA lighthouse keeper counted ninety grey seals on the skerries at dawn.\n` : files[name]);
  warm.sources();
  const { made, merged } = passageWork;
  started = performance.now();
  const restored = passageIndexOf(warm);
  const restoreMs = performance.now() - started;
  assert.equal(passageWork.made - made, 0, 'no article split or stemmed on a warm start');
  assert.equal(passageWork.merged - merged, 0, 'nor merged');
  assert.deepEqual(answers(restored, [...queries, ...seals]), incremental);
  t.diagnostic(`${names.length} articles, ${updated.size} passages: cold build ${coldMs.toFixed(0)} ms, after one change ${updateMs.toFixed(1)} ms; section ${(passageBytes.length / 2 ** 20).toFixed(1)} MiB, import ${importMs.toFixed(1)} ms + adopt ${restoreMs.toFixed(1)} ms`);
});
