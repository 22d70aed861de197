/**
 * Where style rules may look. Built from the parse's `masked` text (code,
 * comments, link targets and front matter already blanked), cut into ranges by
 * scope:
 *
 * - `prose`: paragraphs, list items, table rows — minus quotations, citation
 *   groups and bare URLs;
 * - `heading`: headings, minus the same;
 * - `quotation`: the words inside quotations (for the few checks that opt in).
 *
 * A range never crosses a block or a quotation boundary, so a phrase cannot
 * be assembled from words on both sides of a quotation. Views are computed
 * once per parse (the parse is cached per document version) and shared by
 * every style rule and team rule of a check.
 */
import { quotationsByBlock, type Block, type ParsedDocument, type Quotation } from '../markdown';
import type { Span } from '../types';
import { tokenize, type Token } from './phrase';
import { detach } from '../text';

export type Scope = 'prose' | 'heading' | 'quotation';
export const SCOPES: readonly Scope[] = ['prose', 'heading', 'quotation'];

export interface TextRange extends Span {
  scope: Scope;
  /** Index of the block the range lies in (-1 for a quotation that spans blocks). */
  blockIndex: number;
  tokens: Token[];
}

export interface StyleView {
  readonly parsed: ParsedDocument;
  /** Ranges of the given scopes, in document order. */
  ranges(scopes: readonly Scope[]): TextRange[];
  /**
   * The ranges of the given scopes in the given blocks only (ascending block
   * indices), in document order: a block-scoped rule's view of the blocks it
   * checks, tokenised without the rest of the piece.
   */
  rangesIn(scopes: readonly Scope[], blocks: readonly number[]): TextRange[];
  /**
   * Where the ranges of the given scopes lie, in document order, without
   * tokenising them: for a rule that only asks whether a span is in the
   * prose. It may hold stretches with no word, which `ranges` leaves out.
   */
  spans(scopes: readonly Scope[]): Span[];
  /**
   * The masked text with everything outside the given scopes blanked to
   * spaces, line breaks kept (same length, offsets and lines): what team
   * regular expressions run on.
   */
  blanked(scopes: readonly Scope[]): string;
}

const URL = /\b(?:https?:\/\/|www\.)[^\s<>()]+/gi;

const views = new WeakMap<ParsedDocument, StyleView>();

/**
 * Tokens per range text, across parses: re-checking an edited piece tokenises
 * only the ranges that changed. Tokens of a range that moved are copied with
 * shifted offsets; the last two places are kept (an edit before a range moves
 * it, undoing the edit moves it back). Tokens are shared between views, so
 * nobody may change them. Bounded; cleared when full.
 */
const tokenCache = new Map<string, Array<{ start: number; tokens: Token[] }>>();
const MAX_CACHED_RANGES = 50_000;

function tokensOf(text: string, start: number, end: number): Token[] {
  // A range ending inside a surrogate pair is tokenised with the pair's second half: it belongs to the key.
  const last = text.charCodeAt(end - 1);
  const key = text.slice(start, last >= 0xd800 && last <= 0xdbff ? end + 1 : end);
  const cached = tokenCache.get(key);
  if (cached) {
    const same = cached.find((c) => c.start === start);
    if (same) return same.tokens;
    const shift = start - cached[0].start;
    const tokens = cached[0].tokens.map((t) => ({ start: t.start + shift, end: t.end + shift, text: t.text, lower: t.lower, word: t.word }));
    tokenCache.set(key, [{ start, tokens }, cached[0]]);
    return tokens;
  }
  // Kept across edits: the key and tokens come from a copy, so they do not hold this version of the piece alive.
  const own = detach(key);
  const tokens = tokenize(own, 0, end - start);
  // Fresh tokens, not shared yet: shifted in place rather than copied.
  for (const token of tokens) {
    token.start += start;
    token.end += start;
  }
  if (tokenCache.size >= MAX_CACHED_RANGES) tokenCache.clear();
  tokenCache.set(own, [{ start, tokens }]);
  return tokens;
}

export function styleView(parsed: ParsedDocument): StyleView {
  let view = views.get(parsed);
  if (!view) {
    view = buildView(parsed);
    views.set(parsed, view);
  }
  return view;
}

/** `span` minus the sorted, disjoint `holes`, looking from `holes[first]` on. */
function subtract(span: Span, holes: readonly Span[], first: number): Span[] {
  const pieces: Span[] = [];
  let from = span.start;
  for (let i = first; i < holes.length; i++) {
    const hole = holes[i];
    if (hole.end <= from) continue;
    if (hole.start >= span.end) break;
    if (hole.start > from) pieces.push({ start: from, end: hole.start });
    from = Math.max(from, hole.end);
  }
  if (from < span.end) pieces.push({ start: from, end: span.end });
  return pieces;
}

