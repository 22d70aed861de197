/**
 * The parse of a piece's next version when the edit stays inside one line
 * of one paragraph: the previous parse, with that block parsed again and
 * everything after it moved by the edit's length. Typing in a 200 KB piece
 * then costs one block's parse instead of the piece's (~15 ms here).
 *
 * Only an edit that cannot change anything outside its block is taken this
 * way; for any other this answers undefined and the caller parses the text
 * whole. `test/engine/markdown-edit.test.ts` checks, over thousands of
 * random edits, that the result equals the whole parse field by field.
 */
import type { Span } from '../types';
import { commonEnds, detach } from '../text';
import type { Block, Citation, Directive, ParsedDocument, Quotation, Sentence } from './model';
import { editOrigins, editSupport, type EditSupport } from './edit-support';
import { MaskBuffer } from './buffer';
import { scanCitations, type FootnoteReference } from './citations';
import { directiveOf } from './comments';
import { InlineScanner } from './inline';
import { lineEnd, positionAtOffset } from './lines';
import { splitSentences, trim } from './quotations';
import { dropHardBreakBackslashes } from './structure';
import { inlineQuotations, opensAsAttribution, proseOf, toCitation, type Scoped } from '../markdown';

/** The parse of `text`, made from the parse of the version before it; undefined when the edit needs a whole parse. */
export function reparseEdited(previous: ParsedDocument, text: string): ParsedDocument | undefined {
  const support = editSupport.get(previous);
  const edit = support && editBetween(previous.text, text);
  if (!support || !edit) return undefined;
  const block = editedBlock(previous, support, text, edit);
  if (!block) return undefined;
  const lineStarts = edit.delta === 0 ? previous.lineStarts : previous.lineStarts.map((start, line) => (line > block.line ? start + edit.delta : start));
  const rescanned = rescanBlock(previous, support, text, lineStarts, edit, block);
  if (!rescanned) return undefined;
  const parsed = moveRest(previous, text, lineStarts, edit, rescanned);
  // Line numbers and the block's columns are unchanged, so the next edit can start from the same support.
  editSupport.set(parsed, support);
  // The previous version lets go of its own origin: versions never chain up in memory.
  editOrigins.delete(previous);
  editOrigins.set(parsed, { previous, block: block.index, from: edit.from, oldEnd: edit.oldEnd, delta: edit.delta });
  return parsed;
}

/** `old[from, oldEnd)` became `text[from, newEnd)`; `delta` is the change in length. */
interface Edit {
  from: number;
  oldEnd: number;
  newEnd: number;
  delta: number;
}

function editBetween(old: string, text: string): Edit | undefined {
  if (old === text) return undefined;
  const { head, tail } = commonEnds(old, text);
  return { from: head, oldEnd: old.length - tail, newEnd: text.length - tail, delta: text.length - old.length };
}

/** Where the edited block's lines are, in the previous version. */
interface EditedBlock {
  index: number;
  /** The line holding the edit. */
  line: number;
  /** From the start of the block's first line to the end of its last line. */
  window: Span;
  lastLine: number;
}

/**
 * The block holding the edit, when nothing outside it can change: the edit
 * adds or removes no line, sits inside the prose of a paragraph that can be
 * parsed alone (edit-support.ts; after a block quote, only if it opens as
 * no attribution: see `rescanBlock`), and its line cannot turn into another
 * kind of line. A line's kind is read from its start (markers, `#`,
 * indentation), from whether it is made of markers only (thematic break,
 * setext underline, table delimiter row) or holds a `|` (table header), and
 * from fences and HTML; a letter before the edit and none of `|`, `<`,
 * ```` ``` ```` or `~~~` on the line, before and after, rule all of that out.
 */
function editedBlock(previous: ParsedDocument, support: EditSupport, text: string, edit: Edit): EditedBlock | undefined {
  const old = previous.text;
  const { from, oldEnd, newEnd } = edit;
  if (breaksLine(old, from, oldEnd) || breaksLine(text, from, newEnd)) return undefined;
  const index = blockAt(previous.blocks, from);
  if (index < 0) return undefined;
  const block = previous.blocks[index];
  const source = support.blocks[index];
  if (!source?.alone || (block.kind !== 'paragraph' && block.kind !== 'listItem')) return undefined;
  if (from <= block.span.start || oldEnd > block.span.end) return undefined;

  const starts = previous.lineStarts;
  const line = positionAtOffset(starts, old.length, from).line;
  const lineStart = starts[line];
  const oldLineEnd = lineEnd(old, starts, line);
  if (!keepsKind(old, lineStart, from, oldLineEnd) || !keepsKind(text, lineStart, from, oldLineEnd + edit.delta)) return undefined;
  const lastLine = source.firstLine + source.columns.length - 1;
  const window = { start: starts[source.firstLine], end: lineEnd(old, starts, lastLine) };
  return { index, line, window, lastLine };
}

