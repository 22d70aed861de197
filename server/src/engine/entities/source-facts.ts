/**
 * Per-source facts (extract.ts) kept between knowledge builds, so that a
 * changed source costs one extraction and a merge, not a pass over the whole
 * corpus; and persisted in the index cache (section 'entities') so that a
 * reopened workspace extracts nothing.
 *
 * Extraction asks one thing of the whole corpus: whether a capitalised word
 * at a sentence start is mostly written in lower case (CaseStats). The facts
 * record each question with its answer; kept facts are re-extracted when the
 * corpus now answers one of them differently. The case statistics are counts
 * summed over the sources, kept up to date by adding and removing one source's
 * text at a time. So the knowledge merged from these facts is the knowledge a
 * from-scratch build gives (test/engine/entities-incremental.test.ts).
 */
import type { Source } from '../types';
import type { RegistryEntry } from '../registry';
import { ByteReader, ByteWriter, contentKey, KeyHash, sourceContentKey, type CacheProduct } from '../index-cache';
import { CaseStats } from './case-stats';
import { SentenceScanner } from './scan';
import { extractSource, NO_ROLES, type NameForm, type NameOccurrence, type SourceFacts, type EntityType } from './extract';
import { EntityKnowledge } from './knowledge';
import { readKnowledge, writeKnowledge } from './knowledge-cache';
import { decodeStringTable, StringTable } from './string-table';

export const ENTITIES_SECTION = 'entities';
/**
 * An extraction's share of `refresh`'s work budget, against 1 for counting a
 * source into the case statistics: on the 2,095 BBC articles, counting takes
 * ~0.1 ms a source and extracting ~0.3–0.5 ms.
 */
export const EXTRACTION_WORK = 4;
/** 6: the knowledge's sources key made of each source's key (5: the rows apart from the header, and the knowledge's sources as one key; 4: the knowledge's strings as UTF-8 with their starts, its forms by hash). */
const FORMAT_VERSION = 6;

interface Entry {
  /** The source the facts were extracted from (its text and body). */
  source: Source;
  facts: SourceFacts;
  /** The `statsVersion` whose answers the facts were last found to agree with (-1: not yet). */
  answeredAt: number;
}

/** What the last refresh did (tests and the benchmark read it). */
export interface RefreshCounts {
  extracted: number;
  kept: number;
  restored: number;
  /** Kept or restored facts extracted again because the corpus now answers one of their questions differently. */
  revalidated: number;
}

export class SourceFactsStore {
  /**
   * `buildId` (a hash of the running code, from the embedder) names the code
   * that writes and reads the section: then no probe runs (`codeFingerprint`
   * costs ~25-30 ms on a fresh thread, most of it compiling the extraction, which a
   * warm start with unchanged sources never runs). A new build drops the facts
   * of the old one even if it extracts the same way: one cold build per upgrade.
   */
  constructor(private readonly buildId?: string) {}

  /** What the section is stamped with, and what an imported one must be stamped with. */
  private get codeStamp(): string {
    return this.buildId !== undefined ? `build:${this.buildId}` : codeFingerprint();
  }

  /** Facts by source uri, consistent with `stats` after `refresh`. */
  private readonly entries = new Map<string, Entry>();
  private stats = new CaseStats();
  /** Bumped whenever `stats` changes: facts checked against this version need no check again. */
  private statsVersion = 0;
  /** The sources `stats` counts, by uri. */
  private readonly counted = new Map<string, Source>();
  private imported: ImportedFacts | undefined;
  /** The section as imported: exported again as it is while the knowledge was never needed. */
  private importedBytes: Uint8Array | undefined;
  /** Whether the knowledge was asked for (only then are facts extracted for an export). */
  private used = false;
  private readonly scanner = new SentenceScanner();
  /** Facts changed since the last import or export. */
  private changed = false;
  last: RefreshCounts = { extracted: 0, kept: 0, restored: 0, revalidated: 0 };
  /** Bumped whenever a source's facts change: the last knowledge is exported only if it was merged from the current facts. */
  private factsVersion = 0;
  /** The last knowledge made, what it was made from, and the facts version it was merged at. */
  private lastKnowledge: { knowledge: EntityKnowledge; ids: Map<string, string>; registry: string; factsVersion: number } | undefined;
  /**
   * Sources whose merged knowledge was restored from the import without
   * decoding their facts: they stay in the import until a refresh sees a
   * different set of sources (then every one is decoded, as a restore would).
   */
  private restoredOnly: Map<string, Source> | undefined;
  /** Whether the last `knowledge` call restored the imported knowledge rather than merging (tests and the benchmark read it). */
  lastKnowledgeRestored = false;

