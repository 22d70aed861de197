/**
 * Word-boundary matching of terms and phrases for the style rules.
 *
 * Text is cut into tokens: runs of letters, marks and digits are words; every
 * other visible character except inline markup (`*`, `_`, `~`, `[`, `]`) is a
 * one-character punctuation token. Whitespace and markup are skipped, so
 * "some *experts* believe" and "some experts\nbelieve" are the same three
 * words, while a comma or full stop between two words breaks a phrase.
 * Matching whole tokens is what gives word boundaries: "claim" never matches
 * inside "reclaim", and "Kremlin" matches in "pro-Kremlin" and "Kremlin's"
 * because the hyphen and the apostrophe are tokens of their own.
 *
 * Phrase syntax (terms, weasel phrases, team tokens): words as written, plus
 * `(a|b|c)` groups of alternatives, each alternative one or more words, and
 * an optional group `(a|b)?` or `(a)?`. Other parentheses are literal.
 */

export interface Token {
  start: number;
  end: number;
  /** The token's text with curly apostrophes and Unicode hyphens made ASCII. */
  text: string;
  lower: string;
  /** A word (letters/digits) rather than one punctuation character. */
  word: boolean;
}

const WORD_CHAR = /[\p{L}\p{M}\p{N}]/u;
const SPACE_CHAR = /\s/u;
/** Per BMP code unit: 0 not yet known, 1 word, 2 space or inline markup, 3 punctuation. */
const CLASS = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  CLASS[c] = WORD_CHAR.test(ch) ? 1 : SPACE_CHAR.test(ch) || c < 32 || '*_~[]'.includes(ch) ? 2 : 3;
}
// Surrogates: decided per code point in `classAt`.
const SURROGATE = 4;
for (let c = 0xd800; c <= 0xdfff; c++) CLASS[c] = SURROGATE;

/** Class of the character at i (word, space/markup or punctuation); surrogate pairs by their code point. */
function classAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const kind = CLASS[c];
  if (kind === 1 || kind === 2 || kind === 3) return kind;
  if (kind === SURROGATE) return WORD_CHAR.test(String.fromCodePoint(text.codePointAt(i)!)) ? 1 : 3;
  const ch = String.fromCharCode(c);
  return (CLASS[c] = WORD_CHAR.test(ch) ? 1 : SPACE_CHAR.test(ch) ? 2 : 3);
}

function widthAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
}

/** One form for the characters writers type interchangeably. */
export function normaliseToken(text: string): string {
  return text.replace(/[\u2018\u2019\u02bc\u2032]/g, "'").replace(/[\u2010\u2011]/g, '-');
}

/**
 * Tokens of `text.slice(start, end)`, with offsets into `text`. A hand-written
 * scanner: it avoids a Unicode regex and lower-cases only words with capitals.
 */
export function tokenize(text: string, start = 0, end = text.length): Token[] {
  const tokens: Token[] = [];
  let i = start;
  while (i < end) {
    const kind = classAt(text, i);
    if (kind === 2) {
      i += widthAt(text, i);
      continue;
    }
    let j = i + widthAt(text, i);
    if (kind === 1) {
      let plain = true;
      for (let k = i; k < j; k++) if (text.charCodeAt(k) < 97 || text.charCodeAt(k) > 122) plain = false;
      while (j < end && classAt(text, j) === 1) {
        const c = text.charCodeAt(j);
        if (c < 97 || c > 122) plain = false;
        j += widthAt(text, j);
      }
      const word = text.slice(i, j);
      // Digits and non-ASCII letters make `plain` false too; toLowerCase is then merely unnecessary.
      tokens.push({ start: i, end: j, text: word, lower: plain ? word : word.toLowerCase(), word: true });
    } else {
      const mark = normaliseToken(text.slice(i, j));
      tokens.push({ start: i, end: j, text: mark, lower: mark, word: false });
    }
    i = j;
  }
  return tokens;
}

export interface Slot {
  /** Each alternative is a sequence of token texts (lower-cased when the phrase ignores case). */
  alternatives: string[][];
  optional: boolean;
}

export interface Phrase {
  source: string;
  slots: Slot[];
  ignoreCase: boolean;
}

/** Optional groups make matching branch; a handful keeps it trivially cheap. */
const MAX_OPTIONAL_GROUPS = 6;

function tokenTexts(text: string, ignoreCase: boolean): string[] {
  return tokenize(text).map((t) => (ignoreCase ? t.lower : t.text));
}

/**
 * Compiles phrase syntax. Returns undefined for a phrase with no words in it
 * (empty, or only optional groups): it could only match nothing.
 */
