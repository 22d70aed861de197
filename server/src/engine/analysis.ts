/**
 * Everything the rules and providers of one request share, computed lazily
 * and at most once: the parse, the corpus, and the verdict on each quotation.
 * Rules read from it; none of them re-parses or re-matches. A feature that
 * needs a new shared computation adds one lazy member here.
 */
import type { CancellationFlag, DocumentInput } from './api';
import type { Corpus } from './corpus';
import type { Citation, ParsedDocument, Quotation } from './markdown';
import type { QuoteResult } from './quotes';
import type { ResolvedConfig } from './config';
import type { Source, Span } from './types';
import type { Speaker } from './claims/speakers';
import { checkClaimAt, checkClaims, proseSentences, type ClaimCheck, type ProseSentence } from './claims/analyse';
import type { EntityKnowledge, PieceMention } from './entities';
import type { PassageHit } from './claims/passages';
import type { ClaimVerdictStore } from './claims/verdict-store';
import type { PersistedMemo } from './corpus-memo';
import type { ParagraphWords } from './claims/names';
import { blockSummaries, type BlockSummary } from './block-summaries';
import type { KeptLowerText } from './style/lower-text';
import type { KeptLearnt } from './claims/names';
import type { KeptProseSentences } from './claims/kept-sentences';

export interface QuoteCheck {
  quotation: Quotation;
  /** Known source ids the author cited for this quotation (unknown keys are dropped). */
  citedSourceIds: string[];
  /** The citations behind citedSourceIds, for fixes that change a key. */
  citations: Citation[];
  result: QuoteResult;
}

/** Long-lived state the analyses of a workspace share (owned by the engine). */
export interface Workspace {
  readonly corpus: Corpus;
  readonly config: ResolvedConfig;
  /** Quotation verdicts cached across checks for the current corpus generation. */
  matchQuotation(text: string, preferSources: readonly string[]): QuoteResult;
  /** The best source passages for `text[from, to)`, best first; cached like the verdicts. */
  searchPassages(text: string, from: number, to: number, limit: number): PassageHit[];
  /** Who source `sourceId` gives its words at `passage` to (quote/misattributed); remembered like the verdicts. */
  speakerOf(sourceId: string, passage: Span): Speaker | undefined;
  /** Claim detection's verdicts per sentence, kept across checks (and, persisted, across runs). */
  readonly claimVerdicts: ClaimVerdictStore;
  /** Actors learnt from the sources and the registry, built lazily once per corpus generation. */
  entities(): EntityKnowledge;
  /** Known actors named in a parsed piece, cached per parse. */
  entityMentions(parsed: ParsedDocument): PieceMention[];
  /** What the actors known depend on (the sources and the registry), as a key; the knowledge is not made for it. */
  entitiesKey(): string;
  /** Where blocks' summaries are kept from one check to the next; none when the embedder keeps nothing (engine/block-summaries.ts). */
  readonly blockSummaries?: PersistedMemo<unknown>;
  /** Where the words of the paragraphs names are learnt from are kept from one run to the next; likewise (claims/names.ts). */
  readonly paragraphWords?: PersistedMemo<ParagraphWords>;
  /** Where blocks' sentence spans are kept from one run to the next; likewise (claims/analyse.ts). */
  readonly blockSentences?: PersistedMemo<Span[]>;
  /** Where the occurrences of acronyms' expansions in the piece are kept from one run to the next; none unless the build is named (style/lower-text.ts). */
  readonly lowerTexts?: KeptLowerText;
  /** Where what the piece's names were learnt from is kept from one run to the next; likewise (claims/names.ts). */
  readonly learntNames?: KeptLearnt;
  /** Where the piece's prose sentences are kept from one run to the next; likewise (claims/kept-sentences.ts). */
  readonly keptSentences?: KeptProseSentences;
}

export interface Analysis {
  readonly doc: DocumentInput;
  readonly parsed: ParsedDocument;
  readonly corpus: Corpus;
  readonly config: ResolvedConfig;
  readonly workspace: Workspace;
  /** Source id a citation refers to, or undefined when it names no known source. */
  sourceIdOf(citation: Citation): string | undefined;
  source(id: string): Source | undefined;
  /** Every quotation with its verdict, computed once per analysis. */
  quoteChecks(): readonly QuoteCheck[];
  /** One quotation of the piece with its verdict, without the others' when they are not made yet (a hover). */
  quoteCheckOf(quotation: Quotation): QuoteCheck;
  /** The author's prose sentences (paragraphs and list items), computed once per analysis. */
  sentences(): readonly ProseSentence[];
  /** Every prose sentence: is it a claim, and how is it sourced; computed once per analysis. */
  claimChecks(): readonly ClaimCheck[];
  /** The check of `sentences()[index]`, without the other sentences' when they are not made yet (a hover). */
  claimCheckAt(index: number): ClaimCheck;
  /** Actors learnt from the sources and the registry. */
  entities(): EntityKnowledge;
  /** Known actors named in the piece, in document order (quotations included, flagged). */
  entityMentions(): readonly PieceMention[];
  /** What the actors known depend on (the sources and the registry), as a key; the knowledge is not made for it. */
  entitiesKey(): string;
  /** Every block's summary of one kind, in block order, kept per block across checks (engine/block-summaries.ts). */
  blockSummaries<V>(summary: BlockSummary<V>): readonly V[];
}

/**
 * Quotation verdicts per parse and corpus generation: hovers and code actions
 * each make a new analysis of an unchanged text, and must not walk every
 * quotation of the piece again.
 */
const quoteCheckCache = new WeakMap<ParsedDocument, { corpus: Corpus; generation: number; checks: QuoteCheck[] }>();

