/**
 * Matching a quotation against the indexed sources.
 *
 * 1. Verbatim: the quotation's rarest word trigram (or, for parts of one or
 *    two words, its rarest word) names the places that can hold it. A
 *    one-part quotation is verified right there; with omissions or brackets
 *    the parts are placed in order in each candidate source (omissions any
 *    distance on, brackets within their reach). Words compare exactly, except
 *    the first letter's case where an editor may change it. Every source
 *    where that succeeds is in `exactSourceIds` (wrong-source detection needs
 *    them all).
 * 2. Near miss: trigram postings vote on (source, diagonal = source position −
 *    quotation position); the best few sources (and the cited ones) are aligned
 *    word by word (align.ts). Short quotations that share no trigram fall back
 *    to single-word votes. Quotations of one or two words are never aligned:
 *    they are near misses only when they differ in case alone.
 */
import type { Span } from '../types';
import { alignWords, MAX_ALIGNMENT_CELLS, type AlignedPair } from './align';
import type { WordDiff } from './diff';
import { parseQuotation, type ParsedQuotation, type QuoteWord } from './quotation';
import { trigramKey, type IndexedSource, type SourceIndex, type WordIds } from './source-index';
import { UNKNOWN, type Vocabulary } from './vocabulary';

export type QuoteVerdict = 'verbatim' | 'near' | 'none';

/** The source passage closest to a quotation. */
export interface QuoteMatch {
  sourceId: string;
  /** Offsets in the source's text from the first to the last matched word. */
  passage: Span;
  /** Words equal (case included) / max(quotation words, aligned source words). 1 when verbatim. */
  similarity: number;
  diff: WordDiff[];
  /** The source's words of the passage, whitespace collapsed; omitted stretches shown as " … ". */
  sourceWords: string;
  /** The quotation rewritten with the source's words, keeping the author's omissions and brackets. */
  suggestion: string;
}

export interface QuoteResult {
  verdict: QuoteVerdict;
  /** Every source where the quotation is verbatim, in the order the sources were added. */
  exactSourceIds: string[];
  /**
   * Verbatim: the passage (in a preferred source when it is one of them). Near: the
   * closest passage. None: the closest passage found, if any, as a hint only.
   */
  best?: QuoteMatch;
  quoteWordCount: number;
}

export interface MatchOptions {
  /** Source ids to prefer (the ones the author cited): chosen when verbatim in several, favoured for near misses. */
  preferSources?: readonly string[];
  /** Similarity from which a non-verbatim quotation is a near miss; below it, `none`. Default 0.6. */
  nearThreshold?: number;
}

export const DEFAULT_NEAR_THRESHOLD = 0.6;
/** A near miss must share at least this many words with the source (fewer is chance). */
const MIN_NEAR_MATCHED_WORDS = 3;
/** Candidate sources aligned for a near miss, besides the preferred ones. */
const NEAR_CANDIDATES = 4;
/** Similarity bonus that lets a cited source win over an uncited one that is only slightly closer. */
const PREFERRED_BONUS = 0.1;
/** Trigrams this frequent say little about where a misquotation comes from; skip them when voting. */
const VOTE_POSTING_LIMIT = 500;
/** Postings visited when voting, once the rarest key has voted. */
const VOTE_BUDGET = 1500;
/** Longest quotation that may fall back to a full scan with single-word votes. */
const SCAN_FALLBACK_MAX_WORDS = 8;
/** Above this many candidates for a verbatim match, filter them with more trigrams. */
const VERIFY_FILTER_THRESHOLD = 16;
/** Sources longer than this are not aligned as a whole (a window around the votes instead). */
const WHOLE_SOURCE_MAX_WORDS = 20000;


