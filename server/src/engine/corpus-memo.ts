/**
 * Answers computed from the corpus (a quotation's verdict, a claim's
 * supporting passages), remembered per key for one state of the corpus, and
 * — as a product of the persisted cache — across runs: a CLI run over a piece
 * that changed in one paragraph looks up that paragraph's quotations and
 * claims only.
 *
 * An answer is the engine's output, so a persisted one is valid only for the
 * same sources (ids, uris and texts, in the corpus's order, hashed into a
 * fingerprint) and the same code: the embedder names its build (`buildId`, a
 * hash of the running code); with none, answers are kept in memory only. A
 * section holds the answers this process used, then those it was given and
 * did not need, up to a bound; each is parsed only when it is asked for.
 */
import { ByteReader, ByteWriter, contentKey, sourceContentKey, type CacheProduct } from './index-cache';
import type { Corpus } from './corpus';
import { detach } from './text';

/** Bumped whenever a section's layout changes. */
const MEMO_FORMAT = 1;
/** In-memory entries above which the map starts afresh (a long editing session). */
const MAX_ENTRIES = 50_000;
/** Most answers a section holds: those this process used first, then those it was given and did not need. */
const MAX_PERSISTED = 60_000;

/** A section: this header (JSON), then each answer's JSON in key order, one per line (JSON never holds a raw line break). */
interface MemoHeader {
  format: number;
  section: string;
  buildId: string;
  corpus: string;
  keys: string[];
}

export class CorpusMemo<V> implements CacheProduct {
  private generation = -1;
  private fingerprint: string | undefined;
  /** An answer, or its JSON as the cache file had it: parsed only when asked for. */
  private readonly entries = new Map<string, V | string>();
  /** Keys read or computed by this process: an export writes them first. */
  private readonly used = new Set<string>();
  /** Entries of an earlier run, taken once the corpus is known to be the one they were made for. */
  private pending: { corpus: string; keys: string[]; values: string[] } | undefined;
  private changed = false;
  /** Lookups answered by computing, and by a kept answer (tests, diagnostics). */
  readonly stats = { computed: 0, kept: 0 };

  /** `isAnswer` checks an answer read back from a file (a damaged one is computed again). */
  constructor(
    readonly section: string,
    private readonly corpus: Corpus,
    private readonly isAnswer: (value: unknown) => value is V,
    private readonly buildId?: string,
  ) {}

  /** The answer for `key` in the corpus as it is now: remembered, or computed now. `key` may be a slice of a piece: it is kept as a copy. */
  get(key: string, compute: () => V): V {
    if (this.corpus.generation !== this.generation) this.startGeneration();
    let answer = this.stored(key);
    if (answer !== undefined) {
      this.stats.kept++;
    } else {
      this.stats.computed++;
      answer = compute();
      if (this.entries.size > MAX_ENTRIES) {
        this.entries.clear();
        this.used.clear();
      }
      // A copy, so that a remembered answer does not hold this version of the piece alive.
      key = detach(key);
      this.entries.set(key, answer);
      this.changed = true;
    }
    if (this.buildId !== undefined) this.used.add(key);
    return answer;
  }

  /** Only a build that persists answers ever has any to write. */
  get dirty(): boolean {
    return this.changed && this.buildId !== undefined;
  }

  exportSection(): Uint8Array {
    if (this.corpus.generation !== this.generation) this.startGeneration();
    const keys: string[] = [];
    const values: string[] = [];
    const add = (key: string) => {
      const value = this.entries.get(key);
      if (value === undefined || keys.length >= MAX_PERSISTED) return;
      keys.push(key);
      values.push(typeof value === 'string' ? value : JSON.stringify(value));
    };
    if (this.buildId !== undefined) {
      for (const key of this.used) add(key);
      for (const key of this.entries.keys()) if (!this.used.has(key)) add(key);
    }
    const out = new ByteWriter();
    out.json({ format: MEMO_FORMAT, section: this.section, buildId: this.buildId ?? '', corpus: this.corpusFingerprint(), keys } satisfies MemoHeader);
    out.string(values.join('\n'));
    this.changed = false;
    return out.finish();
  }

  importSection(bytes: Uint8Array): number {
    if (this.buildId === undefined) return 0;
    try {
      const reader = new ByteReader(bytes);
      const header = reader.json<MemoHeader>();
      if (header?.format !== MEMO_FORMAT || header.section !== this.section || header.buildId !== this.buildId || typeof header.corpus !== 'string' || !Array.isArray(header.keys)) return 0;
      const values = header.keys.length ? reader.string().split('\n') : [];
      if (values.length !== header.keys.length || !header.keys.every((key) => typeof key === 'string')) return 0;
      this.pending = { corpus: header.corpus, keys: header.keys, values };
      // Taken at the first lookup, when the sources are set: the generation changes as each is set.
      this.generation = -1;
      return header.keys.length;
    } catch {
      return 0;
    }
  }

  /** The answer kept for `key`, parsed from the cache file's JSON on first use; undefined when there is none (or it is unreadable). */
  private stored(key: string): V | undefined {
    const value = this.entries.get(key);
    if (typeof value !== 'string') return value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!this.isAnswer(parsed)) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.set(key, parsed);
    return parsed;
  }

  /** A new state of the corpus: earlier answers are dropped, or the imported ones taken if they were made for it. */
  private startGeneration(): void {
    this.entries.clear();
    this.used.clear();
    this.generation = this.corpus.generation;
    this.fingerprint = undefined;
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (pending.corpus !== this.corpusFingerprint()) return;
    pending.keys.forEach((key, i) => this.entries.set(key, pending.values[i]));
  }

  /** The sources' ids, uris and texts, hashed: what every answer depends on besides its key. */
  private corpusFingerprint(): string {
    if (this.fingerprint === undefined) {
      const parts: string[] = [];
      for (const [id, source] of this.corpus.sources()) parts.push(`${id}\u0000${source.uri}\u0000${sourceContentKey(source)}`);
      // In the corpus's order: the order sources were added decides, for one, the order of a quotation's `exactSourceIds`.
      this.fingerprint = contentKey(parts.join('\u0001'));
    }
    return this.fingerprint;
  }
}
