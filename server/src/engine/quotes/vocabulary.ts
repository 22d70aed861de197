/**
 * Interned words. Every distinct token surface gets a small integer id, and
 * each surface knows the ids of its three comparison keys:
 *
 * - `fold`:  case-folded (what the index hashes and what alignment compares),
 * - `exact`: as written (a verbatim quotation must match it),
 * - `cap`:   first letter folded, rest as written (where a quotation may
 *            change the case of its first letter).
 *
 * Comparing two words is then one array read and an integer compare, and a
 * source's words are a `Uint32Array` of surface ids. Keys are NFC-normalised
 * so a composed "é" matches a decomposed one; surfaces are not, because a
 * surface's length must equal the length of its slice in the text.
 *
 * Surfaces are found through an open-addressing table hashed straight from the
 * source text, so indexing a known word allocates no string (interning through
 * a `Map<string, number>` made tokenizing the corpus ~3x slower). A key is
 * itself interned as a surface, so a key id is a surface id: most words
 * ("growth") are their own fold, exact and cap key and cost no extra string.
 */
import { hashToken, isOddApostrophe, ODD_APOSTROPHE, tokenSurface } from './tokenize';

export interface WordKeys {
  fold: number;
  exact: number;
  cap: number;
}

/** A vocabulary's arrays as the index cache stores them (see `Vocabulary.persisted`). */
export interface PersistedVocabulary {
  fold: Uint32Array;
  exact: Uint32Array;
  cap: Uint32Array;
  hashes: Uint32Array;
  table: Int32Array;
}

/** Id of a key no word has: it never compares equal to anything. */
export const UNKNOWN = -1;

export class Vocabulary {
  /**
   * Key ids (surface ids of the key strings) by surface id, valid below
   * `size`. Typed arrays with spare room, replaced by larger ones when words
   * are added (read them after adding); restored ones are views of the cache.
   */
  fold: Uint32Array = new Uint32Array(1 << 10);
  exact: Uint32Array = new Uint32Array(1 << 10);
  cap: Uint32Array = new Uint32Array(1 << 10);
  private hashes: Uint32Array = new Uint32Array(1 << 10);
  private table: Int32Array = new Int32Array(1 << 12).fill(-1);
  /** Whether `table` may be shared with cache bytes: copied before the first change. */
  private tableBorrowed = false;

  constructor(
    /** Surface text by surface id. */
    readonly surfaces: string[] = [],
  ) {}

  /** Number of surfaces. */
  get size(): number {
    return this.surfaces.length;
  }

  /** Key ids are below this. */
  get keyCount(): number {
    return this.surfaces.length;
  }

