/**
 * Find positions by text, never by counted columns: `spanOf(doc, 'needle')`
 * is the span of the first occurrence, `spanOf(doc, 'needle', 1)` the second.
 */
export interface TextSpan {
  start: number;
  end: number;
}

/** Offset of the `occurrence`-th (0-based) `needle` in `text`; throws when there is none. */
export function offsetOf(text: string, needle: string, occurrence = 0): number {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" occurrence ${occurrence} not found`);
  }
  return at;
}

/** Span of the `occurrence`-th (0-based) `needle` in `text`. */
export function spanOf(text: string, needle: string, occurrence = 0): TextSpan {
  const start = offsetOf(text, needle, occurrence);
  return { start, end: start + needle.length };
}

/** Span of `inner` inside the first occurrence of `outer` (for needles that are not unique on their own). */
export function spanWithin(text: string, outer: string, inner: string, occurrence = 0): TextSpan {
  const base = offsetOf(text, outer, occurrence);
  const start = base + offsetOf(outer, inner);
  return { start, end: start + inner.length };
}

/** The text a span covers. */
export function textAt(text: string, span: TextSpan): string {
  return text.slice(span.start, span.end);
}

/** 0-based line and UTF-16 character of an offset, independently of the code under test (`\r\n`, `\r`, `\n`). */
export function lineCharacterOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const lines = before.split(/\r\n|\r|\n/);
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}