/** Matches a quotation (its content as written, editorial marks included) against the index. */
export function matchQuotation(index: SourceIndex, quoteText: string, options: MatchOptions = {}): QuoteResult {
  index.build();
  const vocabulary = index.vocabulary;
  const quote = parseQuotation(quoteText, vocabulary);
  const m = quote.words.length;
  if (m === 0) return { verdict: 'none', exactSourceIds: [], quoteWordCount: 0 };

  const preferred = preferredSlots(index, options.preferSources);
  const verbatim = findVerbatim(index, quote, 'exact');
  if (verbatim.length > 0) {
    const chosen = pickPreferred(verbatim, preferred);
    const pairs = placementPairs(quote, chosen.starts);
    return {
      verdict: 'verbatim',
      exactSourceIds: verbatim.map((hit) => hit.entry.source.id),
      best: describeMatch(vocabulary, quote, chosen.entry, pairs).match,
      quoteWordCount: m,
    };
  }

  if (m < MIN_NEAR_MATCHED_WORDS) {
    // Too short to align meaningfully: only a case change makes it a near miss.
    const caseless = findVerbatim(index, quote, 'fold');
    if (caseless.length === 0) return { verdict: 'none', exactSourceIds: [], quoteWordCount: m };
    const chosen = pickPreferred(caseless, preferred);
    const { match } = describeMatch(vocabulary, quote, chosen.entry, placementPairs(quote, chosen.starts));
    return { verdict: 'near', exactSourceIds: [], best: match, quoteWordCount: m };
  }

  // Near miss: a candidate that passes the threshold beats one that does not; then
  // similarity, with a bonus for a cited source.
  const threshold = options.nearThreshold ?? DEFAULT_NEAR_THRESHOLD;
  const folds = quoteFolds(quote);
  let best: { entry: IndexedSource; pairs: AlignedPair[]; near: boolean; score: number } | undefined;
  for (const candidate of nearCandidates(index, quote, preferred)) {
    const window = windowFolds(vocabulary, candidate.entry.words, candidate.from, candidate.to);
    const alignment = alignWords(folds, quote.parts, window);
    const pairs = alignment.pairs.map((pair) => ({ quote: pair.quote, source: pair.source < 0 ? -1 : pair.source + candidate.from }));
    const { similarity, wordsFound } = scoreAlignment(vocabulary, quote, candidate.entry.words, pairs);
    const near = similarity >= threshold && wordsFound >= MIN_NEAR_MATCHED_WORDS;
    const score = similarity + (preferred.includes(candidate.entry.slot) ? PREFERRED_BONUS : 0);
    if (!best || (near && !best.near) || (near === best.near && score > best.score)) best = { entry: candidate.entry, pairs, near, score };
  }
  if (!best) return { verdict: 'none', exactSourceIds: [], quoteWordCount: m };
  const { match } = describeMatch(vocabulary, quote, best.entry, best.pairs);
  return { verdict: best.near ? 'near' : 'none', exactSourceIds: [], best: match, quoteWordCount: m };
}

// ---------------------------------------------------------------------------
// Verbatim search

interface Placement {
  entry: IndexedSource;
  /** Start word of each part. */
  starts: number[];
}

type CompareMode = 'exact' | 'fold';

function findVerbatim(index: SourceIndex, quote: ParsedQuotation, mode: CompareMode): Placement[] {
  if (quote.words.some((word) => word.fold === UNKNOWN)) return [];
  const anchor = rarestAnchor(index, quote);
  if (anchor.count === 0) return [];
  const vocabulary = index.vocabulary;
  const placements: Placement[] = [];

  if (quote.parts.length === 1) {
    // One part: verify right where the anchor occurs, no scanning.
    const length = quote.words.length;
    let lastSlot = -1;
    visitAnchor(index, anchor, (slot, position) => {
      if (slot === lastSlot) return; // one placement per source is enough
      const entry = index.at(slot)!;
      const start = position - anchor.offset;
      if (start < 0 || start + length > entry.words.length) return;
      if (!partMatchesAt(vocabulary, quote, 0, entry.words, start, mode)) return;
      placements.push({ entry, starts: [start] });
      lastSlot = slot;
    });
  } else {
    for (const slot of anchorSlots(index, quote, anchor)) {
      const entry = index.at(slot)!;
      const starts = placeParts(vocabulary, quote, entry.words, mode);
      if (starts) placements.push({ entry, starts });
    }
  }
  // By source id, not slot: slots follow the order sources were added, and an uncited quotation found
  // in several sources must name the same one whatever that order (stable: a source's placements keep their order).
  return placements.sort((a, b) => compareIds(a.entry.source.id, b.entry.source.id));
}

/** Code-unit order of source ids: the same on every machine and locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Where to look first: the rarest word trigram (or, in parts too short for one, the rarest word). */
interface Anchor {
  kind: 'trigram' | 'word';
  key: number;
  /** Offset of the anchor's first word from its part's first word. */
  offset: number;
  count: number;
}

