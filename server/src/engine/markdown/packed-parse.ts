/**
 * A parse's many small records packed into typed arrays, for a parse kept
 * from one CLI run to the next (node/kept-parse.ts). Reading a parse back
 * through `v8.deserialize` costs ~1 µs per object or string, and a 2 MB
 * piece's parse holds ~200,000: its sentences (an object and a span each),
 * blocks, the blocks' edit support, and each quotation's `citedKeys`, strings
 * written out in full for every quotation although they are its citations'
 * keys. Packed, those are numbers in a few Int32Arrays, which v8 copies as
 * bytes, and objects built here with a literal each, far cheaper than v8's
 * generic property definition.
 *
 * Unpacking gives the parse back as the parser makes it: the same property
 * order, the same values, and quotations still share their citations (the
 * tests compare a packed and unpacked parse with the original field by
 * field, sharing included). A parse whose records are not of the shapes
 * packed here (a new field, a number that is not an int32) is not packed:
 * `packParseState` returns undefined and the caller keeps it as it is.
 */
import type { ParseState } from '../api';
import type { BlockSource, EditSupport } from './edit-support';
import type { Block, BlockKind, Citation, CitationKind, ParsedDocument, Quotation, Sentence } from './model';
import type { Span } from '../types';
import { citedKeysOf } from '../markdown';

/** Block kinds by number; the packed form names a kind by its position here. */
const BLOCK_KINDS: readonly BlockKind[] = ['paragraph', 'heading', 'blockquote', 'listItem', 'tableRow'];

const CITATION_KINDS: readonly CitationKind[] = ['pandoc', 'bare', 'footnote', 'link'];
const QUOTATION_KINDS: readonly Quotation['kind'][] = ['inline', 'block'];

/** Property orders the parser makes (markdown.ts, markdown/paragraph-edit.ts, markdown/edit.ts); others are not packed. */
const BLOCK_KEYS = ['kind', 'span', 'index', 'inBlockquote'];
const QUOTATION_KEYS = ['kind', 'span', 'contentSpan', 'text', 'blockIndex', 'citedKeys', 'cites'];
const SOURCE_KEYS = ['firstLine', 'columns', 'alone', 'firstInListItem'];
/** A citation's keys in order; the last three are optional. */
const CITATION_KEYS = ['key', 'span', 'group', 'blockIndex', 'kind', 'suppressAuthor', 'footnote', 'reference'];
const CITATION_REQUIRED = 5;

/** Flags of a packed block. */
const IN_BLOCKQUOTE = 1;
const HAS_LEVEL = 2;
const HAS_FOOTNOTE = 4;
/** Flags of a packed citation: which optional fields it has. */
const SUPPRESS_AUTHOR = 1;
const HAS_FOOTNOTE_LABEL = 2;
const HAS_REFERENCE = 4;
/** Flags of a packed block source. */
const ALONE = 1;
const FIRST_IN_LIST_ITEM = 2;

export interface PackedParseState {
  /** The parse with its blocks, sentences, citations and quotations replaced by their packed forms. */
  parsed: Omit<ParsedDocument, 'blocks' | 'sentences' | 'quotations' | 'citations'> & { blocks: Int32Array; sentences: Int32Array; quotations: Int32Array; citations: Int32Array };
  /**
   * The spans of citations and quotations, each object once (start, end): a
   * footnote's citations share their reference's span, and the copies of one
   * definition's citation for each reference share its spans.
   */
  spans: Int32Array;
  /** The strings of those records, in the order they are read back: footnote labels of blocks; each citation's key and label; each quotation's text. */
  strings: string[];
  support: Omit<EditSupport, 'blocks'> & { blocks: Int32Array };
  /**
   * Where the masked text differs from the text: runs (start, end) the parser
   * blanked with spaces (code, comments, link targets), `parsed.masked` then
   * ''. The masked text is half of a parse's bytes (as long as the piece, and
   * two bytes a character where the piece has one character beyond Latin-1),
   * and these make it again in ~10 ms. Absent when it differs otherwise: then
   * `parsed.masked` is kept whole.
   */
  maskedBlanks?: Int32Array;
}

