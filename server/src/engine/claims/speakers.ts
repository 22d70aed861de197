/**
 * Who said a quoted passage? Learnt from the wording around quotation marks,
 * the same way in a source article and in the piece:
 *
 * - `X said: "…"`, `X told the BBC: "…"`, `X said the result was "…"`
 *   (the subject of the last reporting verb before the quotation, in its sentence);
 * - `"…," X said.`, `"…," said X.` (a reporting clause right after it);
 * - `"…" he added` / `She said: "…"`: a pronoun is the last named speaker before it;
 * - a quotation with no attribution of its own that follows another quotation
 *   in the same paragraph continues that speaker.
 *
 * A speaker is a person's name ("Mr Abbas", "British foreign minister Jack
 * Straw" → "Jack Straw"); an anonymous subject ("a spokesman for Mr Blair",
 * "officials") is not a name and resolves to nothing, so it is never used to
 * call an attribution wrong. Names compare by surname ("Mr Straw" = "Jack Straw").
 */
import type { Source, Span } from '../types';
import { splitParagraphs, splitSentences } from '../sentences';

export interface Speaker {
  /** The name as written ("Mr Abbas", "Jack Straw"). */
  name: string;
  /** Comparison key: the surname, lower case. */
  key: string;
  /** Where the name (or the pronoun that stands for it) is written. */
  span: Span;
  /** Written as a pronoun and resolved to the last named speaker. */
  pronoun: boolean;
}

export interface QuotedPassage {
  /** Inside the quotation marks. */
  content: Span;
  /** Including the marks. */
  span: Span;
  speaker?: Speaker;
}

const VERBS =
  'said|says|added|adds|told|tells|argued|argues|warned|warns|claimed|claims|stated|announced|insisted|insists|admitted|denied|confirmed|noted|stressed|' +
  'acknowledged|urged|explained|declared|wrote|writes|asked|replied|continued|concluded|promised|pledged|vowed|predicted|conceded|suggested|maintained|' +
  'commented|remarked|recalled|observed|responded|answered|joked|cautioned|dismissed|rejected|criticised|criticized|accused|described|called|branded|dubbed|likened|' +
  'saying|adding|insisting|warning|arguing|telling|writing';
/** ", the board's chair," / ", who chairs the board,": an apposition after a name starts in lower case. */
const APPOSITION = '(?:,\\s+\\p{Ll}[^,"“”.]{0,80},)';
const TITLE = '(?:(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Prof|Professor|Gen|General|President|Chancellor)\\.?\\s+)';
const NAME_WORD = "\\p{Lu}[\\p{L}\\p{M}'’-]*";
const NAME = `(?:${TITLE}?${NAME_WORD}(?:\\s+(?:(?:de|van|von|der|bin|al|di|da|du|le|la)\\s+)?${NAME_WORD}){0,3})`;
const PRONOUN = '(?:he|she|He|She)';
/** What may stand between a speaker and the verb: "has", "earlier", "on Sunday", "repeatedly". */
const ADVERBS = '(?:(?:has|had|also|then|later|earlier|previously|recently|once|again|today|yesterday|\\p{Ll}+ly|on\\s+\\p{Lu}\\p{Ll}+day)\\s+){0,2}';

/**
 * The reporting-clause patterns, compiled when first asked for: compiling
 * their Unicode classes at load cost every thread ~5 ms of its start (the
 * CLI's two threads on every run), and a warm run that finds each
 * quotation's answer kept never attributes one.
 */
interface SpeakerPatterns {
  /** `"…," said X` / `"…," X said` / `"…" he added` right after a closing mark. */
  after: RegExp;
  /** `…, Mr Abbas added.` / `…, said Mr Straw.` at the end of a sentence. */
  tail: RegExp;
  /** Reporting verbs and the words before them, to read the subject backwards. */
  verbAt: RegExp;
  subjectBefore: RegExp;
  /** "according to Mr Straw" (the last one before the quotation); "according to officials" names no one. */
  accordingTo: RegExp;
  /** A name (and its apposition) that ends the words before a verb. */
  nameTail: RegExp;
  /** A name right after a verb: "said Mr Straw". */
  nameAfter: RegExp;
  /** A title that starts a name: "Mr ", "President ". */
  leadingTitle: RegExp;
}

