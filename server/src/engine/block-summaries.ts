/**
 * What a piece-wide rule needs to know of each block, summarised block by
 * block and kept per block: the rule still reads the whole piece in order
 * (an acronym's first use, a name written mid-sentence anywhere), but from
 * the blocks' summaries, so a re-check of an edited piece summarises the
 * changed blocks only. Kept in memory from one check to the next and, as a
 * section of the checks cache, from one CLI run to the next.
 *
 * A summary is kept under the block's key (engine/block-findings.ts
 * `blockKeys`: its kind, masked text, quotations and citations, offsets
 * relative to its start) and the summary's name. So a summary may read only
 * those, plus the few characters after the block it declares; it holds its
 * offsets relative to the block's start, so a block that moves keeps it. It
 * reads nothing of the sources and no option: what depends on those is
 * decided by the rule when it folds the summaries.
 */
import type { Block, ParsedDocument } from './markdown';
import { PersistedMemo } from './corpus-memo';
import { blockKeys } from './block-findings';

/** Section of the checks cache with the summaries. */
export const BLOCK_SUMMARIES_SECTION = 'block-summaries';

export interface BlockSummary<V> {
  /** Names the summary in the keys: unique among summaries. */
  readonly name: string;
  /** Characters of the masked text after the block the summary also reads (a word's last letter looks one ahead). */
  readonly readsAfter?: number;
  /** The summary of `block`: plain JSON data, offsets relative to the block's start. */
  summarise(parsed: ParsedDocument, block: Block): V;
  /** A summary read back from a file (a damaged one is made again). */
  isSummary(value: unknown): value is V;
}

/** Kept summaries, of every kind; each kind checks its own when it reads one back. */
export function blockSummaryMemo(buildId?: string): PersistedMemo<unknown> {
  return new PersistedMemo<unknown>(BLOCK_SUMMARIES_SECTION, (value): value is unknown => value !== undefined && value !== null, buildId);
}

/** The summaries made for a parse, by summary name (a parse is shared by every check of its text). */
const summariesOfParse = new WeakMap<ParsedDocument, Map<string, unknown[]>>();

/** Summaries made, and kept ones taken, in this process (tests: was a block summarised again?). */
export const summaryWork = { made: 0, kept: 0 };

/**
 * Every block's summary of one kind, in block order: kept ones where `memo`
 * has them, the others made now (and kept). Without a memo (an embedder that
 * keeps nothing between checks) each block is summarised, with no keys made.
 */
export function blockSummaries<V>(parsed: ParsedDocument, summary: BlockSummary<V>, memo: PersistedMemo<unknown> | undefined): readonly V[] {
  let byName = summariesOfParse.get(parsed);
  if (!byName) summariesOfParse.set(parsed, (byName = new Map()));
  const done = byName.get(summary.name);
  if (done) return done as V[];

  const make = (block: Block): V => {
    summaryWork.made++;
    return summary.summarise(parsed, block);
  };
  let summaries: V[];
  if (!memo) {
    summaries = parsed.blocks.map(make);
  } else {
    const keys = blockKeys(parsed);
    const after = summary.readsAfter ?? 0;
    summaries = parsed.blocks.map((block, index) => {
      const key = `${summary.name}\u0000${keys[index]}${after ? `\u0000${parsed.masked.slice(block.span.end, block.span.end + after)}` : ''}`;
      const kept = memo.lookup(key);
      if (kept !== undefined && summary.isSummary(kept)) {
        summaryWork.kept++;
        return kept;
      }
      // Kept as a copy: a summary made now may hold slices of this version of the piece.
      const made = JSON.parse(JSON.stringify(make(block))) as V;
      memo.remember(key, made);
      return made;
    });
  }
  byName.set(summary.name, summaries);
  return summaries;
}
