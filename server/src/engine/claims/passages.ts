/**
 * Which source passage supports a claim? BM25 over the sentences of every
 * source, kept per source and merged once per corpus generation, only when a
 * claim needs it.
 *
 * Layout, for a corpus edited one file at a time and reopened often:
 *
 * - Per source (`SourcePassages`, keyed by uri and checked against the
 *   source's contentKey): its passages (sentence spans of the body, with the
 *   paragraph number) and, per passage, the term ids of its content words
 *   (stop words dropped, stemmed; repeats kept). The words come from the
 *   quotation index, which has already tokenized every source into surface
 *   ids, and each surface id is stemmed once (`surfaceTerms`). Computed once
 *   per source text: a changed source is the only one tokenized and stemmed
 *   again, and a warm start (the cache's 'passages' section) stems nothing.
 * - Term ids come from one `TermDictionary` per corpus. It never forgets a
 *   term, so per-source term ids stay valid while other sources change.
 * - The searchable index (`PassageIndex`) is merged from the per-source data
 *   for each corpus generation: integer work only — a counting sort of every
 *   (term, passage) pair into CSR postings (`postingStart[term] ..
 *   postingStart[term + 1]` into `postingPassage` / `postingTf`), document
 *   frequencies and idf counted on the way. Sources are merged in the
 *   corpus's id order, so the index (and ties between equal scores) is the
 *   same whether it was built from scratch, updated or restored.
 * - A query touches only the postings of its own terms and accumulates into a
 *   reused `Float32Array`.
 *
 * `similarity` is what share of the claim's information (idf-weighted terms)
 * the passage contains: 1 when every content word of the claim is there.
 * BM25 ranks; similarity decides whether a passage is a real match.
 */
import type { Corpus } from '../corpus';
import type { Source, Span } from '../types';
import { tokenize, type SourceIndex } from '../quotes';
import type { Vocabulary } from '../quotes/vocabulary';
import { ByteReader, ByteWriter, sourceContentKey, type CacheProduct } from '../index-cache';
import { splitParagraphs, splitSentences } from '../sentences';
import { detach } from '../text';
import { stem, isStopword } from './terms';

export interface Passage {
  sourceId: string;
  /** The sentence, as offsets into the source's text. */
  span: Span;
  /** 1-based paragraph of the source body the sentence is in. */
  paragraph: number;
}

export interface PassageHit {
  passage: Passage;
  /** BM25 score (for ranking only). */
  score: number;
  /** Share (0–1) of the claim's idf-weighted content words that the passage has. */
  similarity: number;
}

/** Section of the persisted cache holding the supporting passages found for claims (engine/corpus-memo.ts). */
export const PASSAGE_ANSWERS_SECTION = 'passage-answers';

/** Whether a value read back from a cache file is a search's answer (`PassageHit[]`). */
export function isPassageHits(value: unknown): value is PassageHit[] {
  return (
    Array.isArray(value) &&
    value.every((hit: Partial<PassageHit> | null) => {
      const passage = hit?.passage;
      return typeof passage?.sourceId === 'string' && typeof passage.paragraph === 'number' && typeof passage.span?.start === 'number' && typeof passage.span.end === 'number' && typeof hit?.score === 'number' && typeof hit.similarity === 'number';
    })
  );
}

/** Section of the persisted index cache holding every source's passages and terms. */
export const PASSAGES_SECTION = 'passages';
// Bump when passages or terms are made differently (sentence splitting, stemming, stop words).
const FORMAT_VERSION = 3;

// The usual BM25 constants; 0.9–1.6 and b 0.4–0.75 gave the same 45/50 on the paraphrase test.
const K1 = 1.2;
const B = 0.75;

/**
 * Stemmed terms and their ids. Terms restored from a cache are a sorted array
 * (found by binary search, so a warm start builds no map of them); terms added
 * later go to a map. Ids are never reused.
 */
class TermDictionary {
  private sorted: string[] = [];
  private readonly added = new Map<string, number>();

  get size(): number {
    return this.sorted.length + this.added.size;
  }

  lookup(term: string): number | undefined {
    const sorted = this.sorted;
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = sorted[mid];
      if (at === term) return mid;
      if (at < term) lo = mid + 1;
      else hi = mid - 1;
    }
    return this.added.get(term);
  }

  intern(term: string): number {
    let id = this.lookup(term);
    if (id === undefined) {
      id = this.size;
      this.added.set(term, id);
    }
    return id;
  }

  /** Term strings by id. */
  strings(): string[] {
    return [...this.sorted, ...this.added.keys()];
  }

  /** Takes restored terms (sorted) as ids 0..n-1; only while empty. */
  adoptSorted(terms: string[]): boolean {
    if (this.size > 0) return false;
    this.sorted = terms;
    return true;
  }
}