/** Binary search: first index in sorted spans whose end is after `offset`. */
function firstEndingAfter(spans: readonly Span[], offset: number): number {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (spans[mid].end <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

function buildView(parsed: ParsedDocument): StyleView {
  const text = parsed.masked;
  const quotationSpans = parsed.quotations.map((q) => q.span);
  // A link citation's group is the whole link: keep its text (prose), drop only the target.
  const holes: Span[] = [...quotationSpans, ...parsed.citations.map((c) => (c.kind === 'link' ? c.span : c.group))];
  for (const block of parsed.blocks) {
    const slice = text.slice(block.span.start, block.span.end);
    for (const match of slice.matchAll(URL)) holes.push({ start: block.span.start + match.index, end: block.span.start + match.index + match[0].length });
  }
  holes.sort((a, b) => a.start - b.start || a.end - b.end);
  // Merged holes are disjoint, so their ends are sorted too (for the binary search).
  const merged: Span[] = [];
  for (const hole of holes) {
    const last = merged[merged.length - 1];
    if (last && hole.start <= last.end) last.end = Math.max(last.end, hole.end);
    else merged.push({ ...hole });
  }

  const addQuotationRange = (list: TextRange[], quotation: Quotation): void => {
    const span = quotation.contentSpan;
    const tokens = tokensOf(text, span.start, span.end);
    if (tokens.length) list.push({ ...span, scope: 'quotation', blockIndex: quotation.blockIndex, tokens });
  };
  const blockPieces = (scope: Scope, block: Block): Span[] => {
    if ((block.kind === 'heading') !== (scope === 'heading')) return [];
    return subtract(block.span, merged, firstEndingAfter(merged, block.span.start));
  };
  const addBlockRanges = (list: TextRange[], scope: Scope, block: Block): void => {
    for (const piece of blockPieces(scope, block)) {
      const tokens = tokensOf(text, piece.start, piece.end);
      if (tokens.length) list.push({ start: piece.start, end: piece.end, scope, blockIndex: block.index, tokens });
    }
  };

  // Each scope is tokenised the first time a rule asks for it: quotations and headings often never are.
  const byScope = new Map<Scope, TextRange[]>();
  const scopeRanges = (scope: Scope): TextRange[] => {
    let list = byScope.get(scope);
    if (list) return list;
    list = [];
    if (scope === 'quotation') for (const quotation of parsed.quotations) addQuotationRange(list, quotation);
    else for (const block of parsed.blocks) addBlockRanges(list, scope, block);
    byScope.set(scope, list);
    return list;
  };

  const rangeCache = new Map<string, TextRange[]>();
  const blankedCache = new Map<string, string>();
  const ranges = (scopes: readonly Scope[]): TextRange[] => {
    const key = SCOPES.filter((s) => scopes.includes(s)).join(',');
    let list = rangeCache.get(key);
    if (!list) {
      list = SCOPES.filter((s) => scopes.includes(s))
        .flatMap(scopeRanges)
        .sort((a, b) => a.start - b.start);
      rangeCache.set(key, list);
    }
    return list;
  };
  const rangesIn = (scopes: readonly Scope[], blocks: readonly number[]): TextRange[] => {
    const list: TextRange[] = [];
    const wanted = SCOPES.filter((s) => scopes.includes(s));
    const quotations = wanted.includes('quotation') ? quotationsByBlock(parsed) : undefined;
    for (const index of blocks) {
      const block = parsed.blocks[index];
      if (!block) continue;
      for (const scope of wanted) {
        if (scope !== 'quotation') addBlockRanges(list, scope, block);
        else for (const quotation of quotations?.get(index) ?? []) addQuotationRange(list, quotation);
      }
    }
    return list.sort((a, b) => a.start - b.start);
  };
  const spanCache = new Map<string, Span[]>();
  const spans = (scopes: readonly Scope[]): Span[] => {
    const wanted = SCOPES.filter((s) => scopes.includes(s));
    const key = wanted.join(',');
    let list = spanCache.get(key);
    if (!list) {
      list = [];
      for (const scope of wanted) {
        if (scope === 'quotation') for (const quotation of parsed.quotations) list.push(quotation.contentSpan);
        else for (const block of parsed.blocks) list.push(...blockPieces(scope, block));
      }
      list.sort((a, b) => a.start - b.start);
      spanCache.set(key, list);
    }
    return list;
  };
  return {
    parsed,
    ranges,
    rangesIn,
    spans,
    blanked(scopes) {
      const key = SCOPES.filter((s) => scopes.includes(s)).join(',');
      let blank = blankedCache.get(key);
      if (blank === undefined) {
        const parts: string[] = [];
        let at = 0;
        for (const range of ranges(scopes)) {
          if (range.start < at) continue;
          parts.push(blankOut(text.slice(at, range.start)), text.slice(range.start, range.end));
          at = range.end;
        }
        parts.push(blankOut(text.slice(at)));
        blank = parts.join('');
        blankedCache.set(key, blank);
      }
      return blank;
    },
  };
}

/** Spaces for every character but line breaks, so `^` and `$` still see the lines. */
function blankOut(text: string): string {
  return text.replace(/[^\r\n]/g, ' ');
}

/** The range of a sorted, disjoint list that contains `span` entirely, if any. */
export function rangeContaining(ranges: readonly TextRange[], span: Span): TextRange | undefined {
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (ranges[mid].end < span.end) low = mid + 1;
    else high = mid;
  }
  const range = ranges[low];
  return range && range.start <= span.start && span.end <= range.end ? range : undefined;
}
