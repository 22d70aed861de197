/**
 * What a parse keeps for its next version (markdown/edit.ts): enough to
 * re-parse one edited block alone. Kept beside the parse, not in it: a
 * `ParsedDocument` is plain data that the server posts between threads, and
 * a parse received that way simply has none (the next version is then
 * parsed whole).
 */
import type { ParsedDocument } from './model';
import type { ReferenceMap } from './inline';

export interface BlockSource {
  /** Line number of the block's first line. Edits inside one line never change line numbers. */
  firstLine: number;
  /** Where each of the block's lines starts once its container markers are skipped, as a column of that line. */
  columns: readonly number[];
  /**
   * The block can be re-parsed on its own: a paragraph or a list item's
   * paragraph, outside block quotes, with nothing read at its start
   * (reference or footnote definition, task marker), so nothing another
   * block reads depends on it beyond its own citations.
   */
  alone: boolean;
  /** First paragraph of a list item, where a `[ ]` task marker would be read. */
  firstInListItem: boolean;
}

export interface EditSupport {
  /** Reference definitions of the whole piece (read only; an edit that would change them is parsed whole). */
  refs: ReferenceMap;
  /** By block index. */
  blocks: readonly BlockSource[];
}

export const editSupport = new WeakMap<ParsedDocument, EditSupport>();

/**
 * Where a parse made by `reparseEdited` came from: the previous version's
 * parse, the block re-parsed, and the edit. Consumers that keep something
 * per parse (the claims' sentences and checks) carry over what the edit
 * cannot have changed. Only the newest link is kept: making the next version
 * drops this one's, so at most one earlier version is held.
 */
export interface EditOrigin {
  previous: ParsedDocument;
  /** Index of the re-parsed block (the same in both parses). */
  block: number;
  /** The edit: `previous.text[from, oldEnd)` became `text[from, oldEnd + delta)`. */
  from: number;
  oldEnd: number;
  delta: number;
}

export const editOrigins = new WeakMap<ParsedDocument, EditOrigin>();

/** The parse `parsed` was made from by one edit, with the edit, while `parsed` is the newest version made from it. */
export function editOriginOf(parsed: ParsedDocument): EditOrigin | undefined {
  return editOrigins.get(parsed);
}

/**
 * The parse of another run a parse was made from (`Engine.adoptEarlierParse`:
 * the CLI's kept parse), while the new one lives. What a check keeps per text
 * from run to run (style/lower-text.ts) is carried over from that text, as
 * the server carries it from the version it checked before.
 */
const adoptedOrigins = new WeakMap<ParsedDocument, ParsedDocument>();

export function setAdoptedOrigin(parsed: ParsedDocument, earlier: ParsedDocument): void {
  adoptedOrigins.set(parsed, earlier);
}

export function adoptedOriginOf(parsed: ParsedDocument): ParsedDocument | undefined {
  return adoptedOrigins.get(parsed);
}
