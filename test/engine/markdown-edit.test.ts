import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMarkdown, type ParsedDocument } from '../../server/src/engine/markdown';
import { reparseEdited } from '../../server/src/engine/markdown/edit';
import { mulberry32 } from '../helpers/random';
import { REPO_ROOT } from '../helpers/repo';
import { liveHeap } from '../helpers/memory';

/** A piece with every construct whose parse reaches beyond one block, plus plain paragraphs to edit. */
const MIXED = [
  '---',
  'title: Mixed',
  '---',
  '',
  '# Heading with "a quote" [@seed]',
  '',
  'The minister said "we will not move the date" at the briefing [@seed]. A second sentence follows, and "another quote" too.',
  'A lazy second line of the same paragraph, with a hard break\\',
  'and a third line after it.',
  '',
  '- A list item that says "listed words" [@ferry, p. 3].',
  '  Its continuation line, indented.',
  '- [ ] A task item with "task words".',
  '  1. A nested ordered item citing [the vote](sources/ferry-vote.md).',
  '',
  '> "Quoted in a block quote," the mayor said.',
  '> Still the quote.',
  '',
  '— Mayor, [@ferry]',
  '',
  '> Another quote, with no source of its own.',
  '',
  'The paragraph after it says "something plain" and cites [@seed] late.',
  '',
  'A paragraph with a footnote reference.[^1] And a [reference link][ref] plus `code "not a quote"`.',
  '',
  '[^1]: The footnote cites [@budget] and says "footnote words".',
  '',
  'Another paragraph cites a second note.[^2] It also says "quoted words here" plainly, then [@seed].',
  '',
  'A later paragraph refers to the first note again.[^1] And goes on after it, with more words.',
  '',
  '[^2]: The second note cites [@ferry] without quoting.',
  '',
  '[ref]: https://example.org/ref "Title"',
  '',
  '| Column | Other |',
  '| --- | --- |',
  '| "cell quote" | [@seed] |',
  '',
  '```',
  'fenced "not a quote" [@nothing]',
  '```',
  '',
  '<!-- provenance-disable-next-line quote/not-found -->',
  'After a directive, "disabled words" stay unchecked. <!-- inline comment --> More prose with *emphasis* and **strong** text.',
  '',
  'Setext heading candidate',
  '---',
  '',
  'Closing paragraph: officials said “curly quoted words” on 3 May 2024, citing [@seed; @ferry].',
  '',
].join('\n');

/** Inserted at random: letters and spaces mostly, and every character that changes structure. */
const PIECES = ['a', 'e', 'so ', ' ', 'Word', '"', '“', '”', '[', ']', '@', '^', '*', '_', '`', '<', '>', '|', '\\', '-', '#', '.', '! ', '? ', '(', ')', ':', '1. ', '```', '<!-- ', ' -->', '[@seed]', '[^1]', '\n', '\n\n', '\t', '\r\n'];

function randomEdit(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const roll = random();
  if (roll < 0.5) return text.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + text.slice(at);
  const length = 1 + Math.floor(random() * (roll < 0.8 ? 3 : 30));
  if (roll < 0.8) return text.slice(0, at) + text.slice(at + length);
  return text.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + text.slice(at + length);
}

/** Follows `steps` random edits from `start`, each re-parsed from the previous parse; returns how many took the block path. */
function followEdits(start: string, steps: number, seed: number, pickEdit = randomEdit): { spliced: number; steps: number } {
  const random = mulberry32(seed);
  let text = start;
  let parsed: ParsedDocument = parseMarkdown(text);
  let spliced = 0;
  for (let step = 0; step < steps; step++) {
    const next = pickEdit(text, random);
    const whole = parseMarkdown(next);
    const edited = reparseEdited(parsed, next);
    if (edited) {
      spliced++;
      assert.deepStrictEqual(edited, whole, `step ${step} (seed ${seed}): the block re-parse differs from the whole parse`);
    }
    // Carry on from the block re-parse when there was one, so errors would compound.
    parsed = edited ?? whole;
    text = next;
  }
  return { spliced, steps };
}

test('random edits anywhere: each block re-parse equals the whole parse', () => {
  let spliced = 0;
  for (let seed = 1; seed <= 12; seed++) spliced += followEdits(MIXED, 150, seed).spliced;
  // The edits are random, so most touch structure; a fair share must still take the block path, or this tests nothing.
  assert.ok(spliced > 300, `only ${spliced} of 1800 edits were re-parsed by block`);
});