let compiledPatterns: SpeakerPatterns | undefined;

function patterns(): SpeakerPatterns {
  return (compiledPatterns ??= {
    after: new RegExp(`^[,;]?\\s*(?:[-–—]\\s*)?(?:(?:${VERBS})\\s+(?<after1>${NAME}|${PRONOUN})\\b|(?<after2>${NAME}|${PRONOUN})${APPOSITION}?\\s+${ADVERBS}(?:${VERBS})\\b)`, 'u'),
    tail: new RegExp(`,\\s*(?:(?<tail1>${NAME}|${PRONOUN})\\s+(?:${VERBS})|(?:${VERBS})\\s+(?<tail2>${NAME}))\\s*[.!?]?["'”’]?$`, 'u'),
    verbAt: new RegExp(`\\b(?:${VERBS})\\b`, 'gu'),
    subjectBefore: new RegExp(`(?:^|[\\s(])(?<subject>${NAME}|${PRONOUN})(?:${APPOSITION}|,)?\\s+${ADVERBS}$`, 'u'),
    accordingTo: new RegExp(`\\b[Aa]ccording to (?<who>${NAME}|${PRONOUN}|\\p{Ll}[\\p{L}-]*)`, 'gu'),
    nameTail: new RegExp(`${NAME}(?:${APPOSITION}|,)?\\s+${ADVERBS}$`, 'u'),
    nameAfter: new RegExp(`^\\s+(${NAME})`, 'u'),
    leadingTitle: new RegExp(`^${TITLE}`, 'u'),
  });
}

/** Lower-case words that make a subject anonymous ("a spokesman for Mr Blair"). */
const ANONYMOUS_HEAD = /\b(?:spokes(?:man|woman|person)|aide|officials?|sources?|friends?|allies|critics|colleagues?|members?|representatives?|lawyers?|staff|workers|campaigners)\s+(?:for|of|to|close to|at)\s+$/;
const NOT_NAME = new Set(['The', 'A', 'An', 'This', 'That', 'It', 'But', 'And', 'In', 'On', 'At', 'However', 'Meanwhile', 'Speaking', 'Asked', 'He', 'She', 'They', 'We', 'I']);