/** One source's passages and their terms, made once per source text. */
interface SourcePassages {
  uri: string;
  path: string;
  /** contentKey of the text the passages were made from. */
  key: string;
  /** The source object they were made from (a later object with the same text is checked by key). */
  source: Source | undefined;
  /** The arrays (a restored source makes its views of the cache only when a merge or an export reads them). */
  data(): PassageData;
  /** Taken from a cache section: which one, its place there and its passage count (a warm start whose sources are all restored in order uses the section's postings). */
  restored?: { from: ImportedPassages; order: number; passages: number };
}

interface PassageData {
  starts: Uint32Array;
  ends: Uint32Array;
  paragraphs: Uint32Array;
  /** Passage `p`'s terms are `terms[termEnd[p - 1] .. termEnd[p])` (from 0 for p = 0). */
  termEnd: Uint32Array;
  /** Dictionary ids of each passage's content words in order, repeats kept. */
  terms: Uint32Array;
}

/** The merged postings of an index (persisted with the per-source data, so an unchanged corpus needs no merge). */
interface Postings {
  passageLength: Uint16Array;
  /** With the section's postings: every source's passages, in the section's order. */
  passages?: { starts: Uint32Array; ends: Uint32Array; paragraphs: Uint32Array };
  averageLength: number;
  idf: Float32Array;
  postingStart: Uint32Array;
  postingPassage: Uint32Array;
  postingTf: Uint16Array;
}

export class PassageIndex {
  private constructor(
    private readonly dictionary: TermDictionary,
    /** Terms with ids below this are in the postings (the dictionary may grow after this index was merged). */
    private readonly termCount: number,
    /** Source id of each slot (a source), and per passage: its slot, offsets and paragraph. */
    private readonly sourceIds: string[],
    private readonly passageSource: Uint32Array,
    private readonly passageStart: Uint32Array,
    private readonly passageEnd: Uint32Array,
    private readonly passageParagraph: Uint32Array,
    private readonly passageLength: Uint16Array,
    private readonly averageLength: number,
    private readonly idf: Float32Array,
    private readonly postingStart: Uint32Array,
    private readonly postingPassage: Uint32Array,
    private readonly postingTf: Uint16Array,
  ) {}

  get size(): number {
    return this.passageSource.length;
  }

  /** Passage `p` as plain data (built only for the hits a query returns). */
  private passage(p: number): Passage {
    return { sourceId: this.sourceIds[this.passageSource[p]], span: { start: this.passageStart[p], end: this.passageEnd[p] }, paragraph: this.passageParagraph[p] };
  }

  /** Builds the index over every source of the corpus from scratch (nothing reused, nothing kept). */
  static build(corpus: Corpus): PassageIndex {
    return new PassageStore(corpus).index();
  }

  /** The index persisted with a section: its sources in the section's order, its postings as they were written. */
  static restore(parts: ReadonlyArray<{ id: string; entry: SourcePassages }>, dictionary: TermDictionary, postings: Postings): PassageIndex {
    const n = postings.passageLength.length;
    const passageSource = new Uint32Array(n);
    let p = 0;
    for (let s = 0; s < parts.length; s++) {
      const count = parts[s].entry.restored!.passages;
      passageSource.fill(s, p, p + count);
      p += count;
    }
    const { starts: passageStart, ends: passageEnd, paragraphs: passageParagraph } = postings.passages!;
    const termCount = postings.postingStart.length - 1;
    return new PassageIndex(
      dictionary,
      termCount,
      parts.map((part) => part.id),
      passageSource,
      passageStart,
      passageEnd,
      passageParagraph,
      postings.passageLength,
      postings.averageLength,
      postings.idf,
      postings.postingStart,
      postings.postingPassage,
      postings.postingTf,
    );
  }

  /** The postings, for the cache. */
  get postings(): Postings & { termCount: number } {
    return {
      termCount: this.termCount,
      passageLength: this.passageLength,
      averageLength: this.averageLength,
      idf: this.idf,
      postingStart: this.postingStart,
      postingPassage: this.postingPassage,
      postingTf: this.postingTf,
    };
  }

