/**
 * Answers remembered across runs (engine/corpus-memo.ts), through the two
 * that use it: quotation verdicts and the passages that support a claim. A
 * kept answer is used only for the same build and the same sources (ids,
 * texts and order), is the answer computing it would give, and a damaged
 * entry costs that entry only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Corpus } from '../../server/src/engine/corpus';
import { VerdictCache } from '../../server/src/engine/quotes/verdict-cache';
import { ByteReader, ByteWriter, bytesKey, joinBytes } from '../../server/src/engine/index-cache';
import { createEngine } from '../../server/src/engine/index';
import { PersistedMemo } from '../../server/src/engine/corpus-memo';
import { PASSAGE_ANSWERS_SECTION, passageWork } from '../../server/src/engine/claims/passages';
import { QUOTE_SPEAKERS_SECTION, speakerWork } from '../../server/src/engine/claims/speakers';

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
  assert.equal(first.memo.stats.computed, QUOTATIONS.length);
  assert.ok(first.memo.dirty);
  const bytes = first.memo.exportSection();
  assert.equal(first.memo.dirty, false, 'written: nothing new to write');

  const second = new VerdictCache(corpusOf(SOURCES), 'build-1');
  assert.equal(second.memo.importSection(bytes), QUOTATIONS.length);
  assert.deepEqual(verdictsOf(second), expected);
  assert.deepEqual(second.memo.stats, { computed: 0, kept: QUOTATIONS.length });
  assert.equal(second.memo.dirty, false, 'only kept verdicts: the file need not be written again');
  // A new quotation is matched, and the export holds it with the kept ones (those used first).
  second.get('a second boat on the island route', ['ferry']);
  assert.equal(second.memo.stats.computed, 1);
  assert.ok(second.memo.dirty);
  const third = new VerdictCache(corpusOf(SOURCES), 'build-1');
  assert.equal(third.memo.importSection(second.memo.exportSection()), QUOTATIONS.length + 1);
});

test('verdict-cache: another build, changed or reordered sources, or no build id: nothing is kept', () => {
  const first = new VerdictCache(corpusOf(SOURCES), 'build-1');
  verdictsOf(first);
  const bytes = first.memo.exportSection();
  const fresh = (cache: VerdictCache) => {
    cache.memo.importSection(bytes);
    verdictsOf(cache);
    return cache.memo.stats;
  };
  assert.deepEqual(fresh(new VerdictCache(corpusOf(SOURCES), 'build-2')), { computed: QUOTATIONS.length, kept: 0 });
  const changed: Array<[string, string]> = SOURCES.map(([name, text]) => [name, text.replace('May', 'June')]);
  const afterChange = new VerdictCache(corpusOf(changed), 'build-1');
  assert.deepEqual(fresh(afterChange), { computed: QUOTATIONS.length, kept: 0 });
  assert.equal(afterChange.get('the quay would reopen in June', ['quay']).verdict, 'verbatim', 'the source now says June');
  assert.deepEqual(fresh(new VerdictCache(corpusOf([...SOURCES].reverse()), 'build-1')), { computed: QUOTATIONS.length, kept: 0 });
  const noBuild = new VerdictCache(corpusOf(SOURCES));
  assert.equal(noBuild.memo.importSection(bytes), 0);
  verdictsOf(noBuild);
  assert.equal(noBuild.memo.dirty, false, 'without a build id nothing is ever written');
});

test('verdict-cache: a source set after the import, and an entry that is no answer, cost only what they touch; damaged bytes cost the section', () => {
  const first = new VerdictCache(corpusOf(SOURCES), 'build-1');
  const expected = verdictsOf(first);
  const reader = new ByteReader(first.memo.exportSection());
  const header = reader.json<{ keys: string[]; sum: string }>();
  const lines = reader.string().split('\n');
  const damaged = header.keys.indexOf(['quay', 'the quay would reopen in June'].join('\u0000'));
  assert.ok(damaged >= 0);
  lines[damaged] = '{"verdict": "nonsense"';
  const sectionWith = (sum: string) => {
    const out = new ByteWriter();
    out.json({ ...header, sum });
    out.string(lines.join('\n'));
    return out.finish();
  };
  // The bytes no longer match the section's sum: none of its answers is taken.
  const refused = new VerdictCache(corpusOf(SOURCES), 'build-1');
  assert.equal(refused.memo.importSection(sectionWith(header.sum)), 0);
  assert.deepEqual(verdictsOf(refused), expected);
  assert.deepEqual(refused.memo.stats, { computed: QUOTATIONS.length, kept: 0 });

  // Summed as written (a writer that wrote something that is no answer): that entry alone is made again.
  // As a load does it: import first, then set the sources one by one.
  const corpus = new Corpus();
  const second = new VerdictCache(corpus, 'build-1');
  assert.equal(second.memo.importSection(sectionWith(bytesKey(new TextEncoder().encode(lines.join('\n'))))), QUOTATIONS.length);
  for (const [name, text] of SOURCES) corpus.set(`file:///w/sources/${name}`, `sources/${name}`, text);
  assert.deepEqual(verdictsOf(second), expected);
  assert.deepEqual(second.memo.stats, { computed: 1, kept: QUOTATIONS.length - 1 });

  assert.equal(new VerdictCache(corpusOf(SOURCES), 'build-1').memo.importSection(new Uint8Array([1, 2, 3])), 0, 'bytes that are not a section');
});

test('corpus-memo: supporting passages found for claims are kept too, and a run that has them all builds no passage index', () => {
  const piece = {
    uri: 'file:///w/piece.md',
    path: 'piece.md',
    text: 'Tolls on the bridge rose by 12% in 2023.\n\nThe ferry company will add a second boat from March.\n\nThe harbour master expects the quay to reopen in May.\n',
  };
  const engineWith = (buildId: string) => {
    const engine = createEngine({ docsBaseUrl: 'file:///docs/', buildId });
    for (const [name, text] of SOURCES) engine.setSource(`file:///w/sources/${name}`, `sources/${name}`, text);
    return engine;
  };
  const first = engineWith('build-1');
  const expected = first.check(piece);
  assert.ok(expected.filter((f) => f.ruleId === 'claim/unsourced' && f.data?.suggestion).length >= 2, JSON.stringify(expected));
  const bytes = first.exportIndexCache(false, [PASSAGE_ANSWERS_SECTION])!;

  const merged = passageWork.merged;
  const second = createEngine({ docsBaseUrl: 'file:///docs/', buildId: 'build-1' });
  assert.ok(second.importIndexCache(bytes));
  for (const [name, text] of SOURCES) second.setSource(`file:///w/sources/${name}`, `sources/${name}`, text);
  assert.deepEqual(second.check(piece), expected);
  assert.equal(passageWork.merged, merged, 'every claim found its passages kept: the passage index was not merged');

  const otherBuild = createEngine({ docsBaseUrl: 'file:///docs/', buildId: 'build-2' });
  otherBuild.importIndexCache(bytes);
  for (const [name, text] of SOURCES) otherBuild.setSource(`file:///w/sources/${name}`, `sources/${name}`, text);
  assert.deepEqual(otherBuild.check(piece), expected);
  assert.ok(passageWork.merged > merged, 'another build searched for itself');
});

test('corpus-memo: who a source gives a quoted passage to is kept too, and holds only for the same sources', () => {
  const ferry = 'Ferry service\n\nThe ferry will keep running "until the storm has passed," Mr Reyes said on Monday.\n';
  const piece = { uri: 'file:///w/piece.md', path: 'piece.md', text: 'Ms Berg said the ferry would run "until the storm has passed" [@ferry].\n' };
  const engineWith = (buildId: string | undefined, text: string, kept?: Uint8Array) => {
    const engine = createEngine({ docsBaseUrl: 'file:///docs/', buildId });
    if (kept) engine.importIndexCache(kept);
    engine.setSource('file:///w/sources/ferry.txt', 'sources/ferry.txt', text);
    return engine;
  };
  const misattributed = (findings: ReturnType<ReturnType<typeof createEngine>['check']>) => findings.filter((f) => f.ruleId === 'quote/misattributed').map((f) => f.data?.sourceSpeaker);

  const first = engineWith('build-1', ferry);
  const expected = first.check(piece);
  assert.deepEqual(misattributed(expected), ['Reyes']);
  const kept = first.exportIndexCache(false, [QUOTE_SPEAKERS_SECTION])!;

  assert.deepEqual(engineWith('build-1', ferry, kept).check(piece), expected);
  // Attributed as the source does: nothing to report, so no source paragraph is read at all (a report reads the
  // source's quotations for the fullest form of the name).
  const right = { ...piece, text: piece.text.replace('Ms Berg', 'Mr Reyes') };
  const rightFirst = engineWith('build-1', ferry);
  assert.deepEqual(misattributed(rightFirst.check(right)), []);
  const read = speakerWork.paragraphsRead;
  assert.deepEqual(engineWith('build-1', ferry, rightFirst.exportIndexCache(false, [QUOTE_SPEAKERS_SECTION])).check(right), rightFirst.check(right));
  assert.equal(speakerWork.paragraphsRead, read, 'the speaker was kept: no source paragraph was read for it');

  // The source now gives the words to someone else: the kept speaker must not be used.
  const changed = ferry.replace('Mr Reyes', 'Mr Okafor');
  const after = engineWith('build-1', changed, kept).check(piece);
  assert.deepEqual(misattributed(after), ['Okafor']);
  assert.deepEqual(after, engineWith(undefined, changed).check(piece));
});

test('corpus-memo: a section imported after the sources are set (the CLI, per piece) is taken beside the answers made so far', () => {
  const first = new VerdictCache(corpusOf(SOURCES), 'build-1');
  first.get(QUOTATIONS[0][0], QUOTATIONS[0][1]);
  const kept = first.memo.exportSection();

  const second = new VerdictCache(corpusOf(SOURCES), 'build-1');
  const made = second.get(QUOTATIONS[1][0], QUOTATIONS[1][1]);
  second.memo.beginScope();
  assert.equal(second.memo.importSection(kept), 1);
  assert.deepEqual(second.get(QUOTATIONS[0][0], QUOTATIONS[0][1]), first.get(QUOTATIONS[0][0], QUOTATIONS[0][1]));
  assert.equal(second.get(QUOTATIONS[1][0], QUOTATIONS[1][1]), made, 'the answer made before the import is still there');
  assert.deepEqual(second.memo.stats, { computed: 1, kept: 2 });
  // Scoped: an export holds what was used since beginScope, not everything the memo holds.
  second.memo.beginScope();
  second.get(QUOTATIONS[1][0], QUOTATIONS[1][1]);
  const reader = new ByteReader(second.memo.exportSection());
  assert.deepEqual(reader.json<{ keys: string[] }>().keys, [[...QUOTATIONS[1][1]].join(' ') + '\u0000' + QUOTATIONS[1][0]]);
});

test('corpus-memo: an answer read back from a section is written back as the JSON it was read from, and an answer made again replaces it', () => {
  const isAnswer = (value: unknown): value is { words: string[] } => Array.isArray((value as { words?: unknown } | null)?.words);
  /** A section as another writer could have spelt it: valid JSON with spaces, which JSON.stringify never writes. */
  class Spelt extends PersistedMemo<{ words: string[] }> {
    spelt(keys: string[], values: string[]): Uint8Array {
      return joinBytes(this.sectionOf('', keys, values));
    }
  }
  const section = new Spelt('spelt', isAnswer, 'build').spelt(['a', 'b'], ['{ "words": [ "one" ] }', '{ "words": [ "two" ] }']);
  const values = (bytes: Uint8Array) => {
    const reader = new ByteReader(bytes);
    reader.json();
    return reader.string().split('\n');
  };

  const memo = new PersistedMemo<{ words: string[] }>('spelt', isAnswer, 'build');
  memo.importSection(section);
  assert.deepEqual(memo.lookup('a'), { words: ['one'] });
  // Read and parsed, then written back as it was read; the other, never parsed, as it was too.
  assert.deepEqual(values(memo.exportSection()), ['{ "words": [ "one" ] }', '{ "words": [ "two" ] }']);
  memo.remember('a', { words: ['three'] });
  assert.deepEqual(values(memo.exportSection()), ['{"words":["three"]}', '{ "words": [ "two" ] }']);
});