/** Surname key of a name: its last word, possessive dropped, lower case. */
export function speakerKey(name: string): string {
  const words = name.replace(/['’]s$/, '').split(/\s+/);
  return (words[words.length - 1] ?? '').toLowerCase();
}

/** Trims role words and sentence openers off the front of a matched name ("Speaking Mr Abbas" → "Mr Abbas"). */
function cleanName(raw: string): string | undefined {
  const words = raw.trim().split(/\s+/);
  while (words.length > 1 && NOT_NAME.has(words[0])) words.shift();
  if (words.length === 1 && NOT_NAME.has(words[0])) return undefined;
  return words.join(' ');
}

/** A quotation whose speaker is written but is not a name ("a spokesman said"): nobody to compare with. */
export const ANONYMOUS = 'anonymous';

/**
 * The speaker of a quotation at `quote` (marks included) whose sentence is
 * `sentence`, in `text`; `lastNamed` resolves pronouns. `ANONYMOUS` when the
 * quotation is attributed to someone unnamed, undefined when it is not attributed.
 */
export function attributionOf(text: string, quote: Span, sentence: Span, lastNamed: (before: number) => Speaker | undefined): Speaker | typeof ANONYMOUS | undefined {
  const { after: afterQuote, tail: tailClause, accordingTo, verbAt, nameTail, subjectBefore } = patterns();
  const after = afterQuote.exec(text.slice(quote.end, Math.min(sentence.end, quote.end + 160)));
  if (after?.groups) {
    const raw = after.groups.after1 ?? after.groups.after2;
    if (raw) {
      const at = quote.end + after.index + after[0].indexOf(raw);
      return speakerFrom(raw, { start: at, end: at + raw.length }, lastNamed);
    }
  }
  // A reporting clause that ends the sentence: "… to end the violence, Mr Abbas added."
  const tail = tailClause.exec(text.slice(quote.end, sentence.end));
  if (tail?.groups) {
    const raw = tail.groups.tail1 ?? tail.groups.tail2;
    const at = quote.end + tail.index + tail[0].indexOf(raw);
    return speakerFrom(raw, { start: at, end: at + raw.length }, lastNamed);
  }
  // The last reporting verb before the quotation, within its sentence; a participle
  // ("…, saying: …") reports for the subject of the verb before it.
  const before = text.slice(sentence.start, quote.start);
  // "According to Mr Straw, the conference was a "vital step"".
  let according: RegExpExecArray | undefined;
  for (const m of before.matchAll(accordingTo)) according = m;
  if (according?.groups?.who) {
    const raw = according.groups.who;
    if (!/^\p{Lu}/u.test(raw) && !/^(?:he|she)$/.test(raw)) return ANONYMOUS;
    const at = sentence.start + according.index + according[0].lastIndexOf(raw);
    return speakerFrom(raw, { start: at, end: at + raw.length }, lastNamed) ?? ANONYMOUS;
  }
  // Verbs without a subject right before them are nouns here ("claims of broken promises").
  const verbs = [...before.matchAll(verbAt)];
  for (let k = verbs.length - 1; k >= 0; k--) {
    if (/ing$/.test(verbs[k][0])) continue;
    // Only the words right before the verb can be its subject: a bounded tail keeps long sentences linear.
    const headStart = Math.max(0, verbs[k].index - 200);
    const head = before.slice(headStart, verbs[k].index);
    if (ANONYMOUS_HEAD.test(head.replace(nameTail, ''))) return ANONYMOUS;
    const subject = subjectBefore.exec(head);
    if (!subject?.groups?.subject) {
      // A common-noun subject ("the union said", "officials warned") is a speaker without a name.
      if (/\p{Ll}\s+$/u.test(head) && !/^(?:claims|calls|notes|states|reports|writes)$/.test(verbs[k][0])) return ANONYMOUS;
      continue;
    }
    const raw = subject.groups.subject;
    const at = sentence.start + headStart + subject.index + subject[0].indexOf(raw);
    return speakerFrom(raw, { start: at, end: at + raw.length }, lastNamed) ?? ANONYMOUS;
  }
  return undefined;
}

function speakerFrom(raw: string, span: Span, lastNamed: (before: number) => Speaker | undefined): Speaker | undefined {
  if (/^(?:he|she)$/i.test(raw)) {
    const named = lastNamed(span.start);
    return named ? { ...named, span, pronoun: true } : undefined;
  }
  const name = cleanName(raw);
  if (!name) return undefined;
  const offset = raw.indexOf(name);
  return { name, key: speakerKey(name), span: { start: span.start + offset, end: span.start + offset + name.length }, pronoun: false };
}

/**
 * Quotation marks in `text[from, to)`: curly pairs, and straight quotes paired
 * so that an opening mark is followed by a letter and a closing one preceded
 * by a non-space (a stray mark does not turn every later quotation inside out).
 */
export function findQuotes(text: string, from: number, to: number): QuotedPassage[] {
  const quotes: QuotedPassage[] = [];
  let open = -1;
  let curlyOpen = -1;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '“') curlyOpen = i;
    else if (c === '”' && curlyOpen >= 0) {
      if (i - curlyOpen > 2) quotes.push({ span: { start: curlyOpen, end: i + 1 }, content: { start: curlyOpen + 1, end: i } });
      curlyOpen = -1;
    } else if (c === '"') {
      const next = text[i + 1] ?? ' ';
      const previous = text[i - 1] ?? ' ';
      if (open >= 0 && !/\s/.test(previous) && i - open > 2) {
        quotes.push({ span: { start: open, end: i + 1 }, content: { start: open + 1, end: i } });
        open = -1;
      } else if (!/\s/.test(next)) {
        // Newspaper style: a quotation that runs on into another leaves its first part unclosed
        // (`said: "… ignored. "New …`). Keep that part when it ends a sentence.
        if (open >= 0) {
          let end = i;
          while (end > open && /\s/.test(text[end - 1])) end--;
          if (/[.!?]$/.test(text.slice(open, end)) && end - open > 3) quotes.push({ span: { start: open, end }, content: { start: open + 1, end } });
        }
        open = i;
      } else open = -1;
    } else if (c === '\n' && text[i + 1] === '\n') {
      open = -1;
      curlyOpen = -1;
    }
  }
  return quotes.sort((a, b) => a.span.start - b.span.start);
}

