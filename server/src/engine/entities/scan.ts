/**
 * Sentences and tokens for the name patterns: words keep their internal
 * hyphens and apostrophes ("Aynsley-Green", "co-chairman", "Russia's"), every
 * other non-space character is a punctuation token. Hand-written over char
 * codes because it runs over the whole corpus once per generation.
 *
 * Sentences are handed to a callback one at a time and their tokens are
 * pooled objects reused for the next sentence: the corpus has ~900,000
 * tokens, and allocating an object and two strings for each cost more than
 * all the pattern work on them. A token's strings are sliced only when read.
 */
import type { Span } from '../types';

export class Token {
  start = 0;
  end = 0;
  /** End of `base` (before a possessive `'s` / `'`). */
  baseEnd = 0;
  /** A word (letters/digits) rather than punctuation. */
  word = false;
  possessive = false;
  /** First character is an upper-case letter. */
  cap = false;
  /** Two or more letters, all upper case (digits allowed): "EAEU", "G8". */
  allCaps = false;
  /** Char code of the first character (punctuation tests without a string). */
  code = 0;
  /** The text the token is in (`start`/`end` are offsets into it). */
  source = '';
  private textValue: string | undefined;
  private baseValue: string | undefined;
  private lowerValue: string | undefined;

  set(source: string, start: number, end: number, baseEnd: number, word: boolean, possessive: boolean, cap: boolean, allCaps: boolean): void {
    this.source = source;
    this.start = start;
    this.end = end;
    this.baseEnd = baseEnd;
    this.word = word;
    this.possessive = possessive;
    this.cap = cap;
    this.allCaps = allCaps;
    this.code = source.charCodeAt(start);
    this.textValue = undefined;
    this.baseValue = undefined;
    this.lowerValue = undefined;
  }

  /** The token as written. */
  get text(): string {
    return (this.textValue ??= this.source.slice(this.start, this.end));
  }

  /** Text without a possessive `'s` / `s'` ("Russia's" → "Russia"). */
  get base(): string {
    if (this.baseValue === undefined) this.baseValue = this.baseEnd === this.end ? this.text : this.source.slice(this.start, this.baseEnd);
    return this.baseValue;
  }

  /** `base` in lower case. */
  get lower(): string {
    return (this.lowerValue ??= this.base.toLowerCase());
  }

  /** Whether the token is exactly `word` (compares char codes; no string is made). */
  is(word: string): boolean {
    const length = this.end - this.start;
    if (length !== word.length) return false;
    if (length === 1) return this.code === word.charCodeAt(0);
    for (let i = 0; i < length; i++) if (this.source.charCodeAt(this.start + i) !== word.charCodeAt(i)) return false;
    return true;
  }
}

/** The tokens of the sentence being handed out; valid only during the callback. */
export type Tokens = readonly Token[];

export type SentenceCallback = (span: Span, tokens: Tokens) => void;

const UPPER = /\p{Lu}/u;
const WORD = /[\p{L}\p{N}\p{M}]/u;

/**
 * ASCII character classes: 1 a letter or digit, 2 white space, 0 anything
 * else. The scanners below test `c < 128 ? ASCII[c] === 1 : …` inline: they
 * run over the whole corpus, mostly before the optimiser has compiled them,
 * where every function call costs.
 */
export const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ? 1 : c === 32 || c === 9 || c === 10 || c === 13 ? 2 : 0;

export function isWordCode(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII[c] === 1;
  if (c === 0x2019 || c === 0x2018) return false;
  return WORD.test(text[i]);
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 0x2009 || c === 0x202f || c === 0xfeff;
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

/** Characters that may close a sentence after its final punctuation: " ' ” ’ ) ]. */
function isCloser(c: number): boolean {
  return c === 34 || c === 39 || c === 0x201d || c === 0x2019 || c === 41 || c === 93;
}

/** Sentence-final line endings: . ! ? : " ”. */
function endsLine(c: number): boolean {
  return c === 46 || c === 33 || c === 63 || c === 58 || c === 34 || c === 0x201d;
}

const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'prof', 'gen', 'lt', 'col', 'sgt', 'rev', 'no', 'vs', 'etc', 'inc', 'ltd', 'co', 'jr', 'sr']);

function isUpperAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c < 128 ? c >= 65 && c <= 90 : UPPER.test(text[i]);
}

/**
 * Reads sentences and tokens; one instance per caller, reused across texts
 * (its token pool grows to the longest sentence seen).
 */
export class SentenceScanner {
  private readonly pool: Token[] = [];
  private readonly tokens: Token[] = [];

