/**
 * The set of sources of one workspace and their index. Updated one file at a
 * time; a generation counter lets caches know when any source changed.
 */
import type { Finding, Source } from './types';
import { loadSource, resolveSourceIds, sourceOnDemand, type SourceHeader } from './sources';
import { SourceIndex } from './quotes';
import { LowerCaseSourceWords, type SourceWords } from './source-words';
import { corpusFingerprint } from './corpus-memo';
import { exportCacheProducts, giveContentKey, importCacheProducts, knownContentKey, sourceContentKey, type CacheProduct } from './index-cache';

/** Section of the persisted cache holding the quotation index (the name older cache files use). */
export const QUOTES_SECTION = 'quotes';
/** Section holding each source's header (id, body, metadata) by content key and path (`Corpus.setOnDemand`). */
export const SOURCE_HEADERS_SECTION = 'source-headers';
/** Bumped when the section's layout changes (a change to what `loadSource` finds comes with a new build id, which the section carries). */
const SOURCE_HEADERS_FORMAT = 1;

export class Corpus {
  private readonly byUri = new Map<string, Source>();
  private byId = new Map<string, Source>();
  private problems = new Map<string, Finding[]>();
  private readonly index: SourceIndex;
  private idsDirty = false;
  /** The `byId` the quotation index was last brought in line with: it is synced only when asked for, so a thread that never searches quotations never tokenizes the corpus. */
  private indexedById = new Map<string, Source>();
  private links: LinkTable | undefined;
  /** Bumped on every change: caches keyed on it go stale. */
  generation = 0;

  /** The quotation index's section, restored at the first `searchIndex()` (`CacheProduct.importLater`). */
  private pendingQuotes: (() => Uint8Array | undefined) | undefined;
  /** Headers of sources loaded by an earlier run, by `headerKey` (`setOnDemand`); after an export, those it wrote. */
  private knownHeaders = new Map<string, SourceHeader>();
  private readonly sourceWords: LowerCaseSourceWords;

  /**
   * `buildId`: the running code's hash, if the embedder has one (stamps the quotation index's and the headers' cache
   * sections); `hashLongText`: the embedder's hash for the sources' fingerprint (EngineOptions).
   */
  constructor(
    private readonly buildId?: string,
    private readonly hashLongText?: (text: string) => string,
  ) {
    this.index = new SourceIndex(buildId);
    this.sourceWords = new LowerCaseSourceWords(this, buildId);
  }

  /** The fingerprint of `sources` (by default the sources now) that kept answers are stamped with (corpus-memo.ts). */
  fingerprint(sources: ReadonlyMap<string, Source> = this.sources()): string {
    return corpusFingerprint(sources, this.hashLongText);
  }

  /** The words the sources write in lower case (engine/source-words.ts): one object per generation. */
  lowerCaseWords(): SourceWords {
    return this.sourceWords.words();
  }

  /** Those words as a product of the persisted cache: a warm check asks them without restoring the quotation index. */
  get wordsCache(): CacheProduct {
    return this.sourceWords.cacheProduct;
  }

  /** `contentKey`: the embedder's hash of the file's content, used instead of hashing `text` (Engine.setSource). */
  set(uri: string, path: string, text: string, contentKey?: string): void {
    const previous = this.byUri.get(uri);
    if (previous && previous.text === text && previous.path === path) return;
    const source = loadSource(uri, path, text);
    if (contentKey !== undefined) giveContentKey(source, contentKey);
    this.byUri.set(uri, source);
    this.idsDirty = true;
    this.generation++;
  }

  /**
   * Sets a source known by its content key (`Engine.setSourceOnDemand`):
   * when an earlier run loaded a file with this key and path, the source is
   * set from what it found, and its text is read (`readText`) only when
   * something asks for it. False when no such header is known: the caller
   * then reads the file and sets it with `set`.
   */
  setOnDemand(uri: string, path: string, contentKey: string, readText: () => string): boolean {
    if (!contentKey) return false;
    const key = `#${contentKey}`;
    const header = this.knownHeaders.get(headerKey(key, path));
    if (!header) return false;
    const previous = this.byUri.get(uri);
    if (previous && previous.path === path && knownContentKey(previous) === key) return true;
    const source = sourceOnDemand(uri, path, header, readText);
    giveContentKey(source, contentKey);
    this.byUri.set(uri, source);
    this.idsDirty = true;
    this.generation++;
    return true;
  }