export function packParseState(state: ParseState): PackedParseState | undefined {
  const { parsed, support } = state;
  const strings: string[] = [];
  const blocks = packBlocks(parsed.blocks, strings);
  const sentences = packSentences(parsed.sentences);
  const spans = new SpanTable();
  const citationIndex = new Map<Citation, number>();
  const citations = packCitations(parsed.citations, strings, spans, citationIndex);
  const quotations = citations && packQuotations(parsed.quotations, strings, spans, parsed.citations, citationIndex);
  const sources = packSources(support.blocks);
  if (!blocks || !sentences || !citations || !quotations || !sources || !spans.valid) return undefined;
  const maskedBlanks = blankRuns(parsed.text, parsed.masked);
  const masked = maskedBlanks ? '' : parsed.masked;
  return { parsed: { ...parsed, masked, blocks, sentences, quotations, citations }, spans: spans.finish(), strings, support: { ...support, blocks: sources }, ...(maskedBlanks ? { maskedBlanks } : {}) };
}

/** The parse state packed by `packParseState`; undefined when the packed form does not hold together (damaged). */
export function unpackParseState(packed: PackedParseState): ParseState | undefined {
  const { parsed, support, strings } = packed;
  const ints = [parsed?.blocks, parsed?.sentences, parsed?.citations, parsed?.quotations, support?.blocks, packed.spans];
  if (!ints.every((array) => array instanceof Int32Array) || !Array.isArray(strings) || !strings.every((text) => typeof text === 'string')) return undefined;
  const read = new StringReader(strings);
  const spans = new SpanReader(packed.spans);
  const blocks = unpackBlocks(parsed.blocks, read);
  const sentences = unpackSentences(parsed.sentences);
  const citations = unpackCitations(parsed.citations, read, spans);
  const quotations = citations && unpackQuotations(parsed.quotations, read, spans, citations);
  const sources = unpackSources(support.blocks);
  const masked = packed.maskedBlanks === undefined ? parsed.masked : packed.maskedBlanks instanceof Int32Array ? blanked(parsed.text, packed.maskedBlanks) : undefined;
  if (!blocks || !sentences || !citations || !quotations || !sources || !read.atEnd() || typeof masked !== 'string') return undefined;
  return { parsed: { ...parsed, masked, blocks, sentences, quotations, citations }, support: { ...support, blocks: sources } };
}

/** The runs where `masked` has a space and `text` another character (start, end); undefined when they differ otherwise. */
function blankRuns(text: string, masked: string): Int32Array | undefined {
  if (typeof text !== 'string' || typeof masked !== 'string' || masked.length !== text.length) return undefined;
  const runs: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (masked.charCodeAt(i) === text.charCodeAt(i)) continue;
    if (masked.charCodeAt(i) !== 32) return undefined;
    if (runs.length && runs[runs.length - 1] === i) runs[runs.length - 1] = i + 1;
    else runs.push(i, i + 1);
  }
  return Int32Array.from(runs);
}

