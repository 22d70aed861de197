/**
 * One Markdown parse per document version: blocks, sentences, quotations,
 * citations and inline directives, all with exact UTF-16 offsets into the
 * original text, plus a masked copy of the text on which every later rule
 * runs (code, HTML, link destinations, front matter, … blanked).
 *
 * markdown-it finds the block structure (it is fast and survives
 * pathological input, but maps blocks to lines only); everything inline is
 * scanned here, in linear time. Pure: no I/O, no Node built-ins.
 *
 * Architecture invariant: `masked` has the length and the line breaks of
 * `text`, so an offset found in one is the same place in the other.
 */
import type { Span } from './types';
import type { Block, Citation, Directive, ParsedDocument, Quotation, Sentence } from './markdown/model';
import { MaskBuffer } from './markdown/buffer';
import { collapseWhitespace, findChar, isEscaped } from './markdown/chars';
import { scanCitations, type BlockCitation, type FootnoteReference } from './markdown/citations';
import { commentsIn, directiveOf } from './markdown/comments';
import { InlineScanner, type LinkInfo, type ReferenceMap } from './markdown/inline';
import { computeLineStarts, detectFrontMatter, offsetAtPosition, positionAtOffset } from './markdown/lines';
import { attributionStart, findQuotePairs, isWrappedInQuotes, splitSentences, startsWithDash, trim } from './markdown/quotations';
import { readStructure, type RawBlock } from './markdown/structure';
import { editSupport, type BlockSource } from './markdown/edit-support';

export type { Block, BlockKind, Citation, CitationKind, Directive, DirectiveKind, ParsedDocument, Quotation, Sentence } from './markdown/model';
export { computeLineStarts } from './markdown/lines';

/** 0-based line and UTF-16 character of an offset in the parsed text. */
export function positionAt(parsed: Pick<ParsedDocument, 'text' | 'lineStarts'>, offset: number): { line: number; character: number } {
  return positionAtOffset(parsed.lineStarts, parsed.text.length, offset);
}

/** Offset of a line/character pair in the parsed text, clamped to that line's content. */
export function offsetAt(parsed: Pick<ParsedDocument, 'text' | 'lineStarts'>, line: number, character: number): number {
  return offsetAtPosition(parsed.text, parsed.lineStarts, line, character);
}

/** A block between the passes: where its prose is and what the scanners found in it. */
interface Pending {
  raw: RawBlock;
  start: number;
  end: number;
  /** The block's text from `start` with container prefixes blanked (what the buffer holds there before inline masking). */
  src: string;
  footnote?: string;
  callout: boolean;
  /** Can be re-parsed alone when a later version edits it (markdown/edit-support.ts). */
  alone: boolean;
  block?: Block;
  links: LinkInfo[];
}

/** A citation as seen from one block: where in that block it is written or referenced. */
export interface Scoped {
  citation: Citation;
  at: Span;
}

/** A parse's quotations by the block they belong to, in order: made once per parse, shared by the rules and claims. */
const quotationIndexes = new WeakMap<ParsedDocument, Map<number, Quotation[]>>();

export function quotationsByBlock(parsed: ParsedDocument): Map<number, Quotation[]> {
  let index = quotationIndexes.get(parsed);
  if (!index) {
    index = new Map();
    for (const quotation of parsed.quotations) {
      const list = index.get(quotation.blockIndex);
      if (list) list.push(quotation);
      else index.set(quotation.blockIndex, [quotation]);
    }
    quotationIndexes.set(parsed, index);
  }
  return index;
}

