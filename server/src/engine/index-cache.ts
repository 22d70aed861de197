/**
 * The persisted index cache: what a reopened workspace needs so that unchanged
 * sources are not tokenized and indexed again.
 *
 * Pure (bytes in, bytes out): the adapters decide where the bytes live (the
 * extension's storage folder, a CLI `--cache` folder) and read/write them.
 *
 * Layout: a container of named sections, so each corpus product (the
 * quotation index today) owns its own section and format:
 *
 *   u32 magic 'PVC1' | u32 section count | per section: u32 name length,
 *   name (UTF-8), u32 byte length, padding to 8, bytes
 *
 * Inside a section, `ByteWriter`/`ByteReader` give a small typed format: JSON
 * header + typed arrays aligned to 8 bytes, so a reader can take the arrays
 * as views of the file's buffer without copying them.
 *
 * Every entry inside a product is keyed by its source's content key
 * (`sourceContentKey`: `contentKey(text)`, or the hash of the file's bytes the
 * embedder gave with the text): a cached entry is reused only for a source
 * whose content keys the same (never by file time).
 */

const CONTAINER_MAGIC = 0x31435650; // 'PVC1' little-endian

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A key like `contentKey`'s made from parts fed one at a time — integers,
 * strings, slices of a text — without joining them into one string first:
 * a block's key hashes a few short fields and the block's text, and building
 * the joined string cost about as much as hashing it. Each string part goes
 * in with its length, so two sequences of parts that differ anywhere hash
 * apart, as a joined string with separators would.
 */
export class KeyHash {
  private readonly lanes = Int32Array.of(0x811c9dc5, 0x9747b28c);

  /** An integer (offsets, counts, flags); fractions and values beyond 32 bits are not told apart. */
  number(value: number): this {
    const word = value | 0;
    this.lanes[0] = Math.imul(this.lanes[0] ^ word, 0x01000193);
    const h2 = Math.imul(this.lanes[1] ^ word, 0x5bd1e995);
    this.lanes[1] = h2 ^ (h2 >>> 15);
    return this;
  }

  /** `text.slice(from, to)`, read in place, after its length. */
  text(text: string, from = 0, to = text.length): this {
    this.number(to - from);
    mixChars(this.lanes, text, from, to);
    return this;
  }

  /** The key, as 16 hex digits (the same finish as `contentKeyOf`). */
  finish(): string {
    return finishKey(this.lanes[0], this.lanes[1]);
  }
}

/**
 * 64-bit content hash of a text (two independent 32-bit lanes), as 16 hex
 * digits. Reads two UTF-16 units per step (one 32-bit word): half the steps
 * of a per-character loop, which matters on a warm start, where every source
 * of the corpus is hashed once. Each step is a bijection of the lane's state,
 * so texts that differ in one place always hash apart.
 */
export function contentKey(text: string): string {
  return contentKeyOf(text, 0, text.length);
}

/**
 * `contentKey(text.slice(from, to))`, read in place: hashing a slice reads
 * every character through the slice (~4× slower on the blocks of a 2 MB
 * piece than on the piece itself).
 */
export function contentKeyOf(text: string, from: number, to: number): string {
  lanes[0] = 0x811c9dc5 ^ (to - from);
  lanes[1] = 0x9747b28c;
  mixChars(lanes, text, from, to);
  return finishKey(lanes[0], lanes[1]);
}

/** The two lanes of a hash in progress (`mixChars`): one array for every call, so hashing a slice allocates nothing. */
const lanes = new Int32Array(2);

