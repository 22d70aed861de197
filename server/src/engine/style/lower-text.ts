/**
 * The masked text's lower case for `style/acronym-first-use` (an expansion
 * written before an acronym's first use), searched once per needle and
 * carried over across edits: in the server from the version checked before,
 * in the CLI from the text the last run checked, whose occurrences it keeps
 * in the piece's checks file (`KeptLowerText`). The 2 MB bench piece's 88
 * needles took ~130–200 ms to search afresh in each warm CLI run.
 */
import { commonEnds } from '../text';
import { upperBound } from '../sorted';
import { KeptTextState } from '../kept-text-state';

/**
 * The masked text's lower case, answering `lastIndexOf` from each needle's
 * sorted occurrences, which are carried over from the previous text across an
 * edit: those in the unchanged head are kept, those in the unchanged tail
 * shifted, and only a window around the edited middle is lower-cased and
 * searched again. Each first use of a long piece's acronyms otherwise scanned
 * back over the whole text, and the whole text was lower-cased, per check.
 */
export class LowerText {
  private readonly occurrences = new Map<string, number[]>();
  private lowerCased: string | undefined;
  /** Whether the text has a character whose lower case depends on more than itself. */
  readonly contextCased: boolean;

  constructor(readonly text: string) {
    this.contextCased = CONTEXT_CASED.test(text);
  }

  /** Each needle asked for so far with its occurrences, sorted (what `KeptLowerText` keeps). */
  get asked(): ReadonlyMap<string, readonly number[]> {
    return this.occurrences;
  }

  /** This text's lower case with the occurrences another run found in it: its needles are not searched again. */
  static withOccurrences(text: string, occurrences: ReadonlyMap<string, readonly number[]>): LowerText {
    const lower = new LowerText(text);
    for (const [needle, starts] of occurrences) lower.occurrences.set(needle, [...starts]);
    return lower;
  }

  /** The whole text lower-cased: made only for a needle not seen before (the carried occurrences need none). */
  get lower(): string {
    return (this.lowerCased ??= this.text.toLowerCase());
  }

  /** Exactly `this.lower.lastIndexOf(needle, at)`. */
  lastIndexOf(needle: string, at: number): number {
    if (needle.length === 0) return Math.max(0, Math.min(at, this.text.length));
    let starts = this.occurrences.get(needle);
    if (!starts) {
      lowerTextWork.searches++;
      const lower = this.lower;
      starts = [];
      for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + 1)) starts.push(i);
      if (this.occurrences.size >= MAX_NEEDLES) this.occurrences.clear();
      this.occurrences.set(needle, starts);
    }
    const before = upperBound(starts, at);
    return before > 0 ? starts[before - 1] : -1;
  }

  /**
   * The same for `text`, which differs from this one's text in [head, text.length - tail) only.
   * Neither text may be context-cased: then lower-casing goes character by character and keeps
   * the length, so a slice lower-cased (not cutting a surrogate pair) is that slice of the whole lower-cased.
   */
  edited(text: string, head: number, tail: number): LowerText {
    const middleEnd = text.length - tail;
    const next = new LowerText(text);
    const shift = text.length - this.text.length;
    const oldTail = this.text.length - tail;
    for (const [needle, starts] of this.occurrences) {
      const m = needle.length;
      const moved: number[] = [];
      // Wholly in the head: unchanged.
      for (const start of starts) if (start + m <= head) moved.push(start);
      // Touching the middle: searched again in the window where such a match can lie.
      let from = Math.max(0, head - m + 1);
      let to = Math.min(text.length, middleEnd - 1 + m);
      if (from > 0 && isLowSurrogate(text.charCodeAt(from)) && isHighSurrogate(text.charCodeAt(from - 1))) from--;
      if (to < text.length && isHighSurrogate(text.charCodeAt(to - 1)) && isLowSurrogate(text.charCodeAt(to))) to++;
      const window = text.slice(from, to).toLowerCase();
      for (let i = window.indexOf(needle); i >= 0 && from + i < middleEnd; i = window.indexOf(needle, i + 1)) moved.push(from + i);
      // Wholly in the tail: shifted.
      for (const start of starts) if (start >= oldTail) moved.push(start + shift);
      next.occurrences.set(needle, moved);
    }
    return next;
  }
}