export function parseMarkdown(text: string, references?: ReadonlyMap<string, string>): ParsedDocument {
  const lineStarts = computeLineStarts(text);
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const front = detectFrontMatter(text, lineStarts, bom);
  // markdown-it sees the same lines without the BOM, and starts after the front matter.
  // The BOM is not content: the first line starts after it.
  const structure = readStructure(text, text.slice(bom), bom ? [bom, ...lineStarts.slice(1)] : lineStarts, front ? front.lastLine + 1 : 0);
  const buffer = new MaskBuffer(text, lineStarts);
  // `references`: the definitions of the rest of a piece whose run of paragraphs this text is (markdown/paragraph-edit.ts).
  const refs: ReferenceMap = new Map(references);
  const callouts = new Set<number>();

  // Pass 1: copy prose in; read definitions at paragraph starts (references may be used before they are defined).
  const pending: Pending[] = [];
  for (const raw of structure.blocks) {
    for (const line of raw.lines) buffer.copy(line.start, line.end);
    const start = raw.lines[0].start;
    const end = raw.lines[raw.lines.length - 1].end;
    if (end <= start) continue;
    let src: string;
    if (raw.kind === 'tableRow') {
      maskCellPipes(text, buffer, start, end);
      src = buffer.slice(start, end);
    } else {
      src = proseOf(text, raw.lines);
    }
    const item: Pending = { raw, start, end, src, callout: false, alone: false, links: [] };
    if (raw.kind !== 'heading' && raw.kind !== 'tableRow') {
      const head = new InlineScanner(src, start, buffer, refs).readParagraphStart({
        callout: raw.firstInQuote,
        task: raw.firstInListItem,
      });
      // Everything before the prose (definitions, markers) is masked and left behind.
      item.src = src.slice(head.start - start);
      item.start = head.start;
      item.footnote = head.footnote;
      item.alone = !raw.inBlockquote && !head.read;
      if (head.callout) callouts.add(raw.innerQuote);
    }
    pending.push(item);
  }

  // Pass 2: inline scanning of each block's prose.
  const blocks: Block[] = [];
  const comments: Span[] = [];
  for (const item of pending) {
    const src = item.src;
    const span = trim(src, { start: 0, end: src.length });
    if (span.end <= span.start) continue;
    const inline = new InlineScanner(src, item.start, buffer, refs).scan();
    item.links = inline.links;
    for (const comment of inline.comments) comments.push(comment);
    const block: Block = {
      kind: item.raw.kind,
      span: { start: item.start + span.start, end: item.start + span.end },
      index: blocks.length,
      inBlockquote: item.raw.inBlockquote,
    };
    if (item.raw.level !== undefined) block.level = item.raw.level;
    if (item.footnote !== undefined) block.footnote = item.footnote;
    item.block = block;
    blocks.push(block);
  }
  for (const html of structure.htmlBlocks) for (const comment of commentsIn(text, html)) comments.push(comment);
  const directives: Directive[] = [];
  for (const comment of comments.sort((a, b) => a.start - b.start)) {
    const directive = directiveOf(text, comment);
    if (directive) directives.push(directive);
  }

  const masked = buffer.toString();
  const kept = pending.filter((item): item is Pending & { block: Block } => item.block !== undefined);

  // Pass 3: citations and sentences on the masked text.
  const found = kept.map((item) => scanCitations(masked, item.block.span, item.links));
  const { citations, scoped } = resolveFootnotes(blocks, found);
  const sentences: Sentence[] = [];
  const sentencesByBlock = kept.map((item) => {
    const spans = splitSentences(masked, item.block.span);
    for (const span of spans) sentences.push({ span, blockIndex: item.block.index });
    return spans;
  });

  const quotations = findQuotations(masked, kept, scoped, sentencesByBlock, callouts);
  const parsed: ParsedDocument = {
    text,
    masked,
    lineStarts,
    ...(front ? { frontMatter: front.span } : {}),
    blocks,
    sentences,
    quotations,
    citations,
    directives,
  };
  editSupport.set(parsed, { refs, blocks: kept.map((item) => blockSource(item, lineStarts, text.length)) });
  return parsed;
}

/** Where a block's lines are, as line number and columns (they survive edits elsewhere), and whether it can be re-parsed alone. */
function blockSource(item: Pending, lineStarts: readonly number[], length: number): BlockSource {
  const lines = item.raw.lines;
  const firstLine = positionAtOffset(lineStarts, length, lines[0].start).line;
  return {
    firstLine,
    columns: lines.map((line, i) => line.start - lineStarts[firstLine + i]),
    alone: item.alone,
    firstInListItem: item.raw.firstInListItem,
  };
}

/**
 * A block's lines as one string with the same offsets: the gaps between
 * lines (line ending plus container prefix) keep their line endings and
 * become spaces otherwise. Built from slices, which is cheaper than reading
 * the mask buffer back.
 */
export function proseOf(text: string, lines: readonly Span[]): string {
  if (lines.length === 1) return text.slice(lines[0].start, lines[0].end);
  const parts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) {
      // The gap is short: a line ending and a few marker characters.
      let gap = '';
      for (let k = lines[i - 1].end; k < lines[i].start; k++) {
        const c = text.charCodeAt(k);
        gap += c === 0x0a || c === 0x0d ? text[k] : ' ';
      }
      parts.push(gap);
    }
    parts.push(text.slice(lines[i].start, lines[i].end));
  }
  return parts.join('');
}

/** GFM splits cells before inline parsing: an unescaped `|` is structure, even inside a code span. */
function maskCellPipes(text: string, buffer: MaskBuffer, start: number, end: number): void {
  for (let i = findChar(text, 0x7c, start, end); i >= 0; i = findChar(text, 0x7c, i + 1, end)) {
    if (!isEscaped(text, i, start)) buffer.maskAt(i);
  }
}

