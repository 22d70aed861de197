import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMarkdown, type ParsedDocument } from '../../server/src/engine/markdown';
import { reparseEdited } from '../../server/src/engine/markdown/edit';
import { reparseParagraphs } from '../../server/src/engine/markdown/paragraph-edit';
import { editSupport } from '../../server/src/engine/markdown/edit-support';
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

/**
 * Follows `steps` random edits from `start`, each re-parsed from the previous
 * parse by `reparse` (else by the other re-parse, else whole, so that errors
 * compound); returns how many `reparse` took. Each is compared with the whole
 * parse, and so is what the next edit starts from.
 */
function followEdits(start: string, steps: number, seed: number, pickEdit = randomEdit, reparse = reparseEdited): { spliced: number; steps: number } {
  const other = reparse === reparseEdited ? reparseParagraphs : reparseEdited;
  const random = mulberry32(seed);
  let text = start;
  let parsed: ParsedDocument = parseMarkdown(text);
  let spliced = 0;
  for (let step = 0; step < steps; step++) {
    const next = pickEdit(text, random);
    const whole = parseMarkdown(next);
    const edited = reparse(parsed, next);
    if (edited) {
      spliced++;
      const where = `step ${step} (seed ${seed}): the ${reparse === reparseEdited ? 'block' : 'paragraph'} re-parse differs from the whole parse`;
      assert.deepStrictEqual(edited, whole, where);
      assert.deepStrictEqual(editSupport.get(edited), editSupport.get(whole), `${where} in what the next edit starts from`);
    }
    parsed = edited ?? other(parsed, next) ?? whole;
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

/** A 1,200-paragraph piece of quotations and citations, long enough that keeping its old versions would show in the heap. */
const LONG_PIECE = `# A long piece\n\n${Array.from({ length: 1200 }, (_, i) => `The ferry operator said "sailings number ${i} and ${i + 1} ran late on the island route" in March [@harbour-budget-report-${i % 7}].`).join('\n\n')}\n`;

/**
 * Makes 70 versions of LONG_PIECE (`versionOf(i, text)`), each re-parsed from
 * the one before by `reparse`, and checks the live heap did not keep the
 * texts of the last 60: a re-parse's objects live on into later versions,
 * and a slice of one version's text would keep it alive with them.
 */
function keepsNoOldVersions(versionOf: (i: number, text: string) => string, reparse: typeof reparseEdited, path: string): void {
  let text = LONG_PIECE;
  let parsed = parseMarkdown(text);
  const edit = (i: number) => {
    text = versionOf(i, text);
    const next = reparse(parsed, text);
    assert.ok(next, `edit ${i} is re-parsed by ${path}`);
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
}

test('a chain of block re-parses does not keep the old versions of the piece alive', () => {
  const body = LONG_PIECE.indexOf('\n\n');
  const places = [...LONG_PIECE.matchAll(/[a-z] [a-z]/g)].map((m) => m.index! + 2).filter((at) => at > body);
  // "so " typed, then taken out again, in turns, so the places stay valid.
  const typed = (i: number, text: string) => {
    const at = places[(Math.floor(i / 2) * 7919) % places.length];
    return i % 2 === 0 ? text.slice(0, at) + 'so ' + text.slice(at) : text.slice(0, at) + text.slice(at + 3);
  };
  keepsNoOldVersions(typed, reparseEdited, 'block');
});

/** Paragraphs to add: plain prose mostly, with citations, quotations, links and comments, and every line that is not a paragraph. */
const NEW_PARAGRAPHS = [
  'A new paragraph of plain prose, with a second sentence. And a third one.',
  'The council said "the ferry will sail on time" in March [@seed].',
  'It cites a [reference link][ref] and [a link](sources/ferry-vote.md), then “curly words” and @seed bare.',
  'Two lines of one paragraph,\nthe second lazily after it.',
  'A comment inside prose <!-- provenance-disable-next-line --> and more words.',
  'Officials said "an unclosed quotation runs on',
  'Mr. J. Smith said so. U.S. figures follow. Dr. Who? Yes!',
  'A paragraph with a hard break\\\nand its second line.',
  '- a list item',
  '> a block quote',
  '# a heading',
  '    indented code',
  '  indented prose',
  '```\nfenced',
  '[new]: https://example.org/new',
  '[^3]: a new footnote',
  'A reference to a note.[^1]',
  '<!-- provenance-disable -->',
  '<div>\nhtml block',
  '| a | b |\n| - | - |',
  'Setext line\n===',
  '---',
  '— Attribution, [@seed]',
  '1. ordered',
  '\tTabbed start',
];

/** Edits a paragraph at a time: add one between two, at the end or in place of one; delete, split or join them; type into one line. */
function paragraphEdit(text: string, random: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const breaks = [...text.matchAll(/\n\n/g)].map((m) => m.index!);
  const roll = random();
  const paragraph = pick(NEW_PARAGRAPHS);
  if (roll < 0.3 && breaks.length) {
    const at = pick(breaks) + 2;
    return text.slice(0, at) + paragraph + '\n\n' + text.slice(at);
  }
  if (roll < 0.45) return text.endsWith('\n') ? text + '\n' + paragraph + '\n' : text + '\n\n' + paragraph;
  if (roll < 0.65 && breaks.length > 1) {
    // Delete, or replace, the text between two blank lines.
    const k = Math.floor(random() * (breaks.length - 1));
    const from = breaks[k] + 2;
    const to = breaks[k + 1] + 2;
    return text.slice(0, from) + (random() < 0.5 ? '' : paragraph + '\n\n') + text.slice(to);
  }
  if (roll < 0.75 && breaks.length) {
    // Join two paragraphs into one.
    const at = pick(breaks);
    return text.slice(0, at) + '\n' + text.slice(at + 2);
  }
  if (roll < 0.85) {
    // Split a paragraph at a space.
    const spaces = [...text.matchAll(/[a-z] [a-z]/g)].map((m) => m.index! + 1);
    if (spaces.length) {
      const at = pick(spaces);
      return text.slice(0, at) + '\n\n' + text.slice(at + 1);
    }
  }
  if (roll < 0.92) {
    // Take the last paragraph away (the benchmark's edit, undone).
    const last = text.trimEnd().lastIndexOf('\n\n');
    if (last > 0) return text.slice(0, last + 1);
  }
  return randomEdit(text, random);
}

/** `followEdits` with paragraph edits and the paragraph re-parse; returns how many took it. */
function followParagraphEdits(start: string, steps: number, seed: number): { runs: number; steps: number } {
  const { spliced, steps: followed } = followEdits(start, steps, seed, paragraphEdit, reparseParagraphs);
  return { runs: spliced, steps: followed };
}

/** Paragraphs of prose with quotations, citations and a heading now and then: where most paragraph edits can be taken by run. */
function proseParagraphs(count: number): string {
  const paragraphs: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 9 === 4) paragraphs.push(`## Section ${i}`);
    paragraphs.push(`The operator said "sailings ${i} ran late" in March [@seed]. Mr. Reed disagreed, citing [the vote](sources/ferry-vote.md).`);
  }
  return `# Prose\n\n${paragraphs.join('\n\n')}\n\n[ref]: https://example.org/ref\n`;
}

test('paragraphs added, deleted, split, joined or replaced: each run re-parse equals the whole parse', () => {
  let mixed = 0;
  for (let seed = 1; seed <= 16; seed++) mixed += followParagraphEdits(MIXED, 120, seed).runs;
  // MIXED is mostly lists, quotes, footnotes and definitions, next to which a run is parsed whole; some edits still are runs.
  assert.ok(mixed > 100, `only ${mixed} of 1920 edits of MIXED were re-parsed by run`);
  let prose = 0;
  for (let seed = 20; seed < 28; seed++) prose += followParagraphEdits(proseParagraphs(40), 120, seed).runs;
  // Two in three of the added paragraphs are lists, quotes, code and the like, which must be parsed whole, and stay to block their neighbours.
  assert.ok(prose > 150, `only ${prose} of 960 edits of plain prose were re-parsed by run`);
});

test('paragraph edits in CRLF text, after a BOM, and in the bundled example equal the whole parse', () => {
  const analysis = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'harbour-ferry', 'analysis.md'), 'utf8');
  let runs = 0;
  for (const [i, variant] of [MIXED.replace(/\n/g, '\r\n'), '\uFEFF' + MIXED, analysis].entries()) {
    for (let seed = 40; seed < 44; seed++) runs += followParagraphEdits(variant, 100, seed + 10 * i).runs;
  }
  assert.ok(runs > 100, `only ${runs} of 1200 edits were re-parsed by run`);
});