const MAX_NEEDLES = 10_000;
/** Needles searched for over a whole text in this process (tests: are kept occurrences used?). */
export const lowerTextWork = { searches: 0 };
/** Lower-casing changes the length (İ) or depends on the neighbours (Σ) only for these: a text with them is lower-cased whole. */
const CONTEXT_CASED = /[\u0130\u03a3]/;
let lastLower: LowerText | undefined;

/**
 * The lower case of `text`, carried over from the last text asked for when
 * `text` is an edit of it. With `kept`, the occurrences the last CLI run kept
 * are taken when they were found in `text` itself (the piece did not change)
 * or in `kept.earlierText`, the text of the parse this one was made from.
 */
export function lowerTextOf(text: string, kept?: { store: KeptLowerText; earlierText?: string }): LowerText {
  if (kept && lastLower?.text !== text) {
    const earlier = kept.earlierText;
    const restored = kept.store.restore(text) ?? (earlier !== undefined && lastLower?.text !== earlier ? kept.store.restore(earlier) : undefined);
    if (restored) lastLower = restored;
  }
  const previous = lastLower;
  if (previous?.text === text) return previous;
  let next: LowerText | undefined;
  if (previous && !previous.contextCased && !CONTEXT_CASED.test(text)) {
    const old = previous.text;
    let { head, tail } = commonEnds(old, text);
    // Never cut a surrogate pair: it is lower-cased as one character.
    if (head > 0 && isHighSurrogate(text.charCodeAt(head - 1))) head--;
    if (tail > 0 && isLowSurrogate(text.charCodeAt(text.length - tail))) tail--;
    // A small edit reuses the rest; a different text (another piece) starts afresh.
    if (text.length - head - tail < text.length / 2) next = previous.edited(text, head, tail);
  }
  next ??= new LowerText(text);
  lastLower = next;
  return next;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}


/** Section of the checks cache with the occurrences of the needles asked for in the piece's masked text. */
export const LOWER_TEXT_SECTION = 'lower-text';

/** The needles asked for in a text, each with its occurrences in order. */
interface KeptOccurrences {
  needles: string[];
  starts: number[][];
}

/** The occurrences found in the text a check asked about last, kept from one CLI run to the next (kept-text-state.ts). */
export class KeptLowerText extends KeptTextState<KeptOccurrences, LowerText> {
  constructor(hash: (text: string) => string) {
    super(LOWER_TEXT_SECTION, 1, hash);
  }

  protected isState(value: Partial<KeptOccurrences> | null): value is KeptOccurrences {
    return (
      Array.isArray(value?.needles) &&
      Array.isArray(value.starts) &&
      value.needles.length === value.starts.length &&
      value.needles.every((needle) => typeof needle === 'string' && needle.length > 0) &&
      // Sorted offsets: `lastIndexOf` searches them by bisection.
      value.starts.every((starts) => Array.isArray(starts) && starts.every((start, i) => Number.isInteger(start) && start >= 0 && (i === 0 || start > starts[i - 1])))
    );
  }

  protected toLive(text: string, state: KeptOccurrences): LowerText {
    return LowerText.withOccurrences(text, new Map(state.needles.map((needle, i) => [needle, state.starts[i]])));
  }

  protected fromLive(lower: LowerText): KeptOccurrences {
    return { needles: [...lower.asked.keys()], starts: [...lower.asked.values()].map((starts) => [...starts]) };
  }

  protected version(lower: LowerText): number {
    return lower.asked.size;
  }
}