test('corpus-memo: lookupJson gives an answer as the bytes the section held, unparsed, and marks it used; a parsed or made answer it leaves to lookup', () => {
  const isAnswer = (value: unknown): value is { words: string[] } => Array.isArray((value as { words?: unknown } | null)?.words);
  const writer = new PersistedMemo<{ words: string[] }>('words', isAnswer, 'build');
  writer.remember('a', { words: ['one'] });
  writer.remember('b', { words: ['two'] });
  writer.remember('c', { words: ['three'] });
  const section = writer.exportSection();

  const memo = new PersistedMemo<{ words: string[] }>('words', isAnswer, 'build');
  memo.importSection(section);
  memo.beginScope();
  const json = memo.lookupJson('a');
  assert.ok(json instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(json), '{"words":["one"]}');
  assert.deepEqual(memo.lookup('b'), { words: ['two'] });
  assert.equal(memo.lookupJson('b'), undefined, 'parsed: lookup has it');
  memo.remember('d', { words: ['four'] });
  assert.equal(memo.lookupJson('d'), undefined, 'made in this process: lookup has it');
  assert.equal(memo.lookupJson('missing'), undefined);
  // Both the passed-on and the parsed answer were used: the scoped export keeps them (and the new one), not 'c'.
  const kept = new PersistedMemo<{ words: string[] }>('words', isAnswer, 'build');
  kept.importSection(memo.exportSection());
  assert.deepEqual(['a', 'b', 'c', 'd'].map((key) => kept.lookup(key)?.words[0]), ['one', 'two', undefined, 'four']);
});

