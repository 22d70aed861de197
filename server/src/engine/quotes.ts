/**
 * Quotation normalisation and matching: the public surface of `quotes/`.
 *
 * - tokenize.ts    words with offsets (own tokenizer: Intl.Segmenter is too slow)
 * - vocabulary.ts  interned words with folded / exact / first-letter keys
 * - source-index.ts per-source word arrays + trigram postings in typed-array segments
 * - quotation.ts   a quotation's words and its editorial marks (… omissions, [brackets])
 * - align.ts       word alignment with free jumps at editorial marks
 * - match.ts       verbatim search, near-miss voting and alignment, the result
 * - diff.ts        word differences and their short description
 */
export { tokenize, type Token } from './quotes/tokenize';
export { SourceIndex, type IndexedSource, type IndexStats } from './quotes/source-index';
export { parseQuotation, BRACKET_SPAN, type ParsedQuotation, type QuotePart, type QuoteWord, type GapKind } from './quotes/quotation';
export {
  matchQuotation,
  DEFAULT_NEAR_THRESHOLD,
  type MatchOptions,
  type QuoteMatch,
  type QuoteResult,
  type QuoteVerdict,
} from './quotes/match';
export { describeDiff, type WordDiff } from './quotes/diff';
