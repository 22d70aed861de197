/**
 * The engine façade: `createEngine()` → check, hover, definition, complete,
 * codeActions. Pure — adapters feed it text (config, sources, pieces) and
 * turn its plain-data answers into LSP messages, CLI output or anything else.
 */
import type { CancellationFlag, DocumentInput, Engine, FileSelection } from './api';
import type { Analysis, QuoteCheck } from './analysis';
import type { CompletionEntry, Finding, Fix, HoverCard, Location, Source, Span } from './types';
import { parseConfig, defaultConfig, type ResolvedConfig } from './config';
import { Corpus } from './corpus';
import { parseMarkdown, type Citation, type ParsedDocument, type Quotation } from './markdown';
import { matchQuotation, type QuoteResult } from './quotes';
import { rules, ruleById } from './rules/index';
import type { Report } from './rules/rule';
import { applyDirectives, disableForLineFix, lineStartsOf } from './directives';
import { quotationCard, citationCard } from './cards';

export type { Engine, DocumentInput, CancellationFlag, FileSelection } from './api';
export * from './types';

export interface EngineOptions {
  /** Base URL of the rule docs pages; `<base><category>/<name>.md`. */
  docsBaseUrl?: string;
}

// Adapters pass an absolute base (the installed docs folder); this relative one is a last resort.
const DEFAULT_DOCS_BASE = 'docs/rules/';

/** Keeps one parse per document version: re-checks of an unchanged text reuse it. */
class ParseCache {
  private readonly entries = new Map<string, ParsedDocument>();
  get(doc: DocumentInput): ParsedDocument {
    const cached = this.entries.get(doc.uri);
    if (cached && cached.text === doc.text) return cached;
    const parsed = parseMarkdown(doc.text);
    this.entries.set(doc.uri, parsed);
    // Bound memory: the cache only needs the documents being edited.
    if (this.entries.size > 64) this.entries.delete(this.entries.keys().next().value as string);
    return parsed;
  }
}

/**
 * Quotation verdicts keyed by (cited sources, words), valid for one corpus
 * generation: an edit elsewhere in the piece re-uses every unchanged quotation.
 */
class QuoteCache {
  private generation = -1;
  private readonly entries = new Map<string, QuoteResult>();
  get(corpus: Corpus, text: string, prefer: readonly string[]): QuoteResult {
    if (corpus.generation !== this.generation) {
      this.entries.clear();
      this.generation = corpus.generation;
    }
    const key = prefer.join(' ') + '\u0000' + text;
    let result = this.entries.get(key);
    if (!result) {
      result = matchQuotation(corpus.searchIndex(), text, { preferSources: [...prefer] });
      if (this.entries.size > 50_000) this.entries.clear();
      this.entries.set(key, result);
    }
    return result;
  }
}

class CheckCancelled extends Error {}

