/**
 * The parse of a piece's next version when the edit replaces a run of whole
 * top-level paragraphs with another (a paragraph added, deleted, split,
 * joined, or rewritten over several lines): the previous parse, with that run
 * parsed again on its own and everything after it moved by the edit's length,
 * its lines and its block numbers. A CLI run over a piece with a paragraph
 * added then parses that paragraph instead of the piece (the 200 KB piece:
 * ~65 ms), and so does the editor when Enter starts a new paragraph.
 *
 * The run is bounded by blank lines, and both versions of it must hold
 * nothing but paragraphs that can be parsed alone (edit-support.ts), outside
 * any container, with no footnote and no definition. Then nothing before the
 * run can reach into it or past it, and nothing in it can reach out: the
 * block after a blank line starts at the top level, and a paragraph ends at
 * the next blank line. Anything else answers undefined and is parsed whole.
 * `test/engine/markdown-edit.test.ts` compares the result with the whole
 * parse, field by field, over thousands of random edits of paragraphs.
 *
 * Strings taken from the run's parse are copied: the parse's other objects
 * live on into later versions, and a slice of this version's text would keep
 * all of it alive with them (as in edit.ts).
 */
import type { Span } from '../types';
import { commonEnds, detach } from '../text';
import type { Block, Citation, Directive, ParsedDocument, Quotation, Sentence } from './model';
import { editSupport, type BlockSource, type EditSupport } from './edit-support';
import { computeLineStarts, lineEnd, positionAtOffset } from './lines';
import { parseMarkdown } from '../markdown';

/** The parse of `text`, made from the parse of the version before it; undefined when the edit needs a whole parse. */
export function reparseParagraphs(previous: ParsedDocument, text: string): ParsedDocument | undefined {
  const support = editSupport.get(previous);
  const old = previous.text;
  if (!support || old === text) return undefined;
  const { head, tail } = commonEnds(old, text);
  const delta = text.length - old.length;
  const run = oldRun(previous, support, head, old.length - tail);
  if (!run) return undefined;
  const newEnd = run.end + delta;
  const lineStarts = computeLineStarts(text);
  // The run starts a line in both versions (the text before it is the same, but a `\r` before it may now end a `\r\n`).
  if (lineStarts[run.firstLine] !== run.start) return undefined;
  const source = text.slice(run.start, newEnd);
  // Footnote references are resolved across the piece (a definition's citations are copied to its first reference).
  if (source.charCodeAt(0) === 0xfeff || source.includes('[^') || old.slice(run.start, run.end).includes('[^')) return undefined;
  // Alone, but with the piece's reference definitions: a reference link in the run resolves as in the whole parse.
  const alone = parseMarkdown(source, support.refs);
  const aloneSupport = editSupport.get(alone);
  if (!aloneSupport || alone.frontMatter || !onlyParagraphs(alone, aloneSupport, support.refs.size)) return undefined;
  // The run's lines, as the whole text has them; a blank line (or the end) follows it in both versions.
  const runLines = source === '' ? 0 : alone.lineStarts.length - (source.endsWith('\n') || source.endsWith('\r') ? 1 : 0);
  // Where the old run starts on a blank line, so must the new one (an empty one leaves the blank line after the run).
  if (run.opensBlank && !isBlankLine(source, alone.lineStarts, 0)) return undefined;
  for (let k = 0; k < runLines; k++) if (lineStarts[run.firstLine + k] !== run.start + alone.lineStarts[k]) return undefined;
  const linesAfter = run.firstLine + runLines;
  if (linesAfter < lineStarts.length && lineStarts[linesAfter] !== newEnd) return undefined;
  // With the run's paragraphs gone, an indented paragraph after it could continue a list item opened before it.
  const next = nextNonBlankLine(text, lineStarts, linesAfter);
  if (next >= 0 && !startsAtTopLevel(text, lineStarts, next)) return undefined;
  return splice(previous, support, text, lineStarts, run, alone, aloneSupport, delta, linesAfter - (run.lastLine + 1));
}

/** The run of paragraphs an edit of `old[from, to)` falls in, in the previous version. */
interface Run {
  /** Offsets: from its first line's start to the start of the line after it (or the end). */
  start: number;
  end: number;
  firstLine: number;
  lastLine: number;
  /** Its blocks: `first` up to `after`. */
  first: number;
  after: number;
  /** Its first line is blank, rather than preceded by a blank line. */
  opensBlank: boolean;
}

