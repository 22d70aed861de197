/**
 * Which capitalised words are names? A word the piece itself capitalises in
 * the middle of a sentence ("… said Lavrov", "the EAEU") is taken for a
 * name, so a sentence that *starts* with it ("Lavrov dismissed …") is known
 * to start with a name rather than an ordinary capitalised first word.
 */
import { commonEnds, detach } from '../text';
import { upperBound } from '../sorted';
import { contentKeyOf } from '../index-cache';
import { PersistedMemo } from '../corpus-memo';
import { KeptTextState } from '../kept-text-state';

/** Capitalised words that are not names even mid-sentence. */
const NOT_NAMES = new Set(
  'I The A An This That These Those It He She They We You His Her Its Their Our In On At Of For To By With From And But Or If As Mr Mrs Ms Dr Sir'.split(' '),
);

/**
 * Names learnt from `text` (a masked piece): capitalised words that follow a
 * lower-case word, digit or comma, unless the piece also writes them in lower
 * case ("Valley Water" makes "Valley" a name but not "Water": the piece talks
 * about water too).
 *
 * Made from the previous call's answer when `text` is an edit of its text:
 * only the paragraphs around the edit are read again (`relearn`). The set is
 * a new object whenever its members change, and the same object otherwise.
 */
export function learnNames(text: string, kept?: PersistedMemo<Words>, learnt?: { store: KeptLearnt; earlierText?: () => string }): Set<string> {
  let previous = lastLearnt;
  if (previous?.text !== text) {
    if (learnt) {
      // What the last CLI run kept: learnt from this very text (the piece did not change), or from the text of the parse
      // this one was made from, relearnt as the server relearns from the version before.
      let restored = learnt.store.restore(text);
      const earlier = restored ? undefined : learnt.earlierText?.();
      if (earlier !== undefined && previous?.text !== earlier) restored = learnt.store.restore(earlier);
      if (restored) previous = restored;
    }
    lastLearnt = previous?.text === text ? previous : ((previous && relearn(previous, text)) ?? learnAfresh(text, kept));
  }
  learnt?.store.use(lastLearnt!);
  return lastLearnt!.names;
}

/** `learnNames` by definition, every paragraph read (tests compare the two). */
export function learnNamesWhole(text: string): Set<string> {
  return learnAfresh(text).names;
}

type Words = { candidates: string[]; lowerCase: string[] };
/** A paragraph's name candidates and lower-case words. */
export type ParagraphWords = Words;

/** Section of the checks cache with the words of each paragraph a run read. */
export const PARAGRAPH_WORDS_SECTION = 'paragraph-words';

/**
 * Paragraphs' words kept from one run to the next (a CLI run over a piece
 * changed in one line reads that paragraph only), each word once: only
 * whether a word occurs anywhere decides the names, and the counts stay
 * right because a paragraph's words are taken away as the object they were
 * added as. Keyed by a hash of the paragraph with its context.
 */
export function paragraphWordsMemo(buildId?: string): PersistedMemo<Words> {
  return new PersistedMemo<Words>(PARAGRAPH_WORDS_SECTION, isWords, buildId);
}

function isWords(value: unknown): value is Words {
  const words = value as Partial<Words> | null;
  const strings = (list: unknown) => Array.isArray(list) && list.every((word) => typeof word === 'string');
  return strings(words?.candidates) && strings(words?.lowerCase);
}

/** What `learnNames` learnt from one text: its paragraphs' words, and how many paragraphs hold each word. */
interface Learnt {
  text: string;
  /** Where each paragraph starts, in order (the first at 0). */
  starts: number[];
  words: Words[];
  candidates: Map<string, number>;
  lowerCase: Map<string, number>;
  names: Set<string>;
}

let lastLearnt: Learnt | undefined;

/** Paragraphs whose words were taken in this process, afresh or again after an edit (tests: what does a kept state save?). */
export const namesWork = { paragraphsRead: 0 };

function learnAfresh(text: string, kept?: PersistedMemo<Words>): Learnt {
  const learnt: Learnt = { text, starts: [], words: [], candidates: new Map(), lowerCase: new Map(), names: new Set() };
  // Paragraph by paragraph (cut after blank lines, where no word runs on), each read once per text it ever has.
  for (let from = 0; from < text.length; ) {
    const to = paragraphEnd(text, from);
    namesWork.paragraphsRead++;
    const words = kept ? keptSegmentWords(text, from, to, kept) : segmentWords(text, from, to);
    learnt.starts.push(from);
    learnt.words.push(words);
    count(learnt, words, 1);
    from = to;
  }
  learnt.names = namesOf(learnt);
  return learnt;
}

