/**
 * Citations in one block, read from the masked text (so never inside code,
 * comments or link destinations): Pandoc's `[@key]`, `[see @a, p. 3; -@b]`,
 * bare `@key`, footnote references `[^n]`, and links whose target can name a
 * source (any URL, or a relative `.md`/`.txt` path).
 */
import type { Span } from '../types';
import type { LinkInfo } from './inline';
import { BACKSLASH, findChar, isEscaped, isWhitespace, isWordChar, nextOf } from './chars';

export interface BlockCitation {
  key: string;
  span: Span;
  group: Span;
  kind: 'pandoc' | 'bare' | 'link';
  suppressAuthor?: boolean;
}

export interface FootnoteReference {
  label: string;
  span: Span;
}

export interface BlockCitations {
  citations: BlockCitation[];
  footnotes: FootnoteReference[];
}

/** Pandoc: internal punctuation allowed in a key when a key character follows it. */
const KEY_PUNCTUATION = ':.#$%&-+?<>~/';
const MAX_BRACED_KEY = 500;
const AT = 0x40;
const BRACKET = /[[\]]/g;
const AT_SIGN = /@/g;

/** The key after the `@` at `at`, or undefined: `{ key, end }` where `end` is after the key (or `}`). */
export function readKey(s: string, at: number, limit: number): { key: string; end: number } | undefined {
  let p = at + 1;
  if (s.charCodeAt(p) === 0x7b /* { */) {
    const close = findChar(s, 0x7d /* } */, p + 1, Math.min(limit, p + MAX_BRACED_KEY));
    if (close < 0) return undefined;
    const key = s.slice(p + 1, close).trim();
    return key ? { key, end: close + 1 } : undefined;
  }
  if (p >= limit || !isWordChar(s.charCodeAt(p))) return undefined;
  p++;
  while (p < limit) {
    if (isWordChar(s.charCodeAt(p))) p++;
    else if (KEY_PUNCTUATION.includes(s[p]) && p + 1 < limit && isWordChar(s.charCodeAt(p + 1))) p += 2;
    else break;
  }
  return { key: s.slice(at + 1, p), end: p };
}

