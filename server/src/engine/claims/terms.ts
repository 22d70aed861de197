/**
 * Terms for passage retrieval: stop words dropped, a light English suffix
 * stemmer so that "rose"/"rise" stay apart but "warned"/"warns"/"warning",
 * "economies"/"economy" and "agreements"/"agreement" meet. Deliberately
 * conservative: over-stemming merges words a paraphrase keeps apart.
 */

const STOPWORDS = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being below between both but by can cannot could " +
    "did do does doing down during each few for from further had has have having he he'd he'll he's her here hers herself him himself his how i i'd i'll i'm " +
    "if in into is isn't it it's its itself just let's me more most my myself no nor not now of off on once only or other ought our ours ourselves out over own " +
    "same she she'd she'll she's should so some such than that that's the their theirs them themselves then there there's these they they'd they'll they're " +
    "this those through to too under until up very was wasn't we we'd we'll we're were what what's when where which while who who's whom why will with " +
    "won't would you your yours yourself yourselves s t mr mrs ms said says say told also its may might must shall one"
  ).split(' '),
);

export function isStopword(lower: string): boolean {
  return STOPWORDS.has(lower);
}

/** Light suffix stemming of a lower-case word. Plain string tests, no regular expressions: this runs once per distinct word of the corpus. */
export function stem(word: string): string {
  let w = word;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.endsWith("'")) w = w.slice(0, -1);
  if (w.length <= 3 || hasDigit(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('es') && (w.endsWith('ches') || w.endsWith('shes') || w.endsWith('xes') || w.endsWith('zes') || w.endsWith('sses'))) w = w.slice(0, -2);
  else if (w.endsWith('s') && !(w.endsWith('ss') || w.endsWith('us') || w.endsWith('is') || w.endsWith('ys'))) w = w.slice(0, -1);

  if (w.endsWith('ing') && w.length > 5 && hasVowel(w, w.length - 3)) w = undouble(w.slice(0, -3));
  else if (w.endsWith('ied') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('ed') && w.length > 4 && hasVowel(w, w.length - 2)) w = undouble(w.slice(0, -2));

  for (const [suffix, replacement] of SUFFIXES) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) return w.slice(0, -suffix.length) + replacement;
  }
  return w.endsWith('e') ? w.slice(0, -1) : w;
}

function hasDigit(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) return true;
  }
  return false;
}

/** Whether `w[0, end)` has one of a e i o u y. */
function hasVowel(w: string, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = w[i];
    if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y') return true;
  }
  return false;
}

// Derivational endings folded onto a common stem ("economic", "economy" → "econom").
const SUFFIXES: [string, string][] = [
  ['ational', 'at'],
  ['ation', 'at'],
  ['ator', 'at'],
  ['ement', ''],
  ['ment', ''],
  ['ness', ''],
  ['ally', ''],
  ['ical', ''],
  ['ity', ''],
  ['ive', ''],
  ['ic', ''],
  ['al', ''],
  ['ly', ''],
  ['er', ''],
  ['or', ''],
  ['y', ''],
];

/** Consonants whose doubling -ed/-ing adds ("stopped" → "stop"). */
const DOUBLED = 'bdfgmnprt';

function undouble(w: string): string {
  const last = w[w.length - 1];
  if (w.length >= 2 && last === w[w.length - 2] && DOUBLED.includes(last)) return w.slice(0, -1);
  // "rated" → "rat": put back the e that -ed/-ing took ("rate"); it is stripped again below.
  return w;
}
