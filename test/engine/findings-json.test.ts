/**
 * A check's findings as JSON bytes (engine/findings-json.ts,
 * `Engine.checkAsJson`): findings kept per block pass through as the bytes
 * the cache file held them in, and the JSONs read back and joined are exactly
 * `check`'s findings, in `check`'s order, whether kept findings passed
 * through or not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, ANSWER_SECTIONS, type Engine } from '../../server/src/engine/index';
import { findingsJson, joinFindings, readFindingsJson } from '../../server/src/engine/findings-json';
import { SOURCED_BLOCK_FINDINGS_SECTION } from '../../server/src/engine/block-findings';
import { decodeCache, encodeCache } from '../../server/src/engine/index-cache';
import type { Finding } from '../../server/src/engine/types';

const CONFIG = `sources:
  - sources/*.txt
rules:
  style/attribution-verb: warning
  quote/misquote: error
`;

const SOURCES: Record<string, string> = {
  'sources/mill.txt': 'Mill closes\n\nThe owner said the mill had "run out of road after ninety years". About 140 workers will lose their jobs in March, the union said.\n',
  'sources/canal.txt': 'Canal reopens\n\nThe trust said the canal would "carry boats again by the spring". Repairs cost £2.1m, it added.\n',
};

const PIECE = `# The mill and the canal

The owner claimed the mill had "run out of road after ninety years" [@mill]. About 140 workers will lose their jobs.

The trust insisted the canal would "carry boats again by the summer" [@canal]. Repairs cost £2.1m.

Some experts say the town "has never been busier" [@canal].

> The owner said the mill had run out of road

The union admitted that 140 jobs would go in 2025 [@mill]. "Words nobody printed at all" [@mill].
`;

const doc = (text: string) => ({ uri: 'file:///ws/piece.md', path: 'piece.md', text });

function engineWith(): Engine {
  const engine = createEngine({ buildId: 'build' });
  engine.setConfig('file:///ws/.provenance.yml', CONFIG);
  for (const [file, text] of Object.entries(SOURCES)) engine.setSource(`file:///ws/${file}`, file, text);
  return engine;
}

/** A second engine of the same build with the first's kept answers, as the next CLI run has them. */
function secondRun(text = PIECE, cache?: Uint8Array): Engine {
  const first = engineWith();
  first.beginAnswerScope();
  first.check(doc(text));
  const second = engineWith();
  second.beginAnswerScope();
  second.importIndexCache(cache ?? first.exportIndexCache(false, ANSWER_SECTIONS)!);
  return second;
}

/** `checkAsJson`'s parts and result, each read back, and their JSON texts. */
function asJson(engine: Engine, text: string): { findings: Finding[]; texts: string[] } {
  const parts: Uint8Array[] = [];
  const result = engine.checkAsJson(doc(text), undefined, undefined, (part) => parts.push(part));
  // The result comes last: the parts were sent before it.
  parts.push(result);
  return { findings: joinFindings(parts.map(readFindingsJson)), texts: parts.map((part) => new TextDecoder().decode(part)) };
}

test('findings JSON: a plain list of findings reads back as it was, in its order', () => {
  const findings: Finding[] = [
    { ruleId: 'quote/misquote', severity: 'error', message: 'Misquote: “naïve” → "naive"', span: { start: 3, end: 9 }, fixes: [{ title: 'Fix', edits: [{ span: { start: 4, end: 8 }, newText: 'x' }] }], data: { similarity: 0.9 } },
    { ruleId: 'style/weasel-words', severity: 'warning', message: 'Vague', span: { start: 12, end: 20 } },
  ];
  assert.deepEqual(readFindingsJson(findingsJson(findings)), findings);
  assert.deepEqual(readFindingsJson(findingsJson([...findings].reverse())), [...findings].reverse());
  assert.deepEqual(readFindingsJson(findingsJson([])), []);
});

test('findings JSON: the next run passes its kept findings through unparsed, and reads back exactly what check gives', () => {
  const fresh = engineWith().check(doc(PIECE));
  assert.ok(fresh.length >= 6, `the fixture has findings of several rules (${fresh.map((f) => f.ruleId).join(', ')})`);
  const { findings, texts } = asJson(secondRun(), PIECE);
  assert.deepEqual(findings, fresh);
  // Kept findings went through as [blockStart, reports] items, in parts sent while the check went on.
  assert.ok(texts.length > 1, 'parts were sent before the result');
  const keptItems = texts.flatMap((text) => (JSON.parse(text) as { items: unknown[] }).items.filter(Array.isArray));
  assert.ok(keptItems.length >= 4, `kept findings passed through (${keptItems.length} blocks)`);
  // The same engine's check gives the same list as the text does.
  assert.deepEqual(secondRun().check(doc(PIECE)), fresh);
});

