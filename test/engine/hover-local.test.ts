/**
 * A hover on a quotation or a claim of a piece nothing has analysed yet
 * checks that quotation or sentence, not all of the piece's: the first hover
 * on a 200 KB piece matched ~1,700 quotations and detected every sentence.
 * What it made is then reused by the check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type DocumentInput, type Engine } from '../../server/src/engine/index';
import { quoteWork } from '../../server/src/engine/analysis';
import { claimWork } from '../../server/src/engine/claims/analyse';
import { EntityStore } from '../../server/src/engine/entities';

const SOURCE = 'Council approves harbour wall\n\nThe engineer Ada Lovelace said the wall "will protect the old town for a hundred years" on Monday.\n';

function engineWithSource(): Engine {
  const engine = createEngine();
  engine.setSource('file:///ws/sources/harbour-wall.txt', 'sources/harbour-wall.txt', SOURCE);
  return engine;
}

/** 120 paragraphs, each a verified quotation and an unsourced claim of its own. */
function piece(tag: string): string {
  const paragraphs: string[] = [];
  for (let i = 0; i < 120; i++) {
    paragraphs.push(`Ada Lovelace said it "will protect the old town" [@harbour-wall]. In ${1900 + i} the ${tag} town spent ${i + 2} million on section ${i}.`);
  }
  return paragraphs.join('\n\n') + '\n';
}

test('hover on a quotation: only that quotation is checked, and the check reuses its verdict', () => {
  const engine = engineWithSource();
  const doc: DocumentInput = { uri: 'file:///ws/quotes.md', text: piece('quoting'), version: 1 };
  const at = doc.text.indexOf('"will protect', doc.text.length / 2) + 3;
  const before = quoteWork.quotationsChecked;
  assert.match(engine.hover(doc, at)?.markdown ?? '', /Quotation verified/);
  assert.equal(quoteWork.quotationsChecked - before, 1);
  const findings = engine.check(doc);
  assert.equal(quoteWork.quotationsChecked - before, 120, 'the check made the other 119, not the hovered one again');
  assert.equal(JSON.stringify(findings), JSON.stringify(engineWithSource().check({ ...doc, uri: 'file:///ws/quotes-again.md' })));
});

test('hover on a claim: only that sentence is checked, and the check reuses it', () => {
  const engine = engineWithSource();
  const doc: DocumentInput = { uri: 'file:///ws/claims.md', text: piece('claiming'), version: 1 };
  const at = doc.text.indexOf('In 1960') + 4;
  const before = claimWork.sentencesChecked;
  assert.match(engine.hover(doc, at)?.markdown ?? '', /Unsourced claim/);
  assert.equal(claimWork.sentencesChecked - before, 1);
  const findings = engine.check(doc);
  assert.equal(claimWork.sentencesChecked - before, 240, 'the check made the other 239 sentences');
  assert.ok(findings.some((f) => f.ruleId === 'claim/unsourced'));
  assert.equal(JSON.stringify(findings), JSON.stringify(engineWithSource().check({ ...doc, uri: 'file:///ws/claims-again.md' })));
});

test('hover away from a name: the actors named in the piece are not resolved; on a name they are', () => {
  const engine = engineWithSource();
  const doc: DocumentInput = { uri: 'file:///ws/names.md', text: piece('naming'), version: 1 };
  const prototype = EntityStore.prototype as unknown as { mentions: (...args: unknown[]) => unknown };
  const mentions = prototype.mentions;
  let resolved = 0;
  prototype.mentions = function (this: unknown, ...args: unknown[]) {
    resolved++;
    return mentions.apply(this, args);
  };
  try {
    assert.match(engine.hover(doc, doc.text.indexOf('"will protect') + 3)?.markdown ?? '', /Quotation verified/);
    assert.equal(resolved, 0, 'a hover on a quotation resolved the whole piece’s actors');
    assert.match(engine.hover(doc, doc.text.indexOf('Lovelace', doc.text.length / 2) + 2)?.markdown ?? '', /Ada Lovelace/);
    assert.equal(resolved, 1);
  } finally {
    prototype.mentions = mentions;
  }
});
