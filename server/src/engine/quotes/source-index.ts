/**
 * The quotation index over all sources.
 *
 * Layout, chosen for a corpus of thousands of articles edited one at a time:
 *
 * - Per source ("slot"): its words as an array of surface ids (see
 *   vocabulary.ts; 32-bit, or 16-bit when restored from a cache written with
 *   a small vocabulary, `WordIds`) and a `Uint32Array` of their start
 *   offsets. That is all alignment and verification need; a word's end is
 *   `start + surface.length`.
 * - Postings live in immutable *segments*. A segment covers a batch of slots
 *   and holds, for every word trigram position, a 32-bit hash of the trigram's
 *   case-folded ids and the position (an offset into the segment's
 *   concatenated words; `base` maps it back to slot + position), grouped into
 *   buckets by the hash's top bits with one counting-sort pass. There are at
 *   least 2^16 buckets, so an entry stores only the hash's low 16 bits (the
 *   bucket implies the rest): 6 bytes per trigram, the size of the persisted
 *   cache and of a warm start's read being mostly these arrays.
 *   Buckets hold ~8 entries, so a lookup scans one bucket; a hash collision
 *   only costs a verification.
 *   A segment also lists every word position by folded word id (`wordStart`
 *   offsets into `wordRefs`, built by counting sort), for quotations or parts
 *   of one or two words and for single-word votes on short misquotations.
 *   About 18 bytes per word in all (words, offsets, trigram entries, word
 *   positions), no per-entry objects: MEASURED.md found hashed keys in typed
 *   arrays ~8x smaller and faster to build than `Map<string, number[]>`.
 * - `add` tokenizes at once and queues the slot; the next query (or `build()`)
 *   turns the queue into one new segment. Segments merge like a binary counter
 *   (a segment at least half the size of the one before it is merged into it),
 *   so one-file edits stay cheap and there are O(log n) segments.
 * - `remove` tombstones the slot: postings pointing at it are skipped. A segment
 *   whose words are mostly dead is rebuilt from its live slots, so memory does
 *   not grow with edits.
 * - `snapshot()` / `restore()` persist the whole index (vocabulary, per-source
 *   words and offsets, segments) for the cache in engine/index-cache.ts. The
 *   restored arrays are views of the cache bytes; a source's word offsets are
 *   stored as one-byte gaps and unpacked only when a lookup reads them.
 *   Restored sources wait, keyed by id and content hash, until `add` is
 *   called with the same text: then they are adopted without tokenizing, and
 *   their postings are used as they are. Restored sources nobody adopts are
 *   tombstoned at the next build, like removed ones.
 */
import type { Source } from '../types';
import { isMarkdownPath, quotableRanges } from '../sources';
import { ByteReader, ByteWriter, contentKey, sourceContentKey } from '../index-cache';
import { scanTokens } from './tokenize';
import { UNKNOWN, Vocabulary } from './vocabulary';

/**
 * Surface ids of a source's words. A source tokenized here holds 32-bit ids;
 * one restored from a snapshot holds 16-bit ids when the vocabulary it was
 * written with had at most 2^16 words (48,874 for the 2,095 BBC articles),
 * so the cache, and a warm start's read, is 1.5 MiB smaller there.
 */
export type WordIds = Uint16Array | Uint32Array;

/** The most words a vocabulary may have for its ids to be stored in 16 bits. */
const NARROW_VOCABULARY = 0x10000;

