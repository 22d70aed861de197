/**
 * Sources set on demand (Engine.setSourceOnDemand): an engine that restores
 * its corpus products from the cache sets each unchanged source from the
 * header an earlier run kept (id, body, metadata), reads a source's text only
 * when a check needs its words, and finds exactly what an engine that read
 * every source finds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../server/src/engine/index';
import { SOURCE_HEADERS_SECTION } from '../../server/src/engine/corpus';
import { SOURCE_WORDS_SECTION } from '../../server/src/engine/source-words';
import { contentKey, decodeCache, encodeCache } from '../../server/src/engine/index-cache';
import type { Engine } from '../../server/src/engine/api';
import type { Finding } from '../../server/src/engine/types';

const SOURCES: Record<string, string> = {
  'sources/harbour.txt': `Harbour repairs run late

The harbour master, Ada Quayle, said the quay would reopen in May after the storm repairs, weeks later than planned. "We will not rush concrete," she said.
`,
  'sources/tolls.md': `---
id: bridge-tolls
title: Bridge tolls to rise again
outlet: The Estuary Post
date: 2024-03-02
---

Tolls on the bridge rose by 12% in 2023, the council said, and will rise again next spring. The council leader, Tom Reed, called the rise "painful but unavoidable".
`,
  // Two files that give the same id: both are cited by their paths instead.
  'sources/a/ferry.txt': `Ferry adds a boat

The ferry company said it would add a second boat on the island route from March.
`,
  'sources/b/ferry.txt': `Ferry timetable

The ferry company said the winter timetable would start in November.
`,
};

const KEY_OF = (text: string) => contentKey(`file:${text}`);
const uriOf = (file: string) => `file:///ws/${file}`;

/** An engine with every source read, as a cold run loads them; and the cache it exports. */
function coldEngine(buildId = 'build-1'): { engine: Engine; cache: Uint8Array } {
  const engine = createEngine({ buildId });
  engine.setConfig(undefined, undefined);
  for (const [file, text] of Object.entries(SOURCES)) engine.setSource(uriOf(file), file, text, KEY_OF(text));
  warm(engine);
  return { engine, cache: engine.exportIndexCache()! };
}

/** A check that touches the quotation index, the passages and the entity knowledge. */
function warm(engine: Engine): void {
  engine.check({ uri: 'file:///ws/warm.md', path: 'warm.md', text: 'Ada Quayle said "We will not rush concrete" [@harbour]. Tolls rose by 12% in 2023.\n' });
}

/** An engine that restores `cache` and sets every source on demand, counting the texts it reads. */
function warmEngine(cache: Uint8Array, buildId = 'build-1', texts = SOURCES): { engine: Engine; reads: string[]; set: boolean[] } {
  const engine = createEngine({ buildId });
  engine.setConfig(undefined, undefined);
  engine.importIndexCache(cache);
  const reads: string[] = [];
  const set = Object.entries(texts).map(([file, text]) =>
    engine.setSourceOnDemand(uriOf(file), file, KEY_OF(text), () => {
      reads.push(file);
      return text;
    }),
  );
  return { engine, reads, set };
}

const shape = (findings: readonly Finding[]) => findings.map((f) => `${f.ruleId} ${f.span.start}-${f.span.end} ${f.message}`);

const PIECES = {
  // Cited claims, names and house style, no quotation: answered from the restored products alone.
  plain: `# Harbour and bridge

Ada Quayle runs the harbour [@harbour]. Tom Reed leads the council, which raised the tolls [@bridge-tolls].

Tolls on the bridge rose by 12% in 2023 [@bridge-tolls].

The ferry company will add a second boat [@sources/a/ferry]. Some experts say the NHS should run ferries.
`,
  // A verbatim quotation and a near miss: verifying them reads the words of the source they are in.
  quoted: `Ada Quayle said "We will not rush concrete" [@harbour]. She said "We will never rush concrete" [@harbour].
`,
};

test('source on demand: sources set from kept headers have the ids, paths and metadata a full read gives', () => {
  const { engine: cold, cache } = coldEngine();
  const { engine, reads, set } = warmEngine(cache);
  assert.deepEqual(set, [true, true, true, true]);
  const card = (e: Engine) => e.sources().map((s) => [s.id, s.path, s.uri, s.body, s.meta]);
  assert.deepEqual(card(engine), card(cold));
  assert.deepEqual(engine.sources().map((s) => s.id).sort(), ['bridge-tolls', 'harbour', 'sources/a/ferry', 'sources/b/ferry']);
  assert.deepEqual([...engine.sourceProblems().keys()].sort(), [uriOf('sources/a/ferry.txt'), uriOf('sources/b/ferry.txt')], 'the colliding ids are reported as a full read reports them');
  assert.deepEqual(reads, [], 'setting the sources and listing them read no text');
});

