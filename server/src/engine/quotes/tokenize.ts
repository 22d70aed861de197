/**
 * Word tokenizer for quotation matching.
 *
 * A token is a run of letters, digits and combining marks (`\p{L}\p{N}\p{M}`),
 * keeping an apostrophe between two word characters ("Russia's", any of
 * ' ’ ‘ ʼ ` normalised to ') and a `.` or `,` between two digits ("1.13bn",
 * "464,000"). A currency sign or `%` is a token of its own, so "$600m" and
 * "£600m" differ. Everything else — spaces, line breaks, quote marks, hyphens,
 * dashes, other punctuation — only separates tokens.
 *
 * Hand-written on char codes because `Intl.Segmenter` word granularity is far
 * too slow for a whole corpus (see MEASURED.md).
 *
 * Invariant the index relies on: a token's `text` has the same length as the
 * original slice `[start, end)` (normalising an apostrophe replaces one code
 * unit by one code unit), so `end = start + text.length`.
 */

/** One word of a text, with its offsets in that text. */
export interface Token {
  /** The token as written, with apostrophes normalised to `'`. */
  text: string;
  start: number;
  end: number;
}

const enum Kind {
  Other = 0,
  Letter = 1,
  Digit = 2,
  Apostrophe = 3,
  /** `.` or `,`: part of a token only between two digits. */
  NumberJoiner = 4,
  /** Currency sign or `%`: a one-character token. */
  Symbol = 5,
}

const ASCII_KINDS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) ASCII_KINDS[c] = Kind.Letter;
  else if (c >= 0x30 && c <= 0x39) ASCII_KINDS[c] = Kind.Digit;
}
ASCII_KINDS[0x27] = Kind.Apostrophe; // '
ASCII_KINDS[0x60] = Kind.Apostrophe; // `
ASCII_KINDS[0x2e] = Kind.NumberJoiner; // .
ASCII_KINDS[0x2c] = Kind.NumberJoiner; // ,
ASCII_KINDS[0x24] = Kind.Symbol; // $
ASCII_KINDS[0x25] = Kind.Symbol; // %

/** Kinds of BMP code units above ASCII, computed on first sight (0 = not yet known, else kind + 1). */
const bmpKinds = new Uint8Array(0x10000);
const DIGIT_RE = /\p{Nd}/u;
const WORD_RE = /[\p{L}\p{N}\p{M}]/u;
const SYMBOL_RE = /[\p{Sc}%\u2030]/u;

function classify(char: string): Kind {
  if (char === '\u2019' || char === '\u2018' || char === '\u02bc') return Kind.Apostrophe;
  if (DIGIT_RE.test(char)) return Kind.Digit;
  if (WORD_RE.test(char)) return Kind.Letter;
  if (SYMBOL_RE.test(char)) return Kind.Symbol;
  return Kind.Other;
}

/** Kind of the character starting at `i` (a surrogate pair counts as one character). */
function kindAt(text: string, i: number): Kind {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII_KINDS[c] as Kind;
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const cp = text.codePointAt(i) ?? c;
    if (cp > 0xffff) return classify(String.fromCodePoint(cp)); // astral: rare, not cached
  }
  const known = bmpKinds[c];
  if (known !== 0) return (known - 1) as Kind;
  const kind = classify(String.fromCharCode(c));
  bmpKinds[c] = kind + 1;
  return kind;
}

function widthAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

function isWordKind(kind: Kind): boolean {
  return kind === Kind.Letter || kind === Kind.Digit;
}

/** Token flag: the token has an apostrophe other than `'` (its surface differs from the raw slice). */
export const ODD_APOSTROPHE = 2;

/** Whether a code unit is an apostrophe that normalises to `'`. */
export function isOddApostrophe(code: number): boolean {
  return code === 0x2019 || code === 0x2018 || code === 0x02bc || code === 0x60;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Calls `onToken(start, end, flags, hash)` for every token of `text` in
 * `[from, to)`. `hash` is `hashToken` of the token, computed on the way so the
 * index interns words straight from the text without making strings.
 */
export function scanTokens(
  text: string,
  from: number,
  to: number,
  onToken: (start: number, end: number, flags: number, hash: number) => void,
): void {
  let i = from;
  while (i < to) {
    const code = text.charCodeAt(i);
    const kind = code < 128 ? (ASCII_KINDS[code] as Kind) : kindAt(text, i);
    if (kind === Kind.Symbol) {
      const w = widthAt(text, i);
      onToken(i, i + w, 0, hashToken(text, i, i + w));
      i += w;
      continue;
    }
    if (!isWordKind(kind)) {
      i += 1;
      continue;
    }
    const start = i;
    let flags = 0;
    let hash = Math.imul(FNV_OFFSET ^ code, FNV_PRIME);
    let prevKind: Kind = kind;
    i += 1;
    while (i < to) {
      const c = text.charCodeAt(i);
      const k = c < 128 ? (ASCII_KINDS[c] as Kind) : kindAt(text, i);
      if (k === Kind.Letter || k === Kind.Digit || (c >= 0xdc00 && c <= 0xdfff && i > start)) {
        // (A low surrogate continues the character before it.)
        hash = Math.imul(hash ^ c, FNV_PRIME);
        prevKind = k === Kind.Digit ? k : Kind.Letter;
        i += 1;
        continue;
      }
      if (i + 1 >= to) break;
      if (k === Kind.Apostrophe && isWordKind(kindAt(text, i + 1))) {
        if (c !== 0x27) flags |= ODD_APOSTROPHE;
        hash = Math.imul(hash ^ 0x27, FNV_PRIME);
        prevKind = k;
        i += 1;
        continue;
      }
      if (k === Kind.NumberJoiner && prevKind === Kind.Digit && kindAt(text, i + 1) === Kind.Digit) {
        hash = Math.imul(hash ^ c, FNV_PRIME);
        prevKind = k;
        i += 1;
        continue;
      }
      break;
    }
    onToken(start, i, flags, hash >>> 0);
  }
}

/** FNV-1a over a token's code units with apostrophes normalised: raw text and surface hash alike. */
export function hashToken(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    hash = Math.imul(hash ^ (isOddApostrophe(c) ? 0x27 : c), FNV_PRIME);
  }
  return hash >>> 0;
}

/** A token's text with apostrophes normalised (same length as the slice). */
export function tokenSurface(text: string, start: number, end: number, flags: number): string {
  const raw = text.slice(start, end);
  return flags & ODD_APOSTROPHE ? raw.replace(/[\u2019\u2018\u02bc`]/g, "'") : raw;
}

/** The tokens of `text` (or of its slice `[from, to)`, offsets still in `text`). */
export function tokenize(text: string, from = 0, to = text.length): Token[] {
  const tokens: Token[] = [];
  scanTokens(text, from, to, (start, end, flags) => tokens.push({ text: tokenSurface(text, start, end, flags), start, end }));
  return tokens;
}

/** True when `char` (one character) would be part of a word token. */
export function isWordChar(char: string): boolean {
  return char.length > 0 && isWordKind(kindAt(char, 0));
}
