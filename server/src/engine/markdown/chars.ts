/** Character classes shared by the scanners; all take UTF-16 code units. */

export const SPACE = 0x20;
export const LF = 0x0a;
export const CR = 0x0d;
export const BACKSLASH = 0x5c;

/** Whitespace, NaN (outside the string) excluded. */
export function isWhitespace(c: number): boolean {
  return c === SPACE || c === 0x09 || c === LF || c === CR || c === 0x0c || c === 0x0b || c === 0xa0 || c === 0x3000 || c === 0x202f || (c >= 0x2000 && c <= 0x200a);
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

/** Whether the character at `i` is escaped by an odd number of backslashes. */
export function isEscaped(s: string, i: number, floor = 0): boolean {
  let n = 0;
  for (let k = i - 1; k >= floor && s.charCodeAt(k) === BACKSLASH; k--) n++;
  return n % 2 === 1;
}

/** Whitespace runs collapsed to one space, trimmed. */
export function collapseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