  /**
   * Brings the facts and case statistics up to date with `sources`; extracts
   * only what it cannot reuse. With a `budget` (work units: a source counted
   * into the case statistics is 1, an extraction EXTRACTION_WORK), it stops
   * once the budget is spent and returns false; calling it again goes on
   * where it stopped, so a caller can spread a cold build over short steps.
   * The statistics are complete before the first extraction either way.
   */
  refresh(sources: Iterable<Source>, budget = Infinity): boolean {
    const current = new Map<string, Source>();
    for (const source of sources) current.set(source.uri, source);
    const counts: RefreshCounts = { extracted: 0, kept: 0, restored: 0, revalidated: 0 };
    if (this.restoredOnly) {
      if (sameSources(this.restoredOnly, current)) {
        this.last = { ...counts, restored: current.size };
        return true;
      }
      this.restoredOnly = undefined;
    }
    if (this.imported && !this.imported.madeBy(this.codeStamp)) this.dropImport();

    let work = 0;
    if (!this.counted.size && this.imported?.coversExactly(current)) {
      this.stats = this.imported.stats();
      this.statsVersion++;
      for (const [uri, source] of current) this.counted.set(uri, source);
    } else {
      for (const [uri, old] of this.counted) {
        const now = current.get(uri);
        if (now && sameText(old, now)) continue;
        this.stats.remove(old.text, old.body.start, old.body.end);
        this.statsVersion++;
        this.counted.delete(uri);
      }
      for (const [uri, source] of current) {
        if (this.counted.has(uri)) continue;
        if (work >= budget) return false;
        this.stats.add(source.text, source.body.start, source.body.end);
        this.statsVersion++;
        this.counted.set(uri, source);
        work++;
      }
    }

    for (const uri of this.entries.keys()) {
      if (current.has(uri)) continue;
      this.entries.delete(uri);
      this.changed = true;
      this.factsVersion++;
    }
    const answers = new Map<string, boolean>();
    const stillAnswered = (facts: SourceFacts) => {
      const words = facts.commonWords;
      for (let i = 0; i < words.length; i++) {
        let answer = answers.get(words[i]);
        if (answer === undefined) answers.set(words[i], (answer = this.stats.isCommonWord(words[i])));
        if (answer !== facts.commonAnswers[i]) return false;
      }
      return true;
    };
    for (const [uri, source] of current) {
      const entry = this.entries.get(uri);
      // Checked since the statistics last changed (an earlier step of a build spread over several): nothing to ask again.
      if (entry && entry.source === source && entry.answeredAt === this.statsVersion) {
        counts.kept++;
        continue;
      }
      const reusable = entry && (entry.source === source || sameText(entry.source, source)) ? entry.facts : this.imported?.factsOf(source);
      if (reusable && stillAnswered(reusable)) {
        if (reusable === entry?.facts) {
          entry.source = source;
          entry.answeredAt = this.statsVersion;
          counts.kept++;
        } else {
          this.entries.set(uri, { source, facts: reusable, answeredAt: this.statsVersion });
          counts.restored++;
        }
        continue;
      }
      if (work >= budget) {
        this.last = counts;
        return false;
      }
      if (reusable) counts.revalidated++;
      this.entries.set(uri, { source, facts: extractSource(source.text, source.body, this.stats, this.scanner), answeredAt: this.statsVersion });
      counts.extracted++;
      work += EXTRACTION_WORK;
      this.changed = true;
      this.factsVersion++;
    }
    this.last = counts;
    return true;
  }

  /**
   * Up to `budget` of the work `knowledge` would do before its merge (see
   * `refresh`); nothing when `knowledge` will restore the imported knowledge
   * as it is. True when only the merge is left.
   */
  prepareSome(sources: readonly Source[], registry: readonly RegistryEntry[], registryUri: string | undefined, budget: number): boolean {
    if (this.restorable(sources, registryKeyOf(registry, registryUri))) return true;
    return this.refresh(sources, budget);
  }

