/**
 * The merged entity knowledge as bytes, so that a warm start whose sources and
 * registry are exactly those it was merged from restores it instead of merging
 * the per-source facts again (the merge allocates ~10,600 entities and ~47,000
 * mentions for the 2,095 bbc articles: most of the engine's warm start).
 *
 * source-facts.ts decides when a restore is valid (same uris, texts, bodies,
 * ids and registry, and the same extraction and merge code — see
 * `codeFingerprint`); this file only writes and reads what a merge made.
 *
 * Layout: a string table (NUL-joined, or a JSON array when a string holds a
 * NUL), then one Int32Array of numbers where strings are table indexes and -1
 * stands for absent:
 *   entities: n, per entity:
 *     flags (1 = made from a registry entry, 2 = has a registry location),
 *     id, name, type, role, acronym,
 *     acronyms n ×str, aliases n ×str, discouraged n ×str, registryAliases n ×str,
 *     links n ×(label, url), [description], [registry uri, start, end],
 *     roleFacts n ×(text, sourceId, start, end), roles n ×(index into roleFacts),
 *     mentions n ×(sourceId, start, end, sentence start, sentence end, form),
 *     statements n ×(sourceId, sentence start, end, verb, quotes n ×(start, end))
 *   forms: n ×(key, entries n ×(entity, kind, surface))
 *   expansions: n ×(sourceId, acronym, expansion, acronym start, end, expansion start, end, kind, entity)
 *   acronyms: n ×(acronym, entities n ×entity)
 * Entities are written in the knowledge's order and referred to by that index.
 */
import type { Span } from '../types';
import { ByteReader, ByteWriter } from '../index-cache';
import type { CaseStats } from './case-stats';
import type { EntityType, NameForm } from './extract';
import { EntityKnowledge, NO_ITEMS, type Entity, type EntityLink, type EntityRole, type EntityStatement, type FormEntry, type FormKind, type SourceMention } from './knowledge';
import type { Location } from '../types';

const TYPES: EntityType[] = ['person', 'organisation', 'place', 'media'];
const FORMS: NameForm[] = ['full', 'single', 'honorific', 'acronym'];
const KINDS: FormKind[] = ['name', 'variant', 'surname', 'acronym', 'alias', 'discouraged'];

const FROM_REGISTRY = 1;
const HAS_LOCATION = 2;

