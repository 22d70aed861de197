/**
 * Entity knowledge of a corpus: the per-source facts (extract.ts) merged into
 * one entity per actor, with short forms resolved (a surname, "Mr X", an
 * acronym → the full name), spelling variants folded, the team registry laid
 * over it, and the maps the editor features look things up in. Built once per
 * corpus generation and registry version; every lookup afterwards is a map hit.
 */
import type { Location, Source, Span } from '../types';
import { CaseStats } from './case-stats';
import { SentenceScanner } from './scan';
import { extractSource, keywordType, type EntityType, type NameForm, type SourceFacts } from './extract';
import { HONORIFICS, NAME_TITLES, PLACES, MEDIA_NAMES } from './lexicon';
import { nameKey } from './name-key';
import type { RegistryEntry } from '../registry';

export type { EntityType } from './extract';

export interface SourceMention {
  sourceId: string;
  span: Span;
  /** The sentence the mention is in. */
  sentence: Span;
  form: NameForm;
}

export interface EntityRole {
  text: string;
  sourceId?: string;
  span?: Span;
}

export interface EntityStatement {
  sourceId: string;
  sentence: Span;
  /** Direct quotations in that sentence, if any. */
  quotes: Span[];
  verb: string;
}

export interface EntityLink {
  label: string;
  url: string;
}

export interface Entity {
  /** Registry id, else a slug of the canonical name. */
  id: string;
  /** Canonical spelling: the registry's, else the most used full form. */
  name: string;
  type?: EntityType;
  /** Primary role: the registry's, else the role the sources give most often. */
  role?: string;
  /** Every distinct role the sources give, most frequent first (text, first place seen). */
  roles: EntityRole[];
  /** Every time a source gives a role, in source order. */
  roleFacts: EntityRole[];
  /** The acronym this name is expanded from ("EAEU" for Eurasian Economic Union). */
  acronym?: string;
  /** Every spelling of the acronym the sources or registry use ("ACPO", "Acpo"). */
  acronyms: string[];
  /** Other forms that name it: surname, "Mr X", variant spellings, registry aliases. */
  aliases: string[];
  /** Registry aliases marked as discouraged: flagged by style/name-variant. */
  discouraged: string[];
  /** Aliases the registry accepts (never flagged as variants). */
  registryAliases: string[];
  description?: string;
  links: EntityLink[];
  /** Where the registry defines it. */
  registry?: Location;
  /** Mentions in the sources, in source order. */
  mentions: SourceMention[];
  statements: EntityStatement[];
}

/**
 * A restored knowledge's entities and forms (knowledge-cache.ts): each read
 * from the cache on first use, the same object every time after.
 */
export interface StoredEntities {
  formsOf(key: string): FormEntry[] | undefined;
  /** Every entity, in the order the merge made them. */
  allEntities(): Entity[];
  /** Every form, in the order the merge indexed them. */
  allForms(): Map<string, FormEntry[]>;
  /** The entities an acronym names, most expanded first (`EntityKnowledge.entitiesOfAcronym`). */
  acronymEntities(acronym: string): Entity[] | undefined;
  /** The expansions and every acronym's entities, in the order the merge made them. */
  allExpansionsAndAcronyms(): { expansions: ExpansionFact[]; acronyms: Map<string, Entity[]> };
}

/** How a form names its entity, for the piece scanner and the variant rule. */
export type FormKind = 'name' | 'variant' | 'surname' | 'acronym' | 'alias' | 'discouraged';

export interface FormEntry {
  entity: Entity;
  kind: FormKind;
  /** The form as spelt where it was learnt (acronyms must match case exactly). */
  surface: string;
}

export { nameKey };

interface Draft {
  key: string;
  /** `key` split into words. */
  words: string[];
  /** What the key's own words say it is (keywordType). */
  byKeyword: EntityType | undefined;
  surfaces: Map<string, number>;
  /** Type evidence, by type. */
  hints: Hints;
  roles: SourceRole[];
  mentions: SourceMention[];
  statements: EntityStatement[];
  /** Acronyms this name is expanded from (most names have none: created on the first). */
  acronyms: Map<string, number> | undefined;
  /** Number of full-form mentions (for choosing between people who share a surname). */
  fullCount: number;
  /** Drafts merged into this one (spelling variants). */
  mergedInto?: Draft;
  registry?: RegistryEntry;
}

