/** Character classes shared by the scanners; all take UTF-16 code units. */

export const SPACE = 0x20;
export const LF = 0x0a;
export const CR = 0x0d;
export const BACKSLASH = 0x5c;

/** Whitespace, NaN (outside the string) excluded. */
export function isWhitespace(c: number): boolean {
  return c === SPACE || c === 0x09 || c === LF || c === CR || c === 0x0c || c === 0x0b || c === 0xa0 || c === 0x3000 || c === 0x202f || c === 0x205f || c === 0x1680 || c === 0x2028 || c === 0x2029 || c === 0xfeff || (c >= 0x2000 && c <= 0x200a);
}

export function isAsciiPunctuation(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

const UNICODE_PUNCTUATION = /[\p{P}\p{S}]/u;
export function isPunctuation(c: number): boolean {
  if (c < 0x80) return isAsciiPunctuation(c);
  return UNICODE_PUNCTUATION.test(String.fromCharCode(c));
}

const UNICODE_WORD = /[\p{L}\p{N}\p{M}]/u;
/** Letter, digit or `_` (what may precede an e-mail's `@` or make up a citation key). */
export function isWordChar(c: number): boolean {
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
  return UNICODE_WORD.test(String.fromCharCode(c));
}

const UPPERCASE = /\p{Lu}|\p{Lt}/u;
export function isUppercase(c: number): boolean {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a;
  return UPPERCASE.test(String.fromCharCode(c));
}

/**
 * Index of the character `code` in `s[from, end)`, or -1. Unlike
 * `indexOf` it never looks past `end`: a search per block must not scan the
 * rest of the document, or a document of many blocks becomes quadratic.
 */
export function findChar(s: string, code: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (s.charCodeAt(i) === code) return i;
  return -1;
}

/**
 * Index of the next character of `s` from `from` on that `oneOf` matches, or
 * -1. `oneOf` is a global character class of code units (no `u` flag): the
 * search runs natively, where a loop over every character runs interpreted
 * until the optimiser catches up, which in a one-shot CLI check is never.
 * Searching a block's own string (or a slice of it) keeps a search from
 * reading the rest of the document.
 */
export function nextOf(oneOf: RegExp, s: string, from: number): number {
  oneOf.lastIndex = from;
  return oneOf.test(s) ? oneOf.lastIndex - 1 : -1;
}

/** Whether the character at `i` is escaped by an odd number of backslashes. */
export function isEscaped(s: string, i: number, floor = 0): boolean {
  let n = 0;
  for (let k = i - 1; k >= floor && s.charCodeAt(k) === BACKSLASH; k--) n++;
  return n % 2 === 1;
}

/** Whitespace runs collapsed to one space, trimmed. */
export function collapseWhitespace(s: string): string {
  // Most quotations are already single-spaced: check before building a new string.
  let clean = s.length === 0 || (!isWhitespace(s.charCodeAt(0)) && !isWhitespace(s.charCodeAt(s.length - 1)));
  for (let i = 0; clean && i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === SPACE) clean = !isWhitespace(s.charCodeAt(i + 1));
    else if (isWhitespace(c)) clean = false;
  }
  if (clean) return s;
  if (s.length > LONG && !/[\uD800-\uDFFF]/.test(s)) return collapseLong(s);
  return s.replace(/\s+/g, ' ').trim();
}

/** Above this length a hand-written loop beats the regular expression (which is slow on long two-byte strings). */
const LONG = 2048;
const utf16 = new TextDecoder('utf-16le');

/** `collapseWhitespace` for long strings without surrogates (TextDecoder would alter lone ones). */
function collapseLong(s: string): string {
  const out = new Uint16Array(s.length);
  let n = 0;
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isWhitespace(c)) {
      space = n > 0;
      continue;
    }
    if (space) out[n++] = SPACE;
    space = false;
    out[n++] = c;
  }
  return utf16.decode(out.subarray(0, n));
}