/** Appends the knowledge to `writer` (a string block and a numbers block). */
export function writeKnowledge(writer: ByteWriter, knowledge: EntityKnowledge): void {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const str = (value: string | undefined) => {
    if (value === undefined) return -1;
    let index = stringIndex.get(value);
    if (index === undefined) {
      index = strings.length;
      strings.push(value);
      stringIndex.set(value, index);
    }
    return index;
  };
  const entityIndex = new Map<Entity, number>();
  knowledge.entities.forEach((entity, i) => entityIndex.set(entity, i));
  const indexOf = (entity: Entity) => {
    const index = entityIndex.get(entity);
    if (index === undefined) throw new RangeError('entities cache: an entity outside the knowledge');
    return index;
  };
  const nums: number[] = [];
  const strList = (list: readonly string[]) => {
    nums.push(list.length);
    for (const item of list) nums.push(str(item));
  };

  nums.push(knowledge.entities.length);
  for (const entity of knowledge.entities) {
    const fromRegistry = 'description' in entity;
    nums.push((fromRegistry ? FROM_REGISTRY : 0) | (entity.registry ? HAS_LOCATION : 0));
    nums.push(str(entity.id), str(entity.name), entity.type ? TYPES.indexOf(entity.type) : -1, str(entity.role), str(entity.acronym));
    strList(entity.acronyms);
    strList(entity.aliases);
    strList(entity.discouraged);
    strList(entity.registryAliases);
    nums.push(entity.links.length);
    for (const link of entity.links) nums.push(str(link.label), str(link.url));
    if (fromRegistry) nums.push(str(entity.description));
    if (entity.registry) nums.push(str(entity.registry.uri), entity.registry.span.start, entity.registry.span.end);
    nums.push(entity.roleFacts.length);
    for (const role of entity.roleFacts) nums.push(str(role.text), str(role.sourceId), role.span ? role.span.start : -1, role.span ? role.span.end : -1);
    nums.push(entity.roles.length);
    for (const role of entity.roles) {
      // A merge's roles are its role facts, ranked: the same objects.
      const at = entity.roleFacts.indexOf(role);
      if (at < 0) throw new RangeError('entities cache: a role outside the role facts');
      nums.push(at);
    }
    nums.push(entity.mentions.length);
    for (const m of entity.mentions) nums.push(str(m.sourceId), m.span.start, m.span.end, m.sentence.start, m.sentence.end, FORMS.indexOf(m.form));
    nums.push(entity.statements.length);
    for (const st of entity.statements) {
      nums.push(str(st.sourceId), st.sentence.start, st.sentence.end, str(st.verb), st.quotes.length);
      for (const q of st.quotes) nums.push(q.start, q.end);
    }
  }
  nums.push(knowledge.forms.size);
  for (const [key, entries] of knowledge.forms) {
    nums.push(str(key), entries.length);
    for (const entry of entries) nums.push(indexOf(entry.entity), KINDS.indexOf(entry.kind), str(entry.surface));
  }
  nums.push(knowledge.expansions.length);
  for (const x of knowledge.expansions) {
    nums.push(str(x.sourceId), str(x.acronym), str(x.expansion), x.acronymSpan.start, x.acronymSpan.end, x.expansionSpan.start, x.expansionSpan.end, x.kind === 'initials' ? 1 : 0, indexOf(x.entity));
  }
  nums.push(knowledge.acronyms.size);
  for (const [acronym, entities] of knowledge.acronyms) {
    nums.push(str(acronym), entities.length);
    for (const entity of entities) nums.push(indexOf(entity));
  }
  const json = strings.some((s) => s.includes('\u0000'));
  writer.json({ json });
  writer.string(json ? JSON.stringify(strings) : strings.join('\u0000'));
  writer.array(Int32Array.from(nums));
}

