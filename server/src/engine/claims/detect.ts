/**
 * Is a sentence of the author's own prose a checkable claim?
 *
 * Transparent rules rather than a statistical tagger, so the message can say
 * *why* a sentence is a claim and a writer can argue with it:
 *
 * Claim signals
 * - reported speech: an attribution verb ("said", "argued", "warned", …) or
 *   "according to", unless the speaker is the author ("we argue");
 * - a number, percentage, money amount or date;
 * - a named actor doing or being something (a proper name plus a finite verb);
 * - a causal ("because", "led to", "as a result") or comparative ("higher
 *   than", "the largest", "rose", "doubled") assertion;
 * - a team-configured trigger word.
 *
 * Not claims, whatever the signals: questions, opinion ("in our view", "we
 * think", "should", "deserves"), hedged speculation ("may", "perhaps", "it
 * remains to be seen") and the piece's own framing ("this piece", "below we").
 * A hedge or normative word *after* a reporting verb belongs to the reported
 * words ("she said the fine could rise") and does not exempt the sentence.
 *
 * The input is the sentence as the author wrote it with quotation contents
 * and citations blanked (same offsets), so quoted words never count.
 * (ARCHITECTURE.md, Choices, says why no NLP library is used here.)
 */
import type { Span } from '../types';
import { isAcronym } from './names';

export type ClaimKind = 'reported-speech' | 'number' | 'percentage' | 'money' | 'date' | 'actor' | 'causal' | 'comparative' | 'trigger';
export type ExemptionKind = 'question' | 'opinion' | 'hedge' | 'framing' | 'exemption';

export interface ClaimSignal {
  kind: ClaimKind;
  /** Absolute span of the words that make the sentence a claim. */
  span: Span;
  text: string;
}

export interface ClaimVerdict {
  claim: boolean;
  /** Why it is a claim, strongest first (empty when it is not). */
  signals: ClaimSignal[];
  /** Why a sentence with claim signals is not treated as a claim. */
  exemption?: { kind: ExemptionKind; text: string };
}

export interface DetectOptions {
  /** Whether a capitalised word is a name (known from the piece, the sources or the registry). */
  isName(word: string): boolean;
  /** Extra words or phrases (lower case) that make a sentence a claim. */
  triggers?: readonly string[];
  /** Extra words or phrases (lower case) that exempt a sentence. */
  exemptions?: readonly string[];
}

interface Word {
  text: string;
  lower: string;
  start: number;
  end: number;
}

const REPORTING_VERBS = new Set(
  (
    'said says say told tells tell argued argues argue warned warns warn claimed claims stated states announced announces insisted insists admitted admits ' +
    'denied denies confirmed confirms added adds noted notes stressed stresses accused accuses acknowledged acknowledges urged urges called calls ' +
    'described describes criticised criticises criticized criticizes dismissed dismisses underscored underscores expressed expresses emphasised emphasises ' +
    'emphasized emphasizes promised promises pledged pledges vowed vows revealed reveals reported reports wrote writes predicted predicts conceded concedes ' +
    'explained explains alleged alleges maintained maintains asserted asserts declared declares highlighted highlights credited credits blamed blames ' +
    'suggested suggests estimated estimates disclosed discloses testified replied responded rejected rejects praised praises condemned condemns ' +
    'welcomed welcomes questioned defended defends announced threatened threatens told forecast forecasts'
  ).split(' '),
);
/** Base forms, for plural subjects ("the companies deny"); not a report after "to" or a modal. */
const BASE_FORMS = new Set(
  (
    'deny insist admit confirm accuse acknowledge urge describe criticise criticize dismiss stress emphasise emphasize promise pledge vow reveal ' +
    'predict concede explain allege maintain assert declare blame estimate praise condemn welcome reject defend threaten'
  ).split(' '),
);
for (const verb of BASE_FORMS) REPORTING_VERBS.add(verb);
/** Words before a base-form verb that make it no report: "to deny", "would insist", "not admit". */
const NOT_A_REPORT_BEFORE = new Set(['to', 'will', 'would', 'may', 'might', 'can', 'could', 'should', 'must', 'shall', 'let', 'please', 'not']);
const REPORTING_PHRASES = [/\bpointed out\b/, /\baccording to\b/, /\bas quoted by\b/];

const FIRST_PERSON = new Set(['i', 'we', "we'd", "i'd"]);

