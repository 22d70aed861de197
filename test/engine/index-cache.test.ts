/**
 * The persisted index cache: a restored index answers exactly like a freshly
 * built one, reuses only sources whose text is unchanged, and refuses bytes
 * it cannot trust.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Corpus } from '../../server/src/engine/corpus';
import { matchQuotation } from '../../server/src/engine/quotes';
import { bytesKey, bytesKeyOfParts, contentKey, contentKeyOf, KeyHash, decodeCache, encodeCache, encodeCacheParts, sourceHashWork, ByteReader, ByteWriter, type CacheProduct, type SectionBytes } from '../../server/src/engine/index-cache';
import { createEngine } from '../../server/src/engine/index';
import { bbcNewsArticles } from '../helpers/corpus';

const SOURCES: Record<string, string> = {
  'sources/orchard.txt': `Orchard harvest best in a decade

Growers in the valley picked more apples this autumn than in any year since 2014. "The trees had rain when they needed it and sun when it mattered," one grower said. Prices at the market fell by a fifth.
`,
  'sources/ferry.md': `---
id: ferry-strike
title: Ferry crews walk out
---

Ferry crews stopped work on Monday over rotas. The company called the strike "regrettable and avoidable" and offered talks on Thursday. Passengers were told to expect delays all week.
`,
  'sources/museum.txt': `Museum roof appeal passes its target

The appeal for the museum roof raised 310,000 in six weeks. "Every slate was paid for by someone who loves this building," the director said.
`,
};

const QUOTES = [
  'The trees had rain when they needed it and sun when it mattered',
  'regrettable and avoidable',
  'Every slate was paid for by someone who loves this building',
  'The trees had snow when they needed it and sun when it mattered',
  'Every slate … loves this building',
  'a sentence that none of the sources has ever contained',
];

function corpusOf(files: Record<string, string>, snapshot?: Uint8Array, buildId?: string): { corpus: Corpus; restored: boolean } {
  const corpus = new Corpus(buildId);
  const restored = snapshot ? corpus.importIndex(snapshot) : false;
  for (const [file, text] of Object.entries(files)) corpus.set(`file:///ws/${file}`, file, text);
  return { corpus, restored };
}

function verdicts(corpus: Corpus, quotes = QUOTES) {
  return quotes.map((quote) => {
    const result = matchQuotation(corpus.searchIndex(), quote);
    return { verdict: result.verdict, sources: result.exactSourceIds, best: result.best?.sourceId, passage: result.best?.passage, words: result.best?.sourceWords };
  });
}

test('index cache: a restored index gives the same answers and indexes nothing again', () => {
  const cold = corpusOf(SOURCES).corpus;
  const expected = verdicts(cold);
  assert.equal(expected[0].verdict, 'verbatim');
  assert.equal(expected[3].verdict, 'near');
  const bytes = cold.exportIndex()!;

  const warm = corpusOf(SOURCES, bytes);
  assert.equal(warm.restored, true);
  assert.deepEqual(verdicts(warm.corpus), expected);
  assert.equal(warm.corpus.exportIndex(true), undefined, 'every source was adopted: nothing to write back');
});

test('index cache: a section stamped with a build is read only by that build, which adopts sources by text and kind', () => {
  const stamped = corpusOf(SOURCES, undefined, 'build-a').corpus;
  const expected = verdicts(corpusOf(SOURCES).corpus);
  assert.deepEqual(verdicts(stamped), expected);
  const bytes = stamped.exportIndex()!;

  const same = corpusOf(SOURCES, bytes, 'build-a');
  assert.equal(same.restored, true);
  assert.deepEqual(verdicts(same.corpus), expected);
  assert.equal(same.corpus.exportIndex(true), undefined, 'every source was adopted');
  for (const other of [corpusOf(SOURCES, bytes, 'build-b'), corpusOf(SOURCES, bytes)]) {
    assert.equal(other.restored, false, 'another build, or the tokenizer fingerprint, never reads it');
    assert.deepEqual(verdicts(other.corpus), expected);
  }
  assert.equal(corpusOf(SOURCES, corpusOf(SOURCES).corpus.exportIndex()!, 'build-a').restored, false, 'a build never reads a fingerprinted section');

  // The same text under a .txt name is read as plain text, a link's address included: not adopted.
  const notes = '# Harbour notes\n\nThe harbour master said the [new breakwater](https://example.org/breakwater) will hold for a century.\n';
  const linkQuotes = ['the new breakwater will hold for a century'];
  const asMarkdown = corpusOf({ 'sources/notes.md': notes }, undefined, 'build-a').corpus;
  assert.equal(verdicts(asMarkdown, linkQuotes)[0].verdict, 'verbatim');
  const renamed = { 'sources/notes.txt': notes };
  const moved = corpusOf(renamed, asMarkdown.exportIndex()!, 'build-a');
  assert.equal(moved.restored, true);
  assert.deepEqual(verdicts(moved.corpus, linkQuotes), verdicts(corpusOf(renamed).corpus, linkQuotes));
  assert.notEqual(verdicts(moved.corpus, linkQuotes)[0].verdict, 'verbatim');
  assert.ok(moved.corpus.exportIndex(true), 'the renamed source was indexed again');
});

test('index cache: a changed source is indexed again, a removed one is gone, a new one is added', () => {
  const bytes = corpusOf(SOURCES).corpus.exportIndex()!;
  const edited = {
    'sources/orchard.txt': SOURCES['sources/orchard.txt'].replace('when it mattered', 'when it counted'),
    'sources/ferry.md': SOURCES['sources/ferry.md'],
    'sources/bakery.txt': 'Bakery wins award\n\nThe bakery on the square won a national prize for its rye bread. "We bake it the slow way," the owner said.\n',
  };
  const warm = corpusOf(edited, bytes);
  assert.equal(warm.restored, true);
  const quotes = [...QUOTES, 'The trees had rain when they needed it and sun when it counted', 'We bake it the slow way'];
  assert.deepEqual(verdicts(warm.corpus, quotes), verdicts(corpusOf(edited).corpus, quotes));
  const [orchardOld, , museum] = verdicts(warm.corpus);
  assert.notEqual(orchardOld.verdict, 'verbatim', 'the old orchard text is not in the index any more');
  assert.equal(museum.verdict, 'none', 'the museum source was removed');
  assert.ok(warm.corpus.exportIndex(true), 'the index changed: the cache should be written back');
});

test('index cache: bytes from elsewhere, truncated or damaged are refused and the index still works', () => {
  const bytes = corpusOf(SOURCES).corpus.exportIndex()!;
  const truncated = bytes.subarray(0, Math.floor(bytes.length / 2));
  const otherFormat = bytes.slice();
  const header = new TextDecoder().decode(otherFormat.subarray(0, 400));
  const at = header.indexOf('"format":');
  assert.ok(at > 0, header);
  assert.notEqual(header[at + '"format":'.length], '7');
  otherFormat[at + '"format":'.length] = '7'.charCodeAt(0);
  for (const bad of [truncated, otherFormat, new Uint8Array(16), new TextEncoder().encode('not a cache at all')]) {
    const { corpus, restored } = corpusOf(SOURCES, bad);
    assert.equal(restored, false);
    assert.deepEqual(verdicts(corpus), verdicts(corpusOf(SOURCES).corpus));
  }
});

test('index cache: container and typed sections round-trip; content keys tell texts apart', () => {
  const writer = new ByteWriter();
  writer.json({ a: 1 });
  writer.array(Uint32Array.of(1, 2, 3));
  writer.string('é');
  writer.array(Int32Array.of(-5));
  const packed = encodeCache(new Map([['one', writer.finish()], ['two', Uint8Array.of(9, 8, 7)]]));
  const sections = decodeCache(packed.slice())!;
  assert.deepEqual([...sections.keys()], ['one', 'two']);
  const reader = new ByteReader(sections.get('one')!);
  assert.deepEqual(reader.json(), { a: 1 });
  assert.deepEqual([...reader.uint32()], [1, 2, 3]);
  assert.equal(reader.string(), 'é');
  assert.deepEqual([...reader.int32()], [-5]);
  assert.deepEqual([...sections.get('two')!], [9, 8, 7]);
  assert.equal(decodeCache(packed.subarray(0, packed.length - 6)), undefined, 'cut into the last section');

  // As parts: the same bytes, the sections' own among the frames (not copied), whatever their lengths and names.
  for (const lengths of [[], [0], [3, 13, 8], [1, 0, 7, 16]]) {
    const input = new Map(lengths.map((length, i) => [`s${'é'.repeat(i)}${i}`, Uint8Array.from({ length }, (_, k) => k + i)]));
    const parts = encodeCacheParts(input);
    assert.deepEqual(Buffer.concat(parts), Buffer.from(encodeCache(input)));
    for (const bytes of input.values()) if (bytes.length) assert.ok(parts.includes(bytes), 'a section is a part of its own');
    assert.deepEqual([...decodeCache(new Uint8Array(Buffer.concat(parts)))!], [...input]);
  }

  // A section given as parts is packed as its joined bytes would be, each part among the others as it is.
  const sectionParts = [Uint8Array.of(1, 2), Uint8Array.of(), Uint8Array.of(3, 4, 5)];
  const fromParts = encodeCacheParts(new Map<string, SectionBytes>([['p', sectionParts], ['q', Uint8Array.of(6)]]));
  assert.deepEqual(Buffer.concat(fromParts), Buffer.from(encodeCache(new Map([['p', Uint8Array.of(1, 2, 3, 4, 5)], ['q', Uint8Array.of(6)]]))));
  assert.ok(fromParts.includes(sectionParts[2]));
  // A field written from parts reads back as the joined field, and finishParts is finish unjoined.
  const partsWriter = new ByteWriter();
  partsWriter.json({ b: 2 });
  partsWriter.byteParts([Uint8Array.of(7), Uint8Array.of(8, 9)]);
  partsWriter.string('end');
  assert.deepEqual(Buffer.concat(partsWriter.finishParts()), Buffer.from(partsWriter.finish()));
  const partsReader = new ByteReader(partsWriter.finish());
  assert.deepEqual(partsReader.json(), { b: 2 });
  assert.deepEqual([...partsReader.bytes()], [7, 8, 9]);
  assert.equal(partsReader.string(), 'end');

  assert.equal(contentKey('same text'), contentKey('same text'));
  assert.notEqual(contentKey('same text'), contentKey('same texT'));
  assert.notEqual(contentKey('ab'), contentKey('ba'));
  assert.match(contentKey(''), /^[0-9a-f]{16}$/);
  // A range hashed in place is the same key as its slice, for every range of a text with odd and even lengths and an
  // astral character; and the hex digits are the hash's (the known key of one text, from before the table was used).
  const text = 'Lavrov 😀 said, "Tolls rose."\n\nMr Straw';
  for (let from = 0; from <= text.length; from++) for (let to = from; to <= text.length; to++) assert.equal(contentKeyOf(text, from, to), contentKey(text.slice(from, to)), `${from}-${to}`);
  assert.equal(contentKey('same text'), '5e73779dc8bd0812');
});

test('index cache: through the engine façade, findings are identical cold and warm', () => {
  const piece = { uri: 'file:///ws/p.md', text: 'A grower said "the trees had rain when they needed it and sun when it mattered" [@orchard]. The company called it "regrettable and unavoidable" [@ferry-strike].\n' };
  const load = (engine: ReturnType<typeof createEngine>) => {
    engine.setConfig(undefined, undefined);
    for (const [file, text] of Object.entries(SOURCES)) engine.setSource(`file:///ws/${file}`, file, text);
  };
  const cold = createEngine();
  load(cold);
  const expected = cold.check(piece);
  const warm = createEngine();
  assert.equal(warm.importIndexCache(cold.exportIndexCache()!), true);
  load(warm);
  assert.deepEqual(warm.check(piece), expected);
  assert.equal(warm.exportIndexCache(true), undefined);
});

test('index cache: a source set with its file\'s key is never hashed, and its entries serve only that key', () => {
  const piece = { uri: 'file:///ws/p.md', text: 'A grower said "the trees had rain when they needed it and sun when it mattered" [@orchard]. The company called it "regrettable and unavoidable" [@ferry-strike].\n' };
  const keyOf = (file: string) => `bytes-of-${file}`;
  const load = (engine: ReturnType<typeof createEngine>, keyed: boolean) => {
    engine.setConfig(undefined, undefined);
    for (const [file, text] of Object.entries(SOURCES)) engine.setSource(`file:///ws/${file}`, file, text, keyed ? keyOf(file) : undefined);
  };
  const ready = (engine: ReturnType<typeof createEngine>) => {
    for (const step of engine.prepare()) step();
    return engine.check(piece);
  };
  const hashed = () => sourceHashWork.textsHashed;

  let before = hashed();
  const cold = createEngine({ buildId: 'keys' });
  load(cold, true);
  const expected = ready(cold);
  assert.equal(hashed() - before, 0, 'every product keyed the sources by the given keys');
  const bytes = cold.exportIndexCache()!;

  // Same texts, same keys: every product is restored, nothing hashed.
  before = hashed();
  const warm = createEngine({ buildId: 'keys' });
  assert.equal(warm.importIndexCache(bytes), true);
  load(warm, true);
  assert.deepEqual(ready(warm), expected);
  assert.equal(warm.exportIndexCache(true), undefined, 'nothing was rebuilt');
  assert.equal(hashed() - before, 0);

  // Same texts without keys: the engine hashes them itself, and its keys never equal a given one,
  // so the entries made under the given keys are not taken (rebuilt, with the same answers).
  before = hashed();
  const unkeyed = createEngine({ buildId: 'keys' });
  unkeyed.importIndexCache(bytes);
  load(unkeyed, false);
  assert.deepEqual(ready(unkeyed), expected);
  assert.equal(hashed() - before, Object.keys(SOURCES).length);
  assert.notEqual(unkeyed.exportIndexCache(true), undefined, 'rebuilt under its own keys');

  // A source given another key (its file changed) is made again; the others are still taken.
  const changed = createEngine({ buildId: 'keys' });
  changed.importIndexCache(bytes);
  changed.setConfig(undefined, undefined);
  const edited = { ...SOURCES, 'sources/museum.txt': SOURCES['sources/museum.txt'].replace('310,000', '320,000') };
  for (const [file, text] of Object.entries(edited)) changed.setSource(`file:///ws/${file}`, file, text, file === 'sources/museum.txt' ? 'bytes-of-the-edited-museum' : keyOf(file));
  for (const step of changed.prepare()) step();
  const quoting = (amount: string) => ({ uri: 'file:///ws/q.md', text: `The appeal "raised ${amount} in six weeks" [@museum].\n` });
  const quoteRules = (findings: ReturnType<typeof changed.check>) => findings.map((f) => f.ruleId).filter((id) => id.startsWith('quote/'));
  assert.deepEqual(quoteRules(changed.check(quoting('320,000'))), [], 'the edited text is what the index holds');
  assert.deepEqual(quoteRules(changed.check(quoting('310,000'))), ['quote/misquote']);
  assert.notEqual(changed.exportIndexCache(true), undefined);
});

test('index cache: the BBC corpus restores in full and answers like a cold index', (t) => {
  const articles = bbcNewsArticles(t);
  if (!articles) return;
  const files: Record<string, string> = Object.fromEntries(articles.map((a) => [`sources/${a.path}`, a.text]));
  const started = performance.now();
  const cold = corpusOf(files).corpus;
  const bytes = cold.exportIndex()!;
  const coldMs = performance.now() - started;
  const restoredAt = performance.now();
  const warm = corpusOf(files, bytes);
  warm.corpus.searchIndex().build();
  const warmMs = performance.now() - restoredAt;
  assert.equal(warm.restored, true);
  assert.equal(warm.corpus.exportIndex(true), undefined, 'all 2,095 sources adopted');
  const sample = Object.values(files)
    .filter((_, i) => i % 97 === 0)
    .map((text) => text.split(/\s+/).slice(40, 52).join(' '));
  assert.deepEqual(verdicts(warm.corpus, sample), verdicts(cold, sample));
  t.diagnostic(`cold build + export ${coldMs.toFixed(0)} ms, warm restore ${warmMs.toFixed(0)} ms, ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);
});

/** A product that remembers one number per source text, as a real product keys its entries by contentKey. */
class FakeProduct implements CacheProduct {
  readonly section = 'fake';
  held = new Map<string, number>();
  taken = 0;
  dirty = true;
  constructor(private readonly texts: () => string[]) {}
  exportSection(): Uint8Array {
    this.dirty = false;
    const writer = new ByteWriter();
    writer.json(this.texts().map((text) => [contentKey(text), text.length]));
    return writer.finish();
  }
  importSection(bytes: Uint8Array): number {
    try {
      const entries = new ByteReader(bytes).json<[string, number][]>();
      if (!Array.isArray(entries)) return 0;
      this.held = new Map(entries);
      this.dirty = false;
      return (this.taken = entries.length);
    } catch {
      return 0;
    }
  }
}

