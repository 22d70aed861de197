/**
 * Which source passage supports a claim? BM25 over the sentences of every
 * source, built once per corpus generation and only when a claim needs it.
 *
 * Layout: passages are sentence spans of each source's body. Their words come
 * from the quotation index, which has already tokenized every source into
 * surface ids (`SourceIndex.entries()`), so building is integer work: map
 * each surface id to a stemmed term id once (`termOfSurface`), then fill
 * CSR postings (`postingStart[term] .. postingStart[term + 1]` into
 * `postingPassage` / `postingTf`) in typed arrays, with idf precomputed.
 * A query touches only the postings of its own terms and accumulates into
 * a reused `Float32Array`.
 *
 * `similarity` is what share of the claim's information (idf-weighted terms)
 * the passage contains: 1 when every content word of the claim is there.
 * BM25 ranks; similarity decides whether a passage is a real match.
 */
import type { Corpus } from '../corpus';
import type { Source, Span } from '../types';
import { tokenize } from '../quotes';
import { splitParagraphs, splitSentences } from '../sentences';
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

// The usual BM25 constants; 0.9–1.6 and b 0.4–0.75 gave the same 45/50 on the paraphrase test.
const MAX_CACHED_ANSWERS = 20_000;
const K1 = 1.2;
const B = 0.75;

export class PassageIndex {
  private constructor(
    /** Source id of each slot (a source), and per passage: its slot, offsets and paragraph. */
    private readonly sourceIds: string[],
    private readonly passageSource: Uint32Array,
    private readonly passageStart: Uint32Array,
    private readonly passageEnd: Uint32Array,
    private readonly passageParagraph: Uint32Array,
    private readonly passageLength: Uint16Array,
    private readonly averageLength: number,
    private readonly terms: Map<string, number>,
    private readonly idf: Float32Array,
    private readonly postingStart: Uint32Array,
    private readonly postingPassage: Uint32Array,
    private readonly postingTf: Uint16Array,
    private readonly scores: Float32Array,
    private readonly matched: Float32Array,
  ) {}

  /** Answers by query, for this index's lifetime (one corpus generation). */
  private readonly answers = new Map<string, PassageHit[]>();

  get size(): number {
    return this.passageSource.length;
  }

  /** Passage `p` as plain data (built only for the hits a query returns). */
  private passage(p: number): Passage {
    return { sourceId: this.sourceIds[this.passageSource[p]], span: { start: this.passageStart[p], end: this.passageEnd[p] }, paragraph: this.passageParagraph[p] };
  }

  /** Builds the index over every source of the corpus. */
  static build(corpus: Corpus): PassageIndex {
    const index = corpus.searchIndex();
    const vocabulary = index.vocabulary;
    const terms = new Map<string, number>();
    const termOfSurface = new Int32Array(vocabulary.size).fill(-2);
    const termFor = (surfaceId: number): number => {
      let term = termOfSurface[surfaceId];
      if (term === -2) {
        const key = termKey(vocabulary.surfaces[surfaceId]);
        if (key === undefined) term = -1;
        else {
          term = terms.get(key) ?? terms.size;
          if (term === terms.size) terms.set(key, term);
        }
        termOfSurface[surfaceId] = term;
      }
      return term;
    };

    const sourceIds: string[] = [];
    const passageSource: number[] = [];
    const passageStart: number[] = [];
    const passageEnd: number[] = [];
    const passageParagraph: number[] = [];
    const lengths: number[] = [];
    // (term, passage) pairs per passage, flattened; tf is counted when filling postings.
    let pairTerms: Int32Array = new Int32Array(1 << 16);
    let pairPassages: Uint32Array = new Uint32Array(1 << 16);
    let pairs = 0;
    for (const entry of index.entries()) {
      const source = entry.source;
      const sourceNumber = sourceIds.length;
      sourceIds.push(source.id);
      const { words, starts } = entry;
      let w = 0;
      let paragraphNumber = 0;
      for (const paragraph of splitParagraphs(source.text, source.body.start, source.body.end)) {
        paragraphNumber++;
        for (const sentence of splitSentences(source.text, paragraph.start, paragraph.end)) {
          while (w < starts.length && starts[w] < sentence.start) w++;
          const passageId = passageSource.length;
          let length = 0;
          for (; w < starts.length && starts[w] < sentence.end; w++) {
            const term = termFor(words[w]);
            if (term < 0) continue;
            if (pairs === pairTerms.length) {
              pairTerms = growInt32(pairTerms);
              pairPassages = growUint32(pairPassages);
            }
            pairTerms[pairs] = term;
            pairPassages[pairs] = passageId;
            pairs++;
            length++;
          }
          if (length === 0) continue;
          passageSource.push(sourceNumber);
          passageStart.push(sentence.start);
          passageEnd.push(sentence.end);
          passageParagraph.push(paragraphNumber);
          lengths.push(length);
        }
      }
    }

    // Counting sort of the pairs by term, then collapse repeats into tf.
    const termCount = terms.size;
    const counts = new Uint32Array(termCount + 1);
    for (let i = 0; i < pairs; i++) counts[pairTerms[i] + 1]++;
    for (let t = 0; t < termCount; t++) counts[t + 1] += counts[t];
    const sortedPassages = new Uint32Array(pairs);
    const fill = counts.slice(0, termCount);
    for (let i = 0; i < pairs; i++) sortedPassages[fill[pairTerms[i]]++] = pairPassages[i];

    const postingStart = new Uint32Array(termCount + 1);
    const postingPassage = new Uint32Array(pairs);
    const postingTf = new Uint16Array(pairs);
    const idf = new Float32Array(termCount);
    const n = passageSource.length;
    let out = 0;
    for (let t = 0; t < termCount; t++) {
      postingStart[t] = out;
      for (let i = counts[t]; i < counts[t + 1]; i++) {
        const p = sortedPassages[i];
        if (out > postingStart[t] && postingPassage[out - 1] === p) {
          if (postingTf[out - 1] < 0xffff) postingTf[out - 1]++;
        } else {
          postingPassage[out] = p;
          postingTf[out] = 1;
          out++;
        }
      }
      const df = out - postingStart[t];
      idf[t] = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    }
    postingStart[termCount] = out;

    const passageLength = Uint16Array.from(lengths, (l) => Math.min(l, 0xffff));
    const averageLength = n ? lengths.reduce((a, b) => a + b, 0) / n : 1;
    return new PassageIndex(
      sourceIds,
      Uint32Array.from(passageSource),
      Uint32Array.from(passageStart),
      Uint32Array.from(passageEnd),
      Uint32Array.from(passageParagraph),
      passageLength,
      averageLength,
      terms,
      idf,
      postingStart,
      postingPassage.slice(0, out),
      postingTf.slice(0, out),
      new Float32Array(n),
      new Float32Array(n),
    );
  }

