/**
 * The claim side of one check: the author's prose sentences, which of them
 * are claims, and how each claim is sourced. Computed once per analysis
 * (`Analysis.sentences()` / `claimChecks()`); retrieval of supporting passages
 * happens later and only for the claims that are not sourced.
 *
 * What counts as sourced (issue #3):
 * - a citation in the sentence (`[@id]`, bare `@id`, a `[^n]` footnote whose
 *   definition cites, a link to a source);
 * - with scope `paragraph`, a citation that ends the paragraph covers every
 *   sentence of it;
 * - a verified (verbatim) quotation in the sentence, or the verified blockquote
 *   that a sentence ending in ":" introduces;
 * - "according to <outlet or title of a source>", or that outlet as the
 *   subject of a reporting verb ("The Valley Courier reported …").
 * A claim that only *matches* a source nobody cited stays unsourced.
 */
import type { Analysis, QuoteCheck } from '../analysis';
import type { Corpus } from '../corpus';
import type { SourceWords } from '../source-words';
import { quotationsByBlock as quotationsOfBlocks, type Citation, type ParsedDocument, type Quotation } from '../markdown';
import type { Span } from '../types';
import { splitSentences } from '../sentences';
import { contentKey, contentKeyOf } from '../index-cache';
import type { ClaimVerdict, DetectOptions } from './detect';
import { isAcronym, isKnownName, learnNames, readNamesIn, type ParagraphWords } from './names';
import { PersistedMemo } from '../corpus-memo';
import { claimOptions, type ClaimOptions } from './options';
import { shareSteps, type Share } from '../shares';
import { blockClaimMemo, blockSignature, type BlockClaimMemo, type KeptSentence } from './block-memo';
import { shiftVerdict } from './verdict-store';
import { adoptedOriginOf, editOriginOf } from '../markdown/edit-support';
import { sentencesFromEarlier, type KeptProseSentences } from './kept-sentences';

/** A sentence of the author's own prose. */
export interface ProseSentence {
  span: Span;
  blockIndex: number;
  /** Position among the sentences of its block. */
  indexInBlock: number;
  /** Whether it is the block's last sentence. */
  lastInBlock: boolean;
}

export type SourcedBy = 'citation' | 'footnote' | 'paragraph-citation' | 'quotation' | 'according-to';

export interface Sourcing {
  by: SourcedBy;
  /** Sources the sentence is credited to (may be empty for a citation of an unknown key). */
  sourceIds: string[];
}

export interface ClaimCheck {
  sentence: ProseSentence;
  verdict: ClaimVerdict;
  /** How the claim is sourced; undefined for an unsourced claim and for non-claims. */
  sourcing?: Sourcing;
}

// Keyed by the parse, which the engine keeps per document version: checks, hovers and
// code actions on an unchanged text share one segmentation and one set of verdicts.
const sentenceCache = new WeakMap<ParsedDocument, ProseSentence[]>();
const claimCache = new WeakMap<ParsedDocument, ClaimWork>();

/**
 * Prose sentences: paragraphs and list items, not headings, blockquotes,
 * table rows or footnote definitions. Inline quotations are never split.
 */
export function proseSentences(parsed: ParsedDocument, kept?: PersistedMemo<Span[]>, keptWhole?: KeptProseSentences): ProseSentence[] {
  const cached = sentenceCache.get(parsed);
  if (cached) return cached;
  // What the last CLI run kept: this very text's sentences (the piece did not change), else those of the text of the
  // parse this one was made from, taken block by block below.
  const same = keptWhole?.restore(parsed.text);
  if (same) {
    const sentences = [...same.sentences];
    sentenceCache.set(parsed, sentences);
    keptWhole!.use(same);
    return sentences;
  }
  const sentences: ProseSentence[] = [];
  sentenceCache.set(parsed, sentences);
  const quotationsByBlock = inlineQuotationsByBlock(parsed);
  const carried = carriedOver(parsed);
  // Blocks the edit cannot have changed keep their sentences from the version before (moved after the edit).
  const before = carried && sentenceCache.get(carried.origin.previous);
  const origin = !before && keptWhole ? adoptedOriginOf(parsed) : undefined;
  const restored = origin && keptWhole!.restore(origin.text);
  const fromEarlier = restored && sentencesFromEarlier({ parsed: origin!, sentences: restored.sentences }, parsed, { now: quotationsByBlock, earlier: inlineQuotationsByBlock(origin!) }, SENTENCE_CONTEXT);
  let next = 0;
  for (const block of parsed.blocks) {
    if (!isProseBlock(block)) continue;
    if (before && !carried.changesSentences(block.index)) {
      while (next < before.length && before[next].blockIndex < block.index) next++;
      for (; next < before.length && before[next].blockIndex === block.index; next++) sentences.push(carried.moveSentence(before[next]));
      continue;
    }
    const taken = fromEarlier?.(block);
    if (taken) {
      for (const sentence of taken) sentences.push(sentence);
      continue;
    }
    const spans = blockSentences(parsed.masked, block.span.start, block.span.end, quotationsByBlock.get(block.index) ?? [], kept);
    spans.forEach((span, i) => sentences.push({ span, blockIndex: block.index, indexInBlock: i, lastInBlock: i === spans.length - 1 }));
  }
  keptWhole?.use({ text: parsed.text, sentences });
  return sentences;
}