test('index cache: every registered product round-trips through the engine façade, a broken section spoils only its own', () => {
  const texts = () => Object.values(SOURCES);
  const load = (engine: ReturnType<typeof createEngine>) => {
    engine.setConfig(undefined, undefined);
    for (const [file, text] of Object.entries(SOURCES)) engine.setSource(`file:///ws/${file}`, file, text);
  };
  const coldFake = new FakeProduct(texts);
  const cold = createEngine({ cacheProducts: [coldFake] });
  load(cold);
  const bytes = cold.exportIndexCache()!;
  assert.equal(coldFake.dirty, false);
  assert.equal(cold.exportIndexCache(true), undefined, 'nothing changed since the export');
  const names = [...decodeCache(bytes)!.keys()];
  for (const name of ['fake', 'quotes']) assert.ok(names.includes(name), `section ${name} in ${names.join(', ')}`);

  const warmFake = new FakeProduct(texts);
  const warm = createEngine({ cacheProducts: [warmFake] });
  assert.equal(warm.importIndexCache(bytes), true);
  assert.equal(warmFake.taken, 3);
  assert.deepEqual([...warmFake.held.keys()].sort(), texts().map(contentKey).sort());
  load(warm);
  assert.equal(warm.exportIndexCache(true), undefined, 'both products reused everything');

  // The fake section damaged: the fake product takes nothing, the quotation index still restores.
  const sections = decodeCache(bytes)!;
  const damaged = encodeCache(new Map([...sections].map(([name, section]) => [name, name === 'fake' ? Uint8Array.of(1, 2, 3) : section])));
  const thirdFake = new FakeProduct(texts);
  const third = createEngine({ cacheProducts: [thirdFake] });
  assert.equal(third.importIndexCache(damaged), true, 'the quotation section was taken');
  assert.equal(thirdFake.taken, 0);
  assert.equal(thirdFake.held.size, 0);
  load(third);
  const written = third.exportIndexCache(true);
  assert.ok(written, 'the fake product is dirty: the cache is written again');
  assert.deepEqual(new ByteReader(decodeCache(written)!.get('fake')!).json(), new ByteReader(sections.get('fake')!).json());

  // The quotation section damaged: the fake product still takes its entries, the index is rebuilt.
  const quotesDamaged = encodeCache(new Map([...sections].map(([name, section]) => [name, name === 'quotes' ? section.subarray(0, 40) : section])));
  const fourthFake = new FakeProduct(texts);
  const fourth = createEngine({ cacheProducts: [fourthFake] });
  assert.equal(fourth.importIndexCache(quotesDamaged), true);
  assert.equal(fourthFake.taken, 3);
  load(fourth);
  assert.ok(fourth.exportIndexCache(true), 'the quotation index was rebuilt: written again');
  const piece = { uri: 'file:///ws/p.md', text: 'A grower said "the trees had rain when they needed it and sun when it mattered" [@orchard].\n' };
  assert.deepEqual(fourth.check(piece), cold.check(piece));
});

