/**
 * How often each word is written in lower case and how often capitalised in
 * mid-sentence, over the whole corpus. Decides whether a capitalised word at
 * the start of a sentence is a name ("Brown said") or an ordinary word
 * ("Former Cabinet minister…"), and whether "Acpo" is an acronym.
 */
export class CaseStats {
  private readonly lower = new Map<string, number>();
  private readonly capMid = new Map<string, number>();

  add(text: string, from = 0, to = text.length): void {
    const re = /[\p{L}][\p{L}\p{M}'\u2019-]*/gu;
    re.lastIndex = from;
    for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
      const word = m[0].replace(/['\u2019]s?$/, '');
      const first = word.charCodeAt(0);
      const isLower = first >= 97 && first <= 122 ? true : first < 128 ? false : word[0] === word[0].toLowerCase() && word[0] !== word[0].toUpperCase();
      if (isLower) {
        this.lower.set(word, (this.lower.get(word) ?? 0) + 1);
        continue;
      }
      // Mid-sentence: the previous non-space character is not sentence-final punctuation, a quote or a line break.
      let p = m.index - 1;
      while (p >= from && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p--;
      const prev = p >= from ? text[p] : '\n';
      if (!/[.!?"\u201c\u2018'\n:(]/.test(prev)) this.capMid.set(word, (this.capMid.get(word) ?? 0) + 1);
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
