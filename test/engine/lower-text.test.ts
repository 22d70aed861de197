/**
 * The masked text's lower case for `style/acronym-first-use`
 * (engine/style/lower-text.ts): kept from one CLI run to the next, it answers
 * `lastIndexOf` for the next text exactly as a search of that text would,
 * without searching it again; kept for another text, or damaged, it is not
 * taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeptLowerText, lowerTextOf, lowerTextWork, LOWER_TEXT_SECTION } from '../../server/src/engine/style/lower-text';
import { contentKey } from '../../server/src/engine/index-cache';
import type { Finding } from '../../server/src/engine/types';
import { twoRuns } from '../helpers/two-runs';
import { mulberry32 } from '../helpers/random';

const NEEDLES = ['federal open market committee', 'european central bank', 'bank', 'the ', 'ö', 'committee (fomc)'];
const WORDS = ['The', 'Federal', 'Open', 'Market', 'Committee', '(FOMC)', 'European', 'Central', 'Bank', 'said', 'ÖVP', 'rates', 'rise', '\n\n', 'bank.'];

function randomText(random: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

/** A kept section for `text` with every needle asked, as a run exports it. */
function keptFor(text: string): Uint8Array {
  const kept = new KeptLowerText(contentKey);
  const lower = lowerTextOf(text);
  for (const needle of NEEDLES) lower.lastIndexOf(needle, text.length);
  kept.use(lower);
  return kept.exportSection();
}

test('lower text: occurrences kept for the earlier text answer for the next one exactly, without searching it again', () => {
  const random = mulberry32(11);
  for (let round = 0; round < 40; round++) {
    const earlier = randomText(random, 300);
    const at = Math.floor(random() * earlier.length);
    const next = earlier.slice(0, at) + randomText(random, 1 + Math.floor(random() * 20)) + earlier.slice(at + Math.floor(random() * 50));
    const bytes = keptFor(earlier);
    lowerTextOf(`another piece ${round}`); // what the process asked last is another text, as in a fresh CLI worker
    const kept = new KeptLowerText(contentKey);
    assert.equal(kept.importSection(bytes), 1);
    const searches = lowerTextWork.searches;
    const lower = lowerTextOf(next, { store: kept, earlierText: earlier });
    const lowered = next.toLowerCase();
    for (const needle of NEEDLES) for (const position of [0, Math.floor(next.length / 3), Math.floor(next.length / 2), next.length]) assert.equal(lower.lastIndexOf(needle, position), lowered.lastIndexOf(needle, position), `round ${round}, "${needle}" before ${position}`);
    assert.equal(lowerTextWork.searches, searches, 'no needle searched again');
  }
});

test('lower text: occurrences kept for another text, or damaged, are not taken', () => {
  const text = 'The Federal Open Market Committee met; the European Central Bank did not.';
  const kept = new KeptLowerText(contentKey);
  kept.importSection(keptFor(text));
  assert.ok(kept.restore(text), 'the same text');
  assert.equal(kept.restore(text + ' '), undefined, 'another text');
  const good = JSON.parse(new TextDecoder().decode(keptFor(text))) as Record<string, unknown>;
  for (const damaged of [
    'not json',
    '',
    JSON.stringify({ ...good, format: 99 }),
    JSON.stringify({ ...good, needles: ['bank'] }),
    JSON.stringify({ ...good, starts: (good.starts as number[][]).map((starts) => [...starts].reverse().concat(-1)) }),
    JSON.stringify({ ...good, needles: (good.needles as string[]).map(() => '') }),
    JSON.stringify({ ...good, length: 'long' }),
  ]) {
    const other = new KeptLowerText(contentKey);
    assert.equal(other.importSection(new TextEncoder().encode(damaged)), 0, damaged.slice(0, 40));
    assert.equal(other.restore(text), undefined);
  }
});

test('lower text: an engine that starts from the last run\'s parse and kept occurrences reports what a fresh one does, searching nothing again', () => {
  const text = [
    'The FOMC met on Tuesday.',
    '',
    'Earlier, the European Central Bank had said so, and the ECB stayed put.',
    '',
    ...Array.from({ length: 20 }, (_, i) => `Paragraph ${i} says nothing about central banks, only about the weather and the harbour.\n`),
    'Later, the Federal Open Market Committee (FOMC) said rates would rise; the European Central Bank (ECB) agreed.',
    '',
  ].join('\n');
  // An edit small beside the piece (a text that differs in most of its length is searched afresh), which names the committee in full.
  const next = text.replace('Paragraph 10 says nothing', 'Paragraph 10 says the federal open market committee said nothing');
  const acronyms = (findings: Finding[]) => findings.filter((f) => f.ruleId === 'style/acronym-first-use').map((f) => (f.data as { acronym: string }).acronym);
  const runs = twoRuns(text, next, LOWER_TEXT_SECTION, { between: () => lowerTextOf('another piece checked in between'), work: () => lowerTextWork.searches });
  assert.deepEqual(acronyms(runs.first), ['FOMC'], 'the European Central Bank is named before the ECB\'s first use, the FOMC\'s full name only after');
  assert.deepStrictEqual(runs.second, runs.fresh);
  assert.deepEqual(acronyms(runs.second), ['FOMC'], 'the full name written after the first use does not count');
  assert.equal(runs.work, 0, 'the needles were not searched again');
});