test('index cache: a restored index that learns new words leaves the cache bytes untouched for the next reader', () => {
  const bytes = corpusOf(SOURCES).corpus.exportIndex()!;
  const pristine = bytes.slice();
  // New words in a changed source grow the restored vocabulary and its hash table.
  const edited = { ...SOURCES, 'sources/museum.txt': 'Museum roof appeal\n\nZanzibar quokkas juggled xylophones beside the gallery, "a spectacle nobody expected" said the curator.\n' };
  const first = corpusOf(edited, bytes);
  assert.equal(first.restored, true);
  assert.deepEqual(verdicts(first.corpus, ['Zanzibar quokkas juggled xylophones', ...QUOTES]), verdicts(corpusOf(edited).corpus, ['Zanzibar quokkas juggled xylophones', ...QUOTES]));
  assert.deepEqual(bytes, pristine, 'the bytes another engine may restore from are unchanged');
  const second = corpusOf(SOURCES, bytes);
  assert.equal(second.restored, true);
  assert.deepEqual(verdicts(second.corpus), verdicts(corpusOf(SOURCES).corpus));
});

test('index cache: word offsets survive two generations of caches, long gaps included', () => {
  const gappy = `Gaps between words\n\nFirst words here.${' '.repeat(200)}Then after a gap.${'-'.repeat(20000)}"And after a very long one," she said.\n`;
  const files = { ...SOURCES, 'sources/gappy.txt': gappy };
  const quotes = [...QUOTES, 'Then after a gap', 'And after a very long one', 'And after a very short one'];
  const expected = verdicts(corpusOf(files).corpus, quotes);
  assert.equal(expected.at(-2)!.verdict, 'verbatim');
  assert.equal(gappy.slice(expected.at(-2)!.passage!.start, expected.at(-2)!.passage!.end), 'And after a very long one');

  const first = corpusOf(files, corpusOf(files).corpus.exportIndex()!);
  assert.equal(first.restored, true);
  assert.deepEqual(verdicts(first.corpus, quotes), expected);
  // One source changed: the next cache holds restored sources (offsets still packed) and a fresh one.
  const edited = { ...files, 'sources/museum.txt': SOURCES['sources/museum.txt'].replace('six weeks', 'seven weeks') };
  const second = corpusOf(edited, corpusOf(files, corpusOf(files).corpus.exportIndex()!).corpus.exportIndex()!);
  const third = corpusOf(edited, (() => {
    const warm = corpusOf(edited, corpusOf(files).corpus.exportIndex()!).corpus;
    return warm.exportIndex()!;
  })());
  assert.equal(second.restored, true);
  assert.equal(third.restored, true);
  const expectedEdited = verdicts(corpusOf(edited).corpus, quotes);
  assert.deepEqual(verdicts(third.corpus, quotes), expectedEdited);
  assert.deepEqual(verdicts(second.corpus, quotes), expectedEdited);
});

