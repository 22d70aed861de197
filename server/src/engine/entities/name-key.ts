/** The lookup key of a name, shared by extraction (each occurrence's key), the knowledge and the piece scanner. */

/** Normalised lookup key of a name: lower case, one space, ’ → ', no possessive, no leading "the". */
export function nameKey(text: string): string {
  // Most names need only the lower-casing; the full normalisation runs when a character calls for it.
  if (!NEEDS_NORMALISING.test(text)) return text.toLowerCase();
  return text
    .replace(/[\u2019\u2018]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(?:'s|')$/i, '')
    .replace(/^the /i, '')
    .toLowerCase();
}

/** Curly apostrophes, any white space but a single space, a trailing apostrophe or "'s", a leading "the ". */
const NEEDS_NORMALISING = /[\u2019\u2018]|\s\s|[^\S ]|^\s|\s$|'s?$|^the /i;