test('a paragraph added at the end, or taken away again, is re-parsed by run; edits next to containers are parsed whole', () => {
  const parsed = parseMarkdown(MIXED);
  const added = MIXED + '\nA paragraph added at the end, citing [@seed] and saying "new words".\n';
  const withLine = reparseParagraphs(parsed, added);
  assert.ok(withLine, 'a paragraph added at the end');
  assert.deepStrictEqual(withLine, parseMarkdown(added));
  const removed = reparseParagraphs(withLine, MIXED);
  assert.ok(removed, 'and taken away again');
  assert.deepStrictEqual(removed, parseMarkdown(MIXED));

  const at = (needle: string) => MIXED.indexOf(needle);
  const insertParagraph = (before: string, what: string) => MIXED.slice(0, at(before)) + what + '\n\n' + MIXED.slice(at(before));
  const cases: [string, string][] = [
    ['right after a block quote (it may be its attribution)', insertParagraph('— Mayor', 'A new paragraph.')],
    ['a list item', insertParagraph('The paragraph after it', '- a new item')],
    ['a definition', insertParagraph('The paragraph after it', '[new]: https://example.org')],
    ['a footnote reference', insertParagraph('The paragraph after it', 'A note.[^1]')],
    ['an indented paragraph', insertParagraph('The paragraph after it', '  indented')],
    ['a fence', insertParagraph('The paragraph after it', '```')],
  ];
  for (const [what, next] of cases) assert.equal(reparseParagraphs(parsed, next), undefined, what);
  // A list item holding only code shows no block; an indented paragraph after it continues the item.
  const list = 'Para before.\n\n- ```\n  x\n  ```\n\nOld para.\n\n  indented after.\n';
  const listParsed = parseMarkdown(list);
  for (const [what, next] of [
    ['the paragraph that closed a list deleted, an indented one after it', list.replace('Old para.\n\n', '')],
    ['a paragraph after a list made indented', list.replace('Old para.', '  indented new.')],
    ['the paragraph that closed a list deleted, blank lines and an indented one after it', list.replace('Old para.\n\n', 'Old para.\n\n\n\n').replace('Old para.\n\n', '')],
  ]) {
    assert.notDeepStrictEqual(parseMarkdown(next).blocks.map((b) => b.kind), listParsed.blocks.map((b) => b.kind), `${what}: the case changes the parse`);
    assert.equal(reparseParagraphs(listParsed, next), undefined, what);
  }
  // As the benchmark's pieces end: footnote definitions line after line, then a paragraph added after a blank line.
  const notes = 'Prose citing a note.[^a] And another.[^b]\n\n[^a]: "first words" [@seed]\n[^b]: "second words" [@ferry]\n';
  const notesParsed = parseMarkdown(notes);
  const appended = notes + '\nA line added for the benchmark, so that this piece changed since the last run.\n';
  const withAppended = reparseParagraphs(notesParsed, appended);
  assert.ok(withAppended, 'a paragraph after the footnote definitions');
  assert.deepStrictEqual(withAppended, parseMarkdown(appended));
  assert.deepStrictEqual(reparseParagraphs(withAppended, notes), notesParsed, 'and taken away again');
  // Without the blank line the new line would continue the last definition: parsed whole.
  assert.equal(reparseParagraphs(notesParsed, notes + 'A lazy line.\n'), undefined);
  // Blank lines inside a fence are no place for a run of paragraphs.
  const fenced = 'Prose.\n\n```\ncode\n\n\nmore code\n```\n';
  const inFence = fenced.replace('code\n\n\n', 'code\n\nA paragraph?\n\n');
  assert.notDeepStrictEqual(parseMarkdown(inFence).blocks.length, parseMarkdown(fenced).blocks.length + 1);
  assert.equal(reparseParagraphs(parseMarkdown(fenced), inFence), undefined);
  const plain = insertParagraph('Closing paragraph', 'A new plain paragraph.');
  assert.deepStrictEqual(reparseParagraphs(parsed, plain), parseMarkdown(plain), 'a plain paragraph between two paragraphs');
});

test('a chain of paragraph re-parses does not keep the old versions of the piece alive', () => {
  // A paragraph added in the middle, then taken away again, in turns.
  const added = (i: number) => {
    const at = LONG_PIECE.indexOf('The ferry operator said "sailings number ' + ((i * 37) % 1000));
    const paragraph = `A new paragraph number ${i} says "added words" [@seed] and [the vote ${i}](sources/ferry-vote-${i}.md). <!-- provenance-disable-next-line quote/not-found -->`;
    return i % 2 === 0 ? LONG_PIECE.slice(0, at) + paragraph + '\n\n' + LONG_PIECE.slice(at) : LONG_PIECE;
  };
  keepsNoOldVersions(added, reparseParagraphs, 'run');
});
