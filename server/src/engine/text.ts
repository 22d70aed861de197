/** Small text helpers shared by rules and cards. */

/** Collapses whitespace and cuts to `max` characters with an ellipsis. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : flat.slice(0, max - 1).trimEnd() + '…';
}

/** Escapes text for inert display inside Markdown (hover cards): no links, no HTML, no emphasis. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~&]/g, (c) => '\\' + c).replace(/\r?\n/g, ' ');
}

/**
 * A copy of `text` that does not keep a larger string alive. V8 makes a
 * substring of 13 or more characters a view into its parent: a slice of a
 * piece kept as a cache key, or anything computed from it, holds that whole
 * version of the piece in memory, one version per edit. Caches that outlive a
 * check store and compute from a detached copy. (Concatenation then slicing
 * forces the engine to flatten into a fresh string.)
 */
export function detach(text: string): string {
  return (' ' + text).slice(1);
}

/**
 * How many code units `a` and `b` share at their start and, after that, at
 * their end: where one version of a piece differs from the next. Whole
 * chunks are compared first (a native compare of two slices); a loop of
 * `charCodeAt` over a 200 KB piece took ~2 ms.
 */
export function commonEnds(a: string, b: string): { head: number; tail: number } {
  const shorter = Math.min(a.length, b.length);
  let head = 0;
  while (head + COMPARE_CHUNK <= shorter && a.slice(head, head + COMPARE_CHUNK) === b.slice(head, head + COMPARE_CHUNK)) head += COMPARE_CHUNK;
  while (head < shorter && a.charCodeAt(head) === b.charCodeAt(head)) head++;
  let tail = 0;
  while (tail + COMPARE_CHUNK <= shorter - head && a.slice(a.length - tail - COMPARE_CHUNK, a.length - tail) === b.slice(b.length - tail - COMPARE_CHUNK, b.length - tail)) tail += COMPARE_CHUNK;
  while (tail < shorter - head && a.charCodeAt(a.length - 1 - tail) === b.charCodeAt(b.length - 1 - tail)) tail++;
  return { head, tail };
}

const COMPARE_CHUNK = 1024;
