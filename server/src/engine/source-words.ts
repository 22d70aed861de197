/**
 * The words the sources write in lower case ("water", "bills"), as a corpus
 * product of its own. `claim/unsourced` asks them in every check, to tell a
 * sentence's capitalised first word from a name ("Water bills rose …" vs
 * "Lavrov said …"). The quotation index can answer, but a warm run would then
 * restore that index (a 12.5 MB section for the 2,095 BBC articles) for every
 * check, even one whose quotations are all kept answers. The list alone is a
 * small section, so a warm check reads it instead.
 *
 * The section is stamped with the corpus's fingerprint (the sources' ids, uris
 * and content keys: the stamp the kept answers carry, computed once per state
 * of the corpus for all of them): it answers only for exactly those sources,
 * and otherwise the quotation index answers, word by word, as before.
 */
import type { CacheProduct } from './index-cache';
import type { SourceIndex } from './quotes';
import type { Source } from './types';
import { detach } from './text';

export const SOURCE_WORDS_SECTION = 'source-words';
/** Bumped when the section's layout changes (a change to the tokenizer comes with a new build id, which the section carries). */
const SOURCE_WORDS_FORMAT = 1;

/** Whether the sources write a word exactly so; every word not starting in lower case is answered false. */
export interface SourceWords {
  has(word: string): boolean;
}

/** What the words are made from: the corpus's sources, its generation and its quotation index. */
export interface WordsCorpus {
  readonly generation: number;
  sources(): ReadonlyMap<string, Source>;
  /** The sources' fingerprint (corpus-memo.ts corpusFingerprint), which stamps the section. */
  fingerprint(): string;
  searchIndex(): SourceIndex;
}

const LOWER_CASE_START = /^\p{Ll}/u;

/** Whether a word starts with a lower-case letter (ASCII answered without the regular expression). */
export function startsLowerCase(word: string): boolean {
  const c = word.charCodeAt(0);
  return c < 0x80 ? c >= 0x61 && c <= 0x7a : LOWER_CASE_START.test(word);
}

interface WordList {
  /** The fingerprint of the sources the list was made from. */
  sources: string;
  /** The words, sorted by code unit, one per line. */
  joined: string;
  /** `joined` split, when first searched. */
  sorted?: string[];
}

export class LowerCaseSourceWords {
  /** The list from the cache or the last export. */
  private list: WordList | undefined;
  private current: { generation: number; sourcesKey: string; words: SourceWords } | undefined;

  constructor(
    private readonly corpus: WordsCorpus,
    /** The running code's hash, if the embedder has one: it stamps the section (the tokenizer decides what a word is). */
    private readonly buildId?: string,
  ) {}

  /** The words for the current sources, one object per corpus generation (its identity says the sources changed). */
  words(): SourceWords {
    return this.forGeneration().words;
  }

  readonly cacheProduct: CacheProduct = this.makeCacheProduct();

  private forGeneration(): { sourcesKey: string; words: SourceWords } {
    const generation = this.corpus.generation;
    if (this.current?.generation === generation) return this.current;
    const sourcesKey = this.corpus.fingerprint();
    const list = this.list?.sources === sourcesKey ? this.list : undefined;
    const words = list ? listedWords(list) : indexedWords(this.corpus);
    this.current = { generation, sourcesKey, words };
    return this.current;
  }

  private makeCacheProduct(): CacheProduct {
    const self = this;
    return {
      section: SOURCE_WORDS_SECTION,
      exportSection() {
        const { sourcesKey } = self.forGeneration();
        const words = self.corpus.searchIndex().wordsWritten(startsLowerCase).sort();
        self.list = { sources: sourcesKey, joined: words.join('\n'), sorted: words };
        return new TextEncoder().encode(JSON.stringify({ format: SOURCE_WORDS_FORMAT, build: self.buildId ?? null, sources: sourcesKey, words: self.list.joined }));
      },
      importSection(bytes) {
        const list = parseList(bytes, self.buildId);
        if (!list) return 0;
        self.list = list;
        self.current = undefined;
        return 1;
      },
      get dirty() {
        return self.list?.sources !== self.forGeneration().sourcesKey;
      },
    };
  }
}

/** Answers from a list: a binary search over the sorted words. */
function listedWords(list: WordList): SourceWords {
  return {
    has(word) {
      if (!startsLowerCase(word)) return false;
      const sorted = (list.sorted ??= list.joined === '' ? [] : list.joined.split('\n'));
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid] < word) lo = mid + 1;
        else hi = mid;
      }
      return lo < sorted.length && sorted[lo] === word;
    },
  };
}

/** Answers from the quotation index, each word's kept once asked: only a piece's name candidates ever are. */
function indexedWords(corpus: WordsCorpus): SourceWords {
  const answers = new Map<string, boolean>();
  let index: SourceIndex | undefined;
  return {
    has(word) {
      let answer = answers.get(word);
      if (answer === undefined) {
        answer = startsLowerCase(word) && (index ??= corpus.searchIndex()).containsWord(word);
        // Kept past this check: a copy, not a view into the piece it was sliced from.
        answers.set(detach(word), answer);
      }
      return answer;
    },
  };
}

/** The list in a section's bytes; undefined when they are damaged or from another format or build. */
function parseList(bytes: Uint8Array, buildId: string | undefined): WordList | undefined {
  try {
    const data = JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown; build?: unknown; sources?: unknown; words?: unknown };
    if (data.format !== SOURCE_WORDS_FORMAT || data.build !== (buildId ?? null)) return undefined;
    if (typeof data.sources !== 'string' || typeof data.words !== 'string') return undefined;
    return { sources: data.sources, joined: data.words };
  } catch {
    return undefined;
  }
}