test('index cache: damaged numbers inside the quotation section never make a lookup throw or run on', () => {
  const bytes = corpusOf(SOURCES).corpus.exportIndex()!;
  const quotes = decodeCache(bytes)!.get('quotes')!;
  // Overwrite stretches of the section's arrays (past the JSON header and vocabulary) with large numbers.
  for (const from of [0.3, 0.5, 0.7, 0.9]) {
    const damaged = bytes.slice();
    const start = quotes.byteOffset - bytes.byteOffset + Math.floor(quotes.length * from);
    damaged.fill(0xff, start, Math.min(start + 64, damaged.length));
    const { corpus } = corpusOf(SOURCES, damaged);
    const started = performance.now();
    assert.doesNotThrow(() => verdicts(corpus));
    assert.ok(performance.now() - started < 5000, 'lookups end');
  }
});

test('index cache: word ids are stored in 16 bits while the vocabulary fits, in 32 past 65,536 words, and both restore alike', () => {
  const header = (bytes: Uint8Array) => new ByteReader(decodeCache(bytes)!.get('quotes')!).json<{ wordBytes: number; vocabulary: number }>();
  // Past 2^16 distinct words: one source of 70,000 made-up ones, each written twice (a quotation of them must still be found).
  const made = Array.from({ length: 70_000 }, (_, i) => `w${i.toString(36)}x`);
  const wide = { ...SOURCES, 'sources/wordlist.txt': `Word list\n\n${made.join(' ')}. ${made.join(' ')}.\n` };
  const quotes = [...QUOTES, made.slice(68_000, 68_012).join(' ')];
  for (const [files, wordBytes] of [[SOURCES, 2], [wide, 4]] as const) {
    const cold = corpusOf(files).corpus;
    const expected = verdicts(cold, quotes);
    const bytes = cold.exportIndex()!;
    assert.equal(header(bytes).wordBytes, wordBytes, `vocabulary of ${header(bytes).vocabulary}`);
    const warm = corpusOf(files, bytes);
    assert.equal(warm.restored, true);
    assert.deepEqual(verdicts(warm.corpus, quotes), expected);
    // A source added after the restore is tokenized into 32-bit ids and sits beside the restored 16- or 32-bit ones.
    warm.corpus.set('file:///ws/sources/extra.txt', 'sources/extra.txt', 'Extra\n\nThe harbour wall will stand for a hundred years, the engineer said.\n');
    assert.equal(verdicts(warm.corpus, ['The harbour wall will stand for a hundred years'])[0].verdict, 'verbatim');
    assert.deepEqual(verdicts(warm.corpus, quotes), expected);
    // And a cache written from that mixed index restores again.
    const again = corpusOf({ ...files, 'sources/extra.txt': 'Extra\n\nThe harbour wall will stand for a hundred years, the engineer said.\n' }, warm.corpus.exportIndex()!);
    assert.equal(again.restored, true);
    assert.deepEqual(verdicts(again.corpus, quotes), expected);
  }
  assert.equal(verdicts(corpusOf(wide).corpus, quotes).at(-1)!.verdict, 'verbatim');
});

