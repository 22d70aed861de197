/**
 * How often each word is written in lower case and how often capitalised in
 * mid-sentence, over the whole corpus. Decides whether a capitalised word at
 * the start of a sentence is a name ("Brown said") or an ordinary word
 * ("Former Cabinet minister…"), and whether "Acpo" is an acronym.
 */
import { ASCII, isWordCode } from './scan';

/** Characters after which a capital proves nothing: sentence ends, quotes, line breaks, colons, brackets. */
const SENTENCE_BREAKS = new Set([46, 33, 63, 34, 0x201c, 0x2018, 39, 10, 58, 40]);

const INITIAL_CAPACITY = 1 << 14;

/**
 * Counts per distinct word. The corpus has ~800,000 words and ~60,000 distinct
 * ones, so words are hashed straight from the text's char codes into an
 * open-addressing table: a string is made only for a word seen the first time.
 */
class WordTable {
  private keys: string[] = [];
  /**
   * Set on a table restored from the cache (`importTable`): the words joined
   * by NUL and where each starts, read in place until the table is first
   * changed; `hashes` and `slots` are then still the cache's arrays.
   */
  private joined: { words: string; starts: Int32Array } | undefined;
  private size = 0;
  private hashes: Int32Array;
  /** Slot → entry index + 1 (0 = empty). */
  private slots: Int32Array;
  lower: Int32Array;
  capMid: Int32Array;

  constructor(capacity = INITIAL_CAPACITY) {
    this.hashes = new Int32Array(capacity >> 1);
    this.slots = new Int32Array(capacity);
    this.lower = new Int32Array(capacity >> 1);
    this.capMid = new Int32Array(capacity >> 1);
  }

