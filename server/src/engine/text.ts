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