function rarestAnchor(index: SourceIndex, quote: ParsedQuotation): Anchor {
  let best: Anchor | undefined;
  const words = quote.words;
  for (const part of quote.parts) {
    for (let i = part.first; i + 2 < part.end; i++) {
      const key = trigramKey(words[i].fold, words[i + 1].fold, words[i + 2].fold);
      const count = index.postingCount(key);
      if (!best || count < best.count) best = { kind: 'trigram', key, offset: i - part.first, count };
    }
  }
  if (!best || best.count > 0) {
    for (const part of quote.parts) {
      for (let i = part.first; i < part.end; i++) {
        const count = index.wordPostingCount(words[i].fold);
        // A word anchor must be much rarer to beat a trigram (word counts are per word, not per phrase).
        if (!best || (best.kind === 'word' ? count < best.count : count * 4 < best.count)) {
          best = { kind: 'word', key: words[i].fold, offset: i - part.first, count };
        }
      }
    }
  }
  return best!;
}

function visitAnchor(index: SourceIndex, anchor: Anchor, visit: (slot: number, position: number) => void): void {
  if (anchor.kind === 'trigram') index.forEachPosting(anchor.key, visit);
  else index.forEachWordPosting(anchor.key, visit);
}

/** Slots holding the anchor, narrowed by more anchors when there are many; ascending. */
function anchorSlots(index: SourceIndex, quote: ParsedQuotation, anchor: Anchor): number[] {
  const slots = new Set<number>();
  visitAnchor(index, anchor, (slot) => slots.add(slot));
  if (slots.size > VERIFY_FILTER_THRESHOLD) {
    // Every word must occur in the source: keep slots that hold the rarest few.
    const folds = [...new Set(quote.words.map((word) => word.fold))]
      .map((fold) => ({ fold, count: index.wordPostingCount(fold) }))
      .sort((a, b) => a.count - b.count)
      .slice(0, 4);
    for (const { fold } of folds) {
      if (slots.size <= VERIFY_FILTER_THRESHOLD) break;
      const also = new Set<number>();
      index.forEachWordPosting(fold, (slot) => also.add(slot));
      for (const slot of slots) if (!also.has(slot)) slots.delete(slot);
    }
  }
  return [...slots].sort((a, b) => a - b);
}

function partMatchesAt(vocabulary: Vocabulary, quote: ParsedQuotation, k: number, words: WordIds, start: number, mode: CompareMode): boolean {
  const part = quote.parts[k];
  for (let t = 0; t < part.end - part.first; t++) {
    const word = quote.words[part.first + t];
    const id = words[start + t];
    if (mode === 'fold') {
      if (vocabulary.fold[id] !== word.fold) return false;
    } else if (!sameAsWritten(vocabulary, word, id)) {
      return false;
    }
  }
  return true;
}

/** Places every part in order in `words`; returns each part's start, or undefined. */
function placeParts(vocabulary: Vocabulary, quote: ParsedQuotation, words: WordIds, mode: CompareMode): number[] | undefined {
  const parts = quote.parts;
  const n = words.length;
  const starts = new Array<number>(parts.length);
  // After an omission, failing from `lo` means failing from any later start too.
  const omissionFailedFrom = new Array<number>(parts.length).fill(Number.MAX_SAFE_INTEGER);
  const bracketFailed = new Set<number>();
  const fold = vocabulary.fold;

  const place = (k: number, lo: number, hi: number): boolean => {
    const part = parts[k];
    const length = part.end - part.first;
    const firstFold = quote.words[part.first].fold;
    const last = Math.min(hi, n - length);
    for (let s = lo; s <= last; s++) {
      if (fold[words[s]] !== firstFold || !partMatchesAt(vocabulary, quote, k, words, s, mode)) continue;
      starts[k] = s;
      if (k + 1 === parts.length) return true;
      const next = parts[k + 1];
      const nextLo = s + length;
      if (next.gap === 'bracket') {
        const memo = (k + 1) * (n + 1) + nextLo;
        if (bracketFailed.has(memo)) continue;
        if (place(k + 1, nextLo, nextLo + next.maxSkip)) return true;
        bracketFailed.add(memo);
      } else {
        if (nextLo >= omissionFailedFrom[k + 1]) continue;
        if (place(k + 1, nextLo, n)) return true;
        omissionFailedFrom[k + 1] = nextLo;
      }
    }
    return false;
  };

  return place(0, 0, n) ? starts : undefined;
}

