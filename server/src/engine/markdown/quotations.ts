/**
 * Quotation marks, sentences and blockquote attributions, read from the
 * masked text of one block. Only double quotes delimit quotations: single
 * quotes inside them are content, and apostrophes (don't, Russia's) are never
 * looked at.
 */
import type { Span } from '../types';
import { isUppercase, isWhitespace, nextOf } from './chars';

const STRAIGHT = 0x22;
const CURLY_OPEN = 0x201c;
const CURLY_CLOSE = 0x201d;
const QUOTE_MARK = /["\u201c\u201d]/g;
const TERMINATOR = /[.!?\u2026]/g;

/** What may stand right before an opening straight quote besides whitespace and the block start. */
const OPEN_CONTEXT = new Set('([{-\u2013\u2014\u2018\u201c\'/*_\u00ab');
/** What may follow a closing straight quote besides whitespace and the block end. */
const CLOSE_CONTEXT = new Set('.,;:!?)]}-\u2013\u2014\'\u2019\u201d\u2026/*_[\u00bb');

/** A pair of quotation marks: offsets of the opening and the closing mark. */
export interface QuotePair {
  open: number;
  close: number;
}

/**
 * Quotation mark pairs in `block`, outermost only. Curly quotes pair by
 * direction; a straight quote opens after whitespace, the block start, an
 * opening bracket or a dash, and closes before whitespace, punctuation or the
 * end. An opening mark without a partner is dropped when the next opening
 * mark of its kind arrives, so it never swallows the rest of the block.
 */
const NO_PAIRS: QuotePair[] = [];

export function findQuotePairs(masked: string, block: Span): QuotePair[] {
  let pairs = NO_PAIRS;
  let straight = -1;
  let curly = -1;
  // Only quotation marks matter: jump from one to the next within the block.
  const local = masked.slice(block.start, block.end);
  for (let k = block.start; k < block.end; k++) {
    const at = nextOf(QUOTE_MARK, local, k - block.start);
    if (at < 0) break;
    k = block.start + at;
    const c = masked.charCodeAt(k);
    if (c === CURLY_OPEN) curly = k;
    else if (c === CURLY_CLOSE) {
      if (curly >= 0) (pairs === NO_PAIRS ? (pairs = []) : pairs).push({ open: curly, close: k });
      curly = -1;
    } else if (c === STRAIGHT) {
      const before = k > block.start ? masked[k - 1] : undefined;
      const after = k + 1 < block.end ? masked[k + 1] : undefined;
      const canOpen = after !== undefined && !isWhitespace(after.charCodeAt(0)) && (before === undefined || isWhitespace(before.charCodeAt(0)) || OPEN_CONTEXT.has(before));
      const canClose = before !== undefined && !isWhitespace(before.charCodeAt(0)) && (after === undefined || isWhitespace(after.charCodeAt(0)) || CLOSE_CONTEXT.has(after));
      if (straight >= 0 && canClose) {
        (pairs === NO_PAIRS ? (pairs = []) : pairs).push({ open: straight, close: k });
        straight = -1;
      } else if (canOpen) {
        straight = k;
      }
    }
  }
  if (pairs.length < 2) return pairs;
  // Keep the outermost of nested pairs (“… "…" …”) and the first of crossing ones.
  if (pairs.some((pair, i) => i > 0 && pairs[i - 1].open > pair.open)) pairs.sort((a, b) => a.open - b.open);
  const kept: QuotePair[] = [];
  for (const pair of pairs) {
    const last = kept[kept.length - 1];
    if (!last || pair.open > last.close) kept.push(pair);
  }
  return kept;
}

/** `.`, `!`, `?`, `…` */
function isTerminator(c: number): boolean {
  return c === 0x2e || c === 0x21 || c === 0x3f || c === 0x2026;
}
/** Closing quotes, brackets and emphasis that may follow a terminator inside the sentence. */
function isAfterTerminator(c: number): boolean {
  return c === 0x22 || c === 0x201d || c === 0x2019 || c === 0x27 || c === 0x29 || c === 0x2a || c === 0x5f;
}
/** Opening quotes and brackets that may precede a sentence's capital. */
function isBeforeSentence(c: number): boolean {
  return c === 0x22 || c === 0x201c || c === 0x2018 || c === 0x27 || c === 0x28 || c === 0x2a || c === 0x5f;
}
/** Words whose trailing period rarely ends a sentence. */
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'gen', 'sen', 'rep', 'gov', 'lt', 'col', 'sgt', 'capt', 'cmdr', 'adm', 'jr', 'sr', 'vs', 'no', 'fig', 'pp', 'p', 'cf', 'ch', 'vol', 'approx']);
/** How far a citation group after a sentence end may reach (`… lose." [@key] Then …`). */
const MAX_TRAILING_GROUP = 300;

/**
 * Sentences of a block: split after `.`, `!`, `?` or `…` (and any closing
 * quotes or brackets) when whitespace and a capital follow. A citation group
 * or footnote reference right after the terminator stays with its sentence.
 * Cheap, and only used to scope citations and claims.
 */
