/**
 * A parse packed for keeping (engine/markdown/packed-parse.ts) comes back as
 * the parser made it: every record with its properties in the same order and
 * the same values, and every object shared where the parser shares it (a
 * quotation's citations are the piece's; a footnote's citations share its
 * reference's span). Damaged packed forms come back as nothing, never as a
 * wrong parse or an exception, and records of another shape are not packed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { parseMarkdown } from '../../server/src/engine/markdown';
import { reparseEdited } from '../../server/src/engine/markdown/edit';
import { reparseParagraphs } from '../../server/src/engine/markdown/paragraph-edit';
import { editSupport } from '../../server/src/engine/markdown/edit-support';
import { packParseState, unpackParseState, type PackedParseState } from '../../server/src/engine/markdown/packed-parse';
import type { ParseState } from '../../server/src/engine/api';
import type { ParsedDocument } from '../../server/src/engine/markdown/model';
import { mulberry32 } from '../helpers/random';
import { REPO_ROOT } from '../helpers/repo';

/** Every kind of record and every field the parser writes, and the sharing it makes. */
const PIECE = [
  '---',
  'title: Packed',
  '---',
  '',
  '# A heading with "a quote" [@seed]',
  '',
  '### A third-level heading',
  '',
  'The minister said "we will not move the date" [@seed]. A second sentence, then "another quote" [-@ferry].',
  '',
  '- A list item with "listed words" [@ferry, p. 3] and a bare @seed citation.',
  '- [ ] A task item citing [the council vote](sources/vote.md) and [a reference link][ref].',
  '',
  '> "The ferry will run all winter," the harbour master said.',
  '> She said it twice.',
  '',
  '— Harbour master, [@ferry]',
  '',
  '> An unattributed line in a quote block.',
  '',
  'A paragraph says "footnoted words" here.[^1] And more "quoted words" again.[^1]',
  '',
  'A later paragraph refers to the note too.[^1] It says "later words".',
  '',
  '[^1]: The note cites [@budget] and [@seed; @ferry].',
  '',
  '[ref]: https://ferry.example/vote "The vote"',
  '',
  '| Route | Fare |',
  '| :-- | --: |',
  '| "harbour loop" cited | [@ferry] |',
  '',
  '<!-- provenance-disable-next-line claim/unsourced -->',
  'After a directive, “curly quoted words” on 3 May 2024, citing [@seed; @ferry].',
  '',
].join('\n');

function stateOf(parsed: ParsedDocument): ParseState {
  const support = editSupport.get(parsed);
  assert.ok(support, 'a parse made here has its edit support');
  return { parsed, support };
}

/** Packed, through v8 as the cache keeps it, and unpacked. */
function roundTrip(state: ParseState): ParseState | undefined {
  const packed = packParseState(state);
  assert.ok(packed, 'the parser\'s records are packed');
  return unpackParseState(v8.deserialize(v8.serialize(packed)) as PackedParseState);
}

/**
 * `actual` is `expected` field by field: the same keys in the same order,
 * the same primitives, and an object met twice in one exactly where it is
 * met twice in the other.
 */
