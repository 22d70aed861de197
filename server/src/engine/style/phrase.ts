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

const TOKEN = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}*_~[\]]/gu;
const WORD_START = /[\p{L}\p{M}\p{N}]/u;

/** One form for the characters writers type interchangeably. */
export function normaliseToken(text: string): string {
  return text.replace(/[\u2018\u2019\u02bc\u2032]/g, "'").replace(/[\u2010\u2011]/g, '-');
}

/** Tokens of `text.slice(start, end)`, with offsets into `text`. */
export function tokenize(text: string, start = 0, end = text.length): Token[] {
  const slice = text.slice(start, end);
  const tokens: Token[] = [];
  for (const match of slice.matchAll(TOKEN)) {
    const raw = match[0];
    const normal = normaliseToken(raw);
    const at = start + match.index;
    tokens.push({ start: at, end: at + raw.length, text: normal, lower: normal.toLowerCase(), word: WORD_START.test(raw) });
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
      for (const entry of this.byFirst.get(tokens[i].lower) ?? []) {
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