  /** The knowledge of `sources` (refreshed first) with a registry laid over it. */
  knowledge(sources: readonly Source[], registry: readonly RegistryEntry[], registryUri?: string): EntityKnowledge {
    const started = Date.now();
    this.used = true;
    const registryKey = registryKeyOf(registry, registryUri);
    const restored = this.restore(sources, registryKey);
    if (restored) {
      restored.buildMs = Date.now() - started;
      return restored;
    }
    this.refresh(sources);
    // Same sources as a restore, another registry: the merge needs the facts the restore left undecoded
    // (extracted again for any source whose facts the import cannot give: damaged rows).
    if (!this.materialise()) this.refresh(sources);
    // What the import held is adopted or stale now; its buffer need not stay alive.
    this.dropImport();
    const identified = sources.map((source) => ({ id: source.id, facts: this.entries.get(source.uri)!.facts }));
    const knowledge = EntityKnowledge.merge({ sources: identified, stats: this.stats, registry, registryUri });
    this.lastKnowledge = { knowledge, ids: idsByUri(sources), registry: registryKey, factsVersion: this.factsVersion };
    this.lastKnowledgeRestored = false;
    knowledge.buildMs = Date.now() - started;
    return knowledge;
  }

  /**
   * The imported knowledge, when nothing was refreshed since the import and it
   * was merged from exactly these sources (uri, text, body, id) and registry,
   * by this code; undefined otherwise. Facts stay undecoded in the import.
   */
  private restore(sources: readonly Source[], registryKey: string): EntityKnowledge | undefined {
    const imported = this.imported;
    const current = this.restorable(sources, registryKey);
    if (!imported || !current) return undefined;
    let knowledge: EntityKnowledge;
    try {
      this.stats = imported.stats();
      this.statsVersion++;
      knowledge = imported.knowledge(this.stats);
    } catch {
      this.stats = new CaseStats();
      this.statsVersion++;
      return undefined;
    }
    for (const [uri, source] of current) this.counted.set(uri, source);
    this.restoredOnly = current;
    this.lastKnowledgeRestored = true;
    this.lastKnowledge = { knowledge, ids: idsByUri(sources), registry: registryKey, factsVersion: this.factsVersion };
    this.last = { extracted: 0, kept: 0, restored: current.size, revalidated: 0 };
    return knowledge;
  }

  /** The sources by uri when `restore` can take the imported knowledge for them as it is; undefined otherwise. */
  private restorable(sources: readonly Source[], registryKey: string): Map<string, Source> | undefined {
    const imported = this.imported;
    if (!imported || this.counted.size || this.entries.size || !imported.hasKnowledge || !imported.madeBy(this.codeStamp)) return undefined;
    const current = new Map<string, Source>();
    for (const source of sources) current.set(source.uri, source);
    return imported.knowledgeMadeFrom(current, registryKey) ? current : undefined;
  }

  private dropImport(): void {
    this.imported = undefined;
    this.importedBytes = undefined;
  }

  /**
   * True when the facts of `sources` differ from the last import or export.
   * An engine that never needed the knowledge (a CLI thread running other
   * rules) extracts nothing for the cache: for it, nothing changed.
   */
  dirtyFor(sources: Iterable<Source>): boolean {
    if (!this.used) return false;
    this.refresh(sources);
    return this.changed;
  }

  /**
   * The section bytes: every source's facts (keyed by uri and contentKey of
   * its text) and the case statistics they were extracted against. An engine
   * that never needed the knowledge gives back the section it imported.
   */
  exportSection(sources: Iterable<Source>): Uint8Array {
    if (!this.used) return this.importedBytes ?? encodeFacts([], new CaseStats(), undefined, this.codeStamp);
    this.refresh(sources);
    this.changed = false;
    // Restored and unchanged since: the import is what an export would write.
    if (this.restoredOnly && this.importedBytes) return this.importedBytes;
    const current = [...this.entries.values()].map((entry) => entry.source);
    const last = this.lastKnowledge;
    const knowledge = last && last.factsVersion === this.factsVersion && sameIds(last.ids, current) ? last : undefined;
    return encodeFacts([...this.entries.values()], this.stats, knowledge && { knowledge: knowledge.knowledge, registry: knowledge.registry }, this.codeStamp);
  }