function breaksLine(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0) return true;
  }
  return false;
}

/** Index of the block whose prose holds `offset` (its end included), or -1. */
function blockAt(blocks: readonly Block[], offset: number): number {
  let low = 0;
  let high = blocks.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (blocks[mid].span.start <= offset) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found >= 0 && offset <= blocks[found].span.end ? found : -1;
}

const LETTER = /[A-Za-z]/;
const CHANGES_LINE_KIND = /[|<]|```|~~~/;

function keepsKind(text: string, lineStart: number, from: number, lineEndAt: number): boolean {
  return LETTER.test(text.slice(lineStart, from)) && !CHANGES_LINE_KIND.test(text.slice(lineStart, lineEndAt));
}

function hasFootnoteReference(text: string, from: number, to: number): boolean {
  const at = text.indexOf('[^', from);
  return at >= 0 && at < to;
}

/** The edited block parsed again, as `parseMarkdown` parses a block, on a mask buffer holding its lines only. */
interface Rescanned {
  edited: EditedBlock;
  block: Block;
  /** The new text, masked. */
  masked: string;
  citations: Citation[];
  sentences: Sentence[];
  quotations: Quotation[];
  directives: Directive[];
}

function rescanBlock(previous: ParsedDocument, support: EditSupport, text: string, lineStarts: readonly number[], edit: Edit, edited: EditedBlock): Rescanned | undefined {
  const source = support.blocks[edited.index];
  const lines: Span[] = source.columns.map((column, i) => {
    const line = source.firstLine + i;
    return { start: lineStarts[line] + column, end: lineEnd(text, lineStarts, line) };
  });
  dropHardBreakBackslashes(text, lines);
  const window = { start: edited.window.start, end: edited.window.end + edit.delta };
  const buffer = new MaskBuffer(text, lineStarts, window.start, window.end);
  for (const line of lines) buffer.copy(line.start, line.end);
  const start = lines[0].start;
  const src = proseOf(text, lines);
  // Definitions found here would change the piece's references: nothing may be read at the start (a throwaway map takes any).
  const head = new InlineScanner(src, start, buffer, new Map()).readParagraphStart({ callout: false, task: source.firstInListItem });
  if (head.read || head.footnote !== undefined) return undefined;
  const prose = src.slice(head.start - start);
  const span = trim(prose, { start: 0, end: prose.length });
  if (span.end <= span.start) return undefined;
  const inline = new InlineScanner(prose, head.start, buffer, support.refs).scan();
  const old = previous.blocks[edited.index];
  const block: Block = { kind: old.kind, span: { start: head.start + span.start, end: head.start + span.end }, index: edited.index, inBlockquote: false };

  const masked = previous.masked.slice(0, window.start) + buffer.toString() + previous.masked.slice(edited.window.end);
  const found = scanCitations(masked, block.span, inline.links);
  const copies = footnoteCopies(previous, old, found.footnotes, edit);
  if (!copies) return undefined;
  // Strings taken from this version are copied: the parse's other objects live on into later versions, and a
  // slice of this version's text would keep all of it alive with them.
  const local: Scoped[] = found.citations.map((c) => ({ citation: toCitation({ ...c, key: detach(c.key) }, c.kind, block.index), at: c.group }));
  for (const copy of copies) local.push(copy);
  if (local.length > 1) local.sort((a, b) => a.at.start - b.at.start || a.citation.span.start - b.citation.span.start);
  // After a block quote, a paragraph that opens with a dash or a citation gives the quote its source: it may be
  // re-parsed alone only when it opens as neither, before and after the edit.
  if (edited.index > 0 && previous.blocks[edited.index - 1].inBlockquote) {
    const oldLocations = previous.citations.filter((c) => c.blockIndex === edited.index).map((c) => c.reference ?? c.group);
    if (opensAsAttribution(previous.masked, old.span, oldLocations) || opensAsAttribution(masked, block.span, local.map((s) => s.at))) return undefined;
  }
  const sentenceSpans = splitSentences(masked, block.span);
  const directives: Directive[] = [];
  for (const comment of inline.comments) {
    const directive = directiveOf(text, comment);
    if (directive) directives.push({ ...directive, rules: directive.rules.map(detach) });
  }
  const quotations = inlineQuotations(masked, block, local, sentenceSpans);
  for (const quotation of quotations) quotation.text = detach(quotation.text);
  return {
    edited,
    block,
    masked,
    citations: local.map((s) => s.citation),
    sentences: sentenceSpans.map((s) => ({ span: s, blockIndex: block.index })),
    quotations,
    directives,
  };
}

/**
 * The edited block's copies of the citations of the footnotes it references
 * (as `parseMarkdown` resolves them), when the edit leaves those references
 * as they were: the same labels in the same order, each only moved. Then
 * which definitions are referenced does not change, and each copy is the
 * old one with its reference moved. Undefined when the references changed,
 * or when this block is the first to reference a definition that holds a
 * quotation (that quotation cites this block's copies).
 */
function footnoteCopies(previous: ParsedDocument, old: Block, references: readonly FootnoteReference[], edit: Edit): Scoped[] | undefined {
  const before = hasFootnoteReference(previous.masked, old.span.start, old.span.end) ? scanCitations(previous.masked, old.span, []).footnotes : [];
  if (before.length !== references.length || before.some((reference, i) => reference.label !== references[i].label)) return undefined;
  if (!references.length) return [];
  for (const label of new Set(references.map((reference) => reference.label))) {
    const definition = previous.blocks.find((b) => b.footnote === label);
    if (!definition) continue;
    const referencedEarlier = previous.citations.some((c) => c.footnote === label && c.blockIndex < old.index);
    if (!referencedEarlier && previous.quotations.some((q) => q.blockIndex === definition.index)) return undefined;
  }
  const move = (span: Span): Span => (span.start < edit.from ? span : { start: span.start + edit.delta, end: span.end + edit.delta });
  const copies: Scoped[] = [];
  for (const copy of previous.citations) {
    if (copy.blockIndex !== old.index || copy.footnote === undefined || !copy.reference) continue;
    const k = before.findIndex((reference) => reference.span.start === copy.reference!.start);
    if (k < 0) return undefined;
    const reference = references[k].span;
    copies.push({ citation: { ...copy, key: detach(copy.key), span: move(copy.span), group: move(copy.group), reference }, at: reference });
  }
  return copies;
}

/** The new parse: the previous one with the block replaced and every later span moved by the edit's length. */
function moveRest(previous: ParsedDocument, text: string, lineStarts: number[], edit: Edit, rescanned: Rescanned): ParsedDocument {
  const { delta, from } = edit;
  const index = rescanned.block.index;
  const { window } = rescanned.edited;
  // Nothing outside the block lies inside its window, so `from` splits the rest into before (kept) and after (moved).
  const move = (span: Span): Span => (delta === 0 || span.start < from ? span : { start: span.start + delta, end: span.end + delta });

  const blocks = previous.blocks.map((b) => (b.index === index ? rescanned.block : b.span.start < from || delta === 0 ? b : { ...b, span: move(b.span) }));

  const sentences = spliceByBlock(previous.sentences, index, rescanned.sentences, (s) => (s.span.start < from || delta === 0 ? s : { span: move(s.span), blockIndex: s.blockIndex }));

  // Citations outside the block are moved when any of their spans is after it (a footnote's copy may sit before its definition).
  const movedCitations = new Map<Citation, Citation>();
  const moveCitation = (c: Citation): Citation => {
    if (delta === 0) return c;
    const after = c.span.start >= from || c.group.start >= from || (c.reference !== undefined && c.reference.start >= from);
    if (!after) return c;
    let moved = movedCitations.get(c);
    if (!moved) {
      moved = { ...c, span: move(c.span), group: move(c.group) };
      if (c.reference) moved.reference = move(c.reference);
      movedCitations.set(c, moved);
    }
    return moved;
  };
  const citations = spliceByBlock(previous.citations, index, rescanned.citations, moveCitation);

  const moveQuotation = (q: Quotation): Quotation => {
    const cites = q.cites.map(moveCitation);
    const citesMoved = cites.some((c, i) => c !== q.cites[i]);
    if (!citesMoved && (q.span.start < from || delta === 0)) return q;
    return { ...q, span: move(q.span), contentSpan: move(q.contentSpan), cites };
  };
  const quotations = spliceByBlock(previous.quotations, index, rescanned.quotations, moveQuotation);

  const directives: Directive[] = [];
  for (const d of previous.directives) {
    if (d.span.start >= window.start && d.span.start < window.end) continue;
    directives.push(d.span.start < from || delta === 0 ? d : { ...d, span: move(d.span) });
  }
  for (const d of rescanned.directives) directives.push(d);
  directives.sort((a, b) => a.span.start - b.span.start);

  return {
    text,
    masked: rescanned.masked,
    lineStarts,
    ...(previous.frontMatter ? { frontMatter: previous.frontMatter } : {}),
    blocks,
    sentences,
    quotations,
    citations,
    directives,
  };
}

/** A list in block order with block `index`'s entries replaced by `mine` and the others passed through `keep`. */
function spliceByBlock<T extends { blockIndex: number }>(list: readonly T[], index: number, mine: readonly T[], keep: (item: T) => T): T[] {
  const result: T[] = [];
  let placed = false;
  for (const item of list) {
    if (item.blockIndex === index) continue;
    if (item.blockIndex > index && !placed) {
      for (const m of mine) result.push(m);
      placed = true;
    }
    result.push(keep(item));
  }
  if (!placed) for (const m of mine) result.push(m);
  return result;
}
