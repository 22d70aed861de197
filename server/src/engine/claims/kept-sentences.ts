/**
 * A piece's prose sentences kept from one CLI run to the next
 * (kept-text-state.ts): a run that starts from the last run's kept parse
 * takes each prose block's sentences from the last run's, moved, where
 * neither the block nor the text its splitting reads changed, as the server
 * takes them from the version it checked before (analyse.ts `carriedOver`).
 * Splitting or looking up each of the 2 MB bench piece's ~6,000 blocks took
 * ~185 ms of its sources half in every warm run.
 */
import { KeptTextState } from '../kept-text-state';
import { commonEnds } from '../text';
import type { Block, ParsedDocument } from '../markdown';
import type { Span } from '../types';
import type { ProseSentence } from './analyse';

/** Section of the checks cache with the prose sentences of the text a run checked last. */
export const PROSE_SENTENCES_SECTION = 'prose-sentences';

/** Per sentence: start, end, block index, position in its block, 1 when it is the block's last. */
const SENTENCE_NUMBERS = 5;

interface KeptSentences {
  sentences: number[];
}

/** A text's prose sentences. */
export interface SentencesOfText {
  readonly text: string;
  readonly sentences: readonly ProseSentence[];
}

export class KeptProseSentences extends KeptTextState<KeptSentences, SentencesOfText> {
  constructor(hash: (text: string) => string) {
    super(PROSE_SENTENCES_SECTION, 1, hash);
  }

  protected isState(value: Partial<KeptSentences> | null): value is KeptSentences {
    const numbers = value?.sentences;
    if (!Array.isArray(numbers) || numbers.length % SENTENCE_NUMBERS) return false;
    const count = (n: unknown) => Number.isInteger(n) && (n as number) >= 0;
    for (let at = 0; at < numbers.length; at += SENTENCE_NUMBERS) {
      const last = numbers[at + 4];
      if (!count(numbers[at]) || !count(numbers[at + 1]) || !count(numbers[at + 2]) || !count(numbers[at + 3]) || numbers[at + 1] < numbers[at] || (last !== 0 && last !== 1)) return false;
    }
    return true;
  }

  protected toLive(text: string, state: KeptSentences): SentencesOfText {
    const numbers = state.sentences;
    const sentences: ProseSentence[] = [];
    for (let at = 0; at < numbers.length; at += SENTENCE_NUMBERS) {
      sentences.push({ span: { start: numbers[at], end: numbers[at + 1] }, blockIndex: numbers[at + 2], indexInBlock: numbers[at + 3], lastInBlock: numbers[at + 4] === 1 });
    }
    return { text, sentences };
  }

  protected fromLive({ sentences }: SentencesOfText): KeptSentences {
    const numbers: number[] = [];
    for (const s of sentences) numbers.push(s.span.start, s.span.end, s.blockIndex, s.indexInBlock, s.lastInBlock ? 1 : 0);
    return { sentences: numbers };
  }

  /** Sentences are never changed once split. */
  protected version(): number {
    return 0;
  }
}

/**
 * The sentences of `parsed`'s prose blocks that `earlier`'s sentences give:
 * a block the same in both parses (span, moved by the edit's length when
 * after it, and inline quotations) whose splitting reads only text the edit
 * left alone (`before` characters before it, `after` after: analyse.ts
 * `blockSentences`) has the same sentences, moved. Undefined for a block
 * that must be split.
 */
export function sentencesFromEarlier(
  earlier: { parsed: ParsedDocument; sentences: readonly ProseSentence[] },
  parsed: ParsedDocument,
  quotationsOf: { now: ReadonlyMap<number, Span[]>; earlier: ReadonlyMap<number, Span[]> },
  context: { before: number; after: number },
): (block: Block) => ProseSentence[] | undefined {
  const oldMasked = earlier.parsed.masked;
  const newLength = parsed.masked.length;
  const { head, tail } = commonEnds(oldMasked, parsed.masked);
  const delta = newLength - oldMasked.length;
  const oldBlockAt = new Map<number, Block>();
  for (const block of earlier.parsed.blocks) oldBlockAt.set(block.span.start, block);
  const firstSentenceOf = new Map<number, number>();
  earlier.sentences.forEach((sentence, i) => {
    if (sentence.indexInBlock === 0) firstSentenceOf.set(sentence.blockIndex, i);
  });
  return (block) => {
    const { start, end } = block.span;
    // Wholly in the text before the edit (unclamped: near the end, the text after differs in length), or wholly after it.
    let shift: number;
    if (end + context.after <= head) shift = 0;
    else if (start - context.before >= newLength - tail) shift = delta;
    else return undefined;
    const old = oldBlockAt.get(start - shift);
    if (!old || old.span.end !== end - shift || old.kind !== block.kind || old.inBlockquote !== block.inBlockquote || old.footnote !== block.footnote) return undefined;
    if (!sameQuotations(quotationsOf.earlier.get(old.index), quotationsOf.now.get(block.index), shift)) return undefined;
    const first = firstSentenceOf.get(old.index);
    if (first === undefined) return undefined;
    const sentences: ProseSentence[] = [];
    for (let i = first; i < earlier.sentences.length && earlier.sentences[i].blockIndex === old.index; i++) {
      const s = earlier.sentences[i];
      sentences.push({ span: { start: s.span.start + shift, end: s.span.end + shift }, blockIndex: block.index, indexInBlock: s.indexInBlock, lastInBlock: s.lastInBlock });
    }
    return sentences;
  };
}

function sameQuotations(old: readonly Span[] | undefined, now: readonly Span[] | undefined, shift: number): boolean {
  const a = old ?? [];
  const b = now ?? [];
  return a.length === b.length && a.every((span, i) => span.start + shift === b[i].start && span.end + shift === b[i].end);
}