  /** Merges per-source passages (in this order) into one searchable index. */
  static merge(parts: ReadonlyArray<{ id: string; entry: SourcePassages }>, dictionary: TermDictionary): PassageIndex {
    let n = 0;
    const data = parts.map((part) => part.entry.data());
    for (const { starts } of data) n += starts.length;
    const termCount = dictionary.size;
    const passageSource = new Uint32Array(n);
    const passageStart = new Uint32Array(n);
    const passageEnd = new Uint32Array(n);
    const passageParagraph = new Uint32Array(n);
    const passageLength = new Uint16Array(n);
    const counts = new Uint32Array(termCount + 1);
    let totalLength = 0;
    let p = 0;
    for (let s = 0; s < parts.length; s++) {
      const { starts, ends, paragraphs, termEnd, terms } = data[s];
      const count = starts.length;
      passageStart.set(starts, p);
      passageEnd.set(ends, p);
      passageParagraph.set(paragraphs, p);
      passageSource.fill(s, p, p + count);
      let previous = 0;
      for (let i = 0; i < count; i++) {
        const length = termEnd[i] - previous;
        previous = termEnd[i];
        totalLength += length;
        passageLength[p + i] = Math.min(length, 0xffff);
      }
      // A term id past the dictionary (only from damaged cache bytes) is left out rather than read out of range.
      for (let i = 0; i < terms.length; i++) if (terms[i] < termCount) counts[terms[i] + 1]++;
      p += count;
    }
    // Counting sort of the (term, passage) pairs by term; passages stay ascending within a term.
    for (let t = 0; t < termCount; t++) counts[t + 1] += counts[t];
    const pairs = counts[termCount];
    const sortedPassages = new Uint32Array(pairs);
    const fill = counts.slice(0, termCount);
    p = 0;
    for (const { termEnd, terms } of data) {
      let i = 0;
      for (let local = 0; local < termEnd.length; local++, p++) {
        for (const end = termEnd[local]; i < end; i++) if (terms[i] < termCount) sortedPassages[fill[terms[i]]++] = p;
      }
    }

    // Collapse repeats into tf; df is the number of distinct passages.
    const postingStart = new Uint32Array(termCount + 1);
    const postingPassage = new Uint32Array(pairs);
    const postingTf = new Uint16Array(pairs);
    const idf = new Float32Array(termCount);
    let out = 0;
    for (let t = 0; t < termCount; t++) {
      postingStart[t] = out;
      for (let i = counts[t]; i < counts[t + 1]; i++) {
        const passage = sortedPassages[i];
        if (out > postingStart[t] && postingPassage[out - 1] === passage) {
          if (postingTf[out - 1] < 0xffff) postingTf[out - 1]++;
        } else {
          postingPassage[out] = passage;
          postingTf[out] = 1;
          out++;
        }
      }
      const df = out - postingStart[t];
      idf[t] = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    }
    postingStart[termCount] = out;

    return new PassageIndex(
      dictionary,
      termCount,
      parts.map((part) => part.id),
      passageSource,
      passageStart,
      passageEnd,
      passageParagraph,
      passageLength,
      n ? totalLength / n : 1,
      idf,
      postingStart,
      postingPassage.slice(0, out),
      postingTf.slice(0, out),
    );
  }

  /** Term id of a stemmed key when some passage has it. */
  private termOf(key: string): number | undefined {
    const term = this.dictionary.lookup(key);
    if (term === undefined || term >= this.termCount || this.postingStart[term] === this.postingStart[term + 1]) return undefined;
    return term;
  }

  /**
   * The best passages for a claim, best first. `text[from, to)` is the claim
   * (quotation contents and citations may be blanked). Not remembered here:
   * the engine asks through its answer memo (engine/corpus-memo.ts), which
   * every other claim of an edited piece hits.
   */
  search(text: string, from = 0, to = text.length, limit = 3): PassageHit[] {
    return this.rank(text, from, to, limit);
  }

  /** The claim's distinct known terms in the order the claim first has them, and its total idf weight (unknown words count too). */
  private query(text: string, from: number, to: number): { terms: number[]; totalWeight: number } | undefined {
    const terms: number[] = [];
    const unknownTerms: string[] = [];
    let totalWeight = 0;
    const maxIdf = Math.log(1 + (this.size + 0.5) / 0.5);
    for (const token of tokenize(text, from, to)) {
      const key = termKey(token.text);
      if (key === undefined) continue;
      const term = this.termOf(key);
      if (term === undefined) {
        // A word no source has: part of the claim no passage can support.
        if (!unknownTerms.includes(key)) {
          unknownTerms.push(key);
          totalWeight += maxIdf;
        }
      } else if (!terms.includes(term)) {
        terms.push(term);
        totalWeight += this.idf[term];
      }
    }
    if (terms.length === 0 || totalWeight === 0) return undefined;
    return { terms, totalWeight };
  }

  /** BM25 length normalisation per passage, K1 * (1 - B + B * length / averageLength) (made on the first query). */
  private norms: Float64Array | undefined;

  private normsOf(): Float64Array {
    if (this.norms) return this.norms;
    const norms = new Float64Array(this.size);
    for (let p = 0; p < norms.length; p++) norms[p] = K1 * (1 - B + (B * this.passageLength[p]) / this.averageLength);
    return (this.norms = norms);
  }

  /** Scratch for one query: float32 scores and matched idf per passage (0 between queries), and the passages touched. */
  private scratch: { scores: Float32Array; matched: Float32Array; touched: Uint32Array } | undefined;