test('corpus-memo: an export writes answers read back in their order as views of the bytes they came in, and reads back the same', () => {
  const isAnswer = (value: unknown): value is { n: number } => typeof (value as { n?: unknown } | null)?.n === 'number';
  const writer = new PersistedMemo<{ n: number }>('numbers', isAnswer, 'build');
  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
  for (const [i, key] of keys.entries()) writer.remember(key, { n: i });
  const section = writer.exportSection();

  // A run over the same piece with one block changed: answers 0-19 passed on, a new 20th, then 21-39 passed on (one parsed).
  const memo = new PersistedMemo<{ n: number }>('numbers', isAnswer, 'build');
  memo.importSection(section);
  memo.beginScope();
  for (const key of keys.slice(0, 20)) assert.ok(memo.lookupJson(key));
  memo.remember('changed', { n: -1 });
  for (const key of keys.slice(21)) assert.ok(key === 'k30' ? memo.lookup(key) : memo.lookupJson(key));
  const parts = memo.exportSectionParts();
  // The 19 answers after the new one are one view of the imported bytes (the parsed one is written back as it was read), as are the first 20.
  const views = parts.filter((part) => part.buffer === section.buffer && part.length > 1);
  assert.equal(views.length, 2, 'two runs of the section read, not a copy per answer');
  const joined = joinBytes(parts);
  assert.deepEqual(Buffer.from(joined), Buffer.from(memo.exportSection()));

  const next = new PersistedMemo<{ n: number }>('numbers', isAnswer, 'build');
  assert.equal(next.importSection(joined), 40, 'the sum holds: every answer is taken');
  for (const [i, key] of keys.entries()) if (i !== 20) assert.deepEqual(next.lookup(key), { n: i });
  assert.deepEqual(next.lookup('changed'), { n: -1 });
  assert.equal(next.lookup('k20'), undefined, 'the scoped export left out the answer not used');
});