test('source on demand: a check that needs no source text reads none, and finds what a full read finds', () => {
  const { engine: cold, cache } = coldEngine();
  const { engine, reads } = warmEngine(cache);
  const doc = { uri: 'file:///ws/piece.md', path: 'piece.md', text: PIECES.plain };
  const expected = shape(cold.check(doc));
  assert.ok(expected.length > 0, 'the piece has findings to compare');
  assert.deepEqual(shape(engine.check(doc)), expected);
  assert.deepEqual(reads, []);
});

test('source on demand: a quotation reads the source it is in, that source only, once, and finds what a full read finds', () => {
  const { engine: cold, cache } = coldEngine();
  const { engine, reads } = warmEngine(cache);
  const doc = { uri: 'file:///ws/piece.md', path: 'piece.md', text: PIECES.quoted };
  const expected = cold.check(doc);
  assert.ok(expected.some((f) => f.ruleId === 'quote/misquote'), shape(expected).join('\n'));
  const found = engine.check(doc);
  assert.deepEqual(shape(found), shape(expected));
  assert.deepEqual(found.map((f) => f.data), expected.map((f) => f.data), 'the source\'s own words, for the quick fix');
  assert.deepEqual(reads, ['sources/harbour.txt']);
  engine.check({ ...doc, text: doc.text + '\nAgain: "We will never rush concrete" [@harbour].\n' });
  assert.deepEqual(reads, ['sources/harbour.txt'], 'a text read is kept');
});

test('source on demand: a key or path the cache does not know, or another build\'s cache, is refused (the caller reads the file)', () => {
  const { cache } = coldEngine();
  const edited = { ...SOURCES, 'sources/harbour.txt': SOURCES['sources/harbour.txt'].replace('May', 'June') };
  assert.deepEqual(warmEngine(cache, 'build-1', edited).set, [false, true, true, true], 'a changed text has another key');
  const moved = Object.fromEntries(Object.entries(SOURCES).map(([file, text]) => [file.replace('sources/', 'articles/'), text]));
  assert.deepEqual(warmEngine(cache, 'build-1', moved).set, [false, false, false, false], 'the same text under another path may have another id');
  assert.deepEqual(warmEngine(cache, 'build-2').set, [false, false, false, false], 'headers are what this build\'s loader found');
  const engine = createEngine({ buildId: 'build-1' });
  engine.importIndexCache(cache);
  assert.equal(engine.setSourceOnDemand(uriOf('sources/harbour.txt'), 'sources/harbour.txt', '', () => ''), false, 'an empty key is no key');
});

test('source on demand: the headers section is written when the sources changed, and only then', () => {
  const { cache } = coldEngine();
  assert.ok(decodeCache(cache)!.has(SOURCE_HEADERS_SECTION));
  const { engine } = warmEngine(cache);
  warm(engine);
  const unchanged = engine.exportIndexCache(true);
  assert.ok(!unchanged || !decodeCache(unchanged)!.has(SOURCE_HEADERS_SECTION), 'every source was set from its header: nothing to write');

  const fewer = warmEngine(cache, 'build-1', { 'sources/harbour.txt': SOURCES['sources/harbour.txt'] }).engine;
  assert.ok(decodeCache(fewer.exportIndexCache(true)!)!.has(SOURCE_HEADERS_SECTION), 'sources deleted since: written anew');

  const added = warmEngine(cache).engine;
  added.setSource(uriOf('sources/new.txt'), 'sources/new.txt', 'A new article\n\nThe quay opened.\n', KEY_OF('new'));
  const written = decodeCache(added.exportIndexCache(true)!)!.get(SOURCE_HEADERS_SECTION);
  assert.ok(written, 'a source read in full: written');
  const again = createEngine({ buildId: 'build-1' });
  again.importIndexCache(added.exportIndexCache()!);
  assert.equal(again.setSourceOnDemand(uriOf('sources/new.txt'), 'sources/new.txt', KEY_OF('new'), () => ''), true, 'the next run knows it');
});

