/**
 * Quotation verdicts keyed by (cited sources, words), valid for one state of
 * the corpus (engine/corpus-memo.ts): an edit elsewhere in the piece re-uses
 * every unchanged quotation, and, persisted, so does the next CLI run.
 * Matching is most of a check's corpus work (the 2 MB benchmark piece: ~1.3 s
 * of ~5.5 s on its thread).
 */
import { CorpusMemo } from '../corpus-memo';
import type { Corpus } from '../corpus';
import { detach } from '../text';
import { matchQuotation, type QuoteResult } from './match';

/** Section of the persisted cache holding the verdicts. */
export const VERDICTS_SECTION = 'verdicts';

export class VerdictCache {
  readonly memo: CorpusMemo<QuoteResult>;

  constructor(
    private readonly corpus: Corpus,
    buildId?: string,
  ) {
    this.memo = new CorpusMemo(VERDICTS_SECTION, corpus, isQuoteResult, buildId);
  }

  get(text: string, prefer: readonly string[]): QuoteResult {
    // Matched from a copy, so the verdict does not hold this version of the piece alive.
    return this.memo.get(prefer.join(' ') + '\u0000' + text, () => matchQuotation(this.corpus.searchIndex(), detach(text), { preferSources: [...prefer] }));
  }
}

function isQuoteResult(value: unknown): value is QuoteResult {
  const result = value as Partial<QuoteResult> | null;
  return (result?.verdict === 'verbatim' || result?.verdict === 'near' || result?.verdict === 'none') && Array.isArray(result.exactSourceIds) && typeof result.quoteWordCount === 'number';
}
