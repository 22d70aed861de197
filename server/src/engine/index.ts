/**
 * The engine façade: `createEngine()` → check, hover, definition, complete,
 * codeActions. Pure — adapters feed it text (config, sources, pieces) and
 * turn its plain-data answers into LSP messages, CLI output or anything else.
 */
import type { CancellationFlag, CheckOptions, DocumentInput, Engine, FileSelection } from './api';
import { createAnalysis, CheckCancelled, type Analysis, type Workspace } from './analysis';
import { COMPLETION_LIMIT, type CompletionEntry, type Finding, type Fix, type Severity, type Source } from './types';
import { BLOCK_FINDINGS_SECTION, blockRuleGroups, checkBlocks, emitKeptFindings, isKeptReports, SOURCED_BLOCK_FINDINGS_SECTION, type RuleRun, type KeptReport } from './block-findings';
import { findingsJson, type KeptJsonRun } from './findings-json';
import { parseConfig, defaultConfig, type ResolvedConfig } from './config';
import { Corpus } from './corpus';
import { contentKey, decodeCache, exportCacheProducts, exportCacheSections, importCacheProducts, type CacheProduct } from './index-cache';
import { parseMarkdown, type ParsedDocument } from './markdown';
import { reparseEdited } from './markdown/edit';
import { reparseParagraphs } from './markdown/paragraph-edit';
import { editSupport, setAdoptedOrigin } from './markdown/edit-support';
import { KeptLowerText, LOWER_TEXT_SECTION } from './style/lower-text';
import { KeptProseSentences, PROSE_SENTENCES_SECTION } from './claims/kept-sentences';
import { VERDICTS_SECTION, VerdictCache } from './quotes/verdict-cache';
import { CorpusMemo, PersistedMemo } from './corpus-memo';
import { rules, ruleById } from './rules/index';
import type { Report } from './rules/rule';
import { applyDirectives, compareFindings, disableForLineFix, lineStartsOf } from './directives';
import { citationKeyIndex, completionProviders, definitionProviders, hoverProviders } from './providers';
import { EntityStore } from './entities';
import { actorsOf, entityHighlights, entityReferences } from './entities/providers';
import { checkTeamRule, isTeamRuleId } from './team-rules';
import { supportingPassageSteps } from './claims/suggest';
import { BLOCK_SENTENCES_SECTION, blockSentencesMemo, claimCheckSteps } from './claims/analyse';
import { CLAIM_VERDICTS_SECTION, ClaimVerdictStore } from './claims/verdict-store';
import { ENTITY_HITS_SECTION } from './entities/block-hits';
import { BLOCK_SUMMARIES_SECTION, blockSummaryMemo } from './block-summaries';
import { KeptLearnt, LEARNT_NAMES_SECTION, PARAGRAPH_WORDS_SECTION, paragraphWordsMemo } from './claims/names';
import { isSpeakerAnswer, QUOTE_SPEAKERS_SECTION, quoteContaining } from './claims/speakers';
import { isPassageHits, PASSAGE_ANSWERS_SECTION, passageIndexOf, passagesCacheProduct, preparePassageSteps } from './claims/passages';

export type { Engine, DocumentInput, CancellationFlag, CheckOptions, FileSelection } from './api';

/**
 * The sections of the engine's answers kept between runs (quotation verdicts, claims' passages, claim detection's verdicts,
 * the speakers of quoted source passages, the names found in each block, the findings of block-scoped rules per block,
 * the blocks' summaries, the words of the paragraphs names are learnt from, the blocks' sentences), given a
 * build id: an embedder stores them in a file of their own (they change with every check, the index does not)
 * and names them to `exportIndexCache`, which leaves them out otherwise.
 */