/**
 * Footnotes: a definition's citations belong to the blocks that reference it
 * (one copy per reference, `kind: 'footnote'`, links stay `link`). A definition
 * nobody references keeps its citations as they are.
 */
const NO_CITATIONS: readonly Scoped[] = [];
const NO_QUOTATIONS: Quotation[] = [];

function resolveFootnotes(
  blocks: readonly Block[],
  found: readonly { citations: BlockCitation[]; footnotes: FootnoteReference[] }[],
): { citations: Citation[]; scoped: (readonly Scoped[])[] } {
  const definitions = new Map<string, number>();
  for (const block of blocks) if (block.footnote !== undefined && !definitions.has(block.footnote)) definitions.set(block.footnote, block.index);
  const referenced = new Set<number>();
  for (const [index, entry] of found.entries()) {
    for (const reference of entry.footnotes) {
      const definition = definitions.get(reference.label);
      if (definition !== undefined && definition !== index) referenced.add(definition);
    }
  }

  const citations: Citation[] = [];
  const scoped: (readonly Scoped[])[] = [];
  const writtenIn = new Map<number, Scoped[]>();
  for (const [index, entry] of found.entries()) {
    if (!entry.citations.length && !entry.footnotes.length) {
      scoped.push(NO_CITATIONS);
      continue;
    }
    const local: Scoped[] = [];
    if (!referenced.has(index)) {
      for (const c of entry.citations) local.push({ citation: toCitation(c, c.kind, index), at: c.group });
    }
    for (const reference of entry.footnotes) {
      const definition = definitions.get(reference.label);
      if (definition === undefined || definition === index) continue;
      const copies: Scoped[] = [];
      for (const c of found[definition].citations) {
        const citation = toCitation(c, c.kind === 'link' ? 'link' : 'footnote', index);
        citation.footnote = reference.label;
        citation.reference = reference.span;
        local.push({ citation, at: reference.span });
        copies.push({ citation, at: c.group });
      }
      // The definition's own block sees its citations through the first reference's copies.
      if (!writtenIn.has(definition)) writtenIn.set(definition, copies);
    }
    if (local.length > 1) local.sort((a, b) => a.at.start - b.at.start || a.citation.span.start - b.citation.span.start);
    for (const scopedCitation of local) citations.push(scopedCitation.citation);
    scoped.push(local);
  }
  // A referenced definition wrote no citations of its own (they moved), so its list is just the copies.
  for (const [definition, copies] of writtenIn) scoped[definition] = copies;
  return { citations, scoped };
}

export function toCitation(found: BlockCitation, kind: Citation['kind'], blockIndex: number): Citation {
  const citation: Citation = { key: found.key, span: found.span, group: found.group, blockIndex, kind };
  if (found.suppressAuthor) citation.suppressAuthor = true;
  return citation;
}

function findQuotations(
  masked: string,
  kept: readonly { raw: RawBlock; block: Block }[],
  scoped: readonly (readonly Scoped[])[],
  sentencesByBlock: readonly Span[][],
  callouts: ReadonlySet<number>,
): Quotation[] {
  const quotations: Quotation[] = [];
  // Blockquote quotations still waiting for the citation of their blockquote, by outermost quote id.
  const waiting = new Map<number, Quotation[]>();
  const tailOfBlock = new Map<number, Citation[]>();
  const lastBlockOfQuote = new Map<number, number>();

  for (const { raw, block } of kept) {
    const local = scoped[block.index];
    const isQuoteParagraph = raw.inBlockquote && raw.kind !== 'heading' && raw.kind !== 'tableRow' && !callouts.has(raw.innerQuote);
    if (raw.inBlockquote) lastBlockOfQuote.set(raw.outerQuote, block.index);
    let found: Quotation[];
    if (isQuoteParagraph) {
      const locations = uniqueSpans(local.map((s) => s.at));
      const tailStart = attributionStart(masked, block.span, locations);
      const tail = local.filter((s) => s.at.start >= tailStart).map((s) => s.citation);
      if (tail.length) tailOfBlock.set(block.index, tail);
      const content = trim(masked, { start: block.span.start, end: tailStart });
      if (content.end <= content.start) continue; // an attribution line on its own
      if (isWrappedInQuotes(masked, content)) {
        found = inlineQuotations(masked, block, local, sentencesByBlock[block.index]);
      } else {
        found = [makeQuotation(masked, 'block', content, content, block.index, tail)];
      }
      for (const q of found) {
        if (q.cites.length) continue;
        const list = waiting.get(raw.outerQuote) ?? [];
        list.push(q);
        waiting.set(raw.outerQuote, list);
      }
    } else {
      found = inlineQuotations(masked, block, local, sentencesByBlock[block.index]);
    }
    for (const quotation of found) quotations.push(quotation);
  }

  // Blockquote paragraphs without their own citation: the blockquote's closing attribution, else the paragraph right after it.
  for (const [quote, list] of waiting) {
    const last = lastBlockOfQuote.get(quote)!;
    let cites = tailOfBlock.get(last) ?? [];
    if (!cites.length) {
      const next = kept[last + 1];
      if (next && !next.raw.inBlockquote) cites = attributionParagraphCitations(masked, next.block, scoped[next.block.index], sentencesByBlock[next.block.index]);
    }
    for (const q of list) setCites(q, cites);
  }
  return quotations.sort((a, b) => a.span.start - b.span.start);
}

