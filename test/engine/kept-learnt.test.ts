/**
 * What a piece's names were learnt from, kept from one CLI run to the next
 * (claims/names.ts KeptLearnt): a run that starts from the last run's text
 * relearns only the paragraphs its edit touched and learns exactly what
 * reading every paragraph learns; a state kept for another text, or damaged,
 * is not taken; an unchanged piece's state is written back as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeptLearnt, learnNames, learnNamesWhole, namesWork, LEARNT_NAMES_SECTION } from '../../server/src/engine/claims/names';
import { contentKey } from '../../server/src/engine/index-cache';
import { twoRuns } from '../helpers/two-runs';
import { mulberry32 } from '../helpers/random';

const WORDS = ['the', 'minister', 'said', 'Lavrov', 'Valley', 'water', 'valley', 'Water', 'met', 'in', 'Moscow', 'EAEU', 'and', 'talks', 'on', 'Tuesday,'];

function paragraph(random: () => number): string {
  return Array.from({ length: 8 + Math.floor(random() * 10) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ') + '.';
}

function piece(random: () => number, paragraphs: number): string[] {
  return Array.from({ length: paragraphs }, () => paragraph(random));
}

/** The kept section for `text`, as a run that learnt its names exports it. */
function keptFor(text: string): Uint8Array {
  const store = new KeptLearnt(contentKey);
  learnNames(text, undefined, { store });
  return store.exportSection();
}

test('kept learnt names: relearnt from the last run\'s text, the names are what reading every paragraph gives, and only the edited paragraphs are read', () => {
  const random = mulberry32(5);
  for (let round = 0; round < 30; round++) {
    const paragraphs = piece(random, 40);
    const earlier = paragraphs.join('\n\n');
    // One edit (a text edited in two far places is read again between them): a paragraph rewritten, or one added at the end.
    const edited = [...paragraphs];
    if (round % 3 === 0) edited.push(paragraph(random));
    else edited[Math.floor(random() * edited.length)] = paragraph(random);
    const next = edited.join('\n\n');
    const bytes = keptFor(earlier);
    learnNames(`another piece ${round}`); // what the process learnt last is another text, as in a fresh CLI worker
    const store = new KeptLearnt(contentKey);
    assert.equal(store.importSection(bytes), 1);
    const read = namesWork.paragraphsRead;
    const names = learnNames(next, undefined, { store, earlierText: () => earlier });
    const readHere = namesWork.paragraphsRead - read;
    assert.deepEqual([...names].sort(), [...learnNamesWhole(next)].sort(), `round ${round}`);
    assert.ok(readHere <= 4, `round ${round}: ${readHere} paragraphs read of ${edited.length}`);
  }
});

test('kept learnt names: a state kept for another text, or damaged, is not taken; one used as it was is written back as it was', () => {
  const text = 'The minister met Lavrov in Moscow.\n\nValley water was low, said the Valley board.';
  const bytes = keptFor(text);
  const store = new KeptLearnt(contentKey);
  store.importSection(bytes);
  assert.equal(store.restore(text + ' '), undefined, 'another text');
  const restored = store.restore(text);
  assert.ok(restored);
  store.use(restored);
  assert.equal(store.dirty, false, 'used as it was kept');
  assert.deepEqual(store.exportSection(), bytes, 'written back byte for byte');

  const good = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  for (const damaged of [
    'not json',
    JSON.stringify({ ...good, format: 7 }),
    JSON.stringify({ ...good, starts: [5] }),
    JSON.stringify({ ...good, candidates: [['Lavrov', 0]] }),
    JSON.stringify({ ...good, words: [{ candidates: 'Lavrov' }, { candidates: [], lowerCase: [] }] }),
    JSON.stringify({ ...good, key: 12 }),
  ]) {
    const other = new KeptLearnt(contentKey);
    assert.equal(other.importSection(new TextEncoder().encode(damaged)), 0, damaged.slice(0, 40));
    assert.equal(other.restore(text), undefined);
  }
});

test('kept learnt names: an engine that starts from the last run\'s parse and kept state reports what a fresh one does, reading only the edited paragraphs', () => {
  const random = mulberry32(9);
  const paragraphs = piece(random, 60);
  const text = paragraphs.join('\n\n') + '\n';
  const next = text.replace(paragraphs[30], 'Lavrov said the EAEU met 12 times in 2023.');
  const runs = twoRuns(text, next, LEARNT_NAMES_SECTION, { between: () => learnNames('another piece checked in between'), work: () => namesWork.paragraphsRead });
  assert.deepStrictEqual(runs.second, runs.fresh);
  assert.ok(runs.work <= 4, `${runs.work} paragraphs read of ${paragraphs.length}`);
});
