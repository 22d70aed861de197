/**
 * Block structure from markdown-it, turned into exact offsets. markdown-it
 * gives line ranges only, so each prose line's container prefix (`>` markers,
 * list markers, indentation) is re-read here from the original text.
 *
 * markdown-it is used for blocks only: its inline rules are off and so is its
 * reference rule, because reference and footnote definitions are read by
 * `inline.ts` from the start of paragraphs (markdown-it would swallow
 * `[^1]: [@key]` as a link reference definition).
 */
import MarkdownIt from 'markdown-it';
import type { Span } from '../types';
import type { BlockKind } from './model';
import { lineEnd } from './lines';
import { BACKSLASH, isEscaped } from './chars';

const blockParser = new MarkdownIt({ html: true, linkify: false, typographer: false });
blockParser.block.ruler.disable('reference');

/** A prose block before its inline content is scanned. */
export interface RawBlock {
  kind: BlockKind;
  /** Content of each line, container prefix excluded, line ending excluded. */
  lines: Span[];
  inBlockquote: boolean;
  /** Id of the outermost / innermost enclosing blockquote, or -1. */
  outerQuote: number;
  innerQuote: number;
  /** First block of its blockquote (where a `[!NOTE]` callout marker may sit). */
  firstInQuote: boolean;
  /** First block of its list item (where a `[ ]` task marker may sit). */
  firstInListItem: boolean;
  level?: number;
}

export interface Structure {
  blocks: RawBlock[];
  /** Whole-line ranges of HTML blocks (scanned for directive comments). */
  htmlBlocks: Span[];
}

interface Container {
  kind: 'quote' | 'item';
  firstLine: number;
  id: number;
}

/** markdown-it's own normalisation (its core rule, switched off here): its parse needs only `\n` line endings and no NUL. */
const NOT_NORMAL = /[\r\0]/;

/**
 * Parses `source` (the text without its BOM, same lines as `text`) from line
 * `firstLine` on (after any front matter) and maps its blocks onto `text`.
 *
 * The block parser is run from that line directly rather than on a copy of
 * the text with the front matter blanked: block rules only read forward, and
 * building that copy cost more than the rest of the structure pass.
 */
export function readStructure(text: string, source: string, lineStarts: readonly number[], firstLine = 0): Structure {
  const src = NOT_NORMAL.test(source) ? source.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD') : source;
  const tokens: ReturnType<typeof blockParser.parse> = [];
  if (src) {
    const state = new blockParser.block.State(src, blockParser, {}, tokens);
    blockParser.block.tokenize(state, firstLine, state.lineMax);
  }
  const blocks: RawBlock[] = [];
  const htmlBlocks: Span[] = [];
  const stack: Container[] = [];
  let nextId = 0;

  // Ids of the enclosing blockquotes, outermost first (kept beside `stack` so each block reads them in O(1)).
  const quotes: number[] = [];

  const spanOfLines = (from: number, to: number): Span => ({ start: lineStarts[from], end: lineEnd(text, lineStarts, to - 1) });
  const lineContent = (line: number): Span => {
    const start = lineStarts[line];
    const end = lineEnd(text, lineStarts, line);
    return { start: afterContainers(text, start, end, stack, line), end };
  };
  const push = (i: number, kind: BlockKind, lines: Span[], level?: number): void => {
    const previous = i > 0 ? tokens[i - 1].type : '';
    const block: RawBlock = {
      kind,
      lines,
      inBlockquote: quotes.length > 0,
      outerQuote: quotes.length ? quotes[0] : -1,
      innerQuote: quotes.length ? quotes[quotes.length - 1] : -1,
      firstInQuote: previous === 'blockquote_open',
      firstInListItem: previous === 'list_item_open',
    };
    if (level !== undefined) block.level = level;
    blocks.push(block);
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    switch (token.type) {
      case 'blockquote_open':
        stack.push({ kind: 'quote', firstLine: token.map![0], id: nextId });
        quotes.push(nextId++);
        break;
      case 'list_item_open':
        stack.push({ kind: 'item', firstLine: token.map![0], id: nextId++ });
        break;
      case 'blockquote_close':
        stack.pop();
        quotes.pop();
        break;
      case 'list_item_close':
        stack.pop();
        break;
      case 'paragraph_open': {
        const map = tokens[i + 1]?.map ?? token.map;
        if (!map) break;
        const lines: Span[] = [];
        for (let line = map[0]; line < map[1]; line++) lines.push(lineContent(line));
        dropHardBreakBackslashes(text, lines);
        const inner = stack.length ? stack[stack.length - 1].kind : undefined;
        push(i, inner === 'quote' ? 'blockquote' : inner === 'item' ? 'listItem' : 'paragraph', lines);
        break;
      }
      case 'heading_open': {
        const map = tokens[i + 1]?.map ?? token.map;
        if (!map) break;
        const lines: Span[] = [];
        if (token.markup.startsWith('#')) lines.push(atxContent(text, lineContent(map[0])));
        else for (let line = map[0]; line < map[1]; line++) lines.push(lineContent(line));
        push(i, 'heading', lines, Number(token.tag.slice(1)) || 1);
        break;
      }
      case 'tr_open':
        if (token.map) push(i, 'tableRow', [lineContent(token.map[0])]);
        break;
      case 'html_block':
        if (token.map) htmlBlocks.push(spanOfLines(token.map[0], token.map[1]));
        break;
      default:
        break;
    }
  }
  return { blocks, htmlBlocks };
}