export function inlineQuotations(masked: string, block: Block, local: readonly Scoped[], sentences: readonly Span[]): Quotation[] {
  const pairs = findQuotePairs(masked, block.span);
  if (!pairs.length) return NO_QUOTATIONS;
  const result: Quotation[] = [];
  let sentence = 0;
  for (const pair of pairs) {
    const content = trim(masked, { start: pair.open + 1, end: pair.close });
    if (content.end <= content.start) continue;
    const span = { start: pair.open, end: pair.close + 1 };
    // Pairs and sentences are both in text order, so one cursor serves the whole block.
    while (sentence < sentences.length && sentences[sentence].end <= span.start) sentence++;
    let from = span.start;
    let to = span.end;
    for (let k = sentence; k < sentences.length && sentences[k].start < span.end; k++) {
      from = Math.min(from, sentences[k].start);
      to = Math.max(to, sentences[k].end);
    }
    result.push(makeQuotation(masked, 'inline', span, content, block.index, citationsBetween(local, from, to)));
  }
  return result;
}

/** Citations located in `[from, to)`, else every citation of the block. */
function citationsBetween(local: readonly Scoped[], from: number, to: number): Citation[] {
  const inRange: Citation[] = [];
  for (let k = firstAtOrAfter(local, from); k < local.length && local[k].at.start < to; k++) inRange.push(local[k].citation);
  return inRange.length ? inRange : local.map((s) => s.citation);
}

/** Index of the first citation located at or after `offset` (binary search: `local` is in text order). */
function firstAtOrAfter(local: readonly Scoped[], offset: number): number {
  let low = 0;
  let high = local.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (local[mid].at.start < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** A paragraph after a blockquote names its source when it opens with a dash or with a citation. */
function attributionParagraphCitations(masked: string, block: Block, local: readonly Scoped[], sentences: readonly Span[]): Citation[] {
  const first = sentences[0] ?? block.span;
  if (!opensAsAttribution(masked, block.span, local.map((s) => s.at))) return [];
  return local.filter((s) => s.at.start >= first.start && s.at.start < first.end).map((s) => s.citation);
}

/** Whether a paragraph opens with a dash or with a citation (`locations`: where its citations are, in order). */
export function opensAsAttribution(masked: string, span: Span, locations: readonly Span[]): boolean {
  const opening = locations.find((at) => at.start >= span.start);
  const opensWithCitation = opening !== undefined && /^[\s(]*$/.test(masked.slice(span.start, opening.start));
  return startsWithDash(masked, span) || opensWithCitation;
}

function makeQuotation(masked: string, kind: Quotation['kind'], span: Span, contentSpan: Span, blockIndex: number, cites: Citation[]): Quotation {
  const quotation: Quotation = {
    kind,
    span: kind === 'block' ? { start: span.start, end: span.end } : span,
    contentSpan,
    text: collapseWhitespace(masked.slice(contentSpan.start, contentSpan.end)),
    blockIndex,
    citedKeys: [],
    cites: [],
  };
  setCites(quotation, cites);
  return quotation;
}

function setCites(quotation: Quotation, cites: readonly Citation[]): void {
  quotation.cites = cites.length <= 1 ? [...cites] : [...new Set(cites)];
  quotation.citedKeys = citedKeysOf(quotation.cites);
}

/** A quotation's cited keys: its citations' keys, each once, in order. */
export function citedKeysOf(cites: readonly Citation[]): string[] {
  if (cites.length <= 1) return cites.length ? [cites[0].key] : [];
  return [...new Set(cites.map((c) => c.key))];
}

function uniqueSpans(spans: readonly Span[]): Span[] {
  const result: Span[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const last = result[result.length - 1];
    if (!last || last.start !== span.start || last.end !== span.end) result.push(span);
  }
  return result;
}
