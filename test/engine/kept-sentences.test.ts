/**
 * A piece's prose sentences kept from one CLI run to the next
 * (claims/kept-sentences.ts): a parse made from the last run's parse takes
 * the sentences of every block the edit left alone, and has exactly the
 * sentences a fresh split gives; sentences kept for another text, or
 * damaged, are not taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMarkdown } from '../../server/src/engine/markdown';
import { reparseParagraphs } from '../../server/src/engine/markdown/paragraph-edit';
import { setAdoptedOrigin } from '../../server/src/engine/markdown/edit-support';
import { proseSentences, sentenceWork } from '../../server/src/engine/claims/analyse';
import { KeptProseSentences, PROSE_SENTENCES_SECTION } from '../../server/src/engine/claims/kept-sentences';
import { contentKey } from '../../server/src/engine/index-cache';
import { twoRuns } from '../helpers/two-runs';
import { mulberry32 } from '../helpers/random';

const PARAGRAPHS = [
  'The minister said "we will not move the date, Mr. Smith. Nor the venue." at the briefing [@seed]. A second sentence follows.',
  '- A list item says "listed words" [@ferry]. It goes on. And on!',
  '> "Quoted in a block quote," the mayor said.',
  '# A heading. With two sentences.',
  'Tolls rose by 12% in 2023. The council said so on 3 May. Dr. Jones agreed?',
  'A paragraph with a footnote.[^1] And more.',
  '[^1]: The note says "footnote words". It cites [@budget].',
  'Short one.',
];

function randomPiece(random: () => number, count: number): string[] {
  return Array.from({ length: count }, () => PARAGRAPHS[Math.floor(random() * PARAGRAPHS.length)]);
}

/** The kept section for `text`'s sentences, as a run exports it. */
function keptFor(text: string): { bytes: Uint8Array; parsed: ReturnType<typeof parseMarkdown> } {
  const parsed = parseMarkdown(text);
  const store = new KeptProseSentences(contentKey);
  store.use({ text, sentences: proseSentences(parsed) });
  return { bytes: store.exportSection(), parsed };
}

test('kept sentences: a parse made from the last run\'s takes the sentences of the blocks the edit left alone, and has exactly a fresh split\'s', () => {
  const random = mulberry32(3);
  let taken = 0;
  for (let round = 0; round < 60; round++) {
    const paragraphs = randomPiece(random, 30);
    const earlierText = paragraphs.join('\n\n') + '\n';
    const edited = [...paragraphs];
    const at = Math.floor(random() * edited.length);
    const roll = random();
    if (roll < 0.4) edited[at] = edited[at].replace(/\.\s/, '! ');
    else if (roll < 0.7) edited.splice(at, 0, 'A new paragraph. It says "new words" [@seed].');
    else if (roll < 0.85) edited.splice(at, 1);
    else edited.push('Added at the end. Twice.');
    const text = edited.join('\n\n') + '\n';
    const earlier = keptFor(earlierText);
    const parsed = reparseParagraphs(earlier.parsed, text) ?? parseMarkdown(text);
    setAdoptedOrigin(parsed, earlier.parsed);
    const store = new KeptProseSentences(contentKey);
    assert.equal(store.importSection(earlier.bytes), 1);
    const split = sentenceWork.blocks;
    const sentences = proseSentences(parsed, undefined, store);
    const splitHere = sentenceWork.blocks - split;
    assert.deepStrictEqual(sentences, proseSentences(parseMarkdown(text)), `round ${round}`);
    // The edited blocks, and those whose splitting reads into the edit (41 characters before a block, 44 after: short paragraphs reach two away).
    assert.ok(splitHere <= 6, `round ${round}: ${splitHere} blocks split`);
    taken += parsed.blocks.length - splitHere;
  }
  assert.ok(taken > 1000, `blocks taken from the kept sentences: ${taken}`);
});

test('kept sentences: an unchanged text takes them all, written back as they were; another text or damaged ones are not taken', () => {
  const text = PARAGRAPHS.join('\n\n') + '\n';
  const { bytes } = keptFor(text);
  const store = new KeptProseSentences(contentKey);
  store.importSection(bytes);
  const split = sentenceWork.blocks;
  const sentences = proseSentences(parseMarkdown(text), undefined, store);
  assert.equal(sentenceWork.blocks - split, 0, 'no block split');
  assert.deepStrictEqual(sentences, proseSentences(parseMarkdown(text)));
  assert.equal(store.dirty, false);
  assert.deepEqual(store.exportSection(), bytes, 'written back byte for byte');
  assert.equal(store.restore(text + ' '), undefined, 'another text');
  const good = JSON.parse(new TextDecoder().decode(bytes)) as { sentences: number[] };
  for (const damaged of [
    'not json',
    JSON.stringify({ ...good, sentences: good.sentences.slice(1) }),
    JSON.stringify({ ...good, sentences: good.sentences.map((n, i) => (i === 4 ? 7 : n)) }),
    JSON.stringify({ ...good, sentences: good.sentences.map((n, i) => (i === 0 ? -1 : n)) }),
  ]) {
    const other = new KeptProseSentences(contentKey);
    assert.equal(other.importSection(new TextEncoder().encode(damaged)), 0, damaged.slice(0, 40));
  }
});

test('kept sentences: an engine that starts from the last run\'s parse and kept sentences reports what a fresh one does, splitting only the edited blocks', () => {
  const random = mulberry32(17);
  const paragraphs = randomPiece(random, 80);
  const text = paragraphs.join('\n\n') + '\n';
  const next = text + '\nThe council said tolls rose by 12% in 2023. It will say more.\n';
  const runs = twoRuns(text, next, PROSE_SENTENCES_SECTION, { work: () => sentenceWork.blocks });
  assert.deepStrictEqual(runs.second, runs.fresh);
  assert.ok(runs.work <= 4, `${runs.work} blocks split of ${paragraphs.length}`);
});