test('bytesKeyOfParts: the key of the joined bytes, however they are cut into parts', () => {
  // Every cut of every length up to 13 into up to three parts (empty parts included), and a long run cut unevenly.
  for (let length = 0; length <= 13; length++) {
    const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 200) & 0xff);
    const whole = bytesKey(bytes);
    assert.equal(bytesKeyOfParts([bytes]), whole);
    for (let a = 0; a <= length; a++) {
      for (let b = a; b <= length; b++) assert.equal(bytesKeyOfParts([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)]), whole, `${length}: ${a}, ${b}`);
    }
  }
  const long = Uint8Array.from({ length: 10_007 }, (_, i) => (i * 131) & 0xff);
  const cuts = [0, 1, 2, 5, 6, 999, 1000, 4097, 10_006, 10_007];
  assert.equal(bytesKeyOfParts(cuts.slice(1).map((end, i) => long.subarray(cuts[i], end))), bytesKey(long));
  assert.notEqual(bytesKeyOfParts([long.subarray(0, 5), long.subarray(6)]), bytesKey(long), 'a byte left out');
});

/** `bytesKey` as first written, a byte at a time: the keys in cache files on disk were made this way. */
function bytesKeyByteWise(bytes: Uint8Array): string {
  let h1 = 0x811c9dc5 ^ bytes.length;
  let h2 = 0x9747b28c;
  let i = 0;
  const mix = (word: number) => {
    h1 = Math.imul(h1 ^ word, 0x01000193);
    h2 = Math.imul(h2 ^ word, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  };
  for (; i + 3 < bytes.length; i += 4) mix(bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
  for (; i < bytes.length; i++) mix(bytes[i]);
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

test('bytesKey: the same key as byte by byte, whatever the bytes\' offset in their buffer and however long', () => {
  // Word reads go through an aligned view or a 64 KB copy: offsets 0-3 and lengths across the copy's size.
  const buffer = Uint8Array.from({ length: 140_000 }, (_, i) => (i * 2654435761) >>> 24);
  for (const offset of [0, 1, 2, 3, 4]) {
    for (const length of [0, 1, 3, 4, 5, 8, 63, 1000, 65_535, 65_536, 65_537, 65_540, 131_075, 139_990]) {
      const bytes = buffer.subarray(offset, offset + length);
      assert.equal(bytesKey(bytes), bytesKeyByteWise(bytes), `offset ${offset}, length ${length}`);
    }
  }
  const cuts = [0, 3, 65_539, 65_540, 70_001, 139_999];
  assert.equal(bytesKeyOfParts(cuts.slice(1).map((end, i) => buffer.subarray(cuts[i], end))), bytesKeyByteWise(buffer.subarray(0, 139_999)));
});

test('KeyHash: the same parts make the same key; parts that differ anywhere, or are cut elsewhere, make another', () => {
  const key = (feed: (k: KeyHash) => KeyHash) => feed(new KeyHash()).finish();
  const text = 'The harbour master said the quay would reopen in May.';
  const base = key((k) => k.text('p').number(0).number(3).text(text, 4, 20));
  assert.match(base, /^[0-9a-f]{16}$/);
  assert.equal(key((k) => k.text('p').number(0).number(3).text(text.slice(4, 20))), base, 'a slice read in place is the slice');
  const others = [
    key((k) => k.text('p').number(0).number(3).text(text, 4, 21)),
    key((k) => k.text('p').number(0).number(4).text(text, 4, 20)),
    key((k) => k.text('p').number(1).number(3).text(text, 4, 20)),
    key((k) => k.text('h').number(0).number(3).text(text, 4, 20)),
    key((k) => k.text('pa').text('b')),
    key((k) => k.text('p').text('ab')),
    key((k) => k.text('p').number(0).number(3).text(text, 4, 20).text('')),
    key((k) => k.number(-1)),
    key((k) => k.number(1)),
    key((k) => k),
  ];
  assert.equal(new Set([base, ...others]).size, others.length + 1, 'all different');
});
