/**
 * Sentence segmentation of prose: a piece's paragraphs and list items, and
 * the source articles the claim index is built over.
 *
 * A hand-written scanner rather than `Intl.Segmenter`: ICU's sentence rules
 * (as shipped in Node 20) split after "Mr.", "Dr." and initials ("J. K.
 * Rowling") and keep "Nothing… Yes." together, so they would need a repair
 * pass anyway, and the scanner is several times faster and linear on long
 * strings (ARCHITECTURE.md, Choices, has the measurements).
 *
 * A boundary is a run of terminators (`.`, `!`, `?`, `…`) plus closing quotes
 * or brackets, followed by white space and the start of a new sentence. It is
 * not a boundary when:
 * - the next word starts in lower case ("p.m. today", "Yahoo! said");
 * - the period ends a title or reference abbreviation ("Mr.", "Dr.", "p. 3",
 *   "No. 10", "e.g."), or an initial ("J. K. Rowling");
 * - the period ends a dotted acronym ("U.S.") and the next word is not a
 *   typical sentence opener ("the U.S. Senate" vs "in the U.S. The next…");
 * - it lies inside a span the caller protects (an inline quotation).
 * A citation written after the period (`… end. [@id]`) or a footnote marker
 * stays with the sentence it follows.
 */
import type { Span } from './types';

/** Abbreviations that never end a sentence: they always precede something. */
const PREFIX_ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'sen', 'rep', 'gov', 'gen', 'col', 'lt', 'maj', 'capt', 'cmdr', 'sgt', 'rev', 'fr', 'hon', 'pres', 'supt', 'insp', 'det', 'cllr',
  'p', 'pp', 'para', 'no', 'nos', 'vol', 'fig', 'ch', 'sec', 'art', 'ed', 'eds', 'op', 'cit', 'ibid', 'cf', 'vs', 'v', 'viz', 'approx', 'ca', 'c', 'est', 'tel', 'ext',
  'jan', 'feb', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mt', 'ft', 'rd', 'ave',
]);

/** Abbreviations that may end a sentence: a boundary only when a typical opener follows. */
const FINAL_ABBREVIATIONS = new Set(['etc', 'inc', 'ltd', 'co', 'corp', 'plc', 'jr', 'sr', 'bros', 'al', 'am', 'pm']);

/** Words that typically open a sentence; after an ambiguous period they make it a boundary. */
const SENTENCE_OPENERS = new Set([
  'the', 'a', 'an', 'he', 'she', 'it', 'they', 'we', 'i', 'you', 'his', 'her', 'its', 'their', 'our', 'this', 'that', 'these', 'those', 'there', 'but', 'and',
  'yet', 'so', 'in', 'on', 'at', 'for', 'after', 'before', 'when', 'while', 'if', 'as', 'however', 'meanwhile', 'still', 'then', 'now', 'today', 'last', 'next',
  'some', 'many', 'most', 'no', 'not', 'one', 'both', 'all', 'what', 'who', 'why', 'how', 'mr', 'mrs', 'ms', 'dr',
]);

/** `.`, `!`, `?`, `…` */
function isTerminator(code: number): boolean {
  return code === 0x2e || code === 0x21 || code === 0x3f || code === 0x2026;
}
const CLOSERS = '"\'”’»)]';

export interface SegmentOptions {
  /** Spans (absolute offsets) inside which no boundary is placed, e.g. inline quotations. */
  protect?: readonly Span[];
}

/**
 * Sentences of `text[from, to)`, as trimmed spans in `text`. Empty or
 * punctuation-only stretches are not sentences.
 */
