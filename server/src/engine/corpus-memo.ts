/**
 * Answers computed from the corpus (a quotation's verdict, a claim's
 * supporting passages), remembered per key for one state of the corpus, and
 * — as a product of the persisted cache — across runs: a CLI run over a piece
 * that changed in one paragraph looks up that paragraph's quotations and
 * claims only.
 *
 * An answer is the engine's output, so a persisted one is valid only for the
 * same code: the embedder names its build (`buildId`, a hash of the running
 * code); with none, answers are kept in memory only. A `CorpusMemo`'s answers
 * also hold only for the same sources (ids, uris and texts, in the corpus's
 * order, hashed into a fingerprint); a plain `PersistedMemo`'s keys say all
 * they depend on, or its owner checks each answer as it takes it (claim
 * verdicts re-ask their name questions). A section holds the answers this
 * process used, then those it was given and did not need, up to a bound; each
 * is parsed only when it is asked for.
 */
import { ByteReader, ByteWriter, bytesKey, bytesKeyOfParts, contentKey, joinBytes, sourceContentKey, type CacheProduct } from './index-cache';
import type { Corpus } from './corpus';
import type { Source } from './types';
import { detach } from './text';

/** Bumped whenever a section's layout changes (2: the header's `corpus` became `stamp`; 3: the answers' `sum`). */
const MEMO_FORMAT = 3;
/** In-memory entries above which the map starts afresh (a long editing session). */
const MAX_ENTRIES = 50_000;
/** Most answers a section holds: those this process used first, then those it was given and did not need. */
const MAX_PERSISTED = 60_000;

/** A section: this header (JSON), then each answer's JSON in key order, one per line (JSON never holds a raw line break, nor does UTF-8 inside a character). */
interface MemoHeader {
  format: number;
  section: string;
  buildId: string;
  /** What every answer depends on besides its key (`CorpusMemo`: the corpus's fingerprint). */
  stamp: string;
  keys: string[];
  /** `bytesKey` of the answers' bytes: an answer read back is the one written, so `lookupJson` may pass it on unparsed. */
  sum: string;
}

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

/**
 * The answers' lines of a section read back: UTF-8 bytes, decoded into text
 * the first time an answer is parsed, all at once (one decoder call per line
 * cost more than the parse). A section whose answers are only passed on as
 * bytes (`lookupJson`) is never decoded.
 */
class SectionLines {
  private texts: string[] | undefined;
  constructor(readonly bytes: Uint8Array) {}

  text(line: number): string {
    this.texts ??= textDecoder.decode(this.bytes).split('\n');
    return this.texts[line];
  }
}

/** An answer as a section read back holds it: its line of the section, as bytes (which an export copies back) and, when asked, as text. */
class RawAnswer {
  constructor(
    private readonly lines: SectionLines,
    private readonly line: number,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get json(): string {
    return this.lines.text(this.line);
  }

  get bytes(): Uint8Array {
    return this.lines.bytes.subarray(this.start, this.end);
  }

  /** Whether `next` is the line after this one in the bytes read (the two are written back as one run). */
  precedes(next: RawAnswer): boolean {
    return next.lines === this.lines && next.start === this.end + 1;
  }

  /** The bytes from this answer's start to `last`'s end, line breaks between them included. */
  runTo(last: RawAnswer): Uint8Array {
    return this.lines.bytes.subarray(this.start, last.end);
  }
}

const LINE_BREAK = Uint8Array.of(0x0a);

/**
 * The answers' lines joined by line breaks, as parts: answers read back that
 * follow each other in the bytes they were read from go as one view of those
 * bytes (a warm CLI run writes back most of a section in its order).
 */
function lineParts(values: readonly (RawAnswer | string)[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < values.length; ) {
    if (i) parts.push(LINE_BREAK);
    const value = values[i];
    if (typeof value === 'string') {
      parts.push(textEncoder.encode(value));
      i++;
      continue;
    }
    let last = value;
    for (i++; i < values.length; i++) {
      const next = values[i];
      if (typeof next === 'string' || !last.precedes(next)) break;
      last = next;
    }
    parts.push(value.runTo(last));
  }
  return parts;
}

/** A section read back: what its answers hold for, their keys, and each answer as read. */
interface RawAnswers {
  stamp: string;
  keys: string[];
  values: RawAnswer[];
}

/** Answers by key, kept in memory and, given a build id, persisted as a section of the cache. */
export class PersistedMemo<V> implements CacheProduct {
  /** An answer, or its JSON as the cache file had it: parsed only when asked for. */
  protected readonly entries = new Map<string, V | RawAnswer>();
  /** Keys read or computed by this process: an export writes them first. */
  protected readonly used = new Set<string>();
  /**
   * The JSON each answer parsed since import was read from: an export copies
   * its bytes back as they were instead of stringifying the answer again
   * (~0.1 s of a warm CLI run over the 2 MB piece, per half). Answers are
   * never changed once kept, so the JSON still says what the answer holds.
   */
  private readonly readFrom = new Map<string, RawAnswer>();
  /** Entries of an earlier run, taken once their stamp is known to be this state's. */
  protected pending: RawAnswers | undefined;
  private changed = false;
  /** Set by `beginScope`: an export holds only the answers used since. */
  private scoped = false;
  /** Lookups answered by computing, and by a kept answer (tests, diagnostics). */
  readonly stats = { computed: 0, kept: 0 };