/** A source as the index holds it. */
export interface IndexedSource {
  readonly source: Source;
  readonly slot: number;
  /** Surface ids of the source's words, in order. */
  readonly words: WordIds;
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

/** Bits of a bucket number that the first pass of `bucketTrigrams` sorts by: 256 partitions. */
const PARTITION_BITS = 8;
/** From this many bucket bits on (2^19 buckets, ~4 million entries), `bucketTrigrams` sorts in two passes. */
const TWO_PASS_MIN_BITS = 19;

interface Buckets {
  bucketStart: Uint32Array;
  lowKeys: Uint16Array;
  positions: Uint32Array;
}

/**
 * Entries grouped by bucket (`keys[e] >>> (32 - bits)`), each bucket's in
 * entry order, as one counting sort over the 2^bits buckets gives them. Over
 * a large corpus that one pass writes each entry to one of up to 2^21 places
 * at random (the 10× corpus: ~9 million entries into 60 MB of arrays), a
 * cache miss per entry: ~1.8 s there. So from 2^19 buckets on it is made in
 * two stable passes: the first deals the entries out to 256 partitions by
 * their top bits (256 write streams, which a cache holds), the second
 * counting-sorts each partition (~35,000 entries there) by the bucket's
 * remaining bits, within its own small range of the arrays. Below that the
 * arrays fit the cache well enough that the extra pass costs more than it
 * saves (the 2,095 articles, 2^17 buckets: ~40 ms slower in two passes).
 */
export function bucketTrigrams(keys: Uint32Array, entryPositions: Uint32Array, bits: number): Buckets {
  return bits >= TWO_PASS_MIN_BITS ? bucketInTwoPasses(keys, entryPositions, bits) : bucketInOnePass(keys, entryPositions, bits);
}

function bucketInOnePass(keys: Uint32Array, entryPositions: Uint32Array, bits: number): Buckets {
  const shift = 32 - bits;
  const bucketStart = new Uint32Array((1 << bits) + 1);
  for (let e = 0; e < keys.length; e++) bucketStart[(keys[e] >>> shift) + 1]++;
  for (let b = 1; b < bucketStart.length; b++) bucketStart[b] += bucketStart[b - 1];
  const lowKeys = new Uint16Array(keys.length);
  const positions = new Uint32Array(keys.length);
  const fillAt = bucketStart.slice(0, bucketStart.length - 1);
  for (let e = 0; e < keys.length; e++) {
    const key = keys[e];
    const at = fillAt[key >>> shift]++;
    lowKeys[at] = key & 0xffff;
    positions[at] = entryPositions[e];
  }
  return { bucketStart, lowKeys, positions };
}

function bucketInTwoPasses(keys: Uint32Array, entryPositions: Uint32Array, bits: number): Buckets {
  const count = keys.length;
  const shift = 32 - bits;
  const partitionBits = Math.min(PARTITION_BITS, bits);
  const partitionShift = 32 - partitionBits;
  const partitions = 1 << partitionBits;
  const partitionStart = new Uint32Array(partitions + 1);
  for (let e = 0; e < count; e++) partitionStart[(keys[e] >>> partitionShift) + 1]++;
  for (let q = 1; q <= partitions; q++) partitionStart[q] += partitionStart[q - 1];
  const dealtKeys = new Uint32Array(count);
  const dealtPositions = new Uint32Array(count);
  const dealAt = partitionStart.slice(0, partitions);
  for (let e = 0; e < count; e++) {
    const key = keys[e];
    const at = dealAt[key >>> partitionShift]++;
    dealtKeys[at] = key;
    dealtPositions[at] = entryPositions[e];
  }

  const localBits = bits - partitionBits;
  const localMask = (1 << localBits) - 1;
  const bucketStart = new Uint32Array((1 << bits) + 1);
  const lowKeys = new Uint16Array(count);
  const positions = new Uint32Array(count);
  const localStart = new Uint32Array((1 << localBits) + 1);
  for (let q = 0; q < partitions; q++) {
    const from = partitionStart[q];
    const to = partitionStart[q + 1];
    localStart.fill(0);
    for (let i = from; i < to; i++) localStart[((dealtKeys[i] >>> shift) & localMask) + 1]++;
    localStart[0] = from;
    for (let b = 1; b <= localMask + 1; b++) localStart[b] += localStart[b - 1];
    bucketStart.set(localStart.subarray(0, localMask + 1), q << localBits);
    for (let i = from; i < to; i++) {
      const key = dealtKeys[i];
      const at = localStart[(key >>> shift) & localMask]++;
      lowKeys[at] = key & 0xffff;
      positions[at] = dealtPositions[i];
    }
  }
  bucketStart[1 << bits] = count;
  return { bucketStart, lowKeys, positions };
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
    /**
     * Entry `e` is a trigram at concatenated position `positions[e]` whose hash
     * has the low 16 bits `lowKeys[e]`; its high bits are the bucket's (there
     * are at least 2^16 buckets, so bucket and low bits make the whole hash).
     */
    readonly lowKeys: Uint16Array,
    readonly positions: Uint32Array,
    /** Positions of folded word id `f` are `wordRefs[wordStart[f] .. wordStart[f + 1])`; ids past the end have none. */
    readonly wordStart: Uint32Array,
    readonly wordRefs: Uint32Array,
  ) {}