  /**
   * Decodes the facts a restore left in the import (an export needs every
   * source's facts). False when the import could not give some (its rows are
   * damaged): a refresh then extracts those.
   */
  private materialise(): boolean {
    const restored = this.restoredOnly;
    if (!restored) return true;
    this.restoredOnly = undefined;
    let complete = true;
    for (const [uri, source] of restored) {
      const facts = this.imported?.factsOf(source);
      if (facts) this.entries.set(uri, { source, facts, answeredAt: -1 });
      else complete = false;
    }
    return complete;
  }

  /** Holds a section's facts until sources with the same text are refreshed; returns how many sources it holds (0 for bad bytes). */
  importSection(bytes: Uint8Array): number {
    try {
      this.imported = ImportedFacts.decode(bytes);
      this.importedBytes = bytes;
    } catch {
      this.imported = undefined;
      this.importedBytes = undefined;
    }
    return this.imported?.size ?? 0;
  }
}

/** The store as a product of the persisted cache; `sources` gives the current ones (refreshed before an export). */
export function entitiesCacheProduct(store: SourceFactsStore, sources: () => Iterable<Source>): CacheProduct {
  return {
    section: ENTITIES_SECTION,
    exportSection: () => store.exportSection(sources()),
    importSection: (bytes) => store.importSection(bytes),
    get dirty() {
      return store.dirtyFor(sources());
    },
  };
}

function isRow(value: unknown): value is Row {
  return Array.isArray(value) && value.length === 5 && typeof value[0] === 'string' && typeof value[1] === 'string' && value.slice(2).every(Number.isInteger);
}

function sameText(a: Source, b: Source): boolean {
  return a.text === b.text && a.body.start === b.body.start && a.body.end === b.body.end;
}

/** Same uris, and each the same object or the same text and body. */
function sameSources(a: ReadonlyMap<string, Source>, b: ReadonlyMap<string, Source>): boolean {
  if (a.size !== b.size) return false;
  for (const [uri, source] of a) {
    const other = b.get(uri);
    if (!other || (other !== source && !sameText(source, other))) return false;
  }
  return true;
}

function idsByUri(sources: Iterable<Source>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const source of sources) ids.set(source.uri, source.id);
  return ids;
}

function sameIds(ids: ReadonlyMap<string, string>, sources: readonly Source[]): boolean {
  if (ids.size !== sources.length) return false;
  for (const source of sources) if (ids.get(source.uri) !== source.id) return false;
  return true;
}

/** Everything of the registry the merge reads, as one comparable string. */
export function registryKeyOf(registry: readonly RegistryEntry[], registryUri: string | undefined): string {
  return registry.length ? JSON.stringify([registryUri ?? null, registry]) : '';
}

let fingerprint: string | undefined;

/**
 * A hash of what this code's extraction and merge make of a small probe
 * corpus (news shapes: titles, appositions, honorifics, an acronym, a spelling
 * variant, a registry entry). Stored with the section: facts or knowledge
 * written by code that extracts or merges differently are never used, without
 * a version number somebody must remember to bump.
 */
export function codeFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const probe = (uri: string, id: string, text: string): Source => ({ id, uri, path: id, text, body: { start: 0, end: text.length }, meta: {} });
  const sources = [
    probe(
      'probe:a',
      'a',
      'Union leader Mara Quell met the Harbour Workers Federation (HWF) in Dunmere. "We are close," Ms Quell said. Sergei Volkan, the port minister, said the HWF would be paid.\n',
    ),
    probe('probe:b', 'b', 'Talks went on. Sergey Volkan said the deal was near, and Mr Volkan told the BBC the strike was over. Quell agreed.\n'),
  ];
  const stats = new CaseStats();
  for (const source of sources) stats.add(source.text, source.body.start, source.body.end);
  const scanner = new SentenceScanner();
  const entries = sources.map((source) => ({ source, facts: extractSource(source.text, source.body, stats, scanner) }));
  const registry: RegistryEntry[] = [
    { id: 'hwf', name: 'Harbour Workers Federation', acronym: 'HWF', aliases: [{ name: 'Harbour Federation', discouraged: true }], links: [], span: { start: 0, end: 1 } },
  ];
  const knowledge = EntityKnowledge.merge({ sources: entries.map((e) => ({ id: e.source.id, facts: e.facts })), stats, registry, registryUri: 'probe:registry' });
  const bytes = encodeFacts(entries, stats, { knowledge, registry: '' }, '');
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return (fingerprint = contentKey(text));
}

