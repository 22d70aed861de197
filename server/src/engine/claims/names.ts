/**
 * Which capitalised words are names? A word the piece itself capitalises in
 * the middle of a sentence ("… said Lavrov", "the EAEU") is taken for a
 * name, so a sentence that *starts* with it ("Lavrov dismissed …") is known
 * to start with a name rather than an ordinary capitalised first word.
 */

/** Capitalised words that are not names even mid-sentence. */
const NOT_NAMES = new Set(
  'I The A An This That These Those It He She They We You His Her Its Their Our In On At Of For To By With From And But Or If As Mr Mrs Ms Dr Sir'.split(' '),
);

/**
 * Names learnt from `text` (a masked piece): capitalised words that follow a
 * lower-case word, digit or comma, unless the piece also writes them in lower
 * case ("Valley Water" makes "Valley" a name but not "Water": the piece talks
 * about water too).
 */
export function learnNames(text: string): Set<string> {
  const candidates = new Set<string>();
  for (const match of text.matchAll(/(?<=[\p{Ll}\p{N},;)][ \t\n]{1,3})\p{Lu}[\p{L}\p{M}]*(?:['’]\p{L}+)?/gu)) {
    const word = match[0].replace(/['’]s$/, '');
    if (!NOT_NAMES.has(word)) candidates.add(word);
  }
  const lowerCase = new Set<string>();
  for (const match of text.matchAll(/(?<![\p{L}\p{N}])\p{Ll}[\p{Ll}\p{M}]*/gu)) lowerCase.add(match[0]);
  const names = new Set<string>();
  for (const word of candidates) if (/^\p{Lu}[\p{Lu}\p{N}]+$/u.test(word) || !lowerCase.has(word.toLowerCase())) names.add(word);
  return names;
}

/** A name known from the piece, or an acronym ("EAEU", "BBC"). */
export function isKnownName(names: ReadonlySet<string>, word: string): boolean {
  return names.has(word) || /^\p{Lu}[\p{Lu}\p{N}]+$/u.test(word);
}