export function createEngine(options: EngineOptions = {}): Engine {
  const docsBase = options.docsBaseUrl ?? DEFAULT_DOCS_BASE;
  const corpus = new Corpus();
  const parses = new ParseCache();
  const quotes = new QuoteCache();
  let config: ResolvedConfig = defaultConfig();

  function analyse(doc: DocumentInput, cancel?: CancellationFlag): Analysis {
    const parsed = parses.get(doc);
    let checks: QuoteCheck[] | undefined;
    const sourceIdOf = (citation: Citation): string | undefined => {
      if (citation.kind === 'link') return corpus.idForLink(citation.key);
      return corpus.get(citation.key) ? citation.key : undefined;
    };
    return {
      doc,
      parsed,
      corpus,
      config,
      sourceIdOf,
      source: (id) => corpus.get(id),
      quoteChecks() {
        if (!checks) {
          checks = [];
          const blockCitations = citationsByBlock(parsed);
          for (const quotation of parsed.quotations) {
            if (cancel?.isCancellationRequested) throw new CheckCancelled();
            const citations = citationsFor(quotation, blockCitations, sourceIdOf);
            const citedSourceIds = [...new Set(citations.map((c) => sourceIdOf(c)!))];
            const result = quotes.get(corpus, quotation.text, citedSourceIds);
            checks.push({ quotation, citedSourceIds, citations, result });
          }
        }
        return checks;
      },
    };
  }

  function findingsFor(doc: DocumentInput, cancel?: CancellationFlag): Finding[] {
    const analysis = analyse(doc, cancel);
    const findings: Finding[] = [];
    for (const rule of rules) {
      if (!rule.check) continue;
      const setting = config.rules.get(rule.id);
      if (!setting || setting.severity === 'off') continue;
      if (cancel?.isCancellationRequested) throw new CheckCancelled();
      const severity = setting.severity;
      rule.check({
        analysis,
        options: { ...(rule.defaults as object), ...setting.options },
        report: (r: Report) => findings.push({ ruleId: rule.id, severity, ...r }),
      });
    }
    findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.ruleId.localeCompare(b.ruleId));
    return applyDirectives(findings, analysis.parsed.directives, lineStartsOf(doc.text));
  }

  function quotationAt(doc: DocumentInput, offset: number): { check: QuoteCheck; analysis: Analysis } | undefined {
    const analysis = analyse(doc);
    const quotation = analysis.parsed.quotations.find((q) => q.span.start <= offset && offset <= q.span.end);
    if (!quotation) return undefined;
    const check = analysis.quoteChecks().find((c) => c.quotation === quotation)!;
    return { check, analysis };
  }

  function citationAt(doc: DocumentInput, offset: number): { citation: Citation; analysis: Analysis } | undefined {
    const analysis = analyse(doc);
    const citation = analysis.parsed.citations.find((c) => c.span.start <= offset && offset <= c.span.end);
    return citation ? { citation, analysis } : undefined;
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

    setSource(uri, path, text) {
      corpus.set(uri, path, text);
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

    setRegistry() {
      // The entity registry arrives with the actors feature; until then it is accepted as is.
      return [];
    },

    check(doc, cancel) {
      try {
        return findingsFor(doc, cancel);
      } catch (err) {
        if (err instanceof CheckCancelled) return [];
        throw err;
      }
    },

    hover(doc, offset): HoverCard | undefined {
      const atQuote = quotationAt(doc, offset);
      if (atQuote) return quotationCard(atQuote.check, atQuote.analysis);
      const atCitation = citationAt(doc, offset);
      if (atCitation) {
        const id = atCitation.analysis.sourceIdOf(atCitation.citation);
        return citationCard(atCitation.citation, id ? corpus.get(id) : undefined);
      }
      return undefined;
    },

    definition(doc, offset): Location[] {
      const atCitation = citationAt(doc, offset);
      if (atCitation) {
        const id = atCitation.analysis.sourceIdOf(atCitation.citation);
        const source = id ? corpus.get(id) : undefined;
        return source ? [{ uri: source.uri, span: { start: source.body.start, end: source.body.start } }] : [];
      }
      const atQuote = quotationAt(doc, offset);
      const best = atQuote?.check.result.best;
      if (!best) return [];
      const source = corpus.get(best.sourceId);
      return source ? [{ uri: source.uri, span: best.passage }] : [];
    },

    complete(doc, offset): CompletionEntry[] {
      const prefix = citationPrefixAt(doc.text, offset);
      if (!prefix) return [];
      return [...corpus.sources().values()].map((source) => ({
        label: source.id,
        kind: 'source' as const,
        detail: [source.meta.title, source.meta.outlet, source.meta.date].filter(Boolean).join(' · ') || source.path,
        documentation: source.path,
        insertText: source.id,
        replace: prefix,
        sortText: source.id,
      }));
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
        fixes.push(disableForLineFix(doc.text, lineStarts, finding));
      }
      return fixes;
    },

    ruleDocsUrl(ruleId) {
      return ruleById.has(ruleId) ? `${docsBase}${ruleId}.md` : docsBase;
    },
  };
  return engine;
}

/** Citations of each block, in document order. */
function citationsByBlock(parsed: ParsedDocument): Map<number, Citation[]> {
  const map = new Map<number, Citation[]>();
  for (const citation of parsed.citations) {
    const list = map.get(citation.blockIndex) ?? [];
    list.push(citation);
    map.set(citation.blockIndex, list);
  }
  return map;
}

/** The known citations a quotation is attributed to: its cited keys, resolved against its block's citations. */
function citationsFor(quotation: Quotation, byBlock: Map<number, Citation[]>, sourceIdOf: (c: Citation) => string | undefined): Citation[] {
  if (!quotation.citedKeys.length) return [];
  const wanted = new Set(quotation.citedKeys);
  const candidates = [...(byBlock.get(quotation.blockIndex) ?? []), ...(byBlock.get(quotation.blockIndex + 1) ?? [])];
  const picked: Citation[] = [];
  for (const citation of candidates) {
    if (wanted.has(citation.key) && sourceIdOf(citation) && !picked.some((p) => p.key === citation.key)) picked.push(citation);
  }
  return picked;
}

/** Span of a partial citation key before `offset` (after `@`), or undefined when not completing a key. */
function citationPrefixAt(text: string, offset: number): Span | undefined {
  let start = offset;
  while (start > 0 && /[\w:.#$%&+?<>~/-]/.test(text[start - 1])) start--;
  if (text[start - 1] !== '@') return undefined;
  const before = text[start - 2];
  if (before !== undefined && /\w/.test(before)) return undefined; // an e-mail address
  return { start, end: offset };
}

export { rules, ruleById };