  /** Surface id of the token `text[start, end)` (flags and hash from `scanTokens`), adding it when new. */
  internToken(text: string, start: number, end: number, flags: number, hash: number): number {
    // The probe loop is written out (no callback): this runs once per word of the corpus.
    const mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot];
      if (id < 0) break;
      if (this.hashes[id] === hash && sameToken(this.surfaces[id], text, start, end, flags)) return id;
    }
    return this.add(tokenSurface(text, start, end, flags), hash);
  }

  /** Key ids of a word that may not be in the vocabulary (a quotation's word); unknown keys are `UNKNOWN`. */
  keysOf(surface: string): WordKeys {
    const id = this.lookup(surface);
    if (id >= 0) return { fold: this.fold[id], exact: this.exact[id], cap: this.cap[id] };
    const keys = wordKeyStrings(surface);
    return { fold: this.lookup(keys.fold), exact: this.lookup(keys.exact), cap: this.lookup(keys.cap) };
  }

  /** Surface id of a word written exactly so, or `UNKNOWN`. Keys are surfaces too: an id alone does not say a source has the word. */
  lookup(surface: string): number {
    const hash = hashToken(surface, 0, surface.length);
    const mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot];
      if (id < 0) return UNKNOWN;
      if (this.hashes[id] === hash && this.surfaces[id] === surface) return id;
    }
  }

  private add(surface: string, hash: number): number {
    const id = this.surfaces.length;
    if (id === this.fold.length) this.growArrays();
    this.surfaces.push(ownCopy(surface));
    this.hashes[id] = hash;
    this.fold[id] = id;
    this.exact[id] = id;
    this.cap[id] = id;
    if ((id + 1) * 2 > this.table.length) this.grow();
    else this.place(id);
    const keys = wordKeyStrings(surface);
    // Keys of keys are themselves (lower case, NFC), so this recursion is one level deep.
    if (keys.exact !== surface) this.exact[id] = this.internKey(keys.exact);
    if (keys.fold !== surface) this.fold[id] = this.internKey(keys.fold);
    if (keys.cap !== surface) this.cap[id] = this.internKey(keys.cap);
    return id;
  }

  private internKey(key: string): number {
    const id = this.lookup(key);
    return id >= 0 ? id : this.add(key, hashToken(key, 0, key.length));
  }

  /** What `restore` needs besides the surfaces: key ids, hashes and the open-addressing table. */
  persisted(): PersistedVocabulary {
    const n = this.size;
    return { fold: this.fold.subarray(0, n), exact: this.exact.subarray(0, n), cap: this.cap.subarray(0, n), hashes: this.hashes.subarray(0, n), table: this.table };
  }

  /**
   * A vocabulary from persisted arrays (the index cache), as `persisted()`
   * gave them with `surfaces` in id order. The hash table is taken as it was,
   * not rebuilt: a warm start runs no per-word hashing (that loop, run once
   * in a fresh process before the optimiser compiles it, was most of a warm
   * start's vocabulary cost). Undefined when the arrays are inconsistent (a damaged cache).
   */
  static restore(surfaces: string[], arrays: PersistedVocabulary): Vocabulary | undefined {
    const n = surfaces.length;
    const { fold, exact, cap, hashes, table } = arrays;
    if (fold.length !== n || exact.length !== n || cap.length !== n || hashes.length !== n) return undefined;
    // A power-of-two table at most half full, as `grow` keeps it, with a free slot so every probe ends.
    // The ids themselves are not scanned (a loop per word is what a warm start avoids): a wrong id
    // fails a hash or bounds comparison, it never reads outside the arrays.
    if (table.length < 2 * n || table.length < 16 || (table.length & (table.length - 1)) !== 0 || table.indexOf(-1) < 0) return undefined;
    const vocabulary = new Vocabulary(surfaces);
    vocabulary.fold = fold;
    vocabulary.exact = exact;
    vocabulary.cap = cap;
    vocabulary.hashes = hashes;
    vocabulary.table = table;
    vocabulary.tableBorrowed = true;
    return vocabulary;
  }

  /** Room for more words: restored arrays are views of the cache bytes and never written. */
  private growArrays(): void {
    const capacity = Math.max(1 << 10, this.fold.length * 2);
    const larger = (old: Uint32Array) => {
      const next = new Uint32Array(capacity);
      next.set(old);
      return next;
    };
    this.fold = larger(this.fold);
    this.exact = larger(this.exact);
    this.cap = larger(this.cap);
    this.hashes = larger(this.hashes);
  }

  private place(id: number): void {
    if (this.tableBorrowed) {
      this.table = this.table.slice();
      this.tableBorrowed = false;
    }
    const mask = this.table.length - 1;
    let slot = this.hashes[id] & mask;
    while (this.table[slot] >= 0) slot = (slot + 1) & mask;
    this.table[slot] = id;
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    this.tableBorrowed = false;
    for (let id = 0; id < this.surfaces.length; id++) this.place(id);
  }
}

/**
 * A string that does not share memory with the text it was cut from: V8 keeps
 * slices of 13+ characters as views into the parent, which would keep an
 * edited-away source text alive for as long as the vocabulary lives.
 */
function ownCopy(text: string): string {
  if (text.length < 13) return text;
  const codes = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return String.fromCharCode(...codes);
}

function sameToken(surface: string, text: string, start: number, end: number, flags: number): boolean {
  if (surface.length !== end - start) return false;
  for (let i = 0; i < surface.length; i++) {
    let c = text.charCodeAt(start + i);
    if (flags & ODD_APOSTROPHE && isOddApostrophe(c)) c = 0x27;
    if (surface.charCodeAt(i) !== c) return false;
  }
  return true;
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 128) return true;
  return false;
}

function wordKeyStrings(surface: string): { fold: string; exact: string; cap: string } {
  const exact = hasNonAscii(surface) ? surface.normalize('NFC') : surface;
  const lower = exact.toLowerCase();
  const fold = lower === exact || !hasNonAscii(lower) ? lower : lower.normalize('NFC');
  const firstWidth = (exact.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
  const first = exact.slice(0, firstWidth);
  const firstLower = first.toLowerCase();
  if (firstLower === first) return { fold, exact, cap: exact };
  let cap = firstLower + exact.slice(firstWidth);
  if (hasNonAscii(cap)) cap = cap.normalize('NFC');
  return { fold, exact, cap };
}