function assertSameGraph(actual: unknown, expected: unknown, where = 'state', pairs = new Map<object, object>(), back = new Map<object, object>()): void {
  if (typeof expected !== 'object' || expected === null) {
    assert.ok(Object.is(actual, expected), `${where}: ${String(actual)} instead of ${String(expected)}`);
    return;
  }
  assert.ok(typeof actual === 'object' && actual !== null, `${where}: not an object`);
  const seen = pairs.get(expected);
  if (seen !== undefined) {
    assert.ok(seen === actual, `${where}: not the object met before`);
    return;
  }
  assert.ok(!back.has(actual), `${where}: one object where the original has two`);
  pairs.set(expected, actual);
  back.set(actual, expected);
  if (expected instanceof Map) {
    assert.ok(actual instanceof Map, `${where}: not a Map`);
    assert.deepEqual([...actual], [...expected], `${where}: another Map`);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${where}: array and object`);
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${where}: keys`);
  for (const key of Object.keys(expected)) assertSameGraph((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`, pairs, back);
}

test('packed parse: the piece with every kind of record comes back field by field, sharing included', () => {
  const state = stateOf(parseMarkdown(PIECE));
  const { citations, quotations } = state.parsed;
  // What the comparison must see kept: a footnote referenced three times, and quotations citing the piece's objects.
  assert.ok(citations.some((a) => citations.some((b) => a !== b && a.reference !== undefined && a.reference === b.reference)), 'citations share a reference span');
  assert.ok(quotations.some((q) => q.cites.length > 1 && q.cites.every((c) => citations.includes(c))), 'quotations cite the piece\'s citations');
  assert.ok(state.parsed.blocks.some((b) => b.level !== undefined) && state.parsed.blocks.some((b) => b.footnote !== undefined), 'headings and footnote definitions');
  assert.ok(citations.some((c) => c.suppressAuthor) && citations.some((c) => c.kind === 'link') && citations.some((c) => c.kind === 'bare'), 'every kind of citation');
  assertSameGraph(roundTrip(state), state);
  // The masked text goes as the runs blanked in it, not whole.
  const packed = packParseState(state)!;
  assert.equal(packed.parsed.masked, '');
  assert.ok(packed.maskedBlanks && packed.maskedBlanks.length >= 4, 'code and comments blanked in runs');
});

test('packed parse: a masked text that differs from the text by more than spaces is kept whole', () => {
  const state = stateOf(parseMarkdown(PIECE));
  const odd = { ...state, parsed: { ...state.parsed, masked: 'x' + state.parsed.masked.slice(1) } };
  const packed = packParseState(odd)!;
  assert.equal(packed.maskedBlanks, undefined);
  assert.equal(packed.parsed.masked, odd.parsed.masked);
  assertSameGraph(roundTrip(odd), odd);
});

test('packed parse: the bundled example and CRLF text come back field by field', () => {
  const example = fs.readFileSync(path.join(REPO_ROOT, 'examples/harbour-ferry/analysis.md'), 'utf8');
  for (const text of [example, PIECE.replace(/\n/g, '\r\n'), '\ufeff' + PIECE, '', 'One line, no newline']) {
    const state = stateOf(parseMarkdown(text));
    assertSameGraph(roundTrip(state), state);
  }
});

test('packed parse: parses made by edits, block by block and paragraph by paragraph, come back field by field', () => {
  const random = mulberry32(20261130);
  const inserts = ['a', ' ', '"', '“', '”', '[@seed]', '[^1]', '\n', '\n\nA new paragraph says "new words" [@ferry].\n', '> ', '- ', '# '];
  let parsed = parseMarkdown(PIECE);
  let made = 0;
  for (let step = 0; step < 300; step++) {
    const text = parsed.text;
    const at = Math.floor(random() * (text.length + 1));
    const edited = text.slice(0, at) + inserts[Math.floor(random() * inserts.length)] + text.slice(at);
    const next = (step % 2 ? reparseParagraphs(parsed, edited) : reparseEdited(parsed, edited)) ?? parseMarkdown(edited);
    if (next !== undefined && editSupport.get(next)) {
      if (next.text === edited && next !== parsed) made++;
      const state = stateOf(next);
      assertSameGraph(roundTrip(state), state, `step ${step}`);
    }
    parsed = next;
  }
  assert.ok(made > 100, `edits made parses (${made})`);
});

test('packed parse: a damaged packed form comes back as nothing, and never throws', () => {
  const packed = packParseState(stateOf(parseMarkdown(PIECE)))!;
  const copy = () => v8.deserialize(v8.serialize(packed)) as PackedParseState;
  const arrays: ((p: PackedParseState) => Int32Array)[] = [(p) => p.parsed.blocks, (p) => p.parsed.sentences, (p) => p.parsed.citations, (p) => p.parsed.quotations, (p) => p.support.blocks, (p) => p.spans, (p) => p.maskedBlanks!];
  const damages: [string, (p: PackedParseState) => void][] = [
    ['blocks cut short', (p) => (p.parsed.blocks = p.parsed.blocks.subarray(1))],
    ['sentences cut short', (p) => (p.parsed.sentences = p.parsed.sentences.subarray(1))],
    ['citations cut short', (p) => (p.parsed.citations = p.parsed.citations.subarray(1))],
    ['quotations cut short', (p) => (p.parsed.quotations = p.parsed.quotations.subarray(0, p.parsed.quotations.length - 1))],
    ['block sources cut short', (p) => (p.support.blocks = p.support.blocks.subarray(0, p.support.blocks.length - 1))],
    ['spans cut short', (p) => (p.spans = p.spans.subarray(0, p.spans.length - 2))],
    ['a block kind unknown', (p) => (p.parsed.blocks[3] = 99)],
    ['a citation kind unknown', (p) => (p.parsed.citations[0] = 99)],
    ['a string missing', (p) => p.strings.pop()],
    ['a string too many', (p) => p.strings.push('extra')],
    ['a citation\'s span unknown', (p) => (p.parsed.citations[3] = 1_000_000)],
    ['a quotation citing no citation', (p) => (p.parsed.quotations[5] = 1_000_000)],
    ['a quotation with a negative cite count', (p) => (p.parsed.quotations[4] = -1)],
    ['an array replaced', (p) => ((p.parsed as { sentences: unknown }).sentences = [1, 2, 3])],
    ['strings replaced', (p) => ((p as { strings: unknown }).strings = 'text')],
    ['a masked run past the text', (p) => (p.maskedBlanks![p.maskedBlanks!.length - 1] = 10_000_000)],
    ['masked runs out of order', (p) => p.maskedBlanks!.reverse()],
    ['masked runs cut in half', (p) => (p.maskedBlanks = p.maskedBlanks!.subarray(1))],
    ['masked runs replaced', (p) => ((p as { maskedBlanks: unknown }).maskedBlanks = [1, 2])],
  ];
  for (const [what, damage] of damages) {
    const damaged = copy();
    damage(damaged);
    assert.equal(unpackParseState(damaged), undefined, what);
  }
  // Any int changed anywhere: a parse or nothing, never an exception.
  const random = mulberry32(7);
  for (let round = 0; round < 500; round++) {
    const damaged = copy();
    const ints = arrays[round % arrays.length](damaged);
    if (!ints.length) continue;
    ints[Math.floor(random() * ints.length)] = Math.floor(random() * 40) - 5;
    assert.doesNotThrow(() => unpackParseState(damaged));
  }
});

test('packed parse: records of another shape are not packed', () => {
  const fresh = () => stateOf(parseMarkdown(PIECE));
  const changes: [string, (state: ParseState) => void][] = [
    ['a block with a field of its own', (s) => ((s.parsed.blocks[2] as unknown as Record<string, unknown>).extra = 1)],
    ['an offset that is not an int32', (s) => (s.parsed.sentences[1].span.start = 1.5)],
    ['a span with another field', (s) => ((s.parsed.blocks[0].span as unknown as Record<string, unknown>).line = 1)],
    ['a citation listed twice', (s) => s.parsed.citations.push(s.parsed.citations[0])],
    ['a quotation citing a citation the piece does not list', (s) => s.parsed.quotations[0].cites.push({ ...s.parsed.citations[0] })],
    ['cited keys that are not the citations\' keys', (s) => s.parsed.quotations[0].citedKeys.push('other')],
    ['an unknown block kind', (s) => ((s.parsed.blocks[0] as { kind: string }).kind = 'aside')],
  ];
  for (const [what, change] of changes) {
    const state = fresh();
    change(state);
    assert.equal(packParseState(state), undefined, what);
  }
});