test('source on demand: a damaged headers section is ignored, and every source is read as before', () => {
  const { cache } = coldEngine();
  const sections = decodeCache(cache)!;
  const damaged = new Map(sections);
  damaged.set(SOURCE_HEADERS_SECTION, new TextEncoder().encode('{"format":1,"build":"build-1","entries":[["#x","p","id",0,"end",{}]]}'));
  const engine = createEngine({ buildId: 'build-1' });
  engine.importIndexCache(encodeCache(damaged));
  assert.equal(engine.setSourceOnDemand(uriOf('sources/harbour.txt'), 'sources/harbour.txt', KEY_OF(SOURCES['sources/harbour.txt']), () => ''), false);
});

test('source on demand: index sections imported on demand are read when their product is first used, once, and answer as if imported at once', () => {
  const { engine: cold, cache } = coldEngine();
  const sections = decodeCache(cache)!;
  const later = ['quotes', 'passages'];
  assert.ok(later.every((name) => sections.has(name)));
  const now = encodeCache(new Map([...sections].filter(([name]) => !later.includes(name))));
  const onDemand = (give: boolean) => {
    const engine = createEngine({ buildId: 'build-1' });
    engine.setConfig(undefined, undefined);
    let reads = 0;
    engine.importIndexCacheOnDemand(later, () => {
      reads++;
      return give ? encodeCache(new Map([...sections].filter(([name]) => later.includes(name)))) : undefined;
    });
    engine.importIndexCache(now);
    for (const [file, text] of Object.entries(SOURCES)) engine.setSourceOnDemand(uriOf(file), file, KEY_OF(text), () => text);
    return { engine, reads: () => reads };
  };
  const doc = (text: string) => ({ uri: 'file:///ws/piece.md', path: 'piece.md', text });

  const warm = onDemand(true);
  assert.equal(warm.reads(), 0, 'nothing is read at import');
  // The style rules use neither index.
  const styleOnly = { rules: (ruleId: string) => ruleId.startsWith('style/') };
  const piece = PIECES.quoted + '\nTolls on the bridge rose by 12% in 2023. The QZX tables follow.\n';
  const styleFindings = shape(cold.check(doc(piece), undefined, styleOnly));
  assert.ok(styleFindings.some((f) => f.startsWith('style/acronym-first-use')), styleFindings.join('\n'));
  assert.deepEqual(shape(warm.engine.check(doc(piece), undefined, styleOnly)), styleFindings);
  assert.equal(warm.reads(), 0, 'a check that used neither index read neither');
  // Every rule: a quotation asks for the quotation index, an uncited claim for the passage index.
  assert.deepEqual(shape(warm.engine.check(doc(piece))), shape(cold.check(doc(piece))));
  assert.equal(warm.reads(), 1, 'both sections came from one read');
  assert.equal(warm.engine.exportIndexCache(true), undefined, 'both were restored, not built again');

  const missing = onDemand(false);
  assert.deepEqual(shape(missing.engine.check(doc(piece))), shape(cold.check(doc(piece))), 'no bytes: the indexes are built, with the same answers');
  assert.equal(missing.reads(), 1);
  assert.ok(missing.engine.exportIndexCache(true), 'built, so written');
});

test('source on demand: claim/unsourced asks the sources\' lower-case words of their own section, not of the quotation index', () => {
  const { engine: cold, cache } = coldEngine();
  const sections = decodeCache(cache)!;
  assert.ok(sections.has(SOURCE_WORDS_SECTION));
  const engine = createEngine({ buildId: 'build-1' });
  engine.setConfig(undefined, undefined);
  let reads = 0;
  engine.importIndexCacheOnDemand(['quotes'], () => {
    reads++;
    return encodeCache(new Map([['quotes', sections.get('quotes')!]]));
  });
  engine.importIndexCache(encodeCache(new Map([...sections].filter(([name]) => name !== 'quotes'))));
  for (const [file, text] of Object.entries(SOURCES)) engine.setSourceOnDemand(uriOf(file), file, KEY_OF(text), () => text);
  // "Tolls" starts a sentence and the sources write "tolls": not a name, so the uncited sentence is still a claim about no one.
  const doc = { uri: 'file:///ws/piece.md', path: 'piece.md', text: PIECES.plain + '\nTolls rose by 12% in 2023. Quayle said the quay would reopen in May.\n' };
  const expected = shape(cold.check(doc));
  assert.ok(expected.some((f) => f.startsWith('claim/unsourced')), expected.join('\n'));
  assert.deepEqual(shape(engine.check(doc)), expected);
  assert.equal(reads, 0, 'no quotation in the piece: the quotation index was never read');
});