  /** Index range of a folded word id in `wordRefs`. */
  wordRange(fold: number): [number, number] {
    if (fold < 0 || fold + 1 >= this.wordStart.length) return [0, 0];
    // Clamped: a restored segment's offsets are not scanned when loaded, and a damaged one must not make a lookup run on.
    return [this.wordStart[fold], Math.min(this.wordStart[fold + 1], this.wordRefs.length)];
  }

  get words(): number {
    return this.base[this.slots.length];
  }

  /** Entries `[lo, hi)` of the bucket that may hold `key` (entries with other keys included). */
  bucket(key: number): [number, number] {
    const b = key >>> this.bucketShift;
    return [this.bucketStart[b], Math.min(this.bucketStart[b + 1], this.positions.length)];
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

/** A restored source waiting for `add` with the same id and text. */
interface PendingSource {
  slot: number;
  key: string;
  words: WordIds;
  /** The words' offsets, delta-packed (see `packStarts`). */
  packedStarts: Uint8Array;
}

/**
 * A source adopted from the cache. Its word offsets stay packed (a quarter of
 * the bytes) until something reads them: a warm start reads and keeps less,
 * and only sources a quotation is actually matched against are unpacked.
 */
class RestoredSource implements IndexedSource {
  private unpacked: Uint32Array | undefined;

  constructor(
    readonly source: Source,
    readonly slot: number,
    readonly words: WordIds,
    readonly packedStarts: Uint8Array,
  ) {}

  get starts(): Uint32Array {
    return (this.unpacked ??= unpackStarts(this.packedStarts, this.words.length));
  }

  /** Whether `starts` was read (so it is held unpacked). */
  get isUnpacked(): boolean {
    return this.unpacked !== undefined;
  }
}

/**
 * Word offsets as LEB128 varints of the gap from the previous offset (from
 * 0 for the first): most gaps are a word and a space, one byte each.
 */
function packStarts(starts: Uint32Array, out: ByteSink): void {
  let previous = 0;
  for (let k = 0; k < starts.length; k++) {
    let gap = starts[k] - previous;
    previous = starts[k];
    while (gap >= 0x80) {
      out.push((gap & 0x7f) | 0x80);
      gap >>>= 7;
    }
    out.push(gap);
  }
}

/** What `packStarts` packed. Damaged bytes give wrong offsets, never a throw or a read past the bytes. */
function unpackStarts(bytes: Uint8Array, count: number): Uint32Array {
  const starts = new Uint32Array(count);
  let at = 0;
  let value = 0;
  for (let k = 0; k < count; k++) {
    let gap = 0;
    let scale = 1;
    for (;;) {
      const byte = at < bytes.length ? bytes[at++] : 0;
      gap += (byte & 0x7f) * scale;
      if (byte < 0x80 || scale > 2 ** 28) break;
      scale *= 128;
    }
    value += gap;
    starts[k] = value;
  }
  return starts;
}

/** A growable byte array. */
class ByteSink {
  bytes = new Uint8Array(1 << 16);
  length = 0;

  push(byte: number): void {
    if (this.length === this.bytes.length) {
      const larger = new Uint8Array(this.bytes.length * 2);
      larger.set(this.bytes);
      this.bytes = larger;
    }
    this.bytes[this.length++] = byte;
  }

  append(bytes: Uint8Array): void {
    while (this.length + bytes.length > this.bytes.length) {
      const larger = new Uint8Array(this.bytes.length * 2);
      larger.set(this.bytes.subarray(0, this.length));
      this.bytes = larger;
    }
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }
}

export class SourceIndex {
  /**
   * `buildId`: the running code's hash, when the embedder has one (the server
   * and the CLI do). A snapshot is then stamped with it instead of the
   * tokenizer's probe fingerprint, and a source's key is its content hash and
   * kind alone: the same build reads the same ranges out of the same text, so
   * a warm start need not compute every source's ranges to prove them.
   */
  constructor(private readonly buildId?: string) {}

  private vocabularyStore = new Vocabulary();
  private readonly slots: (IndexedSource | undefined)[] = [];
  private readonly slotById = new Map<string, number>();
  /** Segment holding each slot's postings, or undefined while queued. */
  private readonly segmentOfSlot: (Segment | undefined)[] = [];
  private segments: Segment[] = [];
  private queued: number[] = [];
  /** Restored from a snapshot, not yet claimed by `add`, by source id. */
  private readonly pending = new Map<string, PendingSource>();
  /** Whether anything was tokenized or removed since the last `snapshot()` or `restore()`. */
  private changedSinceSnapshot = true;
  /** By surface id: 1 where a live source has that word (`containsWord`); dropped by every add and remove. */
  private wordsInUse: Uint8Array | undefined;

  get vocabulary(): Vocabulary {
    return this.vocabularyStore;
  }

  /** Adds a source, replacing one with the same id. */
  add(source: Source): void {
    this.wordsInUse = undefined;
    // A restored source with this id is never also live: adopting it replaces nothing.
    if (this.adopt(source)) return;
    this.remove(source.id);
    this.changedSinceSnapshot = true;
    const slot = this.slots.length;
    const { words, starts } = this.tokenizeSource(source);
    this.slots.push({ source, slot, words, starts });
    this.segmentOfSlot.push(undefined);
    this.slotById.set(source.id, slot);
    this.queued.push(slot);
  }

  /** Takes a restored source with the same id and content instead of tokenizing; false when there is none. */
  private adopt(source: Source): boolean {
    const pending = this.pending.get(source.id);
    if (!pending) return false;
    this.pending.delete(source.id);
    if (pending.key !== this.keyOf(source)) {
      this.changedSinceSnapshot = true;
      this.segmentOfSlot[pending.slot]!.dead += pending.words.length;
      this.segmentOfSlot[pending.slot] = undefined;
      return false;
    }
    this.slots[pending.slot] = new RestoredSource(source, pending.slot, pending.words, pending.packedStarts);
    this.slotById.set(source.id, pending.slot);
    return true;
  }

  /** Removes a source; returns whether it was there. */
  remove(id: string): boolean {
    this.wordsInUse = undefined;
    const pending = this.pending.get(id);
    if (pending) {
      this.changedSinceSnapshot = true;
      this.pending.delete(id);
      this.segmentOfSlot[pending.slot]!.dead += pending.words.length;
      this.segmentOfSlot[pending.slot] = undefined;
    }
    const slot = this.slotById.get(id);
    if (slot === undefined) return pending !== undefined;
    this.changedSinceSnapshot = true;
    this.slotById.delete(id);
    const entry = this.slots[slot]!;
    this.slots[slot] = undefined;
    const segment = this.segmentOfSlot[slot];
    if (segment) segment.dead += entry.words.length;
    else this.queued = this.queued.filter((s) => s !== slot);
    this.segmentOfSlot[slot] = undefined;
    return true;
  }

  /** Whether a snapshot taken now would differ from the one last taken or restored (after `build()`). */
  get changed(): boolean {
    this.build();
    return this.changedSinceSnapshot;
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
    // Restored sources that no `add` claimed are gone from the workspace.
    for (const id of [...this.pending.keys()]) this.remove(id);
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
      const low = key & 0xffff;
      for (let e = lo; e < hi; e++) if (segment.lowKeys[e] === low) count++;
    }
    return count;
  }

  /** Calls `visit(slot, position)` for every live position where a trigram with this key starts. */
  forEachPosting(key: number, visit: (slot: number, position: number) => void): void {
    this.build();
    const low = key & 0xffff;
    for (const segment of this.segments) {
      const [lo, hi] = segment.bucket(key);
      for (let e = lo; e < hi; e++) {
        if (segment.lowKeys[e] !== low) continue;
        const ref = segment.positions[e];
        const index = segment.slotIndexOf(ref);
        const slot = segment.slots[index];
        if (this.slots[slot] === undefined) continue;
        visit(slot, ref - segment.base[index]);
      }
    }
  }

  /**
   * Whether a live source has a word written exactly `surface` (the
   * vocabulary also holds keys no source writes). The first question after a
   * change marks every surface in use, one pass over the words (~7 ms for the
   * 2,095 articles); later ones are a hash lookup.
   */
  containsWord(surface: string): boolean {
    const id = this.vocabulary.lookup(surface);
    return id !== UNKNOWN && this.surfacesInUse()[id] === 1;
  }

  /** The surfaces live sources write that pass `keep`, in no particular order (a corpus-wide word list, engine/source-words.ts). */
  wordsWritten(keep: (surface: string) => boolean): string[] {
    const inUse = this.surfacesInUse();
    const surfaces = this.vocabulary.surfaces;
    const kept: string[] = [];
    for (let id = 0; id < inUse.length; id++) if (inUse[id] === 1 && keep(surfaces[id])) kept.push(surfaces[id]);
    return kept;
  }

  private surfacesInUse(): Uint8Array {
    if (!this.wordsInUse) {
      const inUse = new Uint8Array(this.vocabulary.size);
      for (const entry of this.entries()) {
        const words = entry.words;
        for (let i = 0; i < words.length; i++) inUse[words[i]] = 1;
      }
      this.wordsInUse = inUse;
    }
    return this.wordsInUse;
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

  /**
   * The index as bytes (a section of the persisted cache). Segments with
   * removed sources are compacted first, so every posting in it is live.
   */
  snapshot(): Uint8Array {
    this.build();
    this.segments = this.segments.flatMap((segment) => {
      if (segment.dead === 0) return [segment];
      const live = this.liveSlotsOf(segment);
      return live.length ? [this.makeSegment(live)] : [];
    });
    const live = this.slots.filter((entry): entry is IndexedSource => entry !== undefined);
    const number = new Map(live.map((entry, k) => [entry.slot, k]));
    const offsets = new Uint32Array(live.length + 1);
    live.forEach((entry, k) => (offsets[k + 1] = offsets[k] + entry.words.length));
    const narrow = this.vocabulary.size <= NARROW_VOCABULARY;
    const words = narrow ? new Uint16Array(offsets[live.length]) : new Uint32Array(offsets[live.length]);
    const starts = new ByteSink();
    const startOffsets = new Uint32Array(live.length + 1);
    live.forEach((entry, k) => {
      words.set(entry.words, offsets[k]);
      // A restored source's offsets are written as they came, not unpacked and packed again.
      if (entry instanceof RestoredSource) starts.append(entry.packedStarts);
      else packStarts(entry.starts, starts);
      startOffsets[k + 1] = starts.length;
    });
    const header: SnapshotHeader = {
      format: SNAPSHOT_FORMAT,
      fingerprint: this.codeStamp,
      vocabulary: this.vocabulary.size,
      wordBytes: narrow ? 2 : 4,
      sources: live.map((entry) => ({ id: entry.source.id, key: this.keyOf(entry.source) })),
      segments: this.segments.map((segment) => ({ bucketShift: segment.bucketShift })),
    };
    const out = new ByteWriter();
    out.json(header);
    out.string(this.vocabulary.surfaces.join('\u0000'));
    const persisted = this.vocabulary.persisted();
    out.array(persisted.fold);
    out.array(persisted.exact);
    out.array(persisted.cap);
    out.array(persisted.hashes);
    out.array(persisted.table);
    this.changedSinceSnapshot = false;
    out.array(offsets);
    out.array(words);
    out.array(startOffsets);
    out.bytes(starts.bytes.subarray(0, starts.length));
    for (const segment of this.segments) {
      out.array(Int32Array.from(segment.slots, (slot) => number.get(slot)!));
      out.array(segment.base);
      out.array(segment.bucketStart);
      out.array(segment.lowKeys);
      out.array(segment.positions);
      out.array(segment.wordStart);
      out.array(segment.wordRefs);
    }
    return out.finish();
  }

  /**
   * Loads a snapshot into this empty index. Its sources are adopted by later
   * `add` calls with the same id and text. Returns how many sources it holds
   * for adoption: 0 (and the index left empty) when the bytes are from another
   * format or tokenizer, or broken, or the index is not empty.
   */
  restore(bytes: Uint8Array): number {
    if (this.slots.length > 0 || this.pending.size > 0 || this.vocabulary.size > 0) return 0;
    try {
      const input = new ByteReader(bytes);
      const header = input.json<SnapshotHeader>();
      if (header.format !== SNAPSHOT_FORMAT || header.fingerprint !== this.codeStamp) return 0;
      const surfaces = header.vocabulary ? input.string().split('\u0000') : (input.string(), []);
      if (surfaces.length !== header.vocabulary) return 0;
      const vocabulary = Vocabulary.restore(surfaces, { fold: input.uint32(), exact: input.uint32(), cap: input.uint32(), hashes: input.uint32(), table: input.int32() });
      if (!vocabulary) return 0;
      const offsets = input.uint32();
      if (header.wordBytes === 2 ? header.vocabulary > NARROW_VOCABULARY : header.wordBytes !== 4) return 0;
      const words: WordIds = header.wordBytes === 2 ? input.uint16() : input.uint32();
      const startOffsets = input.uint32();
      const packedStarts = input.bytes();
      const count = header.sources.length;
      if (offsets.length !== count + 1 || words.length !== offsets[count]) return 0;
      if (startOffsets.length !== count + 1 || startOffsets[count] !== packedStarts.length) return 0;
      const segments: Segment[] = [];
      const segmentOf = new Array<Segment | undefined>(count).fill(undefined);
      for (const { bucketShift } of header.segments) {
        if (!(bucketShift >= 8 && bucketShift <= 32 - MIN_BUCKET_BITS)) return 0;
        const segment = new Segment(input.int32(), input.uint32(), bucketShift, input.uint32(), input.uint16(), input.uint32(), input.uint32(), input.uint32());
        if (segment.base.length !== segment.slots.length + 1 || segment.bucketStart.length !== 2 ** (32 - bucketShift) + 1) return 0;
        const entries = segment.bucketStart[segment.bucketStart.length - 1];
        if (segment.lowKeys.length !== entries || segment.positions.length !== entries) return 0;
        for (const slot of segment.slots) {
          if (slot < 0 || slot >= count || segmentOf[slot]) return 0;
          segmentOf[slot] = segment;
        }
        segments.push(segment);
      }
      if (segmentOf.some((segment) => segment === undefined)) return 0;
      if (new Set(header.sources.map((source) => source.id)).size !== count) return 0;

      this.vocabularyStore = vocabulary;
      this.segments = segments;
      this.changedSinceSnapshot = false;
      header.sources.forEach(({ id, key }, slot) => {
        this.slots.push(undefined);
        this.segmentOfSlot.push(segmentOf[slot]);
        const packed = startOffsets[slot] <= startOffsets[slot + 1] ? packedStarts.subarray(startOffsets[slot], startOffsets[slot + 1]) : new Uint8Array(0);
        this.pending.set(id, { slot, key, words: words.subarray(offsets[slot], offsets[slot + 1]), packedStarts: packed });
      });
      return this.pending.size;
    } catch {
      return 0;
    }
  }

  /** The code a snapshot must come from: the embedder's build, else the tokenizer's behaviour. */
  private get codeStamp(): string {
    return this.buildId !== undefined ? `build:${this.buildId}` : indexFingerprint();
  }

  /** What a restored source must match to be adopted (see the constructor). */
  private keyOf(source: Source): string {
    return this.buildId !== undefined ? `${sourceContentKey(source)}:${isMarkdownPath(source.path) ? 'markdown' : 'text'}` : sourceKey(source);
  }

  stats(): IndexStats {
    this.build();
    let words = 0;
    let bytes = 0;
    for (const entry of this.entries()) {
      words += entry.words.length;
      const packed = entry instanceof RestoredSource && !entry.isUnpacked;
      bytes += entry.words.byteLength + (packed ? entry.packedStarts.byteLength : entry.starts.byteLength);
    }
    for (const segment of this.segments) {
      bytes += segment.lowKeys.byteLength + segment.positions.byteLength + segment.base.byteLength + segment.slots.byteLength + segment.bucketStart.byteLength;
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
    const lists = slots.map((slot) => this.slots[slot]!.words);
    const base = new Uint32Array(slots.length + 1);
    let total = 0;
    let trigrams = 0;
    for (let k = 0; k < lists.length; k++) {
      const n = lists[k].length;
      base[k] = total;
      total += n;
      if (n >= 3) trigrams += n - 2;
    }
    base[slots.length] = total;

    // Trigram hashes, computed once into one temporary array that the passes below read in order.
    const keys = new Uint32Array(trigrams);
    let e = 0;
    for (const words of lists) {
      if (words.length < 3) continue;
      let a = fold[words[0]];
      let b = fold[words[1]];
      for (let p = 2; p < words.length; p++) {
        const c = fold[words[p]];
        keys[e++] = trigramKey(a, b, c);
        a = b;
        b = c;
      }
    }

    // Buckets of ~8 entries: 2^bits buckets for `trigrams` entries; at least 2^16 of them, so an entry
    // needs only the hash's low 16 bits (2 bytes, not 4, per trigram).
    const bits = Math.min(24, Math.max(MIN_BUCKET_BITS, Math.ceil(Math.log2(trigrams + 1)) - 3));
    const shift = 32 - bits;
    const entryPositions = new Uint32Array(trigrams);
    e = 0;
    for (let k = 0; k < lists.length; k++) {
      const first = base[k];
      for (let p = 0; p + 2 < lists[k].length; p++) entryPositions[e++] = first + p;
    }
    const { bucketStart, lowKeys, positions } = bucketTrigrams(keys, entryPositions, bits);

    // Word positions grouped by folded id: a counting sort keeps positions ascending within a word.
    const keyCount = this.vocabulary.keyCount;
    const wordStart = new Uint32Array(keyCount + 1);
    const wordRefs = new Uint32Array(total);
    for (const words of lists) for (let p = 0; p < words.length; p++) wordStart[fold[words[p]] + 1]++;
    for (let f = 1; f <= keyCount; f++) wordStart[f] += wordStart[f - 1];
    const fill = wordStart.slice(0, keyCount);
    for (let k = 0; k < lists.length; k++) {
      const words = lists[k];
      const first = base[k];
      for (let p = 0; p < words.length; p++) wordRefs[fill[fold[words[p]]]++] = first + p;
    }

    const segment = new Segment(Int32Array.from(slots), base, shift, bucketStart, lowKeys, positions, wordStart, wordRefs);
    for (const slot of slots) this.segmentOfSlot[slot] = segment;
    return segment;
  }
}

function liveWords(segment: Segment): number {
  return segment.words - segment.dead;
}

const SNAPSHOT_FORMAT = 5;

/** Fewest hash bits a segment's buckets take (see `Segment.lowKeys`). */
const MIN_BUCKET_BITS = 16;

interface SnapshotHeader {
  format: number;
  fingerprint: string;
  vocabulary: number;
  /** Bytes per word id in the words array: 2 when the vocabulary fits (NARROW_VOCABULARY), else 4. */
  wordBytes: 2 | 4;
  sources: { id: string; key: string }[];
  segments: { bucketShift: number }[];
}

/** What a restored source must match to be adopted, for any code that tokenizes alike: its text and the ranges the index covers. */
function sourceKey(source: Source): string {
  const ranges = quotableRanges(source).map((range) => `${range.start}-${range.end}`).join(',');
  return `${sourceContentKey(source)}:${ranges.length > 64 ? contentKey(ranges) : ranges}`;
}

let fingerprint: string | undefined;

/**
 * A fingerprint of how text becomes index entries (tokenizer, word keys,
 * trigram hash), computed from their behaviour on a probe text: a snapshot
 * written by code that tokenizes or hashes differently is never loaded, even
 * if nobody remembered to bump SNAPSHOT_FORMAT.
 */
function indexFingerprint(): string {
  if (fingerprint) return fingerprint;
  const probe = "Ünïcode café's “quoted” $1,250.5m 20% O'Neill’s rock-'n'-roll ß İstanbul ǅ 𝒜lpha naïve NAÏVE 3.14 £600m e\u0301te\u0301";
  const vocabulary = new Vocabulary();
  const parts: (string | number)[] = [];
  scanTokens(probe, 0, probe.length, (start, end, flags, hash) => {
    const id = vocabulary.internToken(probe, start, end, flags, hash);
    parts.push(start, end, vocabulary.surfaces[id], vocabulary.fold[id], vocabulary.exact[id], vocabulary.cap[id]);
  });
  for (const word of ['CAFÉ', 'Naïve', 'ROCK']) {
    const keys = vocabulary.keysOf(word);
    parts.push(keys.fold, keys.exact, keys.cap);
  }
  parts.push(trigramKey(1, 2, 3), trigramKey(70000, 5, 123456));
  fingerprint = contentKey(parts.join(','));
  return fingerprint;
}