export function compilePhrase(source: string, ignoreCase = true): Phrase | undefined {
  const slots: Slot[] = [];
  let i = 0;
  let literal = '';
  const flushLiteral = () => {
    for (const text of tokenTexts(literal, ignoreCase)) slots.push({ alternatives: [[text]], optional: false });
    literal = '';
  };
  while (i < source.length) {
    const ch = source[i];
    if (ch === '(') {
      const close = source.indexOf(')', i + 1);
      const inner = close < 0 ? '' : source.slice(i + 1, close);
      if (close > 0 && (inner.includes('|') || source[close + 1] === '?') && !inner.includes('(')) {
        flushLiteral();
        const parts = inner.split('|').map((p) => tokenTexts(p, ignoreCase));
        const alternatives = parts.filter((p) => p.length > 0);
        let optional = alternatives.length < parts.length;
        i = close + 1;
        if (source[i] === '?') {
          optional = true;
          i++;
        }
        if (alternatives.length) slots.push({ alternatives, optional });
        continue;
      }
    }
    literal += ch;
    i++;
  }
  flushLiteral();
  if (!slots.some((s) => !s.optional) || slots.filter((s) => s.optional).length > MAX_OPTIONAL_GROUPS) return undefined;
  return { source, slots, ignoreCase };
}

/** Problems with a phrase a user wrote, for config validation; undefined when it is fine. */
export function phraseProblem(source: string): string | undefined {
  if (!source.trim()) return 'is empty';
  if (compilePhrase(source)) return undefined;
  if (!tokenize(source).length) return 'has no words in it';
  const optionalGroups = source.match(/\([^()]*\|[^()]*\)\??/g)?.filter((g) => g.endsWith('?') || /\(\||\|\)|\|\|/.test(g)).length ?? 0;
  return optionalGroups > MAX_OPTIONAL_GROUPS ? `has more than ${MAX_OPTIONAL_GROUPS} optional groups` : 'has no required word (every group is optional)';
}

export interface PhraseMatch<T> {
  entry: PhraseEntry<T>;
  /** Token indices: first matched, and one past the last. */
  first: number;
  end: number;
  start: number;
  stop: number;
}

export interface PhraseEntry<T> {
  phrase: Phrase;
  data: T;
}

/**
 * Finds phrases in a token list, leftmost-longest and without overlaps: when
 * "so-called" and "called" are both listed, "so-called" is reported once.
 * Entries are indexed by their possible first words, so a long list costs one
 * map lookup per token.
 */
/** Most tokens start no phrase: one shared empty list instead of a new one per token. */
const NO_ENTRIES: readonly never[] = [];

export class PhraseMatcher<T> {
  private readonly byFirst = new Map<string, PhraseEntry<T>[]>();

  constructor(entries: Iterable<PhraseEntry<T>>) {
    for (const entry of entries) {
      for (const first of firstWords(entry.phrase)) {
        const list = this.byFirst.get(first) ?? [];
        list.push(entry);
        this.byFirst.set(first, list);
      }
    }
  }

  get size(): number {
    return this.byFirst.size;
  }

  matches(tokens: readonly Token[]): PhraseMatch<T>[] {
    const found: PhraseMatch<T>[] = [];
    let i = 0;
    while (i < tokens.length) {
      let best: PhraseMatch<T> | undefined;
      for (const entry of this.byFirst.get(tokens[i].lower) ?? NO_ENTRIES) {
        const end = matchSlots(entry.phrase, 0, tokens, i);
        if (end > i && (!best || end > best.end)) best = { entry, first: i, end, start: tokens[i].start, stop: tokens[end - 1].end };
      }
      if (best) {
        found.push(best);
        i = best.end;
      } else i++;
    }
    return found;
  }
}

/** Lower-cased words a phrase can start with (through leading optional groups). */
function firstWords(phrase: Phrase): Set<string> {
  const words = new Set<string>();
  for (const slot of phrase.slots) {
    for (const alternative of slot.alternatives) words.add(alternative[0].toLowerCase());
    if (!slot.optional) break;
  }
  return words;
}

function tokenEquals(token: Token, text: string, ignoreCase: boolean): boolean {
  return ignoreCase ? token.lower === text : token.text === text;
}

/** Token index one past the longest match of slots[s…] starting at token t, or -1. */
function matchSlots(phrase: Phrase, s: number, tokens: readonly Token[], t: number): number {
  if (s === phrase.slots.length) return t;
  const slot = phrase.slots[s];
  let best = -1;
  for (const alternative of slot.alternatives) {
    if (t + alternative.length > tokens.length) continue;
    let ok = true;
    for (let k = 0; k < alternative.length && ok; k++) ok = tokenEquals(tokens[t + k], alternative[k], phrase.ignoreCase);
    if (ok) best = Math.max(best, matchSlots(phrase, s + 1, tokens, t + alternative.length));
  }
  if (slot.optional) best = Math.max(best, matchSlots(phrase, s + 1, tokens, t));
  return best;
}

/**
 * Gives a replacement the capitalisation of the words it replaces: "Regime"
 * → "Government", "REGIME" → "GOVERNMENT"; otherwise the replacement as written.
 */
export function matchCase(matched: string, replacement: string): string {
  const letters = matched.replace(/[^\p{L}]/gu, '');
  if (letters.length > 1 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) return replacement.toUpperCase();
  const first = letters[0];
  if (first && first !== first.toLowerCase() && replacement[0] === replacement[0].toLowerCase()) {
    return replacement[0].toUpperCase() + replacement.slice(1);
  }
  return replacement;
}

/** Fills `{match}` and `{replacement}` in a team's message. */
export function fillMessage(template: string, values: { match: string; replacement?: string }): string {
  return template.replace(/\{(match|replacement)\}/g, (whole, key: string) => (key === 'match' ? values.match : values.replacement ?? whole));
}