function oldRun(previous: ParsedDocument, support: EditSupport, from: number, to: number): Run | undefined {
  const { text, lineStarts, blocks } = previous;
  let firstLine = positionAtOffset(lineStarts, text.length, from).line;
  let lastLine = positionAtOffset(lineStarts, text.length, to).line;
  // A run that starts on a blank line needs nothing before it: that line parts it from what comes before, if the new
  // version's run starts with a blank line too (`reparseParagraphs`; an edit after the last paragraph starts so).
  // Else it takes in the whole paragraph, up to the blank line before it. It always ends before a blank line or at the end.
  const opensBlank = isBlankLine(text, lineStarts, firstLine);
  if (!opensBlank) {
    while (firstLine > 0 && !isBlankLine(text, lineStarts, firstLine - 1)) firstLine--;
    if (firstLine === 0) return undefined;
  }
  while (lastLine + 1 < lineStarts.length && !isBlankLine(text, lineStarts, lastLine + 1)) lastLine++;
  if (previous.frontMatter && lineStarts[firstLine] <= previous.frontMatter.end) return undefined;
  const start = lineStarts[firstLine];
  const end = lastLine + 1 < lineStarts.length ? lineStarts[lastLine + 1] : text.length;
  let first = blocks.length;
  let after = blocks.length;
  for (let i = 0; i < blocks.length; i++) {
    if (blocks[i].span.end >= start && first === blocks.length) first = i;
    if (blocks[i].span.start >= end) {
      after = i;
      break;
    }
  }
  const covered = new Set<number>();
  for (let i = first; i < after; i++) {
    const source = support.blocks[i];
    if (!isPlainParagraph(blocks[i], source)) return undefined;
    for (let k = 0; k < source.columns.length; k++) covered.add(source.firstLine + k);
  }
  // Every other line of the run is blank: no code, HTML, definition or rule sits between its paragraphs.
  for (let line = firstLine; line <= lastLine; line++) if (!covered.has(line) && !isBlankLine(text, lineStarts, line)) return undefined;
  // A paragraph in the run proves it is not inside a fence or an HTML block; a run of blank lines needs prose before it.
  if (after === first && !follows(support, text, lineStarts, firstLine)) return undefined;
  // After a block quote, a paragraph may be its attribution. (After a list, an indented line could continue an item:
  // the run's paragraphs and the line after it must start at the left edge, see `onlyParagraphs` and `reparseParagraphs`.)
  if (blocks[first - 1]?.inBlockquote) return undefined;
  return { start, end, firstLine, lastLine, first, after, opensBlank };
}

/** Whether the last non-blank line before `line` is a line of a prose block (so `line` is outside code and HTML). */
function follows(support: EditSupport, text: string, lineStarts: readonly number[], line: number): boolean {
  let before = line - 1;
  while (before >= 0 && isBlankLine(text, lineStarts, before)) before--;
  if (before < 0) return false;
  return support.blocks.some((source) => before >= source.firstLine && before < source.firstLine + source.columns.length);
}

/** A paragraph outside any container (the kind says so) that nothing else reads from (no definition, marker or footnote at its start). */
function isPlainParagraph(block: Block, source: BlockSource | undefined): source is BlockSource {
  return block.kind === 'paragraph' && block.footnote === undefined && source !== undefined && source.alone;
}

/** The run parsed alone holds paragraphs only, each on every one of its non-blank lines, and defines nothing. */
function onlyParagraphs(alone: ParsedDocument, support: EditSupport, references: number): boolean {
  if (support.refs.size !== references || alone.blocks.length !== support.blocks.length) return false;
  const covered = new Set<number>();
  for (let i = 0; i < alone.blocks.length; i++) {
    const source = support.blocks[i];
    if (!isPlainParagraph(alone.blocks[i], source)) return false;
    for (let k = 0; k < source.columns.length; k++) covered.add(source.firstLine + k);
  }
  for (let line = 0; line < alone.lineStarts.length; line++) {
    if (covered.has(line) || isBlankLine(alone.text, alone.lineStarts, line)) continue;
    return false;
  }
  // A paragraph's first line at the left edge: indented, it could continue a list item opened before the run.
  return support.blocks.every((source) => startsAtTopLevel(alone.text, alone.lineStarts, source.firstLine));
}

/** A line that starts with neither a space nor a tab: after a blank line it is read at the top level, whatever came before. */
function startsAtTopLevel(text: string, lineStarts: readonly number[], line: number): boolean {
  if (line < 0 || line >= lineStarts.length) return false;
  const c = text.charCodeAt(lineStarts[line]);
  return c !== 0x20 && c !== 0x09;
}

function nextNonBlankLine(text: string, lineStarts: readonly number[], from: number): number {
  for (let line = from; line < lineStarts.length; line++) if (!isBlankLine(text, lineStarts, line)) return line;
  return -1;
}