/** `text` with the runs `blankRuns` found made spaces again; undefined when the runs do not fit it (damaged). */
function blanked(text: unknown, runs: Int32Array): string | undefined {
  if (typeof text !== 'string' || runs.length % 2) return undefined;
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < runs.length; i += 2) {
    const start = runs[i];
    const end = runs[i + 1];
    if (!(start >= at && end > start && end <= text.length)) return undefined;
    parts.push(text.slice(at, start), ' '.repeat(end - start));
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Spans by identity: each object gets a number the first time it is met. */
class SpanTable {
  private readonly ids = new Map<object, number>();
  private readonly ints: number[] = [];
  /** False once a span was not of the parser's shape (then nothing is packed). */
  valid = true;

  id(span: Span | undefined): number {
    if (!isSpan(span)) {
      this.valid = false;
      return -1;
    }
    let id = this.ids.get(span);
    if (id === undefined) {
      this.ids.set(span, (id = this.ids.size));
      this.ints.push(span.start, span.end);
    }
    return id;
  }

  finish(): Int32Array {
    return Int32Array.from(this.ints);
  }
}

/** The span objects of a SpanTable, made once each, on first use. */
class SpanReader {
  private readonly made: (Span | undefined)[] = [];
  constructor(private readonly ints: Int32Array) {}
  get(id: number): Span | undefined {
    if (!(id >= 0 && 2 * id + 1 < this.ints.length)) return undefined;
    return (this.made[id] ??= { start: this.ints[2 * id], end: this.ints[2 * id + 1] });
  }
}

/** The packed strings, taken in order; undefined past the end (then the packed form is damaged). */
class StringReader {
  private at = 0;
  constructor(private readonly strings: readonly string[]) {}
  next(): string | undefined {
    return this.strings[this.at++];
  }
  atEnd(): boolean {
    return this.at === this.strings.length;
  }
}

/** Whether `value` fits an Int32Array slot unchanged. */
function isInt32(value: unknown): value is number {
  return typeof value === 'number' && (value | 0) === value;
}

/** Per block: start, end, index, kind, flags, level. */
const BLOCK_INTS = 6;

function packBlocks(blocks: readonly Block[], strings: string[]): Int32Array | undefined {
  const ints = new Int32Array(blocks.length * BLOCK_INTS);
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const keys = Object.keys(block);
    let expected = 4;
    for (let k = 0; k < 4; k++) if (keys[k] !== BLOCK_KEYS[k]) return undefined;
    const kind = BLOCK_KINDS.indexOf(block.kind);
    const { span, index } = block;
    if (kind < 0 || !isSpan(span) || !isInt32(index) || typeof block.inBlockquote !== 'boolean') return undefined;
    let flags = block.inBlockquote ? IN_BLOCKQUOTE : 0;
    if ('level' in block) {
      if (keys[expected++] !== 'level' || !isInt32(block.level)) return undefined;
      flags |= HAS_LEVEL;
    }
    if ('footnote' in block) {
      if (keys[expected++] !== 'footnote' || typeof block.footnote !== 'string') return undefined;
      flags |= HAS_FOOTNOTE;
      strings.push(block.footnote);
    }
    if (keys.length !== expected) return undefined;
    const at = i * BLOCK_INTS;
    ints[at] = span.start;
    ints[at + 1] = span.end;
    ints[at + 2] = index;
    ints[at + 3] = kind;
    ints[at + 4] = flags;
    ints[at + 5] = block.level ?? 0;
  }
  return ints;
}

function unpackBlocks(ints: Int32Array, read: StringReader): Block[] | undefined {
  if (ints.length % BLOCK_INTS) return undefined;
  const blocks: Block[] = [];
  for (let at = 0; at < ints.length; at += BLOCK_INTS) {
    const kind = BLOCK_KINDS[ints[at + 3]];
    const flags = ints[at + 4];
    if (kind === undefined) return undefined;
    const block: Block = { kind, span: { start: ints[at], end: ints[at + 1] }, index: ints[at + 2], inBlockquote: (flags & IN_BLOCKQUOTE) !== 0 };
    if (flags & HAS_LEVEL) block.level = ints[at + 5];
    if (flags & HAS_FOOTNOTE) {
      const footnote = read.next();
      if (footnote === undefined) return undefined;
      block.footnote = footnote;
    }
    blocks.push(block);
  }
  return blocks;
}

/** Per sentence: start, end, block index. */
const SENTENCE_INTS = 3;

function packSentences(sentences: readonly Sentence[]): Int32Array | undefined {
  const ints = new Int32Array(sentences.length * SENTENCE_INTS);
  let at = 0;
  for (const { span, blockIndex } of sentences) {
    if (!isSpan(span) || !isInt32(blockIndex)) return undefined;
    ints[at++] = span.start;
    ints[at++] = span.end;
    ints[at++] = blockIndex;
  }
  return ints;
}

function unpackSentences(ints: Int32Array): Sentence[] | undefined {
  if (ints.length % SENTENCE_INTS) return undefined;
  const sentences: Sentence[] = [];
  for (let at = 0; at < ints.length; at += SENTENCE_INTS) sentences.push({ span: { start: ints[at], end: ints[at + 1] }, blockIndex: ints[at + 2] });
  return sentences;
}

/** Per citation: kind, flags, block index, then the span ids of its span, group and reference (-1: none). */
const CITATION_INTS = 6;

