/**
 * Plain data shared by the engine and its adapters. Nothing here knows about
 * LSP, VS Code or the file system: spans are UTF-16 offsets into a string and
 * are turned into line/character ranges in exactly one place per adapter
 * (`server/src/lsp/convert.ts`, the CLI formatters).
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';

/** Half-open range of UTF-16 code units: `text.slice(start, end)`. */
export interface Span {
  start: number;
  end: number;
}

export interface TextEdit {
  span: Span;
  newText: string;
}

/** A quick fix: edits to the document the finding is in. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  isPreferred?: boolean;
}

/** A place in another file (a source or the config). */
export interface Location {
  uri: string;
  span: Span;
}

export interface RelatedInformation {
  location: Location;
  message: string;
}

/** One finding, as the engine reports it. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  span: Span;
  fixes?: Fix[];
  related?: RelatedInformation[];
  /** Machine-readable details (source id, matched passage range, …). JSON-safe. */
  data?: Record<string, unknown>;
}

/** Metadata of a source article. */
export interface SourceMeta {
  title?: string;
  outlet?: string;
  author?: string;
  date?: string;
  url?: string;
}

/** A source article after loading: `text` is the whole file, `body` the span that is article text. */
export interface Source {
  id: string;
  uri: string;
  /** Path relative to the workspace root, with forward slashes, for messages. */
  path: string;
  text: string;
  body: Span;
  meta: SourceMeta;
}

/** A hover card: Markdown text (never trusted, never HTML) and the span it is about. */
export interface HoverCard {
  markdown: string;
  span: Span;
}

export type CompletionKind = 'source' | 'entity' | 'rule';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** Text inserted in place of `replace`. */
  insertText: string;
  replace: Span;
  sortText?: string;
}

/** Completions at one offset: at most COMPLETION_LIMIT entries, best first; `isIncomplete` when more matched (the editor asks again as the writer types). */
export interface CompletionList {
  items: CompletionEntry[];
  isIncomplete: boolean;
}

/** Most completion entries one answer carries: a response stays small however large the corpus. */
export const COMPLETION_LIMIT = 50;
