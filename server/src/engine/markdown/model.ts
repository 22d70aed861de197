/**
 * The parse of one Markdown piece, as plain data. Every span is a half-open
 * range of UTF-16 offsets into the original text (BOM, CRLF and all), so a
 * span found here is a span in the editor without any conversion.
 */
import type { Span } from '../types';

export type BlockKind = 'paragraph' | 'heading' | 'blockquote' | 'listItem' | 'tableRow';

/** A run of prose: its inline content, with container markers masked. */
export interface Block {
  /** `blockquote` / `listItem`: a paragraph whose innermost container is a `>` quote / a list item. */
  kind: BlockKind;
  /** From the first to the last character of the block's inline content. */
  span: Span;
  /** Position in `ParsedDocument.blocks`. */
  index: number;
  /** The block lives inside a `>` blockquote (at any depth). */
  inBlockquote: boolean;
  /** Heading level 1–6 (headings only). */
  level?: number;
  /** Label of the footnote this paragraph defines (`[^label]: …`), marker masked. */
  footnote?: string;
}

export interface Quotation {
  kind: 'inline' | 'block';
  /** inline: opening mark to closing mark inclusive; block: the quoted text of the blockquote paragraph. */
  span: Span;
  /** Inside the marks (inline); the quoted text without a trailing citation or attribution line (block). */
  contentSpan: Span;
  /** `masked.slice(contentSpan)` with whitespace runs collapsed to one space: what gets matched. */
  text: string;
  blockIndex: number;
  /** Keys cited for the quotation: its sentence, else its block; for a blockquote its trailing citation, else the attribution paragraph after it. */
  citedKeys: string[];
  /** The citations behind `citedKeys`, which may live in another block than the quotation's. */
  cites: Citation[];
}

export type CitationKind = 'pandoc' | 'bare' | 'footnote' | 'link';

export interface Citation {
  /** Citation key without '@'; for links the raw target as written. */
  key: string;
  /** `@key` (the key's text for `link`: the target; for a reference link the `[label]`). */
  span: Span;
  /** `[...]` of a bracketed citation, the whole link for links; same as `span` for bare `@key`. */
  group: Span;
  /** The block the citation belongs to; for footnotes, the block that holds the `[^n]` reference. */
  blockIndex: number;
  kind: CitationKind;
  /** `[-@key]`: the author's name is suppressed. */
  suppressAuthor?: boolean;
  /** Footnote label when the citation reaches its block through a footnote. */
  footnote?: string;
  /** The `[^n]` reference in the citing block (footnote citations only; `span` is in the definition). */
  reference?: Span;
}

export type DirectiveKind = 'disable-next-line' | 'disable' | 'enable';

export interface Directive {
  kind: DirectiveKind;
  /** Rule ids; empty means every rule. */
  rules: string[];
  /** The whole HTML comment. */
  span: Span;
}

/** A sentence of a block (cheap heuristic: `.!?` followed by space and a capital, or the end). */
export interface Sentence {
  span: Span;
  blockIndex: number;
}

export interface ParsedDocument {
  text: string;
  /**
   * Same length as `text`: code, HTML, comments, link destinations and
   * titles, reference definitions, autolinks, front matter, container
   * markers and emphasis delimiters replaced by spaces; line breaks kept.
   */
  masked: string;
  /** Offsets where each line starts (`\r\n`, `\r` and `\n` end a line, as in LSP). */
  lineStarts: number[];
  frontMatter?: Span;
  blocks: Block[];
  sentences: Sentence[];
  quotations: Quotation[];
  citations: Citation[];
  directives: Directive[];
}
