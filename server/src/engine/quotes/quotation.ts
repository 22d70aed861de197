/**
 * A quotation as the author wrote it, split into words and parts.
 *
 * Editorial marks that keep a quotation verbatim:
 * - omissions `...`, `…`, `. . .`, `[...]`, `[…]`, `(...)`: the next part
 *   follows later in the same source, any distance on;
 * - `[bracketed]` insertions or replacements: the next part follows within
 *   `BRACKET_SPAN` source words (a bracket may stand for up to that many);
 * - `[T]he`: a bracketed first letter is a case change, not a gap.
 * The first word of the quotation and the first word after a mark may differ
 * from the source in the case of their first letter.
 */
import { isWordChar, scanTokens, tokenSurface } from './tokenize';
import type { Vocabulary } from './vocabulary';

/** Source words a `[bracket]` may stand for. */
export const BRACKET_SPAN = 8;

export type GapKind = 'start' | 'omission' | 'bracket';

export interface QuoteWord {
  /** The word as written (apostrophes normalised; `[T]he` → `The`). */
  text: string;
  /** Offsets in the quotation text. */
  start: number;
  end: number;
  fold: number;
  exact: number;
  cap: number;
  /** May differ from the source in the case of its first letter. */
  flexibleCase: boolean;
}

/** A run of words with no editorial mark inside: `words[first..end)`. */
export interface QuotePart {
  first: number;
  end: number;
  /** What comes before the part. */
  gap: GapKind;
  /** For a bracket gap: how many source words it may stand for. */
  maxSkip: number;
}

export interface ParsedQuotation {
  text: string;
  words: QuoteWord[];
  parts: QuotePart[];
  /** Whether any part is preceded by an omission (parts may then be far apart). */
  hasOmission: boolean;
}

type Mark = { kind: 'omission' | 'bracket'; start: number; end: number } | { kind: 'letter'; start: number; end: number; letter: string };

export function parseQuotation(text: string, vocabulary: Vocabulary): ParsedQuotation {
  const words: QuoteWord[] = [];
  const parts: QuotePart[] = [];
  let partFirst = 0;
  let gap: GapKind = 'start';
  let maxSkip = 0;
  let hasOmission = false;
  let flexibleNext = true;
  let pendingLetter: { letter: string; start: number; wordStart: number } | undefined;

  const closePart = () => {
    if (words.length > partFirst) {
      parts.push({ first: partFirst, end: words.length, gap, maxSkip });
      partFirst = words.length;
      gap = 'start';
      maxSkip = 0;
    }
  };

  const addWords = (from: number, to: number) => {
    scanTokens(text, from, to, (start, end, flags) => {
      let wordText = tokenSurface(text, start, end, flags);
      let wordStart = start;
      let flexible = flexibleNext;
      if (pendingLetter && pendingLetter.wordStart === start) {
        wordText = pendingLetter.letter + wordText;
        wordStart = pendingLetter.start;
        flexible = true;
      }
      pendingLetter = undefined;
      flexibleNext = false;
      const keys = vocabulary.keysOf(wordText);
      words.push({ text: wordText, start: wordStart, end, ...keys, flexibleCase: flexible });
    });
  };

  let textStart = 0;
  for (let i = 0; i < text.length; ) {
    const mark = markAt(text, i);
    if (!mark) {
      i++;
      continue;
    }
    addWords(textStart, mark.start);
    if (mark.kind === 'letter') {
      pendingLetter = { letter: mark.letter, start: mark.start, wordStart: mark.end };
    } else {
      closePart();
      flexibleNext = true;
      if (mark.kind === 'omission') {
        gap = 'omission';
        hasOmission = true;
      } else if (gap !== 'omission') {
        gap = 'bracket';
        maxSkip += BRACKET_SPAN;
      }
      // A gap before the first word changes nothing: the first part may start anywhere.
      if (words.length === 0) {
        gap = 'start';
        maxSkip = 0;
      }
    }
    i = mark.end;
    textStart = mark.end;
  }
  addWords(textStart, text.length);
  closePart();
  return { text, words, parts, hasOmission };
}

function markAt(text: string, i: number): Mark | undefined {
  const c = text[i];
  if (c === '\u2026') return { kind: 'omission', start: i, end: i + 1 };
  if (c === '.') {
    const dots = /^\.(?:[ \u00a0]?\.){2,}/.exec(text.slice(i, i + 40));
    if (dots) return { kind: 'omission', start: i, end: i + dots[0].length };
    return undefined;
  }
  if (c === '(') {
    const ellipsis = /^\((?:\.{3,}|\u2026)\)/.exec(text.slice(i, i + 12));
    return ellipsis ? { kind: 'omission', start: i, end: i + ellipsis[0].length } : undefined;
  }
  if (c !== '[') return undefined;
  const close = text.indexOf(']', i + 1);
  if (close < 0) return undefined;
  const open = text.indexOf('[', i + 1);
  if (open >= 0 && open < close) return undefined; // nested: treat the outer '[' as punctuation
  const inner = text.slice(i + 1, close).trim();
  if (/^(?:\.(?:\s?\.){2,}|\u2026)$/.test(inner)) return { kind: 'omission', start: i, end: close + 1 };
  const letterGlued = /^\p{L}$/u.test(inner) && close + 1 < text.length && isWordChar(text[close + 1]) && (i === 0 || !isWordChar(text[i - 1]));
  if (letterGlued) return { kind: 'letter', start: i, end: close + 1, letter: inner };
  return { kind: 'bracket', start: i, end: close + 1 };
}
