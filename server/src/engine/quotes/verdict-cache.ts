/**
 * Quotation verdicts keyed by (cited sources, words), valid for one state of
 * the corpus: an edit elsewhere in the piece re-uses every unchanged
 * quotation. Matching is most of a check's corpus work (the 2 MB benchmark
 * piece: ~1.3 s of ~5.5 s on its thread), so the verdicts can also outlive
 * the process as a product of the persisted cache: a CLI run over a piece
 * that changed in one paragraph matches that paragraph's quotations only.
 *
 * A verdict is the matcher's output, so a persisted one is valid only for the
 * same sources (ids and texts, hashed into a fingerprint) and the same code:
 * the embedder names its build (`buildId`, a hash of the running code); with
 * none, verdicts are kept in memory only. The section holds the verdicts this
 * process used, then those it was given and did not need, up to a bound; each
 * is parsed only when a quotation asks for it.
 */
import type { CacheProduct } from '../index-cache';
import { ByteReader, ByteWriter, contentKey, sourceContentKey } from '../index-cache';
import type { Corpus } from '../corpus';
import { detach } from '../text';
import { matchQuotation, type QuoteResult } from './match';

/** Section of the persisted cache holding the verdicts. */
export const VERDICTS_SECTION = 'verdicts';
/** Bumped whenever the section's layout changes. */
const VERDICTS_FORMAT = 2;
/** In-memory entries above which the map starts afresh (a long editing session). */
const MAX_ENTRIES = 50_000;
/** Most verdicts a section holds: those this process used first, then those it was given and did not need. */
const MAX_PERSISTED = 60_000;

/** The section: this header (JSON), then each verdict's JSON in key order, one per line. */
interface VerdictsHeader {
  format: number;
  buildId: string;
  corpus: string;
  keys: string[];
}

export class VerdictCache implements CacheProduct {
  readonly section = VERDICTS_SECTION;
  private generation = -1;
  private fingerprint: string | undefined;
  /** A verdict, or its JSON as the cache file had it: parsed only when a quotation asks for it. */
  private readonly entries = new Map<string, QuoteResult | string>();
  /** Keys read or computed by this process: an export writes them first. */
  private readonly used = new Set<string>();
  /** Entries of an earlier run, taken once the corpus is known to be the one they were made for. */
  private pending: { corpus: string; keys: string[]; values: string[] } | undefined;
  private changed = false;
  /** Lookups answered by matching, and by a kept verdict (tests, diagnostics). */
  readonly stats = { matched: 0, kept: 0 };

  constructor(
    private readonly corpus: Corpus,
    private readonly buildId?: string,
  ) {}

  get(text: string, prefer: readonly string[]): QuoteResult {
    if (this.corpus.generation !== this.generation) this.startGeneration();
    const key = prefer.join(' ') + '\u0000' + text;
    let result = this.stored(key);
    if (result) this.stats.kept++;
    else {
      this.stats.matched++;
      // Kept across edits: matched from a copy, so the verdict does not hold this version of the piece alive.
      result = matchQuotation(this.corpus.searchIndex(), detach(text), { preferSources: [...prefer] });
      if (this.entries.size > MAX_ENTRIES) {
        this.entries.clear();
        this.used.clear();
      }
      this.entries.set(key, result);
      this.changed = true;
    }
    if (this.buildId !== undefined) this.used.add(key);
    return result;
  }

  /** Only a build that persists verdicts ever has any to write. */
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
    out.json({ format: VERDICTS_FORMAT, buildId: this.buildId ?? '', corpus: this.corpusFingerprint(), keys } satisfies VerdictsHeader);
    out.string(values.join('\n'));
    this.changed = false;
    return out.finish();
  }

  importSection(bytes: Uint8Array): number {
    if (this.buildId === undefined) return 0;
    try {
      const reader = new ByteReader(bytes);
      const header = reader.json<VerdictsHeader>();
      if (header?.format !== VERDICTS_FORMAT || header.buildId !== this.buildId || typeof header.corpus !== 'string' || !Array.isArray(header.keys)) return 0;
      // JSON never holds a raw line break, so each line is one verdict.
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

  /** The verdict kept for `key`, parsed from the cache file's JSON on first use; undefined when there is none (or it is unreadable). */
  private stored(key: string): QuoteResult | undefined {
    const value = this.entries.get(key);
    if (typeof value !== 'string') return value;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!isQuoteResult(parsed)) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.set(key, parsed);
    return parsed;
  }

  /** A new state of the corpus: earlier verdicts are dropped, or the imported ones taken if they were made for it. */
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

  /** The sources' ids, uris and texts, hashed: what every verdict depends on besides the quotation. */
  private corpusFingerprint(): string {
    if (this.fingerprint === undefined) {
      const parts: string[] = [];
      for (const [id, source] of this.corpus.sources()) parts.push(`${id}\u0000${source.uri}\u0000${sourceContentKey(source)}`);
      // In the corpus's order: the order sources were added decides the order of `exactSourceIds`.
      this.fingerprint = contentKey(parts.join('\u0001'));
    }
    return this.fingerprint;
  }
}

function isQuoteResult(value: unknown): value is QuoteResult {
  const result = value as Partial<QuoteResult> | null;
  return (result?.verdict === 'verbatim' || result?.verdict === 'near' || result?.verdict === 'none') && Array.isArray(result.exactSourceIds) && typeof result.quoteWordCount === 'number';
}