/**
 * Verdicts made one at a time (`quoteCheckOf`) before the piece's were all
 * made: the first hover on a 200 KB piece no thread had checked here matched
 * its ~1,700 quotations (~150 ms) to show one. `quoteChecks` takes them over.
 */
const singleQuoteChecks = new WeakMap<ParsedDocument, { corpus: Corpus; generation: number; checks: Map<Quotation, QuoteCheck> }>();

/** Quotations given a verdict so far in this process (tests: does a hover check only its own?). */
export const quoteWork = { quotationsChecked: 0 };

/** A piece's verdicts by quotation, made at the first lookup: claims ask for a few per sentence. */
const checkIndexes = new WeakMap<readonly QuoteCheck[], Map<Quotation, QuoteCheck>>();

function byQuotation(checks: readonly QuoteCheck[]): Map<Quotation, QuoteCheck> {
  let index = checkIndexes.get(checks);
  if (!index) checkIndexes.set(checks, (index = new Map(checks.map((check) => [check.quotation, check]))));
  return index;
}

/** Thrown inside a check when a newer version made it pointless. */
export class CheckCancelled extends Error {}

export function createAnalysis(doc: DocumentInput, parsedOrParse: ParsedDocument | (() => ParsedDocument), workspace: Workspace, cancel?: CancellationFlag): Analysis {
  // A caller may pass how to parse instead (completion needs no parse): done on first use.
  let parsedDoc = typeof parsedOrParse === 'function' ? undefined : parsedOrParse;
  const parse = () => (parsedDoc ??= (parsedOrParse as () => ParsedDocument)());
  const { corpus, config } = workspace;
  let checks: QuoteCheck[] | undefined;
  let sentences: ProseSentence[] | undefined;
  let claims: ClaimCheck[] | undefined;
  const sourceIdOf = (citation: Citation): string | undefined => {
    if (citation.kind === 'link') return corpus.idForLink(citation.key);
    return corpus.get(citation.key) ? citation.key : undefined;
  };
  const checkQuotation = (quotation: Quotation): QuoteCheck => {
    quoteWork.quotationsChecked++;
    const citations = citationsFor(quotation, sourceIdOf);
    const citedSourceIds = [...new Set(citations.map((c) => sourceIdOf(c)!))];
    return { quotation, citedSourceIds, citations, result: workspace.matchQuotation(quotation.text, citedSourceIds) };
  };
  return {
    doc,
    get parsed() {
      return parse();
    },
    corpus,
    config,
    workspace,
    sourceIdOf,
    source: (id) => corpus.get(id),
    quoteChecks() {
      if (!checks) {
        const parsed = parse();
        const cached = quoteCheckCache.get(parsed);
        if (cached && cached.corpus === corpus && cached.generation === corpus.generation) return (checks = cached.checks);
        const single = singleQuoteChecks.get(parsed);
        const made = single && single.corpus === corpus && single.generation === corpus.generation ? single.checks : undefined;
        const computed: QuoteCheck[] = [];
        for (const quotation of parsed.quotations) {
          if (cancel?.isCancellationRequested) throw new CheckCancelled();
          computed.push(made?.get(quotation) ?? checkQuotation(quotation));
        }
        quoteCheckCache.set(parsed, { corpus, generation: corpus.generation, checks: computed });
        singleQuoteChecks.delete(parsed);
        checks = computed;
      }
      return checks;
    },
    quoteCheckOf(quotation) {
      const parsed = parse();
      const cached = quoteCheckCache.get(parsed);
      const list = checks ?? (cached && cached.corpus === corpus && cached.generation === corpus.generation ? cached.checks : undefined);
      const listed = list && byQuotation(list).get(quotation);
      if (listed) return listed;
      let single = singleQuoteChecks.get(parsed);
      if (!single || single.corpus !== corpus || single.generation !== corpus.generation) {
        singleQuoteChecks.set(parsed, (single = { corpus, generation: corpus.generation, checks: new Map() }));
      }
      let check = single.checks.get(quotation);
      if (!check) single.checks.set(quotation, (check = checkQuotation(quotation)));
      return check;
    },
    sentences() {
      return (sentences ??= proseSentences(parse(), workspace.blockSentences, workspace.keptSentences));
    },
    claimChecks() {
      return (claims ??= checkClaims(this));
    },
    claimCheckAt(index) {
      return claims?.[index] ?? checkClaimAt(this, index);
    },
    entities: () => workspace.entities(),
    entityMentions: () => workspace.entityMentions(parse()),
    entitiesKey: () => workspace.entitiesKey(),
    blockSummaries: (summary) => blockSummaries(parse(), summary, workspace.blockSummaries),
  };
}

/**
 * The verdicts of the quotations in the blocks a block-scoped rule checks
 * (`blocks`), or of every quotation; in document order either way.
 */
export function quoteChecksIn(analysis: Analysis, blocks: { has(blockIndex: number): boolean } | undefined): readonly QuoteCheck[] {
  if (!blocks) return analysis.quoteChecks();
  const checks: QuoteCheck[] = [];
  for (const quotation of analysis.parsed.quotations) if (blocks.has(quotation.blockIndex)) checks.push(analysis.quoteCheckOf(quotation));
  return checks;
}

/** The known citations a quotation is attributed to (the parse resolved which ones apply), one per key. */
function citationsFor(quotation: Quotation, sourceIdOf: (c: Citation) => string | undefined): Citation[] {
  const picked: Citation[] = [];
  for (const citation of quotation.cites) {
    if (sourceIdOf(citation) && !picked.some((p) => p.key === citation.key)) picked.push(citation);
  }
  return picked;
}
