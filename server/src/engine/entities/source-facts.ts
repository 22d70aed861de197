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
import { ByteReader, ByteWriter, sourceContentKey, type CacheProduct } from '../index-cache';
import { CaseStats } from './case-stats';
import { SentenceScanner } from './scan';
import { extractSource, NO_ROLES, type NameForm, type NameOccurrence, type SourceFacts, type EntityType } from './extract';
import { EntityKnowledge } from './knowledge';

export const ENTITIES_SECTION = 'entities';
const FORMAT_VERSION = 2;

interface Entry {
  /** The source the facts were extracted from (its text and body). */
  source: Source;
  facts: SourceFacts;
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
  /** Facts by source uri, consistent with `stats` after `refresh`. */
  private readonly entries = new Map<string, Entry>();
  private stats = new CaseStats();
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

  /** Brings the facts and case statistics up to date with `sources`; extracts only what it cannot reuse. */
  refresh(sources: Iterable<Source>): void {
    const current = new Map<string, Source>();
    for (const source of sources) current.set(source.uri, source);
    const counts: RefreshCounts = { extracted: 0, kept: 0, restored: 0, revalidated: 0 };

    if (!this.counted.size && this.imported?.coversExactly(current)) {
      this.stats = this.imported.stats();
      for (const [uri, source] of current) this.counted.set(uri, source);
    } else {
      for (const [uri, old] of this.counted) {
        const now = current.get(uri);
        if (now && sameText(old, now)) continue;
        this.stats.remove(old.text, old.body.start, old.body.end);
        this.counted.delete(uri);
      }
      for (const [uri, source] of current) {
        if (this.counted.has(uri)) continue;
        this.stats.add(source.text, source.body.start, source.body.end);
        this.counted.set(uri, source);
      }
    }

    for (const uri of this.entries.keys()) {
      if (current.has(uri)) continue;
      this.entries.delete(uri);
      this.changed = true;
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
      const reusable = entry && (entry.source === source || sameText(entry.source, source)) ? entry.facts : this.imported?.factsOf(source);
      if (reusable && stillAnswered(reusable)) {
        if (reusable === entry?.facts) {
          entry.source = source;
          counts.kept++;
        } else {
          this.entries.set(uri, { source, facts: reusable });
          counts.restored++;
        }
        continue;
      }
      if (reusable) counts.revalidated++;
      this.entries.set(uri, { source, facts: extractSource(source.text, source.body, this.stats, this.scanner) });
      counts.extracted++;
      this.changed = true;
    }
    this.last = counts;
  }

  /** The knowledge of `sources` (refreshed first) with a registry laid over it. */
  knowledge(sources: readonly Source[], registry: readonly RegistryEntry[], registryUri?: string): EntityKnowledge {
    const started = Date.now();
    this.used = true;
    this.refresh(sources);
    // What the import held is adopted or stale now; its buffer need not stay alive.
    this.imported = undefined;
    this.importedBytes = undefined;
    const identified = sources.map((source) => ({ id: source.id, facts: this.entries.get(source.uri)!.facts }));
    const knowledge = EntityKnowledge.merge({ sources: identified, stats: this.stats, registry, registryUri });
    knowledge.buildMs = Date.now() - started;
    return knowledge;
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
    if (!this.used) return this.importedBytes ?? encodeFacts([], new CaseStats());
    this.refresh(sources);
    this.changed = false;
    return encodeFacts([...this.entries.values()], this.stats);
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

function sameText(a: Source, b: Source): boolean {
  return a.text === b.text && a.body.start === b.body.start && a.body.end === b.body.end;
}

// ---- Encoding --------------------------------------------------------------
//
// Header (JSON): format version, one row per source [uri, contentKey, body
// start, body end, offset into the numbers], whether the string table is JSON.
// Strings: every distinct string the facts hold, joined by NUL (or a JSON array
// when one contains a NUL). Numbers (Int32Array), per source:
//   sentences: n, (start, end)×n
//   names: n, per name: form, text, key, start, end, sentence, honorific, hint, weak, roles n, (text, start, end)×n
//   expansions: n, (acronym, expansion, acronym start, end, expansion start, end, kind)×n
//   statements: n, per statement: speaker, sentence, verb, quotes n, (start, end)×n
//   questions: n, (word, answer)×n
// Strings are table indexes; -1 stands for absent. Then the case statistics:
// words (NUL-joined), lower-case counts, capitalised counts.

const FORMS: NameForm[] = ['full', 'single', 'honorific', 'acronym'];
const HINTS: EntityType[] = ['person', 'organisation', 'place', 'media'];

interface Header {
  version: number;
  sources: Array<[uri: string, key: string, bodyStart: number, bodyEnd: number, offset: number]>;
  jsonStrings: boolean;
}

function encodeFacts(entries: readonly Entry[], stats: CaseStats): Uint8Array {
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
  const nums: number[] = [];
  const header: Header = { version: FORMAT_VERSION, sources: [], jsonStrings: false };
  for (const { source, facts } of entries) {
    header.sources.push([source.uri, sourceContentKey(source), source.body.start, source.body.end, nums.length]);
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
  header.jsonStrings = strings.some((s) => s.includes('\u0000'));
  const writer = new ByteWriter();
  writer.json(header);
  writer.string(header.jsonStrings ? JSON.stringify(strings) : strings.join('\u0000'));
  writer.array(Int32Array.from(nums));
  const counts = stats.export();
  writer.string(counts.words);
  writer.array(counts.lower);
  writer.array(counts.capMid);
  return writer.finish();
}

/** A decoded section: the directory at once, each source's facts when asked for. */
class ImportedFacts {
  private stringTable: string[] | undefined;

  private constructor(
    private readonly rows: Map<string, Header['sources'][number]>,
    private readonly stringBytes: Uint8Array,
    private readonly jsonStrings: boolean,
    private readonly nums: Int32Array,
    private readonly statsParts: { words: Uint8Array; lower: Int32Array; capMid: Int32Array },
  ) {}

  static decode(bytes: Uint8Array): ImportedFacts {
    const reader = new ByteReader(bytes);
    const header = reader.json<Header>();
    if (header.version !== FORMAT_VERSION || !Array.isArray(header.sources)) throw new RangeError('entities cache: unknown format');
    const stringBytes = reader.bytes();
    const nums = reader.int32();
    const words = reader.bytes();
    const lower = reader.int32();
    const capMid = reader.int32();
    const rows = new Map<string, Header['sources'][number]>();
    for (const row of header.sources) rows.set(row[0], row);
    return new ImportedFacts(rows, stringBytes, header.jsonStrings, nums, { words, lower, capMid });
  }

  get size(): number {
    return this.rows.size;
  }

  /** Whether the statistics were counted over exactly these sources' texts. */
  coversExactly(sources: ReadonlyMap<string, Source>): boolean {
    if (sources.size !== this.rows.size) return false;
    for (const [uri, source] of sources) if (!this.matches(uri, source)) return false;
    return true;
  }

  stats(): CaseStats {
    const { words, lower, capMid } = this.statsParts;
    return CaseStats.import(new TextDecoder().decode(words), lower, capMid);
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
      this.stringTable = this.jsonStrings ? (JSON.parse(text) as string[]) : text.split('\u0000');
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