function count(learnt: Learnt, words: Words, by: 1 | -1): boolean {
  let crossed = false;
  for (const word of words.candidates) crossed = bump(learnt.candidates, word, by) || crossed;
  for (const word of words.lowerCase) crossed = bump(learnt.lowerCase, word, by) || crossed;
  return crossed;
}

/** Adds `by` to a word's count; true when the word came in or went out. */
function bump(counts: Map<string, number>, word: string, by: 1 | -1): boolean {
  const now = (counts.get(word) ?? 0) + by;
  if (now === 0) counts.delete(word);
  else counts.set(word, now);
  return now === 0 || (by === 1 && now === 1);
}

function namesOf(learnt: Learnt): Set<string> {
  const names = new Set<string>();
  for (const word of learnt.candidates.keys()) if (isAcronym(word) || !learnt.lowerCase.has(word.toLowerCase())) names.add(word);
  return names;
}

/**
 * `learnt` brought to `text`: the paragraphs from the one the edit starts in
 * are read again until a paragraph start of the old text comes back (moved
 * by the edit's length) past the edit and the context its words are read
 * with; the rest are taken as they were. Undefined when the edit is most of
 * the text (another piece): reading it afresh is as quick.
 */
function relearn(learnt: Learnt, text: string): Learnt | undefined {
  const old = learnt.text;
  const { head, tail } = commonEnds(old, text);
  const oldEnd = old.length - tail;
  if (oldEnd - head > old.length / 2 || text.length - tail - head > text.length / 2) return undefined;
  const delta = text.length - old.length;
  const { starts } = learnt;
  // The first paragraph whose text, or whose end, the edit may change: the last one starting at or before `head`.
  let first = upperBound(starts, head) - 1;
  if (first < 0) first = 0;
  const next: Learnt = { text, starts: starts.slice(0, first), words: learnt.words.slice(0, first), candidates: learnt.candidates, lowerCase: learnt.lowerCase, names: learnt.names };
  // Counts are updated in place: the previous answer is not used again, only its names set (kept as it was).
  let crossed = false;
  let resume = starts.length;
  let from = starts[first] ?? 0;
  // Old paragraphs from `first` on are taken back once the reading reaches one of them, moved, that lies wholly past the edit.
  let k = first;
  while (from < text.length) {
    while (k < starts.length && starts[k] + delta < from) k++;
    if (k < starts.length && starts[k] + delta === from && starts[k] - CONTEXT >= oldEnd) {
      resume = k;
      break;
    }
    const to = paragraphEnd(text, from);
    namesWork.paragraphsRead++;
    const words = segmentWords(text, from, to);
    next.starts.push(from);
    next.words.push(words);
    crossed = count(next, words, 1) || crossed;
    from = to;
  }
  for (let i = first; i < resume; i++) crossed = count(next, learnt.words[i], -1) || crossed;
  for (let i = resume; i < starts.length; i++) {
    next.starts.push(starts[i] + delta);
    next.words.push(learnt.words[i]);
  }
  if (crossed) {
    // A word came in or went out: the names may have changed (a new lower-case word need not change any).
    const names = namesOf(next);
    if (names.size !== next.names.size || [...names].some((name) => !next.names.has(name))) next.names = names;
  }
  return next;
}

/**
 * Reads, as `learnNames(text)` will, the paragraphs that start in
 * `text[from, to)`: a caller spreads the first reading of a long text over
 * several steps, and `learnNames` then finds every paragraph read.
 */
export function readNamesIn(text: string, from: number, to: number): void {
  for (let start = 0; start < text.length && start < to; ) {
    const end = paragraphEnd(text, start);
    if (start >= from) segmentWords(text, start, end);
    start = end;
  }
}

/** Where the paragraph that starts at `from` ends: after the next blank line, or at the end of the text. */
function paragraphEnd(text: string, from: number): number {
  const blank = text.indexOf('\n\n', from);
  return blank < 0 ? text.length : blank + 2;
}

/** Candidates are read with up to five code units before them (an astral letter and three spaces). */
const CONTEXT = 6;

/** Candidates and lower-case words of each segment with its context, across texts. Bounded; cleared when full. */
const segmentCache = new Map<string, Words>();
const MAX_CACHED_SEGMENTS = 50_000;