test('typing inside paragraphs takes the block path and equals the whole parse, CRLF and BOM included', () => {
  // As the benchmark types: "so " between two words, then that "so " deleted again.
  let typed: number | undefined;
  const typing = (text: string, random: () => number): string => {
    if (typed !== undefined) {
      const at = typed;
      typed = undefined;
      return text.slice(0, at) + text.slice(at + 3);
    }
    const places = [...text.matchAll(/[a-z] [a-z]/g)].map((m) => m.index! + 2);
    typed = places[Math.floor(random() * places.length)];
    return text.slice(0, typed) + 'so ' + text.slice(typed);
  };
  for (const variant of [MIXED, MIXED.replace(/\n/g, '\r\n'), '\uFEFF' + MIXED]) {
    const { spliced, steps } = followEdits(variant, 200, 7, typing);
    assert.ok(spliced > steps / 2, `${spliced} of ${steps} typing edits took the block path`);
  }
});

test('the bundled example: random edits equal the whole parse', () => {
  const analysis = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'harbour-ferry', 'analysis.md'), 'utf8');
  let spliced = 0;
  for (let seed = 100; seed < 104; seed++) spliced += followEdits(analysis, 150, seed).spliced;
  assert.ok(spliced > 100, `only ${spliced} of 600 edits were re-parsed by block`);
});

test('edits that reach beyond their block are parsed whole', () => {
  const parsed = parseMarkdown(MIXED);
  const at = (needle: string, offset = 0) => MIXED.indexOf(needle) + offset;
  const insert = (offset: number, what: string) => MIXED.slice(0, offset) + what + MIXED.slice(offset);
  const cases: [string, string][] = [
    ['a new line', insert(at('A second sentence'), '\n')],
    ['a footnote reference', insert(at('A second sentence'), '[^1] ')],
    ['inside a block quote', insert(at('Still the quote', 6), 'x')],
    ['the attribution after a block quote', insert(at('Mayor,', 3), 'x')],
    ['inside a footnote definition', insert(at('The footnote cites', 4), 'x')],
    ['a table cell', insert(at('cell quote', 4), 'x')],
    ['a heading', insert(at('Heading with', 4), 'x')],
    ['a pipe on the line', insert(at('A second sentence'), '| ')],
    ['before the first letter of a line', insert(at('A lazy second line'), '#')],
    ['a task item (read at its start)', insert(at('A task item', 4), 'x')],
  ];
  for (const [what, next] of cases) {
    assert.equal(reparseEdited(parsed, next), undefined, what);
  }
  assert.equal(reparseEdited(parsed, MIXED), undefined, 'no edit at all');
  const afterQuote = insert(at('The paragraph after it', 6), 'x');
  assert.deepStrictEqual(reparseEdited(parsed, afterQuote), parseMarkdown(afterQuote), 'a paragraph after a block quote that does not open as its attribution is re-parsed by block');
  const typed = reparseEdited(parsed, insert(at('A second sentence', 2), 'x'));
  assert.ok(typed, 'typing inside a paragraph is re-parsed by block');
  assert.deepStrictEqual(typed, parseMarkdown(insert(at('A second sentence', 2), 'x')));
});

test('a chain of block re-parses does not keep the old versions of the piece alive', () => {
  const paragraphs: string[] = [];
  for (let i = 0; paragraphs.length < 1200; i++) {
    paragraphs.push(`The ferry operator said "sailings number ${i} and ${i + 1} ran late on the island route" in March [@harbour-budget-report-${i % 7}].`);
  }
  let text = `# A long piece\n\n${paragraphs.join('\n\n')}\n`;
  let parsed = parseMarkdown(text);
  const body = text.indexOf('\n\n');
  const places = [...text.matchAll(/[a-z] [a-z]/g)].map((m) => m.index! + 2).filter((at) => at > body);
  const edit = (i: number) => {
    const at = places[(Math.floor(i / 2) * 7919) % places.length];
    // Inserted and taken out again in turns, so the places stay valid.
    text = i % 2 === 0 ? text.slice(0, at) + 'so ' + text.slice(at) : text.slice(0, at) + text.slice(at + 3);
    const next = reparseEdited(parsed, text);
    assert.ok(next, `edit ${i} is re-parsed by block`);
    parsed = next;
  };
  let i = 0;
  for (; i < 10; i++) edit(i);
  const before = liveHeap();
  const edits = 60;
  for (; i < 10 + edits; i++) edit(i);
  const grown = liveHeap() - before;
  assert.ok(
    grown < (edits * text.length) / 4,
    `the live heap grew by ${(grown / 1048576).toFixed(1)} MiB over ${edits} edits of a ${(text.length / 1024).toFixed(0)} KB piece: old versions are being kept`,
  );
  assert.deepStrictEqual(parsed, parseMarkdown(text));
});