/** Named speakers of reporting verbs in `text[from, to)`, in order: what a later pronoun can stand for. */
function namedSpeakersIn(text: string, from: number, to: number): Speaker[] {
  const speakers: Speaker[] = [];
  const slice = text.slice(from, to);
  const { verbAt, subjectBefore, nameAfter, nameTail } = patterns();
  for (const m of slice.matchAll(verbAt)) {
    const head = slice.slice(Math.max(0, m.index - 120), m.index);
    const subject = subjectBefore.exec(head);
    let raw = subject?.groups?.subject;
    let at = subject ? from + Math.max(0, m.index - 120) + subject.index + subject[0].indexOf(raw!) : -1;
    if (!raw || /^(?:he|she)$/i.test(raw)) {
      const inverted = nameAfter.exec(slice.slice(m.index + m[0].length, m.index + m[0].length + 80));
      if (!inverted) continue;
      raw = inverted[1];
      at = from + m.index + m[0].length + inverted[0].indexOf(raw);
    }
    const name = cleanName(raw);
    if (!name || ANONYMOUS_HEAD.test(head.replace(nameTail, ''))) continue;
    speakers.push({ name, key: speakerKey(name), span: { start: at, end: at + raw.length }, pronoun: false });
  }
  return speakers;
}

/** A resolver for pronouns: the last named speaker before an offset, within `[floor, …)`. */
export function lastNamedResolver(text: string, floor: number, to: number): (before: number) => Speaker | undefined {
  let speakers: Speaker[] | undefined;
  return (before) => {
    speakers ??= namedSpeakersIn(text, floor, to);
    let found: Speaker | undefined;
    for (const speaker of speakers) if (speaker.span.end <= before) found = speaker;
    return found;
  };
}

/**
 * A source's quotations with their speakers, worked out per paragraph when
 * first asked: a check asks about the few paragraphs that hold a verified
 * quotation, and a paragraph's speakers depend only on its own text and on
 * the named speakers before it (`lastNamed`, one scan per source, made only
 * when a pronoun needs it). Kept per source object, so per source version.
 */
interface SourceSpeakers {
  paragraphs: Span[];
  lastNamed: (before: number) => Speaker | undefined;
  quotes: (QuotedPassage[] | undefined)[];
  all?: QuotedPassage[];
}

const speakersOfSources = new WeakMap<Source, SourceSpeakers>();

function speakersOf(source: Source): SourceSpeakers {
  let entry = speakersOfSources.get(source);
  if (!entry) {
    const paragraphs = splitParagraphs(source.text, source.body.start, source.body.end);
    entry = { paragraphs, lastNamed: lastNamedResolver(source.text, source.body.start, source.body.end), quotes: new Array(paragraphs.length) };
    speakersOfSources.set(source, entry);
  }
  return entry;
}

/** Source paragraphs read for their quotations and speakers in this process (tests: did a kept answer do instead?). */
export const speakerWork = { paragraphsRead: 0 };

