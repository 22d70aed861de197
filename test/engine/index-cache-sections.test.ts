/**
 * Section-limited cache export, and the quotation index built only when
 * asked for: a CLI thread that owns some sections of the cache file must
 * neither build nor write the others, and a corpus whose index is brought in
 * line late must answer exactly like one indexed at every change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Corpus } from '../../server/src/engine/corpus';
import { matchQuotation, SourceIndex } from '../../server/src/engine/quotes';
import { decodeCache, exportCacheProducts, type CacheProduct } from '../../server/src/engine/index-cache';
import { createEngine } from '../../server/src/engine/index';

/** A product that records what it was asked. */
class RecordingProduct implements CacheProduct {
  asked: string[] = [];
  constructor(
    readonly section: string,
    private readonly changed: boolean,
  ) {}
  get dirty(): boolean {
    this.asked.push('dirty');
    return this.changed;
  }
  exportSection(): Uint8Array {
    this.asked.push('export');
    return new TextEncoder().encode(this.section);
  }
  importSection(): number {
    return 0;
  }
}

test('cache sections: an export limited to some sections never asks the other products anything', () => {
  const products = () => [new RecordingProduct('quotes', false), new RecordingProduct('passages', true), new RecordingProduct('entities', true)];

  const some = products();
  const bytes = exportCacheProducts(some, true, ['quotes', 'passages']);
  assert.deepEqual([...decodeCache(bytes!)!.keys()], ['quotes', 'passages']);
  assert.deepEqual(some[2].asked, [], 'entities: neither built nor asked whether it changed');

  // Only the named products' changes count.
  const clean = products();
  assert.equal(exportCacheProducts(clean, true, ['quotes']), undefined);
  assert.deepEqual(clean[1].asked, []);
  assert.deepEqual(clean[2].asked, []);

  // Without a list, every product as before.
  assert.deepEqual([...decodeCache(exportCacheProducts(products(), true)!)!.keys()], ['quotes', 'passages', 'entities']);
});

const SOURCES: Record<string, string> = {
  'sources/orchard.txt': `Orchard harvest best in a decade

Growers picked more apples this autumn than in any year since 2014. "The trees had rain when they needed it and sun when it mattered," one grower said.
`,
  'a/report.txt': `Quarry report

The quarry will close in March. "We have dug out the last good stone," the owner said.
`,
  'b/report.txt': `Bridge report

The bridge reopens on Friday after repairs. "It is safer than the day it was built," an engineer said.
`,
};

const QUOTES = [
  'The trees had rain when they needed it and sun when it mattered',
  'We have dug out the last good stone',
  'It is safer than the day it was built',
  'It is safer than the day it opened',
  'the owner said the quarry would stay open',
];

function verdicts(corpus: Corpus) {
  return QUOTES.map((quote) => {
    const result = matchQuotation(corpus.searchIndex(), quote);
    return { verdict: result.verdict, sources: result.exactSourceIds, best: result.best?.sourceId, passage: result.best?.passage };
  });
}

function freshCorpus(files: Record<string, string>): Corpus {
  const corpus = new Corpus();
  for (const [file, text] of Object.entries(files)) corpus.set(`file:///ws/${file}`, file, text);
  return corpus;
}

test('cache sections: listing sources never tokenizes them; the index, built late, answers like one kept in line at every change', () => {
  const add = SourceIndex.prototype.add;
  let tokenized = 0;
  SourceIndex.prototype.add = function (this: SourceIndex, ...args: Parameters<typeof add>) {
    tokenized++;
    return add.apply(this, args);
  };
  try {
    const corpus = freshCorpus(SOURCES);
    assert.equal(corpus.sources().size, 3);
    corpus.sourceProblems();
    assert.equal(tokenized, 0, 'no quotation search, no quotation index');
    assert.deepEqual(verdicts(corpus), verdicts(freshCorpus(SOURCES)));

    // Changes seen by `sources()` between searches: a changed text, a removal that changes another source's id, an addition.
    const edited: Record<string, string> = { ...SOURCES, 'sources/orchard.txt': SOURCES['sources/orchard.txt'].replace('rain', 'snow') };
    corpus.set('file:///ws/sources/orchard.txt', 'sources/orchard.txt', edited['sources/orchard.txt']);
    corpus.sources();
    const collided = [...corpus.sources().keys()];
    corpus.delete('file:///ws/a/report.txt');
    delete edited['a/report.txt'];
    assert.ok(!collided.includes('report') && [...corpus.sources().keys()].includes('report'), 'the other report took the plain id');
    corpus.set('file:///ws/a/quarry.txt', 'a/quarry.txt', SOURCES['a/report.txt']);
    edited['a/quarry.txt'] = SOURCES['a/report.txt'];
    corpus.sources();
    const before = tokenized;
    const answers = verdicts(corpus);
    assert.equal(tokenized - before, 3, 'only the changed, the renamed and the added source are indexed again');
    assert.deepEqual(answers, verdicts(freshCorpus(edited)));
    assert.equal(answers[0].verdict === 'verbatim', false, 'the edited source no longer holds the quotation word for word');
  } finally {
    SourceIndex.prototype.add = add;
  }
});

test('cache sections: through the engine, an export of chosen sections holds those only and equals that section of the full export', () => {
  const engine = createEngine();
  engine.setConfig(undefined, undefined);
  for (const [file, text] of Object.entries(SOURCES)) engine.setSource(`file:///ws/${file}`, file, text);
  const piece = { uri: 'file:///ws/p.md', text: 'The owner said "we have dug out the last good stone" [@report].\n' };
  engine.check(piece);
  const all = decodeCache(engine.exportIndexCache()!)!;
  const quotes = decodeCache(engine.exportIndexCache(false, ['quotes'])!)!;
  assert.deepEqual([...quotes.keys()], ['quotes']);
  assert.deepEqual(quotes.get('quotes'), all.get('quotes'));
  assert.equal(engine.exportIndexCache(true, ['quotes', 'passages']), undefined, 'exported above: nothing changed');
});
