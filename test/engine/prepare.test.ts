/** Engine.prepare builds ahead what requests need, and never makes them answer from a stale corpus. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type DocumentInput, type Engine } from '../../server/src/engine/index';
import { SourceIndex } from '../../server/src/engine/quotes/source-index';
import { claimWork } from '../../server/src/engine/claims/analyse';

const WALL = 'Council approves harbour wall\n\nThe engineer Ada Lovelace said the wall "will protect the old town for a hundred years" on Monday.\n';
const MOVED = 'Council approves harbour wall\n\nThe engineer Ada Lovelace said the wall would be finished in spring.\n';
const PIECE = 'The engineer said it "will protect the old town for a hundred years" [@harbour-wall]. Ada Lovelace spoke on Monday.\n';

function engineWith(source: string): Engine {
  const engine = createEngine();
  engine.setSource('file:///ws/sources/harbour-wall.txt', 'sources/harbour-wall.txt', source);
  return engine;
}

/** Every request's answer at every offset, as plain data. */
function answers(engine: Engine, doc: DocumentInput): string {
  const all: unknown[] = [engine.check(doc)];
  for (let offset = 0; offset <= doc.text.length; offset += 3) {
    all.push(engine.hover(doc, offset)?.markdown ?? null, engine.definition(doc, offset), engine.completion(doc, offset));
  }
  return JSON.stringify(all);
}

test('prepare: steps run one by one give the same answers as an engine that built nothing ahead', () => {
  const doc = { uri: 'file:///ws/piece.md', text: PIECE };
  const prepared = engineWith(WALL);
  const steps = prepared.prepare([doc]);
  assert.ok(steps.length >= 4, 'corpus-wide products and the piece, each a step');
  for (const step of steps) step();
  assert.equal(answers(prepared, doc), answers(engineWith(WALL), doc));
});

test('prepare: a source changed after preparing changes the answers (nothing prepared is kept past the change)', () => {
  const doc = { uri: 'file:///ws/piece.md', text: PIECE };
  const engine = engineWith(WALL);
  for (const step of engine.prepare([doc])) step();
  const before = engine.hover(doc, PIECE.indexOf('old town'))?.markdown ?? '';
  engine.setSource('file:///ws/sources/harbour-wall.txt', 'sources/harbour-wall.txt', MOVED);
  const after = engine.hover(doc, PIECE.indexOf('old town'))?.markdown ?? '';
  assert.notEqual(after, before);
  assert.equal(answers(engine, doc), answers(engineWith(MOVED), doc));
  assert.ok(engine.check(doc).some((f) => f.ruleId === 'quote/not-found'));
});

test('prepare: the quotation index step makes the postings, so the first request after it makes none', () => {
  const engine = engineWith(WALL);
  engine.setSource('file:///ws/sources/moved.txt', 'sources/moved.txt', MOVED);
  const doc: DocumentInput = { uri: 'file:///ws/piece.md', text: PIECE, version: 1 };
  // The first step is the quotation index (engine/index.ts); it alone must leave nothing for a lookup to build.
  engine.prepare()[0]();
  const prototype = SourceIndex.prototype as unknown as { makeSegment: (...args: unknown[]) => unknown };
  const makeSegment = prototype.makeSegment;
  let made = 0;
  prototype.makeSegment = function (this: unknown, ...args: unknown[]) {
    made++;
    return makeSegment.apply(this, args);
  };
  try {
    assert.match(engine.hover(doc, PIECE.indexOf('protect'))?.markdown ?? '', /verbatim|Verbatim|harbour-wall/);
    assert.equal(made, 0, 'a segment was made while answering');
  } finally {
    prototype.makeSegment = makeSegment;
  }
});

/** A long piece of distinct sentences (claims and not), with a name the sources know: ~70 KB. */
function longPiece(): string {
  const paragraphs: string[] = [];
  for (let i = 0; i < 300; i++) {
    paragraphs.push(
      `In ${1900 + (i % 120)} the council of Harbourtown ${i} spent ${i + 3} million on wall number ${i}, said Ada Lovelace. ` +
        `The engineers of district ${i} were pleased with section ${i * 7}. Readers of paragraph ${i} may wonder why.`,
    );
  }
  return paragraphs.join('\n\n') + '\n';
}

test('prepare: a long piece is prepared in steps of a share of it each, and leaves nothing for its check to do', () => {
  const text = longPiece();
  const doc: DocumentInput = { uri: 'file:///ws/long.md', text, version: 1 };
  const engine = engineWith(WALL);
  const corpusSteps = engine.prepare().length;
  const pieceSteps = engine.prepare([doc]).slice(corpusSteps);
  const shortSteps = engine.prepare([{ uri: 'file:///ws/piece.md', text: PIECE }]).length - corpusSteps;
  assert.ok(pieceSteps.length >= shortSteps + 12, `${pieceSteps.length} steps for ${text.length} characters, ${shortSteps} for a short piece`);

  const sentences = 900;
  const perStep: number[] = [];
  for (const step of pieceSteps) {
    const before = claimWork.sentencesChecked;
    step();
    perStep.push(claimWork.sentencesChecked - before);
  }
  assert.equal(
    perStep.reduce((a, b) => a + b, 0),
    sentences,
    'every sentence checked once, ahead',
  );
  assert.ok(Math.max(...perStep) <= sentences / 4, `no step checks most sentences: ${perStep.filter(Boolean).join(' ')}`);
  const before = claimWork.sentencesChecked;
  const findings = engine.check(doc);
  assert.equal(claimWork.sentencesChecked, before, 'the check found every sentence checked');
  assert.ok(findings.some((f) => f.ruleId === 'claim/unsourced'));
  assert.equal(JSON.stringify(findings), JSON.stringify(engineWith(WALL).check({ ...doc, uri: 'file:///ws/long-again.md' })));
});