/**
 * What a parse made by an edit inside one block (markdown/edit.ts) can take
 * from the version before: which blocks' sentences may have changed (the
 * edited one, and any block whose splitting reads the masked text that
 * changed: `blockSentences` reads 41 characters before a block and 44
 * after), and how a sentence of the version before moves.
 */
interface CarriedOver {
  origin: NonNullable<ReturnType<typeof editOriginOf>>;
  changesSentences(blockIndex: number): boolean;
  moveSentence(sentence: ProseSentence): ProseSentence;
}

function carriedOver(parsed: ParsedDocument): CarriedOver | undefined {
  const origin = editOriginOf(parsed);
  if (!origin) return undefined;
  const { previous, block, from, oldEnd, delta } = origin;
  const edited = previous.blocks[block].span;
  // The masked text may differ anywhere in the edited block's prose, and at the edit.
  const changedFrom = Math.min(edited.start, from);
  const changedTo = Math.max(edited.end, oldEnd);
  return {
    origin,
    changesSentences(blockIndex) {
      const span = previous.blocks[blockIndex].span;
      return blockIndex === block || (span.end + CONTEXT_AFTER >= changedFrom && span.start - CONTEXT_BEFORE <= changedTo);
    },
    moveSentence(sentence) {
      if (delta === 0 || sentence.span.start < from) return sentence;
      return { span: { start: sentence.span.start + delta, end: sentence.span.end + delta }, blockIndex: sentence.blockIndex, indexInBlock: sentence.indexInBlock, lastInBlock: sentence.lastInBlock };
    },
  };
}

/**
 * Splits, as `proseSentences(parsed)` will, the blocks `from` to `to`
 * (indexes): a caller spreads the first splitting of a long piece over
 * several steps, and `proseSentences` then finds every block split.
 */
export function splitBlocksIn(parsed: ParsedDocument, from: number, to: number, kept?: PersistedMemo<Span[]>): void {
  const quotationsByBlock = inlineQuotationsByBlock(parsed);
  for (const block of parsed.blocks.slice(from, to)) {
    if (isProseBlock(block)) blockSentences(parsed.masked, block.span.start, block.span.end, quotationsByBlock.get(block.index) ?? [], kept);
  }
}

function isProseBlock(block: ParsedDocument['blocks'][number]): boolean {
  return (block.kind === 'paragraph' || block.kind === 'listItem') && !block.inBlockquote && block.footnote === undefined;
}

/** Spans of the inline quotations per block, in order: a sentence is never split inside one. */
function inlineQuotationsByBlock(parsed: ParsedDocument): Map<number, Span[]> {
  const quotationsByBlock = new Map<number, Span[]>();
  for (const quotation of parsed.quotations) {
    if (quotation.kind !== 'inline') continue;
    const list = quotationsByBlock.get(quotation.blockIndex) ?? [];
    list.push(quotation.span);
    quotationsByBlock.set(quotation.blockIndex, list);
  }
  for (const list of quotationsByBlock.values()) list.sort((a, b) => a.start - b.start);
  return quotationsByBlock;
}

/**
 * Sentence spans per block (relative to its start), across parses, so
 * re-splitting an edited piece splits only the blocks that changed. The key
 * holds what splitSentences reads around the block too: an abbreviation up
 * to 41 characters before a full stop, a citation up to 44 after one.
 * Bounded; cleared when full.
 */