function packCitations(citations: readonly Citation[], strings: string[], spans: SpanTable, index: Map<Citation, number>): Int32Array | undefined {
  const ints = new Int32Array(citations.length * CITATION_INTS);
  for (let i = 0; i < citations.length; i++) {
    const citation = citations[i];
    const kind = CITATION_KINDS.indexOf(citation.kind);
    const { span, group, reference } = citation;
    if (!hasCitationKeys(citation) || kind < 0 || typeof citation.key !== 'string' || !isInt32(citation.blockIndex) || index.has(citation)) return undefined;
    let flags = 0;
    if ('suppressAuthor' in citation) {
      if (citation.suppressAuthor !== true) return undefined;
      flags |= SUPPRESS_AUTHOR;
    }
    strings.push(citation.key);
    if ('footnote' in citation) {
      if (typeof citation.footnote !== 'string') return undefined;
      flags |= HAS_FOOTNOTE_LABEL;
      strings.push(citation.footnote);
    }
    if ('reference' in citation) flags |= HAS_REFERENCE;
    index.set(citation, i);
    const at = i * CITATION_INTS;
    ints[at] = kind;
    ints[at + 1] = flags;
    ints[at + 2] = citation.blockIndex;
    ints[at + 3] = spans.id(span);
    ints[at + 4] = spans.id(group);
    ints[at + 5] = flags & HAS_REFERENCE ? spans.id(reference) : -1;
  }
  return ints;
}

function unpackCitations(ints: Int32Array, read: StringReader, spans: SpanReader): Citation[] | undefined {
  if (ints.length % CITATION_INTS) return undefined;
  const citations: Citation[] = [];
  for (let at = 0; at < ints.length; at += CITATION_INTS) {
    const kind = CITATION_KINDS[ints[at]];
    const flags = ints[at + 1];
    const key = read.next();
    if (kind === undefined || key === undefined) return undefined;
    const span = spans.get(ints[at + 3]);
    const group = spans.get(ints[at + 4]);
    if (!span || !group) return undefined;
    const citation: Citation = { key, span, group, blockIndex: ints[at + 2], kind };
    if (flags & SUPPRESS_AUTHOR) citation.suppressAuthor = true;
    if (flags & HAS_FOOTNOTE_LABEL) {
      const footnote = read.next();
      if (footnote === undefined) return undefined;
      citation.footnote = footnote;
    }
    if (flags & HAS_REFERENCE) {
      const reference = spans.get(ints[at + 5]);
      if (!reference) return undefined;
      citation.reference = reference;
    }
    citations.push(citation);
  }
  return citations;
}

/**
 * Per quotation: kind, block index, span id, content span id, cite count, and
 * the position of its first cite when its cites are a run of the piece's
 * citations (as a block's are, from one sentence or footnote), else -1 and
 * each cite's position.
 */
const QUOTATION_INTS = 6;

function packQuotations(quotations: readonly Quotation[], strings: string[], spans: SpanTable, citations: readonly Citation[], citationIndex: ReadonlyMap<Citation, number>): Int32Array | undefined {
  let size = 0;
  for (const quotation of quotations) size += QUOTATION_INTS + quotation.cites.length;
  const ints = new Int32Array(size);
  let at = 0;
  for (const quotation of quotations) {
    const { span, contentSpan, cites } = quotation;
    const kind = QUOTATION_KINDS.indexOf(quotation.kind);
    if (!hasKeys(quotation, QUOTATION_KEYS) || kind < 0 || typeof quotation.text !== 'string' || !isInt32(quotation.blockIndex)) return undefined;
    if (!areKeysOf(quotation.citedKeys, cites)) return undefined;
    strings.push(quotation.text);
    ints[at++] = kind;
    ints[at++] = quotation.blockIndex;
    ints[at++] = spans.id(span);
    ints[at++] = spans.id(contentSpan);
    ints[at++] = cites.length;
    // A quotation's citations are the piece's own objects (markdown.ts, paragraph-edit.ts): anything else is not packed.
    const first = cites.length ? citationIndex.get(cites[0]) : 0;
    if (first === undefined) return undefined;
    if (isRun(cites, citations, first)) {
      ints[at++] = first;
      continue;
    }
    ints[at++] = -1;
    for (const cite of cites) {
      const position = citationIndex.get(cite);
      if (position === undefined) return undefined;
      ints[at++] = position;
    }
  }
  return ints.subarray(0, at);
}

/** Whether `cites` are `citations` from `first` on. */
function isRun(cites: readonly Citation[], citations: readonly Citation[], first: number): boolean {
  for (let i = 0; i < cites.length; i++) if (citations[first + i] !== cites[i]) return false;
  return true;
}