  /** `isAnswer` checks an answer read back from a file (a damaged one is computed again). */
  constructor(
    readonly section: string,
    private readonly isAnswer: (value: unknown) => value is V,
    protected readonly buildId?: string,
  ) {}

  /** The answer for `key` in the current state: remembered, or computed now. `key` may be a slice of a piece: it is kept as a copy. */
  get(key: string, compute: () => V): V {
    const kept = this.lookup(key);
    if (kept !== undefined) {
      this.stats.kept++;
      return kept;
    }
    this.stats.computed++;
    const answer = compute();
    this.remember(key, answer);
    return answer;
  }

  /**
   * The JSON of the answer remembered for `key`, as the UTF-8 bytes the cache
   * file held, when it is held so (not parsed yet): for a caller that passes
   * answers on as JSON (`Engine.checkAsJson`), so they are neither decoded
   * nor parsed here. Undefined when the answer is held parsed, or there is
   * none: then `lookup`. The section's sum proved the bytes are what this
   * build wrote (`importSection`), and only a valid answer is ever written.
   */
  lookupJson(key: string): Uint8Array | undefined {
    this.refresh();
    const value = this.entries.get(key);
    if (!(value instanceof RawAnswer)) return undefined;
    if (this.buildId !== undefined) this.used.add(key);
    return value.bytes;
  }

  /** The answer remembered for `key`, if any (parsed from the cache file's JSON on first use). */
  lookup(key: string): V | undefined {
    this.refresh();
    const answer = this.stored(key);
    if (answer !== undefined && this.buildId !== undefined) this.used.add(key);
    return answer;
  }

  /** Remembers `answer` for `key` (a copy of it, so a remembered answer does not hold this version of the piece alive). */
  remember(key: string, answer: V): void {
    this.refresh();
    if (this.entries.size > MAX_ENTRIES) this.clearEntries();
    key = detach(key);
    this.entries.set(key, answer);
    this.readFrom.delete(key);
    this.changed = true;
    if (this.buildId !== undefined) this.used.add(key);
  }

  /** Drops every answer (a new state they no longer hold for, or too many). */
  protected clearEntries(): void {
    this.entries.clear();
    this.used.clear();
    this.readFrom.clear();
  }

  /** From now on, an export holds only the answers used after this call (the CLI keeps each piece's in its own file). */
  beginScope(): void {
    this.refresh();
    this.used.clear();
    this.scoped = true;
  }

  /** Only a build that persists answers ever has any to write. */
  get dirty(): boolean {
    return this.changed && this.buildId !== undefined;
  }

  exportSection(): Uint8Array {
    return joinBytes(this.exportSectionParts());
  }

  exportSectionParts(): Uint8Array[] {
    this.refresh();
    const keys: string[] = [];
    const values: (RawAnswer | string)[] = [];
    const add = (key: string) => {
      const value = this.entries.get(key);
      if (value === undefined || keys.length >= MAX_PERSISTED) return;
      keys.push(key);
      values.push(value instanceof RawAnswer ? value : (this.readFrom.get(key) ?? JSON.stringify(value)));
    };
    if (this.buildId !== undefined) {
      for (const key of this.used) add(key);
      if (!this.scoped) for (const key of this.entries.keys()) if (!this.used.has(key)) add(key);
    }
    this.changed = false;
    return this.sectionOf(this.stamp(), keys, values);
  }

  /**
   * A section holding `keys` and their answers' JSON (as bytes read back, or
   * as text), made under `stamp`, as parts: answers read back are most of a
   * section, and go back as views of the bytes they came in (copying them
   * into one array, and that array once more, was ~0.2 s, profiled, of the 2 MB piece's sources half in a warm CLI run).
   */
  protected sectionOf(stamp: string, keys: readonly string[], values: readonly (RawAnswer | string)[]): Uint8Array[] {
    const lines = lineParts(values);
    const out = new ByteWriter();
    out.json({ format: MEMO_FORMAT, section: this.section, buildId: this.buildId ?? '', stamp, keys: [...keys], sum: bytesKeyOfParts(lines) } satisfies MemoHeader);
    out.byteParts(lines);
    return out.finishParts();
  }