  private rank(text: string, from: number, to: number, limit: number): PassageHit[] {
    const query = this.query(text, from, to);
    if (!query) return [];
    const { terms, totalWeight } = query;
    const norms = this.normsOf();
    const n = this.size;
    const { scores, matched, touched } = (this.scratch ??= { scores: new Float32Array(n), matched: new Float32Array(n), touched: new Uint32Array(n) });
    let count = 0;
    for (const term of terms) {
      count = addTerm(this.postingPassage, this.postingTf, this.postingStart[term], this.postingStart[term + 1], this.idf[term], norms, scores, matched, touched, count);
    }
    const best = bestOf(scores, touched, count, limit);
    const hits = best.map((p) => ({ passage: this.passage(p), score: scores[p], similarity: Math.min(1, matched[p] / totalWeight) }));
    for (let i = 0; i < count; i++) {
      scores[touched[i]] = 0;
      matched[touched[i]] = 0;
    }
    return hits;
  }
}

/**
 * Adds one term's BM25 gains to the passages of its postings `[start, end)`
 * (float32 sums, in the order the caller gives the terms); passages touched
 * for the first time go to `touched[count..]`. Returns the new count.
 * Small and separate so that the engine compiles this loop early and once.
 */
function addTerm(
  postingPassage: Uint32Array,
  postingTf: Uint16Array,
  start: number,
  end: number,
  idf: number,
  norms: Float64Array,
  scores: Float32Array,
  matched: Float32Array,
  touched: Uint32Array,
  count: number,
): number {
  const n = scores.length;
  for (let i = start; i < end; i++) {
    const p = postingPassage[i];
    if (!(p < n)) continue; // only in postings restored from damaged bytes
    const tf = postingTf[i];
    if (matched[p] === 0) touched[count++] = p;
    scores[p] += (idf * tf * (K1 + 1)) / (tf + norms[p]);
    matched[p] += idf;
  }
  return count;
}

/** The `limit` best of the touched passages, best first; of equal scores, the one touched first. */
function bestOf(scores: Float32Array, touched: Uint32Array, count: number, limit: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < count; i++) {
    const p = touched[i];
    if (best.length < limit || scores[p] > scores[best[best.length - 1]]) {
      let at = best.length < limit ? best.length : limit - 1;
      best[at] = p;
      while (at > 0 && scores[best[at]] > scores[best[at - 1]]) {
        const swap = best[at];
        best[at] = best[at - 1];
        best[at - 1] = swap;
        at--;
      }
    }
  }
  return best;
}

/** Stems by word, kept across builds: a surface seen by an earlier build (or another vocabulary) is not stemmed again. */
const stems = new Map<string, string | null>();

function termKey(surface: string): string | undefined {
  const cached = stems.get(surface);
  if (cached !== undefined) return cached ?? undefined;
  // A claim's word is a slice of the piece: kept (and stemmed) as a copy, so the cache does not hold that version of the piece.
  const own = detach(surface);
  const lower = own.toLowerCase();
  const key = (lower.length < 2 && !/\d/.test(lower)) || isStopword(lower) ? null : stem(lower);
  if (stems.size > 500_000) stems.clear();
  stems.set(own, key);
  return key ?? undefined;
}

/** Scratch buffers for one source's passages, grown on demand. */
let scratchStarts: Uint32Array = new Uint32Array(1 << 10);
let scratchEnds: Uint32Array = new Uint32Array(1 << 10);
let scratchParagraphs: Uint32Array = new Uint32Array(1 << 10);
let scratchTermEnd: Uint32Array = new Uint32Array(1 << 10);
let scratchTerms: Uint32Array = new Uint32Array(1 << 14);

function grown(array: Uint32Array): Uint32Array {
  const next = new Uint32Array(array.length * 2);
  next.set(array);
  return next;
}

function fits(entry: SourcePassages, source: Source): boolean {
  if (entry.path !== source.path) return false;
  if (entry.source === source) return true;
  if (entry.key !== sourceContentKey(source)) return false;
  entry.source = source;
  return true;
}

/** The passages of one corpus: per-source data, the term dictionary, the merged index of the current generation. */
class PassageStore {
  private readonly entries = new Map<string, SourcePassages>();
  private readonly dictionary = new TermDictionary();
  private imported: ImportedPassages | undefined;
  /** Term id by surface id of the quotation index's vocabulary (-2 not yet stemmed, -1 no term). */
  private surfaceTerms: { vocabulary: Vocabulary; terms: Int32Array } | undefined;
  private current: { generation: number; index: PassageIndex } | undefined;
  /** Whether a source was indexed or dropped since the last import or export. */
  private changed = true;
  /** How many sources the last import or export held (a restored source that never came back leaves the cache stale). */
  private persisted = -1;
  /** Whether anything asked for the index: a store nobody used (a CLI thread without claim rules) has nothing new to persist. */
  private used = false;
  /** The section, imported at the first refresh (`CacheProduct.importLater`). */
  private pendingImport: (() => Uint8Array | undefined) | undefined;

  constructor(private readonly corpus: Corpus) {}

  index(): PassageIndex {
    this.used = true;
    const generation = this.corpus.generation;
    if (this.current && this.current.generation === generation) return this.current.index;
    const parts = this.refresh();
    const restored = this.imported?.postingsFor(parts);
    if (!restored) passageWork.merged++;
    const index = restored ? PassageIndex.restore(parts, this.dictionary, restored) : PassageIndex.merge(parts, this.dictionary);
    this.current = { generation, index };
    return index;
  }

