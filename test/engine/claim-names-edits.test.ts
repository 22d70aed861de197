/**
 * learnNames reads only the paragraphs around an edit of the text it last
 * learnt from (claims/names.ts `relearn`): after any chain of edits it must
 * answer what a reading of every paragraph answers, and hand back a new set
 * exactly when the names changed (nameAnswers tells edits apart by that).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learnNames, learnNamesWhole, paragraphWordsMemo } from '../../server/src/engine/claims/names';
import { mulberry32 } from '../helpers/random';

const PARAGRAPHS = [
  'The minister met Lavrov in Moscow, and later said the EAEU talks with Kazakhstan went well.',
  'Water bills rose; Valley Water said prices would fall, but the water board disagreed.',
  'Analysts at Barclays told Reuters that growth in 2024 slowed. barclays is written in lower case here.',
  'Smith and Jones met O’Neill and Lavrov’s aide on 3 May, then flew to Paris with NATO officials.',
  'Nothing capitalised follows a lower-case word in this one. Really nothing at all.',
];
const PIECES = ['a', ' ', 'so ', 'Paris', ' Kazakhstan', 'water', 'Water', ', ', '\n', '\n\n', '\n\n\n', 'NATO ', 'lavrov', 'é', 'Émile', '’s', '\t', 'x'];

test('learnNames after random edits equals a reading of every paragraph, and its set changes exactly when the names do', () => {
  const random = mulberry32(11);
  let text = Array.from({ length: 30 }, (_, i) => PARAGRAPHS[i % PARAGRAPHS.length]).join('\n\n');
  let previous = learnNames(text);
  let kept = 0;
  for (let step = 0; step < 1500; step++) {
    const at = Math.floor(random() * (text.length + 1));
    const roll = random();
    const piece = PIECES[Math.floor(random() * PIECES.length)];
    const removed = roll < 0.4 ? 0 : 1 + Math.floor(random() * (roll < 0.9 ? 4 : 40));
    text = text.slice(0, at) + (roll < 0.7 ? piece : '') + text.slice(at + removed);
    const names = learnNames(text);
    const whole = learnNamesWhole(text);
    assert.deepStrictEqual([...names].sort(), [...whole].sort(), `step ${step}: edit at ${at}`);
    const same = previous.size === names.size && [...previous].every((n) => names.has(n));
    if (same) kept++;
    assert.equal(names === previous, same, `step ${step}: the set is ${names === previous ? 'the same object though the names changed' : 'a new object though the names did not change'}`);
    previous = names;
  }
  assert.ok(kept > 300 && kept < 1500, `the names stayed the same after ${kept} of 1500 edits: the test should see both cases`);
});

test('another text is learnt afresh', () => {
  const first = learnNames('The talks went on, said Lavrov.\n\nThen Kazakhstan agreed.');
  const second = learnNames('An entirely different piece about Valley Water, written by Jones.');
  assert.notEqual(first, second);
  assert.deepStrictEqual([...second].sort(), [...learnNamesWhole('An entirely different piece about Valley Water, written by Jones.')].sort());
});

test('paragraph words kept from an earlier run: a text read afresh reads only the paragraphs that run did not, and edits after that stay right', () => {
  const original = Array.from({ length: 12 }, (_, i) => `${PARAGRAPHS[i % PARAGRAPHS.length]} (part ${i})`).join('\n\n');
  const first = paragraphWordsMemo('build');
  // Another text first, so that this one is read afresh (an edit of the last text would be read around the edit only).
  learnNames('Something else entirely.');
  assert.deepStrictEqual([...learnNames(original, first)].sort(), [...learnNamesWhole(original)].sort());
  assert.deepEqual(first.stats, { computed: 12, kept: 0 });

  // The next run: the words come back from the section, and a changed paragraph is read.
  const next = paragraphWordsMemo('build');
  next.importSection(first.exportSection());
  const edited = original.replace('Water bills rose', 'Bills rose at Water Corp');
  learnNames('Something else entirely.');
  assert.deepStrictEqual([...learnNames(edited, next)].sort(), [...learnNamesWhole(edited)].sort());
  // The changed paragraph only (the one after it has the same context: its six characters before are unchanged).
  assert.deepEqual(next.stats, { computed: 1, kept: 11 });

  // Kept words hold each word once: edits read around from them still answer what a whole reading answers.
  const random = mulberry32(5);
  let text = edited;
  for (let step = 0; step < 300; step++) {
    const at = Math.floor(random() * (text.length + 1));
    const piece = PIECES[Math.floor(random() * PIECES.length)];
    text = random() < 0.6 ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 6));
    assert.deepStrictEqual([...learnNames(text)].sort(), [...learnNamesWhole(text)].sort(), `step ${step}`);
  }

  // Another build's section is not taken.
  const other = paragraphWordsMemo('other build');
  other.importSection(first.exportSection());
  learnNames('Something else entirely.');
  learnNames(original, other);
  assert.deepEqual(other.stats, { computed: 12, kept: 0 });
});
