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

  constructor(private readonly text: string) {
    this.codes = new Uint16Array(text.length).fill(SPACE);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) this.codes[i] = c;
    }
  }

  /** Copies `text[start, end)` in as prose. */
  copy(start: number, end: number): void {
    for (let i = start; i < end; i++) this.codes[i] = this.text.charCodeAt(i);
  }

  /** Blanks `[start, end)`, keeping line endings so lines never move. */
  mask(start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const c = this.codes[i];
      if (c !== LF && c !== CR) this.codes[i] = SPACE;
    }
  }

  maskAt(offset: number): void {
    this.mask(offset, offset + 1);
  }

  /** The current content of `[start, end)` as a string. */
  slice(start: number, end: number): string {
    const parts: string[] = [];
    for (let i = start; i < end; i += CHUNK) {
      parts.push(String.fromCharCode.apply(null, this.codes.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]));
    }
    return parts.join('');
  }

  toString(): string {
    return this.slice(0, this.codes.length);
  }
}
