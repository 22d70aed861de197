/**
 * Which capitalised words are names? A word the piece itself capitalises in
 * the middle of a sentence ("… said Lavrov", "the EAEU") is taken for a
 * name, so a sentence that *starts* with it ("Lavrov dismissed …") is known
 * to start with a name rather than an ordinary capitalised first word.
 */
import { detach } from '../text';

/** Capitalised words that are not names even mid-sentence. */
const NOT_NAMES = new Set(
  'I The A An This That These Those It He She They We You His Her Its Their Our In On At Of For To By With From And But Or If As Mr Mrs Ms Dr Sir'.split(' '),
);

/**
 * Names learnt from `text` (a masked piece): capitalised words that follow a
 * lower-case word, digit or comma, unless the piece also writes them in lower
 * case ("Valley Water" makes "Valley" a name but not "Water": the piece talks
 * about water too).
 */
export function learnNames(text: string): Set<string> {
  const candidates = new Set<string>();
  const lowerCase = new Set<string>();
  // Paragraph by paragraph (cut after blank lines, where no word runs on), each read once per text it ever has.
  for (let from = 0; from < text.length; ) {
    const to = paragraphEnd(text, from);
    const words = segmentWords(text, from, to);
    for (const word of words.candidates) candidates.add(word);
    for (const word of words.lowerCase) lowerCase.add(word);
    from = to;
  }
  const names = new Set<string>();
  for (const word of candidates) if (isAcronym(word) || !lowerCase.has(word.toLowerCase())) names.add(word);
  return names;
}

/**
 * Reads, as `learnNames(text)` will, the paragraphs that start in
 * `text[from, to)`: a caller spreads the first reading of a long text over
 * several steps, and `learnNames` then finds every paragraph read.
 */
export function readNamesIn(text: string, from: number, to: number): void {
  for (let start = 0; start < text.length && start < to; ) {
    const end = paragraphEnd(text, start);
    if (start >= from) segmentWords(text, start, end);
    start = end;
  }
}

/** Where the paragraph that starts at `from` ends: after the next blank line, or at the end of the text. */
function paragraphEnd(text: string, from: number): number {
  const blank = text.indexOf('\n\n', from);
  return blank < 0 ? text.length : blank + 2;
}

/** The look-behinds below read at most five code units before a match (an astral letter and three spaces). */
const CONTEXT = 6;
const CANDIDATE = /(?<=[\p{Ll}\p{N},;)][ \t\n]{1,3})\p{Lu}[\p{L}\p{M}]*(?:['’]\p{L}+)?/gu;
const LOWER_CASE = /(?<![\p{L}\p{N}])\p{Ll}[\p{Ll}\p{M}]*/gu;

/** Candidates and lower-case words of each segment with its context, across texts. Bounded; cleared when full. */
const segmentCache = new Map<string, { candidates: string[]; lowerCase: string[] }>();
const MAX_CACHED_SEGMENTS = 50_000;

/** Name candidates and lower-case words that start in `text[from, to)`. */
function segmentWords(text: string, from: number, to: number): { candidates: string[]; lowerCase: string[] } {
  const context = Math.max(0, from - CONTEXT);
  const key = text.slice(context, to);
  const skip = from - context;
  // The context length is part of the key: the same characters with less context are another question.
  const cacheKey = skip + ':' + key;
  let words = segmentCache.get(cacheKey);
  if (words) return words;
  words = { candidates: [], lowerCase: [] };
  // Kept across edits: words taken from a copy do not hold this version of the piece alive.
  const own = detach(key);
  for (const match of own.matchAll(CANDIDATE)) {
    if (match.index < skip) continue;
    const word = match[0].replace(/['’]s$/, '');
    if (!NOT_NAMES.has(word)) words.candidates.push(word);
  }
  for (const match of own.matchAll(LOWER_CASE)) if (match.index >= skip) words.lowerCase.push(match[0]);
  if (segmentCache.size >= MAX_CACHED_SEGMENTS) segmentCache.clear();
  segmentCache.set(cacheKey, words);
  return words;
}

/** A capital and then only capitals or digits. (A constant: the bundler turns a `\p{…}` literal in a function into a RegExp made per call.) */
const ACRONYM = /^\p{Lu}[\p{Lu}\p{N}]+$/u;

/** An acronym ("EAEU", "BBC", "G20"). */
export function isAcronym(word: string): boolean {
  return ACRONYM.test(word);
}

/** A name known from the piece, or an acronym ("EAEU", "BBC"). */
export function isKnownName(names: ReadonlySet<string>, word: string): boolean {
  return names.has(word) || isAcronym(word);
}