test('findings JSON: after an edit, kept findings of moved blocks land at their new places, new ones among them in check order', () => {
  const edited = PIECE.replace('# The mill and the canal\n', '# The mill and the canal\n\nA new paragraph where the owner insisted "nothing at all was said".\n');
  const fresh = engineWith().check(doc(edited));
  const first = engineWith();
  first.beginAnswerScope();
  first.check(doc(PIECE));
  const second = engineWith();
  second.beginAnswerScope();
  second.importIndexCache(first.exportIndexCache(false, ANSWER_SECTIONS)!);
  second.adoptEarlierParse(doc(edited), first.parseState(doc(PIECE))!);
  assert.deepEqual(asJson(second, edited).findings, fresh);
});

test('findings JSON: a piece with a disable comment reads its kept findings, so the comment still hides what it names', () => {
  const withComment = PIECE.replace('The trust insisted', '<!-- provenance-disable-next-line style/attribution-verb -->\nThe trust insisted');
  const fresh = engineWith().check(doc(withComment));
  assert.ok(!fresh.some((f) => f.ruleId === 'style/attribution-verb' && withComment.slice(f.span.start, f.span.end) === 'insisted'));
  const { findings, texts } = asJson(secondRun(withComment), withComment);
  assert.deepEqual(findings, fresh);
  assert.equal(texts.length, 1, 'no part is sent early');
  assert.ok(!(JSON.parse(texts[0]) as { items: unknown[] }).items.some(Array.isArray), 'no kept findings passed through');
});

test('findings JSON: damaged kept findings in the cache file are not taken, and the check makes them again', () => {
  const first = engineWith();
  first.beginAnswerScope();
  first.check(doc(PIECE));
  const sections = decodeCache(first.exportIndexCache(false, ANSWER_SECTIONS)!)!;
  const section = sections.get(SOURCED_BLOCK_FINDINGS_SECTION)!;
  // A span's offset changed in the file, the JSON still valid: only the section's sum can tell.
  const text = Buffer.from(section).toString('latin1');
  const at = text.search(/"start":\d/);
  assert.ok(at > 0);
  const damaged = Uint8Array.from(section);
  damaged[at + 8] = damaged[at + 8] === 0x39 ? 0x38 : damaged[at + 8] + 1;
  sections.set(SOURCED_BLOCK_FINDINGS_SECTION, damaged);
  const { findings, texts } = asJson(secondRun(PIECE, encodeCache(sections)), PIECE);
  assert.deepEqual(findings, engineWith().check(doc(PIECE)));
  const keptSourced = texts.flatMap((t) => (JSON.parse(t) as { items: unknown[] }).items.filter(Array.isArray)).filter((item) => JSON.stringify(item).includes('"ruleId":"quote/'));
  assert.equal(keptSourced.length, 0, 'none of the damaged section passed through');
});

test('findings JSON: bytes it did not write are refused with a RangeError', () => {
  const bytes = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
  const kept = (reports: unknown, severities: unknown = { 'style/weasel-words': 'warning' }) => bytes({ format: 2, severities, items: [[10, reports]] });
  const report = { ruleId: 'style/weasel-words', message: 'Vague', span: { start: 0, end: 4 } };
  assert.deepEqual(readFindingsJson(kept([report])), [{ ruleId: 'style/weasel-words', severity: 'warning', message: 'Vague', span: { start: 10, end: 14 } }]);
  const good = findingsJson([{ ruleId: 'style/weasel-words', severity: 'warning', message: 'Vague “here”', span: { start: 0, end: 4 } }]);
  for (const bad of [
    bytes('[]'),
    bytes({ format: 1, severities: {}, items: [] }),
    bytes({ format: 2, items: [] }),
    bytes({ format: 2, severities: {}, items: [7] }),
    kept([{ ...report, span: { start: 4, end: 0 } }]),
    kept([report], {}),
    kept([report], { 'style/weasel-words': 'loud' }),
    bytes({ format: 2, severities: {}, items: [[1.5, []]] }),
    good.subarray(0, good.length - 1),
    // Not UTF-8: the first byte of "“" without the rest.
    Uint8Array.from([...good.subarray(0, good.indexOf(0xe2) + 1), ...good.subarray(good.indexOf(0xe2) + 3)]),
  ]) {
    assert.throws(() => readFindingsJson(bad), RangeError, new TextDecoder().decode(bad));
  }
});
