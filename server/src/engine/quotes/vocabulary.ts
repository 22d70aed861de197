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
 * a `Map<string, number>` made tokenizing the corpus ~3x slower).
 */
import { isOddApostrophe, NON_ASCII, ODD_APOSTROPHE, tokenSurface } from './tokenize';

export interface WordKeys {
  fold: number;
  exact: number;
  cap: number;
}

/** Id of a key no word has: it never compares equal to anything. */
export const UNKNOWN = -1;

export class Vocabulary {
  /** Surface text by surface id. */
  readonly surfaces: string[] = [];
  /** Key ids by surface id. */
  readonly fold: number[] = [];
  readonly exact: number[] = [];
  readonly cap: number[] = [];
  private readonly hashes: number[] = [];
  private table = new Int32Array(1 << 12).fill(-1);
  private readonly keyIds = new Map<string, number>();

  /** Number of surfaces. */
  get size(): number {
    return this.surfaces.length;
  }

  /** Number of distinct keys (key ids are below it). */
  get keyCount(): number {
    return this.keyIds.size;
  }

  /** Surface id of the token `text[start, end)` (flags from `scanTokens`), adding it when new. */
  internToken(text: string, start: number, end: number, flags: number): number {
    const hash = hashRange(text, start, end, flags);
    const mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot];
      if (id < 0) break;
      if (this.hashes[id] === hash && sameToken(this.surfaces[id], text, start, end, flags)) return id;
    }
    return this.add(tokenSurface(text, start, end, flags), flags, hash);
  }

  /** Key ids of a word that may not be in the vocabulary (a quotation's word); unknown keys are `UNKNOWN`. */
  keysOf(surface: string): WordKeys {
    const flags = hasNonAscii(surface) ? NON_ASCII : 0;
    const hash = hashRange(surface, 0, surface.length, flags);
    const mask = this.table.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot];
      if (id < 0) break;
      if (this.hashes[id] === hash && this.surfaces[id] === surface) return { fold: this.fold[id], exact: this.exact[id], cap: this.cap[id] };
    }
    const keys = wordKeyStrings(surface, flags);
    return {
      fold: this.keyIds.get(keys.fold) ?? UNKNOWN,
      exact: this.keyIds.get(keys.exact) ?? UNKNOWN,
      cap: this.keyIds.get(keys.cap) ?? UNKNOWN,
    };
  }

  private add(surface: string, flags: number, hash: number): number {
    const id = this.surfaces.length;
    const keys = wordKeyStrings(surface, flags);
    this.surfaces.push(surface);
    this.hashes.push(hash);
    this.fold.push(this.internKey(keys.fold));
    this.exact.push(this.internKey(keys.exact));
    this.cap.push(this.internKey(keys.cap));
    if ((id + 1) * 2 > this.table.length) this.grow();
    else this.place(id);
    return id;
  }

  private place(id: number): void {
    const mask = this.table.length - 1;
    let slot = this.hashes[id] & mask;
    while (this.table[slot] >= 0) slot = (slot + 1) & mask;
    this.table[slot] = id;
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    for (let id = 0; id < this.surfaces.length; id++) this.place(id);
  }

  private internKey(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keyIds.size;
      this.keyIds.set(key, id);
    }
    return id;
  }
}

/** FNV-1a over the token's code units, apostrophes normalised (so raw text and surface hash alike). */
function hashRange(text: string, start: number, end: number, flags: number): number {
  let hash = 0x811c9dc5;
  if (flags & ODD_APOSTROPHE) {
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      hash = Math.imul(hash ^ (isOddApostrophe(c) ? 0x27 : c), 0x01000193);
    }
  } else {
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return hash >>> 0;
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

function wordKeyStrings(surface: string, flags: number): { fold: string; exact: string; cap: string } {
  const nonAscii = (flags & NON_ASCII) !== 0;
  const exact = nonAscii ? surface.normalize('NFC') : surface;
  const lower = exact.toLowerCase();
  const fold = nonAscii ? lower.normalize('NFC') : lower;
  const firstWidth = (exact.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
  let cap = exact.slice(0, firstWidth).toLowerCase() + exact.slice(firstWidth);
  if (nonAscii) cap = cap.normalize('NFC');
  return { fold, exact, cap };
}