/** The quotations of a source's `k`th body paragraph with their speakers. */
function paragraphQuotes(source: Source, entry: SourceSpeakers, k: number): QuotedPassage[] {
  const known = entry.quotes[k];
  if (known) return known;
  speakerWork.paragraphsRead++;
  const text = source.text;
  const paragraph = entry.paragraphs[k];
  const result: QuotedPassage[] = [];
  const quotes = findQuotes(text, paragraph.start, paragraph.end);
  if (quotes.length) {
    const sentences = splitSentences(text, paragraph.start, paragraph.end, { protect: quotes.map((q) => q.span) });
    let previous: Speaker | undefined;
    for (const quote of quotes) {
      const sentence = sentences.find((s) => s.start <= quote.span.start && quote.span.end <= s.end) ?? paragraph;
      const found = attributionOf(text, quote.span, sentence, entry.lastNamed);
      const speaker = found === ANONYMOUS ? undefined : (found ?? (sentenceHasNoOtherQuote(sentence, quote, quotes) ? previous : undefined));
      result.push({ ...quote, speaker });
      previous = found === ANONYMOUS ? undefined : (speaker ?? previous);
    }
  }
  entry.quotes[k] = result;
  return result;
}

/** Every quotation of a source's body with its speaker, in order. */
export function sourceQuotes(source: Source): QuotedPassage[] {
  const entry = speakersOf(source);
  return (entry.all ??= entry.paragraphs.flatMap((_, k) => paragraphQuotes(source, entry, k)));
}

/** A quotation alone in its sentence (so an unattributed one continues the previous speaker). */
function sentenceHasNoOtherQuote(sentence: Span, quote: QuotedPassage, quotes: QuotedPassage[]): boolean {
  return !quotes.some((q) => q !== quote && q.span.start >= sentence.start && q.span.end <= sentence.end);
}

/** The fullest way a source writes a speaker's name ("Jack Straw" rather than "Mr Straw"). */
export function fullestName(source: Source, key: string): string | undefined {
  let best: string | undefined;
  for (const quote of sourceQuotes(source)) {
    const name = quote.speaker && !quote.speaker.pronoun && quote.speaker.key === key ? quote.speaker.name.replace(patterns().leadingTitle, '') : undefined;
    if (name && (!best || name.split(/\s+/).length > best.split(/\s+/).length)) best = name;
  }
  return best;
}

/** Section of the checks cache holding the speaker of each source passage a verified quotation matched. */
export const QUOTE_SPEAKERS_SECTION = 'quote-speakers';

/** Who a source gives a passage to (no speaker: not inside a quotation, or nobody named). */
export interface SpeakerAnswer {
  speaker?: Speaker;
}

/** A speaker answer as read back from a file: its shape, so a damaged one is computed again. */
export function isSpeakerAnswer(value: unknown): value is SpeakerAnswer {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const speaker = (value as SpeakerAnswer).speaker as Partial<Speaker> | undefined;
  if (speaker === undefined) return true;
  return typeof speaker.name === 'string' && typeof speaker.key === 'string' && typeof speaker.pronoun === 'boolean' && typeof speaker.span?.start === 'number' && typeof speaker.span.end === 'number';
}

/**
 * The source quotation that contains a passage (a matched span of the source's
 * text). Quotations never cross paragraphs, so only the passage's paragraph is read.
 */
export function quoteContaining(source: Source, passage: Span): QuotedPassage | undefined {
  const entry = speakersOf(source);
  const { paragraphs } = entry;
  let lo = 0;
  let hi = paragraphs.length - 1;
  // The last paragraph starting at or before the passage.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (paragraphs[mid].start <= passage.start) lo = mid;
    else hi = mid - 1;
  }
  if (!paragraphs.length || paragraphs[lo].start > passage.start || passage.end > paragraphs[lo].end) return undefined;
  return paragraphQuotes(source, entry, lo).find((q) => q.content.start <= passage.start && passage.end <= q.content.end);
}