/** Name candidates and lower-case words that start in `text[from, to)`. */
function segmentWords(text: string, from: number, to: number): Words {
  const context = Math.max(0, from - CONTEXT);
  const key = text.slice(context, to);
  const skip = from - context;
  // The context length is part of the key: the same characters with less context are another question.
  const cacheKey = skip + ':' + key;
  let words = segmentCache.get(cacheKey);
  if (words) return words;
  // Kept across edits: words taken from a copy do not hold this version of the piece alive.
  words = scanWords(detach(key), skip);
  if (segmentCache.size >= MAX_CACHED_SEGMENTS) segmentCache.clear();
  // The key too: it is made from a view into the piece, which the Map would keep (once every paragraph was looked up
  // again at each check, and comparing keys flattened them; only edited paragraphs are now).
  segmentCache.set(detach(cacheKey), words);
  return words;
}

/** `segmentWords`, each word once, from `kept` when an earlier run read the same paragraph with the same context. */
function keptSegmentWords(text: string, from: number, to: number, kept: PersistedMemo<Words>): Words {
  const context = Math.max(0, from - CONTEXT);
  const key = `${from - context}:${contentKeyOf(text, context, to)}`;
  return kept.get(key, () => {
    const words = segmentWords(text, from, to);
    return { candidates: [...new Set(words.candidates)], lowerCase: [...new Set(words.lowerCase)] };
  });
}

/**
 * The name candidates and lower-case words of `text` that start at or after
 * `skip`, in one pass over its code points (the two regular expressions this
 * replaces, with Unicode classes and look-behinds, took ~0.6 s on a 2 MB piece):
 * - a candidate is an upper-case letter after one to three spaces, tabs or
 *   line breaks that follow a lower-case letter, digit, ",", ";" or ")", then
 *   letters and marks, then optionally an apostrophe and letters ("O'Neill",
 *   "Lavrov's", whose "'s" is dropped);
 * - a lower-case word is a lower-case letter with no letter or digit before
 *   it, then lower-case letters and marks.
 * `test/engine/claim-names.test.ts` holds both expressions and checks that the
 * scan finds what they find.
 */
export function scanWords(text: string, skip = 0): { candidates: string[]; lowerCase: string[] } {
  // Two passes, as the two expressions were: a word of one kind may start inside a word of the other ("s" in "Lavrov's").
  return { candidates: candidateWords(text, skip), lowerCase: lowerCaseWords(text, skip) };
}

function candidateWords(text: string, skip: number): string[] {
  const words: string[] = [];
  for (let at = 0; at < text.length; ) {
    const cp = text.codePointAt(at)!;
    const width = cp > 0xffff ? 2 : 1;
    if (classOf(cp) !== UPPER || !followsCandidateContext(text, at)) {
      at += width;
      continue;
    }
    let end = runEnd(text, at + width, LETTER_ANY | MARK);
    const quote = text.charCodeAt(end);
    if ((quote === 0x27 || quote === 0x2019) && end + 1 < text.length && classOf(text.codePointAt(end + 1)!) & LETTER_ANY) end = runEnd(text, end + 1, LETTER_ANY);
    // A word that starts in the context is passed over whole, as the expression's search did.
    if (at >= skip) {
      const word = text.slice(at, end).replace(/['\u2019]s$/, '');
      if (!NOT_NAMES.has(word)) words.push(word);
    }
    at = end;
  }
  return words;
}

function lowerCaseWords(text: string, skip: number): string[] {
  const words: string[] = [];
  for (let at = 0; at < text.length; ) {
    const cp = text.codePointAt(at)!;
    const width = cp > 0xffff ? 2 : 1;
    if (classOf(cp) !== LOWER || (at > 0 && classOf(codePointBefore(text, at)) & (LETTER_ANY | DIGIT))) {
      at += width;
      continue;
    }
    const end = runEnd(text, at + width, LOWER | MARK);
    if (at >= skip) words.push(text.slice(at, end));
    at = end;
  }
  return words;
}

/** After one to three of " \t\n", and before them a lower-case letter, a digit, ",", ";" or ")". */
function followsCandidateContext(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && at - start < 4 && isCandidateSpace(text.charCodeAt(start - 1))) start--;
  const spaces = at - start;
  if (spaces < 1 || spaces > 3 || start === 0) return false;
  const previous = text.charCodeAt(start - 1);
  if (previous === 0x2c || previous === 0x3b || previous === 0x29) return true;
  return (classOf(codePointBefore(text, start)) & (LOWER | DIGIT)) !== 0;
}

function isCandidateSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a;
}

/** Where the run of code points of the classes in `mask` that starts at `at` ends. */
function runEnd(text: string, at: number, mask: number): number {
  while (at < text.length) {
    const cp = text.codePointAt(at)!;
    if (!(classOf(cp) & mask)) break;
    at += cp > 0xffff ? 2 : 1;
  }
  return at;
}