const isBlank = (c: number) => c === 0x20 || c === 0x09;

function skipBlanks(text: string, p: number, end: number): number {
  while (p < end && isBlank(text.charCodeAt(p))) p++;
  return p;
}

/**
 * Where a line's content starts once the markers of its containers are
 * consumed. A line missing a `>` is a lazy continuation: nothing after it is a
 * marker. Depth is bounded by markdown-it's nesting limit (100).
 */
function afterContainers(text: string, start: number, end: number, stack: readonly Container[], line: number): number {
  let p = start;
  for (const container of stack) {
    if (container.kind === 'quote') {
      const q = skipBlanks(text, p, end);
      if (text.charCodeAt(q) !== 0x3e /* > */) return p;
      p = q + 1;
      if (p < end && isBlank(text.charCodeAt(p))) p++;
    } else if (line === container.firstLine) {
      p = afterListMarker(text, skipBlanks(text, p, end), end);
    } else {
      p = skipBlanks(text, p, end);
    }
  }
  return p;
}

function afterListMarker(text: string, p: number, end: number): number {
  const c = text.charCodeAt(p);
  if (c === 0x2d || c === 0x2b || c === 0x2a) return skipBlanks(text, p + 1, end);
  let d = p;
  while (d < end && d - p < 9 && text.charCodeAt(d) >= 0x30 && text.charCodeAt(d) <= 0x39) d++;
  const after = text.charCodeAt(d);
  if (d > p && (after === 0x2e || after === 0x29)) return skipBlanks(text, d + 1, end);
  return p;
}

/** An ATX heading line without its opening and closing `#` sequences. */
function atxContent(text: string, line: Span): Span {
  let start = skipBlanks(text, line.start, line.end);
  while (start < line.end && text.charCodeAt(start) === 0x23) start++;
  start = skipBlanks(text, start, line.end);
  let end = line.end;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  let hashes = end;
  while (hashes > start && text.charCodeAt(hashes - 1) === 0x23) hashes--;
  if (hashes < end && (hashes === start || isBlank(text.charCodeAt(hashes - 1)))) {
    end = hashes;
    while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  }
  return { start, end };
}

/** A `\` ending a paragraph line is a hard line break, not text. */
export function dropHardBreakBackslashes(text: string, lines: Span[]): void {
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i];
    if (line.end > line.start && text.charCodeAt(line.end - 1) === BACKSLASH && !isEscaped(text, line.end - 1, line.start)) line.end--;
  }
}
