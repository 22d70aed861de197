/**
 * Editor features as lists of providers: each feature (quotations,
 * citations, actors, claims) adds its own function here, and the façade asks
 * them in order. A provider returns undefined / [] when the offset is not its.
 */
import type { Analysis } from './analysis';
import { COMPLETION_LIMIT, type CompletionEntry, type CompletionList, type HoverCard, type Location, type Source, type Span } from './types';
import type { Corpus } from './corpus';
import { quotationCard, citationCard } from './cards';
import { entityCompletion, entityDefinition, entityHover } from './entities/providers';
import { unsourcedClaimHover } from './claims/hover';

export type HoverProvider = (analysis: Analysis, offset: number) => HoverCard | undefined;
export type DefinitionProvider = (analysis: Analysis, offset: number) => Location[];
/** A plain list is complete; a provider that capped its answer returns a CompletionList with `isIncomplete`. */
export type CompletionProvider = (analysis: Analysis, offset: number) => CompletionEntry[] | CompletionList;

function quotationAt(analysis: Analysis, offset: number) {
  const quotation = analysis.parsed.quotations.find((q) => q.span.start <= offset && offset <= q.span.end);
  return quotation ? analysis.quoteCheckOf(quotation) : undefined;
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

/** Source ids of one corpus generation, lower-cased and sorted, for prefix search. */
const keyIndexes = new WeakMap<Corpus, { generation: number; keys: Array<{ key: string; source: Source }> }>();

export function citationKeyIndex(corpus: Corpus): Array<{ key: string; source: Source }> {
  const cached = keyIndexes.get(corpus);
  if (cached && cached.generation === corpus.generation) return cached.keys;
  const keys = [...corpus.sources().values()].map((source) => ({ key: source.id.toLowerCase(), source }));
  keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  keyIndexes.set(corpus, { generation: corpus.generation, keys });
  return keys;
}

/**
 * Source ids matching what was typed after `@`, best first: ids that start
 * with it (binary search), then ids with a word starting with it
 * (`depp` → `johnny-depp-…`), then ids containing it; at most `limit`.
 */
function matchingSources(corpus: Corpus, typed: string, limit: number): { sources: Source[]; more: boolean } {
  const keys = citationKeyIndex(corpus);
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid].key < typed) lo = mid + 1;
    else hi = mid;
  }
  const picked: Source[] = [];
  for (let i = lo; i < keys.length && keys[i].key.startsWith(typed); i++) {
    if (picked.length === limit) return { sources: picked, more: true };
    picked.push(keys[i].source);
  }
  if (!typed) return { sources: picked, more: false };
  const wordStart: Source[] = [];
  const inside: Source[] = [];
  for (const { key, source } of keys) {
    const at = key.indexOf(typed);
    if (at <= 0) continue; // -1: no match; 0: already picked as a prefix match
    const list = /[a-z0-9]/.test(key[at - 1]) ? inside : wordStart;
    list.push(source);
  }
  for (const source of [...wordStart, ...inside]) {
    if (picked.length === limit) return { sources: picked, more: true };
    picked.push(source);
  }
  return { sources: picked, more: false };
}

const citationKeyCompletion: CompletionProvider = (analysis, offset) => {
  const prefix = citationPrefixAt(analysis.doc.text, offset);
  if (!prefix) return [];
  const typed = analysis.doc.text.slice(prefix.start, prefix.end).toLowerCase();
  const { sources, more } = matchingSources(analysis.corpus, typed, COMPLETION_LIMIT);
  const items = sources.map((source, rank) => ({
    label: source.id,
    kind: 'source' as const,
    detail: [source.meta.title, source.meta.outlet, source.meta.date].filter(Boolean).join(' · ') || source.path,
    documentation: source.path,
    insertText: source.id,
    replace: prefix,
    // The server's order (prefix matches first) is the order shown.
    sortText: String(rank).padStart(4, '0'),
  }));
  return { items, isIncomplete: more };
};

// Citations before quotations: a key inside a blockquote's trailing citation is the citation's.
// Actors before quotations: a name is a small target inside a quotation; the rest of the quotation keeps its card.
// Claims last: a sentence's card only when the offset is on no citation or quotation of it.
export const hoverProviders: HoverProvider[] = [citationHover, entityHover, quotationHover, unsourcedClaimHover];
export const definitionProviders: DefinitionProvider[] = [citationDefinition, entityDefinition, quotationDefinition];
export const completionProviders: CompletionProvider[] = [citationKeyCompletion, entityCompletion];