  /**
   * Up to `budget` sources' passages made (restored ones cost nothing), then
   * the index once every source has them: a caller preparing ahead of
   * requests spreads a cold build over several short steps.
   */
  prepareSome(budget: number): void {
    if (this.isCurrent()) return;
    if (this.refresh(budget)) this.index();
  }

  isCurrent(): boolean {
    return this.current !== undefined && this.current.generation === this.corpus.generation;
  }

  get dirty(): boolean {
    if (!this.used) return false;
    this.refresh();
    return this.changed || this.persisted !== this.entries.size;
  }

  /**
   * Brings the per-source data in line with the corpus; the sources in the
   * corpus's order. With a `budget`, undefined once it has made that many
   * sources' passages (the rest on a later call).
   */
  private refresh(): Array<{ id: string; entry: SourcePassages }>;
  private refresh(budget: number): Array<{ id: string; entry: SourcePassages }> | undefined;
  private refresh(budget = Infinity): Array<{ id: string; entry: SourcePassages }> | undefined {
    this.takePendingImport();
    const parts: Array<{ id: string; entry: SourcePassages }> = [];
    const live = new Set<string>();
    let searchIndex: SourceIndex | undefined;
    let made = 0;
    for (const source of this.corpus.sources().values()) {
      let entry = this.entries.get(source.uri);
      if (!entry || !fits(entry, source)) {
        entry = this.imported?.take(source, this.dictionary);
        if (entry) passageWork.restored++;
        else {
          if (made >= budget) return undefined;
          made++;
          entry = this.make(source, (searchIndex ??= this.corpus.searchIndex()));
          passageWork.made++;
          this.changed = true;
        }
        this.entries.set(source.uri, entry);
      }
      live.add(source.uri);
      parts.push({ id: source.id, entry });
    }
    if (live.size !== this.entries.size) {
      for (const uri of [...this.entries.keys()]) {
        if (live.has(uri)) continue;
        this.entries.delete(uri);
        this.changed = true;
      }
    }
    return parts;
  }

  /** Splits a source into passages and stems their words (taken from the quotation index). */
  private make(source: Source, searchIndex: SourceIndex): SourcePassages {
    const indexed = searchIndex.get(source.id);
    if (!indexed || indexed.source.text !== source.text) throw new Error(`passage index: source ${source.id} is not in the quotation index`);
    const vocabulary = searchIndex.vocabulary;
    let cache = this.surfaceTerms;
    if (!cache || cache.vocabulary !== vocabulary) cache = this.surfaceTerms = { vocabulary, terms: new Int32Array(Math.max(1024, vocabulary.size)).fill(-2) };
    if (cache.terms.length < vocabulary.size) {
      const terms = new Int32Array(vocabulary.size * 2).fill(-2);
      terms.set(cache.terms);
      cache.terms = terms;
    }
    const surfaceTerms = cache.terms;
    const surfaces = vocabulary.surfaces;
    const dictionary = this.dictionary;

    const { words, starts } = indexed;
    let w = 0;
    let passages = 0;
    let termCount = 0;
    let paragraphNumber = 0;
    for (const paragraph of splitParagraphs(source.text, source.body.start, source.body.end)) {
      paragraphNumber++;
      for (const sentence of splitSentences(source.text, paragraph.start, paragraph.end)) {
        while (w < starts.length && starts[w] < sentence.start) w++;
        const first = termCount;
        for (; w < starts.length && starts[w] < sentence.end; w++) {
          const surface = words[w];
          let term = surfaceTerms[surface];
          if (term === -2) {
            const key = termKey(surfaces[surface]);
            term = key === undefined ? -1 : dictionary.intern(key);
            surfaceTerms[surface] = term;
          }
          if (term < 0) continue;
          if (termCount === scratchTerms.length) scratchTerms = grown(scratchTerms);
          scratchTerms[termCount++] = term;
        }
        if (termCount === first) continue;
        if (passages === scratchStarts.length) {
          scratchStarts = grown(scratchStarts);
          scratchEnds = grown(scratchEnds);
          scratchParagraphs = grown(scratchParagraphs);
          scratchTermEnd = grown(scratchTermEnd);
        }
        scratchStarts[passages] = sentence.start;
        scratchEnds[passages] = sentence.end;
        scratchParagraphs[passages] = paragraphNumber;
        scratchTermEnd[passages] = termCount;
        passages++;
      }
    }
    const data: PassageData = {
      starts: scratchStarts.slice(0, passages),
      ends: scratchEnds.slice(0, passages),
      paragraphs: scratchParagraphs.slice(0, passages),
      termEnd: scratchTermEnd.slice(0, passages),
      terms: scratchTerms.slice(0, termCount),
    };
    return { uri: source.uri, path: source.path, key: sourceContentKey(source), source, data: () => data };
  }