const MONTHS = new Set(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);
const WEEKDAYS = new Set(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
const NUMBER_WORDS = new Set(
  'two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions billion billions trillion dozen dozens half quarter third fifth tenth'.split(' '),
);
const SMALL_NUMBERS = new Set(['one', 'two', 'three', 'four', 'five', 'six']);
const ORDINALS = new Set(['second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth']);
// Constants, not literals in the functions: the bundler turns a `\p{…}` literal into a RegExp made on every call.
const UPPER_START = /^\p{Lu}/u;
const LOWER_START = /^\p{Ll}/u;
const TIME_UNITS = /^(?:years?|months?|weeks?|days?|times?|terms?|quarters?|seasons?|rounds?)$/;
const FRACTION_WORDS = new Set(['half', 'quarter', 'third', 'fifth', 'tenth']);
const MONEY_UNITS = /^(?:bn|m|k|tn|pence|p|pounds?|dollars?|euros?|roubles?|rubles?|yen|krone|kroner|kronor)$/;

const CAUSAL = [
  /\bbecause\b/, /\bdue to (?!(?:be|start|begin|end|open|close|meet|take|attend|arrive|finish|launch|come|go|run|hold|report|return|retire|leave|make|give|visit|sign|vote|appear|publish|resume|expire|hear|rule|decide|announce)\b)/, /\bled to\b/, /\blead(?:s|ing)? to\b/, /\bcaus(?:ed|es|ing)\b/, /\bresult(?:ed|s)? in\b/, /\bas a result\b/, /\bthanks to\b/,
  /\bdriven by\b/, /\bforc(?:ed|es)\b/, /\bwhich is why\b/, /\btherefore\b/, /\bconsequently\b/, /\btriggered\b/, /\bprompt(?:ed|s)\b/, /\bbrought about\b/,
];
const COMPARATIVE = [
  /\b(?:more|less|fewer|higher|lower|larger|smaller|bigger|greater|faster|slower|better|worse|cheaper|dearer|older|younger|longer|shorter|stronger|weaker|richer|poorer)\b[^.]{0,60}\bthan\b/,
  /\b(?:more|less|fewer) (?:\w+ ){0,2}(?:common|likely|exposed|expensive|important|popular|frequent)\b/,
  /\bthe (?:largest|biggest|highest|lowest|smallest|fastest|worst|best|first|last|only|most|least)\b/,
  /\b(?:rose|risen|rising|fell|fallen|falling|grew|grown|growing|increased|increasing|decreased|decreasing|declined|declining|doubled|halved|tripled|soared|slumped|dropped|climbed|shrank|shrunk)\b/,
  /\bcompared (?:with|to)\b/, /\bsince \d{4}\b/, /\bin a decade\b/, /\brecord\b/,
];

const QUESTION_END = /\?\s*["'”’)\]]*\s*$/;
const OPINION = [
  /\bin (?:our|my) (?:view|opinion|judgement|judgment|reading)\b/, /\bto (?:our|my) mind\b/, /\bit seems to (?:us|me)\b/,
  /\b(?:we|i)(?: would| do)? (?:think|believe|feel|suspect|argue|contend|doubt|consider|reckon|hope|fear|find it|are struck|am struck)\b/,
  /\bshould\b/, /\bought to\b/, /\bmust\b/, /\bdeserves?\b/, /\bneeds? to\b/, /\b(?:is|was) worth\b/,
  /\bit is (?:hard|easy|tempting|striking|telling|fair|right|wrong|difficult|impossible|remarkable|surprising)\b/,
  /\bhas its priorities\b/, /\b(?:readers|you) (?:will|may|can) (?:draw|judge|decide)\b/,
];
const HEDGES = [
  /\bmay\b/, /\bmight\b/, /\bcould\b/, /\bperhaps\b/, /\bpossibly\b/, /\bprobably\b/, /\bpresumably\b/, /\bseemingly\b/, /\bseems?\b/, /\bappears? to\b/,
  /\barguably\b/, /\bconceivably\b/, /\blikely\b/, /\bunlikely\b/, /\bit remains to be seen\b/, /\bremains? unclear\b/, /\bis (?:not |un)clear\b/,
  /\bit is (?:not )?(?:clear|unclear|uncertain|possible|conceivable)\b/, /\buncertain\b/, /^whether\b/, /\bwould\b/, /\bif\b/,
];
const FRAMING = [
  /\b(?:this|the present|our) (?:piece|analysis|essay|post|section|chapter|column|newsletter|note)\b/, /^below\b/, /\bin what follows\b/,
  /\b(?:the|this) next section\b/, /^first, a word\b/, /\blet(?: us|'s)\b/,
  /\bwe (?:start|begin|return|turn|look|examine|consider|set|compare|ask|focus|discuss|explain|conclude|end|put|lay|trace|review|recap|summarise|summarize)\b/, /^here,? we\b/,
];

/** Words of a sentence with absolute offsets. */
function wordsOf(text: string, base: number): Word[] {
  const words: Word[] = [];
  const re = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’][\p{L}]+)?(?:[.,]\d+)*|[£$€%]/gu;
  for (const m of text.matchAll(re)) {
    const start = base + m.index;
    words.push({ text: m[0], lower: m[0].toLowerCase().replace(/’/g, "'"), start, end: start + m[0].length });
  }
  return words;
}

/** One alternation per pattern list: a single scan finds the leftmost match of any of them. */
const combined = new WeakMap<readonly RegExp[], RegExp>();

/** First (leftmost) match of any pattern in `lower`. */
function firstMatch(patterns: readonly RegExp[], lower: string): RegExpExecArray | undefined {
  let re = combined.get(patterns);
  if (!re) {
    re = new RegExp(patterns.map((p) => `(?:${p.source})`).join('|'));
    combined.set(patterns, re);
  }
  return re.exec(lower) ?? undefined;
}

function containsPhrase(lower: string, phrase: string): number {
  const escaped = phrase.trim().toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!escaped) return -1;
  const m = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').exec(lower);
  return m ? m.index : -1;
}