  /**
   * The best passages for a claim, best first. `text[from, to)` is the claim
   * (quotation contents and citations may be blanked).
   */
  search(text: string, from = 0, to = text.length, limit = 3): PassageHit[] {
    // An edit changes one sentence; every other claim of the piece asks the same question again.
    const key = `${limit}\u0000${text.slice(from, to)}`;
    const cached = this.answers.get(key);
    if (cached) return cached;
    const hits = this.rank(text, from, to, limit);
    if (this.answers.size >= MAX_CACHED_ANSWERS) this.answers.clear();
    this.answers.set(key, hits);
    return hits;
  }

  private rank(text: string, from: number, to: number, limit: number): PassageHit[] {
    const queryTerms = new Map<number, number>();
    const unknownTerms = new Set<string>();
    let totalWeight = 0;
    const maxIdf = Math.log(1 + (this.size + 0.5) / 0.5);
    for (const token of tokenize(text, from, to)) {
      const key = termKey(token.text);
      if (key === undefined) continue;
      const term = this.terms.get(key);
      if (term === undefined) {
        // A word no source has: part of the claim no passage can support.
        if (!unknownTerms.has(key)) {
          unknownTerms.add(key);
          totalWeight += maxIdf;
        }
        continue;
      }
      if (!queryTerms.has(term)) {
        queryTerms.set(term, this.idf[term]);
        totalWeight += this.idf[term];
      }
    }
    if (queryTerms.size === 0 || totalWeight === 0) return [];

    const scores = this.scores;
    const matched = this.matched;
    const touched: number[] = [];
    for (const [term, idf] of queryTerms) {
      for (let i = this.postingStart[term]; i < this.postingStart[term + 1]; i++) {
        const p = this.postingPassage[i];
        const tf = this.postingTf[i];
        if (matched[p] === 0) touched.push(p);
        const norm = K1 * (1 - B + (B * this.passageLength[p]) / this.averageLength);
        scores[p] += (idf * tf * (K1 + 1)) / (tf + norm);
        matched[p] += idf;
      }
    }

    const best: number[] = [];
    for (const p of touched) {
      if (best.length < limit || scores[p] > scores[best[best.length - 1]]) {
        let at = best.length < limit ? best.length : limit - 1;
        best[at] = p;
        while (at > 0 && scores[best[at]] > scores[best[at - 1]]) {
          [best[at], best[at - 1]] = [best[at - 1], best[at]];
          at--;
        }
      }
    }
    const hits = best.map((p) => ({ passage: this.passage(p), score: scores[p], similarity: Math.min(1, matched[p] / totalWeight) }));
    for (const p of touched) {
      scores[p] = 0;
      matched[p] = 0;
    }
    return hits;
  }
}

/** Stems by word, kept across builds: a rebuild after one source changed re-stems only new words. */
const stems = new Map<string, string | null>();

function termKey(surface: string): string | undefined {
  const cached = stems.get(surface);
  if (cached !== undefined) return cached ?? undefined;
  const lower = surface.toLowerCase();
  const key = (lower.length < 2 && !/\d/.test(lower)) || isStopword(lower) ? null : stem(lower);
  if (stems.size > 500_000) stems.clear();
  stems.set(surface, key);
  return key ?? undefined;
}

function growInt32(array: Int32Array): Int32Array {
  const next = new Int32Array(array.length * 2);
  next.set(array);
  return next;
}

function growUint32(array: Uint32Array): Uint32Array {
  const next = new Uint32Array(array.length * 2);
  next.set(array);
  return next;
}

/** Passage indexes by corpus, rebuilt when the corpus generation changes. */
const indexes = new WeakMap<Corpus, { generation: number; index: PassageIndex }>();

/** The passage index of a corpus, built on first use after any change to it. */
export function passageIndexOf(corpus: Corpus): PassageIndex {
  const cached = indexes.get(corpus);
  if (cached && cached.generation === corpus.generation) return cached.index;
  const index = PassageIndex.build(corpus);
  indexes.set(corpus, { generation: corpus.generation, index });
  return index;
}

/** The text of a passage, whitespace collapsed. */
export function passageText(source: Source, passage: Passage): string {
  return source.text.slice(passage.span.start, passage.span.end).replace(/\s+/g, ' ').trim();
}