  /**
   * The section bytes: every current source's passages and terms, keyed by
   * uri, path and contentKey, with the terms they use (sorted, renumbered).
   */
  exportSection(): Uint8Array {
    const parts = this.refresh();
    const index = this.index();
    this.changed = false;
    this.persisted = this.entries.size;
    return encodePassages(parts.map((part) => part.entry), this.dictionary.strings(), index.postings);
  }

  /** The section, to import when the store is first refreshed: before any source is indexed, as `importSection` must be. */
  importLater(load: () => Uint8Array | undefined): void {
    this.pendingImport = load;
  }

  private takePendingImport(): void {
    const load = this.pendingImport;
    if (!load) return;
    this.pendingImport = undefined;
    const bytes = load();
    if (bytes) this.importSection(bytes);
  }

  /** Holds a section's sources until the same texts are set; returns how many it holds (0 for bad bytes). */
  importSection(bytes: Uint8Array): number {
    let imported: ImportedPassages | undefined;
    try {
      imported = ImportedPassages.decode(bytes);
    } catch {
      imported = undefined;
    }
    this.imported = imported;
    if (!imported) return 0;
    // Before any source is indexed, the restored terms become the dictionary: restored term ids are then used as they are.
    imported.adoptTermsInto(this.dictionary);
    if (this.entries.size === 0) {
      this.changed = false;
      this.persisted = imported.size;
    }
    return imported.size;
  }
}

// ---- Encoding --------------------------------------------------------------
//
// Header (JSON): format version, term count, whether the term table is JSON,
// the average passage length, the uri prefix most sources share, one row per
// source [path, uri ('' when it is the prefix + path), contentKey, passage
// count] (first passage and first term follow from the rows before). Terms: sorted, NUL-joined (or a
// JSON array when one holds a NUL). Then, over all sources in row order:
// passage starts, ends, paragraph numbers, each passage's term end (counted
// from its source's first term), and the term ids (Uint32Array each). Then the
// merged index of these sources in this order, with the sorted term ids:
// passage lengths (Uint16), idf (Float32), postingStart, postingPassage
// (Uint32), postingTf (Uint16).

type Row = [uri: string, path: string, key: string, firstPassage: number, passages: number, firstTerm: number];
/** A row as written: short, because a warm start parses all of them. */
type StoredRow = [path: string, uri: string, key: string, passages: number];

interface Header {
  version: number;
  terms: number;
  jsonTerms: boolean;
  averageLength: number;
  uriPrefix: string;
  sources: StoredRow[];
}

function encodePassages(sources: readonly SourcePassages[], strings: readonly string[], postings: Postings & { termCount: number }): Uint8Array {
  const entries = sources.map((source) => ({ uri: source.uri, path: source.path, key: source.key, ...source.data() }));
  // Only terms some source still uses, in sorted order (a restored dictionary is searched by bisection).
  const used = new Uint8Array(strings.length);
  let passageCount = 0;
  let termCount = 0;
  for (const entry of entries) {
    passageCount += entry.starts.length;
    termCount += entry.terms.length;
    for (let i = 0; i < entry.terms.length; i++) used[entry.terms[i]] = 1;
  }
  const sorted: string[] = [];
  for (let id = 0; id < strings.length; id++) if (used[id]) sorted.push(strings[id]);
  sorted.sort();
  const newIdOf = new Map<string, number>();
  sorted.forEach((term, i) => newIdOf.set(term, i));
  const renumber = new Uint32Array(strings.length);
  for (let id = 0; id < strings.length; id++) if (used[id]) renumber[id] = newIdOf.get(strings[id])!;

  const starts = new Uint32Array(passageCount);
  const ends = new Uint32Array(passageCount);
  const paragraphs = new Uint32Array(passageCount);
  const termEnd = new Uint32Array(passageCount);
  const terms = new Uint32Array(termCount);
  const sample = entries.find((entry) => entry.uri.endsWith(entry.path));
  const uriPrefix = sample ? sample.uri.slice(0, sample.uri.length - sample.path.length) : '';
  const header: Header = { version: FORMAT_VERSION, terms: sorted.length, jsonTerms: sorted.some((t) => t.includes('\u0000')), averageLength: postings.averageLength, uriPrefix, sources: [] };
  let p = 0;
  let t = 0;
  for (const entry of entries) {
    header.sources.push([entry.path, entry.uri === uriPrefix + entry.path ? '' : entry.uri, entry.key, entry.starts.length]);
    starts.set(entry.starts, p);
    ends.set(entry.ends, p);
    paragraphs.set(entry.paragraphs, p);
    termEnd.set(entry.termEnd, p);
    p += entry.starts.length;
    for (let i = 0; i < entry.terms.length; i++) terms[t++] = renumber[entry.terms[i]];
  }
  const writer = new ByteWriter();
  writer.json(header);
  writer.string(header.jsonTerms ? JSON.stringify(sorted) : sorted.join('\u0000'));
  writer.array(starts);
  writer.array(ends);
  writer.array(paragraphs);
  writer.array(termEnd);
  writer.array(terms);

  // The postings, rows in the sorted term order (a used term is one with postings, and the other way round).
  const oldIdOf = new Uint32Array(sorted.length);
  for (let id = 0; id < strings.length; id++) if (used[id]) oldIdOf[renumber[id]] = id;
  const postingStart = new Uint32Array(sorted.length + 1);
  const postingPassage = new Uint32Array(postings.postingPassage.length);
  const postingTf = new Uint16Array(postings.postingTf.length);
  const idf = new Float32Array(sorted.length);
  let out = 0;
  for (let term = 0; term < sorted.length; term++) {
    const old = oldIdOf[term];
    const from = old < postings.termCount ? postings.postingStart[old] : 0;
    const to = old < postings.termCount ? postings.postingStart[old + 1] : 0;
    postingStart[term] = out;
    postingPassage.set(postings.postingPassage.subarray(from, to), out);
    postingTf.set(postings.postingTf.subarray(from, to), out);
    idf[term] = postings.idf[old];
    out += to - from;
  }
  postingStart[sorted.length] = out;
  writer.array(bytesOf(postings.passageLength));
  writer.array(bytesOf(idf));
  writer.array(postingStart);
  writer.array(postingPassage.subarray(0, out));
  writer.array(bytesOf(postingTf.subarray(0, out)));
  return writer.finish();
}