export function splitSentences(text: string, from = 0, to = text.length, options: SegmentOptions = {}): Span[] {
  const protect = options.protect ?? [];
  let protectIndex = 0;
  const spans: Span[] = [];
  let start = from;
  let i = from;
  while (i < to) {
    if (!isTerminator(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const terminatorStart = i;
    while (i < to && isTerminator(text.charCodeAt(i))) i++;
    while (i < to && CLOSERS.indexOf(text[i]) >= 0) i++;
    let end = i;
    if (i < to && !isSpace(text.charCodeAt(i)) && !isCitationAt(text, i)) continue; // "3.5", "U.S.-led" inside a word
    // A citation or footnote marker after the period belongs to this sentence.
    let next = skipSpaces(text, i, to);
    while (next < to && isCitationAt(text, next)) {
      const close = text.indexOf(']', next);
      if (close < 0 || close >= to) break;
      end = close + 1;
      next = skipSpaces(text, end, to);
    }
    if (end < to && end === next && end > i) continue; // "[^2]word": not a boundary
    if (next >= to) break;
    while (protectIndex < protect.length && protect[protectIndex].end <= terminatorStart) protectIndex++;
    // Inside a protected span unless the terminators run out through its closing mark.
    const guarded = protectIndex < protect.length && protect[protectIndex].start < terminatorStart && i < protect[protectIndex].end;
    if (guarded || !isBoundary(text, terminatorStart, i, next, to)) {
      i = next;
      continue;
    }
    pushTrimmed(text, start, end, spans);
    start = next;
    i = next;
  }
  pushTrimmed(text, start, to, spans);
  return spans;
}

function isBoundary(text: string, terminatorStart: number, afterClosers: number, next: number, to: number): boolean {
  const nextWord = wordAt(text, next, to);
  const nextChar = text[next];
  // A lower-case continuation is never a new sentence ("p.m. today", "Yahoo! said", "… and").
  if (isLowerStart(nextChar)) return false;
  const terminators = text.slice(terminatorStart, afterClosers);
  if (terminators[0] !== '.' || terminators.startsWith('..')) return true; // ! ? … and "..." end sentences
  if (afterClosers > terminatorStart + 1) return true; // `."` or `.)`: the period closed a quotation or bracket
  const before = tokenBefore(text, terminatorStart);
  if (!before) return true;
  const lower = before.toLowerCase();
  const opener = SENTENCE_OPENERS.has(nextWord.toLowerCase());
  if (/^\p{Lu}$/u.test(before)) return opener; // an initial: "J. K. Rowling", "George W. Bush"
  if (/^(?:\p{L}{1,2}\.)+\p{L}{1,2}$/u.test(before)) return opener; // dotted acronym: "U.S.", "e.g.", "a.m."
  if (PREFIX_ABBREVIATIONS.has(lower)) {
    // "Jan." and "Dec." are also words; "no." ends a sentence only before an opener.
    return lower === 'no' ? opener && !/^\d/.test(nextWord) : false;
  }
  if (FINAL_ABBREVIATIONS.has(lower)) return opener;
  return true;
}

/** The token (letters, digits and inner dots) ending right before `end`. */
function tokenBefore(text: string, end: number): string {
  let s = end;
  while (s > 0 && end - s < 40 && (isWordCode(text, s - 1) || text.charCodeAt(s - 1) === 0x2e)) s--;
  return text.slice(s, end).replace(/^\.+/, '');
}

function wordAt(text: string, pos: number, to: number): string {
  let p = pos;
  while (p < to && OPENERS.indexOf(text[p]) >= 0) p++;
  let e = p;
  while (e < to && isWordCode(text, e)) e++;
  return text.slice(p, e);
}

const OPENERS = '\'"“‘([';

/** A letter or digit at `i`: ASCII by code, anything else by Unicode class. */
function isWordCode(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return /[\p{L}\p{N}]/u.test(text[i]);
}

/** `[@key…]`, `[see @key]` or a footnote marker `[^n]` at `pos`. */
function isCitationAt(text: string, pos: number): boolean {
  if (text[pos] !== '[') return false;
  if (text[pos + 1] === '@' || text[pos + 1] === '^') return true;
  return /^\[[^\]\n]{0,40}@/.test(text.slice(pos, pos + 44));
}

function isLowerStart(char: string): boolean {
  const c = char.charCodeAt(0);
  if (c < 0x80) return c >= 0x61 && c <= 0x7a;
  return /\p{Ll}/u.test(char);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d || code === 0xa0 || code === 0x2009 || code === 0x202f;
}

function hasWordChar(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
    if (c >= 0x80 && /[\p{L}\p{N}]/u.test(text[i])) return true;
  }
  return false;
}

function skipSpaces(text: string, pos: number, to: number): number {
  let p = pos;
  while (p < to && isSpace(text.charCodeAt(p))) p++;
  return p;
}

function pushTrimmed(text: string, start: number, end: number, spans: Span[]): void {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  if (e > s && hasWordChar(text, s, e)) spans.push({ start: s, end: e });
}

/**
 * Paragraphs of plain prose (a source article's body): stretches separated by
 * blank lines, with each line that starts with a list marker as its own block.
 * Soft line breaks inside a paragraph are kept.
 */
export function splitParagraphs(text: string, from = 0, to = text.length): Span[] {
  const blocks: Span[] = [];
  let start = -1;
  let lineStart = from;
  while (lineStart < to) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0 || lineEnd > to) lineEnd = to;
    // Scans the line's first characters instead of slicing it: this runs over whole corpora.
    let p = lineStart;
    while (p < lineEnd && isSpace(text.charCodeAt(p))) p++;
    const blank = p === lineEnd;
    const listItem = !blank && p - lineStart <= 3 && isListMarkerAt(text, p, lineEnd);
    if (start >= 0 && (blank || listItem)) {
      pushTrimmedBlock(text, start, lineStart, blocks);
      start = -1;
    }
    if (!blank && start < 0) start = lineStart;
    lineStart = lineEnd + 1;
  }
  if (start >= 0) pushTrimmedBlock(text, start, to, blocks);
  return blocks;
}

/** `- `, `* `, `• ` or `1. ` / `1) ` followed by text. */
function isListMarkerAt(text: string, p: number, lineEnd: number): boolean {
  const c = text[p];
  let q = p;
  if (c === '-' || c === '*' || c === '•') q = p + 1;
  else {
    while (q < lineEnd && q - p < 3 && text.charCodeAt(q) >= 0x30 && text.charCodeAt(q) <= 0x39) q++;
    if (q === p || (text[q] !== '.' && text[q] !== ')')) return false;
    q++;
  }
  if (q >= lineEnd || !isSpace(text.charCodeAt(q))) return false;
  while (q < lineEnd && isSpace(text.charCodeAt(q))) q++;
  return q < lineEnd;
}

function pushTrimmedBlock(text: string, start: number, end: number, blocks: Span[]): void {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  if (e > s) blocks.push({ start: s, end: e });
}
