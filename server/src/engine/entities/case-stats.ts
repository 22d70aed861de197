/**
 * How often each word is written in lower case and how often capitalised in
 * mid-sentence, over the whole corpus. Decides whether a capitalised word at
 * the start of a sentence is a name ("Brown said") or an ordinary word
 * ("Former Cabinet minister…"), and whether "Acpo" is an acronym.
 */
import { isWordCode } from './scan';

/** Characters after which a capital proves nothing: sentence ends, quotes, line breaks, colons, brackets. */
const SENTENCE_BREAKS = new Set([46, 33, 63, 34, 0x201c, 0x2018, 39, 10, 58, 40]);

export class CaseStats {
  private readonly lower = new Map<string, number>();
  private readonly capMid = new Map<string, number>();

  add(text: string, from = 0, to = text.length): void {
    // One pass over char codes (it runs over the whole corpus): words are runs of letters, digits, ' ’ and -.
    let prev = 10; // the last non-space character before the current word; a line break to start with
    let i = from;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (!isWordCode(text, i)) {
        if (c !== 32 && c !== 9) prev = c;
        i++;
        continue;
      }
      const start = i;
      while (i < to && (isWordCode(text, i) || ((text.charCodeAt(i) === 39 || text.charCodeAt(i) === 0x2019 || text.charCodeAt(i) === 45) && i + 1 < to && isWordCode(text, i + 1)))) i++;
      let end = i;
      // "Russia's" counts as "Russia".
      if (end - start > 2 && (text.charCodeAt(end - 1) === 115 || text.charCodeAt(end - 1) === 83) && (text.charCodeAt(end - 2) === 39 || text.charCodeAt(end - 2) === 0x2019)) end -= 2;
      const first = text.charCodeAt(start);
      if (first >= 48 && first <= 57) {
        prev = 48;
        continue;
      }
      const word = text.slice(start, end);
      const isLower = first >= 97 && first <= 122 ? true : first < 128 ? false : word[0] === word[0].toLowerCase() && word[0] !== word[0].toUpperCase();
      if (isLower) this.lower.set(word, (this.lower.get(word) ?? 0) + 1);
      else if (!SENTENCE_BREAKS.has(prev)) this.capMid.set(word, (this.capMid.get(word) ?? 0) + 1);
      prev = 97;
    }
  }

  lowerCount(word: string): number {
    return this.lower.get(word.toLowerCase()) ?? 0;
  }

  capitalisedCount(word: string): number {
    return this.capMid.get(word) ?? 0;
  }

  /** A capitalised word at a sentence start is an ordinary word when it is mostly written in lower case. */
  isCommonWord(word: string): boolean {
    return this.lowerCount(word) > this.capitalisedCount(word);
  }
}