function placementPairs(quote: ParsedQuotation, starts: number[]): AlignedPair[] {
  const pairs: AlignedPair[] = [];
  quote.parts.forEach((part, k) => {
    for (let t = 0; t < part.end - part.first; t++) pairs.push({ quote: part.first + t, source: starts[k] + t });
  });
  return pairs;
}

function preferredSlots(index: SourceIndex, ids: readonly string[] | undefined): number[] {
  const slots: number[] = [];
  for (const id of ids ?? []) {
    const entry = index.get(id);
    if (entry && !slots.includes(entry.slot)) slots.push(entry.slot);
  }
  return slots;
}

function pickPreferred(placements: Placement[], preferred: number[]): Placement {
  for (const slot of preferred) {
    const hit = placements.find((placement) => placement.entry.slot === slot);
    if (hit) return hit;
  }
  return placements[0];
}

// ---------------------------------------------------------------------------
// Near misses

interface Candidate {
  entry: IndexedSource;
  /** Window of source words `[from, to)` to align against. */
  from: number;
  to: number;
}

function nearCandidates(index: SourceIndex, quote: ParsedQuotation, preferred: number[]): Candidate[] {
  const m = quote.words.length;
  let votes = trigramVotes(index, quote);
  if (votes.size === 0 && m <= SCAN_FALLBACK_MAX_WORDS) votes = wordVotes(index, quote);

  // Per source: its best cluster of nearby diagonals (omission quotes: all its votes).
  // Sources with a small fraction of the top source's votes cannot make the shortlist.
  const totals = new Map<number, number>();
  let topTotal = 0;
  for (const [slot, byDiagonal] of votes) {
    let total = 0;
    for (const count of byDiagonal.values()) total += count;
    totals.set(slot, total);
    topTotal = Math.max(topTotal, total);
  }
  const bySlot = new Map<number, { diagonals: number[]; counts: number[] }>();
  for (const [slot, byDiagonal] of votes) {
    if (totals.get(slot)! * 4 < topTotal && !preferred.includes(slot)) continue;
    bySlot.set(slot, { diagonals: [...byDiagonal.keys()], counts: [...byDiagonal.values()] });
  }
  const tolerance = 3 + quote.parts.reduce((sum, part) => sum + part.maxSkip, 0);
  const slack = Math.max(10, Math.ceil(m / 2)) + tolerance;
  const scored: { slot: number; score: number; low: number; high: number }[] = [];
  for (const [slot, { diagonals, counts }] of bySlot) {
    if (quote.hasOmission) {
      // Parts may be far apart: the window spans every voted diagonal.
      let total = 0;
      let low = Infinity;
      let high = -Infinity;
      diagonals.forEach((diagonal, k) => {
        total += counts[k];
        low = Math.min(low, diagonal);
        high = Math.max(high, diagonal);
      });
      scored.push({ slot, score: total, low, high });
      continue;
    }
    // Densest run of diagonals within 2 × tolerance (a few dropped or added words shift the diagonal).
    const order = diagonals.map((_, k) => k).sort((a, b) => diagonals[a] - diagonals[b]);
    let best = { score: -1, low: 0, high: 0 };
    let sum = 0;
    let tail = 0;
    for (let head = 0; head < order.length; head++) {
      sum += counts[order[head]];
      while (diagonals[order[head]] - diagonals[order[tail]] > 2 * tolerance) sum -= counts[order[tail++]];
      if (sum > best.score) best = { score: sum, low: diagonals[order[tail]], high: diagonals[order[head]] };
    }
    scored.push({ slot, score: best.score, low: best.low, high: best.high });
  }
  // Equal scores in source-id order (see findVerbatim): the shortlist and the best of equals do not depend on slots.
  const idOf = (slot: number) => index.at(slot)?.source.id ?? '';
  scored.sort((a, b) => b.score - a.score || compareIds(idOf(a.slot), idOf(b.slot)));

  const candidates: Candidate[] = [];
  const chosen = new Set<number>();
  for (const { slot, low, high } of scored.slice(0, NEAR_CANDIDATES)) {
    const entry = index.at(slot);
    if (!entry) continue;
    chosen.add(slot);
    candidates.push(windowAround(entry, low - slack, high + m + slack, m));
  }
  for (const slot of preferred) {
    const entry = index.at(slot);
    if (!entry || chosen.has(slot)) continue;
    const hit = scored.find((s) => s.slot === slot);
    if (hit) candidates.push(windowAround(entry, hit.low - slack, hit.high + m + slack, m));
    else if (entry.words.length <= WHOLE_SOURCE_MAX_WORDS) candidates.push(windowAround(entry, 0, entry.words.length, m));
  }
  return candidates;
}