const blockSentenceCache = new Map<string, Span[]>();
const MAX_CACHED_BLOCKS = 50_000;

/** How far around a block its sentence splitting reads (and so its cache key holds, and a block-scoped rule's key that reads sentences). */
export const SENTENCE_CONTEXT = { before: 41, after: 44 } as const;
const CONTEXT_BEFORE = SENTENCE_CONTEXT.before;
const CONTEXT_AFTER = SENTENCE_CONTEXT.after;

/** Blocks whose sentences were looked up or split in this process (tests: what do kept sentences save?). */
export const sentenceWork = { blocks: 0 };

function blockSentences(masked: string, start: number, end: number, protect: Span[], kept?: PersistedMemo<Span[]>): Span[] {
  sentenceWork.blocks++;
  const from = Math.max(0, start - CONTEXT_BEFORE);
  const to = Math.min(masked.length, end + CONTEXT_AFTER);
  const shape = protect.map((p) => `${p.start - start},${p.end - start}`).join(';');
  const split = (): Span[] => splitSentences(masked, start, end, { protect }).map((span) => ({ start: span.start - start, end: span.end - start }));
  let relative: Span[] | undefined;
  if (kept) {
    // Kept from run to run under the same key, its text hashed in place. Not also in the cache below: a key of that
    // cache that is never looked up again holds its version of the piece alive (a joined key keeps its slice until a
    // lookup compares it).
    relative = kept.get(`${start - from}:${end - start}:${shape}:${contentKeyOf(masked, from, to)}`, split);
  } else {
    const key = `${start - from}:${end - start}:${shape}:${masked.slice(from, to)}`;
    relative = blockSentenceCache.get(key);
    if (!relative) {
      relative = split();
      if (blockSentenceCache.size >= MAX_CACHED_BLOCKS) blockSentenceCache.clear();
      blockSentenceCache.set(key, relative);
    }
  }
  return relative.map((span) => ({ start: span.start + start, end: span.end + start }));
}

/** Section of the checks cache with the sentence spans of each block a run split. */
export const BLOCK_SENTENCES_SECTION = 'block-sentences';

/** Blocks' sentence spans kept from run to run (a CLI run over a piece changed in one line splits that block only). */
export function blockSentencesMemo(buildId?: string): PersistedMemo<Span[]> {
  return new PersistedMemo<Span[]>(BLOCK_SENTENCES_SECTION, isSpans, buildId);
}

function isSpans(value: unknown): value is Span[] {
  return Array.isArray(value) && value.every((span: Partial<Span> | null) => Number.isInteger(span?.start) && Number.isInteger(span?.end) && span!.start! <= span!.end!);
}

/**
 * The text claim detection reads: the masked piece with inline quotation
 * contents and citation groups blanked (same offsets), so quoted words and
 * citation keys never count as the author's.
 */
export function detectionText(parsed: ParsedDocument): string {
  let text = detectionTexts.get(parsed);
  if (text === undefined) detectionTexts.set(parsed, (text = blankQuotationsAndCitations(parsed)));
  return text;
}

const detectionTexts = new WeakMap<ParsedDocument, string>();

