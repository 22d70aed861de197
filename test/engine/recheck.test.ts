/**
 * Re-checking an edited piece on the same engine (its parse, quotation,
 * claim and actor caches warm from the previous text) gives exactly what a
 * fresh engine gives: an edit in one paragraph changes that paragraph's
 * findings only, and a rule over the whole piece (acronym first use) sees
 * an edit made in another paragraph.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type Engine, type Finding } from '../../server/src/engine/index';

const SOURCE = 'Council approves harbour wall\n\nThe mayor said the cost was "a fair price for a safe harbour, and the town will pay it gladly".\n';
const P1 = 'The mayor called it "a fair price for a safer harbour, and the town will pay it gladly" [@harbour-wall].';
const P2 = 'The KHA will decide on the wall next year.';
const PIECE = `# The wall\n\n${P1}\n\n${P2}\n`;

function engineWithSource(): Engine {
  const engine = createEngine();
  engine.setSource('file:///ws/sources/harbour-wall.txt', 'sources/harbour-wall.txt', SOURCE);
  return engine;
}

/** Findings as (rule, the text they cover): independent of where the paragraph moved. */
function covered(text: string, findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId}: ${text.slice(f.span.start, f.span.end)}`);
}

test('re-check: each edit gives what a fresh engine gives; one paragraph’s edit changes only its findings', () => {
  const engine = engineWithSource();
  const check = (text: string) => {
    const doc = { uri: 'file:///ws/piece.md', text };
    const findings = engine.check(doc);
    assert.deepEqual(findings, engineWithSource().check(doc), 'same as a fresh engine');
    return findings;
  };

  const before = check(PIECE);
  const kha = (findings: readonly Finding[], text: string) => findings.filter((f) => f.ruleId === 'style/acronym-first-use' && text.slice(f.span.start, f.span.end) === 'KHA');
  assert.equal(before.filter((f) => f.ruleId === 'quote/misquote').length, 1);
  assert.equal(kha(before, PIECE).length, 1);

  // Fix the misquote: that finding goes; paragraph 2's findings stay, moved one character left.
  const fixed = PIECE.replace('safer harbour', 'safe harbour');
  const afterFix = check(fixed);
  assert.equal(afterFix.filter((f) => f.ruleId === 'quote/misquote').length, 0);
  const p2Start = (text: string) => text.indexOf(P2);
  const inP2 = (text: string, findings: readonly Finding[]) => covered(text, findings.filter((f) => f.span.start >= p2Start(text)));
  assert.deepEqual(inP2(fixed, afterFix), inP2(PIECE, before));
  assert.deepEqual(
    afterFix.filter((f) => f.span.start >= p2Start(fixed)).map((f) => f.span.start + 1),
    before.filter((f) => f.span.start >= p2Start(PIECE)).map((f) => f.span.start),
  );

  // Spell the acronym out in paragraph 1: the whole-piece rule no longer fires in paragraph 2.
  const spelt = fixed.replace('The mayor called it', 'The Kestrel Harbour Authority (KHA) heard the mayor call it');
  const afterSpelling = check(spelt);
  assert.equal(kha(afterSpelling, spelt).filter((f) => f.span.start >= p2Start(spelt)).length, 0);

  // Undo it: the finding comes back, as the first text had it.
  const undone = check(fixed);
  assert.deepEqual(undone, afterFix);
});