interface Hints {
  person: number;
  organisation: number;
  media: number;
  place: number;
}

/** A key's words and what they say it is: pure functions of the key, asked again at every merge. */
const keyWords = new Map<string, { words: string[]; byKeyword: EntityType | undefined }>();

function wordsOfKey(key: string): { words: string[]; byKeyword: EntityType | undefined } {
  let known = keyWords.get(key);
  if (!known) {
    if (keyWords.size >= 200_000) keyWords.clear();
    const words = key.split(' ');
    keyWords.set(key, (known = { words, byKeyword: keywordType(words) }));
  }
  return known;
}

function newDraft(key: string): Draft {
  const { words, byKeyword } = wordsOfKey(key);
  return {
    key,
    words,
    byKeyword,
    surfaces: new Map(),
    hints: { person: 0, organisation: 0, media: 0, place: 0 },
    roles: NONE as SourceRole[],
    mentions: [],
    statements: NONE as EntityStatement[],
    acronyms: undefined,
    fullCount: 0,
  };
}

/**
 * The list of the many drafts and entities that have no roles, statements,
 * acronyms or registry data: one shared, frozen empty array (a merge makes
 * ~10,000 entities; each empty list is an allocation the collector copies).
 * A draft's list is replaced by its own on the first push (`pushTo`).
 */
const NONE = Object.freeze([]) as unknown as never[];

/** The shared empty list, for code that makes entities outside the merge (knowledge-cache.ts). */
export const NO_ITEMS: readonly never[] = NONE;

function pushTo<T>(list: T[], item: T): T[] {
  if (list === NONE) return [item];
  list.push(item);
  return list;
}

function bumpAcronym(draft: Draft, acronym: string, by = 1): void {
  bump((draft.acronyms ??= new Map()), acronym, by);
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function top<K>(map: Map<K, number>): K | undefined {
  let best: K | undefined;
  let count = -1;
  for (const [key, n] of map) if (n > count) [best, count] = [key, n];
  return best;
}

function lastWord(name: string): string {
  const words = name.split(' ');
  return words[words.length - 1];
}

/** Whether two spellings differ by at most one inserted, deleted or changed letter (Sergei/Sergey). */
export function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** Slugs by name: the same names come back at every merge. */
const slugs = new Map<string, string>();

function slug(name: string): string {
  let made = slugs.get(name);
  if (made === undefined) {
    if (slugs.size >= 100_000) slugs.clear();
    slugs.set(name, (made = makeSlug(name)));
  }
  return made;
}

function makeSlug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'entity'
  );
}

/** An acronym a source expands, resolved to its entity. */
export interface ExpansionFact {
  sourceId: string;
  acronym: string;
  expansion: string;
  acronymSpan: Span;
  expansionSpan: Span;
  kind: 'parenthesis' | 'initials';
  entity: Entity;
}

/**
 * The mention, role and statement objects of one source's facts, made on the
 * first merge that needs them and shared by later merges (they are read-only
 * data): a merge after one source changed allocates only for that source.
 * Remade when the source's id changes.
 */
interface SharedObjects {
  id: string;
  mentions: Array<SourceMention | undefined>;
  roles: Array<SourceRole[] | undefined>;
  statements: Array<EntityStatement | undefined>;
}

/** A role as a source gives it. */
type SourceRole = { text: string; sourceId: string; span: Span };

const sharedObjects = new WeakMap<SourceFacts, SharedObjects>();

function sharedObjectsOf(facts: SourceFacts, id: string): SharedObjects {
  let shared = sharedObjects.get(facts);
  if (!shared || shared.id !== id) {
    shared = { id, mentions: new Array(facts.names.length), roles: new Array(facts.names.length), statements: new Array(facts.statements.length) };
    sharedObjects.set(facts, shared);
  }
  return shared;
}

export interface BuildInput {
  sources: readonly Source[];
  registry: readonly RegistryEntry[];
  registryUri?: string;
}

/** One source's facts under the id the corpus cites it by. */
export interface IdentifiedFacts {
  id: string;
  facts: SourceFacts;
}