function windowAround(entry: IndexedSource, from: number, to: number, quoteWords: number): Candidate {
  let start = Math.max(0, from);
  let end = Math.min(entry.words.length, Math.max(to, start));
  const maxWidth = Math.max(1, Math.floor(MAX_ALIGNMENT_CELLS / (quoteWords + 1)) - 1);
  if (end - start > maxWidth) end = start + maxWidth;
  if (end < start) end = start;
  return { entry, from: start, to: end };
}

/** Votes per source, per diagonal (nested maps keep keys small integers: no boxed numbers). */
type Votes = Map<number, Map<number, number>>;

function addVote(votes: Votes, slot: number, diagonal: number, weight: number): void {
  let bySource = votes.get(slot);
  if (!bySource) votes.set(slot, (bySource = new Map()));
  bySource.set(diagonal, (bySource.get(diagonal) ?? 0) + weight);
}

/**
 * Votes of the quotation's trigrams, rarest first. Common trigrams add little
 * and cost much, so once the rare ones have voted, voting stops at a budget of
 * postings (a misquotation keeps plenty of rare trigrams).
 */
function trigramVotes(index: SourceIndex, quote: ParsedQuotation): Votes {
  const words = quote.words;
  const trigrams: { key: number; at: number; count: number }[] = [];
  for (const part of quote.parts) {
    for (let i = part.first; i + 2 < part.end; i++) {
      if (words[i].fold === UNKNOWN || words[i + 1].fold === UNKNOWN || words[i + 2].fold === UNKNOWN) continue;
      const key = trigramKey(words[i].fold, words[i + 1].fold, words[i + 2].fold);
      const count = index.postingCount(key);
      if (count > 0 && count <= VOTE_POSTING_LIMIT) trigrams.push({ key, at: i, count });
    }
  }
  return castVotes(trigrams, 3, (key, visit) => index.forEachPosting(key, visit));
}

/** Adds `weight` per posting to (source, diagonal), rarest keys first, within the budget. */
function castVotes(
  keys: { key: number; at: number; count: number }[],
  weight: number,
  forEach: (key: number, visit: (slot: number, position: number) => void) => void,
): Votes {
  const votes: Votes = new Map();
  keys.sort((a, b) => a.count - b.count);
  let visited = 0;
  for (const { key, at, count } of keys) {
    if (visited > 0 && visited + count > VOTE_BUDGET) break;
    visited += count;
    forEach(key, (slot, position) => addVote(votes, slot, position - at, weight));
  }
  return votes;
}

/** Single-word votes for short quotations sharing no trigram; keeps diagonals with 2+ words. Very common words do not vote. */
function wordVotes(index: SourceIndex, quote: ParsedQuotation): Votes {
  const words: { key: number; at: number; count: number }[] = [];
  quote.words.forEach((word, at) => {
    if (word.fold === UNKNOWN) return;
    const count = index.wordPostingCount(word.fold);
    if (count > 0 && count <= VOTE_POSTING_LIMIT) words.push({ key: word.fold, at, count });
  });
  const votes = castVotes(words, 1, (key, visit) => index.forEachWordPosting(key, visit));
  for (const [slot, byDiagonal] of votes) {
    for (const [diagonal, count] of byDiagonal) if (count < 2) byDiagonal.delete(diagonal);
    if (byDiagonal.size === 0) votes.delete(slot);
  }
  return votes;
}

function quoteFolds(quote: ParsedQuotation): Int32Array {
  return Int32Array.from(quote.words, (word) => word.fold);
}

function windowFolds(vocabulary: Vocabulary, words: WordIds, from: number, to: number): Int32Array {
  const folded = new Int32Array(to - from);
  for (let p = from; p < to; p++) folded[p - from] = vocabulary.fold[words[p]];
  return folded;
}

// ---------------------------------------------------------------------------
// Describing a match

/** Whether a quotation word equals a source word as an editor may write it. */
function sameAsWritten(vocabulary: Vocabulary, word: QuoteWord, id: number): boolean {
  return word.flexibleCase ? vocabulary.cap[id] === word.cap : vocabulary.exact[id] === word.exact;
}