function unpackQuotations(ints: Int32Array, read: StringReader, spans: SpanReader, citations: readonly Citation[]): Quotation[] | undefined {
  const quotations: Quotation[] = [];
  for (let at = 0; at < ints.length; ) {
    if (at + QUOTATION_INTS > ints.length) return undefined;
    const kind = QUOTATION_KINDS[ints[at]];
    const text = read.next();
    const count = ints[at + 4];
    const first = ints[at + 5];
    const span = spans.get(ints[at + 2]);
    const contentSpan = spans.get(ints[at + 3]);
    if (kind === undefined || text === undefined || !span || !contentSpan || count < 0) return undefined;
    const blockIndex = ints[at + 1];
    at += QUOTATION_INTS;
    let cites: Citation[];
    if (first >= 0) {
      if (first + count > citations.length) return undefined;
      cites = citations.slice(first, first + count);
    } else {
      if (first !== -1 || at + count > ints.length) return undefined;
      cites = [];
      for (let end = at + count; at < end; at++) {
        const cite = citations[ints[at]];
        if (!cite) return undefined;
        cites.push(cite);
      }
    }
    quotations.push({ kind, span, contentSpan, text, blockIndex, citedKeys: citedKeysOf(cites), cites });
  }
  return quotations;
}

/** A span as the parser makes one: start and end, in that order, int32s. */
function isSpan(span: Span | undefined): span is Span {
  if (!span || !isInt32(span.start) || !isInt32(span.end)) return false;
  let keys = 0;
  for (const key in span) if (key !== (keys++ === 0 ? 'start' : 'end')) return false;
  return keys === 2;
}

/** Whether `citedKeys` is what `citedKeysOf(cites)` makes (checked without making it: a 2 MB piece has ~48,000 cites). */
function areKeysOf(citedKeys: readonly string[], cites: Quotation['cites']): boolean {
  if (!Array.isArray(citedKeys)) return false;
  if (cites.length <= 1) return citedKeys.length === cites.length && (!cites.length || citedKeys[0] === cites[0].key);
  seenKeys.clear();
  let count = 0;
  for (const { key } of cites) {
    if (seenKeys.has(key)) continue;
    seenKeys.add(key);
    if (citedKeys[count++] !== key) return false;
  }
  return count === citedKeys.length;
}

const seenKeys = new Set<string>();

/** Whether a citation's keys are the required ones in order, then any of the optional ones, in order. */
function hasCitationKeys(citation: Citation): boolean {
  let next = 0;
  for (const key in citation) {
    while (next < CITATION_KEYS.length && CITATION_KEYS[next] !== key) if (next++ < CITATION_REQUIRED) return false;
    if (next++ === CITATION_KEYS.length) return false;
  }
  return next >= CITATION_REQUIRED;
}

/** Whether `record`'s own enumerable keys are `keys`, in that order. */
function hasKeys(record: object, keys: readonly string[]): boolean {
  let count = 0;
  for (const key in record) if (key !== keys[count++]) return false;
  return count === keys.length;
}

/** Per block source: first line, flags, column count, then the columns. */
function packSources(sources: readonly BlockSource[]): Int32Array | undefined {
  let size = 0;
  for (const source of sources) size += 3 + source.columns.length;
  const ints = new Int32Array(size);
  let at = 0;
  for (const source of sources) {
    if (!hasKeys(source, SOURCE_KEYS) || !isInt32(source.firstLine) || typeof source.alone !== 'boolean' || typeof source.firstInListItem !== 'boolean') return undefined;
    ints[at++] = source.firstLine;
    ints[at++] = (source.alone ? ALONE : 0) | (source.firstInListItem ? FIRST_IN_LIST_ITEM : 0);
    ints[at++] = source.columns.length;
    for (const column of source.columns) {
      if (!isInt32(column)) return undefined;
      ints[at++] = column;
    }
  }
  return ints;
}

function unpackSources(ints: Int32Array): BlockSource[] | undefined {
  const sources: BlockSource[] = [];
  for (let at = 0; at < ints.length; ) {
    if (at + 3 > ints.length) return undefined;
    const firstLine = ints[at];
    const flags = ints[at + 1];
    const count = ints[at + 2];
    at += 3;
    if (count < 0 || at + count > ints.length) return undefined;
    const columns: number[] = [];
    for (const end = at + count; at < end; at++) columns.push(ints[at]);
    sources.push({ firstLine, columns, alone: (flags & ALONE) !== 0, firstInListItem: (flags & FIRST_IN_LIST_ITEM) !== 0 });
  }
  return sources;
}
