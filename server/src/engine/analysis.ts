/**
 * Everything the rules of one check share, computed lazily and at most once:
 * the parse, the source corpus, and the verdict on each quotation. Rules read
 * from it; none of them re-parses or re-matches.
 */
import type { DocumentInput } from './api';
import type { Corpus } from './corpus';
import type { Citation, ParsedDocument, Quotation } from './markdown';
import type { QuoteResult } from './quotes';
import type { ResolvedConfig } from './config';
import type { Source } from './types';

export interface QuoteCheck {
  quotation: Quotation;
  /** Known source ids the author cited for this quotation (unknown keys are dropped). */
  citedSourceIds: string[];
  /** The citations behind citedSourceIds, for fixes that change a key. */
  citations: Citation[];
  result: QuoteResult;
}

export interface Analysis {
  readonly doc: DocumentInput;
  readonly parsed: ParsedDocument;
  readonly corpus: Corpus;
  readonly config: ResolvedConfig;
  /** Source id a citation refers to, or undefined when it names no known source. */
  sourceIdOf(citation: Citation): string | undefined;
  source(id: string): Source | undefined;
  /** Every quotation with its verdict, computed once per check (and cached across checks). */
  quoteChecks(): readonly QuoteCheck[];
}