export interface MergeInput {
  /** Every source's facts, extracted against `stats`; merged in id order. */
  sources: readonly IdentifiedFacts[];
  /** The case statistics of the whole corpus. */
  stats: CaseStats;
  registry: readonly RegistryEntry[];
  registryUri?: string;
}

export class EntityKnowledge {
  private readonly entityList: Entity[] = [];
  private readonly idMap = new Map<string, Entity>();
  private formMap = new Map<string, FormEntry[]>();
  /** A restored knowledge's entities and forms, read from the cache as they are asked for (undefined once all are read). */
  private stored: StoredEntities | undefined;
  private readonly expansionList: ExpansionFact[] = [];
  private readonly acronymMap = new Map<string, Entity[]>();
  /** A restored knowledge's expansions and acronyms, read from the cache when all are asked for (undefined once read). */
  private storedRest: StoredEntities | undefined;
  /** Milliseconds the build took (for the benchmark and logs). */
  buildMs = 0;

  private constructor(readonly stats: CaseStats) {}

  /** From scratch: case statistics, every source's facts, the merge. */
  static build({ sources, registry, registryUri }: BuildInput): EntityKnowledge {
    const started = Date.now();
    const stats = new CaseStats();
    for (const source of sources) stats.add(source.text, source.body.start, source.body.end);
    const scanner = new SentenceScanner();
    const facts = sources.map((source) => ({ id: source.id, facts: extractSource(source.text, source.body, stats, scanner) }));
    const knowledge = EntityKnowledge.merge({ sources: facts, stats, registry, registryUri });
    knowledge.buildMs = Date.now() - started;
    return knowledge;
  }

  /**
   * An empty knowledge over `stats`, for knowledge-cache.ts to fill with what a
   * merge made before (the persisted cache): its fields are filled in place.
   */
  static restored(stats: CaseStats, stored: StoredEntities): EntityKnowledge {
    const knowledge = new EntityKnowledge(stats);
    knowledge.stored = stored;
    knowledge.storedRest = stored;
    return knowledge;
  }

  /** Expansions the sources give. */
  get expansions(): ExpansionFact[] {
    this.readStoredRest();
    return this.expansionList;
  }

  /** Acronym (as written) → its entities, most expanded first. */
  get acronyms(): Map<string, Entity[]> {
    this.readStoredRest();
    return this.acronymMap;
  }

  /**
   * `acronyms.get(acronym)`; a restored knowledge makes only this acronym's
   * entities (making all ~250 acronyms' ~270 entities was half of a restore).
   */
  entitiesOfAcronym(acronym: string): Entity[] | undefined {
    return this.storedRest ? this.storedRest.acronymEntities(acronym) : this.acronymMap.get(acronym);
  }

  private readStoredRest(): void {
    const stored = this.storedRest;
    if (!stored) return;
    this.storedRest = undefined;
    const { expansions, acronyms } = stored.allExpansionsAndAcronyms();
    this.expansionList.push(...expansions);
    for (const [acronym, entities] of acronyms) this.acronymMap.set(acronym, entities);
  }

  /** Every entity (a restored knowledge reads them all from the cache on first use). */
  get entities(): Entity[] {
    this.readAllStored();
    return this.entityList;
  }

  get byId(): Map<string, Entity> {
    this.readAllStored();
    return this.idMap;
  }

  /** nameKey(form) → entities it may name (all of them: the piece scanner asks `formsOf` instead). */
  get forms(): Map<string, FormEntry[]> {
    this.readAllStored();
    return this.formMap;
  }

  /** The entities the normalised form `key` may name; a restored knowledge reads only these from the cache. */
  formsOf(key: string): FormEntry[] | undefined {
    return this.stored ? this.stored.formsOf(key) : this.formMap.get(key);
  }

  private readAllStored(): void {
    const stored = this.stored;
    if (!stored) return;
    this.stored = undefined;
    for (const entity of stored.allEntities()) {
      this.entityList.push(entity);
      this.idMap.set(entity.id, entity);
    }
    this.formMap = stored.allForms();
  }

  /** The knowledge from per-source facts (extractSource): no source text is read again. */
  static merge(input: MergeInput): EntityKnowledge {
    const started = Date.now();
    const knowledge = new EntityKnowledge(input.stats);
    knowledge.run(input);
    knowledge.buildMs = Date.now() - started;
    return knowledge;
  }