function isBlankLine(text: string, lineStarts: readonly number[], line: number): boolean {
  const end = lineEnd(text, lineStarts, line);
  for (let i = lineStarts[line]; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** The previous parse with the run's blocks replaced by those parsed alone, and what follows moved. */
function splice(previous: ParsedDocument, support: EditSupport, text: string, lineStarts: number[], run: Run, alone: ParsedDocument, aloneSupport: EditSupport, delta: number, lineDelta: number): ParsedDocument {
  const { first, after } = run;
  const shift = run.start;
  const indexDelta = alone.blocks.length - (after - first);
  const moveAfter = (span: Span): Span => (delta === 0 || span.start < run.end ? span : { start: span.start + delta, end: span.end + delta });
  const fromAlone = (span: Span): Span => ({ start: span.start + shift, end: span.end + shift });
  const blockAfter = (index: number) => (index >= after ? index + indexDelta : index);

  const blocks: Block[] = previous.blocks.slice(0, first);
  for (const block of alone.blocks) blocks.push({ ...block, span: fromAlone(block.span), index: block.index + first });
  for (let i = after; i < previous.blocks.length; i++) {
    const block = previous.blocks[i];
    blocks.push(delta === 0 && indexDelta === 0 ? block : { ...block, span: moveAfter(block.span), index: i + indexDelta });
  }

  const sentences: Sentence[] = [];
  const newSentences = alone.sentences.map((s): Sentence => ({ span: fromAlone(s.span), blockIndex: s.blockIndex + first }));
  spliceInto(sentences, previous.sentences, first, after, newSentences, (s) => (s.blockIndex < first ? s : { span: moveAfter(s.span), blockIndex: s.blockIndex + indexDelta }));

  // A citation keeps its identity where nothing about it moved: quotations share the objects.
  const moved = new Map<Citation, Citation>();
  const moveCitation = (c: Citation): Citation => {
    const later = c.blockIndex >= after || c.span.start >= run.end || c.group.start >= run.end || (c.reference !== undefined && c.reference.start >= run.end);
    if (!later || (delta === 0 && indexDelta === 0)) return c;
    let copy = moved.get(c);
    if (!copy) {
      copy = { ...c, span: moveAfter(c.span), group: moveAfter(c.group), blockIndex: blockAfter(c.blockIndex) };
      if (c.reference) copy.reference = moveAfter(c.reference);
      moved.set(c, copy);
    }
    return copy;
  };
  const placed = new Map<Citation, Citation>();
  const placeCitation = (c: Citation): Citation => {
    let copy = placed.get(c);
    if (!copy) {
      copy = { ...c, key: detach(c.key), span: fromAlone(c.span), group: fromAlone(c.group), blockIndex: c.blockIndex + first };
      if (c.reference) copy.reference = fromAlone(c.reference);
      placed.set(c, copy);
    }
    return copy;
  };
  const citations: Citation[] = [];
  spliceInto(citations, previous.citations, first, after, alone.citations.map(placeCitation), moveCitation);

  const quotations: Quotation[] = [];
  const placeQuotation = (q: Quotation): Quotation => ({
    ...q,
    span: fromAlone(q.span),
    contentSpan: fromAlone(q.contentSpan),
    text: detach(q.text),
    citedKeys: q.citedKeys.map(detach),
    blockIndex: q.blockIndex + first,
    cites: q.cites.map(placeCitation),
  });
  const moveQuotation = (q: Quotation): Quotation => {
    const cites = q.cites.map(moveCitation);
    if (q.blockIndex < first && cites.every((c, i) => c === q.cites[i])) return q;
    return { ...q, span: moveAfter(q.span), contentSpan: moveAfter(q.contentSpan), blockIndex: blockAfter(q.blockIndex), cites };
  };
  spliceInto(quotations, previous.quotations, first, after, alone.quotations.map(placeQuotation), moveQuotation);

  const directives: Directive[] = [];
  for (const d of previous.directives) if (d.span.start < run.start) directives.push(d);
  for (const d of alone.directives) directives.push({ ...d, rules: d.rules.map(detach), span: fromAlone(d.span) });
  for (const d of previous.directives) if (d.span.start >= run.end) directives.push(delta === 0 ? d : { ...d, span: moveAfter(d.span) });

  const parsed: ParsedDocument = {
    text,
    masked: previous.masked.slice(0, run.start) + alone.masked + previous.masked.slice(run.end),
    lineStarts,
    ...(previous.frontMatter ? { frontMatter: previous.frontMatter } : {}),
    blocks,
    sentences,
    quotations,
    citations,
    directives,
  };
  const sources: BlockSource[] = support.blocks.slice(0, first);
  for (const source of aloneSupport.blocks) sources.push({ ...source, firstLine: source.firstLine + run.firstLine });
  for (let i = after; i < support.blocks.length; i++) {
    const source = support.blocks[i];
    sources.push(lineDelta === 0 ? source : { ...source, firstLine: source.firstLine + lineDelta });
  }
  editSupport.set(parsed, { refs: support.refs, blocks: sources });
  return parsed;
}

/**
 * A list in block order with the entries of blocks `first` up to `after`
 * replaced by `mine` (already placed) and the others passed through `keep`.
 * Entries of one block may sit out of block order (a footnote's copies), so
 * the replaced ones are found by block, not by position.
 */
function spliceInto<T extends { blockIndex: number }>(out: T[], list: readonly T[], first: number, after: number, mine: readonly T[], keep: (item: T) => T): void {
  let placed = false;
  for (const item of list) {
    if (item.blockIndex >= first && item.blockIndex < after) continue;
    if (item.blockIndex >= after && !placed) {
      for (const m of mine) out.push(m);
      placed = true;
    }
    out.push(keep(item));
  }
  if (!placed) for (const m of mine) out.push(m);
}