function blankQuotationsAndCitations(parsed: ParsedDocument): string {
  const blanks: Span[] = [];
  for (const quotation of parsed.quotations) if (quotation.kind === 'inline') blanks.push(quotation.contentSpan);
  for (const citation of parsed.citations) blanks.push(citation.reference ?? citation.group);
  blanks.sort((a, b) => a.start - b.start);
  const text = parsed.masked;
  const parts: string[] = [];
  let at = 0;
  for (const blank of blanks) {
    const start = Math.max(blank.start, at);
    const end = Math.min(blank.end, text.length);
    if (end <= start) continue;
    parts.push(text.slice(at, start), blankedSlice(text, start, end));
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** `text[start, end)` with every character but line breaks made a space. */
function blankedSlice(text: string, start: number, end: number): string {
  const newline = text.indexOf('\n', start);
  return newline < 0 || newline >= end ? ' '.repeat(end - start) : text.slice(start, end).replace(/[^\n]/g, ' ');
}

export function checkClaims(analysis: Analysis): ClaimCheck[] {
  const work = claimWorkOf(analysis);
  checkSentences(analysis, work, 0, work.checks.length);
  return work.checks as ClaimCheck[];
}

/**
 * The check of one sentence (an index into `analysis.sentences()`), the
 * others left for later: a hover on a piece whose claims this thread never
 * checked detected every sentence of it (~160 ms for 200 KB) to show one.
 */
export function checkClaimAt(analysis: Analysis, index: number): ClaimCheck {
  const work = claimWorkOf(analysis);
  checkSentences(analysis, work, index, index + 1);
  return work.checks[index]!;
}

/**
 * Steps that make `checkClaims` of this analysis a little at a time: a first
 * look at a 200 KB piece on a thread that has seen none of its sentences took
 * ~160 ms in one go, a wait for any request behind it. First the piece-wide
 * reading (the names it teaches, its sentences) a share at a time, then what
 * every sentence needs (names, citations, verified quotations), then the
 * sentences a share at a time. The count depends only on the length, so a
 * caller can plan before parsing.
 */
export function claimCheckSteps(analysis: () => Analysis, textLength: number): Array<() => void> {
  const inShares = (doShare: (share: Share) => void) => shareSteps(textLength, CLAIM_CHARS_PER_STEP, doShare);
  return [
    // The names the piece teaches are learnt from all of it (~45 ms for 200 KB): its paragraphs are read in shares first.
    ...inShares((share) => {
      const text = detectionText(analysis().parsed);
      readNamesIn(text, ...share(text.length));
    }),
    // Likewise its sentences (~40 ms), a share of its blocks each.
    ...inShares((share) => {
      const { parsed, workspace } = analysis();
      splitBlocksIn(parsed, ...share(parsed.blocks.length), workspace.blockSentences);
    }),
    // Then what every sentence needs.
    () => void claimWorkOf(analysis()),
    ...inShares((share) => {
      const a = analysis();
      const work = claimWorkOf(a);
      checkSentences(a, work, ...share(work.checks.length));
    }),
  ];
}

/** Piece text per warm-up step of claim checks: ~12 ms of detection where no sentence was checked before. */
const CLAIM_CHARS_PER_STEP = 16_384;

/** What checking any sentence of a parse needs, and the checks made so far (all of them once `checkClaims` ran). */
interface ClaimWork {
  corpus: Corpus;
  generation: number;
  options: string;
  context: ClaimContext;
  checks: Array<ClaimCheck | undefined>;
  /** Block memo keys, by each block's first sentence (made once per parse, when the block is first reached). */
  signatures: Map<number, string>;
  /** Whether the block memo is used for this parse: from the document's second version on (`BlockClaimMemo.rechecks`). */
  memo: BlockClaimMemo | undefined;
}

interface ClaimContext {
  text: string;
  detectOptions: DetectOptions;
  verdictOptionsKey: string;
  epoch: number;
  /** The learnt names, hashed (`nameAnswers`). */
  namesKey: string;
  /**
   * The rest is asked per block, and made only when asked: a check that takes
   * every block's answers from the memos needs the names alone, and these
   * would cost it ~15 ms on a 200 KB piece (resolving every link against the
   * 2,095 sources, indexing their outlets).
   */
  /** The block's citations that cite something (a link to elsewhere cites nothing). */
  citationsIn(blockIndex: number): Citation[];
  /** Those that end the block (`scope: paragraph`: they source its every sentence). */
  endingCitationsIn(blockIndex: number): Citation[];
  quotationsIn(blockIndex: number): Quotation[];
  outlets(): OutletIndex;
}

function claimWorkOf(analysis: Analysis): ClaimWork {
  const { parsed, corpus } = analysis;
  const options = claimOptions(analysis.config);
  const optionsKey = JSON.stringify(options);
  const cached = claimCache.get(parsed);
  if (cached && cached.corpus === corpus && cached.generation === corpus.generation && cached.options === optionsKey) return cached;
  const work: ClaimWork = {
    corpus,
    generation: corpus.generation,
    options: optionsKey,
    context: claimContext(analysis, options),
    checks: new Array<ClaimCheck | undefined>(analysis.sentences().length),
    signatures: new Map(),
    memo: undefined,
  };
  const memo = blockClaimMemo(corpus);
  if (memo.rechecks(analysis.doc.uri)) work.memo = memo;
  carryChecksOver(analysis, work);
  claimCache.set(parsed, work);
  return work;
}

/** Checks carried over from the version before an edit inside one block (see `carriedOver`): not made again, not counted. */
export const claimsCarried = { sentences: 0 };

/**
 * Takes over, from the version before an edit inside one block, the checks
 * of the blocks whose inputs (`blockSignature`) the edit cannot have changed:
 * all but the edited block, the block before it (a sentence ending in ":" is
 * sourced by the quotation after it) and blocks whose sentences may have
 * changed; and only when the learnt names, the options and the corpus are
 * the same. Their spans move by the edit's length after it.
 */
function carryChecksOver(analysis: Analysis, work: ClaimWork): void {
  const carried = carriedOver(analysis.parsed);
  const before = carried && claimCache.get(carried.origin.previous);
  if (!carried || !before) return;
  if (before.corpus !== work.corpus || before.generation !== work.generation || before.options !== work.options || before.context.namesKey !== work.context.namesKey) return;
  const { block: edited, from, delta } = carried.origin;
  const oldSentences = sentenceCache.get(carried.origin.previous);
  if (!oldSentences) return;
  const firstOfBlock = new Map<number, number>();
  oldSentences.forEach((sentence, i) => {
    if (sentence.indexInBlock === 0) firstOfBlock.set(sentence.blockIndex, i);
  });
  const sentences = analysis.sentences();
  for (let i = 0; i < sentences.length; i++) {
    const sentence = sentences[i];
    const { blockIndex } = sentence;
    if (blockIndex === edited || blockIndex === edited - 1 || carried.changesSentences(blockIndex)) continue;
    const first = firstOfBlock.get(blockIndex);
    const check = first === undefined ? undefined : before.checks[first + sentence.indexInBlock];
    if (!check) continue;
    const moved = delta !== 0 && check.sentence.span.start >= from;
    const verdict = moved ? shiftVerdict(check.verdict, delta) : check.verdict;
    work.checks[i] = check.sourcing ? { sentence, verdict, sourcing: check.sourcing } : { sentence, verdict };
    claimsCarried.sentences++;
  }
}

function claimContext(analysis: Analysis, options: ClaimOptions): ClaimContext {
  const { parsed } = analysis;
  const text = detectionText(parsed);
  // A parse made from the last CLI run's kept parse: its names are relearnt from that run's text (claims/names.ts KeptLearnt).
  const origin = adoptedOriginOf(parsed);
  const store = analysis.workspace.learntNames;
  const names = nameAnswers(text, analysis.corpus, analysis.workspace.paragraphWords, store && { store, earlierText: origin && (() => detectionText(origin)) });
  const detectOptions = {
    isName: names.isName,
    triggers: options.triggers.map((t) => t.toLowerCase()),
    exemptions: options.exemptions.map((e) => e.toLowerCase()),
  };
  const verdictOptionsKey = JSON.stringify([detectOptions.triggers, detectOptions.exemptions]);

  let allByBlock: Map<number, Citation[]> | undefined;
  const citing = new Map<number, Citation[]>();
  const citationsIn = (blockIndex: number): Citation[] => {
    let list = citing.get(blockIndex);
    if (!list) {
      allByBlock ??= groupByBlock(parsed.citations);
      list = (allByBlock.get(blockIndex) ?? []).filter((citation) => citation.kind !== 'link' || analysis.sourceIdOf(citation) !== undefined);
      citing.set(blockIndex, list);
    }
    return list;
  };
  const ending = new Map<number, Citation[]>();
  const endingCitationsIn = (blockIndex: number): Citation[] => {
    const block = parsed.blocks[blockIndex];
    if (options.scope !== 'paragraph' || !block) return [];
    let list = ending.get(blockIndex);
    if (!list) ending.set(blockIndex, (list = citationsIn(blockIndex).filter((c) => endsBlock(parsed.masked, c, block.span))));
    return list;
  };
  let quotations: Map<number, Quotation[]> | undefined;
  return {
    text,
    detectOptions,
    verdictOptionsKey,
    epoch: names.epoch,
    namesKey: names.namesKey,
    citationsIn,
    endingCitationsIn,
    // A sentence's quotations are in its block (one spanning blocks is in no sentence). Their verdicts are asked for
    // only where a claim needs them, so checking one sentence does not match them all.
    quotationsIn: (blockIndex) => (quotations ??= quotationsOfBlocks(parsed)).get(blockIndex) ?? [],
    outlets: () => outletNeedles(analysis.corpus),
  };
}

function groupByBlock(citations: readonly Citation[]): Map<number, Citation[]> {
  const byBlock = new Map<number, Citation[]>();
  for (const citation of citations) {
    const list = byBlock.get(citation.blockIndex);
    if (list) list.push(citation);
    else byBlock.set(citation.blockIndex, [citation]);
  }
  return byBlock;
}

/** Sentences detected and sourced so far in this process, each once per parse; a block taken from the block memo counts none (tests: is the work spread over the steps, done ahead, kept?). */
export const claimWork = { sentencesChecked: 0 };

/**
 * Checks the sentences `from` to `to` (indexes) that are not checked yet. On
 * a document's second version on, a block whose signature was checked before
 * in this corpus generation takes all its sentences' checks from the block
 * memo (claims/block-memo.ts); the blocks checked here sentence by sentence
 * are kept there once complete.
 */
function checkSentences(analysis: Analysis, work: ClaimWork, from: number, to: number): void {
  const sentences = analysis.sentences();
  const c = work.context;
  const { memo } = work;
  const checkedHere = new Set<number>();
  for (let i = from; i < to; i++) {
    if (work.checks[i]) continue;
    const sentence = sentences[i];
    const first = i - sentence.indexInBlock;
    if (memo && !work.signatures.has(first)) {
      const signature = signatureOf(analysis, work, first);
      work.signatures.set(first, signature);
      if (takeKept(memo.get(work.generation, signature), sentences, work, first, analysis.parsed.blocks[sentence.blockIndex].span.start)) continue;
    }
    if (memo) checkedHere.add(first);
    const { span } = sentence;
    claimWork.sentencesChecked++;
    // The context's epoch may have been overtaken since (another piece checked between two steps): still right,
    // since a cached verdict from another epoch has its name questions asked again.
    const verdict = analysis.workspace.claimVerdicts.detect(c.text.slice(span.start, span.end), span.start, c.detectOptions, c.verdictOptionsKey, c.epoch);
    work.checks[i] = verdict.claim
      ? { sentence, verdict, sourcing: sourcingOf(sentence, verdict, c, analysis) }
      : { sentence, verdict };
  }
  if (!memo) return;
  for (const first of checkedHere) {
    const checks: ClaimCheck[] = [];
    for (let j = first; ; j++) {
      const check = work.checks[j];
      if (!check) break;
      checks.push(check);
      if (check.sentence.lastInBlock) {
        memo.keep(work.generation, work.signatures.get(first)!, analysis.parsed.blocks[check.sentence.blockIndex].span.start, checks);
        break;
      }
    }
  }
}

/** Fills the checks of the block whose first sentence is `first` from a kept block (its signature holds its sentence spans, so their number matches). */
function takeKept(kept: readonly KeptSentence[] | undefined, sentences: readonly ProseSentence[], work: ClaimWork, first: number, blockStart: number): boolean {
  if (!kept) return false;
  kept.forEach((check, k) => {
    const sentence = sentences[first + k];
    const verdict = shiftVerdict(check.verdict, blockStart);
    work.checks[first + k] = check.sourcing ? { sentence, verdict, sourcing: check.sourcing } : { sentence, verdict };
  });
  return true;
}

/** The block memo's key for the block whose first sentence is `first`: what its sentences' checks read (blockSignature). */
function signatureOf(analysis: Analysis, work: ClaimWork, first: number): string {
  const sentences = analysis.sentences();
  const { parsed } = analysis;
  const c = work.context;
  const blockIndex = sentences[first].blockIndex;
  const spans: Span[] = [];
  for (let j = first; j < sentences.length && sentences[j].blockIndex === blockIndex; j++) spans.push(sentences[j].span);
  return blockSignature({
    optionsKey: work.options,
    namesKey: c.namesKey,
    detectionText: c.text,
    block: parsed.blocks[blockIndex].span,
    sentences: spans,
    citations: c.citationsIn(blockIndex),
    endingCitations: c.endingCitationsIn(blockIndex),
    quotations: c.quotationsIn(blockIndex),
    nextQuotations: c.quotationsIn(blockIndex + 1),
  });
}

function sourcingOf(sentence: ProseSentence, verdict: ClaimVerdict, context: ClaimContext, analysis: Analysis): Sourcing | undefined {
  const { text } = context;
  const { span } = sentence;
  const inside = context.citationsIn(sentence.blockIndex).filter((c) => within(c.reference ?? c.group, span));
  if (inside.length) {
    const by = inside.every((c) => c.kind === 'footnote') ? 'footnote' : 'citation';
    return { by, sourceIds: knownIds(inside, analysis) };
  }
  const ending = context.endingCitationsIn(sentence.blockIndex);
  if (ending.length) return { by: 'paragraph-citation', sourceIds: knownIds(ending, analysis) };
  let quoted = verifiedIn(context, sentence.blockIndex, 'inline', analysis).filter((c) => within(c.quotation.span, span));
  // "Mr Abbas said:" introducing a verified blockquote is sourced by it.
  if (!quoted.length && introducesNextBlock(text, sentence)) {
    quoted = verifiedIn(context, sentence.blockIndex + 1, 'block', analysis);
  }
  if (quoted.length) return { by: 'quotation', sourceIds: [...new Set(quoted.flatMap((c) => (c.result.best ? [c.result.best.sourceId] : [])))] };
  const outlets = verdict.signals.some((s) => s.kind === 'reported-speech') ? context.outlets() : undefined;
  if (outlets?.size) {
    const named = outletsNamedIn(text.slice(span.start, span.end).toLowerCase(), outlets);
    if (named.length) return { by: 'according-to', sourceIds: [...new Set(named.map((o) => o.sourceId))] };
  }
  return undefined;
}

/** A block's last sentence ending in ":" introduces the block after it, whose blockquote may source it. */
function introducesNextBlock(detectionView: string, sentence: ProseSentence): boolean {
  return sentence.lastInBlock && /:\s*$/.test(detectionView.slice(sentence.span.start, sentence.span.end));
}

/** Whether a claim's sourcing may come from the block after its own (a block-scoped rule then depends on that block). */
export function readsNextBlock(analysis: Analysis, check: ClaimCheck): boolean {
  // Asked of every sentence checked: the detection text is cached per parse, where the claim work re-derives its options.
  return check.verdict.claim && check.sentence.lastInBlock && introducesNextBlock(detectionText(analysis.parsed), check.sentence);
}

/** The checks of the sentences in the given blocks only, in document order (claim/unsourced checking some blocks). */
export function claimChecksIn(analysis: Analysis, blocks: { has(blockIndex: number): boolean }): ClaimCheck[] {
  const sentences = analysis.sentences();
  const checks: ClaimCheck[] = [];
  for (let i = 0; i < sentences.length; i++) if (blocks.has(sentences[i].blockIndex)) checks.push(analysis.claimCheckAt(i));
  return checks;
}

/** The names the piece teaches, hashed: what a claim check of any sentence reads of the rest of the piece. */
export function claimNamesKey(analysis: Analysis): string {
  return claimWorkOf(analysis).context.namesKey;
}

/** The verbatim quotations of one kind in a block, in order. */
function verifiedIn(context: ClaimContext, blockIndex: number, kind: Quotation['kind'], analysis: Analysis): QuoteCheck[] {
  const checks: QuoteCheck[] = [];
  for (const quotation of context.quotationsIn(blockIndex)) {
    if (quotation.kind !== kind) continue;
    const check = analysis.quoteCheckOf(quotation);
    if (check.result.verdict === 'verbatim') checks.push(check);
  }
  return checks;
}

function knownIds(citations: Citation[], analysis: Analysis): string[] {
  return [...new Set(citations.map((c) => analysis.sourceIdOf(c)).filter((id): id is string => id !== undefined))];
}

function within(inner: Span, outer: Span): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

/** A citation that only punctuation, closing marks or other citations follow up to the block's end. */
function endsBlock(masked: string, citation: Citation, block: Span): boolean {
  const end = (citation.reference ?? citation.group).end;
  if (end > block.end || end < block.start) return false;
  return /^[\s.,;:!?)\]"'”’»]*(?:\[[^\]]*\][\s.,;:!?)\]"'”’»]*)*$/.test(masked.slice(end, block.end));
}

/**
 * Whether a capitalised word is a name: the piece capitalises it mid-sentence
 * and neither the piece nor the sources write it in lower case. Only a
 * sentence's first word needs this ("Lavrov dismissed …" vs "Water bills …").
 */
export function nameTester(detectionView: string, corpus: Corpus): (word: string) => boolean {
  return nameAnswers(detectionView, corpus).isName;
}

/**
 * What name answers depend on: the names learnt from the piece and the
 * source words (one Set per corpus generation). The epoch stays while a check
 * has the same names and source words as the check before it (most edits), so
 * a cached verdict whose name questions were answered in this epoch is reused
 * without asking them again; any change starts a new epoch.
 */
let nameState: { names: Set<string>; sourceWords: SourceWords | undefined; epoch: number; namesKey?: string } = { names: new Set<string>(), sourceWords: undefined, epoch: 0 };

/**
 * `namesKey` names the learnt names themselves (a hash of them, sorted): the
 * block memo keys verdicts by it rather than by the epoch, which moves on
 * whenever another piece is checked in between, so two open pieces checked by
 * turns would never find their blocks kept. The sources' side of `isName` is
 * the corpus generation, which the block memo is kept for.
 */
function nameAnswers(detectionView: string, corpus: Corpus, kept?: PersistedMemo<ParagraphWords>, learnt?: Parameters<typeof learnNames>[2]): { isName: (word: string) => boolean; epoch: number; namesKey: string } {
  const names = learnNames(detectionView, kept, learnt);
  const sourceWords = corpus.lowerCaseWords();
  if (sourceWords !== nameState.sourceWords || !sameMembers(names, nameState.names)) nameState = { names, sourceWords, epoch: nameState.epoch + 1 };
  nameState.namesKey ??= contentKey([...nameState.names].sort().join('\n'));
  return { isName: (word) => isKnownName(names, word) && (isAcronym(word) || !sourceWords.has(word.toLowerCase())), epoch: nameState.epoch, namesKey: nameState.namesKey };
}

function sameMembers(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}

interface Outlet {
  needle: string;
  sourceId: string;
}

/** Outlets and titles by their first word, so a sentence only tests the few that could occur in it. */
type OutletIndex = Map<string, Outlet[]>;

const outletCache = new WeakMap<Corpus, { generation: number; outlets: OutletIndex }>();

/** Outlets and titles of the sources, lower case, for "according to …" (once per corpus generation). */
function outletNeedles(corpus: Corpus): OutletIndex {
  const cached = outletCache.get(corpus);
  if (cached && cached.generation === corpus.generation) return cached.outlets;
  const outlets: OutletIndex = new Map();
  for (const source of corpus.sources().values()) {
    for (const value of [source.meta.outlet, source.meta.title]) {
      const needle = value?.trim().toLowerCase();
      const first = needle?.match(/[\p{L}\p{N}]+/u)?.[0];
      if (!needle || needle.length < 4 || !first) continue;
      const list = outlets.get(first) ?? [];
      list.push({ needle, sourceId: source.id });
      outlets.set(first, list);
    }
  }
  outletCache.set(corpus, { generation: corpus.generation, outlets });
  return outlets;
}

/** Answers of outletsNamedIn by sentence, per outlet index (one corpus generation): a re-check asks again for every unchanged sentence. */
const namedCache = new WeakMap<OutletIndex, Map<string, Outlet[]>>();
const MAX_CACHED_NAMED = 50_000;

/** Sources whose outlet or title the sentence names. */
function outletsNamedIn(lower: string, outlets: OutletIndex): Outlet[] {
  let cache = namedCache.get(outlets);
  if (!cache) namedCache.set(outlets, (cache = new Map()));
  let named = cache.get(lower);
  if (!named) {
    named = findOutlets(lower, outlets);
    if (cache.size >= MAX_CACHED_NAMED) cache.clear();
    cache.set(lower, named);
  }
  return named;
}

function findOutlets(lower: string, outlets: OutletIndex): Outlet[] {
  const named: Outlet[] = [];
  for (const word of new Set(lower.match(/[\p{L}\p{N}]+/gu) ?? [])) {
    for (const outlet of outlets.get(word) ?? []) if (containsWord(lower, outlet.needle)) named.push(outlet);
  }
  return named;
}

function containsWord(haystack: string, needle: string): boolean {
  let at = haystack.indexOf(needle);
  while (at >= 0) {
    const before = haystack[at - 1];
    const after = haystack[at + needle.length];
    if ((before === undefined || !/[\p{L}\p{N}]/u.test(before)) && (after === undefined || !/[\p{L}\p{N}]/u.test(after))) return true;
    at = haystack.indexOf(needle, at + 1);
  }
  return false;
}
