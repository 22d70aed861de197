/**
 * Sentences and tokens for the name patterns: words keep their internal
 * hyphens and apostrophes ("Aynsley-Green", "co-chairman", "Russia's"), every
 * other non-space character is a punctuation token. Hand-written over char
 * codes because it runs over the whole corpus once per generation.
 */
import type { Span } from '../types';

export interface Token {
  /** The token as written. */
  text: string;
  start: number;
  end: number;
  /** A word (letters/digits) rather than punctuation. */
  word: boolean;
  /** Text without a possessive `'s` / `s'` ("Russia's" → "Russia"). */
  base: string;
  possessive: boolean;
  /** First character is an upper-case letter. */
  cap: boolean;
  /** Two or more letters, all upper case (digits allowed): "EAEU", "G8". */
  allCaps: boolean;
}

export interface Sentence {
  span: Span;
  tokens: Token[];
}

const UPPER = /\p{Lu}/u;
const WORD = /[\p{L}\p{N}\p{M}]/u;

export function isWordCode(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  if (c === 0x2019 || c === 0x2018) return false;
  return WORD.test(text[i]);
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x2009 || c === 0x202f || c === 0xfeff;
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'prof', 'gen', 'lt', 'col', 'sgt', 'rev', 'no', 'vs', 'etc', 'inc', 'ltd', 'co', 'jr', 'sr']);

function makeToken(text: string, start: number, end: number, word: boolean): Token {
  const raw = text.slice(start, end);
  let base = raw;
  let possessive = false;
  if (word) {
    const last = raw.charCodeAt(raw.length - 1);
    if (raw.length > 2 && (raw.endsWith("'s") || raw.endsWith('\u2019s'))) {
      base = raw.slice(0, -2);
      possessive = true;
    } else if (isApostrophe(last)) {
      base = raw.slice(0, -1);
      possessive = true;
    }
  }
  const first = base.charCodeAt(0);
  const cap = word && (first < 128 ? first >= 65 && first <= 90 : UPPER.test(base[0]));
  let allCaps = false;
  if (cap && base.length >= 2) {
    allCaps = true;
    let letters = 0;
    for (let i = 0; i < base.length; i++) {
      const c = base.charCodeAt(i);
      if (c >= 65 && c <= 90) letters++;
      else if (c >= 48 && c <= 57) continue;
      else if (c === 38) continue; // "&" in "AT&T"
      else if (c >= 128 && UPPER.test(base[i])) letters++;
      else {
        allCaps = false;
        break;
      }
    }
    if (letters < 2 && allCaps) allCaps = letters >= 1 && base.length >= 2;
  }
  return { text: raw, start, end, word, base, possessive, cap, allCaps };
}

/**
 * Splits `text[from, to)` into sentences of tokens. Boundaries: `.`, `!`, `?`
 * followed by space and a capital, digit or quote (not after "Mr" or an
 * initial); a blank line; a line break after sentence-final punctuation.
 */
export function scanSentences(text: string, from = 0, to = text.length): Sentence[] {
  const sentences: Sentence[] = [];
  let tokens: Token[] = [];
  let sentenceStart = -1;
  const close = (end: number) => {
    if (tokens.length) sentences.push({ span: { start: sentenceStart, end }, tokens });
    tokens = [];
    sentenceStart = -1;
  };
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isSpaceCode(c)) {
      if (c === 10 && tokens.length) {
        // Blank line, or a line that ended like a sentence: boundary.
        let j = i + 1;
        while (j < to && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 13)) j++;
        const prev = tokens[tokens.length - 1];
        if (j >= to || text.charCodeAt(j) === 10 || (!prev.word && /[.!?:"\u201d]/.test(prev.text)) || /^#/.test(text[j] ?? '')) close(prev.end);
      }
      i++;
      continue;
    }
    if (sentenceStart < 0) sentenceStart = i;
    if (isWordCode(text, i)) {
      const start = i;
      i++;
      while (i < to) {
        if (isWordCode(text, i)) {
          i++;
          continue;
        }
        const d = text.charCodeAt(i);
        // Internal hyphen or apostrophe joins two word characters.
        if ((d === 45 || isApostrophe(d)) && i + 1 < to && isWordCode(text, i + 1)) {
          i++;
          continue;
        }
        // Possessive plural: "Registrars' spokesman".
        if (isApostrophe(d) && text.charCodeAt(i - 1) === 115 && (i + 1 >= to || !isWordCode(text, i + 1)) && i - start >= 3) {
          const after = text.charCodeAt(i + 1);
          if (after === 32 || after === 10) i++;
        }
        break;
      }
      tokens.push(makeToken(text, start, i, true));
      continue;
    }
    tokens.push(makeToken(text, i, i + 1, false));
    i++;
    if (c === 46 || c === 33 || c === 63) {
      // Sentence end? Skip closing quotes/brackets, need whitespace then a capital, digit or quote.
      let j = i;
      while (j < to && /["'\u201d\u2019)\]]/.test(text[j])) j++;
      if (j < to && !isSpaceCode(text.charCodeAt(j))) continue;
      let k = j;
      while (k < to && isSpaceCode(text.charCodeAt(k))) k++;
      const next = text[k] ?? '';
      if (k < to && !(UPPER.test(next) || /[0-9"'\u201c\u2018]/.test(next))) continue;
      if (c === 46 && tokens.length >= 2) {
        const prev = tokens[tokens.length - 2];
        if (prev.word && (ABBREVIATIONS.has(prev.text.toLowerCase()) || (prev.text.length === 1 && prev.cap))) continue;
      }
      for (let q = i; q < j; q++) tokens.push(makeToken(text, q, q + 1, false));
      close(j);
      i = j;
    }
  }
  if (tokens.length) close(tokens[tokens.length - 1].end);
  return sentences;
}