const IRREGULAR_FINITE = new Set(
  (
    'is are was were has have had does did said told will can cannot won\'t isn\'t wasn\'t hasn\'t haven\'t didn\'t doesn\'t ' +
    'made gave took went came rose fell grew paid lost won led left met sold bought spent sent began became kept held ran saw found got put set cut shut ' +
    'brought thought built fought stood understood wrote spoke broke chose drove froze hid hit hurt knew lay meant read rode rang shook shone slid spun stole ' +
    'struck swore swept swung taught tore threw woke wore withdrew overtook oversaw undertook joined owns owned runs leads heads says'
  ).split(' '),
);
const NOT_VERBS_ED = new Set(['need', 'indeed', 'hundred', 'red', 'bed', 'shed', 'seed', 'speed', 'feed', 'greed', 'breed', 'creed', 'bled', 'fled', 'wed', 'ted', 'united', 'limited', 'based', 'related', 'interested', 'detailed', 'supposed']);

/** `next[j]` = index of the first finite verb at or after `j` (`words.length` when none); `next` has one extra slot. */
function nextFiniteVerbs(words: Word[]): Int32Array {
  const next = new Int32Array(words.length + 2).fill(words.length);
  for (let j = words.length - 1; j >= 0; j--) next[j] = isFiniteVerb(words[j], false) ? j : next[j + 1];
  return next;
}

function isFiniteVerb(word: Word, afterName: boolean): boolean {
  const w = word.lower;
  if (IRREGULAR_FINITE.has(w)) return true;
  if (w.length >= 4 && w.endsWith('ed') && !NOT_VERBS_ED.has(w)) return true;
  // "Holmport says", "Lavrov credits": an -s verb right after the name.
  return afterName && w.length >= 4 && /[^s']s$/.test(w) && LOWER_START.test(word.text);
}

interface ReportingCue {
  /** The speaker's words before the verb (up to three, within the clause) and the verb. */
  span: Span;
  /** Where the reporting verb itself starts: a modal before it is the author's hedge ("critics might say"). */
  verbStart: number;
  firstPerson: boolean;
}

/** The first reporting cue of a sentence: an attribution verb with a subject before it, or "according to". */
function reportingCue(words: Word[], text: string, lower: string, offsets: number[], base: number): ReportingCue | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!REPORTING_VERBS.has(word.lower)) continue;
    // "called" in "a channel called X", "reported" in "the reported figure": no subject before it.
    const previous = words[i - 1];
    if (previous && BASE_FORMS.has(word.lower) && NOT_A_REPORT_BEFORE.has(previous.lower)) continue;
    if (!previous && word.lower !== 'says' && word.lower !== 'said') continue;
    const firstPerson = previous !== undefined && (FIRST_PERSON.has(previous.lower) || (words[i - 2] !== undefined && FIRST_PERSON.has(words[i - 2].lower) && /^(?:would|do|did|have|also)$/.test(previous.lower)));
    let subjectStart = i;
    while (subjectStart > 0 && i - subjectStart < 3) {
      const before = words[subjectStart - 1];
      if (/^(?:and|but|or|that|which)$/.test(before.lower) || /[^\s]/.test(text.slice(before.end - base, words[subjectStart].start - base))) break;
      subjectStart--;
    }
    return { span: { start: words[subjectStart].start, end: word.end }, verbStart: word.start, firstPerson };
  }
  for (const pattern of REPORTING_PHRASES) {
    const m = pattern.exec(lower);
    if (m) {
      const start = base + offsets[m.index];
      return { span: { start, end: base + offsets[m.index + m[0].length - 1] + 1 }, verbStart: start, firstPerson: false };
    }
  }
  return undefined;
}

