/**
 * claims/names.ts reads a piece's name candidates and lower-case words in one
 * scan of its code points. It replaced two regular expressions (below, as
 * the reference): the scan must find exactly what they find, on real news
 * text and on strings made of the characters where the two could differ
 * (astral letters, marks, title-case letters, digits of other scripts,
 * apostrophes, runs of spaces, tabs and line breaks, text before `skip`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scanWords } from '../../server/src/engine/claims/names';
import { SHARED_CORPUS } from '../helpers/repo';

const NOT_NAMES = new Set('I The A An This That These Those It He She They We You His Her Its Their Our In On At Of For To By With From And But Or If As Mr Mrs Ms Dr Sir'.split(' '));
const CANDIDATE = /(?<=[\p{Ll}\p{N},;)][ \t\n]{1,3})\p{Lu}[\p{L}\p{M}]*(?:['’]\p{L}+)?/gu;
const LOWER_CASE = /(?<![\p{L}\p{N}])\p{Ll}[\p{Ll}\p{M}]*/gu;

function byExpressions(text: string, skip: number): { candidates: string[]; lowerCase: string[] } {
  const candidates: string[] = [];
  const lowerCase: string[] = [];
  for (const match of text.matchAll(CANDIDATE)) {
    if (match.index < skip) continue;
    const word = match[0].replace(/['’]s$/, '');
    if (!NOT_NAMES.has(word)) candidates.push(word);
  }
  for (const match of text.matchAll(LOWER_CASE)) if (match.index >= skip) lowerCase.push(match[0]);
  return { candidates, lowerCase };
}

/** The characters where a scan and the expressions could part ways. */
const ALPHABET = ['a', 'z', 'B', 'Q', 'é', 'É', 'ß', '\u0301', '1', '٣', 'Ⅸ', '²', 'ǅ', 'ª', '中', '𐐨', '𐐀', '𝑎', '\ud801', '\udc28', ' ', ' ', '\t', '\n', '\r', '\u00a0', ',', ';', ')', '(', '.', "'", '’', '-', '_', '"', 's'];

test('claim names: the scan finds what the two expressions found, on strings made to tell them apart', () => {
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  let compared = 0;
  for (let round = 0; round < 30_000; round++) {
    const length = next() % 24;
    let text = '';
    for (let i = 0; i < length; i++) text += ALPHABET[next() % ALPHABET.length];
    const skip = next() % (length + 1);
    assert.deepEqual(scanWords(text, skip), byExpressions(text, skip), JSON.stringify({ text, skip }));
    compared++;
  }
  assert.equal(compared, 30_000);
  // Cases named for the reader: a word of one kind inside a word of the other, and what the context decides.
  assert.deepEqual(scanWords("ministers met Lavrov's aide, O'Neill and Mme Ré\u0301mi"), byExpressions("ministers met Lavrov's aide, O'Neill and Mme Ré\u0301mi", 0));
  assert.deepEqual(scanWords("said Lavrov's").candidates, ['Lavrov']);
  assert.ok(scanWords("said Lavrov's").lowerCase.includes('s'), 'the "s" after the apostrophe is a lower-case word of its own');
  assert.deepEqual(scanWords('x    Four spaces').candidates, [], 'more than three spaces: not a candidate');
});

test('claim names: the scan finds what the two expressions found, on the bbc-news articles', (t) => {
  const root = path.join(SHARED_CORPUS, 'bbc-news');
  if (!fs.existsSync(root)) return t.skip(`../shared/corpus not found: ${root}`);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (entry.name.endsWith('.txt')) files.push(path.join(dir, entry.name));
    }
  };
  walk(root);
  assert.ok(files.length > 2000, `${files.length} articles`);
  let words = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const expected = byExpressions(text, 0);
    assert.deepEqual(scanWords(text), expected, file);
    words += expected.candidates.length + expected.lowerCase.length;
  }
  t.diagnostic(`${files.length} articles, ${words} words compared`);
});
