/**
 * Editor features as lists of providers: each feature (quotations,
 * citations, actors, claims) adds its own function here, and the façade asks
 * them in order. A provider returns undefined / [] when the offset is not its.
 */
import type { Analysis } from './analysis';
import type { CompletionEntry, HoverCard, Location, Span } from './types';
import { quotationCard, citationCard } from './cards';
import { entityCompletion, entityDefinition, entityHover } from './entities/providers';
import { unsourcedClaimHover } from './claims/hover';

export type HoverProvider = (analysis: Analysis, offset: number) => HoverCard | undefined;
export type DefinitionProvider = (analysis: Analysis, offset: number) => Location[];
export type CompletionProvider = (analysis: Analysis, offset: number) => CompletionEntry[];

function quotationAt(analysis: Analysis, offset: number) {
  const quotation = analysis.parsed.quotations.find((q) => q.span.start <= offset && offset <= q.span.end);
  return quotation ? analysis.quoteChecks().find((c) => c.quotation === quotation) : undefined;
}

function citationAt(analysis: Analysis, offset: number) {
  return analysis.parsed.citations.find((c) => c.span.start <= offset && offset <= c.span.end);
}

const citationHover: HoverProvider = (analysis, offset) => {
  const citation = citationAt(analysis, offset);
  if (!citation) return undefined;
  const id = analysis.sourceIdOf(citation);
  return citationCard(citation, id ? analysis.source(id) : undefined);
};

const quotationHover: HoverProvider = (analysis, offset) => {
  const check = quotationAt(analysis, offset);
  return check ? quotationCard(check, analysis) : undefined;
};

const citationDefinition: DefinitionProvider = (analysis, offset) => {
  const citation = citationAt(analysis, offset);
  const id = citation && analysis.sourceIdOf(citation);
  const source = id ? analysis.source(id) : undefined;
  return source ? [{ uri: source.uri, span: { start: source.body.start, end: source.body.start } }] : [];
};

const quotationDefinition: DefinitionProvider = (analysis, offset) => {
  const best = quotationAt(analysis, offset)?.result.best;
  const source = best ? analysis.source(best.sourceId) : undefined;
  return source && best ? [{ uri: source.uri, span: best.passage }] : [];
};

/** Span of a partial citation key before `offset` (after `@`), or undefined when not completing a key. */
export function citationPrefixAt(text: string, offset: number): Span | undefined {
  let start = offset;
  while (start > 0 && /[\w:.#$%&+?<>~/-]/.test(text[start - 1])) start--;
  if (text[start - 1] !== '@') return undefined;
  const before = text[start - 2];
  if (before !== undefined && /\w/.test(before)) return undefined; // an e-mail address
  return { start, end: offset };
}

const citationKeyCompletion: CompletionProvider = (analysis, offset) => {
  const prefix = citationPrefixAt(analysis.doc.text, offset);
  if (!prefix) return [];
  return [...analysis.corpus.sources().values()].map((source) => ({
    label: source.id,
    kind: 'source' as const,
    detail: [source.meta.title, source.meta.outlet, source.meta.date].filter(Boolean).join(' · ') || source.path,
    documentation: source.path,
    insertText: source.id,
    replace: prefix,
    sortText: source.id,
  }));
};

// Citations before quotations: a key inside a blockquote's trailing citation is the citation's.
// Actors before quotations: a name is a small target inside a quotation; the rest of the quotation keeps its card.
// Claims last: a sentence's card only when the offset is on no citation or quotation of it.
export const hoverProviders: HoverProvider[] = [citationHover, entityHover, quotationHover, unsourcedClaimHover];
export const definitionProviders: DefinitionProvider[] = [citationDefinition, entityDefinition, quotationDefinition];
export const completionProviders: CompletionProvider[] = [citationKeyCompletion, entityCompletion];