  private run({ sources, registry, registryUri }: MergeInput): void {
    const ordered = [...sources].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const facts = ordered.map((source) => source.facts);

    const drafts = new Map<string, Draft>();
    const draftOfKey = (key: string): Draft => {
      let draft = drafts.get(key);
      if (!draft) {
        draft = newDraft(key);
        drafts.set(key, draft);
      }
      return draft;
    };
    const draftFor = (text: string): Draft => draftOfKey(nameKey(text));

    // Pass 1: full names, names with roles, expansions. `resolved[s][i]` is the draft of names[i] of source s.
    const resolved: Array<Array<Draft | undefined>> = facts.map((sourceFacts) => new Array<Draft | undefined>(sourceFacts.names.length));
    facts.forEach((sourceFacts, s) => {
      for (const expansion of sourceFacts.expansions) {
        const draft = draftFor(expansion.expansion);
        bumpAcronym(draft, expansion.acronym);
        draft.hints[keywordType(expansion.expansion.split(' ')) ?? 'organisation']++;
      }
      const names = sourceFacts.names;
      for (let i = 0; i < names.length; i++) {
        const occ = names[i];
        const strong = occ.form === 'full' || ((occ.form === 'single' || occ.form === 'acronym') && occ.roles.length > 0 && !occ.weak);
        if (!strong) continue;
        const draft = draftOfKey(occ.key);
        resolved[s][i] = draft;
        bump(draft.surfaces, occ.text.includes('\u2019') ? occ.text.replace(/[\u2019]/g, "'") : occ.text);
        draft.fullCount++;
        if (occ.hint) draft.hints[occ.hint]++;
      }
    });

    // First names learnt from people the sources clearly present as people.
    const firstNames = new Set<string>();
    for (const draft of drafts.values()) {
      const words = draft.words;
      if (words.length >= 2 && draft.hints.person > 0 && !NAME_TITLES.has(words[0])) firstNames.add(words[0]);
    }

    // Corpus-wide surname and acronym maps for short forms a source does not introduce itself.
    const personLike = (draft: Draft) => {
      const type = decideType(draft, firstNames);
      return type === 'person' || type === undefined;
    };
    const surnameIndex = new Map<string, Draft[]>();
    for (const draft of drafts.values()) {
      const words = draft.words;
      if (words.length < 2 || !personLike(draft)) continue;
      const surname = words[words.length - 1];
      const list = surnameIndex.get(surname);
      if (list) list.push(draft);
      else surnameIndex.set(surname, [draft]);
    }
    const corpusSurname = (surname: string): Draft | undefined => {
      const list = surnameIndex.get(surname);
      if (!list) return undefined;
      let total = 0;
      let best = list[0];
      for (const draft of list) {
        total += draft.fullCount;
        if (draft.fullCount > best.fullCount) best = draft;
      }
      // Only a clearly dominant bearer of the surname: "Mr Blair" is Tony Blair, "Mr Smith" is nobody in particular.
      return best.fullCount >= 3 && best.fullCount * 3 >= total * 2 ? best : undefined;
    };
    const acronymIndex = new Map<string, Map<Draft, number>>();
    for (const draft of drafts.values()) {
      if (!draft.acronyms) continue;
      for (const [acronym, n] of draft.acronyms) {
        let map = acronymIndex.get(acronym);
        if (!map) acronymIndex.set(acronym, (map = new Map<Draft, number>()));
        bump(map, draft, n);
      }
    }
    const pick = (list: Draft[] | undefined) => {
      if (!list || !list.length) return undefined;
      let best = list[0];
      for (const draft of list) if (draft.fullCount > best.fullCount) best = draft;
      return best;
    };

    // Pass 2: every occurrence → a draft (resolving short forms), with its roles and statements.
    facts.forEach((sourceFacts, s) => {
      const source = ordered[s];
      const drafted = resolved[s];
      const names = sourceFacts.names;
      const inSourceSurnames = new Map<string, Draft[]>();
      const inSourceFirstNames = new Map<string, Draft[]>();
      const seen = new Set<Draft>();
      for (const draft of drafted) {
        if (!draft || seen.has(draft)) continue;
        seen.add(draft);
        const words = draft.words;
        if (words.length < 2 || !personLike(draft)) continue;
        const surname = words[words.length - 1];
        const bySurname = inSourceSurnames.get(surname);
        if (bySurname) bySurname.push(draft);
        else inSourceSurnames.set(surname, [draft]);
        const first = NAME_TITLES.has(words[0]) ? undefined : words[0];
        if (!first) continue;
        const byFirst = inSourceFirstNames.get(first);
        if (byFirst) byFirst.push(draft);
        else inSourceFirstNames.set(first, [draft]);
      }
      const localAcronyms = new Map<string, Draft>();
      for (const expansion of sourceFacts.expansions) localAcronyms.set(expansion.acronym, draftFor(expansion.expansion));

      for (let i = 0; i < names.length; i++) {
        if (drafted[i]) continue;
        const occ = names[i];
        const key = occ.key;
        let draft: Draft | undefined;
        if (occ.form === 'acronym' && (localAcronyms.has(occ.text) || acronymIndex.has(occ.text))) {
          draft = localAcronyms.get(occ.text) ?? top(acronymIndex.get(occ.text)!);
        } else if (occ.form === 'honorific') {
          draft = pick(inSourceSurnames.get(key));
          if (!draft && occ.honorific && (occ.honorific === 'sir' || occ.honorific === 'dame')) draft = pick(inSourceFirstNames.get(key));
          draft ??= corpusSurname(key);
        } else {
          const known = drafts.get(key);
          draft = pick(inSourceSurnames.get(key)) ?? (known && known.fullCount > 0 ? known : undefined);
          if (!draft && !occ.weak) {
            draft = corpusSurname(key);
            if (!draft && (PLACES.has(key) || MEDIA_NAMES.has(key))) {
              draft = draftOfKey(key);
              draft.hints[PLACES.has(key) ? 'place' : 'media']++;
              bump(draft.surfaces, occ.text);
            }
          }
        }
        if (draft) drafted[i] = draft;
      }

      const shared = sharedObjectsOf(sourceFacts, source.id);
      for (let i = 0; i < names.length; i++) {
        const draft = drafted[i];
        if (!draft) continue;
        const occ = names[i];
        draft.mentions.push((shared.mentions[i] ??= { sourceId: source.id, span: occ.span, sentence: sourceFacts.sentences[occ.sentence], form: occ.form }));
        if (occ.honorific && HONORIFICS.has(occ.honorific)) draft.hints.person++;
        if (!occ.roles.length) continue;
        const roles = (shared.roles[i] ??= occ.roles.map((role) => ({ text: role.text, sourceId: source.id, span: role.span })));
        for (const role of roles) draft.roles = pushTo(draft.roles, role);
      }
      const statements = sourceFacts.statements;
      for (let i = 0; i < statements.length; i++) {
        const statement = statements[i];
        const draft = drafted[statement.speaker];
        if (!draft) continue;
        draft.statements = pushTo(draft.statements, (shared.statements[i] ??= { sourceId: source.id, sentence: sourceFacts.sentences[statement.sentence], quotes: statement.quotes, verb: statement.verb }));
      }
    });

    this.foldVariants(drafts, firstNames);
    const entityOf = this.finish(drafts, firstNames, registry, registryUri);
    facts.forEach((sourceFacts, s) => {
      for (const e of sourceFacts.expansions) {
        const entity = entityOf(drafts.get(nameKey(e.expansion)));
        if (entity) this.expansionList.push({ sourceId: ordered[s].id, acronym: e.acronym, expansion: e.expansion, acronymSpan: e.acronymSpan, expansionSpan: e.expansionSpan, kind: e.kind, entity });
      }
    });
    const counts = new Map<string, Map<Entity, number>>();
    for (const fact of this.expansionList) {
      const map = counts.get(fact.acronym) ?? new Map<Entity, number>();
      bump(map, fact.entity);
      counts.set(fact.acronym, map);
    }
    for (const entity of this.entities) {
      if (!entity.acronym) continue;
      const map = counts.get(entity.acronym) ?? new Map<Entity, number>();
      if (!map.has(entity)) map.set(entity, entity.registry ? 1_000_000 : 0);
      else if (entity.registry) bump(map, entity, 1_000_000);
      counts.set(entity.acronym, map);
    }
    for (const [acronym, map] of counts) this.acronymMap.set(acronym, [...map.entries()].sort((a, b) => b[1] - a[1]).map(([e]) => e));
  }