/** The code point that ends just before `at` (a surrogate pair read whole, as a `u` regular expression does). */
function codePointBefore(text: string, at: number): number {
  const low = text.charCodeAt(at - 1);
  if (low >= 0xdc00 && low <= 0xdfff && at >= 2) {
    const high = text.charCodeAt(at - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

const NONE = 0;
const LOWER = 1; // \p{Ll}
const UPPER = 2; // \p{Lu}
const OTHER_LETTER = 4; // the rest of \p{L} (Lt, Lm, Lo)
const DIGIT = 8; // \p{N}
const MARK = 16; // \p{M}
const LETTER_ANY = LOWER | UPPER | OTHER_LETTER;

const IS_LOWER = /\p{Ll}/u;
const IS_UPPER = /\p{Lu}/u;
const IS_LETTER = /\p{L}/u;
const IS_NUMBER = /\p{N}/u;
const IS_MARK = /\p{M}/u;
/** Classes of the code points above ASCII met so far (a piece uses few of them). */
const wideClasses = new Map<number, number>();

/** The Unicode general category class of a code point, as the regular expressions' classes read it. */
function classOf(cp: number): number {
  if (cp < 0x80) {
    if (cp >= 0x61 && cp <= 0x7a) return LOWER;
    if (cp >= 0x41 && cp <= 0x5a) return UPPER;
    if (cp >= 0x30 && cp <= 0x39) return DIGIT;
    return NONE;
  }
  let kind = wideClasses.get(cp);
  if (kind === undefined) {
    const ch = String.fromCodePoint(cp);
    kind = IS_LOWER.test(ch) ? LOWER : IS_UPPER.test(ch) ? UPPER : IS_LETTER.test(ch) ? OTHER_LETTER : IS_NUMBER.test(ch) ? DIGIT : IS_MARK.test(ch) ? MARK : NONE;
    wideClasses.set(cp, kind);
  }
  return kind;
}

/** A capital and then only capitals or digits. (A constant: the bundler turns a `\p{…}` literal in a function into a RegExp made per call.) */
const ACRONYM = /^\p{Lu}[\p{Lu}\p{N}]+$/u;

/** An acronym ("EAEU", "BBC", "G20"). */
export function isAcronym(word: string): boolean {
  return ACRONYM.test(word);
}

/** A name known from the piece, or an acronym ("EAEU", "BBC"). */
export function isKnownName(names: ReadonlySet<string>, word: string): boolean {
  return names.has(word) || isAcronym(word);
}

/** Section of the checks cache with what names were learnt from, for the text a run checked last. */
export const LEARNT_NAMES_SECTION = 'learnt-names';

/** What names were learnt from, as kept: each paragraph's start and words, the counts, the names. */
interface KeptLearntState {
  starts: number[];
  words: Words[];
  candidates: [string, number][];
  lowerCase: [string, number][];
  names: string[];
}

/**
 * What `learnNames` learnt from the last text a check asked about, kept from
 * one CLI run to the next (kept-text-state.ts): a run that starts from the
 * last run's parse relearns only the paragraphs its edit touched, instead of
 * taking every paragraph's words from the cache and counting them again
 * (~0.2 s of the 2 MB bench piece's sources half).
 */
export class KeptLearnt extends KeptTextState<KeptLearntState, Learnt> {
  constructor(hash: (text: string) => string) {
    super(LEARNT_NAMES_SECTION, 1, hash);
  }

  protected isState(value: Partial<KeptLearntState> | null): value is KeptLearntState {
    const counts = (list: unknown) => Array.isArray(list) && list.every((entry) => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && Number.isInteger(entry[1]) && entry[1] > 0);
    const starts = value?.starts;
    return (
      Array.isArray(starts) &&
      Array.isArray(value!.words) &&
      starts.length === value!.words.length &&
      // Paragraph starts, in order from 0: `relearn` searches them by bisection.
      starts.every((start, i) => Number.isInteger(start) && (i === 0 ? start === 0 : start > starts[i - 1])) &&
      value!.words.every(isWords) &&
      counts(value!.candidates) &&
      counts(value!.lowerCase) &&
      Array.isArray(value!.names) &&
      value!.names.every((name) => typeof name === 'string')
    );
  }

  protected toLive(text: string, state: KeptLearntState): Learnt {
    return { text, starts: state.starts, words: state.words, candidates: new Map(state.candidates), lowerCase: new Map(state.lowerCase), names: new Set(state.names) };
  }

  protected fromLive(learnt: Learnt): KeptLearntState {
    return { starts: learnt.starts, words: learnt.words, candidates: [...learnt.candidates], lowerCase: [...learnt.lowerCase], names: [...learnt.names] };
  }

  /** A learnt state is never changed once made (`relearn` makes another). */
  protected version(): number {
    return 0;
  }
}
