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
 * Layout: a string table (the strings' UTF-8 bytes, and where each starts),
 * then one Int32Array of numbers where strings are table indexes and -1
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
 * Then where each entity and each form's entries start, each form's key, and
 * the forms' key hashes sorted with the form each belongs to (a restore finds
 * a form by its key's hash, `StoredKnowledge.formsOf`).
 */
import type { Span } from '../types';
import { ByteReader, ByteWriter } from '../index-cache';
import type { CaseStats } from './case-stats';
import type { EntityType, NameForm } from './extract';
import { EntityKnowledge, NO_ITEMS, type StoredEntities, type Entity, type EntityLink, type ExpansionFact, type EntityRole, type EntityStatement, type FormEntry, type FormKind, type SourceMention } from './knowledge';
import type { Location } from '../types';
import { StoredStrings, StringTable } from './string-table';
import { upperBound } from '../sorted';

const TYPES: EntityType[] = ['person', 'organisation', 'place', 'media'];
const FORMS: NameForm[] = ['full', 'single', 'honorific', 'acronym'];
const KINDS: FormKind[] = ['name', 'variant', 'surname', 'acronym', 'alias', 'discouraged'];

const FROM_REGISTRY = 1;
const HAS_LOCATION = 2;

/** Appends the knowledge to `writer` (a string block and a numbers block). */
export function writeKnowledge(writer: ByteWriter, knowledge: EntityKnowledge): void {
  const table = new StringTable();
  const str = table.index;
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

  const entityStarts: number[] = [];
  nums.push(knowledge.entities.length);
  for (const entity of knowledge.entities) {
    entityStarts.push(nums.length);
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
  const formKeys: number[] = [];
  const formStarts: number[] = [];
  nums.push(knowledge.forms.size);
  for (const [key, entries] of knowledge.forms) {
    nums.push(str(key));
    formKeys.push(str(key));
    formStarts.push(nums.length);
    nums.push(entries.length);
    for (const entry of entries) nums.push(indexOf(entry.entity), KINDS.indexOf(entry.kind), str(entry.surface));
  }
  const restAt = nums.length;
  nums.push(knowledge.expansions.length);
  for (const x of knowledge.expansions) {
    nums.push(str(x.sourceId), str(x.acronym), str(x.expansion), x.acronymSpan.start, x.acronymSpan.end, x.expansionSpan.start, x.expansionSpan.end, x.kind === 'initials' ? 1 : 0, indexOf(x.entity));
  }
  nums.push(knowledge.acronyms.size);
  for (const [acronym, entities] of knowledge.acronyms) {
    nums.push(str(acronym), entities.length);
    for (const entity of entities) nums.push(indexOf(entity));
  }
  // The forms by the hash of their key, for a restore to look a key up without making a map of them all.
  const hashes = [...knowledge.forms.keys()].map(formHash);
  const byHash = hashes.map((_, i) => i).sort((a, b) => hashes[a] - hashes[b] || a - b);
  const strings = table.encodeBytes();
  writer.json({ restAt });
  writer.bytes(strings.bytes);
  writer.array(strings.starts);
  writer.array(Int32Array.from(nums));
  writer.array(Int32Array.from(entityStarts));
  writer.array(Int32Array.from(formKeys));
  writer.array(Int32Array.from(formStarts));
  writer.array(Int32Array.from(byHash, (i) => hashes[i]));
  writer.array(Int32Array.from(byHash));
}

/** A 32-bit hash of a form's key (FNV-1a over its UTF-16 units); exported for tests, which need two keys that share one. */
export function formHash(key: string): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash;
}

/**
 * Reads what `writeKnowledge` wrote: a knowledge equal to the one written,
 * over `stats`. Everything is checked now (damaged bytes throw here, never in
 * a later lookup), but an entity and the entries of a form are made into
 * objects only when first asked for: a check reads the few its piece names.
 */
export function readKnowledge(reader: ByteReader, stats: CaseStats): EntityKnowledge {
  const { restAt } = reader.json<{ restAt: number }>();
  const strings = new StoredStrings(reader.bytes(), reader.int32());
  const nums = reader.int32();
  const stored = new StoredKnowledge({ strings, nums }, restAt, reader.int32(), reader.int32(), reader.int32(), reader.int32(), reader.int32());
  return EntityKnowledge.restored(stats, stored);
}

/** A cursor over the numbers, every read checked. */
class Cursor {
  at = 0;
  constructor(readonly data: Stored) {}

  next(): number {
    if (this.at >= this.data.nums.length) throw new RangeError('entities cache: truncated knowledge');
    return this.data.nums[this.at++];
  }

  count(): number {
    const n = this.next();
    if (n < 0 || this.at + n > this.data.nums.length) throw new RangeError('entities cache: bad count');
    return n;
  }

  str(): string {
    const value = this.data.strings.at(this.next());
    if (value === undefined) throw new RangeError('entities cache: bad string');
    return value;
  }

  optional(): string | undefined {
    const index = this.next();
    if (index < 0) return undefined;
    const value = this.data.strings.at(index);
    if (value === undefined) throw new RangeError('entities cache: bad string');
    return value;
  }

  code<T>(table: readonly T[]): T {
    const value = table[this.next()];
    if (value === undefined) throw new RangeError('entities cache: bad code');
    return value;
  }

  optionalCode<T>(table: readonly T[]): T | undefined {
    if (this.data.nums[this.at] < 0) {
      this.at++;
      return undefined;
    }
    return this.code(table);
  }

  strList(): string[] {
    const n = this.count();
    if (!n) return NO_ITEMS as never[];
    const list = new Array<string>(n);
    for (let i = 0; i < n; i++) list[i] = this.str();
    return list;
  }

  span(): Span {
    return { start: this.next(), end: this.next() };
  }
}

/** The entities and forms of a restored knowledge, made on first use (EntityKnowledge asks through StoredEntities). */
class StoredKnowledge implements StoredEntities {
  /** Where each entity's record starts. */
  private readonly entityOffsets: Int32Array;
  private readonly made: Array<StoredEntity | undefined>;
  private readonly madeForms = new Map<string, FormEntry[]>();
  /** Where each acronym's list of entities starts (read when one is asked for, `acronymEntities`). */
  private readonly acronymStarts = new Map<string, number>();
  private readonly madeAcronyms = new Map<string, Entity[]>();

  /**
   * Takes where each entity and each form's entries start, as written, instead
   * of walking ~600,000 numbers to find them (most of a restore, in a fresh
   * process, was that walk), and the forms sorted by the hash of their key
   * (`formsOf` finds a key by it: making a map of ~30,000 keys was a third of
   * a restore). Each record is checked as it is read; the section is written
   * whole and atomically, and a truncated one is refused by length.
   */
  constructor(
    private readonly data: Stored,
    /** Where the expansions and acronyms start, after the entities and forms. */
    private readonly restAt: number,
    entityStarts: Int32Array,
    /** Each form's key (a string's index) and where its entries start, in the order written. */
    private readonly formKeys: Int32Array,
    private readonly formStarts: Int32Array,
    /** The forms' key hashes in ascending order, and the form each belongs to. */
    private readonly formHashes: Int32Array,
    private readonly formsByHash: Int32Array,
  ) {
    const length = data.nums.length;
    const forms = formKeys.length;
    if (data.nums[0] !== entityStarts.length || formStarts.length !== forms || formHashes.length !== forms || formsByHash.length !== forms) throw new RangeError('entities cache: bad knowledge tables');
    let previous = 0;
    for (let i = 0; i < entityStarts.length; i++) {
      if (!(entityStarts[i] > previous && entityStarts[i] < length)) throw new RangeError('entities cache: bad entity offset');
      previous = entityStarts[i];
    }
    const strings = data.strings.count;
    const listed = new Uint8Array(forms);
    for (let i = 0; i < forms; i++) {
      if (!(formKeys[i] >= 0 && formKeys[i] < strings) || !(formStarts[i] > 0 && formStarts[i] < length)) throw new RangeError('entities cache: bad form');
      const form = formsByHash[i];
      if (!(form >= 0 && form < forms) || listed[form] || (i && formHashes[i] < formHashes[i - 1])) throw new RangeError('entities cache: bad form table');
      listed[form] = 1;
    }
    this.entityOffsets = entityStarts;
    this.made = new Array<StoredEntity | undefined>(entityStarts.length);
    this.indexRest();
  }

  /**
   * Checks the expansions and acronyms (every string and entity they name is
   * in the knowledge, and they end the numbers) and notes where each
   * acronym's entities start, without making any entity: a check asks for
   * the few acronyms its piece uses without spelling them out.
   */
  private indexRest(): void {
    const cursor = new Cursor(this.data);
    cursor.at = this.restAt;
    const strings = this.data.strings.count;
    const entities = this.entityOffsets.length;
    const string = () => {
      const index = cursor.next();
      if (!(index >= 0 && index < strings)) throw new RangeError('entities cache: bad string');
      return index;
    };
    const entity = () => {
      const index = cursor.next();
      if (!(index >= 0 && index < entities)) throw new RangeError('entities cache: bad entity');
    };
    for (let n = cursor.count(); n > 0; n--) {
      string();
      string();
      string();
      cursor.span();
      cursor.span();
      if (cursor.next() >>> 1) throw new RangeError('entities cache: bad expansion kind');
      entity();
    }
    for (let n = cursor.count(); n > 0; n--) {
      const acronym = this.data.strings.at(string())!;
      this.acronymStarts.set(acronym, cursor.at);
      for (let i = cursor.count(); i > 0; i--) entity();
    }
    if (cursor.at !== this.data.nums.length) throw new RangeError('entities cache: trailing knowledge data');
  }

  acronymEntities(acronym: string): Entity[] | undefined {
    const made = this.madeAcronyms.get(acronym);
    if (made) return made;
    const at = this.acronymStarts.get(acronym);
    if (at === undefined) return undefined;
    const cursor = new Cursor(this.data);
    cursor.at = at;
    const list: Entity[] = [];
    for (let i = cursor.count(); i > 0; i--) list.push(this.entityAt(cursor.next()));
    this.madeAcronyms.set(acronym, list);
    return list;
  }

  allExpansionsAndAcronyms(): { expansions: ExpansionFact[]; acronyms: Map<string, Entity[]> } {
    const cursor = new Cursor(this.data);
    cursor.at = this.restAt;
    const expansions: ExpansionFact[] = [];
    for (let n = cursor.count(); n > 0; n--) {
      expansions.push({
        sourceId: cursor.str(),
        acronym: cursor.str(),
        expansion: cursor.str(),
        acronymSpan: cursor.span(),
        expansionSpan: cursor.span(),
        kind: cursor.next() === 1 ? 'initials' : 'parenthesis',
        entity: this.entityAt(cursor.next()),
      });
    }
    const acronyms = new Map<string, Entity[]>();
    for (const acronym of this.acronymStarts.keys()) acronyms.set(acronym, this.acronymEntities(acronym)!);
    return { expansions, acronyms };
  }

  entityAt(index: number): Entity {
    let entity = this.made[index];
    if (entity) return entity;
    if (!(index >= 0 && index < this.entityOffsets.length)) throw new RangeError('entities cache: bad entity');
    const cursor = new Cursor(this.data);
    cursor.at = this.entityOffsets[index];
    entity = readEntity(cursor, this.data);
    this.made[index] = entity;
    return entity;
  }

  formsOf(key: string): FormEntry[] | undefined {
    const entries = this.madeForms.get(key);
    if (entries) return entries;
    const at = this.formStart(key);
    return at === undefined ? undefined : this.formEntriesAt(key, at);
  }

  /** The entries of the form `key`, whose list starts at `at`, made and kept for the next ask. */
  private formEntriesAt(key: string, at: number): FormEntry[] {
    const cursor = new Cursor(this.data);
    cursor.at = at;
    const count = cursor.count();
    const entries = new Array<FormEntry>(count);
    for (let i = 0; i < count; i++) entries[i] = { entity: this.entityAt(cursor.next()), kind: cursor.code(KINDS), surface: cursor.str() };
    this.madeForms.set(key, entries);
    return entries;
  }

  allEntities(): Entity[] {
    const all = new Array<Entity>(this.entityOffsets.length);
    for (let i = 0; i < all.length; i++) all[i] = this.entityAt(i);
    return all;
  }

  allForms(): Map<string, FormEntry[]> {
    const all = new Map<string, FormEntry[]>();
    // Every form in the order written, each read where it starts (no search by hash).
    this.formKeys.forEach((index, form) => {
      const key = this.data.strings.at(index)!;
      all.set(key, this.madeForms.get(key) ?? this.formEntriesAt(key, this.formStarts[form]));
    });
    return all;
  }

  /** Where the entries of the form with this key start; undefined when the knowledge has no such form. */
  private formStart(key: string): number | undefined {
    const hash = formHash(key);
    for (let i = upperBound(this.formHashes, hash - 1); i < this.formHashes.length && this.formHashes[i] === hash; i++) {
      const form = this.formsByHash[i];
      if (this.data.strings.at(this.formKeys[form]) === key) return this.formStarts[form];
    }
    return undefined;
  }
}

/**
 * Reads one entity's record at the cursor, checking every value. Mentions and
 * statements are checked here but stay in the numbers until first read
 * (StoredEntity).
 */
function readEntity(cursor: Cursor, data: Stored): StoredEntity {
  const flags = cursor.next();
  const id = cursor.str();
  const name = cursor.str();
  const type = cursor.optionalCode(TYPES);
  const role = cursor.optional();
  const acronym = cursor.optional();
  const acronyms = cursor.strList();
  const aliases = cursor.strList();
  const discouraged = cursor.strList();
  const registryAliases = cursor.strList();
  let links: Entity['links'] = NO_ITEMS as never[];
  const linkCount = cursor.count();
  if (linkCount) {
    links = [];
    for (let i = 0; i < linkCount; i++) links.push({ label: cursor.str(), url: cursor.str() });
  }
  const description = flags & FROM_REGISTRY ? cursor.optional() : undefined;
  const registry = flags & HAS_LOCATION ? { uri: cursor.str(), span: cursor.span() } : undefined;
  let roleFacts: EntityRole[] = NO_ITEMS as never[];
  const roleFactCount = cursor.count();
  if (roleFactCount) {
    roleFacts = new Array<EntityRole>(roleFactCount);
    for (let i = 0; i < roleFactCount; i++) {
      const role: EntityRole = { text: cursor.str(), sourceId: cursor.optional() };
      const start = cursor.next();
      const end = cursor.next();
      if (start >= 0) role.span = { start, end };
      roleFacts[i] = role;
    }
  }
  let roles: EntityRole[] = NO_ITEMS as never[];
  const roleCount = cursor.count();
  if (roleCount) {
    roles = new Array<EntityRole>(roleCount);
    for (let i = 0; i < roleCount; i++) roles[i] = cursor.code(roleFacts);
  }
  const { nums } = data;
  const strings = data.strings.count;
  const mentionsAt = cursor.at + 1;
  const mentionCount = cursor.next();
  if (mentionCount < 0 || cursor.at + mentionCount * 6 > nums.length) throw new RangeError('entities cache: truncated mentions');
  for (let i = 0, at = cursor.at; i < mentionCount; i++, at += 6) {
    if (!(nums[at] >= 0 && nums[at] < strings) || FORMS[nums[at + 5]] === undefined) throw new RangeError('entities cache: bad mention');
  }
  cursor.at += mentionCount * 6;
  const statementsAt = cursor.at + 1;
  const statementCount = cursor.count();
  for (let i = 0; i < statementCount; i++) {
    cursor.str();
    cursor.at += 2;
    cursor.str();
    const quotes = cursor.count();
    cursor.at += quotes * 2;
  }
  if (cursor.at > nums.length) throw new RangeError('entities cache: truncated statements');
  const entity = new StoredEntity(data, { id, name, type, role, roles, roleFacts, acronym, acronyms, aliases, discouraged, registryAliases, links }, mentionsAt, mentionCount, statementsAt, statementCount);
  if (flags & FROM_REGISTRY) entity.description = description;
  if (registry) entity.registry = registry;
  return entity;
}

/** The decoded string table and numbers a restored knowledge reads its mentions and statements from. */
interface Stored {
  strings: StoredStrings;
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
      mentions[i] = { sourceId: strings.at(nums[at])!, span: { start: nums[at + 1], end: nums[at + 2] }, sentence: { start: nums[at + 3], end: nums[at + 4] }, form: FORMS[nums[at + 5]] };
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
      const sourceId = strings.at(nums[at])!;
      const sentence = { start: nums[at + 1], end: nums[at + 2] };
      const verb = strings.at(nums[at + 3])!;
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