/**
 * Similarity (words equal as written / max(quotation words, aligned source
 * words)) and how many quotation words were found in the passage with case
 * aside (a case-only change still shows the word is there).
 */
function scoreAlignment(vocabulary: Vocabulary, quote: ParsedQuotation, words: WordIds, pairs: AlignedPair[]): { similarity: number; wordsFound: number } {
  let equalWords = 0;
  let wordsFound = 0;
  let sourceWordCount = 0;
  for (const pair of pairs) {
    if (pair.source < 0) continue;
    sourceWordCount++;
    if (pair.quote < 0) continue;
    const word = quote.words[pair.quote];
    const id = words[pair.source];
    if (vocabulary.fold[id] !== word.fold) continue;
    wordsFound++;
    if (sameAsWritten(vocabulary, word, id)) equalWords++;
  }
  return { similarity: equalWords / Math.max(quote.words.length, sourceWordCount), wordsFound };
}

/** The match as reported (see `scoreAlignment` for the figures). */
function describeMatch(
  vocabulary: Vocabulary,
  quote: ParsedQuotation,
  entry: IndexedSource,
  pairs: AlignedPair[],
): { match: QuoteMatch; wordsFound: number } {
  const { source, words, starts } = entry;
  const text = source.text;
  const wordEnd = (p: number) => starts[p] + vocabulary.surfaces[words[p]].length;
  const partOf = partIndexByWord(quote);
  const pairPart = partOfPairs(pairs, partOf);

  // Diff: runs of equal words and runs of changes, never spanning an editorial mark.
  const diff: WordDiff[] = [];
  let run: { equal: boolean; part: number; quote: string[]; source: string[] } | undefined;
  const flush = () => {
    if (!run) return;
    const op = run.equal ? 'equal' : run.quote.length === 0 ? 'delete' : run.source.length === 0 ? 'insert' : 'replace';
    diff.push({ op, quote: run.quote.join(' '), source: run.source.join(' ') });
    run = undefined;
  };
  pairs.forEach((pair, at) => {
    const currentPart = pairPart[at];
    const word = pair.quote >= 0 ? quote.words[pair.quote] : undefined;
    const id = pair.source >= 0 ? words[pair.source] : -1;
    const equal = word !== undefined && id >= 0 && sameAsWritten(vocabulary, word, id);
    if (!run || run.equal !== equal || run.part !== currentPart) {
      flush();
      run = { equal, part: currentPart, quote: [], source: [] };
    }
    if (word) run.quote.push(word.text);
    if (id >= 0) run.source.push(text.slice(starts[pair.source], wordEnd(pair.source)));
  });
  flush();

  // Source extent of each part, to rebuild the quotation and show the passage.
  const partRange = quote.parts.map(() => ({ first: -1, last: -1 }));
  pairs.forEach((pair, at) => {
    if (pair.source < 0) return;
    const range = partRange[pairPart[at]];
    if (range.first < 0 || pair.source < range.first) range.first = pair.source;
    if (pair.source > range.last) range.last = pair.source;
  });
  const placed = partRange.filter((range) => range.first >= 0);
  const passage: Span =
    placed.length > 0
      ? { start: starts[Math.min(...placed.map((r) => r.first))], end: wordEnd(Math.max(...placed.map((r) => r.last))) }
      : { start: source.body.start, end: source.body.start };

  // Source words: parts joined by the source's own text, except across an omission.
  const stretches: string[] = [];
  let stretch: { first: number; last: number } | undefined;
  quote.parts.forEach((part, k) => {
    const range = partRange[k];
    if (range.first < 0) return;
    if (stretch && part.gap === 'omission') {
      stretches.push(collapse(text.slice(starts[stretch.first], wordEnd(stretch.last))));
      stretch = undefined;
    }
    if (!stretch) stretch = { ...range };
    else stretch.last = Math.max(stretch.last, range.last);
  });
  if (stretch) stretches.push(collapse(text.slice(starts[stretch.first], wordEnd(stretch.last))));

  // Suggestion: each part's words replaced by its source extent; marks between parts kept.
  let suggestion = '';
  let cursor = 0;
  quote.parts.forEach((part, k) => {
    const [from, to] = balancedRange(quote.text, quote.words[part.first].start, quote.words[part.end - 1].end);
    suggestion += quote.text.slice(cursor, Math.max(cursor, from));
    const range = partRange[k];
    if (range.first >= 0) {
      const [sourceFrom, sourceTo] = balancedRange(text, starts[range.first], wordEnd(range.last));
      let replacement = nestQuotes(collapse(text.slice(sourceFrom, sourceTo)));
      const firstWord = quote.words[part.first];
      const sourceFirst = pairs.find((pair, at) => pair.source >= 0 && pairPart[at] === k);
      // Keep the author's first-letter case where the editor may change it.
      if (firstWord.flexibleCase && sourceFirst && sourceFirst.quote === part.first && sameAsWritten(vocabulary, firstWord, words[sourceFirst.source])) {
        replacement = withFirstLetterOf(replacement, firstWord.text);
      }
      // "[x]" glued to a word reads as a changed first letter ("[T]he"): keep a bracket apart.
      if (suggestion.endsWith(']') && /^[\p{L}\p{N}]/u.test(replacement)) suggestion += ' ';
      suggestion += replacement;
    }
    cursor = to;
  });
  suggestion += quote.text.slice(cursor);

  const { similarity, wordsFound } = scoreAlignment(vocabulary, quote, words, pairs);
  return {
    match: {
      sourceId: source.id,
      passage,
      similarity,
      diff,
      sourceWords: stretches.join(' … '),
      suggestion: suggestion.trim() === '' ? quote.text : suggestion,
    },
    wordsFound,
  };
}