// ---- Encoding --------------------------------------------------------------
//
// Header (JSON): format version, how many sources, whether the string table
// is JSON, and with a merged knowledge the registry and the key of the sources
// it was merged from (`sourcesMadeKey`). Rows (JSON, read only when a source's
// facts or the exact sources are asked for): one per source [uri, contentKey,
// body start, body end, offset into the numbers]. Strings: every distinct string the facts hold, joined by NUL (or a JSON array
// when one contains a NUL). Numbers (Int32Array), per source:
//   sentences: n, (start, end)×n
//   names: n, per name: form, text, key, start, end, sentence, honorific, hint, weak, roles n, (text, start, end)×n
//   expansions: n, (acronym, expansion, acronym start, end, expansion start, end, kind)×n
//   statements: n, per statement: speaker, sentence, verb, quotes n, (start, end)×n
//   questions: n, (word, answer)×n
// Strings are table indexes; -1 stands for absent. Then the case statistics:
// words (NUL-joined), lower-case counts, capitalised counts, and their hash
// table (hashes, slots, where each word starts). Then, when the knowledge
// merged from these facts is kept (header.knowledge), its bytes
// (knowledge-cache.ts).

const FORMS: NameForm[] = ['full', 'single', 'honorific', 'acronym'];
const HINTS: EntityType[] = ['person', 'organisation', 'place', 'media'];

interface Header {
  version: number;
  /** The code that wrote it: codeFingerprint(), or the embedder's build id (SourceFactsStore.codeStamp). */
  fingerprint: string;
  /** How many sources the rows hold. */
  count: number;
  jsonStrings: boolean;
  /** When the merged knowledge follows: the key of the sources it was merged from (`sourcesMadeKey`) and the registry. */
  knowledge?: { sources: string; registry: string };
}

type Row = [uri: string, key: string, bodyStart: number, bodyEnd: number, offset: number];

/**
 * One key of the sources a knowledge was merged from, whatever their order:
 * each source's uri, content key, body and id. A warm start compares it
 * with its own sources' instead of reading 2,095 rows of JSON.
 */
function sourcesMadeKey(sources: Iterable<Source>): string {
  // Each source's key, then the sorted keys: sorting and hashing 2,095 JSON rows (their shared "file:///" starts
  // made every comparison long) was the largest cost of a warm start's knowledge restore after the reading.
  const rows: string[] = [];
  for (const source of sources) {
    rows.push(new KeyHash().text(source.uri).text(sourceContentKey(source)).number(source.body.start).number(source.body.end).text(source.id).finish());
  }
  rows.sort();
  const key = new KeyHash().number(rows.length);
  for (const row of rows) key.text(row);
  return key.finish();
}

