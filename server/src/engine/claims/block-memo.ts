/**
 * The claim checks of whole blocks, kept across parses of one corpus
 * generation: an edit changes one block, and re-checking every other block's
 * sentences — each verdict looked up by its text's hash, each sentence's
 * citations, quotations and outlets filtered — was ~14 ms of every re-check
 * of the 200 KB benchmark piece. A block whose signature (everything those
 * checks read of it, below) is unchanged takes its checks from here, moved to
 * where the block now starts.
 *
 * Process-only: the per-sentence verdicts (verdict-store.ts) are what is
 * persisted; this memo is rebuilt from them after a start.
 */
import type { Corpus } from '../corpus';
import type { Citation, Quotation } from '../markdown';
import type { Span } from '../types';
import { detach } from '../text';
import type { Sourcing } from './analyse';
import type { ClaimVerdict } from './detect';
import { shiftVerdict } from './verdict-store';

/** One sentence's check, its verdict's spans relative to the block's start; its sourcing has no position in it, so one object serves every place the block moves to. */
export interface KeptSentence {
  verdict: ClaimVerdict;
  sourcing?: Sourcing;
}

/** Blocks kept (the 200 KB and 2 MB benchmark pieces have ~500 and ~5,200 prose blocks); the memo starts afresh when full. An edit adds one. */
const MAX_KEPT_BLOCKS = 20_000;

export class BlockClaimMemo {
  private generation = -1;
  private readonly blocks = new Map<string, KeptSentence[]>();
  private readonly documents = new Set<string>();

  /**
   * Whether `uri` was checked before: the memo is used from a document's
   * second version on. A piece checked once (the CLI) would only pay for
   * keeping its blocks: ~1% of a one-shot check (64 ms of 7.6 s on the 2 MB piece).
   */
  rechecks(uri: string): boolean {
    if (this.documents.has(uri)) return true;
    if (this.documents.size >= MAX_KEPT_BLOCKS) this.documents.clear();
    this.documents.add(uri);
    return false;
  }

  /** The checks kept for a block with this signature, spans relative to its start. */
  get(generation: number, signature: string): readonly KeptSentence[] | undefined {
    if (generation !== this.generation) return undefined;
    return this.blocks.get(signature);
  }

  /** Keeps a block's checks (`blockStart`: where the block starts in the parse the verdicts' spans are from). */
  keep(generation: number, signature: string, blockStart: number, checks: ReadonlyArray<{ verdict: ClaimVerdict; sourcing?: Sourcing }>): void {
    if (generation !== this.generation || this.blocks.size >= MAX_KEPT_BLOCKS) {
      this.blocks.clear();
      this.generation = generation;
    }
    // The signature holds slices of this parse: a detached copy does not keep the parse's text alive.
    this.blocks.set(
      detach(signature),
      checks.map((check) => (check.sourcing ? { verdict: shiftVerdict(check.verdict, -blockStart), sourcing: check.sourcing } : { verdict: shiftVerdict(check.verdict, -blockStart) })),
    );
  }
}

const memos = new WeakMap<Corpus, BlockClaimMemo>();

/** The memo of a workspace's corpus. */
export function blockClaimMemo(corpus: Corpus): BlockClaimMemo {
  let memo = memos.get(corpus);
  if (!memo) memos.set(corpus, (memo = new BlockClaimMemo()));
  return memo;
}

/** What a block's claim checks read, besides the corpus (its generation keys the memo itself). */
export interface BlockInputs {
  /** The claim options, and the names learnt from the piece (hashed), which detection's answers depend on. */
  optionsKey: string;
  namesKey: string;
  /** The text detection reads (quotation contents and citations blanked). */
  detectionText: string;
  block: Span;
  /** The block's sentences, in order. */
  sentences: readonly Span[];
  /** Its citations as the claim checks see them (links to elsewhere left out), and those that end it (scope `paragraph`). */
  citations: readonly Citation[];
  endingCitations: readonly Citation[];
  /** Its quotations, and the blockquote's after it (a sentence ending in ":" is sourced by that one). */
  quotations: readonly Quotation[];
  nextQuotations: readonly Quotation[];
}

/**
 * Everything the checks of a block's sentences read, relative to its start:
 * the options and the piece's learnt names, the block's detection text, its
 * sentence spans, its citations (kind, key, where) and which of them end it,
 * and the quotations whose verdicts a sentence may be sourced by (kind, where,
 * words, cited keys). Verdicts and sourcing depend on nothing else in the
 * piece.
 */
export function blockSignature(inputs: BlockInputs): string {
  const { block } = inputs;
  const at = (span: Span) => `${span.start - block.start},${span.end - block.start}`;
  const cites = (citations: readonly Citation[]) => citations.map((c) => `${c.kind}:${c.key}`).join('\u0002');
  const parts: string[] = [inputs.optionsKey, inputs.namesKey, inputs.sentences.map(at).join(' ')];
  for (const c of inputs.citations) parts.push(`c${c.kind}:${c.key}@${at(c.reference ?? c.group)}`);
  for (const c of inputs.endingCitations) parts.push(`e${c.kind}:${c.key}@${at(c.reference ?? c.group)}`);
  for (const q of inputs.quotations) parts.push(`q${q.kind}@${at(q.span)}:${q.text}\u0002${cites(q.cites)}`);
  for (const q of inputs.nextQuotations) parts.push(`n${q.kind}:${q.text}\u0002${cites(q.cites)}`);
  parts.push(inputs.detectionText.slice(block.start, block.end));
  return parts.join('\u0001');
}