  /** "Sergei Lavrov" and "Sergey Lavrov": one person, spelt as most sources spell it. */
  private foldVariants(drafts: Map<string, Draft>, firstNames: Set<string>): void {
    const bySurname = new Map<string, Draft[]>();
    for (const draft of drafts.values()) {
      const words = draft.words;
      if (words.length !== 2) continue;
      // A variant spelling may have no type evidence of its own; it joins a person it is one letter away from.
      const type = decideType(draft, firstNames);
      if (type !== 'person' && type !== undefined) continue;
      const group = bySurname.get(words[1]);
      if (group) group.push(draft);
      else bySurname.set(words[1], [draft]);
    }
    for (const group of bySurname.values()) {
      if (group.length < 2) continue;
      group.sort((a, b) => b.mentions.length - a.mentions.length || (a.key < b.key ? -1 : 1));
      for (let i = 1; i < group.length; i++) {
        const variant = group[i];
        const first = variant.words[0];
        for (let j = 0; j < i; j++) {
          const d = group[j];
          if (!d.mergedInto && decideType(d, firstNames) === 'person' && sameNameVariant(d.words[0], first)) {
            variant.mergedInto = d;
            break;
          }
        }
      }
    }
    for (const draft of drafts.values()) {
      let target = draft.mergedInto;
      if (!target) continue;
      while (target.mergedInto) target = target.mergedInto;
      // The variant's spellings become aliases; they never outvote the target's own.
      for (const surface of draft.surfaces.keys()) if (!target.surfaces.has(surface)) target.surfaces.set(surface, 0);
      for (const m of draft.mentions) target.mentions.push(m);
      for (const role of draft.roles) target.roles = pushTo(target.roles, role);
      for (const statement of draft.statements) target.statements = pushTo(target.statements, statement);
      addHints(target.hints, draft.hints);
      target.fullCount += draft.fullCount;
    }
  }

