/**
 * Small closed word classes the style rules use to tell a verb of speech from
 * the same word used as a noun or adjective ("his claims", "the alleged
 * bribe"), and sentence starts from names.
 */
import type { Token } from './phrase';

/** Words before which a following "claims"/"alleged" is a noun or an adjective, not a verb. */
export const DETERMINERS = new Set([
  'a', 'an', 'the', 'this', 'these', 'those', 'his', 'her', 'its', 'their', 'our', 'my', 'your', 'whose',
  'any', 'some', 'no', 'every', 'each', 'such', 'another', 'other', 'many', 'several', 'few', 'both', 'all',
  'more', 'most', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten',
  'of', 'for', 'with', 'by', 'about', 'against', 'over', 'on', 'in', 'despite', 'amid', 'among', 'into', 'from', 'under', 'without', 'after', 'before', 'behind', 'than',
]);

/** Subjects and auxiliaries after which an ambiguous word ("claims") is a verb. */
export const SUBJECTS_AND_AUXILIARIES = new Set([
  'i', 'you', 'he', 'she', 'it', 'we', 'they', 'who', 'which', 'that', 'also', 'still', 'now', 'then', 'repeatedly', 'often',
  'will', 'would', 'can', 'could', 'may', 'might', 'must', 'shall', 'should', 'do', 'does', 'did', 'to', "didn't", 'not', 'never',
]);

/** Forms of "be" and "have" before a past participle ("has claimed", "was alleged"). */
export const PERFECT_OR_PASSIVE = new Set(['has', 'have', 'had', 'having', 'be', 'been', 'being', 'is', 'was', 'were', 'are', 'am', 'get', 'got', 'gets']);

/** Pronouns that form contractions ("he's", "it's") — not possessives. */
export const CONTRACTING_PRONOUNS = new Set(['he', 'she', 'it', 'who', 'that', 'there', 'what', 'where', 'here']);

const SENTENCE_END = new Set(['.', '!', '?']);
/** Characters that may stand between a sentence end and the next sentence's first word. */
const OPENERS = /[\s*_~[\]"“”'‘’(]/;

/** True when the token begins a sentence: at its block's start or after . ! ? */
export function startsSentence(masked: string, token: Token, blockStart: number): boolean {
  let i = token.start - 1;
  while (i >= blockStart && OPENERS.test(masked[i])) i--;
  return i < blockStart || SENTENCE_END.has(masked[i]);
}

export function isCapitalised(token: Token): boolean {
  return token.word && token.text[0] !== token.lower[0];
}