function bytesOf(array: Uint16Array | Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** `bytes` as 16-bit or 32-bit numbers: a view when aligned (it is, inside a cache section), else a copy. */
function viewAs<T extends Uint16Array | Float32Array>(bytes: Uint8Array, Type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number }): T {
  const size = Type.BYTES_PER_ELEMENT;
  if (bytes.length % size !== 0) throw new RangeError('passages cache: partial element');
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new Type(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.length / size);
}

/** A decoded section: the directory and arrays (views of the cache bytes); a source's entry made when it is set again. */
class ImportedPassages {
  /** Term ids of this section are the dictionary's own (it was adopted while empty). */
  private sameIds = false;
  /** Otherwise: dictionary id by restored id, filled as needed (-1 not yet). */
  private remap: Int32Array | undefined;

  private constructor(
    private readonly rows: Map<string, Row>,
    /** Place of each row in the section, by uri. */
    private readonly order: Map<string, number>,
    private readonly termStrings: string[],
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly paragraphs: Uint32Array,
    private readonly termEnd: Uint32Array,
    private readonly terms: Uint32Array,
    private readonly postings: Postings,
  ) {}

  /**
   * The section's merged postings when `parts` are exactly its sources, all
   * restored from it, in its order, with its term ids (nothing changed since
   * it was written); otherwise undefined and the caller merges.
   */
  postingsFor(parts: ReadonlyArray<{ entry: SourcePassages }>): Postings | undefined {
    if (!this.sameIds || parts.length !== this.rows.size) return undefined;
    for (let k = 0; k < parts.length; k++) {
      const restored = parts[k].entry.restored;
      if (!restored || restored.from !== this || restored.order !== k) return undefined;
    }
    return this.postings;
  }

  get size(): number {
    return this.rows.size;
  }

  static decode(bytes: Uint8Array): ImportedPassages {
    const reader = new ByteReader(bytes);
    const header = reader.json<Header>();
    if (header.version !== FORMAT_VERSION || !Array.isArray(header.sources) || typeof header.uriPrefix !== 'string') throw new RangeError('passages cache: unknown format');
    const table = reader.string();
    const termStrings: string[] = header.terms === 0 ? [] : header.jsonTerms ? (JSON.parse(table) as string[]) : table.split('\u0000');
    if (termStrings.length !== header.terms) throw new RangeError('passages cache: term table does not match its count');
    const starts = reader.uint32();
    const ends = reader.uint32();
    const paragraphs = reader.uint32();
    const termEnd = reader.uint32();
    const terms = reader.uint32();
    const n = starts.length;
    if (ends.length !== n || paragraphs.length !== n || termEnd.length !== n) throw new RangeError('passages cache: arrays differ in length');
    const passageLength = viewAs(reader.bytes(), Uint16Array);
    const idf = viewAs(reader.bytes(), Float32Array);
    const postingStart = reader.uint32();
    const postingPassage = reader.uint32();
    const postingTf = viewAs(reader.bytes(), Uint16Array);
    if (passageLength.length !== n || idf.length !== termStrings.length || postingStart.length !== termStrings.length + 1) throw new RangeError('passages cache: postings do not match the passages');
    if (postingPassage.length !== postingTf.length || postingStart[termStrings.length] !== postingPassage.length) throw new RangeError('passages cache: postings truncated');
    // Ids inside the arrays are not checked one by one here (that loop would be most of a warm start): merge and search skip ids out of range.
    const rows = new Map<string, Row>();
    const order = new Map<string, number>();
    let first = 0;
    let firstTerm = 0;
    for (const [path, storedUri, key, count] of header.sources) {
      const uri = storedUri || header.uriPrefix + path;
      const last = count ? termEnd[first + count - 1] : 0;
      if (!(count >= 0) || first + count > n || firstTerm + last > terms.length) throw new RangeError('passages cache: source out of range');
      order.set(uri, rows.size);
      rows.set(uri, [uri, path, key, first, count, firstTerm]);
      first += count;
      firstTerm += last;
    }
    if (first !== n) throw new RangeError('passages cache: passages without a source');
    const postings = { passageLength, averageLength: header.averageLength, idf, postingStart, postingPassage, postingTf, passages: { starts, ends, paragraphs } };
    return new ImportedPassages(rows, order, termStrings, starts, ends, paragraphs, termEnd, terms, postings);
  }