function encodeFacts(entries: readonly Pick<Entry, 'source' | 'facts'>[], stats: CaseStats, merged: { knowledge: EntityKnowledge; registry: string } | undefined, fingerprint: string): Uint8Array {
  const table = new StringTable();
  const str = table.index;
  const nums: number[] = [];
  const header: Header = { version: FORMAT_VERSION, fingerprint, count: entries.length, jsonStrings: false };
  const rows: Row[] = [];
  for (const { source, facts } of entries) {
    rows.push([source.uri, sourceContentKey(source), source.body.start, source.body.end, nums.length]);
    nums.push(facts.sentences.length);
    for (const s of facts.sentences) nums.push(s.start, s.end);
    nums.push(facts.names.length);
    for (const occ of facts.names) {
      nums.push(FORMS.indexOf(occ.form), str(occ.text), str(occ.key), occ.span.start, occ.span.end, occ.sentence, str(occ.honorific), occ.hint ? HINTS.indexOf(occ.hint) : -1, occ.weak === undefined ? -1 : occ.weak ? 1 : 0);
      nums.push(occ.roles.length);
      for (const role of occ.roles) nums.push(str(role.text), role.span.start, role.span.end);
    }
    nums.push(facts.expansions.length);
    for (const e of facts.expansions) nums.push(str(e.acronym), str(e.expansion), e.acronymSpan.start, e.acronymSpan.end, e.expansionSpan.start, e.expansionSpan.end, e.kind === 'initials' ? 1 : 0);
    nums.push(facts.statements.length);
    for (const st of facts.statements) {
      nums.push(st.speaker, st.sentence, str(st.verb), st.quotes.length);
      for (const q of st.quotes) nums.push(q.start, q.end);
    }
    nums.push(facts.commonWords.length);
    for (let i = 0; i < facts.commonWords.length; i++) nums.push(str(facts.commonWords[i]), facts.commonAnswers[i] ? 1 : 0);
  }
  header.jsonStrings = table.needsJson();
  let knowledgeBytes: Uint8Array | undefined;
  if (merged) {
    const inner = new ByteWriter();
    writeKnowledge(inner, merged.knowledge);
    knowledgeBytes = inner.finish();
    header.knowledge = { sources: sourcesMadeKey(entries.map((entry) => entry.source)), registry: merged.registry };
  }
  const writer = new ByteWriter();
  writer.json(header);
  writer.json(rows);
  writer.string(table.encode(header.jsonStrings));
  writer.array(Int32Array.from(nums));
  const counts = stats.exportTable();
  writer.string(counts.words);
  writer.array(counts.lower);
  writer.array(counts.capMid);
  writer.array(counts.hashes);
  writer.array(counts.slots);
  writer.array(counts.starts);
  if (knowledgeBytes) writer.bytes(knowledgeBytes);
  return writer.finish();
}

/** A decoded section: the header at once, the rows when first needed, each source's facts when asked for. */
class ImportedFacts {
  private stringTable: string[] | undefined;
  private rowsByUri: Map<string, Row> | undefined;

  private constructor(
    private readonly header: Header,
    private readonly rowBytes: Uint8Array,
    private readonly stringBytes: Uint8Array,
    private readonly jsonStrings: boolean,
    private readonly nums: Int32Array,
    private readonly statsParts: { words: Uint8Array; lower: Int32Array; capMid: Int32Array; hashes: Int32Array; slots: Int32Array; starts: Int32Array },
    private readonly knowledgeBytes: Uint8Array | undefined,
  ) {}

  /** Whether the code that wrote it is `codeStamp` (`SourceFactsStore.codeStamp`; checked when first needed: the probe costs a merge). */
  madeBy(codeStamp: string): boolean {
    return this.header.fingerprint === codeStamp;
  }

  get hasKnowledge(): boolean {
    return this.knowledgeBytes !== undefined;
  }

  /** Whether the knowledge was merged from exactly these sources (uri, text, body, id) and this registry. */
  knowledgeMadeFrom(sources: ReadonlyMap<string, Source>, registryKey: string): boolean {
    const made = this.header.knowledge;
    return made !== undefined && made.registry === registryKey && sources.size === this.header.count && made.sources === sourcesMadeKey(sources.values());
  }

  /** The merged knowledge, over `stats` (the statistics this section holds). Throws on damaged bytes. */
  knowledge(stats: CaseStats): EntityKnowledge {
    if (!this.knowledgeBytes) throw new RangeError('entities cache: no knowledge');
    return readKnowledge(new ByteReader(this.knowledgeBytes), stats);
  }

  static decode(bytes: Uint8Array): ImportedFacts {
    const reader = new ByteReader(bytes);
    const header = reader.json<Header>();
    if (header.version !== FORMAT_VERSION || !Number.isInteger(header.count)) throw new RangeError('entities cache: unknown format');
    const rowBytes = reader.bytes();
    const stringBytes = reader.bytes();
    const nums = reader.int32();
    const words = reader.bytes();
    const lower = reader.int32();
    const capMid = reader.int32();
    const hashes = reader.int32();
    const slots = reader.int32();
    const starts = reader.int32();
    const knowledgeBytes = header.knowledge ? reader.bytes() : undefined;
    return new ImportedFacts(header, rowBytes, stringBytes, header.jsonStrings, nums, { words, lower, capMid, hashes, slots, starts }, knowledgeBytes);
  }

  get size(): number {
    return this.header.count;
  }