function partIndexByWord(quote: ParsedQuotation): Int32Array {
  const partOf = new Int32Array(quote.words.length);
  quote.parts.forEach((part, k) => partOf.fill(k, part.first, part.end));
  return partOf;
}

/** Part of each pair; a source-only pair belongs to the part of the quotation word before it (else after it). */
function partOfPairs(pairs: AlignedPair[], partOf: Int32Array): Int32Array {
  const result = new Int32Array(pairs.length);
  let current = -1;
  pairs.forEach((pair, at) => {
    if (pair.quote >= 0) current = partOf[pair.quote];
    result[at] = current;
  });
  const firstQuoted = pairs.findIndex((pair) => pair.quote >= 0);
  const leading = firstQuoted >= 0 ? partOf[pairs[firstQuoted].quote] : 0;
  for (let at = 0; at < pairs.length && result[at] < 0; at++) result[at] = leading;
  return result;
}

/**
 * `[start, end)` widened by one quotation mark at either edge when the range
 * opens a quotation it does not close (or the reverse), so a suggestion never
 * carries half a pair of quotation marks.
 */
function balancedRange(text: string, start: number, end: number): [number, number] {
  let from = start;
  let to = end;
  const slice = text.slice(start, end);
  for (const [open, close] of [
    ['\u201c', '\u201d'],
    ['\u2018', '\u2019'],
  ]) {
    const opening = count(slice, open);
    const closing = count(slice, close);
    if (opening > closing && text[to] === close) to++;
    else if (closing > opening && text[from - 1] === open) from--;
  }
  if (count(slice, '"') % 2 === 1) {
    if (text[to] === '"') to++;
    else if (text[from - 1] === '"') from--;
  }
  return [from, to];
}

function count(text: string, char: string): number {
  let n = 0;
  for (let at = text.indexOf(char); at >= 0; at = text.indexOf(char, at + 1)) n++;
  return n;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Double quotation marks inside a quotation become single ones, as editors nest them. */
function nestQuotes(text: string): string {
  return text.replace(/"(?=\S)/g, '\u2018').replace(/"/g, '\u2019').replace(/\u201c/g, '\u2018').replace(/\u201d/g, '\u2019');
}

/** `text` with its first letter in the author's case (`authorWord`'s first character); leading quotation marks skipped. */
function withFirstLetterOf(text: string, authorWord: string): string {
  const at = text.search(/[^"'\u201c\u201d\u2018\u2019\u00ab\u00bb]/u);
  const letter = at < 0 ? '' : String.fromCodePoint(text.codePointAt(at) ?? 0);
  const authorLetter = String.fromCodePoint(authorWord.codePointAt(0) ?? 0);
  if (!/^\p{L}$/u.test(letter) || !/^\p{L}$/u.test(authorLetter)) return text;
  return text.slice(0, at) + authorLetter + text.slice(at + letter.length);
}