  delete(uri: string): void {
    if (!this.byUri.delete(uri)) return;
    this.idsDirty = true;
    this.generation++;
  }

  /** The sources' headers as a product of the persisted cache: a later run sets unchanged sources without reading them. */
  readonly headerCache: CacheProduct = this.makeHeaderCache();

  private makeHeaderCache(): CacheProduct {
    const corpus = this;
    return {
      section: SOURCE_HEADERS_SECTION,
      exportSection() {
        // Each source as loaded (before ids are made unique): the id its file gives.
        const entries: [string, string, string, number, number, Source['meta']][] = [];
        corpus.knownHeaders = new Map();
        for (const source of corpus.byUri.values()) {
          const key = sourceContentKey(source);
          entries.push([key, source.path, source.id, source.body.start, source.body.end, source.meta]);
          corpus.knownHeaders.set(headerKey(key, source.path), { id: source.id, body: source.body, meta: source.meta });
        }
        return new TextEncoder().encode(JSON.stringify({ format: SOURCE_HEADERS_FORMAT, build: corpus.buildId ?? null, entries }));
      },
      importSection(bytes) {
        const headers = parseHeaders(bytes, corpus.buildId);
        if (!headers) return 0;
        corpus.knownHeaders = headers;
        return headers.size;
      },
      // Written when a source is not among the headers held (read in full, renamed) or one held is gone. A header
      // follows from its key and path (the same build's loader made it), so key and path are all there is to compare.
      get dirty() {
        if (corpus.knownHeaders.size !== corpus.byUri.size) return true;
        for (const source of corpus.byUri.values()) if (!corpus.knownHeaders.has(headerKey(sourceContentKey(source), source.path))) return true;
        return false;
      },
    };
  }

  /**
   * The quotation index as a product of the persisted cache
   * (engine/index-cache.ts): its section holds the vocabulary, every source's
   * words and the postings; restored sources are adopted by later `set` calls
   * with the same text. Import before the first `set`.
   */
  readonly quotationCache: CacheProduct = this.makeQuotationCache();

  private makeQuotationCache(): CacheProduct {
    const corpus = this;
    return {
      section: QUOTES_SECTION,
      exportSection() {
        return corpus.searchIndex().snapshot();
      },
      importSection: (bytes) => corpus.index.restore(bytes),
      importLater: (load) => (corpus.pendingQuotes = load),
      get dirty() {
        return corpus.searchIndex().changed;
      },
    };
  }

  /** A cache container with the quotation section only (tests, benchmarks); see `quotationCache`. */
  exportIndex(onlyIfChanged = false): Uint8Array | undefined {
    return exportCacheProducts([this.quotationCache], onlyIfChanged);
  }

  /** Restores the quotation section of a cache container; true when it was usable. Call before the first `set`. */
  importIndex(bytes: Uint8Array): boolean {
    return (importCacheProducts(bytes, [this.quotationCache]).get(QUOTES_SECTION) ?? 0) > 0;
  }

  /** Sources by id, with colliding ids disambiguated by path. */
  sources(): Map<string, Source> {
    this.refresh();
    return this.byId;
  }

  get(id: string): Source | undefined {
    return this.sources().get(id);
  }

  byUriOf(uri: string): Source | undefined {
    this.refresh();
    for (const source of this.byId.values()) if (source.uri === uri) return source;
    return undefined;
  }

  searchIndex(): SourceIndex {
    this.refresh();
    const pending = this.pendingQuotes;
    if (pending) {
      // Before any source is indexed: restored sources are then adopted below instead of tokenized.
      this.pendingQuotes = undefined;
      const bytes = pending();
      if (bytes) this.index.restore(bytes);
    }
    if (this.indexedById !== this.byId) {
      // Re-index only what changed: a source whose id and text are unchanged keeps its postings.
      for (const [id, old] of this.indexedById) {
        const now = this.byId.get(id);
        if (!now || now.text !== old.text) this.index.remove(id);
      }
      for (const [id, source] of this.byId) {
        const old = this.indexedById.get(id);
        if (!old || old.text !== source.text || !this.index.has(id)) this.index.add(source);
      }
      this.indexedById = this.byId;
    }
    return this.index;
  }

