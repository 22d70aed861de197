/**
 * Editor features on actors: hover card, go to definition (registry entry,
 * else the first source mention), references, document highlights,
 * completion of known names, and the actors list of a piece.
 */
import type { Analysis } from '../analysis';
import { COMPLETION_LIMIT, type CompletionEntry, type CompletionList, type HoverCard, type Location, type Span } from '../types';
import type { ActorSummary } from '../api';
import { entityCard } from './card';
import { mentionAt, nameMayBeAt, type PieceMention } from './piece';
import type { Entity, EntityKnowledge } from './knowledge';

export function entityAt(analysis: Analysis, offset: number): PieceMention | undefined {
  // Most requests are not on a name: the block under the cursor says so before the whole piece is resolved.
  if (!nameMayBeAt(analysis.parsed, analysis.entities(), offset)) return undefined;
  return mentionAt(analysis.entityMentions(), offset);
}

export function entityHover(analysis: Analysis, offset: number): HoverCard | undefined {
  const mention = entityAt(analysis, offset);
  return mention ? entityCard(mention.entity, mention, (id) => analysis.source(id)) : undefined;
}

/** Where an entity is defined: its registry entry, else its first mention in the sources. */
export function entityDefinitionOf(analysis: Analysis, entity: Entity): Location[] {
  if (entity.registry) return [entity.registry];
  const first = entity.mentions[0];
  const source = first ? analysis.source(first.sourceId) : undefined;
  return source && first ? [{ uri: source.uri, span: first.span }] : [];
}

export function entityDefinition(analysis: Analysis, offset: number): Location[] {
  const mention = entityAt(analysis, offset);
  return mention ? entityDefinitionOf(analysis, mention.entity) : [];
}

/** Spans in this piece naming the same entity as the one at `offset`. */
export function entityHighlights(analysis: Analysis, offset: number): Span[] {
  const mention = entityAt(analysis, offset);
  if (!mention) return [];
  return analysis.entityMentions().filter((m) => m.entity === mention.entity).map((m) => m.span);
}

/**
 * Every mention of the entity at `offset`: in this piece, in the other pieces
 * given (already analysed by the caller), in the sources; the registry entry first.
 */
export function entityReferences(analysis: Analysis, offset: number, others: readonly Analysis[]): Location[] {
  const mention = entityAt(analysis, offset);
  if (!mention) return [];
  const entity = mention.entity;
  const locations: Location[] = [];
  if (entity.registry) locations.push(entity.registry);
  for (const piece of [analysis, ...others.filter((o) => o.doc.uri !== analysis.doc.uri)]) {
    for (const m of piece.entityMentions()) if (m.entity.id === entity.id) locations.push({ uri: piece.doc.uri, span: m.span });
  }
  for (const m of entity.mentions) {
    const source = analysis.source(m.sourceId);
    if (source) locations.push({ uri: source.uri, span: m.span });
  }
  return locations;
}

/** Sorted (label, entity) pairs for prefix search, built once per knowledge. */
const completionIndexes = new WeakMap<EntityKnowledge, Array<{ key: string; label: string; entity: Entity }>>();

function completionIndex(knowledge: EntityKnowledge): Array<{ key: string; label: string; entity: Entity }> {
  let index = completionIndexes.get(knowledge);
  if (!index) {
    index = [];
    for (const entity of knowledge.entities) {
      // Offer names worth typing: typed entities, or ones the sources mention more than once.
      if (!entity.type && entity.mentions.length < 2 && !entity.registry) continue;
      // Full name, surname, acronym and registry aliases all lead to the entity ("Lav" offers Lavrov).
      for (const label of [entity.name, ...entity.aliases.filter((a) => !/^(mr|mrs|ms) /i.test(a))]) index.push({ key: label.toLowerCase(), label, entity });
    }
    index.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    completionIndexes.set(knowledge, index);
  }
  return index;
}

/** The capitalised words being typed before `offset` ("Serg", "Sergey La"), longest first. */
function namePrefixes(text: string, offset: number): Span[] {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(Math.max(lineStart, offset - 80), offset);
  const match = /((?:\p{Lu}[\p{L}\p{M}'\u2019.-]*\s){0,3}\p{Lu}[\p{L}\p{M}'\u2019.-]*)$/u.exec(before);
  if (!match) return [];
  const start = offset - match[1].length;
  if (start > 0 && /[\p{L}\p{N}@]/u.test(text[start - 1])) return [];
  const spans: Span[] = [];
  for (const word of match[1].matchAll(/\p{Lu}/gu)) {
    const at = start + (word.index ?? 0);
    if (at === start || /\s/.test(text[at - 1])) spans.push({ start: at, end: offset });
  }
  return spans;
}

export function entityCompletion(analysis: Analysis, offset: number): CompletionEntry[] | CompletionList {
  const text = analysis.doc.text;
  const prefixes = namePrefixes(text, offset);
  if (!prefixes.length) return [];
  const index = completionIndex(analysis.entities());
  for (const prefix of prefixes) {
    const typed = text.slice(prefix.start, prefix.end).toLowerCase();
    if (typed.length < 2) continue;
    let lo = 0;
    let hi = index.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (index[mid].key < typed) lo = mid + 1;
      else hi = mid;
    }
    const found = new Map<Entity, { label: string }>();
    for (let i = lo; i < index.length && index[i].key.startsWith(typed); i++) if (!found.has(index[i].entity)) found.set(index[i].entity, { label: index[i].label });
    if (!found.size) continue;
    const ranked = [...found.entries()].sort((a, b) => b[0].mentions.length - a[0].mentions.length || (a[1].label < b[1].label ? -1 : 1)).slice(0, COMPLETION_LIMIT);
    const items = ranked.map(([entity, { label }], rank) => ({
      label,
      kind: 'entity' as const,
      detail: [entity.type, entity.role].filter(Boolean).join(' · ') || undefined,
      documentation: [label !== entity.name ? `${label} → ${entity.name}` : '', entity.description ?? '', `${entity.mentions.length} mention(s) in the sources`].filter(Boolean).join('\n\n'),
      insertText: label,
      replace: prefix,
      sortText: String(rank).padStart(4, '0'),
    }));
    return { items, isIncomplete: found.size > items.length };
  }
  return [];
}

/** The actors of a piece with how often it names them, most named first. */
export function actorsOf(analysis: Analysis): ActorSummary[] {
  const byEntity = new Map<Entity, Span[]>();
  for (const m of analysis.entityMentions()) {
    const list = byEntity.get(m.entity) ?? [];
    list.push(m.span);
    byEntity.set(m.entity, list);
  }
  return [...byEntity.entries()]
    .map(([entity, spans]) => ({
      id: entity.id,
      name: entity.name,
      type: entity.type,
      role: entity.role,
      acronym: entity.acronym,
      description: entity.description,
      count: spans.length,
      spans,
      sourceMentions: entity.mentions.length,
      sources: new Set(entity.mentions.map((m) => m.sourceId)).size,
      inRegistry: !!entity.registry,
    }))
    .sort((a, b) => b.count - a.count || a.spans[0].start - b.spans[0].start);
}