function numberSignals(words: Word[], text: string, base: number): ClaimSignal[] {
  const signals: ClaimSignal[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const next = words[i + 1];
    const previous = words[i - 1];
    const slice = (from: Word, to: Word): ClaimSignal['text'] => text.slice(from.start - base, to.end - base);
    if (/^\d/.test(word.text)) {
      const unit = next && (next.start === word.end || next.start === word.end + 1) ? next : undefined;
      if (previous && /^[£$€]$/.test(previous.text) && previous.end === word.start) {
        const end = unit && MONEY_UNITS.test(unit.lower) ? unit : word;
        signals.push({ kind: 'money', span: { start: previous.start, end: end.end }, text: slice(previous, end) });
      } else if (/^\d+(?:[.,]\d+)?(?:bn|m|tn)$/.test(word.lower) || (unit && MONEY_UNITS.test(unit.lower) && /^(?:bn|tn|pounds?|dollars?|euros?|pence)$/.test(unit.lower))) {
        signals.push({ kind: 'money', span: { start: word.start, end: (unit ?? word).end }, text: slice(word, unit ?? word) });
      } else if (unit && (unit.text === '%' || (unit.lower === 'per' && words[i + 2]?.lower === 'cent'))) {
        const end = unit.text === '%' ? unit : words[i + 2];
        signals.push({ kind: 'percentage', span: { start: word.start, end: end.end }, text: slice(word, end) });
      } else if (/^(?:1[5-9]|20)\d\d$/.test(word.text) || (next && MONTHS.has(next.lower) && /^\d{1,2}$/.test(word.text))) {
        const end = next && MONTHS.has(next.lower) ? next : word;
        signals.push({ kind: 'date', span: { start: word.start, end: end.end }, text: slice(word, end) });
      } else {
        const end = unit && /^(?:hundred|thousand|million|billion|trillion)$/.test(unit.lower) ? unit : word;
        signals.push({ kind: 'number', span: { start: word.start, end: end.end }, text: slice(word, end) });
      }
      continue;
    }
    if (MONTHS.has(word.lower) && UPPER_START.test(word.text) && word.lower !== 'may' && (i > 0 || (next !== undefined && /^\d/.test(next.text)))) {
      signals.push({ kind: 'date', span: { start: word.start, end: word.end }, text: word.text });
    } else if (word.lower === 'may' && word.text === 'May' && i > 0 && (next === undefined || /^\d/.test(next.text) || /^(?:in|on|of|last|this|next|since|until|by)$/.test(previous!.lower))) {
      signals.push({ kind: 'date', span: { start: word.start, end: word.end }, text: word.text });
    } else if (WEEKDAYS.has(word.lower) || ((word.lower === 'last' || word.lower === 'next') && next && (/^(?:year|month|week)$/.test(next.lower) || MONTHS.has(next.lower)))) {
      const end = WEEKDAYS.has(word.lower) ? word : next!;
      signals.push({ kind: 'date', span: { start: word.start, end: end.end }, text: slice(word, end) });
    } else if (ORDINALS.has(word.lower) && next && TIME_UNITS.test(next.lower)) {
      // "the third year running", "a second term": a count of periods.
      signals.push({ kind: 'number', span: { start: word.start, end: next.end }, text: slice(word, next) });
    } else if (NUMBER_WORDS.has(word.lower)) {
      // A number word right after a figure is its unit ("1.8 million").
      if (previous && /^\d/.test(previous.text)) continue;
      // "one or two", "two or three": a vague amount, not a figure anyone could check.
      if ((next?.lower === 'or' && SMALL_NUMBERS.has(words[i + 2]?.lower ?? '')) || (previous?.lower === 'or' && SMALL_NUMBERS.has(words[i - 2]?.lower ?? ''))) continue;
      // "a third", "half of": a fraction needs an article or "of" to be a quantity.
      if (FRACTION_WORDS.has(word.lower) && !((previous && /^(?:a|one|two|three|by)$/.test(previous.lower)) || next?.lower === 'of')) continue;
      signals.push({ kind: 'number', span: { start: word.start, end: word.end }, text: word.text });
    }
  }
  return signals;
}