/** Reads what `writeKnowledge` wrote: a knowledge equal to the one written, over `stats`. Throws on damaged bytes. */
export function readKnowledge(reader: ByteReader, stats: CaseStats): EntityKnowledge {
  const { json } = reader.json<{ json: boolean }>();
  const text = reader.string();
  const strings = json ? (JSON.parse(text) as string[]) : text.split('\u0000');
  const nums = reader.int32();
  let at = 0;
  const next = () => {
    if (at >= nums.length) throw new RangeError('entities cache: truncated knowledge');
    return nums[at++];
  };
  const str = (index: number) => {
    if (index < 0 || index >= strings.length) throw new RangeError('entities cache: bad string');
    return strings[index];
  };
  const optional = (index: number) => (index < 0 ? undefined : str(index));
  const strList = (): string[] => {
    const n = next();
    if (!n) return NO_ITEMS as never[];
    const list = new Array<string>(n);
    for (let i = 0; i < n; i++) list[i] = str(next());
    return list;
  };
  const code = <T>(table: readonly T[], index: number): T => {
    const value = table[index];
    if (value === undefined) throw new RangeError('entities cache: bad code');
    return value;
  };
  const span = (): Span => ({ start: next(), end: next() });

  const stored: Stored = { strings, nums };
  const knowledge = EntityKnowledge.restored(stats);
  const entities = knowledge.entities;
  const entityAt = (index: number) => {
    const entity = entities[index];
    if (!entity) throw new RangeError('entities cache: bad entity');
    return entity;
  };
  for (let n = next(); n > 0; n--) {
    const flags = next();
    const id = str(next());
    const name = str(next());
    const typeCode = next();
    const type = typeCode < 0 ? undefined : code(TYPES, typeCode);
    const role = optional(next());
    const acronym = optional(next());
    const acronyms = strList();
    const aliases = strList();
    const discouraged = strList();
    const registryAliases = strList();
    let links: Entity['links'] = NO_ITEMS as never[];
    const linkCount = next();
    if (linkCount) {
      links = [];
      for (let i = 0; i < linkCount; i++) links.push({ label: str(next()), url: str(next()) });
    }
    const description = flags & FROM_REGISTRY ? optional(next()) : undefined;
    const registry = flags & HAS_LOCATION ? { uri: str(next()), span: span() } : undefined;
    let roleFacts: EntityRole[] = NO_ITEMS as never[];
    const roleFactCount = next();
    if (roleFactCount) {
      roleFacts = new Array<EntityRole>(roleFactCount);
      for (let i = 0; i < roleFactCount; i++) {
        const role: EntityRole = { text: str(next()), sourceId: optional(next()) };
        const start = next();
        const end = next();
        if (start >= 0) role.span = { start, end };
        roleFacts[i] = role;
      }
    }
    let roles: EntityRole[] = NO_ITEMS as never[];
    const roleCount = next();
    if (roleCount) {
      roles = new Array<EntityRole>(roleCount);
      for (let i = 0; i < roleCount; i++) roles[i] = code(roleFacts, next());
    }
    // Mentions and statements are most of what is stored: checked now, made into objects when first read.
    const mentionsAt = at + 1;
    const mentionCount = next();
    if (mentionCount < 0 || at + mentionCount * 6 > nums.length) throw new RangeError('entities cache: truncated mentions');
    for (let i = 0; i < mentionCount; i++, at += 6) {
      if (nums[at] < 0 || nums[at] >= strings.length || FORMS[nums[at + 5]] === undefined) throw new RangeError('entities cache: bad mention');
    }
    const statementsAt = at + 1;
    const statementCount = next();
    for (let i = 0; i < statementCount; i++) {
      str(next());
      at += 2;
      str(next());
      const quotes = next();
      if (quotes < 0) throw new RangeError('entities cache: bad quotes');
      at += quotes * 2;
    }
    if (at > nums.length) throw new RangeError('entities cache: truncated statements');
    const entity = new StoredEntity(stored, { id, name, type, role, roles, roleFacts, acronym, acronyms, aliases, discouraged, registryAliases, links }, mentionsAt, mentionCount, statementsAt, statementCount);
    if (flags & FROM_REGISTRY) entity.description = description;
    if (registry) entity.registry = registry;
    entities.push(entity);
    knowledge.byId.set(id, entity);
  }
  for (let n = next(); n > 0; n--) {
    const key = str(next());
    const count = next();
    const entries = new Array<FormEntry>(count);
    for (let i = 0; i < count; i++) entries[i] = { entity: entityAt(next()), kind: code(KINDS, next()), surface: str(next()) };
    knowledge.forms.set(key, entries);
  }
  for (let n = next(); n > 0; n--) {
    knowledge.expansions.push({
      sourceId: str(next()),
      acronym: str(next()),
      expansion: str(next()),
      acronymSpan: span(),
      expansionSpan: span(),
      kind: next() === 1 ? 'initials' : 'parenthesis',
      entity: entityAt(next()),
    });
  }
  for (let n = next(); n > 0; n--) {
    const acronym = str(next());
    const list: Entity[] = [];
    for (let i = next(); i > 0; i--) list.push(entityAt(next()));
    knowledge.acronyms.set(acronym, list);
  }
  if (at !== nums.length) throw new RangeError('entities cache: trailing knowledge data');
  return knowledge;
}

/** The decoded string table and numbers a restored knowledge reads its mentions and statements from. */
interface Stored {
  strings: string[];
  nums: Int32Array;
}