  adoptTermsInto(dictionary: TermDictionary): void {
    this.sameIds = dictionary.adoptSorted(this.termStrings);
  }

  /** The restored passages of this source when its uri, path and text are those they were made from. */
  take(source: Source, dictionary: TermDictionary): SourcePassages | undefined {
    const row = this.rows.get(source.uri);
    if (!row || row[1] !== source.path || row[2] !== sourceContentKey(source)) return undefined;
    const [uri, path, key, , count] = row;
    let data: PassageData | undefined;
    return { uri, path, key, source, data: () => (data ??= this.dataOf(row, dictionary)), restored: { from: this, order: this.order.get(uri)!, passages: count } };
  }

  private dataOf(row: Row, dictionary: TermDictionary): PassageData {
    const [, , , first, count, firstTerm] = row;
    const termEnd = this.termEnd.subarray(first, first + count);
    let terms = this.terms.subarray(firstTerm, firstTerm + (count ? termEnd[count - 1] : 0));
    if (!this.sameIds) {
      const remap = (this.remap ??= new Int32Array(this.termStrings.length).fill(-1));
      const own = new Uint32Array(terms.length);
      for (let i = 0; i < terms.length; i++) {
        const restored = terms[i];
        let id = restored < remap.length ? remap[restored] : 0;
        if (id < 0) id = remap[restored] = dictionary.intern(this.termStrings[restored]);
        own[i] = id;
      }
      terms = own;
    }
    return { starts: this.starts.subarray(first, first + count), ends: this.ends.subarray(first, first + count), paragraphs: this.paragraphs.subarray(first, first + count), termEnd, terms };
  }
}

/** Sources whose passages were made (split and stemmed) or restored from a cache, and postings merged, since the process started: lets tests prove what a warm start or an edit redoes. */
export const passageWork = { made: 0, restored: 0, merged: 0 };

/** Passage stores by corpus: per-source data kept across generations. */
const stores = new WeakMap<Corpus, PassageStore>();

function storeOf(corpus: Corpus): PassageStore {
  let store = stores.get(corpus);
  if (!store) {
    store = new PassageStore(corpus);
    stores.set(corpus, store);
  }
  return store;
}

/** The passage index of a corpus; after a change, merged again from per-source data (only changed sources are re-indexed). */
export function passageIndexOf(corpus: Corpus): PassageIndex {
  return storeOf(corpus).index();
}

/** Sources whose passages one step of a spread-out build makes (~25 ms on the benchmark VM): see `preparePassages`. */
const PASSAGE_SOURCES_PER_STEP = 150;

/** Part of `passageIndexOf`'s work: up to `budget` sources' passages, then the index once all have them. */
export function preparePassages(corpus: Corpus, budget: number): void {
  storeOf(corpus).prepareSome(budget);
}

/** How many steps of `preparePassageSteps` a corpus of `sources` sources gets. */
export function passageStepCount(sources: number): number {
  return Math.ceil(sources / PASSAGE_SOURCES_PER_STEP);
}

/** Steps that build the passage index of `corpus` a little at a time; none when it is built already (see EntityStore.prepareSteps). */
export function preparePassageSteps(corpus: Corpus): Array<() => void> {
  if (storeOf(corpus).isCurrent()) return [];
  return Array.from({ length: passageStepCount(corpus.sources().size) }, () => () => preparePassages(corpus, PASSAGE_SOURCES_PER_STEP));
}

/** The corpus's passage index as a product of the persisted cache (section 'passages'). Import before the first source is set. */
export function passagesCacheProduct(corpus: Corpus): CacheProduct {
  const store = storeOf(corpus);
  return {
    section: PASSAGES_SECTION,
    exportSection: () => store.exportSection(),
    importSection: (bytes) => store.importSection(bytes),
    importLater: (load) => store.importLater(load),
    get dirty() {
      return store.dirty;
    },
  };
}

/** The text of a passage, whitespace collapsed. */
export function passageText(source: Source, passage: Passage): string {
  return source.text.slice(passage.span.start, passage.span.end).replace(/\s+/g, ' ').trim();
}