test("verdict-cache: with the embedder's hash, kept verdicts are stamped by it, once per state of the sources, and found only by an engine hashing alike", () => {
  const hashed: string[] = [];
  const countingHash = (text: string) => {
    hashed.push(text);
    return `counted:${text.length}:${text.slice(-20)}`;
  };
  const corpusHashedBy = (hash: ((text: string) => string) | undefined) => {
    const corpus = new Corpus('build-1', hash);
    for (const [name, text] of SOURCES) corpus.set(`file:///w/sources/${name}`, `sources/${name}`, text);
    return corpus;
  };
  const first = new VerdictCache(corpusHashedBy(countingHash), 'build-1');
  const expected = verdictsOf(first);
  const bytes = first.memo.exportSection();
  assert.equal(hashed.length, 1, 'one fingerprint for the sources, however many lookups and exports');
  assert.ok(hashed[0].includes('file:///w/sources/quay.txt'), 'the fingerprint hashes the sources as listed');

  const alike = new VerdictCache(corpusHashedBy(countingHash), 'build-1');
  alike.memo.importSection(bytes);
  assert.deepEqual(verdictsOf(alike), expected);
  assert.deepEqual(alike.memo.stats, { computed: 0, kept: QUOTATIONS.length });

  // The engine's own hash gives another stamp: nothing kept is used, and the answers are the same computed.
  const unhashed = new VerdictCache(corpusHashedBy(undefined), 'build-1');
  unhashed.memo.importSection(bytes);
  assert.deepEqual(verdictsOf(unhashed), expected);
  assert.deepEqual(unhashed.memo.stats, { computed: QUOTATIONS.length, kept: 0 });
});