  sourceProblems(): Map<string, Finding[]> {
    this.refresh();
    return this.problems;
  }

  /** Maps a link target (a source's url or its relative path) to a source id. */
  idForLink(target: string): string | undefined {
    const clean = target.replace(/^\.\//, '').replace(/#.*$/, '');
    const links = this.linkTable();
    // A source matches by url, by a path that ends with the link, or by being a path the link ends with;
    // the first matching source in id order wins. Map lookups, not a scan per link (2,000 sources × every link).
    const candidates = [links.byUrl.get(target), links.byPathSuffix.get(clean)];
    for (let i = clean.indexOf('/'); i >= 0; i = clean.indexOf('/', i + 1)) candidates.push(links.byPath.get(clean.slice(i + 1)));
    let best: string | undefined;
    for (const id of candidates) if (id !== undefined && (best === undefined || links.order.get(id)! < links.order.get(best)!)) best = id;
    return best;
  }

  private linkTable(): LinkTable {
    const sources = this.sources();
    if (this.links?.sources === sources) return this.links;
    const table: LinkTable = { sources, order: new Map(), byUrl: new Map(), byPath: new Map(), byPathSuffix: new Map() };
    const first = (map: Map<string, string>, key: string, id: string) => {
      if (!map.has(key)) map.set(key, id);
    };
    for (const source of sources.values()) {
      table.order.set(source.id, table.order.size);
      if (source.meta.url) first(table.byUrl, source.meta.url, source.id);
      first(table.byPath, source.path, source.id);
      first(table.byPathSuffix, source.path, source.id);
      for (let i = source.path.indexOf('/'); i >= 0; i = source.path.indexOf('/', i + 1)) first(table.byPathSuffix, source.path.slice(i + 1), source.id);
    }
    this.links = table;
    return table;
  }

  private refresh(): void {
    if (!this.idsDirty) return;
    this.idsDirty = false;
    const resolved = resolveSourceIds([...this.byUri.values()]);
    const next = new Map<string, Source>();
    for (const source of resolved.sources) next.set(source.id, source);
    this.byId = next;
    this.problems = new Map();
    for (const collision of resolved.collisions) {
      for (const source of collision.sources) {
        this.problems.set(source.uri, [
          {
            ruleId: 'config/invalid',
            severity: 'warning',
            message: `Source id "${collision.id}" is used by ${collision.sources.length} files; this one is cited as @${source.id}. Give it a front-matter id to choose another.`,
            span: { start: 0, end: 0 },
          },
        ]);
      }
    }
  }
}

/** idForLink's lookups, valid for one `byId` map (rebuilt after the source set changed). */
interface LinkTable {
  sources: Map<string, Source>;
  order: Map<string, number>;
  byUrl: Map<string, string>;
  byPath: Map<string, string>;
  byPathSuffix: Map<string, string>;
}

function headerKey(contentKey: string, path: string): string {
  return `${contentKey}\u0000${path}`;
}

/** The headers in a section's bytes; undefined when they are damaged or from another format or build. */
function parseHeaders(bytes: Uint8Array, buildId: string | undefined): Map<string, SourceHeader> | undefined {
  try {
    const data = JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown; build?: unknown; entries?: unknown };
    if (data.format !== SOURCE_HEADERS_FORMAT || data.build !== (buildId ?? null) || !Array.isArray(data.entries)) return undefined;
    const headers = new Map<string, SourceHeader>();
    for (const entry of data.entries as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 6) return undefined;
      const [key, path, id, start, end, meta] = entry as unknown[];
      if (typeof key !== 'string' || typeof path !== 'string' || typeof id !== 'string' || typeof start !== 'number' || typeof end !== 'number' || !isMeta(meta)) return undefined;
      headers.set(headerKey(key, path), { id, body: { start, end }, meta });
    }
    return headers;
  } catch {
    return undefined;
  }
}

function isMeta(value: unknown): value is Source['meta'] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
