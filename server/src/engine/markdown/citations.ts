/**
 * Citations in one block, read from the masked text (so never inside code,
 * comments or link destinations): Pandoc's `[@key]`, `[see @a, p. 3; -@b]`,
 * bare `@key`, footnote references `[^n]`, and links whose target can name a
 * source (any URL, or a relative `.md`/`.txt` path).
 */
import type { Span } from '../types';
import type { LinkInfo } from './inline';
import { BACKSLASH, findChar, isEscaped, isWhitespace, isWordChar } from './chars';

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
const URL_LIKE = /\b(?:(?:https?|ftp|file):\/\/|www\.|mailto:)\S+/gi;
const FOOTNOTE_LABEL = /^\^[^\s\]]+$/;
const NONE: readonly Span[] = [];
const AT = 0x40;

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

/** Citations and footnote references of `masked[block.start, block.end)`, in text order. */
export function scanCitations(masked: string, block: Span, links: readonly LinkInfo[]): BlockCitations {
  const citations: BlockCitation[] = [];
  const footnotes: FootnoteReference[] = [];
  const groups: Span[] = [];

  // Bracketed groups: a `[` … `]` without brackets inside (Pandoc does not nest them).
  let open = -1;
  for (let k = block.start; k < block.end; k++) {
    const c = masked.charCodeAt(k);
    if (c === 0x5b && !isEscaped(masked, k, block.start)) open = k;
    else if (c === 0x5d && open >= 0 && !isEscaped(masked, k, block.start)) {
      const inner = masked.slice(open + 1, k);
      if (FOOTNOTE_LABEL.test(inner)) {
        footnotes.push({ label: inner.slice(1), span: { start: open, end: k + 1 } });
      } else if (inner.includes('@') && readGroup(masked, open, k, citations)) {
        groups.push({ start: open, end: k + 1 });
      }
      open = -1;
    }
  }

  // Bare keys outside groups and URLs; a word character before `@` makes an e-mail address.
  const firstAt = findChar(masked, AT, block.start, block.end);
  const urls = firstAt >= 0 && firstAt < block.end ? urlSpans(masked, block) : NONE;
  let group = 0;
  let url = 0;
  for (let at = firstAt; at >= 0; at = findChar(masked, AT, at + 1, block.end)) {
    while (group < groups.length && groups[group].end <= at) group++;
    while (url < urls.length && urls[url].end <= at) url++;
    if (group < groups.length && groups[group].start <= at) continue;
    if (url < urls.length && urls[url].start <= at) continue;
    const before = at > block.start ? masked.charCodeAt(at - 1) : 0x20;
    if (isWordChar(before) || before === BACKSLASH || before === 0x40) continue;
    const key = readKey(masked, at, block.end);
    if (!key) continue;
    const span = { start: at, end: key.end };
    citations.push({ key: key.key, span, group: span, kind: 'bare' });
  }

  for (const link of links) {
    if (!isSourceTarget(link.target)) continue;
    citations.push({ key: link.target, span: link.targetSpan, group: link.span, kind: 'link' });
  }

  citations.sort((a, b) => a.group.start - b.group.start || a.span.start - b.span.start);
  return { citations, footnotes };
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

function urlSpans(masked: string, block: Span): Span[] {
  const text = masked.slice(block.start, block.end);
  const spans: Span[] = [];
  URL_LIKE.lastIndex = 0;
  for (let m = URL_LIKE.exec(text); m; m = URL_LIKE.exec(text)) {
    spans.push({ start: block.start + m.index, end: block.start + m.index + m[0].length });
  }
  return spans;
}