  private push(text: string, start: number, end: number, word: boolean): Token {
    const n = this.tokens.length;
    let token = this.pool[n];
    if (!token) this.pool.push((token = new Token()));
    let baseEnd = end;
    let possessive = false;
    if (word) {
      const last = text.charCodeAt(end - 1);
      if (end - start > 2 && (last === 115 && isApostrophe(text.charCodeAt(end - 2)))) {
        baseEnd = end - 2;
        possessive = true;
      } else if (isApostrophe(last)) {
        baseEnd = end - 1;
        possessive = true;
      }
    }
    const cap = word && isUpperAt(text, start);
    let allCaps = false;
    if (cap && baseEnd - start >= 2) {
      allCaps = true;
      let letters = 0;
      for (let i = start; i < baseEnd; i++) {
        const c = text.charCodeAt(i);
        if (c >= 65 && c <= 90) letters++;
        else if (c >= 48 && c <= 57) continue;
        else if (c === 38) continue; // "&" in "AT&T"
        else if (c >= 128 && UPPER.test(text[i])) letters++;
        else {
          allCaps = false;
          break;
        }
      }
      if (letters < 2 && allCaps) allCaps = letters >= 1;
    }
    token.set(text, start, end, baseEnd, word, possessive, cap, allCaps);
    this.tokens.push(token);
    return token;
  }

  /**
   * Splits `text[from, to)` into sentences of tokens and calls `onSentence`
   * for each. Boundaries: `.`, `!`, `?` followed by space and a capital, digit
   * or quote (not after "Mr" or an initial); a blank line; a line break after
   * sentence-final punctuation.
   */
  scan(text: string, from: number, to: number, onSentence: SentenceCallback): void {
    this.text = text;
    this.at = from;
    this.to = to;
    // The reading loop stays a separate function from the consumer, so the optimiser compiles each on its own.
    while (this.next()) onSentence(this.span, this.tokens);
  }

  private text = '';
  private at = 0;
  private to = 0;
  private span: Span = { start: 0, end: 0 };

  /** Reads the next sentence into `tokens` and `span`; false at the end of the text. */
  private next(): boolean {
    const text = this.text;
    const to = this.to;
    const tokens = this.tokens;
    tokens.length = 0;
    let sentenceStart = -1;
    let i = this.at;
    let end = -1;
    while (i < to) {
      const c = text.charCodeAt(i);
      const kind = c < 128 ? ASCII[c] : isSpaceCode(c) ? 2 : isWordCode(text, i) ? 1 : 0;
      if (kind === 2) {
        if (c === 10 && tokens.length) {
          // Blank line, or a line that ended like a sentence: boundary.
          let j = i + 1;
          while (j < to && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 13)) j++;
          const prev = tokens[tokens.length - 1];
          if (j >= to || text.charCodeAt(j) === 10 || (!prev.word && endsLine(prev.code)) || text.charCodeAt(j) === 35) {
            end = prev.end;
            i++;
            break;
          }
        }
        i++;
        continue;
      }
      if (sentenceStart < 0) sentenceStart = i;
      if (kind === 1) {
        i = this.readWord(text, i, to);
        continue;
      }
      this.push(text, i, i + 1, false);
      i++;
      if (c === 46 || c === 33 || c === 63) {
        const j = this.sentenceEnd(text, i, to, c);
        if (j >= 0) {
          for (let q = i; q < j; q++) this.push(text, q, q + 1, false);
          end = j;
          i = j;
          break;
        }
      }
    }
    this.at = i;
    if (!tokens.length) return false;
    this.span = { start: sentenceStart, end: end >= 0 ? end : tokens[tokens.length - 1].end };
    return true;
  }

  /** Reads the word starting at `start`; returns where it ends. */
  private readWord(text: string, start: number, to: number): number {
    let i = start + 1;
    while (i < to) {
      const d = text.charCodeAt(i);
      if (d < 128 ? ASCII[d] === 1 : isWordCode(text, i)) {
        i++;
        continue;
      }
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
    this.push(text, start, i, true);
    return i;
  }

  /**
   * After `.`, `!` or `?` (code `c`, the tokens so far ending with it): the
   * end of the sentence after any closing quotes and brackets, or -1. It needs
   * white space then a capital, digit or quote, and a full stop must not
   * follow "Mr" or an initial.
   */
  private sentenceEnd(text: string, i: number, to: number, c: number): number {
    let j = i;
    while (j < to && isCloser(text.charCodeAt(j))) j++;
    if (j < to && !isSpaceCode(text.charCodeAt(j))) return -1;
    let k = j;
    while (k < to && isSpaceCode(text.charCodeAt(k))) k++;
    if (k < to) {
      const next = text.charCodeAt(k);
      const opens = (next >= 48 && next <= 57) || next === 34 || next === 39 || next === 0x201c || next === 0x2018;
      if (!opens && !isUpperAt(text, k)) return -1;
    }
    const tokens = this.tokens;
    if (c === 46 && tokens.length >= 2) {
      const prev = tokens[tokens.length - 2];
      if (prev.word && ((prev.end - prev.start === 1 && prev.cap) || (prev.end - prev.start <= 4 && ABBREVIATIONS.has(prev.text.toLowerCase())))) return -1;
    }
    return j;
  }
}