export function splitSentences(masked: string, block: Span): Span[] {
  const sentences: Span[] = [];
  let start = block.start;
  // Jump from one terminator to the next within the block.
  const local = masked.slice(block.start, block.end);
  for (let k = block.start; k < block.end; k++) {
    const at = nextOf(TERMINATOR, local, k - block.start);
    if (at < 0) break;
    k = block.start + at;
    const terminator = k;
    let end = k + 1;
    while (end < block.end && isTerminator(masked.charCodeAt(end))) end++;
    while (end < block.end && isAfterTerminator(masked.charCodeAt(end))) end++;
    let next = skipSpace(masked, end, block.end);
    if (masked.charCodeAt(next) === 0x5b /* [ */ && next < block.end) {
      const close = groupEnd(masked, next, block.end);
      const after = close < 0 ? next : skipSpace(masked, close + 1, block.end);
      if (close >= 0 && after > close + 1) {
        end = close + 1;
        next = after;
      }
    }
    k = Math.max(k, next - 1);
    if (next === end || next >= block.end) continue;
    if (!startsSentence(masked, next, block.end)) continue;
    if (masked.charCodeAt(terminator) === 0x2e && isAbbreviation(masked, terminator, block.start)) continue;
    pushTrimmed(masked, sentences, start, end);
    start = next;
  }
  pushTrimmed(masked, sentences, start, block.end);
  return sentences;
}

function skipSpace(masked: string, p: number, end: number): number {
  while (p < end && isWhitespace(masked.charCodeAt(p))) p++;
  return p;
}

/** The `]` closing the `[` at `open` (no nested brackets), or -1. */
function groupEnd(masked: string, open: number, end: number): number {
  const limit = Math.min(end, open + MAX_TRAILING_GROUP);
  for (let p = open + 1; p < limit; p++) {
    const c = masked.charCodeAt(p);
    if (c === 0x5d) return p;
    if (c === 0x5b) return -1;
  }
  return -1;
}

function startsSentence(masked: string, p: number, end: number): boolean {
  if (isBeforeSentence(masked.charCodeAt(p)) && p + 1 < end) p++;
  return isUppercase(masked.charCodeAt(p));
}

const LETTER = /\p{L}/u;
function isAbbreviation(masked: string, period: number, floor: number): boolean {
  let j = period;
  while (j > floor && period - j < 12 && LETTER.test(masked[j - 1])) j--;
  const word = masked.slice(j, period);
  if (!word) return false;
  if (word.length === 1 && isUppercase(word.charCodeAt(0))) return true; // an initial: J. Smith
  if (word.length <= 2 && masked[j - 1] === '.') return true; // e.g., U.S.
  return ABBREVIATIONS.has(word.toLowerCase());
}

function pushTrimmed(masked: string, out: Span[], start: number, end: number): void {
  const span = trim(masked, { start, end });
  if (span.end > span.start) out.push(span);
}

export function trim(masked: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && isWhitespace(masked.charCodeAt(start))) start++;
  while (end > start && isWhitespace(masked.charCodeAt(end - 1))) end--;
  return { start, end };
}

function dashAt(masked: string, p: number): number {
  const c = masked[p];
  if (c === '\u2014' || c === '\u2013' || c === '\u2015') return 1;
  if (c === '-' && masked[p + 1] === '-') return masked[p + 2] === '-' ? 3 : 2;
  return 0;
}

/**
 * Where the attribution at the end of a blockquote paragraph starts (or
 * `content.end` when there is none): a last line opening with a dash
 * (`— Sergey Lavrov [@key]`), or trailing citations (`… end. [@key]`,
 * `… end — [@key]`, `… end -- @key`) with an attribution dash before them on
 * their line. `citations` are the block's citation locations, in text order.
 */
export function attributionStart(masked: string, content: Span, citations: readonly Span[]): number {
  let lineStart = content.end;
  while (lineStart > content.start && masked[lineStart - 1] !== '\n' && masked[lineStart - 1] !== '\r') lineStart--;
  lineStart = trim(masked, { start: lineStart, end: content.end }).start;
  if (dashAt(masked, lineStart)) return lineStart;

  let tail = content.end;
  for (let i = citations.length - 1; i >= 0; i--) {
    let end = tail;
    while (end > content.start && (isWhitespace(masked.charCodeAt(end - 1)) || masked[end - 1] === '.' || masked[end - 1] === ';' || masked[end - 1] === ',')) end--;
    let paren = false;
    if (masked[end - 1] === ')') {
      paren = true;
      end--;
      while (end > content.start && isWhitespace(masked.charCodeAt(end - 1))) end--;
    }
    const citation = citations[i];
    if (citation.end !== end) break;
    tail = citation.start;
    if (paren) {
      let open = tail;
      while (open > content.start && isWhitespace(masked.charCodeAt(open - 1))) open--;
      if (masked[open - 1] !== '(') break;
      tail = open - 1;
    }
  }
  if (tail === content.end) return tail;

  // An attribution dash on the citation's line: "… end. — Sergey Lavrov, Tsargrad [@key]".
  const floor = Math.max(lineStart, tail - 160);
  for (let p = tail - 1; p >= floor; p--) {
    const c = masked[p];
    if ('.!?"\u201d'.includes(c)) break;
    const width = dashAt(masked, p);
    if (width && (p === lineStart || isWhitespace(masked.charCodeAt(p - 1))) && isWhitespace(masked.charCodeAt(p + width))) return p;
  }
  return tail;
}

/** Text after a leading quotation that still counts as its attribution (`, he said.`). */
const MAX_ATTRIBUTION_AFTER_QUOTE = 80;

/**
 * The paragraph's text is itself in quotation marks (`"…"`, or `“…,” he
 * said.`): its quotations are the marked ones, not the whole paragraph.
 */
export function isWrappedInQuotes(masked: string, content: Span): boolean {
  const first = masked.charCodeAt(content.start);
  if (first !== STRAIGHT && first !== CURLY_OPEN) return false;
  const pair = findQuotePairs(masked, content)[0];
  return pair !== undefined && pair.open === content.start && content.end - (pair.close + 1) <= MAX_ATTRIBUTION_AFTER_QUOTE;
}

/** The paragraph opens with an attribution dash. */
export function startsWithDash(masked: string, content: Span): boolean {
  return dashAt(masked, content.start) > 0;
}