/** Mixes `text.slice(from, to)` into `lanes`, two UTF-16 units a step. */
function mixChars(lanes: Int32Array, text: string, from: number, to: number): void {
  let h1 = lanes[0];
  let h2 = lanes[1];
  let i = from;
  for (; i + 1 < to; i += 2) {
    const word = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    h1 = Math.imul(h1 ^ word, 0x01000193);
    h2 = Math.imul(h2 ^ word, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  if (i < to) {
    const last = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ last, 0x01000193);
    h2 = Math.imul(h2 ^ last, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  lanes[0] = h1;
  lanes[1] = h2;
}

/**
 * A 64-bit key of bytes, made as `contentKey` makes a text's (four bytes a
 * step): what a section stores to prove that the bytes read back are the
 * bytes it wrote.
 */
export function bytesKey(bytes: Uint8Array): string {
  return bytesKeyOfParts([bytes]);
}

/**
 * `bytesKey(joinBytes(parts))`, read part by part: a section written from
 * parts (a memo's answers, mostly runs of the bytes it was read from) is
 * summed without joining it first. A word may straddle two parts.
 */
export function bytesKeyOfParts(parts: readonly Uint8Array[]): string {
  const length = sectionLength(parts);
  // Whole little-endian words up to here, then the last bytes one at a time.
  const wordsEnd = length - (length % 4);
  lanes[0] = 0x811c9dc5 ^ length;
  lanes[1] = 0x9747b28c;
  let at = 0;
  let word = 0;
  for (const bytes of parts) {
    let i = 0;
    // A word begun in an earlier part.
    for (; i < bytes.length && at % 4 !== 0 && at < wordsEnd; i++, at++) {
      word |= bytes[i] << (8 * (at % 4));
      if (at % 4 === 3) {
        mixWord(lanes, word);
        word = 0;
      }
    }
    const whole = Math.min(bytes.length - i, wordsEnd - at) & ~3;
    if (whole > 0) {
      mixWords(lanes, bytes.subarray(i, i + whole));
      i += whole;
      at += whole;
    }
    // This part's last bytes: a word that runs on into the next part, or the last bytes of all.
    for (; i < bytes.length; i++, at++) {
      if (at < wordsEnd) {
        word |= bytes[i] << (8 * (at % 4));
        continue;
      }
      mixWord(lanes, bytes[i]);
    }
  }
  return finishKey(lanes[0], lanes[1]);
}

function mixWord(lanes: Int32Array, word: number): void {
  lanes[0] = Math.imul(lanes[0] ^ word, 0x01000193);
  const h2 = Math.imul(lanes[1] ^ word, 0x5bd1e995);
  lanes[1] = h2 ^ (h2 >>> 15);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Where bytes that do not start on a 4-byte boundary are copied to be read as words. */
const wordScratch = new Int32Array(16 * 1024);
const wordScratchBytes = new Uint8Array(wordScratch.buffer);

/**
 * Mixes `bytes` (a multiple of 4 long) into `lanes` as little-endian words,
 * read through an `Int32Array` (on an aligned view, or a copy of at most 64 KB
 * at a time): one read a word instead of four, ~3× quicker than assembling
 * each word from its bytes while the code is still cold, as it is in a CLI run.
 */
function mixWords(lanes: Int32Array, bytes: Uint8Array): void {
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < bytes.length; i += 4) mixWord(lanes, bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    return;
  }
  if (bytes.byteOffset % 4 === 0) {
    mixWordArray(lanes, new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4), bytes.length / 4);
    return;
  }
  for (let from = 0; from < bytes.length; from += wordScratchBytes.length) {
    const chunk = bytes.subarray(from, Math.min(from + wordScratchBytes.length, bytes.length));
    wordScratchBytes.set(chunk);
    mixWordArray(lanes, wordScratch, chunk.length / 4);
  }
}

function mixWordArray(lanes: Int32Array, words: Int32Array, count: number): void {
  let h1 = lanes[0];
  let h2 = lanes[1];
  for (let i = 0; i < count; i++) {
    const word = words[i];
    h1 = Math.imul(h1 ^ word, 0x01000193);
    h2 = Math.imul(h2 ^ word, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  lanes[0] = h1;
  lanes[1] = h2;
}

/** The key of two mixed lanes, as 16 hex digits. */
function finishKey(h1: number, h2: number): string {
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  return hex32(h1) + hex32(h2);
}

/** Two hex digits per byte value: formatting a key from these is ~5× quicker than `toString(16)` and padding (a 2 MB piece's blocks make ~40,000 keys). */
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex32(value: number): string {
  return HEX_BYTES[value >>> 24] + HEX_BYTES[(value >>> 16) & 0xff] + HEX_BYTES[(value >>> 8) & 0xff] + HEX_BYTES[value & 0xff];
}

const keysOfSources = new WeakMap<object, string>();

/** Sources whose text this thread has hashed (tests: does a key given by the embedder spare it?). */
export const sourceHashWork = { textsHashed: 0 };

/**
 * Gives `source` the key its embedder computed from the file's content
 * (`Engine.setSource`): `sourceContentKey` then returns it without hashing the
 * text. Marked with a leading '#', which no `contentKey` has, so a key given
 * for one text can never equal the engine's own key of another. An empty key
 * is ignored: the text is hashed as usual.
 */
export function giveContentKey(source: object, key: string): void {
  if (key) keysOfSources.set(source, `#${key}`);
}

/** The key the embedder gave this source (`giveContentKey`), as `sourceContentKey` gives it; undefined when none was given or made yet. */
export function knownContentKey(source: object): string | undefined {
  return keysOfSources.get(source);
}

/** Gives `copy` the key of `source` when one was given or made: a copy of a source (another id) has the same text. */
export function copyContentKey(source: object, copy: object): void {
  const key = keysOfSources.get(source);
  if (key !== undefined) keysOfSources.set(copy, key);
}

/**
 * `contentKey(source.text)`, computed once per source object, or the key its
 * embedder gave (`giveContentKey`): every cache product keys its entries by
 * it, and hashing the corpus once per product would multiply a warm start's
 * largest per-character loop.
 */
export function sourceContentKey(source: { readonly text: string }): string {
  let key = keysOfSources.get(source);
  if (key === undefined) {
    sourceHashWork.textsHashed++;
    key = contentKey(source.text);
    keysOfSources.set(source, key);
  }
  return key;
}

/**
 * A section's bytes: one array, or parts one after another (a product that
 * writes much of its section back as it read it gives views of those bytes
 * rather than a copy: `CacheProduct.exportSectionParts`).
 */
export type SectionBytes = Uint8Array | readonly Uint8Array[];

/** The length of a section's bytes. */
export function sectionLength(bytes: SectionBytes): number {
  if (bytes instanceof Uint8Array) return bytes.length;
  let length = 0;
  for (const part of bytes) length += part.length;
  return length;
}

/** Packs named sections into one buffer. */
export function encodeCache(sections: ReadonlyMap<string, SectionBytes>): Uint8Array {
  return joinBytes(encodeCacheParts(sections));
}

/** `parts` one after another, in one new array. */
export function joinBytes(parts: readonly Uint8Array[], size = sectionLength(parts)): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * `encodeCache`'s bytes as parts, one after another: the sections' own bytes
 * among the small frames between them, not copied (a CLI worker writes a
 * 2 MB piece's 12-14 MB checks file from these, not joined first).
 */
export function encodeCacheParts(sections: ReadonlyMap<string, SectionBytes>): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let size = 8;
  // Each section's frame: what pads the one before it to 8 bytes, its name's length, its name, its length, its padding.
  let frame: number[] = [];
  const bytesOf = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
  frame.push(...bytesOf(CONTAINER_MAGIC), ...bytesOf(sections.size));
  for (const [section, bytes] of sections) {
    const name = encoder.encode(section);
    const length = sectionLength(bytes);
    frame.push(...bytesOf(name.length), ...name, ...bytesOf(length));
    size += 4 + name.length + 4;
    while (size % 8) {
      frame.push(0);
      size++;
    }
    parts.push(Uint8Array.from(frame));
    if (bytes instanceof Uint8Array) parts.push(bytes);
    else for (const part of bytes) parts.push(part);
    size += length;
    frame = [];
  }
  while (size % 8) {
    frame.push(0);
    size++;
  }
  if (frame.length) parts.push(Uint8Array.from(frame));
  return parts;
}

/** One container from several: each one's sections, a later container's section replacing an earlier one of the same name; unreadable containers skipped. */
export function mergeCaches(containers: readonly (Uint8Array | undefined)[]): Uint8Array {
  const sections = new Map<string, Uint8Array>();
  for (const bytes of containers) for (const [section, content] of (bytes && decodeCache(bytes)) ?? []) sections.set(section, content);
  return encodeCache(sections);
}

/** Unpacks what `encodeCache` packed; undefined when the bytes are not a cache (or are truncated). Sections are views, not copies. */
export function decodeCache(input: Uint8Array): Map<string, Uint8Array> | undefined {
  if (input.length < 8) return undefined;
  // Typed-array views need aligned offsets: copy a buffer that starts mid-word (rare: small pooled reads).
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== CONTAINER_MAGIC) return undefined;
  const count = view.getUint32(4, true);
  const sections = new Map<string, Uint8Array>();
  let at = 8;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) return undefined;
    const nameLength = view.getUint32(at, true);
    if (at + 8 + nameLength > bytes.length) return undefined;
    const name = decoder.decode(bytes.subarray(at + 4, at + 4 + nameLength));
    at += 4 + nameLength;
    const length = view.getUint32(at, true);
    at = align8(at + 4);
    if (at + length > bytes.length) return undefined;
    sections.set(name, bytes.subarray(at, at + length));
    at += length;
  }
  return sections;
}

/**
 * One corpus product that persists its state in a section of the cache (the
 * quotation index, entity knowledge, the passage index…). The engine holds a
 * list of them; `importCacheProducts` / `exportCacheProducts` dispatch the
 * container's sections to them by name.
 */
export interface CacheProduct {
  /** Section name in the cache container. */
  readonly section: string;
  /** This product's state for the current sources, entries keyed by contentKey(text). */
  exportSection(): Uint8Array;
  /** `exportSection`'s bytes as parts, not joined (written to a file as they are). Absent: `exportSection`. */
  exportSectionParts?(): readonly Uint8Array[];
  /** Entries from an earlier run, held until a source with the same contentKey is set (then reused instead of recomputed). Returns how many entries were taken; bad bytes → 0, never a throw. */
  importSection(bytes: Uint8Array): number;
  /** True when the product's state changed since the last export (so an unchanged cache is not rewritten). Absent: always written. */
  readonly dirty?: boolean;
  /** Kept answers only (`Engine.beginAnswerScope`): from now on, export only what is used after this call. */
  beginScope?(): void;
  /**
   * Takes the section only when something first uses the product: `load`
   * gives its bytes then (undefined: none, the product is built). Called,
   * like `importSection`, before the first source is set. Absent: the
   * section is loaded and imported at once.
   */
  importLater?(load: () => Uint8Array | undefined): void;
}

/**
 * Decodes the container once and hands each section to the product registered
 * for it. Sections nobody registered are ignored; a product whose section is
 * broken takes nothing (and rebuilds), the others are unaffected. Returns the
 * entries taken per section name.
 */
export function importCacheProducts(bytes: Uint8Array, products: readonly CacheProduct[]): Map<string, number> {
  const taken = new Map<string, number>();
  const sections = decodeCache(bytes);
  if (!sections) return taken;
  for (const product of products) {
    const section = sections.get(product.section);
    if (section === undefined) continue;
    let count = 0;
    try {
      count = product.importSection(section);
    } catch {
      count = 0; // The contract says never throw; a product that does still must not break the others.
    }
    taken.set(product.section, count);
  }
  return taken;
}

/**
 * The cache bytes holding every product's section (with `only`, the sections
 * named there); undefined when `onlyIfChanged` and none of them is dirty. A
 * product without a `dirty` flag counts as changed.
 *
 * `only` is for an engine that owns some sections of a cache file shared with
 * others (a CLI thread building some corpus products): the products it never
 * imported nor needed are neither built nor written, so they cannot overwrite
 * another's good sections with partial ones.
 */
export function exportCacheProducts(products: readonly CacheProduct[], onlyIfChanged = false, only?: readonly string[]): Uint8Array | undefined {
  const sections = exportCacheSections(products, onlyIfChanged, only);
  return sections && encodeCache(sections);
}

/** The sections `exportCacheProducts` packs, by name, not packed yet. */
export function exportCacheSections(products: readonly CacheProduct[], onlyIfChanged = false, only?: readonly string[]): Map<string, SectionBytes> | undefined {
  const chosen = only ? products.filter((product) => only.includes(product.section)) : products;
  if (onlyIfChanged && !chosen.some((product) => product.dirty !== false)) return undefined;
  const sections = new Map<string, SectionBytes>();
  for (const product of chosen) sections.set(product.section, product.exportSectionParts?.() ?? product.exportSection());
  return sections;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

type Numbers = Uint32Array | Int32Array | Uint16Array | Uint8Array;

/** Writes a JSON header and typed arrays, each aligned to 8 bytes. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  json(value: unknown): void {
    this.bytes(encoder.encode(JSON.stringify(value)));
  }

  string(value: string): void {
    this.bytes(encoder.encode(value));
  }

  array(values: Numbers): void {
    this.bytes(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }

  bytes(bytes: Uint8Array): void {
    this.byteParts([bytes]);
  }

  /** One field, as `bytes` writes it, from several parts one after another (not joined here). */
  byteParts(parts: readonly Uint8Array[]): void {
    const length = sectionLength(parts);
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, length, true);
    this.parts.push(head);
    // One at a time: a memo's answers may be tens of thousands of parts, more than a call's arguments may be.
    for (const part of parts) this.parts.push(part);
    this.size += 8 + length;
    const pad = align8(this.size) - this.size;
    if (pad) {
      this.parts.push(new Uint8Array(pad));
      this.size += pad;
    }
  }

  finish(): Uint8Array {
    return joinBytes(this.parts, this.size);
  }

  /** What `finish` joins, as the parts written (fields given as views stay views of their bytes). */
  finishParts(): Uint8Array[] {
    return [...this.parts];
  }
}

