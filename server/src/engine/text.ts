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