type EntityFields = Pick<Entity, 'id' | 'name' | 'type' | 'role' | 'roles' | 'roleFacts' | 'acronym' | 'acronyms' | 'aliases' | 'discouraged' | 'registryAliases' | 'links'>;

/**
 * An entity restored from the cache. Its ~47,000 mentions (three objects each)
 * and its statements are made on first read: a fresh process allocating them
 * all up front spent most of a restore in the collector, and a check reads the
 * mentions of the few entities its piece names. Serialises as a merged entity does.
 */
class StoredEntity implements Entity {
  id: string;
  name: string;
  type: EntityType | undefined;
  role: string | undefined;
  roles: EntityRole[];
  roleFacts: EntityRole[];
  acronym: string | undefined;
  acronyms: string[];
  aliases: string[];
  discouraged: string[];
  registryAliases: string[];
  links: EntityLink[];
  /** Set (possibly to undefined) only on entities made from a registry entry, as a merge does. */
  declare description?: string;
  declare registry?: Location;
  private madeMentions: SourceMention[] | undefined;
  private madeStatements: EntityStatement[] | undefined;

  constructor(
    private readonly stored: Stored,
    fields: EntityFields,
    private readonly mentionsAt: number,
    private readonly mentionCount: number,
    private readonly statementsAt: number,
    private readonly statementCount: number,
  ) {
    this.id = fields.id;
    this.name = fields.name;
    this.type = fields.type;
    this.role = fields.role;
    this.roles = fields.roles;
    this.roleFacts = fields.roleFacts;
    this.acronym = fields.acronym;
    this.acronyms = fields.acronyms;
    this.aliases = fields.aliases;
    this.discouraged = fields.discouraged;
    this.registryAliases = fields.registryAliases;
    this.links = fields.links;
  }

  get mentions(): SourceMention[] {
    if (this.madeMentions) return this.madeMentions;
    const { strings, nums } = this.stored;
    const mentions = new Array<SourceMention>(this.mentionCount);
    for (let i = 0, at = this.mentionsAt; i < mentions.length; i++, at += 6) {
      mentions[i] = { sourceId: strings[nums[at]], span: { start: nums[at + 1], end: nums[at + 2] }, sentence: { start: nums[at + 3], end: nums[at + 4] }, form: FORMS[nums[at + 5]] };
    }
    return (this.madeMentions = mentions);
  }

  get statements(): EntityStatement[] {
    if (this.madeStatements) return this.madeStatements;
    if (!this.statementCount) return (this.madeStatements = NO_ITEMS as never[]);
    const { strings, nums } = this.stored;
    const statements = new Array<EntityStatement>(this.statementCount);
    let at = this.statementsAt;
    for (let i = 0; i < statements.length; i++) {
      const sourceId = strings[nums[at]];
      const sentence = { start: nums[at + 1], end: nums[at + 2] };
      const verb = strings[nums[at + 3]];
      const quotes: Span[] = [];
      const quoteCount = nums[at + 4];
      at += 5;
      for (let q = 0; q < quoteCount; q++, at += 2) quotes.push({ start: nums[at], end: nums[at + 1] });
      statements[i] = { sourceId, sentence, quotes, verb };
    }
    return (this.madeStatements = statements);
  }

  /** The properties in the order a merge makes them, so a serialised knowledge compares equal. */
  toJSON(): Entity {
    const json: Entity = {
      id: this.id,
      name: this.name,
      type: this.type,
      role: this.role,
      roles: this.roles,
      roleFacts: this.roleFacts,
      acronym: this.acronym,
      acronyms: this.acronyms,
      aliases: this.aliases,
      discouraged: this.discouraged,
      registryAliases: this.registryAliases,
      links: this.links,
      mentions: this.mentions,
      statements: this.statements,
    };
    if ('description' in this) json.description = this.description;
    if (this.registry) json.registry = this.registry;
    return json;
  }
}