export const ANSWER_SECTIONS: readonly string[] = [VERDICTS_SECTION, PASSAGE_ANSWERS_SECTION, CLAIM_VERDICTS_SECTION, QUOTE_SPEAKERS_SECTION, ENTITY_HITS_SECTION, BLOCK_FINDINGS_SECTION, SOURCED_BLOCK_FINDINGS_SECTION, BLOCK_SUMMARIES_SECTION, PARAGRAPH_WORDS_SECTION, BLOCK_SENTENCES_SECTION, LOWER_TEXT_SECTION, LEARNT_NAMES_SECTION, PROSE_SENTENCES_SECTION];
export * from './types';

export interface EngineOptions {
  /** Base URL of the rule docs pages; `<base><category>/<name>.md`. */
  docsBaseUrl?: string;
  /** Further products persisted in the index cache, after the built-in ones (embedders, tests). */
  cacheProducts?: readonly CacheProduct[];
  /**
   * A hash of the running code. Given, quotation verdicts and claims'
   * supporting passages are cache products too (engine/corpus-memo.ts): they
   * are the engine's output, valid for this build only.
   */
  buildId?: string;
  /**
   * Keep, for the next check, what is kept per block or paragraph: the
   * findings of block-scoped rules (engine/block-findings.ts), the blocks'
   * summaries that piece-wide rules fold (engine/block-summaries.ts), each
   * block's sentences (claims/analyse.ts) and each paragraph's words that
   * names are learnt from (claims/names.ts). Default true. An embedder that
   * checks each text once and keeps nothing (the CLI without a cache) turns
   * it off: the rules then check the whole piece, without the keys and
   * copies that only a later check could use.
   */
  keepBlockFindings?: boolean;
  /**
   * A hash of a long text, made natively by the embedder (Node's SHA-1): the
   * fingerprint of the sources every kept answer is stamped with is a hash of
   * ~270,000 characters for the 2,095 BBC articles, ~12 ms through the
   * engine's own hash in a fresh thread, which is where the CLI makes it.
   * Every engine whose kept answers another reads must be given the same one.
   */
  hashLongText?: (text: string) => string;
}

// Adapters pass an absolute base (the installed docs folder); this relative one is a last resort.
const DEFAULT_DOCS_BASE = 'docs/rules/';

/**
 * Keeps one parse per document: re-checks of an unchanged text reuse it, and
 * the next version is made from it when the edit stays inside one paragraph
 * (markdown/edit.ts) or replaces whole top-level paragraphs (paragraph-edit.ts).
 */
class ParseCache {
  private readonly entries = new Map<string, ParsedDocument>();
  /** Parses of earlier versions taken from another run (`seedEarlier`). */
  private readonly adopted = new WeakSet<ParsedDocument>();
  get(doc: DocumentInput): ParsedDocument {
    const cached = this.entries.get(doc.uri);
    if (cached && cached.text === doc.text) return cached;
    const parsed = (cached && (reparseEdited(cached, doc.text) ?? reparseParagraphs(cached, doc.text))) ?? parseMarkdown(doc.text);
    if (cached && this.adopted.has(cached)) setAdoptedOrigin(parsed, cached);
    this.entries.set(doc.uri, parsed);
    this.bound();
    return parsed;
  }
  /** `seed`, for a parse another run made (what a check keeps per text is carried over from its text). */
  seedEarlier(doc: DocumentInput, parsed: ParsedDocument): void {
    this.adopted.add(parsed);
    this.seed(doc, parsed);
  }
  /** A parse made by another engine of the same text (the check worker's), kept as if made here. */
  adopt(doc: DocumentInput, parsed: ParsedDocument): void {
    if (parsed.text === doc.text) this.seed(doc, parsed);
  }
  /** Takes a parse of an earlier version of a document: its next `get` is made from it when the edit allows. */
  seed(doc: DocumentInput, parsed: ParsedDocument): void {
    this.entries.delete(doc.uri);
    this.entries.set(doc.uri, parsed);
    this.bound();
  }
  /** Bound memory: the cache only needs the documents being edited. */
  private bound(): void {
    if (this.entries.size <= 64) return;
    this.entries.delete(this.entries.keys().next().value as string);
  }
}

