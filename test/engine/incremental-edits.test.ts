/**
 * Random edit sequences through the real incremental path: one engine (and
 * the rules' caches that outlive a check) sees every version of a piece in
 * turn, as the language server does while a writer types, and after every
 * edit it must report exactly what an engine that never saw the earlier
 * versions reports. Edits insert and delete characters and lines in prose,
 * quotations, headings and claims, and move acronyms and their spelt-out
 * forms before and after each other.
 *
 * The acronym rule's lower-cased text is carried across edits at module level
 * (shared by every engine of the process), so it is also checked on its own
 * against a from-scratch `toLowerCase().lastIndexOf()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moveLine, randomBelow } from '../helpers/edits';
import { createEngine, type Engine } from '../../server/src/engine/index';
import { lowerTextOf } from '../../server/src/engine/style/lower-text';
import { claimsCarried } from '../../server/src/engine/claims/analyse';

const SOURCES: Record<string, string> = {
  'sources/harbour.txt': `Council approves harbour wall

The Kestrel Harbour Authority (KHA) said the cost was "a fair price for a safe harbour, and the town will pay it gladly". The mayor said fuel costs had risen by a third.
`,
  'sources/states.txt': `Trade bloc meets

Leaders of the Commonwealth of Independent States (CIS) met in Minsk. The Eurasian Economic Union (EAEU) grew by 4% last year, the bank said.
`,
};

const PIECE = `# Harbour and trade

The KHA will decide on the wall next year. The mayor called it "a fair price for a safer harbour, and the town will pay it gladly" [@harbour].

The Kestrel Harbour Authority (KHA) met on Monday. Fuel costs have risen by a third, officials said.

## The CIS and the EAEU

Leaders of the CIS met in Minsk. The Eurasian Economic Union grew by 4% last year [@states]. The EAEU "grew by 4% last year" and the NATO summit was delayed.

- The Commonwealth of Independent States met again.
- Prices rose by 12%, the minister said.
`;

/** Snippets typed into the piece: acronyms, their full names, quotation marks, claim words, headings, line breaks. */
const SNIPPETS = [
  'KHA ',
  'CIS ',
  'EAEU',
  'NATO ',
  'Kestrel Harbour Authority ',
  'Commonwealth of Independent States ',
  'Eurasian Economic Union (EAEU) ',
  '"',
  '“a safe harbour”',
  ' said',
  ' by 40%',
  '\n',
  '\n\n',
  '# ',
  '- ',
  '[@states]',
  ' so ',
  'İ',
  'Σ',
  '𐐀',
];

function engineWithSources(): Engine {
  const engine = createEngine();
  for (const [file, text] of Object.entries(SOURCES)) engine.setSource(`file:///ws/${file}`, file, text);
  return engine;
}

function randomEdit(text: string, next: (n: number) => number): string {
  const at = next(text.length + 1);
  switch (next(4)) {
    case 0: {
      // Delete a few characters.
      const end = Math.min(text.length, at + 1 + next(12));
      return text.slice(0, at) + text.slice(end);
    }
    case 1: {
      // Delete a whole line.
      const start = text.lastIndexOf('\n', at - 1) + 1;
      const end = text.indexOf('\n', at);
      return text.slice(0, start) + (end < 0 ? '' : text.slice(end + 1));
    }
    case 2:
      // Move a line elsewhere (an acronym's first use moves before or after its spelt-out form).
      return moveLine(text, at, next);
    default: {
      const snippet = SNIPPETS[next(SNIPPETS.length)];
      return text.slice(0, at) + snippet + text.slice(at);
    }
  }
}

test('incremental edits: after every random edit, the engine that saw the earlier versions reports what a fresh engine reports', () => {
  const engine = engineWithSources();
  const uri = 'file:///ws/piece.md';
  const firstFindings = engine.check({ uri, text: PIECE });
  assert.ok(firstFindings.some((f) => f.ruleId === 'style/acronym-first-use'), 'the piece exercises the acronym rule');
  assert.ok(firstFindings.some((f) => f.ruleId === 'quote/misquote'), 'the piece exercises the quotation rules');
  for (const seed of [1, 2, 3]) {
    const next = randomBelow(seed);
    let text = PIECE;
    for (let step = 0; step < 60; step++) {
      // Mostly small edits on the last version (as typing), sometimes back to the start (as undo).
      text = next(10) === 0 ? PIECE : randomEdit(text, next);
      const doc = { uri, text, version: step };
      assert.deepEqual(engine.check(doc), engineWithSources().check(doc), `seed ${seed}, step ${step}:\n${text}`);
    }
  }
});

