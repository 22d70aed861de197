/** Lines, positions and front matter: the only place that knows about line endings. */
import type { Span } from '../types';

const LF = 10;
const CR = 13;

/** Line start offsets; `\r\n`, `\r` and `\n` each end a line, as in LSP and markdown-it. */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf('\r') < 0) {
    // The common case, searched natively: only `\n` ends lines.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) starts.push(i + 1);
    else if (c === CR) {
      if (text.charCodeAt(i + 1) === LF) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Offset just before the line's line ending (or the end of the text). */
export function lineEnd(text: string, lineStarts: readonly number[], line: number): number {
  if (line + 1 >= lineStarts.length) return text.length;
  let end = lineStarts[line + 1];
  if (text.charCodeAt(end - 1) === LF) end--;
  if (text.charCodeAt(end - 1) === CR) end--;
  return end;
}

/** 0-based line and UTF-16 character of an offset (clamped to the text). */
export function positionAtOffset(lineStarts: readonly number[], textLength: number, offset: number): { line: number; character: number } {
  const clamped = Math.max(0, Math.min(offset, textLength));
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid] <= clamped) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: clamped - lineStarts[low] };
}

/** Offset of a line/character pair, clamped to the line's content (never inside its line ending). */
export function offsetAtPosition(text: string, lineStarts: readonly number[], line: number, character: number): number {
  if (line < 0) return 0;
  if (line >= lineStarts.length) return text.length;
  return Math.min(lineStarts[line] + Math.max(0, character), lineEnd(text, lineStarts, line));
}

export interface FrontMatter {
  span: Span;
  /** Line of the closing `---` / `...`. */
  lastLine: number;
}

/**
 * A leading YAML block: `---` on the first line (after a BOM), not followed by
 * a blank line (Pandoc's rule, so a thematic break at the top stays one), up
 * to a line that is `---` or `...`.
 */
export function detectFrontMatter(text: string, lineStarts: readonly number[], bom: number): FrontMatter | undefined {
  if (lineStarts.length < 3 || !/^---[ \t]*$/.test(text.slice(bom, lineEnd(text, lineStarts, 0)))) return undefined;
  if (text.slice(lineStarts[1], lineEnd(text, lineStarts, 1)).trim() === '') return undefined;
  for (let line = 1; line < lineStarts.length; line++) {
    const content = text.slice(lineStarts[line], lineEnd(text, lineStarts, line));
    if (/^(?:---|\.\.\.)[ \t]*$/.test(content)) {
      return { span: { start: bom, end: lineEnd(text, lineStarts, line) }, lastLine: line };
    }
  }
  return undefined;
}