  /** The rows by uri, read on first use; none when they are damaged (then no source's facts are taken). */
  private get rows(): Map<string, Row> {
    if (this.rowsByUri) return this.rowsByUri;
    const rows = new Map<string, Row>();
    try {
      const list = JSON.parse(new TextDecoder().decode(this.rowBytes)) as unknown;
      if (Array.isArray(list) && list.length === this.header.count && list.every(isRow)) for (const row of list) rows.set(row[0], row);
    } catch {
      rows.clear();
    }
    if (rows.size !== this.header.count) rows.clear();
    return (this.rowsByUri = rows);
  }

  /** Whether the statistics were counted over exactly these sources' texts. */
  coversExactly(sources: ReadonlyMap<string, Source>): boolean {
    if (sources.size !== this.rows.size) return false;
    for (const [uri, source] of sources) if (!this.matches(uri, source)) return false;
    return true;
  }

  stats(): CaseStats {
    const parts = this.statsParts;
    const words = new TextDecoder().decode(parts.words);
    return CaseStats.importTable({ ...parts, words }) ?? CaseStats.import(words, parts.lower, parts.capMid);
  }

  /** The facts of a source with the same uri, body and text as when exported; undefined otherwise. */
  factsOf(source: Source): SourceFacts | undefined {
    if (!this.matches(source.uri, source)) return undefined;
    return this.read(this.rows.get(source.uri)![4]);
  }

  private matches(uri: string, source: Source): boolean {
    const row = this.rows.get(uri);
    if (!row || row[2] !== source.body.start || row[3] !== source.body.end) return false;
    // The hash is made once per source object and shared with the other cache products.
    return sourceContentKey(source) === row[1];
  }

  private strings(): string[] {
    if (!this.stringTable) {
      const text = new TextDecoder().decode(this.stringBytes);
      this.stringTable = decodeStringTable(text, this.jsonStrings);
    }
    return this.stringTable;
  }

  private read(offset: number): SourceFacts {
    const nums = this.nums;
    const strings = this.strings();
    let at = offset;
    const next = () => {
      if (at >= nums.length) throw new RangeError('entities cache: truncated');
      return nums[at++];
    };
    const str = (index: number) => {
      if (index < 0 || index >= strings.length) throw new RangeError('entities cache: bad string');
      return strings[index];
    };
    const optional = (index: number) => (index < 0 ? undefined : str(index));
    const facts: SourceFacts = { sentences: [], names: [], expansions: [], statements: [], commonWords: [], commonAnswers: [] };
    for (let n = next(); n > 0; n--) facts.sentences.push({ start: next(), end: next() });
    for (let n = next(); n > 0; n--) {
      const form = FORMS[next()];
      const text = str(next());
      const key = str(next());
      const span = { start: next(), end: next() };
      const sentence = next();
      const honorific = optional(next());
      const hintIndex = next();
      const weakCode = next();
      let roles = NO_ROLES;
      for (let r = next(); r > 0; r--) {
        const role = { text: str(next()), span: { start: next(), end: next() } };
        if (roles === NO_ROLES) roles = [role];
        else roles.push(role);
      }
      const occ: NameOccurrence = { form, text, key, span, sentence, honorific, hint: hintIndex < 0 ? undefined : HINTS[hintIndex], roles, weak: weakCode < 0 ? undefined : weakCode === 1 };
      if (!form) throw new RangeError('entities cache: bad name form');
      facts.names.push(occ);
    }
    for (let n = next(); n > 0; n--) {
      facts.expansions.push({
        acronym: str(next()),
        expansion: str(next()),
        acronymSpan: { start: next(), end: next() },
        expansionSpan: { start: next(), end: next() },
        kind: next() === 1 ? 'initials' : 'parenthesis',
      });
    }
    for (let n = next(); n > 0; n--) {
      const speaker = next();
      const sentence = next();
      const verb = str(next());
      const quotes = [];
      for (let q = next(); q > 0; q--) quotes.push({ start: next(), end: next() });
      facts.statements.push({ speaker, sentence, verb, quotes });
    }
    for (let n = next(); n > 0; n--) {
      facts.commonWords.push(str(next()));
      facts.commonAnswers.push(next() === 1);
    }
    return facts;
  }
}