/** Reads what a ByteWriter wrote, in the same order; arrays are views of the input when it is aligned. */
export class ByteReader {
  private at = 0;
  constructor(private readonly input: Uint8Array) {}

  json<T>(): T {
    return JSON.parse(decoder.decode(this.bytes())) as T;
  }

  string(): string {
    return decoder.decode(this.bytes());
  }

  uint32(): Uint32Array {
    return this.typed(Uint32Array);
  }

  int32(): Int32Array {
    return this.typed(Int32Array);
  }

  uint16(): Uint16Array {
    return this.typed(Uint16Array);
  }

  bytes(): Uint8Array {
    if (this.at + 8 > this.input.length) throw new RangeError('cache section truncated');
    const length = new DataView(this.input.buffer, this.input.byteOffset + this.at, 4).getUint32(0, true);
    const start = this.at + 8;
    if (start + length > this.input.length) throw new RangeError('cache section truncated');
    this.at = align8(start + length);
    return this.input.subarray(start, start + length);
  }

  private typed<T extends Uint32Array | Int32Array | Uint16Array>(Type: { new (buffer: ArrayBufferLike, offset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number }): T {
    const bytes = this.bytes();
    const count = bytes.length / Type.BYTES_PER_ELEMENT;
    if (!Number.isInteger(count)) throw new RangeError('cache array has a partial element');
    if ((bytes.byteOffset & (Type.BYTES_PER_ELEMENT - 1)) === 0) return new Type(bytes.buffer, bytes.byteOffset, count);
    const copy = new Type(count);
    new Uint8Array(copy.buffer).set(bytes);
    return copy;
  }
}
