/**
 * The masked text under construction. It starts as all spaces with the line
 * endings kept, prose is copied in block by block, and then inline constructs
 * that are not prose (code, HTML, link destinations, …) are blanked again.
 * Starting from spaces means anything the parser did not recognise as prose
 * (thematic breaks, fences, table delimiter rows, skipped deep nesting) never
 * reaches a rule.
 */
import { CR, LF, SPACE } from './chars';

const CHUNK = 8192;

export class MaskBuffer {
  private readonly codes: Uint16Array;
  /** No lone surrogates in the text, so none in the buffer: prose is copied whole lines at a time and masks end at ASCII delimiters. */
  private readonly wellFormed: boolean;

  /**
   * `lineStarts` as from `computeLineStarts(text)`: only the line endings before them are copied.
   * The buffer holds `text[base, end)` (a re-parse of one block holds that block's lines only);
   * offsets given to its methods are offsets in `text` all the same.
   */
  constructor(
    private readonly text: string,
    lineStarts: readonly number[],
    private readonly base = 0,
    end = text.length,
  ) {
    this.wellFormed = isWellFormed(base === 0 && end === text.length ? text : text.slice(base, end));
    this.codes = new Uint16Array(end - base).fill(SPACE);
    for (let line = 1; line < lineStarts.length; line++) {
      const next = lineStarts[line];
      if (next <= base) continue;
      if (next > end) break;
      this.codes[next - 1 - base] = text.charCodeAt(next - 1);
      if (next - 2 >= base && text.charCodeAt(next - 1) === LF && text.charCodeAt(next - 2) === CR) this.codes[next - 2 - base] = CR;
    }
  }

  /** Copies `text[start, end)` in as prose. */
  copy(start: number, end: number): void {
    const base = this.base;
    for (let i = start; i < end; i++) this.codes[i - base] = this.text.charCodeAt(i);
  }

  /** Blanks `[start, end)`, keeping line endings so lines never move. */
  mask(start: number, end: number): void {
    for (let i = start - this.base; i < end - this.base; i++) {
      const c = this.codes[i];
      if (c !== LF && c !== CR) this.codes[i] = SPACE;
    }
  }

  maskAt(offset: number): void {
    this.mask(offset, offset + 1);
  }

  /** The current content of `[start, end)` as a string. */
  slice(start: number, end: number): string {
    return decodeUtf16(this.codes.subarray(start - this.base, end - this.base), this.wellFormed);
  }

  toString(): string {
    return this.slice(this.base, this.base + this.codes.length);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDFFF]/.test(text) || !LONE_SURROGATE.test(text);
}

const utf16 = new TextDecoder('utf-16le');

/**
 * UTF-16 code units to a string. TextDecoder is several times faster than
 * `String.fromCharCode` but replaces lone surrogates, so it is only used
 * when there are none.
 */
export function decodeUtf16(codes: Uint16Array, wellFormed: boolean): string {
  if (wellFormed) return utf16.decode(codes);
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += CHUNK) {
    parts.push(String.fromCharCode.apply(null, codes.subarray(i, Math.min(codes.length, i + CHUNK)) as unknown as number[]));
  }
  return parts.join('');
}