  /** Entry of `text[start, end)` with hash `hash`, created when new. */
  entryOf(text: string, start: number, end: number, hash: number): number {
    if (this.joined) this.ownArrays();
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot];
      if (at === 0) {
        const entry = this.keys.length;
        this.keys.push(text.slice(start, end));
        this.size = this.keys.length;
        this.grow(entry + 1);
        this.hashes[entry] = hash;
        this.slots[slot] = entry + 1;
        if ((entry + 1) * 2 > this.slots.length) this.rehash();
        return entry;
      }
      const entry = at - 1;
      if (this.hashes[entry] !== hash) continue;
      const key = this.keys[entry];
      if (key.length !== length) continue;
      let same = true;
      for (let k = 0; k < length; k++) {
        if (key.charCodeAt(k) !== text.charCodeAt(start + k)) {
          same = false;
          break;
        }
      }
      if (same) return entry;
    }
  }

  /** Entry of `word`, or -1. */
  find(word: string): number {
    const hash = hashOf(word, 0, word.length);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot];
      if (at === 0) return -1;
      if (this.hashes[at - 1] !== hash) continue;
      const joined = this.joined;
      if (joined ? joined.starts[at] - joined.starts[at - 1] - 1 === word.length && joined.words.startsWith(word, joined.starts[at - 1]) : this.keys[at - 1] === word) return at - 1;
    }
  }

  /** Before the first change of a restored table: its own keys and arrays instead of the cache's. */
  private ownArrays(): void {
    const joined = this.joined!;
    this.joined = undefined;
    this.keys = joined.words ? joined.words.split('\u0000') : [];
    this.hashes = this.hashes.slice();
    this.slots = this.slots.slice();
  }

  /**
   * The counts with the table's own hash layout, so a warm start neither
   * splits nor hashes the ~33,000 words (`importTable`). `starts` has one
   * entry per word plus the end.
   */
  exportTable(): CaseTable {
    const n = this.size;
    const words = this.joined ? this.joined.words : this.keys.join('\u0000');
    const starts = new Int32Array(n + 1);
    for (let e = 0, at = 0; e < n; e++) {
      starts[e] = at;
      at += (this.joined ? this.joined.starts[e + 1] - this.joined.starts[e] - 1 : this.keys[e].length) + 1;
      starts[e + 1] = at;
    }
    return { words, lower: this.lower.slice(0, n), capMid: this.capMid.slice(0, n), hashes: this.hashes.slice(0, n), slots: this.slots.slice(), starts };
  }

  /** What `exportTable` gave; undefined when the parts do not fit together (then `import` rebuilds the table). */
  static importTable(parts: CaseTable): WordTable | undefined {
    const { words, lower, capMid, hashes, slots, starts } = parts;
    const n = lower.length;
    const capacity = slots.length;
    if (capMid.length !== n || hashes.length !== n || starts.length !== n + 1 || capacity < INITIAL_CAPACITY || (capacity & (capacity - 1)) !== 0 || (n + 1) * 2 > capacity) return undefined;
    if (starts[0] !== 0 || starts[n] !== (n ? words.length + 1 : 0)) return undefined;
    for (let e = 0; e < n; e++) if (!(starts[e + 1] > starts[e])) return undefined;
    for (let i = 0; i < capacity; i++) if (slots[i] < 0 || slots[i] > n) return undefined;
    const table = new WordTable(capacity);
    table.joined = { words, starts };
    table.size = n;
    table.hashes.set(hashes);
    table.slots = slots;
    table.lower.set(lower);
    table.capMid.set(capMid);
    return table;
  }

  export(): { words: string; lower: Int32Array; capMid: Int32Array } {
    const n = this.size;
    return { words: this.joined ? this.joined.words : this.keys.join('\u0000'), lower: this.lower.slice(0, n), capMid: this.capMid.slice(0, n) };
  }

  static import(words: string, lower: Int32Array, capMid: Int32Array): WordTable {
    const keys = words ? words.split('\u0000') : [];
    if (keys.length !== lower.length || keys.length !== capMid.length) throw new RangeError('case statistics: counts do not match the words');
    // Sized once for every word (no growing or rehashing on a warm start); exported keys are distinct, so each goes to the first free slot.
    let capacity = INITIAL_CAPACITY;
    while ((keys.length + 1) * 2 > capacity) capacity *= 2;
    const table = new WordTable(capacity);
    const mask = capacity - 1;
    const { hashes, slots } = table;
    for (let entry = 0; entry < keys.length; entry++) {
      const key = keys[entry];
      const hash = hashOf(key, 0, key.length);
      hashes[entry] = hash;
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    table.keys = keys;
    table.size = keys.length;
    table.lower.set(lower);
    table.capMid.set(capMid);
    return table;
  }

  private grow(size: number): void {
    if (size <= this.hashes.length) return;
    if (this.joined) this.ownArrays();
    const capacity = this.hashes.length * 2;
    for (const name of ['hashes', 'lower', 'capMid'] as const) {
      const next = new Int32Array(capacity);
      next.set(this[name]);
      this[name] = next;
    }
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.keys.length; entry++) {
      let slot = this.hashes[entry] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over UTF-16 code units. */
function hashOf(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

function isJoiner(c: number): boolean {
  return c === 39 || c === 0x2019 || c === 45;
}

export class CaseStats {
  private table = new WordTable();

  add(text: string, from = 0, to = text.length): void {
    this.count(text, from, to, 1);
  }

  /** Takes back what `add` counted for the same text and range (a source that changed or left the corpus). */
  remove(text: string, from = 0, to = text.length): void {
    this.count(text, from, to, -1);
  }

  /** The counts as three parts: the words joined by NUL, and their lower-case and mid-sentence capitalised counts. */
  export(): { words: string; lower: Int32Array; capMid: Int32Array } {
    return this.table.export();
  }

  /** The counts and the hash table's layout (`importTable`: a warm start without hashing a word). */
  exportTable(): CaseTable {
    return this.table.exportTable();
  }

  /** What `exportTable` gave (arrays may be views of a cache buffer: the counts are copied, the rest until first changed); undefined when the parts do not fit. */
  static importTable(parts: CaseTable): CaseStats | undefined {
    const table = WordTable.importTable(parts);
    if (!table) return undefined;
    const stats = new CaseStats();
    stats.table = table;
    return stats;
  }

  /** Counts exported by `export` (the arrays may be views of a cache buffer: they are copied). */
  static import(words: string, lower: Int32Array, capMid: Int32Array): CaseStats {
    const stats = new CaseStats();
    stats.table = WordTable.import(words, lower, capMid);
    return stats;
  }

  private count(text: string, from: number, to: number, by: number): void {
    // One pass over char codes (it runs over the whole corpus): words are runs of letters, digits, ' ’ and -.
    const table = this.table;
    let prev = 10; // the last non-space character before the current word; a line break to start with
    let i = from;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (!(c < 128 ? ASCII[c] === 1 : isWordCode(text, i))) {
        if (c !== 32 && c !== 9) prev = c;
        i++;
        continue;
      }
      const start = i;
      for (i++; i < to; i++) {
        const d = text.charCodeAt(i);
        if (d < 128 ? ASCII[d] === 1 : isWordCode(text, i)) continue;
        if (isJoiner(d) && i + 1 < to && isWordCode(text, i + 1)) continue;
        break;
      }
      let end = i;
      // "Russia's" counts as "Russia".
      if (end - start > 2 && (text.charCodeAt(end - 1) === 115 || text.charCodeAt(end - 1) === 83) && (text.charCodeAt(end - 2) === 39 || text.charCodeAt(end - 2) === 0x2019)) end -= 2;
      const first = c;
      if (first >= 48 && first <= 57) {
        prev = 48;
        continue;
      }
      const isLower = first >= 97 && first <= 122 ? true : first < 128 ? false : isLowerLetter(text[start]);
      if (isLower) table.lower[table.entryOf(text, start, end, hashOf(text, start, end))] += by;
      else if (!SENTENCE_BREAKS.has(prev)) table.capMid[table.entryOf(text, start, end, hashOf(text, start, end))] += by;
      prev = 97;
    }
  }

  lowerCount(word: string): number {
    const entry = this.table.find(word.toLowerCase());
    return entry < 0 ? 0 : this.table.lower[entry];
  }

  capitalisedCount(word: string): number {
    const entry = this.table.find(word);
    return entry < 0 ? 0 : this.table.capMid[entry];
  }

  /** A capitalised word at a sentence start is an ordinary word when it is mostly written in lower case. */
  isCommonWord(word: string): boolean {
    return this.lowerCount(word) > this.capitalisedCount(word);
  }
}

/** The case counts with their hash table: words joined by NUL, where each starts (plus the end), counts, hashes, slots. */
export interface CaseTable {
  words: string;
  lower: Int32Array;
  capMid: Int32Array;
  hashes: Int32Array;
  slots: Int32Array;
  starts: Int32Array;
}

function isLowerLetter(char: string): boolean {
  return char === char.toLowerCase() && char !== char.toUpperCase();
}