export function createEngine(options: EngineOptions = {}): Engine {
  const docsBase = options.docsBaseUrl ?? DEFAULT_DOCS_BASE;
  const keepBlockFindings = options.keepBlockFindings ?? true;
  const corpus = new Corpus(options.buildId, options.hashLongText);
  const parses = new ParseCache();
  const quotes = new VerdictCache(corpus, options.buildId);
  const passageAnswers = new CorpusMemo(PASSAGE_ANSWERS_SECTION, corpus, isPassageHits, options.buildId);
  const claimVerdicts = new ClaimVerdictStore(options.buildId);
  const speakers = new CorpusMemo(QUOTE_SPEAKERS_SECTION, corpus, isSpeakerAnswer, options.buildId);
  const blockFindings = new PersistedMemo<KeptReport[]>(BLOCK_FINDINGS_SECTION, isKeptReports, options.buildId);
  const sourcedBlockFindings = new CorpusMemo<KeptReport[]>(SOURCED_BLOCK_FINDINGS_SECTION, corpus, isKeptReports, options.buildId);
  const summaries = blockSummaryMemo(options.buildId);
  const paragraphWords = paragraphWordsMemo(options.buildId);
  const blockSentences = blockSentencesMemo(options.buildId);
  const lowerTexts = new KeptLowerText(options.hashLongText ?? contentKey);
  const learntNames = new KeptLearnt(options.hashLongText ?? contentKey);
  const keptSentences = new KeptProseSentences(options.hashLongText ?? contentKey);
  let config: ResolvedConfig = defaultConfig();
  const entities = new EntityStore(options.buildId);
  // Verdicts and passage answers are the engine's output: persisted only for an embedder that names its build.
  // They change with every check, so they are kept apart from the index (ANSWER_SECTIONS): exported only when named.
  const answerProducts: CacheProduct[] = options.buildId !== undefined ? [quotes.memo, passageAnswers, claimVerdicts.memo, speakers, entities.blockHits, blockFindings, sourcedBlockFindings, summaries, paragraphWords, blockSentences, lowerTexts, learntNames, keptSentences] : [];
  // Every corpus product persisted in the index cache (engine/index-cache.ts), one line each, one section each.
  const cacheProducts: CacheProduct[] = [...(options.cacheProducts ?? []), corpus.quotationCache, corpus.headerCache, corpus.wordsCache, entities.cacheProduct(corpus), passagesCacheProduct(corpus), ...answerProducts];
  const indexProducts = cacheProducts.filter((product) => !answerProducts.includes(product));

  const workspace: Workspace = {
    corpus,
    get config() {
      return config;
    },
    matchQuotation: (text, prefer) => quotes.get(text, prefer),
    claimVerdicts,
    speakerOf: (sourceId, passage) =>
      speakers.get(`${sourceId}\u0000${passage.start}\u0000${passage.end}`, () => {
        const source = corpus.get(sourceId);
        const speaker = source && quoteContaining(source, passage)?.speaker;
        return speaker ? { speaker } : {};
      }).speaker,
    searchPassages: (text, from, to, limit) => passageAnswers.get(`${limit}\u0000${text.slice(from, to)}`, () => passageIndexOf(corpus).search(text, from, to, limit)),
    entities: () => entities.knowledge(corpus),
    entityMentions: (parsed) => entities.mentions(parsed, entities.knowledge(corpus)),
    entitiesKey: () => entities.knowledgeKey(corpus),
    // An embedder that keeps nothing between checks gets each block summarised, with no keys made.
    blockSummaries: keepBlockFindings ? summaries : undefined,
    paragraphWords: keepBlockFindings ? paragraphWords : undefined,
    blockSentences: keepBlockFindings ? blockSentences : undefined,
    // States of a whole text: kept only where they are persisted (a named build), for the next run to carry over.
    ...(keepBlockFindings && options.buildId !== undefined ? { lowerTexts, learntNames, keptSentences } : {}),
  };

  function analyse(doc: DocumentInput, cancel?: CancellationFlag): Analysis {
    return createAnalysis(doc, parses.get(doc), workspace, cancel);
  }

  /**
   * A check's findings, sorted, with directives applied. With `asJson`, the
   * kept findings of block-scoped rules that are still held as the cache file
   * had them go to `kept` as JSON bytes instead (findings-json.ts), where the piece
   * has no directive that could hide one: then `findings` are in the order
   * they were made, for the reader of the JSON to sort. And `asJson.sendPart`
   * gets the findings made so far, as a JSON of their own, after each group of
   * block-scoped rules that passed kept findings on (they are then left out of
   * what is returned): the reader parses those while the check goes on.
   */
  function findingsFor(
    doc: DocumentInput,
    cancel?: CancellationFlag,
    only?: CheckOptions['rules'],
    timing?: CheckOptions['timing'],
    asJson?: { sendPart?: (json: Uint8Array) => void },
  ): { findings: Finding[]; kept: KeptJsonRun[]; severities: Map<string, Severity> } {
    let started = timing?.now() ?? 0;
    // The step just done, timed from `started` (nothing is timed without a clock).
    const timed = (step: string) => {
      if (!timing) return;
      const now = timing.now();
      timing.add(step, now - started);
      started = now;
    };
    const analysis = analyse(doc, cancel);
    timed('parse');
    const findings: Finding[] = [];
    const severities = new Map<string, Severity>();
    const emit = (ruleId: string, { blockIndex: _, ...report }: Report) => findings.push({ ruleId, severity: severities.get(ruleId)!, ...report });
    const kept: KeptJsonRun[] = [];
    const emitKeptJson = asJson && !analysis.parsed.directives.length ? (blockStart: number, json: Uint8Array) => void kept.push({ at: findings.length, blockStart, json }) : undefined;
    // Block-scoped rules run together per group, over the blocks it has no findings for; the others over the whole piece.
    const blockRuns: RuleRun[] = [];
    const pieceRules: RuleRun[] = [];
    for (const rule of rules) {
      if (!rule.check || (only && !only(rule.id))) continue;
      const setting = config.rules.get(rule.id);
      if (!setting || setting.severity === 'off') continue;
      severities.set(rule.id, setting.severity);
      const run = { rule, options: { ...(rule.defaults as object), ...setting.options } };
      (rule.scope === 'block' && keepBlockFindings ? blockRuns : pieceRules).push(run);
    }
    // Every group's kept findings first, then the blocks that have none: the kept ones reach the reader of the JSON
    // while the rest is checked. The order among one rule's findings stays as it was (a rule is in one group).
    const toCheck = blockRuleGroups(blockRuns).map((group) => {
      if (cancel?.isCancellationRequested) throw new CheckCancelled();
      const blocks = emitKeptFindings(analysis, group[0].rule.readsSources ? sourcedBlockFindings : blockFindings, group, emit, timing && timed, emitKeptJson);
      if (asJson?.sendPart && kept.length) {
        asJson.sendPart(findingsJson(findings, kept, severities));
        findings.length = 0;
        kept.length = 0;
      }
      return blocks;
    });
    for (const blocks of toCheck) {
      if (cancel?.isCancellationRequested) throw new CheckCancelled();
      checkBlocks(analysis, blocks, emit, timing && timed);
    }
    for (const { rule, options } of pieceRules) {
      if (cancel?.isCancellationRequested) throw new CheckCancelled();
      rule.check!({ analysis, options, report: (r: Report) => emit(rule.id, r) });
      timed(rule.id);
    }
    for (const teamRule of config.teamRules) {
      const severity = teamRule.severity;
      if (severity === 'off' || (only && !only(teamRule.id))) continue;
      if (cancel?.isCancellationRequested) throw new CheckCancelled();
      checkTeamRule(analysis, teamRule, (r) => findings.push({ ruleId: teamRule.id, severity, ...r }));
      timed(teamRule.id);
    }
    if (kept.length) return { findings, kept, severities };
    findings.sort(compareFindings);
    return { findings: applyDirectives(findings, analysis.parsed.directives, analysis.parsed.lineStarts), kept, severities };
  }

  const engine: Engine = {
    setConfig(_uri, text) {
      const result = parseConfig(text);
      config = result.config;
      return result.findings;
    },

    files(): FileSelection {
      return {
        sources: config.sources,
        documents: config.documents,
        entities: config.entities,
        entitiesExplicit: config.entitiesExplicit,
        maxFileSize: config.maxFileSize,
      };
    },

    setSource(uri, path, text, contentKey) {
      corpus.set(uri, path, text, contentKey);
    },
    setSourceOnDemand(uri, path, contentKey, readText) {
      return corpus.setOnDemand(uri, path, contentKey, readText);
    },
    removeSource(uri) {
      corpus.delete(uri);
    },
    sources(): readonly Source[] {
      return [...corpus.sources().values()];
    },
    sourceProblems() {
      return corpus.sourceProblems();
    },
    importIndexCache(bytes) {
      let taken = 0;
      for (const count of importCacheProducts(bytes, cacheProducts).values()) taken += count;
      return taken > 0;
    },
    importIndexCacheOnDemand(sections, read) {
      // One read for all of them, when the first is asked for.
      let container: Map<string, Uint8Array> | undefined | null = null;
      const sectionOf = (section: string) => {
        if (container === null) {
          const bytes = read();
          container = bytes ? decodeCache(bytes) : undefined;
        }
        return container?.get(section);
      };
      for (const product of cacheProducts) {
        if (!sections.includes(product.section)) continue;
        if (product.importLater) product.importLater(() => sectionOf(product.section));
        else {
          const bytes = sectionOf(product.section);
          if (bytes) product.importSection(bytes);
        }
      }
    },
    exportIndexCache(onlyIfChanged, sections) {
      return exportCacheProducts(sections ? cacheProducts : indexProducts, onlyIfChanged, sections);
    },

    exportIndexCacheSections(onlyIfChanged, sections) {
      return exportCacheSections(sections ? cacheProducts : indexProducts, onlyIfChanged, sections);
    },

    beginAnswerScope() {
      for (const product of answerProducts) product.beginScope?.();
    },

    indexCacheSections(onlyIfChanged = false) {
      if (onlyIfChanged && !indexProducts.some((product) => product.dirty !== false)) return [];
      return indexProducts.map((product) => product.section);
    },

    setRegistry(uri, text) {
      return entities.setRegistry(uri, text);
    },

    check(doc, cancel, options) {
      try {
        return findingsFor(doc, cancel, options?.rules, options?.timing).findings;
      } catch (err) {
        if (err instanceof CheckCancelled) return [];
        throw err;
      }
    },

    checkAsJson(doc, cancel, options, sendPart) {
      try {
        const { findings, kept, severities } = findingsFor(doc, cancel, options?.rules, options?.timing, { sendPart });
        return findingsJson(findings, kept, severities);
      } catch (err) {
        if (err instanceof CheckCancelled) return findingsJson([]);
        throw err;
      }
    },

    hover(doc, offset) {
      const analysis = analyse(doc);
      for (const provider of hoverProviders) {
        const card = provider(analysis, offset);
        if (card) return card;
      }
      return undefined;
    },

    definition(doc, offset) {
      const analysis = analyse(doc);
      for (const provider of definitionProviders) {
        const locations = provider(analysis, offset);
        if (locations.length) return locations;
      }
      return [];
    },

    complete(doc, offset) {
      return engine.completion(doc, offset).items;
    },

    completion(doc, offset) {
      // Parsed only if a provider asks: typing `[@` must not re-parse a long piece on the editor's thread.
      const analysis = createAnalysis(doc, () => parses.get(doc), workspace);
      const items: CompletionEntry[] = [];
      let isIncomplete = false;
      for (const provider of completionProviders) {
        const answer = provider(analysis, offset);
        const list = Array.isArray(answer) ? { items: answer, isIncomplete: false } : answer;
        const room = COMPLETION_LIMIT - items.length;
        items.push(...list.items.slice(0, room));
        isIncomplete ||= list.isIncomplete || list.items.length > room;
      }
      return { items, isIncomplete };
    },

    parsed(doc) {
      return parses.get(doc);
    },

    adoptParse(doc, parsed) {
      parses.adopt(doc, parsed);
    },

    parseState(doc) {
      const parsed = parses.get(doc);
      const support = editSupport.get(parsed);
      return support ? { parsed, support } : undefined;
    },

    adoptEarlierParse(doc, state) {
      editSupport.set(state.parsed, state.support);
      parses.seedEarlier(doc, state.parsed);
    },

    prepare(docs = []) {
      // One step per product, so a caller can serve requests between them; a built product costs nothing.
      const steps: Array<() => void> = [
        // Built, not only brought up to date: the postings of added sources are made at the first lookup otherwise.
        () => corpus.searchIndex().build(),
        // The entity facts of a cold corpus take ~0.7 s (2,095 articles): in short steps, then the merge.
        ...entities.prepareSteps(corpus),
        () => void workspace.entities(),
        // Likewise the passages of a cold corpus (~0.35 s): in short steps, the index in the last.
        ...preparePassageSteps(corpus),
        () => void passageIndexOf(corpus),
        () => void citationKeyIndex(corpus),
      ];
      for (const doc of docs) {
        // Each product of the piece is kept per parse (or per text), so a later analysis of the same text finds it.
        // Actor mentions, claims and passages in steps of a share of the piece each: one step took up to ~160 ms.
        steps.push(
          () => void analyse(doc).quoteChecks(),
          ...entities.mentionSteps(() => analyse(doc).parsed, corpus, doc.text.length),
          () => void analyse(doc).entityMentions(),
          ...claimCheckSteps(() => analyse(doc), doc.text.length),
          // Also what an embedder that keeps answers (the server, in the editor's storage) writes for the next start.
          ...supportingPassageSteps(() => analyse(doc), doc.text.length),
        );
      }
      return steps;
    },

    references(doc, offset, otherDocs = []) {
      return entityReferences(analyse(doc), offset, otherDocs.map((other) => analyse(other)));
    },

    documentHighlights(doc, offset) {
      return entityHighlights(analyse(doc), offset);
    },

    actors(doc) {
      return actorsOf(analyse(doc));
    },

    codeActions(doc, span, findings): Fix[] {
      const fixes: Fix[] = [];
      const lineStarts = lineStartsOf(doc.text);
      const touching = findings.filter((f) => f.span.start <= span.end && span.start <= f.span.end);
      for (const finding of touching) fixes.push(...(finding.fixes ?? []));
      const seen = new Set<string>();
      for (const finding of touching) {
        if (finding.ruleId === 'config/invalid' || seen.has(finding.ruleId)) continue;
        seen.add(finding.ruleId);
        fixes.push(disableForLineFix(doc.text, lineStarts, finding, parses.get(doc).blocks));
      }
      return fixes;
    },

    ruleDocsUrl(ruleId) {
      // Every team-defined rule links to the page that explains team rules.
      if (isTeamRuleId(ruleId)) return `${docsBase}team.md`;
      return ruleById.has(ruleId) ? `${docsBase}${ruleId}.md` : docsBase;
    },
  };
  return engine;
}

export { rules, ruleById };