  /** Creates the entities; returns the map from a draft to the entity it became. */
  private finish(drafts: Map<string, Draft>, firstNames: Set<string>, registry: readonly RegistryEntry[], registryUri?: string): (draft: Draft | undefined) => Entity | undefined {
    const made = new Map<Draft, Entity>();
    // Registry entries claim the drafts they name (name, aliases, acronym).
    const claimed = new Map<Draft, RegistryEntry>();
    const registryDrafts = new Map<RegistryEntry, Draft[]>();
    for (const entry of registry) {
      const names = [entry.name, ...entry.aliases.map((a) => a.name), ...(entry.acronym ? [entry.acronym] : [])];
      const found: Draft[] = [];
      for (const name of names) {
        let draft = drafts.get(nameKey(name));
        while (draft?.mergedInto) draft = draft.mergedInto;
        if (draft && !claimed.has(draft) && !found.includes(draft)) {
          claimed.set(draft, entry);
          found.push(draft);
        }
      }
      registryDrafts.set(entry, found);
    }

    const usedIds = new Set<string>(registry.map((e) => e.id));
    const add = (entity: Entity) => {
      this.entities.push(entity);
      this.byId.set(entity.id, entity);
    };

    for (const entry of registry) {
      const parts = registryDrafts.get(entry) ?? [];
      const merged = mergeDrafts(parts, nameKey(entry.name));
      merged.registry = entry;
      const entity = this.entityFrom(merged, firstNames, entry.id, entry.name);
      entity.aliases = [...entity.aliases];
      entity.acronyms = [...entity.acronyms];
      if (entry.role) entity.role = entry.role;
      if (entry.acronym) {
        entity.acronym = entry.acronym;
        if (!entity.aliases.includes(entry.acronym)) entity.aliases.push(entry.acronym);
        if (!entity.acronyms.includes(entry.acronym)) entity.acronyms.push(entry.acronym);
      }
      entity.description = entry.description;
      entity.links = entry.links;
      entity.discouraged = entry.aliases.filter((a) => a.discouraged).map((a) => a.name);
      entity.registryAliases = entry.aliases.filter((a) => !a.discouraged).map((a) => a.name);
      for (const alias of entry.aliases) if (!alias.discouraged && !entity.aliases.includes(alias.name) && alias.name !== entity.name) entity.aliases.push(alias.name);
      if (registryUri) entity.registry = { uri: registryUri, span: entry.span };
      add(entity);
      for (const part of parts) made.set(part, entity);
    }

    const kept: Draft[] = [];
    for (const draft of drafts.values()) if (!draft.mergedInto && !claimed.has(draft) && draft.mentions.length) kept.push(draft);
    kept.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const draft of kept) {
      const name = top(draft.surfaces) ?? draft.key;
      const base = slug(name);
      let id = base;
      for (let n = 2; usedIds.has(id); n++) id = `${base}-${n}`;
      usedIds.add(id);
      const entity = this.entityFrom(draft, firstNames, id);
      add(entity);
      made.set(draft, entity);
    }
    this.index();
    return (draft) => {
      let d = draft;
      while (d?.mergedInto) d = d.mergedInto;
      return d ? made.get(d) : undefined;
    };
  }

  private entityFrom(draft: Draft, firstNames: Set<string>, id: string, canonical?: string): Entity {
    // The role objects are the sources' own (read-only, shared with roleFacts).
    let roles: EntityRole[] = NONE as EntityRole[];
    if (draft.roles.length === 1) {
      roles = [draft.roles[0]];
    } else if (draft.roles.length > 1) {
      const roleCounts = new Map<string, { role: EntityRole; n: number; order: number }>();
      draft.roles.forEach((role, order) => {
        const key = role.text.toLowerCase();
        const seen = roleCounts.get(key);
        if (seen) seen.n++;
        else roleCounts.set(key, { role, n: 1, order });
      });
      roles = [...roleCounts.values()].sort((a, b) => b.n - a.n || a.order - b.order).map((r) => r.role);
    }
    const name = canonical ?? top(draft.surfaces) ?? draft.key;
    const type = decideType(draft, firstNames);
    const aliases = new Set<string>();
    for (const surface of draft.surfaces.keys()) if (surface !== name) aliases.add(surface);
    const acronym = draft.acronyms && top(draft.acronyms);
    if (draft.acronyms) for (const spelling of draft.acronyms.keys()) aliases.add(spelling);
    // The surname alone names a person ("Lavrov"); "Mr/Ms Lavrov" is matched through it, whatever the honorific.
    if (type === 'person') {
      const space = name.lastIndexOf(' ');
      if (space >= 0) aliases.add(name.slice(space + 1));
    }
    const mentions = draft.mentions;
    if (!isInSourceOrder(mentions)) mentions.sort(bySourceOrder);
    return {
      id,
      name,
      type,
      role: roles[0]?.text,
      roles,
      roleFacts: draft.roles,
      acronym,
      acronyms: draft.acronyms ? [...draft.acronyms.keys()] : (NONE as string[]),
      aliases: aliases.size ? [...aliases] : (NONE as string[]),
      // Only registry entities have these: they get their own lists in finish().
      discouraged: NONE as string[],
      registryAliases: NONE as string[],
      links: NONE as EntityLink[],
      mentions,
      statements: draft.statements,
    };
  }

  /** The form lookup map (mentions per source are indexed on first use: only the "who said it" lookups need them). */
  private index(): void {
    const addForm = (form: string, entry: FormEntry) => {
      const key = nameKey(form);
      if (!key) return;
      const list = this.forms.get(key);
      if (!list) this.forms.set(key, [entry]);
      else if (!list.some((e) => e.entity === entry.entity && e.kind === entry.kind)) list.push(entry);
    };
    for (const entity of this.entities) {
      addForm(entity.name, { entity, kind: 'name', surface: entity.name });
      for (const alias of entity.aliases) {
        let kind: FormKind = 'alias';
        if (entity.acronyms.includes(alias)) kind = 'acronym';
        else if (entity.registryAliases.includes(alias)) kind = 'alias';
        else if (entity.type === 'person' && !alias.includes(' ')) kind = 'surname';
        else if (/^(mr|mrs|ms) /i.test(alias)) continue; // "Mr X" is matched through the surname
        else if (entity.type === 'person' && lastWord(alias) === lastWord(entity.name) && alias.split(' ').length === entity.name.split(' ').length) kind = 'variant';
        addForm(alias, { entity, kind, surface: alias });
      }
      for (const discouraged of entity.discouraged) addForm(discouraged, { entity, kind: 'discouraged', surface: discouraged });
    }
  }

  private mentionsBySource: Map<string, Array<SourceMention & { entity: Entity }>> | undefined;

  /** Mentions per source, sorted by offset, with their entity. */
  get bySource(): Map<string, Array<SourceMention & { entity: Entity }>> {
    if (this.mentionsBySource) return this.mentionsBySource;
    const bySource = new Map<string, Array<SourceMention & { entity: Entity }>>();
    for (const entity of this.entities) {
      for (const mention of entity.mentions) {
        const entry = { sourceId: mention.sourceId, span: mention.span, sentence: mention.sentence, form: mention.form, entity };
        const list = bySource.get(mention.sourceId);
        if (list) list.push(entry);
        else bySource.set(mention.sourceId, [entry]);
      }
    }
    for (const list of bySource.values()) list.sort((a, b) => a.span.start - b.span.start);
    return (this.mentionsBySource = bySource);
  }

  /** Entities a form may name, best first (full names before surnames; more mentions first). */
  lookup(form: string): FormEntry[] {
    return this.formsOf(nameKey(form)) ?? [];
  }

  /** The entities mentioned in a source passage, for "who said it" checks. */
  mentionsIn(sourceId: string, span: Span): Array<SourceMention & { entity: Entity }> {
    const list = this.bySource.get(sourceId) ?? [];
    return list.filter((m) => m.span.start < span.end && span.start < m.span.end);
  }

  /** Who a source reports as saying the words at `span` (a statement whose sentence or quotation covers it). */
  speakersOf(sourceId: string, span: Span): Entity[] {
    const found: Entity[] = [];
    for (const entity of this.entities) {
      for (const statement of entity.statements) {
        if (statement.sourceId !== sourceId) continue;
        const covers = (s: Span) => s.start <= span.start && span.end <= s.end;
        if (statement.quotes.some(covers) || covers(statement.sentence)) {
          found.push(entity);
          break;
        }
      }
    }
    return found;
  }
}