/** Whether a link target can name a source: any URL except mail/script schemes, or a relative `.md`/`.txt` path. */
export function isSourceTarget(target: string): boolean {
  const t = target.trim();
  if (!t) return false;
  if (/^(?:mailto|tel|javascript|data|vbscript|about):/i.test(t)) return false;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(t) || t.startsWith('//') || /^www\./i.test(t)) return true;
  return /\.(?:md|txt|markdown)$/i.test(t.replace(/[?#].*$/, ''));
}

const NO_CITATIONS: BlockCitations = { citations: [], footnotes: [] };

/** Citations and footnote references of `masked[block.start, block.end)`, in text order. */
export function scanCitations(masked: string, block: Span, links: readonly LinkInfo[]): BlockCitations {
  let citations: BlockCitation[] | undefined;
  let footnotes: FootnoteReference[] | undefined;
  let groups: Span[] | undefined;

  // Bracketed groups: a `[` … `]` without brackets inside (Pandoc does not nest them).
  let open = -1;
  // Only brackets and `@` matter here: jump from one to the next within the block.
  const local = masked.slice(block.start, block.end);
  for (let k = block.start; k < block.end; k++) {
    const next = nextOf(BRACKET, local, k - block.start);
    if (next < 0) break;
    k = block.start + next;
    const c = masked.charCodeAt(k);
    if (c === 0x5b && !isEscaped(masked, k, block.start)) open = k;
    else if (c === 0x5d && open >= 0 && !isEscaped(masked, k, block.start)) {
      if (isFootnoteLabel(masked, open + 1, k)) {
        (footnotes ??= []).push({ label: masked.slice(open + 2, k), span: { start: open, end: k + 1 } });
      } else if (findChar(masked, AT, open + 1, k) >= 0 && readGroup(masked, open, k, (citations ??= []))) {
        (groups ??= []).push({ start: open, end: k + 1 });
      }
      open = -1;
    }
  }

  // Bare keys outside groups and URLs; a word character before `@` makes an e-mail address.
  let group = 0;
  let scanned = block.start;
  let tokenStart = block.start;
  let tokenIsUrl = false;
  const atFrom = (from: number) => {
    const next = nextOf(AT_SIGN, local, from - block.start);
    return next < 0 ? -1 : block.start + next;
  };
  for (let at = atFrom(block.start); at >= 0; at = atFrom(at + 1)) {
    while (groups && group < groups.length && groups[group].end <= at) group++;
    if (groups && group < groups.length && groups[group].start <= at) continue;
    // The whitespace-delimited token holding this `@`, found by scanning forward only (linear even without spaces).
    let lastSpace = -1;
    for (; scanned < at; scanned++) if (isWhitespace(masked.charCodeAt(scanned))) lastSpace = scanned;
    if (lastSpace >= 0 || tokenStart === block.start) {
      if (lastSpace >= 0) tokenStart = lastSpace + 1;
      tokenIsUrl = startsUrl(masked, tokenStart, at);
    }
    if (tokenIsUrl) continue;
    const before = at > block.start ? masked.charCodeAt(at - 1) : 0x20;
    if (isWordChar(before) || before === BACKSLASH || before === AT) continue;
    const key = readKey(masked, at, block.end);
    if (!key) continue;
    const span = { start: at, end: key.end };
    (citations ??= []).push({ key: key.key, span, group: span, kind: 'bare' });
  }

  for (const link of links) {
    if (!isSourceTarget(link.target)) continue;
    (citations ??= []).push({ key: link.target, span: link.targetSpan, group: link.span, kind: 'link' });
  }

  if (!citations && !footnotes) return NO_CITATIONS;
  citations ??= [];
  if (citations.some((c, i) => i > 0 && citations![i - 1].group.start > c.group.start)) {
    citations.sort((a, b) => a.group.start - b.group.start || a.span.start - b.span.start);
  }
  return { citations, footnotes: footnotes ?? [] };
}

/** `^label` with no space or bracket in `[start, end)`. */
function isFootnoteLabel(masked: string, start: number, end: number): boolean {
  if (end - start < 2 || masked.charCodeAt(start) !== 0x5e) return false;
  for (let k = start + 1; k < end; k++) {
    const c = masked.charCodeAt(k);
    if (isWhitespace(c) || c === 0x5b) return false;
  }
  return true;
}

const URL_START = /[(<["']*(?:(?:https?|ftp|file):\/\/|www\.|mailto:)/iy;

/** The token starting at `start` is a URL that reaches `at` (so an `@` there is part of it). */
function startsUrl(masked: string, start: number, at: number): boolean {
  URL_START.lastIndex = start;
  return URL_START.test(masked) && URL_START.lastIndex <= at;
}

/** Reads the keys of the group `[open, close]`; true when it holds at least one. */
function readGroup(masked: string, open: number, close: number, out: BlockCitation[]): boolean {
  const group = { start: open, end: close + 1 };
  let found = false;
  for (let at = findChar(masked, AT, open + 1, close); at >= 0; at = findChar(masked, AT, at + 1, close)) {
    const before = masked.charCodeAt(at - 1);
    const suppress = before === 0x2d; /* - */
    // Pandoc: a key follows the group's start, a `;`, a space, or `-` (author suppressed).
    const opener = suppress ? masked.charCodeAt(at - 2) : before;
    if (!(opener === 0x5b || opener === 0x3b || isWhitespace(opener) || (!suppress && opener === 0x28))) continue;
    const key = readKey(masked, at, close);
    if (!key) continue;
    const citation: BlockCitation = { key: key.key, span: { start: at, end: key.end }, group, kind: 'pandoc' };
    if (suppress) citation.suppressAuthor = true;
    out.push(citation);
    found = true;
  }
  return found;
}
