/**
 * The check worker sends each result as a delta against the previous result
 * for the same document (check-worker.ts, FindingDelta). Over random edit
 * sequences the main thread's rebuilt findings must be exactly the worker's
 * (key order included, as they are serialised again), and a finding whose
 * message, data, related information or fixes changed must never be answered
 * by the previous one moved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../server/src/engine/index';
import type { Finding } from '../../server/src/engine/types';
import { applyFindingDelta, findingDelta, rememberLastResult, MAX_REMEMBERED_RESULTS } from '../../server/src/lsp/check-worker';
import { PIECE, SECOND_SOURCE, SOURCE } from './fixture';

function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const SNIPPETS = ['so ', '\n', '\n\n', '"', 'safe ', 'KHA ', '# ', ' [@ferry-fares]', ' said the mayor', 'x'];

/** What the main thread rebuilds, sent through a structured clone as the worker's message is. */
function roundTrip(base: readonly Finding[], findings: Finding[]): Finding[] {
  return applyFindingDelta(base, structuredClone(findingDelta(base, findings)));
}

test('finding delta: over random edits the rebuilt findings are exactly the checked ones, and most are sent as moved', () => {
  const engine = createEngine();
  engine.setSource('file:///ws/sources/harbour-wall.txt', 'sources/harbour-wall.txt', SOURCE);
  engine.setSource('file:///ws/sources/ferry-fares.txt', 'sources/ferry-fares.txt', SECOND_SOURCE);
  const uri = 'file:///ws/analysis.md';
  const piece = PIECE + 'The KHA met. '.repeat(3) + '\n\nPrices rose by 40%, the minister said.\n';
  let workerBase: Finding[] = [];
  let mainBase: Finding[] = [];
  let sent = 0;
  let total = 0;
  for (const seed of [1, 2]) {
    const next = random(seed);
    let text = piece;
    for (let step = 0; step < 80; step++) {
      const at = next(text.length + 1);
      text = next(3) === 0 ? text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + next(6))) : text.slice(0, at) + SNIPPETS[next(SNIPPETS.length)] + text.slice(at);
      const findings = engine.check({ uri, text });
      const delta = findingDelta(workerBase, findings);
      const rebuilt = applyFindingDelta(mainBase, structuredClone(delta));
      assert.equal(JSON.stringify(rebuilt), JSON.stringify(findings), `seed ${seed}, step ${step}`);
      sent += delta.findings.length;
      total += findings.length;
      workerBase = findings;
      mainBase = rebuilt;
    }
  }
  assert.ok(sent < total / 4, `most findings are sent as moved ones (${sent} of ${total} sent whole)`);
});

test('finding delta: a finding that changed in anything but its place is sent whole', () => {
  const previous: Finding = {
    ruleId: 'quote/misquote',
    severity: 'warning',
    message: 'Misquoted.',
    span: { start: 10, end: 20 },
    fixes: [{ title: 'Fix it', edits: [{ span: { start: 10, end: 20 }, newText: 'right' }], isPreferred: true }],
    related: [{ location: { uri: 'file:///s.txt', span: { start: 1, end: 5 } }, message: 'passage' }],
    data: { sourceId: 'a', similarity: 0.9 },
  };
  const moved = (by: number, change: (f: Finding) => void = () => undefined): Finding => {
    const copy = structuredClone(previous);
    copy.span = { start: copy.span.start + by, end: copy.span.end + by };
    for (const fix of copy.fixes!) for (const edit of fix.edits) edit.span = { start: edit.span.start + by, end: edit.span.end + by };
    change(copy);
    return copy;
  };
  // Moved and otherwise equal: named, not sent.
  assert.equal(findingDelta([previous], [moved(7)]).findings.length, 0);
  assert.deepEqual(roundTrip([previous], [moved(7)]), [moved(7)]);
  const changes: Array<[string, (f: Finding) => void]> = [
    ['data', (f) => (f.data = { sourceId: 'a', similarity: 0.8 })],
    ['data key order', (f) => (f.data = { similarity: 0.9, sourceId: 'a' })],
    ['related', (f) => (f.related![0].location.span = { start: 2, end: 5 })],
    ['fix text', (f) => (f.fixes![0].edits[0].newText = 'other')],
    ['fix edit not moved with the finding', (f) => (f.fixes![0].edits[0].span = { start: 10, end: 20 })],
    ['fix preference', (f) => delete f.fixes![0].isPreferred],
    ['a new fix', (f) => f.fixes!.push({ title: 'More', edits: [] })],
    ['severity', (f) => (f.severity = 'error')],
    ['length', (f) => (f.span = { start: f.span.start, end: f.span.end + 1 })],
    ['a key more', (f) => (f.data = { ...f.data, extra: true })],
  ];
  for (const [what, change] of changes) {
    const changed = moved(7, change);
    const delta = findingDelta([previous], [changed]);
    assert.equal(delta.findings.length, 1, `${what}: sent whole`);
    assert.deepEqual(roundTrip([previous], [changed]), [changed], what);
  }
});

test('finding delta: both sides forget the same documents, oldest first', () => {
  const worker = new Map<string, Finding[]>();
  const main = new Map<string, Finding[]>();
  for (let i = 0; i < MAX_REMEMBERED_RESULTS + 10; i++) {
    rememberLastResult(worker, `doc${i % (MAX_REMEMBERED_RESULTS + 3)}`, []);
    rememberLastResult(main, `doc${i % (MAX_REMEMBERED_RESULTS + 3)}`, []);
  }
  assert.equal(worker.size, MAX_REMEMBERED_RESULTS);
  assert.deepEqual([...worker.keys()], [...main.keys()]);
});

test('finding delta: a delta naming a finding the main thread does not have fails loudly instead of answering wrongly', () => {
  const finding: Finding = { ruleId: 'r', severity: 'warning', message: 'm', span: { start: 0, end: 1 } };
  const delta = findingDelta([finding], [{ ...finding, span: { start: 5, end: 6 } }]);
  assert.throws(() => applyFindingDelta([], delta), /not there/);
});