function sameNameVariant(a: string, b: string): boolean {
  if (a === b || a.length < 5 || b.length < 5 || a[0] !== b[0]) return false;
  return editDistanceAtMostOne(a, b);
}

function mergeDrafts(parts: Draft[], key: string): Draft {
  const merged = newDraft(key);
  for (const part of parts) {
    for (const [s, n] of part.surfaces) bump(merged.surfaces, s, n);
    addHints(merged.hints, part.hints);
    if (part.acronyms) for (const [a, n] of part.acronyms) bumpAcronym(merged, a, n);
    if (part.roles.length) merged.roles = [...merged.roles, ...part.roles];
    merged.mentions.push(...part.mentions);
    if (part.statements.length) merged.statements = [...merged.statements, ...part.statements];
    merged.fullCount += part.fullCount;
  }
  return merged;
}

function addHints(target: Hints, from: Hints): void {
  target.person += from.person;
  target.organisation += from.organisation;
  target.media += from.media;
  target.place += from.place;
}

function decideType(draft: Draft, firstNames: ReadonlySet<string>): EntityType | undefined {
  if (draft.registry?.type) return draft.registry.type;
  const byKeyword = draft.byKeyword;
  const { person, organisation, media, place } = draft.hints;
  if (byKeyword === 'media' || media > person + organisation) return 'media';
  if (byKeyword === 'organisation' || (draft.acronyms !== undefined && draft.acronyms.size > 0)) return person > organisation * 2 && !byKeyword ? 'person' : 'organisation';
  if (byKeyword === 'place' || place > person) return 'place';
  if (person > 0) return 'person';
  if (organisation > 0) return 'organisation';
  const words = draft.words;
  if (words.length >= 2 && words.length <= 4 && firstNames.has(words[0])) return 'person';
  return undefined;
}

/** Source mentions by source id, then offset. */
function bySourceOrder(a: SourceMention, b: SourceMention): number {
  return a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : a.span.start - b.span.start;
}

function isInSourceOrder(mentions: readonly SourceMention[]): boolean {
  for (let i = 1; i < mentions.length; i++) if (bySourceOrder(mentions[i - 1], mentions[i]) > 0) return false;
  return true;
}