  importSection(bytes: Uint8Array): number {
    if (this.buildId === undefined) return 0;
    try {
      const reader = new ByteReader(bytes);
      const header = reader.json<MemoHeader>();
      if (header?.format !== MEMO_FORMAT || header.section !== this.section || header.buildId !== this.buildId || typeof header.stamp !== 'string' || !Array.isArray(header.keys)) return 0;
      const lines = header.keys.length ? reader.bytes() : new Uint8Array(0);
      // Damaged bytes (~10 ms to check the 2 MB bench piece's 8 MB of findings): none of the answers is taken.
      if (header.sum !== bytesKey(lines) || !header.keys.every((key) => typeof key === 'string')) return 0;
      const section = new SectionLines(lines);
      const values: RawAnswer[] = [];
      let start = 0;
      for (let i = 0; i < header.keys.length; i++) {
        if (start > lines.length) return 0;
        const found = lines.indexOf(0x0a, start);
        const end = found < 0 ? lines.length : found;
        values.push(new RawAnswer(section, i, start, end));
        start = end + 1;
      }
      // One line per key, and no more.
      if (header.keys.length && start !== lines.length + 1) return 0;
      this.pending = { stamp: header.stamp, keys: header.keys, values };
      return header.keys.length;
    } catch {
      return 0;
    }
  }

  /** What every answer depends on besides its key; a persisted section is taken only under the same stamp. */
  protected stamp(): string {
    return '';
  }

  /** Brings the memo to the current state before any use: here, takes a section imported since. */
  protected refresh(): void {
    if (this.pending) this.takePending();
  }

  /** The imported entries, if they were made under the current stamp; dropped otherwise. */
  protected takePending(): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (pending.stamp !== this.stamp()) return;
    pending.keys.forEach((key, i) => {
      if (!this.entries.has(key)) this.entries.set(key, pending.values[i]);
    });
  }

  /** The answer kept for `key`, parsed from the cache file's JSON on first use; undefined when there is none (or it is unreadable). */
  private stored(key: string): V | undefined {
    const value = this.entries.get(key);
    if (!(value instanceof RawAnswer)) return value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.json);
    } catch {
      parsed = undefined;
    }
    if (!this.isAnswer(parsed)) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.set(key, parsed);
    this.readFrom.set(key, value);
    return parsed;
  }
}

/** Answers that hold for one state of the corpus: dropped when it changes, persisted with its fingerprint. */
export class CorpusMemo<V> extends PersistedMemo<V> {
  private generation = -1;

  constructor(section: string, private readonly corpus: Corpus, isAnswer: (value: unknown) => value is V, buildId?: string) {
    super(section, isAnswer, buildId);
  }

  override importSection(bytes: Uint8Array): number {
    const taken = super.importSection(bytes);
    if (!taken) return taken;
    // Imported into a memo already brought to the corpus as it is (the CLI imports each piece's answers before
    // checking it): taken now, beside the answers made so far. Otherwise at the first lookup, once the sources
    // are set (the generation changes as each is set).
    if (this.generation === this.corpus.generation) this.takePending();
    else this.generation = -1;
    return taken;
  }

  protected override stamp(): string {
    return this.corpus.fingerprint();
  }

  /** A new state of the corpus: earlier answers are dropped, or the imported ones taken if they were made for it. */
  protected override refresh(): void {
    if (this.corpus.generation === this.generation) return;
    this.clearEntries();
    this.generation = this.corpus.generation;
    this.takePending();
  }

}

/** Fingerprints by the corpus's sources map, which it replaces (never changes) when a source changes. */
const fingerprints = new WeakMap<ReadonlyMap<string, Source>, string>();

/**
 * The sources' ids, uris and texts, hashed (by `hash`, else the engine's own): what every answer of a
 * `CorpusMemo` depends on besides its key. Made once per state of the corpus, however many memos ask
 * (`Corpus.fingerprint`, which gives the embedder's hash).
 */
export function corpusFingerprint(sources: ReadonlyMap<string, Source>, hash: (text: string) => string = contentKey): string {
  let fingerprint = fingerprints.get(sources);
  if (fingerprint === undefined) {
    const parts: string[] = [];
    for (const [id, source] of sources) parts.push(`${id}\u0000${source.uri}\u0000${sourceContentKey(source)}`);
    // In the corpus's order: the order sources were added decides, for one, the order of a quotation's `exactSourceIds`.
    fingerprints.set(sources, (fingerprint = hash(parts.join('\u0001'))));
  }
  return fingerprint;
}
