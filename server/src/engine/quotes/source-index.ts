/**
 * The quotation index over all sources.
 *
 * Layout, chosen for a corpus of thousands of articles edited one at a time:
 *
 * - Per source ("slot"): its words as a `Uint32Array` of surface ids (see
 *   vocabulary.ts) and a `Uint32Array` of their start offsets. That is all
 *   alignment and verification need; a word's end is `start + surface.length`.
 * - Postings live in immutable *segments*. A segment covers a batch of slots
 *   and holds, for every word trigram position, a 32-bit hash of the trigram's
 *   case-folded ids and the position (an offset into the segment's
 *   concatenated words; `base` maps it back to slot + position), interleaved
 *   in one array so a lookup or a build touches one cache line per entry,
 *   grouped into buckets by the hash's top bits with one counting-sort pass
 *   (hashes computed twice instead of buffering them: no temporary arrays).
 *   Buckets hold ~8 entries, so a lookup scans one bucket; a hash collision
 *   only costs a verification.
 *   A segment also lists every word position by folded word id (`wordStart`
 *   offsets into `wordRefs`, built by counting sort), for quotations or parts
 *   of one or two words and for single-word votes on short misquotations.
 *   About 20 bytes per word in all (words, offsets, trigram entries, word
 *   positions), no per-entry objects: MEASURED.md found hashed keys in typed
 *   arrays ~8x smaller and faster to build than `Map<string, number[]>`.
 * - `add` tokenizes at once and queues the slot; the next query (or `build()`)
 *   turns the queue into one new segment. Segments merge like a binary counter
 *   (a segment at least half the size of the one before it is merged into it),
 *   so one-file edits stay cheap and there are O(log n) segments.
 * - `remove` tombstones the slot: postings pointing at it are skipped. A segment
 *   whose words are mostly dead is rebuilt from its live slots, so memory does
 *   not grow with edits.
 */
import type { Source } from '../types';
import { quotableRanges } from '../sources';
import { scanTokens } from './tokenize';
import { Vocabulary } from './vocabulary';

/** A source as the index holds it. */
export interface IndexedSource {
  readonly source: Source;
  readonly slot: number;
  /** Surface ids of the source's words, in order. */
  readonly words: Uint32Array;
  /** Offset in `source.text` of each word. */
  readonly starts: Uint32Array;
}

export interface IndexStats {
  sources: number;
  words: number;
  vocabulary: number;
  segments: number;
  /** Bytes held in typed arrays (words, offsets, postings). */
  typedArrayBytes: number;
}