test('incremental edits: the acronym rule’s lower-cased text answers lastIndexOf as the whole text lower-cased would, edit after edit', () => {
  const next = randomBelow(7);
  const needles = ['kestrel harbour authority', 'commonwealth of independent states', 'eurasian economic union', 'the', 'a', 'i̇', 'σ', 'ς', '𐐨', 'so so'];
  let text = PIECE.repeat(3);
  for (let step = 0; step < 300; step++) {
    text = randomEdit(text, next);
    const lower = lowerTextOf(text);
    const expected = text.toLowerCase();
    for (const needle of needles) {
      for (const at of [0, next(text.length + 1), next(text.length + 1), text.length]) {
        assert.equal(lower.lastIndexOf(needle, at), expected.lastIndexOf(needle, at), `step ${step}: "${needle}" at ${at}`);
      }
    }
  }
});

test('incremental edits: an edit that completes, splits or joins a name, or swaps half a surrogate pair, is seen by the carried-over lower case', () => {
  const padding = 'Words before the edit. '.repeat(20);
  const cases: Array<[before: string, after: string, needle: string]> = [
    // The edit completes a name whose start lies before it.
    [`${padding}The Kestrel Harb met.`, `${padding}The Kestrel Harbour Authority met.`, 'kestrel harbour authority'],
    // Deleting what stood in the middle joins the two halves.
    [`${padding}The Kestrel HarbXXour Authority met.`, `${padding}The Kestrel Harbour Authority met.`, 'kestrel harbour authority'],
    // Typing in the middle splits the name: its occurrence goes.
    [`${padding}The Kestrel Harbour Authority met.`, `${padding}The Kestrel Harbo-ur Authority met.`, 'kestrel harbour authority'],
    // The edit completes a name whose end lies after it.
    [`${padding}The Kestrel our Authority met.`, `${padding}The Kestrel Harbour Authority met.`, 'kestrel harbour authority'],
    // 𐐀 → 𐐁: the same high surrogate, another low one; the pair is lower-cased as one character.
    [`${padding}Name \u{10400}x.`, `${padding}Name \u{10401}x.`, '\u{10429}'],
  ];
  for (const [before, after, needle] of cases) {
    lowerTextOf(before).lastIndexOf(needle, before.length);
    const carried = lowerTextOf(after);
    const expected = after.toLowerCase();
    for (const at of [0, padding.length, padding.length + 15, after.length]) {
      assert.equal(carried.lastIndexOf(needle, at), expected.lastIndexOf(needle, at), `${after}: "${needle}" at ${at}`);
    }
  }
});

test('incremental edits: typing inside paragraphs of a longer piece, with claims carried over from the version before, reports what a fresh engine reports', () => {
  const engine = engineWithSources();
  const uri = 'file:///ws/long-piece.md';
  // The piece four times over, so most blocks are far from any edit and their claim checks are carried over.
  const start = [PIECE, PIECE.replace('# Harbour and trade', '## Again'), PIECE.replace(/\[@states\]/g, '[@harbour]'), PIECE].join('\n');
  const inLine = SNIPPETS.filter((s) => !s.includes('\n') && !s.startsWith('#') && !s.startsWith('-'));
  const carriedBefore = claimsCarried.sentences;
  for (const seed of [4, 5]) {
    const next = randomBelow(seed);
    let text = start;
    engine.check({ uri, text });
    for (let step = 0; step < 60; step++) {
      // Typing after a letter, or deleting a few characters inside a line.
      const letters = [...text.matchAll(/[a-z](?=[ ,.])/g)].map((m) => m.index! + 1);
      const at = letters[next(letters.length)];
      if (next(3) === 0) {
        const end = Math.min(text.indexOf('\n', at) < 0 ? text.length : text.indexOf('\n', at), at + 1 + next(6));
        text = text.slice(0, at) + text.slice(end);
      } else {
        text = text.slice(0, at) + ' ' + inLine[next(inLine.length)] + text.slice(at);
      }
      const doc = { uri, text, version: step };
      assert.deepEqual(engine.check(doc), engineWithSources().check(doc), `seed ${seed}, step ${step}:\n${text}`);
    }
  }
  assert.ok(claimsCarried.sentences - carriedBefore > 500, `claim checks carried over: ${claimsCarried.sentences - carriedBefore}`);
});