/** Proper names of the sentence: capitalised words the piece or sources know as names (not the first word unless known). */
function actorSignal(words: Word[], text: string, base: number, options: DetectOptions): ClaimSignal | undefined {
  let nextFinite: Int32Array | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!UPPER_START.test(word.text) || MONTHS.has(word.lower) || WEEKDAYS.has(word.lower) || word.text === 'I') continue;
    const bare = word.text.replace(/['’]s$/, '');
    const known = options.isName(bare);
    if (i === 0 && !known && !(words[1] && UPPER_START.test(words[1].text) && options.isName(words[1].text.replace(/['’]s$/, '')))) continue;
    if (i > 0 && !known && !isAcronym(word.text)) {
      // A capital after a sentence-internal colon or quote is not evidence of a name.
      const gap = text.slice(words[i - 1].end - base, word.start - base);
      if (/[:"“‘(]/.test(gap)) continue;
    }
    // The name runs over following capitalised words ("Water Standards Office").
    let last = i;
    while (words[last + 1] && UPPER_START.test(words[last + 1].text) && words[last + 1].start - words[last].end <= 1) last++;
    // Where the next finite verb is, from each position (computed once: linear even for a run of names).
    nextFinite ??= nextFiniteVerbs(words);
    const name = text.slice(word.start - base, words[last].end - base);
    const possessive = /['’]s$/.test(words[last].text);
    const first = last + 1;
    const adverb = words[first] !== undefined && /ly$/.test(words[first].lower);
    // An -s verb counts only right after the name ("Holmport says"), or after one adverb.
    let verbAt = -1;
    if (first < words.length && !possessive && isFiniteVerb(words[first], true)) verbAt = first;
    else if (adverb && first + 1 < words.length && isFiniteVerb(words[first + 1], true)) verbAt = first + 1;
    else {
      let k = nextFinite[Math.min(first, words.length)];
      if (k === first && possessive) k = nextFinite[first + 1];
      if (k < words.length) verbAt = k;
    }
    if (verbAt >= 0) {
      const verb = words[verbAt].text;
      return { kind: 'actor', span: { start: word.start, end: words[verbAt].end }, text: verbAt === first ? `${name} ${verb}` : `${name} … ${verb}` };
    }
    // Or the name is the object or complement: "She beat Alan Hollinghurst", "The prize went to John Guy".
    if (nextFinite[0] < i) {
      const verb = words[nextFinite[0]];
      return { kind: 'actor', span: { start: verb.start, end: words[last].end }, text: `${verb.text} … ${name}` };
    }
    i = last;
  }
  return undefined;
}

/**
 * Classifies one sentence. `text` is the sentence with quotation contents and
 * citations blanked; `base` is its absolute offset.
 */
export function detectClaim(text: string, base: number, options: DetectOptions): ClaimVerdict {
  const { lower, offsets } = foldForPhrases(text);
  const words = wordsOf(text, base);
  if (words.length === 0) return { claim: false, signals: [] };

  const signals: ClaimSignal[] = [];
  const cue = reportingCue(words, text, lower, offsets, base);
  if (cue && !cue.firstPerson) signals.push({ kind: 'reported-speech', span: cue.span, text: text.slice(cue.span.start - base, cue.span.end - base) });
  signals.push(...numberSignals(words, text, base));
  const actor = actorSignal(words, text, base, options);
  if (actor) signals.push(actor);
  const causal = firstMatch(CAUSAL, lower);
  if (causal) signals.push(phraseSignal('causal', causal, offsets, text, base));
  const comparative = firstMatch(COMPARATIVE, lower);
  if (comparative) signals.push(phraseSignal('comparative', comparative, offsets, text, base));
  for (const trigger of options.triggers ?? []) {
    const at = containsPhrase(text.toLowerCase(), trigger);
    if (at >= 0) signals.push({ kind: 'trigger', span: { start: base + at, end: base + at + trigger.length }, text: text.slice(at, at + trigger.length) });
  }

  const exemption = exemptionOf(text, lower, offsets, cue, base, options);
  if (exemption) return { claim: false, signals: [], exemption };
  return { claim: signals.length > 0, signals: rank(signals) };
}

function phraseSignal(kind: ClaimKind, match: RegExpExecArray, offsets: number[], text: string, base: number): ClaimSignal {
  const start = offsets[match.index];
  const end = offsets[match.index + match[0].length - 1] + 1;
  return { kind, span: { start: base + start, end: base + end }, text: text.slice(start, end) };
}

/**
 * Lower-cased copy with curly apostrophes straightened and white-space runs
 * (blanked quotations, citations, line breaks) collapsed to one space, so
 * phrase patterns can use plain spaces; `offsets[i]` maps back to `text`.
 */
function foldForPhrases(text: string): { lower: string; offsets: number[] } {
  let lower = '';
  const offsets: number[] = [];
  let lastWasSpace = false;
  for (let i = 0; i < text.length; i++) {
    let c = text[i];
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d || code === 0xa0) {
      if (lastWasSpace) continue;
      c = ' ';
      lastWasSpace = true;
    } else {
      lastWasSpace = false;
      if (c === '’' || c === '‘') c = "'";
      const folded = c.toLowerCase();
      if (folded.length === 1) c = folded;
    }
    lower += c;
    offsets.push(i);
  }
  offsets.push(text.length);
  return { lower, offsets };
}

const KIND_ORDER: ClaimKind[] = ['reported-speech', 'money', 'percentage', 'number', 'date', 'actor', 'causal', 'comparative', 'trigger'];

/** Strongest kinds first; a signal inside another one's words ("March" in "14 March") is dropped. */
function rank(signals: ClaimSignal[]): ClaimSignal[] {
  const sorted = [...signals].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.span.start - b.span.start);
  return sorted.filter((signal, i) => !sorted.some((other, j) => j !== i && other.span.start <= signal.span.start && signal.span.end <= other.span.end && (other.span.end - other.span.start > signal.span.end - signal.span.start || j < i)));
}

function exemptionOf(
  text: string,
  lower: string,
  offsets: number[],
  cue: ReportingCue | undefined,
  base: number,
  options: DetectOptions,
): ClaimVerdict['exemption'] {
  if (QUESTION_END.test(text)) return { kind: 'question', text: 'a question' };
  for (const phrase of options.exemptions ?? []) {
    if (containsPhrase(lower, phrase) >= 0) return { kind: 'exemption', text: phrase };
  }
  const framing = firstMatch(FRAMING, lower);
  if (framing) return { kind: 'framing', text: framing[0] };
  // Words after a reporting verb are the reported speaker's, not the author's hedge or opinion.
  const authorPart = cue && !cue.firstPerson ? lower.slice(0, collapsedIndex(offsets, cue.verbStart - base)) : lower;
  if (cue?.firstPerson) return { kind: 'opinion', text: text.slice(cue.span.start - base, cue.span.end - base).trim() };
  const opinion = firstMatch(OPINION, authorPart);
  if (opinion) return { kind: 'opinion', text: opinion[0] };
  const hedge = firstMatch(HEDGES, authorPart.replace(/\bmay\b/g, (m, at: number) => (text[offsets[at]] === 'M' && at > 0 ? 'MAY' : m)));
  if (hedge) return { kind: 'hedge', text: hedge[0] };
  return undefined;
}

/** Index in the collapsed copy of the first character at or after `offset` in the original. */
function collapsedIndex(offsets: number[], offset: number): number {
  let i = 0;
  while (i < offsets.length - 1 && offsets[i] < offset) i++;
  return i;
}

/** "reported speech ("Lavrov said")", "a number ("612")"…: why a sentence is a claim, for messages. */
export function describeSignal(signal: ClaimSignal): string {
  const quoted = `"${signal.text.replace(/\s+/g, ' ').trim()}"`;
  switch (signal.kind) {
    case 'reported-speech':
      return `reported speech (${quoted})`;
    case 'number':
      return `a number (${quoted})`;
    case 'percentage':
      return `a percentage (${quoted})`;
    case 'money':
      return `a money amount (${quoted})`;
    case 'date':
      return `a date (${quoted})`;
    case 'actor':
      return `a named actor doing or being something (${quoted})`;
    case 'causal':
      return `a causal assertion (${quoted})`;
    case 'comparative':
      return `a comparison or change (${quoted})`;
    case 'trigger':
      return `the trigger word ${quoted}`;
  }
}