/** Hash of three folded word ids; equal trigrams always hash equally. */
export function trigramKey(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

class Segment {
  /** Words of dead slots still referenced by postings. */
  dead = 0;

  constructor(
    readonly slots: Int32Array,
    /** `base[k]` = offset of slot `slots[k]`'s first word; `base[slots.length]` = total words. */
    readonly base: Uint32Array,
    /** Bucket of a key is `key >>> bucketShift`; its entries are `[bucketStart[b], bucketStart[b + 1])`. */
    readonly bucketShift: number,
    readonly bucketStart: Uint32Array,
    /** Entry `e` is the trigram hash `entries[2e]` at concatenated position `entries[2e + 1]`. */
    readonly entries: Uint32Array,
    /** Positions of folded word id `f` are `wordRefs[wordStart[f] .. wordStart[f + 1])`; ids past the end have none. */
    readonly wordStart: Uint32Array,
    readonly wordRefs: Uint32Array,
  ) {}

  /** Index range of a folded word id in `wordRefs`. */
  wordRange(fold: number): [number, number] {
    if (fold < 0 || fold + 1 >= this.wordStart.length) return [0, 0];
    return [this.wordStart[fold], this.wordStart[fold + 1]];
  }

  get words(): number {
    return this.base[this.slots.length];
  }

  /** Entries `[lo, hi)` of the bucket that may hold `key` (entries with other keys included). */
  bucket(key: number): [number, number] {
    const b = key >>> this.bucketShift;
    return [this.bucketStart[b], this.bucketStart[b + 1]];
  }

  /** Index into `slots` of the slot holding concatenated position `ref`. */
  slotIndexOf(ref: number): number {
    const base = this.base;
    let lo = 0;
    let hi = this.slots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (base[mid] <= ref) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Scratch buffers reused while tokenizing, grown on demand. */
let scratchWords = new Uint32Array(1 << 14);
let scratchStarts = new Uint32Array(1 << 14);

export class SourceIndex {
  readonly vocabulary = new Vocabulary();
  private readonly slots: (IndexedSource | undefined)[] = [];
  private readonly slotById = new Map<string, number>();
  /** Segment holding each slot's postings, or undefined while queued. */
  private readonly segmentOfSlot: (Segment | undefined)[] = [];
  private segments: Segment[] = [];
  private queued: number[] = [];

  /** Adds a source, replacing one with the same id. */
  add(source: Source): void {
    this.remove(source.id);
    const slot = this.slots.length;
    const { words, starts } = this.tokenizeSource(source);
    this.slots.push({ source, slot, words, starts });
    this.segmentOfSlot.push(undefined);
    this.slotById.set(source.id, slot);
    this.queued.push(slot);
  }

  /** Removes a source; returns whether it was there. */
  remove(id: string): boolean {
    const slot = this.slotById.get(id);
    if (slot === undefined) return false;
    this.slotById.delete(id);
    const entry = this.slots[slot]!;
    this.slots[slot] = undefined;
    const segment = this.segmentOfSlot[slot];
    if (segment) segment.dead += entry.words.length;
    else this.queued = this.queued.filter((s) => s !== slot);
    this.segmentOfSlot[slot] = undefined;
    return true;
  }

  has(id: string): boolean {
    return this.slotById.has(id);
  }

  get size(): number {
    return this.slotById.size;
  }

  /** The indexed source with this id. */
  get(id: string): IndexedSource | undefined {
    const slot = this.slotById.get(id);
    return slot === undefined ? undefined : this.slots[slot];
  }

  /** The indexed source in a slot (slots are what postings point at). */
  at(slot: number): IndexedSource | undefined {
    return this.slots[slot];
  }

  /** Live sources, in the order they were added. */
  *entries(): IterableIterator<IndexedSource> {
    for (const entry of this.slots) if (entry) yield entry;
  }

  /** Builds postings for queued sources and compacts; queries call it themselves. */
  build(): void {
    if (this.queued.length > 0) {
      const batch = this.queued;
      this.queued = [];
      this.segments.push(this.makeSegment(batch));
      // Binary-counter merging keeps O(log n) segments and amortised O(n log n) work.
      while (this.segments.length >= 2) {
        const last = this.segments[this.segments.length - 1];
        const previous = this.segments[this.segments.length - 2];
        if (liveWords(last) * 2 < liveWords(previous)) break;
        this.segments.splice(this.segments.length - 2, 2);
        this.segments.push(this.makeSegment([...this.liveSlotsOf(previous), ...this.liveSlotsOf(last)]));
      }
    }
    if (this.segments.some((segment) => segment.dead * 2 > segment.words)) {
      const next: Segment[] = [];
      for (const segment of this.segments) {
        if (segment.dead * 2 <= segment.words) next.push(segment);
        else {
          const live = this.liveSlotsOf(segment);
          if (live.length > 0) next.push(this.makeSegment(live));
        }
      }
      this.segments = next;
    }
  }

  /** Number of postings of a trigram key (over all segments, dead ones included: an upper bound). */
  postingCount(key: number): number {
    this.build();
    let count = 0;
    for (const segment of this.segments) {
      const [lo, hi] = segment.bucket(key);
      for (let e = lo; e < hi; e++) if (segment.entries[2 * e] === key) count++;
    }
    return count;
  }

  /** Calls `visit(slot, position)` for every live position where a trigram with this key starts. */
  forEachPosting(key: number, visit: (slot: number, position: number) => void): void {
    this.build();
    for (const segment of this.segments) {
      const [lo, hi] = segment.bucket(key);
      for (let e = lo; e < hi; e++) {
        if (segment.entries[2 * e] !== key) continue;
        const ref = segment.entries[2 * e + 1];
        const index = segment.slotIndexOf(ref);
        const slot = segment.slots[index];
        if (this.slots[slot] === undefined) continue;
        visit(slot, ref - segment.base[index]);
      }
    }
  }

  /** Number of live-or-dead positions of a folded word id (an upper bound of live ones). */
  wordPostingCount(fold: number): number {
    this.build();
    let count = 0;
    for (const segment of this.segments) {
      const [lo, hi] = segment.wordRange(fold);
      count += hi - lo;
    }
    return count;
  }

  /** Calls `visit(slot, position)` for every live position of a folded word id. */
  forEachWordPosting(fold: number, visit: (slot: number, position: number) => void): void {
    this.build();
    for (const segment of this.segments) {
      const [lo, hi] = segment.wordRange(fold);
      for (let k = lo; k < hi; k++) {
        const ref = segment.wordRefs[k];
        const index = segment.slotIndexOf(ref);
        const slot = segment.slots[index];
        if (this.slots[slot] === undefined) continue;
        visit(slot, ref - segment.base[index]);
      }
    }
  }

  stats(): IndexStats {
    this.build();
    let words = 0;
    let bytes = 0;
    for (const entry of this.entries()) {
      words += entry.words.length;
      bytes += entry.words.byteLength + entry.starts.byteLength;
    }
    for (const segment of this.segments) {
      bytes += segment.entries.byteLength + segment.base.byteLength + segment.slots.byteLength + segment.bucketStart.byteLength;
      bytes += segment.wordStart.byteLength + segment.wordRefs.byteLength;
    }
    return { sources: this.size, words, vocabulary: this.vocabulary.size, segments: this.segments.length, typedArrayBytes: bytes };
  }

  private tokenizeSource(source: Source): { words: Uint32Array; starts: Uint32Array } {
    let count = 0;
    const vocabulary = this.vocabulary;
    const text = source.text;
    const onToken = (start: number, end: number, flags: number, hash: number) => {
      if (count === scratchWords.length) {
        const words = new Uint32Array(count * 2);
        words.set(scratchWords);
        scratchWords = words;
        const starts = new Uint32Array(count * 2);
        starts.set(scratchStarts);
        scratchStarts = starts;
      }
      scratchWords[count] = vocabulary.internToken(text, start, end, flags, hash);
      scratchStarts[count] = start;
      count++;
    };
    for (const range of quotableRanges(source)) scanTokens(text, range.start, range.end, onToken);
    return { words: scratchWords.slice(0, count), starts: scratchStarts.slice(0, count) };
  }

  private liveSlotsOf(segment: Segment): number[] {
    return Array.from(segment.slots).filter((slot) => this.slots[slot] !== undefined);
  }

  private makeSegment(slots: number[]): Segment {
    const fold = this.vocabulary.fold;
    const base = new Uint32Array(slots.length + 1);
    let total = 0;
    let trigrams = 0;
    slots.forEach((slot, k) => {
      const n = this.slots[slot]!.words.length;
      base[k] = total;
      total += n;
      if (n >= 3) trigrams += n - 2;
    });
    base[slots.length] = total;

    // Buckets of ~8 entries: 2^bits buckets for `trigrams` entries.
    const bits = Math.min(24, Math.max(4, Math.ceil(Math.log2(trigrams + 1)) - 3));
    const shift = 32 - bits;
    const bucketStart = new Uint32Array((1 << bits) + 1);
    const forEachTrigram = (visit: (key: number, ref: number) => void) => {
      slots.forEach((slot, k) => {
        const words = this.slots[slot]!.words;
        if (words.length < 3) return;
        let a = fold[words[0]];
        let b = fold[words[1]];
        for (let p = 0; p + 2 < words.length; p++) {
          const c = fold[words[p + 2]];
          visit(trigramKey(a, b, c), base[k] + p);
          a = b;
          b = c;
        }
      });
    };
    forEachTrigram((key) => bucketStart[(key >>> shift) + 1]++);
    for (let b = 1; b < bucketStart.length; b++) bucketStart[b] += bucketStart[b - 1];
    const entries = new Uint32Array(2 * trigrams);
    const fillAt = bucketStart.slice(0, bucketStart.length - 1);
    forEachTrigram((key, ref) => {
      const at = 2 * fillAt[key >>> shift]++;
      entries[at] = key;
      entries[at + 1] = ref;
    });

    // Word positions grouped by folded id: a counting sort keeps positions ascending within a word.
    const keyCount = this.vocabulary.keyCount;
    const wordStart = new Uint32Array(keyCount + 1);
    const wordRefs = new Uint32Array(total);
    for (const slot of slots) {
      const words = this.slots[slot]!.words;
      for (let p = 0; p < words.length; p++) wordStart[fold[words[p]] + 1]++;
    }
    for (let f = 1; f <= keyCount; f++) wordStart[f] += wordStart[f - 1];
    const fill = wordStart.slice(0, keyCount);
    slots.forEach((slot, k) => {
      const words = this.slots[slot]!.words;
      for (let p = 0; p < words.length; p++) wordRefs[fill[fold[words[p]]]++] = base[k] + p;
    });

    const segment = new Segment(Int32Array.from(slots), base, shift, bucketStart, entries, wordStart, wordRefs);
    for (const slot of slots) this.segmentOfSlot[slot] = segment;
    return segment;
  }
}

function liveWords(segment: Segment): number {
  return segment.words - segment.dead;
}
