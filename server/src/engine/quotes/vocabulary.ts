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
 */

export interface WordKeys {
  fold: number;
  exact: number;
  cap: number;
}

/** Id of a key no word has: it never compares equal to anything. */
export const UNKNOWN = -1;

export class Vocabulary {
  private readonly surfaceIds = new Map<string, number>();
  private readonly keyIds = new Map<string, number>();
  /** Surface text by surface id. */
  readonly surfaces: string[] = [];
  /** Key ids by surface id. */
  readonly fold: number[] = [];
  readonly exact: number[] = [];
  readonly cap: number[] = [];

  get size(): number {
    return this.surfaces.length;
  }

  /** Surface id of a token, adding it when new. */
  intern(surface: string, nonAscii: boolean): number {
    const known = this.surfaceIds.get(surface);
    if (known !== undefined) return known;
    const id = this.surfaces.length;
    const keys = wordKeyStrings(surface, nonAscii);
    this.surfaceIds.set(surface, id);
    this.surfaces.push(surface);
    this.fold.push(this.internKey(keys.fold));
    this.exact.push(this.internKey(keys.exact));
    this.cap.push(this.internKey(keys.cap));
    return id;
  }

  /** Key ids of a word that may not be in the vocabulary (a quotation's word); unknown keys are `UNKNOWN`. */
  keysOf(surface: string, nonAscii: boolean): WordKeys {
    const known = this.surfaceIds.get(surface);
    if (known !== undefined) return { fold: this.fold[known], exact: this.exact[known], cap: this.cap[known] };
    const keys = wordKeyStrings(surface, nonAscii);
    return {
      fold: this.keyIds.get(keys.fold) ?? UNKNOWN,
      exact: this.keyIds.get(keys.exact) ?? UNKNOWN,
      cap: this.keyIds.get(keys.cap) ?? UNKNOWN,
    };
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

function wordKeyStrings(surface: string, nonAscii: boolean): { fold: string; exact: string; cap: string } {
  const exact = nonAscii ? surface.normalize('NFC') : surface;
  const lower = exact.toLowerCase();
  const fold = nonAscii ? lower.normalize('NFC') : lower;
  const firstWidth = (exact.codePointAt(0) ?? 0) > 0xffff ? 2 : 1;
  let cap = exact.slice(0, firstWidth).toLowerCase() + exact.slice(firstWidth);
  if (nonAscii) cap = cap.normalize('NFC');
  return { fold, exact, cap };
}
