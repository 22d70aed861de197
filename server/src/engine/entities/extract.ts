/**
 * What one source says about the people and organisations it names: every
 * name occurrence, the roles it gives them (titles before a name, appositions
 * after or before it, post-titles like "MP"), the acronyms it expands and who
 * it reports as saying what. Pure pattern work over the sentence tokens; the
 * knowledge build (knowledge.ts) merges sources and resolves short forms.
 */
import type { Span } from '../types';
import { SentenceScanner, type Token, type Tokens } from './scan';
import { nameKey } from './name-key';
import { detach } from '../text';
import {
  DETERMINERS,
  FUNCTION_WORDS,
  HONORIFICS,
  MEDIA_NAMES,
  MEDIA_ROLE_HEADS,
  MEDIA_WORDS,
  NAME_TITLES,
  NEVER_NAMES,
  ORG_ROLE_HEADS,
  ORG_WORDS,
  PLACES,
  PLACE_WORDS,
  PORTFOLIO_WORDS,
  POST_TITLES,
  ROLE_HEADS,
  SPEECH_VERBS,
  isCapitalisedRoleHead,
  isRoleModifier,
} from './lexicon';

export type EntityType = 'person' | 'organisation' | 'place' | 'media';

/** How a name occurrence is written. */
export type NameForm = 'full' | 'single' | 'honorific' | 'acronym';

export interface RoleFact {
  text: string;
  span: Span;
}

export interface NameOccurrence {
  form: NameForm;
  /** The name as written (possessive stripped), e.g. "Sergey Lavrov", "Lavrov", "EAEU". */
  text: string;
  /** nameKey(text): made once here, looked up at every merge. */
  key: string;
  /** Span of the name (for `honorific`, including the honorific). */
  span: Span;
  /** Index of the sentence in `SourceFacts.sentences`. */
  sentence: number;
  /** Lower-case honorific for `honorific` occurrences ("mr", "sir"). */
  honorific?: string;
  /** Type evidence from the occurrence's own words and context. */
  hint?: EntityType;
  roles: RoleFact[];
  /** Sentence-initial single word that is also a common word: weak evidence, resolved only to a known name. */
  weak?: boolean;
}

export interface Expansion {
  acronym: string;
  expansion: string;
  acronymSpan: Span;
  expansionSpan: Span;
  /** `parenthesis`: "Eurasian Economic Union (EAEU)"; `initials`: both used in the source, letters = initials. */
  kind: 'parenthesis' | 'initials';
}

export interface StatementFact {
  /** Index into `names` of the speaker, after pronoun resolution. */
  speaker: number;
  sentence: number;
  verb: string;
  /** Direct quotations in the sentence. */
  quotes: Span[];
}

export interface SourceFacts {
  sentences: Span[];
  names: NameOccurrence[];
  expansions: Expansion[];
  statements: StatementFact[];
  /**
   * The corpus-wide questions the extraction asked (is this capitalised word
   * mostly written in lower case?) and the answers it got: the facts stay
   * valid for another corpus as long as it answers them the same.
   */
  commonWords: string[];
  commonAnswers: boolean[];
}

/** What extraction asks of the whole corpus (CaseStats answers it). */
export interface CommonWords {
  isCommonWord(word: string): boolean;
}

const CONNECTORS = new Set(['of', 'for', 'de', 'van', 'von', 'der', 'del', 'da', 'du', 'la', 'le', 'al', 'bin', 'el']);
const PREPOSITIONS = new Set(['of', 'for', 'at', 'to', 'in', 'from', 'on', 'with', 'since', 'under', 'over', 'between', 'among', 'within']);
const RELATIVE_PRONOUNS = new Set(['who', 'which', 'whose', 'where', 'when', 'that']);
const SEGMENT_STOP_WORDS = new Set(['who', 'which', 'whose', 'where', 'when', 'that', 'said', 'says', 'told', 'added', 'has', 'had', 'have', 'is', 'was', 'will', 'would']);
const AGENT_NOUNS = new Set(['lender', 'dealer', 'trader', 'seller', 'buyer', 'keeper', 'maker', 'runner', 'fighter', 'bomber', 'gunman', 'hostage', 'victim', 'survivor', 'witness', 'suspect', 'defendant', 'claimant', 'owner', 'holder', 'winner', 'loser']);
const NOT_AGENT = new Set(['insist', 'resist', 'assist', 'exist', 'persist', 'list', 'mist', 'fist', 'twist', 'wrist', 'consist', 'subsist', 'desist', 'enlist']);
/** Heads that are adjectives when a name follows them ("the official No campaign", "a national Labour figure"). */
const ADJECTIVE_HEADS = new Set(['official', 'national', 'general']);
const AGE = /^\d{1,3}-year-old$/;
const OPEN_QUOTES = new Set([34, 0x201c, 0x201d]);

function lowerOf(token: Token): string {
  return token.lower;
}

/** A word that can head a role phrase. */
export function isRoleHeadWord(lower: string): boolean {
  if (ROLE_HEADS.has(lower) || AGENT_NOUNS.has(lower)) return true;
  return lower.length >= 6 && lower.endsWith('ist') && !NOT_AGENT.has(lower);
}

/** Punctuation after which a capital proves nothing: " “ ‘ ' ( : — – -. */
function opensClause(code: number): boolean {
  return code === 34 || code === 0x201c || code === 0x2018 || code === 39 || code === 40 || code === 58 || code === 0x2014 || code === 0x2013 || code === 45;
}

// Speech verbs by a hash of their char codes, so most words are rejected without making their string.
function codeHash(token: Token): number {
  const source = token.source;
  let hash = 0x811c9dc5;
  for (let i = token.start; i < token.end; i++) hash = Math.imul(hash ^ source.charCodeAt(i), 0x01000193);
  return hash;
}
const SPEECH_VERB_HASHES = new Set(
  [...SPEECH_VERBS].map((verb) => {
    let hash = 0x811c9dc5;
    for (let i = 0; i < verb.length; i++) hash = Math.imul(hash ^ verb.charCodeAt(i), 0x01000193);
    return hash;
  }),
);
const SPEECH_VERB_MIN = Math.min(...[...SPEECH_VERBS].map((v) => v.length));
const SPEECH_VERB_MAX = Math.max(...[...SPEECH_VERBS].map((v) => v.length));

/** A lower-case word token that is a speech verb. */
function isSpeechVerb(token: Token): boolean {
  if (!token.word || token.cap) return false;
  const length = token.end - token.start;
  if (length < SPEECH_VERB_MIN || length > SPEECH_VERB_MAX) return false;
  return SPEECH_VERB_HASHES.has(codeHash(token)) && SPEECH_VERBS.has(token.text);
}

/** `text` with every run of white space as one space (the string itself when it already is). */
export function singleSpaced(text: string): string {
  return /\s\s|[^\S ]/.test(text) ? text.replace(/\s+/g, ' ') : text;
}

function isPunct(token: Token | undefined, chars: string): boolean {
  return !!token && !token.word && chars.includes(token.text);
}

/** Whether the chunk so far licenses an "of"/"for" connector: "Minister of…", "Bank of…", "Isle of…". */
function licensesConnector(tokens: Tokens, from: number, to: number): boolean {
  for (let i = from; i <= to; i++) {
    const lower = lowerOf(tokens[i]);
    if (ORG_WORDS.has(lower) || MEDIA_WORDS.has(lower) || PLACE_WORDS.has(lower) || ROLE_HEADS.has(lower) || lower === 'nations') return true;
  }
  return false;
}

class SentenceReader {
  private readonly asked = new Map<string, boolean>();
  constructor(
    private readonly stats: CommonWords,
    private readonly facts: SourceFacts,
  ) {}

  /** The corpus's answer, asked once per word and source and recorded in the facts. */
  isCommonWord(word: string): boolean {
    let answer = this.asked.get(word);
    if (answer === undefined) {
      answer = this.stats.isCommonWord(word);
      this.asked.set(word, answer);
      this.facts.commonWords.push(word);
      this.facts.commonAnswers.push(answer);
    }
    return answer;
  }

  /** The token at i starts a sentence or a quotation (so its capital proves nothing). */
  isInitial(tokens: Tokens, i: number): boolean {
    if (i === 0) return true;
    const prev = tokens[i - 1];
    return !prev.word && opensClause(prev.code);
  }

  /** A capitalised token that may be (part of) a name here. */
  isNameWord(tokens: Tokens, i: number): boolean {
    const token = tokens[i];
    if (!token.word || !token.cap) return false;
    const lower = lowerOf(token);
    if (NEVER_NAMES.has(lower) && !token.allCaps) return false;
    if (this.isInitial(tokens, i)) {
      if (FUNCTION_WORDS.has(lower) || DETERMINERS.has(lower)) return false;
      if (!token.allCaps && this.isCommonWord(token.base) && !HONORIFICS.has(lower)) return false;
    }
    return true;
  }

  /** Capitalised chunks of a sentence: [first, last] token index pairs, flat, into `out` (cleared first). */
  chunks(tokens: Tokens, out: number[]): void {
    out.length = 0;
    let i = 0;
    while (i < tokens.length) {
      const token = tokens[i];
      if (!token.word || !token.cap || !this.isNameWord(tokens, i)) {
        i++;
        continue;
      }
      const first = i;
      let last = i;
      for (;;) {
        if (tokens[last].possessive) break;
        const next = last + 1;
        if (next < tokens.length && tokens[next].word && tokens[next].cap && !NEVER_NAMES.has(lowerOf(tokens[next]))) {
          last = next;
          continue;
        }
        if (next < tokens.length && tokens[next].code === 38 && !tokens[next].word && tokens[next + 1]?.cap) {
          last = next + 1;
          continue;
        }
        if (next < tokens.length && tokens[next].word && CONNECTORS.has(tokens[next].text) && licensesConnector(tokens, first, last)) {
          let k = next + 1;
          if (tokens[k]?.is('the')) k++;
          if (k < tokens.length && tokens[k].word && tokens[k].cap) {
            last = k;
            continue;
          }
        }
        break;
      }
      out.push(first, last);
      i = last + 1;
    }
  }

  /**
   * Extends a role phrase leftwards from its head (exclusive `from`): modifiers,
   * capitalised words, proper possessives, "of"/"for" between capitals. Stops
   * at determiners and anything else; an anaphoric possessive after a
   * determiner ("the men's") is dropped. Returns the first token of the role.
   */
  extendLeft(tokens: Tokens, from: number, floor = 0): number {
    let start = from;
    for (let j = from - 1; j >= floor; j--) {
      const token = tokens[j];
      if (!token.word) break;
      const lower = lowerOf(token);
      if (DETERMINERS.has(token.text.toLowerCase())) break;
      if ((lower === 'of' || lower === 'for') && tokens[j - 1]?.cap && tokens[j + 1]?.cap) {
        start = j;
        continue;
      }
      if (token.possessive) {
        if (token.cap && !FUNCTION_WORDS.has(lower)) {
          start = j;
          continue;
        }
        const before = tokens[j - 1];
        if (before && before.word && DETERMINERS.has(before.text.toLowerCase())) break;
        start = j;
        continue;
      }
      if (token.cap) {
        // A calendar word or a common sentence-initial word is kept only at the start of a longer name ("Sunday Telegraph").
        const startsName = tokens[j + 1]?.cap === true && j + 1 < from;
        if (FUNCTION_WORDS.has(lower) || HONORIFICS.has(lower) || (NEVER_NAMES.has(lower) && !startsName)) break;
        if (this.isInitial(tokens, j) && !token.allCaps && !isRoleModifier(lower) && !startsName && this.isCommonWord(token.base)) break;
        start = j;
        continue;
      }
      if (/^\d/.test(token.text)) break;
      if (isRoleModifier(lower)) {
        start = j;
        continue;
      }
      break;
    }
    return start;
  }
}

/** Schwartz–Hearst: the shortest tail of `long` whose letters spell `short` in order, the first at a word start. */
export function matchAcronym(short: string, long: string): number {
  const letters = short.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (letters.length < 2) return -1;
  const lower = long.toLowerCase();
  let l = lower.length - 1;
  for (let s = letters.length - 1; s >= 0; s--) {
    const c = letters[s];
    for (;;) {
      if (l < 0) return -1;
      const here = lower[l];
      const atWordStart = l === 0 || !/[a-z0-9]/.test(lower[l - 1]);
      if (here === c && (s > 0 || atWordStart)) break;
      l--;
    }
    l--;
  }
  return l + 1;
}

/** Upper-case initials of the non-connector words: "Association of Chief Police Officers" → "ACPO". */
export function initialsOf(words: readonly string[]): string {
  return words
    .filter((w) => !FUNCTION_WORDS.has(w.toLowerCase()) && !CONNECTORS.has(w.toLowerCase()))
    .map((w) => w[0].toUpperCase())
    .join('');
}

function isAcronymToken(token: Token): boolean {
  if (!token.word || !token.cap || token.base.length < 2 || token.base.length > 10) return false;
  if (token.allCaps) return /[A-Z]/.test(token.base) && !/^\d/.test(token.base);
  let capitals = 0;
  for (const ch of token.base) if (ch >= 'A' && ch <= 'Z') capitals++;
  return capitals >= 2;
}

/** Extracts names, roles, expansions and statements from `text[body]`. */
export function extractSource(text: string, body: Span, stats: CommonWords, scanner = new SentenceScanner()): SourceFacts {
  const facts: SourceFacts = { sentences: [], names: [], expansions: [], statements: [], commonWords: [], commonAnswers: [] };
  const reader = new SentenceReader(stats, facts);
  let lastPerson = -1;
  const chunks: number[] = [];

  scanner.scan(text, body.start, body.end, (span, tokens) => {
    const sentenceIndex = facts.sentences.length;
    facts.sentences.push(span);
    const local: Array<{ occ: number; first: number; last: number }> = [];
    const add = (occ: NameOccurrence, first: number, last: number) => {
      facts.names.push(occ);
      const index = facts.names.length - 1;
      local.push({ occ: index, first, last });
      return index;
    };

    reader.chunks(tokens, chunks);
    for (let c = 0; c < chunks.length; c += 2) readChunk(text, reader, tokens, chunks[c], chunks[c + 1], sentenceIndex, add);
    for (const entry of local) attachRoles(text, reader, tokens, entry, local, facts);
    findExpansions(text, tokens, facts);
    lastPerson = findStatements(span, tokens, sentenceIndex, local, facts, lastPerson);
  });

  foldExpansionOccurrences(text, body, facts);
  findInitialExpansions(facts);
  return facts;
}

/** The roles of the many occurrences that have none: one shared, frozen list (addRole gives an occurrence its own). */
export const NO_ROLES: RoleFact[] = Object.freeze([] as RoleFact[]) as RoleFact[];

function addRole(occ: NameOccurrence, role: RoleFact): void {
  if (occ.roles === NO_ROLES) occ.roles = [role];
  else occ.roles.push(role);
}

/** A name occurrence; every one has the same shape (all fields, in this order), so the code reading them stays monomorphic. */
function occurrence(form: NameForm, text: string, span: Span, sentence: number, hint: EntityType | undefined, roles: RoleFact[], honorific?: string, weak?: boolean): NameOccurrence {
  return { form, text, key: nameKey(text), span, sentence, honorific, hint, roles, weak };
}

type AddOccurrence = (occ: NameOccurrence, first: number, last: number) => number;

function readChunk(text: string, reader: SentenceReader, tokens: Tokens, a: number, chunkEnd: number, sentence: number, add: AddOccurrence): void {
  let b = chunkEnd;
  const span = (from: number, to: number): Span => ({ start: tokens[from].start, end: tokens[to].baseEnd });
  const nameText = (from: number, to: number) => singleSpaced(text.slice(tokens[from].start, tokens[to].baseEnd));
  let first = a;
  const firstLower = lowerOf(tokens[first]);
  if (firstLower === 'the' && first < b) first++;
  // "Paul Boateng MP": the post-title is a role, not part of the name.
  if (b > first && POST_TITLES.has(tokens[b].base)) b--;

  if (HONORIFICS.has(firstLower) && first < b) {
    const rest = first + 1;
    if (NAME_TITLES.has(firstLower)) {
      add(occurrence('full', nameText(first, b), span(first, b), sentence, 'person', NO_ROLES, firstLower), first, b);
      return;
    }
    if (rest === b) {
      add(occurrence('honorific', tokens[b].base, span(first, b), sentence, 'person', NO_ROLES, firstLower), first, b);
      return;
    }
    if (isCapitalisedRoleHead(tokens[rest].base)) {
      // "Mr Justice Harrison", "Lord Chief Justice": a judicial style is the whole name.
      add(occurrence('full', nameText(first, b), span(first, b), sentence, 'person', NO_ROLES), first, b);
      return;
    }
    // The token range starts at the honorific, so "its chief executive, Sir Howard Newby" still finds the title before it.
    add(occurrence('full', nameText(rest, b), span(rest, b), sentence, 'person', NO_ROLES, firstLower), first, b);
    return;
  }

  // A title inside the chunk: "UK Foreign Secretary Jack Straw", "Russian Minister of Foreign Affairs Sergey Lavrov".
  let head = -1;
  for (let i = b - 1; i >= first; i--) {
    if (isCapitalisedRoleHead(tokens[i].base) && !(i === first && lowerOf(tokens[i]) === 'general')) {
      head = i;
      break;
    }
  }
  const lastLower = lowerOf(tokens[b]);
  if (head >= 0 && !ORG_WORDS.has(lastLower) && !isRoleHeadWord(lastLower) && !tokens[head].possessive) {
    let n = b;
    while (n - 1 > head && b - n < 2) {
      const lower = lowerOf(tokens[n - 1]);
      if (PORTFOLIO_WORDS.has(lower) || isRoleHeadWord(lower) || CONNECTORS.has(lower) || ORG_WORDS.has(lower) || lower === 'the' || tokens[n - 1].possessive) break;
      n--;
    }
    // "MP for Henley-on-Thames": the words after "for"/"of" complete the title; there is no name.
    if (CONNECTORS.has(tokens[n - 1].text) || tokens[n - 1].text === 'the') return;
    let nameStart = n;
    if (HONORIFICS.has(lowerOf(tokens[nameStart])) && nameStart < b) nameStart++;
    const roleStart = reader.extendLeft(tokens, a);
    const roleEndToken = n - 1;
    const role: RoleFact = { text: text.slice(tokens[roleStart].start, tokens[roleEndToken].end).replace(/\s+/g, ' '), span: { start: tokens[roleStart].start, end: tokens[roleEndToken].end } };
    const hint: EntityType | undefined = 'person';
    const form: NameForm = nameStart === b ? 'single' : 'full';
    add(occurrence(form, nameText(nameStart, b), span(nameStart, b), sentence, hint, [role]), nameStart, b);
    // The title's own organisation ("Bank of England Governor …") is a name too.
    const orgEnd = head - 1;
    if (orgEnd > first && ORG_WORDS.has(lowerOf(tokens[orgEnd]))) {
      add(occurrence('full', nameText(first, orgEnd), span(first, orgEnd), sentence, 'organisation', NO_ROLES), first, orgEnd);
    }
    return;
  }

  const form: NameForm = first === b ? (isAcronymToken(tokens[b]) ? 'acronym' : 'single') : 'full';
  const weak = form === 'single' && reader.isInitial(tokens, first);
  const name = nameText(first, b);
  add(occurrence(form, name, span(first, b), sentence, keywordTypeOfTokens(text, tokens, first, b), NO_ROLES, undefined, weak || undefined), first, b);
}

/** Type evidence from a name's own words: "… Union", "Tsargrad TV", "Isle of …", "Syria". */
export function keywordType(words: readonly string[]): EntityType | undefined {
  const n = words.length;
  let media = false;
  let organisation = false;
  for (let i = 0; i < n; i++) {
    const lower = words[i].toLowerCase();
    if (MEDIA_NAMES.has(lower) || (n > 1 && (lower === 'tv' || lower === 'radio' || lower === 'news'))) media = true;
    if (ORG_WORDS.has(lower)) organisation = true;
  }
  const last = words[n - 1].toLowerCase();
  if (media || MEDIA_WORDS.has(last)) return 'media';
  if (organisation) return 'organisation';
  if (PLACE_WORDS.has(last) || PLACE_WORDS.has(words[0].toLowerCase()) || (n === 1 && PLACES.has(last))) return 'place';
  return undefined;
}

/**
 * keywordType of the words of tokens[first..last] (the chunk's name), from
 * the tokens' cached lower-case forms; from the text's words when the tokens
 * are not one space apart ("AT&T" is three tokens but one word).
 */
function keywordTypeOfTokens(text: string, tokens: Tokens, first: number, last: number): EntityType | undefined {
  for (let k = first + 1; k <= last; k++) {
    if (tokens[k].start !== tokens[k - 1].end + 1 || text.charCodeAt(tokens[k - 1].end) !== 32) {
      return keywordType(singleSpaced(text.slice(tokens[first].start, tokens[last].baseEnd)).split(' '));
    }
  }
  const n = last - first + 1;
  let media = false;
  let organisation = false;
  for (let k = first; k <= last; k++) {
    const lower = tokens[k].lower;
    if (MEDIA_NAMES.has(lower) || (n > 1 && (lower === 'tv' || lower === 'radio' || lower === 'news'))) media = true;
    if (ORG_WORDS.has(lower)) organisation = true;
  }
  const lastLower = tokens[last].lower;
  if (media || MEDIA_WORDS.has(lastLower)) return 'media';
  if (organisation) return 'organisation';
  if (PLACE_WORDS.has(lastLower) || PLACE_WORDS.has(tokens[first].lower) || (n === 1 && PLACES.has(lastLower))) return 'place';
  return undefined;
}

/** Plural role heads name groups, not the one person or organisation next to them. */
function isPluralHead(lower: string): boolean {
  return lower.endsWith('s') && ROLE_HEADS.has(lower.slice(0, -1)) && !ROLE_HEADS.has(lower.slice(0, -1) + 'ss');
}

/** Titles, appositions and post-titles around one name occurrence. */
function attachRoles(
  text: string,
  reader: SentenceReader,
  tokens: Tokens,
  entry: { occ: number; first: number; last: number },
  local: Array<{ occ: number; first: number; last: number }>,
  facts: SourceFacts,
): void {
  const occ = facts.names[entry.occ];
  const roleText = (from: number, to: number) => text.slice(tokens[from].start, tokens[to].end).replace(/\s+/g, ' ');
  const push = (from: number, to: number, kindHint?: EntityType) => {
    const role = { text: roleText(from, to), span: { start: tokens[from].start, end: tokens[to].end } };
    if (!occ.roles.some((r) => r.text === role.text)) addRole(occ, role);
    if (kindHint && !occ.hint) occ.hint = kindHint;
  };
  const { first, last } = entry;
  if (occ.hint === 'place') return;

  // Title before the name: "Tory leader Michael Howard", "immigrants' group the Joint Council…".
  if (occ.roles.length === 0) {
    let head = first - 1;
    const the = tokens[head];
    if (the?.word && the.text === 'the' && tokens[head - 1]?.word && !tokens[head - 1].cap) {
      const lower = lowerOf(tokens[head - 1]);
      if (ORG_ROLE_HEADS.has(lower) || MEDIA_ROLE_HEADS.has(lower)) head--;
    }
    const headToken = tokens[head];
    if (headToken?.word && !headToken.cap && !headToken.possessive && isRoleHeadWord(lowerOf(headToken)) && !ADJECTIVE_HEADS.has(lowerOf(headToken))) {
      const lower = lowerOf(headToken);
      const start = reader.extendLeft(tokens, head);
      push(start, head, MEDIA_ROLE_HEADS.has(lower) ? 'media' : ORG_ROLE_HEADS.has(lower) ? 'organisation' : 'person');
      // A plural title covers the names joined to this one: "hopefuls Robert Light and Sayeeda Warsi".
      if (lower.endsWith('s') && ROLE_HEADS.has(lower.slice(0, -1))) {
        let cursor = last + 1;
        for (const other of local) {
          if (other.first <= last) continue;
          const between = tokens.slice(cursor, other.first).map((t) => t.text);
          if (!(between.length === 1 && (between[0] === 'and' || between[0] === ','))) break;
          const target = facts.names[other.occ];
          const role = { text: roleText(start, head), span: { start: tokens[start].start, end: tokens[head].end } };
          if (!target.roles.some((r) => r.text === role.text)) addRole(target, role);
          cursor = other.last + 1;
        }
      }
    }
  }

  // Apposition before: "Registrars' spokesman, Mark Rimmer, said".
  if (isPunct(tokens[first - 1], ',') && tokens[first - 2]?.word) {
    const after = tokens[last + 1];
    const closes = !after || isPunct(after, ',.;') || (after.word && (after.text === 'of' || SPEECH_VERBS.has(after.text.toLowerCase())));
    let head = -1;
    const end = first - 2;
    const endLower = lowerOf(tokens[end]);
    if (isRoleHeadWord(endLower) && (!tokens[end].cap || isCapitalisedRoleHead(tokens[end].base))) head = end;
    else {
      for (let j = end; j >= Math.max(1, end - 5); j--) {
        if (!tokens[j].word) break;
        if (['of', 'for', 'to', 'at'].includes(tokens[j].text) && tokens[j - 1]?.word && isRoleHeadWord(lowerOf(tokens[j - 1]))) {
          head = j - 1;
          break;
        }
      }
    }
    if (closes && head >= 0 && !isPluralHead(lowerOf(tokens[head]))) {
      const start = reader.extendLeft(tokens, head);
      const startToken = tokens[start];
      // "Mr Johnson, MP for Henley-on-Thames, Oxfordshire": a phrase that is itself an apposition names the one before it.
      const isApposition = isPunct(tokens[start - 1], ',');
      // Not a list of names ("Blair, Brown, …"): the phrase must have a lower-case word or be a title.
      const isList = startToken.cap && start === head && !isCapitalisedRoleHead(startToken.base);
      if (!isApposition && !isList && start <= head) push(start, end);
    }
  }

  // Post-title: "Paul Boateng MP".
  let next = last + 1;
  if (tokens[next]?.word && POST_TITLES.has(tokens[next].base)) {
    push(next, next, 'person');
    next++;
  }

  // Apposition after: "Jack Straw, the foreign secretary,", "Luke Tomlinson, 27, a close friend of …".
  if (isPunct(tokens[next], ',')) {
    let k = next + 1;
    if (tokens[k]?.word && /^\d{1,3}$/.test(tokens[k].text) && isPunct(tokens[k + 1], ',')) k += 2;
    const segment = readSegment(tokens, k, local);
    if (segment) {
      const [from, to] = segment;
      const role = appositionRole(tokens, from, to);
      if (role && !(isPluralHead(appositionHead(tokens, role[0], role[1])) && occ.hint !== 'organisation')) push(role[0], role[1]);
    }
  }
}

/** Lower-case head of a role phrase [from, to]: the last word before its first preposition. */
function appositionHead(tokens: Tokens, from: number, to: number): string {
  let end = to;
  for (let i = from; i <= to; i++) {
    if (PREPOSITIONS.has(tokens[i].text)) {
      end = i - 1;
      break;
    }
  }
  return end >= from ? lowerOf(tokens[end]) : '';
}

/**
 * The tokens of an apposition starting at k. It must end like an apposition:
 * at a comma, a full stop, a bracket or dash, or a relative pronoun
 * ("a Belgian national who…") — not at a verb ("At Gatwick, the company has…").
 */
function readSegment(tokens: Tokens, k: number, local: Array<{ occ: number; first: number; last: number }>): [number, number] | undefined {
  let end = k;
  while (end < tokens.length) {
    const token = tokens[end];
    if (!token.word) {
      if (token.text === '-' && tokens[end - 1]?.end === token.start && tokens[end + 1]?.start === token.end) {
        end++;
        continue;
      }
      break;
    }
    if (SEGMENT_STOP_WORDS.has(token.text)) {
      if (!RELATIVE_PRONOUNS.has(token.text)) return undefined;
      break;
    }
    // "… Bryan Ferry and Luke Tomlinson, 27": a new multi-word name after "and" ends the apposition.
    if (token.text === 'and' && local.some((o) => o.first === end + 1 && o.last > o.first)) break;
    end++;
    if (end - k > 24) return undefined;
  }
  return end > k ? [k, end - 1] : undefined;
}

/** The role inside an apposition [from, to], or undefined when it is not a role. */
function appositionRole(tokens: Tokens, from: number, to: number): [number, number] | undefined {
  let start = from;
  const firstLower = tokens[start].text.toLowerCase();
  if (DETERMINERS.has(firstLower)) {
    start++;
    // An anaphoric possessive after a determiner: "the party's Treasury spokesman".
    if (tokens[start]?.possessive && !tokens[start].cap) start++;
  } else if (FUNCTION_WORDS.has(firstLower) || PREPOSITIONS.has(firstLower)) {
    return undefined;
  }
  while (start <= to && AGE.test(tokens[start].text)) start++;
  if (start > to) return undefined;
  // The noun phrase before the first preposition must end in a role head.
  let npEnd = to;
  for (let i = start; i <= to; i++) {
    if (PREPOSITIONS.has(tokens[i].text)) {
      npEnd = i - 1;
      break;
    }
  }
  if (npEnd < start) return undefined;
  for (let i = start; i <= npEnd; i++) {
    const token = tokens[i];
    if (!token.word) continue;
    const lower = lowerOf(token);
    // Bounded by commas and led by a determiner, an apposition's inner words are its own: "the service director".
    const ok = token.cap || token.possessive || lower === 'and' || !FUNCTION_WORDS.has(lower) || (i === start && DETERMINERS.has(lower));
    if (!ok) return undefined;
  }
  const head = lowerOf(tokens[npEnd]);
  if (!isRoleHeadWord(head)) return undefined;
  if (tokens[npEnd].cap && !isCapitalisedRoleHead(tokens[npEnd].base) && !ROLE_HEADS.has(head)) return undefined;
  // "a huntsman from Ledbury": where someone is from is not their role.
  let end = to;
  for (let i = npEnd + 1; i <= to; i++) {
    if (tokens[i].text === 'from') {
      end = i - 1;
      break;
    }
  }
  return [start, end];
}

/** Expansions written in `text[from, to)` (a piece's block): the same patterns as in sources. */
export function expansionsIn(text: string, from: number, to: number): Expansion[] {
  // The character after the block is part of the key: it decides whether a final "s'" is a possessive plural.
  const key = text.slice(from, to + 1);
  let relative = expansionCache.get(key);
  if (!relative) {
    const facts: SourceFacts = { sentences: [], names: [], expansions: [], statements: [], commonWords: [], commonAnswers: [] };
    blockScanner.scan(text, from, to, (_span, tokens) => findExpansions(text, tokens, facts));
    // Kept across edits: key and words are copies, so they do not hold this version of the piece alive.
    relative = facts.expansions.map((e) => ({ ...moveExpansion(e, -from), acronym: detach(e.acronym), expansion: detach(e.expansion) }));
    if (expansionCache.size >= MAX_CACHED_BLOCKS) expansionCache.clear();
    expansionCache.set(detach(key), relative);
  }
  return relative.map((e) => moveExpansion(e, from));
}

/**
 * Expansions per block text (offsets relative to the block), across parses:
 * re-checking an edited piece scans only the blocks that changed. Bounded;
 * cleared when full.
 */
const expansionCache = new Map<string, Expansion[]>();
const MAX_CACHED_BLOCKS = 50_000;
/** Scans one block at a time and is never re-entered (findExpansions does not scan). */
const blockScanner = new SentenceScanner();

function moveExpansion(e: Expansion, by: number): Expansion {
  return {
    acronym: e.acronym,
    expansion: e.expansion,
    acronymSpan: { start: e.acronymSpan.start + by, end: e.acronymSpan.end + by },
    expansionSpan: { start: e.expansionSpan.start + by, end: e.expansionSpan.end + by },
    kind: e.kind,
  };
}

/** "Eurasian Economic Union (EAEU)", "Party(BNP)", and "EAEU (Eurasian Economic Union)". */
function findExpansions(text: string, tokens: Tokens, facts: SourceFacts): void {
  for (let p = 1; p + 2 < tokens.length; p++) {
    // A punctuation token is one character, and no word starts with a bracket: the char code decides.
    if (tokens[p].code !== 40 || tokens[p + 2].code !== 41) {
      if (tokens[p].code === 40 && isAcronymToken(tokens[p - 1])) reverseExpansion(text, tokens, p, facts);
      continue;
    }
    const acronymToken = tokens[p + 1];
    if (!acronymToken.word || !acronymToken.cap || acronymToken.base.length < 2 || acronymToken.base.length > 10) continue;
    const short = acronymToken.base;
    if (!isAcronymToken(acronymToken) && !(short.length <= 6 && /^[A-Z][a-z]+$/.test(short))) continue;
    // Candidate long form: the words before "(", at most min(|A| + 5, 2|A|).
    const maxWords = Math.min(short.length + 5, short.length * 2);
    let startToken = p - 1;
    let words = 0;
    while (startToken >= 0 && tokens[startToken].word && words < maxWords) {
      words++;
      startToken--;
    }
    startToken++;
    if (startToken >= p) continue;
    const longText = text.slice(tokens[startToken].start, tokens[p - 1].end);
    const at = matchAcronym(short, longText);
    if (at < 0) continue;
    const absolute = tokens[startToken].start + at;
    // Snap to the token the match starts in; the long form must start with a capital (after "the").
    let t = startToken;
    while (t < p && tokens[t].end <= absolute) t++;
    if (tokens[t].text.toLowerCase() === 'the') t++;
    if (t >= p || !tokens[t].cap) continue;
    const longTokens = tokens.slice(t, p);
    // Every word of the long form that is not a connector must be capitalised (a name, not a description).
    if (longTokens.some((tok) => tok.word && !tok.cap && !FUNCTION_WORDS.has(tok.text) && !CONNECTORS.has(tok.text))) continue;
    if (longTokens.filter((tok) => tok.word && !FUNCTION_WORDS.has(tok.text) && !CONNECTORS.has(tok.text)).length < 2 && short.length > 2) continue;
    const expansionSpan = { start: tokens[t].start, end: tokens[p - 1].start + tokens[p - 1].base.length };
    facts.expansions.push({
      acronym: short,
      expansion: text.slice(expansionSpan.start, expansionSpan.end).replace(/\s+/g, ' '),
      acronymSpan: { start: acronymToken.start, end: acronymToken.start + acronymToken.base.length },
      expansionSpan,
      kind: 'parenthesis',
    });
  }
}

function reverseExpansion(text: string, tokens: Tokens, p: number, facts: SourceFacts): void {
  const acronymToken = tokens[p - 1];
  let close = p + 1;
  while (close < tokens.length && tokens[close].code !== 41 && close - p < 12) close++;
  if (tokens[close]?.code !== 41 || close === p + 1) return;
  const inner = tokens.slice(p + 1, close);
  if (inner.some((t) => !t.word) || !inner[0].cap) return;
  if (inner.some((t) => !t.cap && !FUNCTION_WORDS.has(t.text) && !CONNECTORS.has(t.text))) return;
  const span = { start: inner[0].start, end: inner[inner.length - 1].end };
  const longText = text.slice(span.start, span.end);
  if (matchAcronym(acronymToken.base, longText) !== 0) return;
  facts.expansions.push({
    acronym: acronymToken.base,
    expansion: longText.replace(/\s+/g, ' '),
    acronymSpan: { start: acronymToken.start, end: acronymToken.start + acronymToken.base.length },
    expansionSpan: span,
    kind: 'parenthesis',
  });
}

/**
 * Makes each expansion one name occurrence (replacing the chunks inside it,
 * which a possessive or a lower-case connector may have cut) and finds its
 * later uses in the source.
 */
function foldExpansionOccurrences(text: string, body: Span, facts: SourceFacts): void {
  if (!facts.expansions.length) return;
  const sentenceOf = (offset: number) => {
    let lo = 0;
    let hi = facts.sentences.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (facts.sentences[mid].start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const seen = new Set<string>();
  const additions: NameOccurrence[] = [];
  const covered: Span[] = [];
  for (const expansion of facts.expansions) {
    if (seen.has(expansion.expansion)) continue;
    seen.add(expansion.expansion);
    const needle = expansion.expansion;
    for (let at = text.indexOf(needle, body.start); at >= 0 && at + needle.length <= body.end; at = text.indexOf(needle, at + needle.length)) {
      const before = text[at - 1];
      const after = text[at + needle.length];
      if ((before && /[\p{L}\p{N}]/u.test(before)) || (after && /[\p{L}\p{N}]/u.test(after))) continue;
      const span = { start: at, end: at + needle.length };
      covered.push(span);
      additions.push(occurrence('full', needle, span, sentenceOf(at), 'organisation', NO_ROLES));
    }
  }
  if (!additions.length) return;
  // Keep roles found on the replaced chunks ("immigrants' group the Joint Council…").
  const kept: NameOccurrence[] = [];
  for (const occ of facts.names) {
    const inside = covered.find((c) => occ.span.start >= c.start && occ.span.end <= c.end);
    if (!inside) {
      kept.push(occ);
      continue;
    }
    const replacement = additions.find((a) => a.span.start === inside.start);
    if (replacement) for (const role of occ.roles) if (!replacement.roles.some((r) => r.text === role.text)) addRole(replacement, role);
  }
  const remap = new Map<NameOccurrence, number>();
  const merged = [...kept, ...additions].sort((x, y) => x.span.start - y.span.start);
  merged.forEach((occ, i) => remap.set(occ, i));
  const oldNames = facts.names;
  for (const statement of facts.statements) {
    const speaker = oldNames[statement.speaker];
    const covering = covered.find((c) => speaker.span.start >= c.start && speaker.span.end <= c.end);
    const target = covering ? additions.find((a) => a.span.start === covering.start) : speaker;
    statement.speaker = target ? (remap.get(target) ?? -1) : -1;
  }
  facts.statements = facts.statements.filter((s) => s.speaker >= 0);
  facts.names = merged;
}

/** "Association of Chief Police Officers" … "Acpo": an acronym whose letters are a multi-word name's initials. */
function findInitialExpansions(facts: SourceFacts): void {
  const byInitials = new Map<string, NameOccurrence>();
  for (const occ of facts.names) {
    if (occ.form !== 'full' || occ.hint === 'person' || occ.honorific) continue;
    const words = occ.text.split(' ');
    let content = 0;
    let keyword = false;
    for (const word of words) {
      const lower = word.toLowerCase();
      if (!FUNCTION_WORDS.has(lower) && !CONNECTORS.has(lower)) content++;
      if (ORG_WORDS.has(lower) || PLACE_WORDS.has(lower) || MEDIA_WORDS.has(lower) || word === 'Nations' || word === 'Kingdom' || word === 'States') keyword = true;
    }
    if (content < 2 || !keyword) continue;
    const initials = initialsOf(words);
    if (!byInitials.has(initials)) byInitials.set(initials, occ);
  }
  if (!byInitials.size) return;
  const already = new Set(facts.expansions.map((e) => e.acronym.toUpperCase()));
  for (const occ of facts.names) {
    if (occ.form !== 'acronym' && !(occ.form === 'single' && occ.text.length <= 5 && /^[A-Z][a-z]+$/.test(occ.text))) continue;
    const upper = occ.text.toUpperCase();
    if (already.has(upper)) continue;
    const full = byInitials.get(upper);
    if (!full) continue;
    already.add(upper);
    facts.expansions.push({ acronym: occ.text, expansion: full.text, acronymSpan: occ.span, expansionSpan: full.span, kind: 'initials' });
  }
}

/** "Mr Abbas said: "…"", ""…," Mr Straw said", "he added" — who is reported as saying what. */
function findStatements(
  sentence: Span,
  tokens: Tokens,
  sentenceIndex: number,
  local: Array<{ occ: number; first: number; last: number }>,
  facts: SourceFacts,
  lastPerson: number,
): number {
  let current = lastPerson;
  // Most sentences report no speech: the quotation spans are worked out only for those that do.
  let firstVerb = -1;
  for (let v = 0; v < tokens.length; v++) {
    const token = tokens[v];
    if (token.word && !token.cap && isSpeechVerb(token)) {
      firstVerb = v;
      break;
    }
  }
  if (firstVerb >= 0) findSpeakers(sentence, tokens, firstVerb, sentenceIndex, local, facts, current);
  // The last person named in this sentence is what "he"/"she" refers to next.
  for (const entry of local) {
    const occ = facts.names[entry.occ];
    if (occ.hint === 'person' || occ.form === 'honorific' || (occ.form === 'full' && !occ.hint)) current = entry.occ;
  }
  return current;
}

/** The statements of a sentence with a speech verb at `firstVerb` (and maybe more after it). */
function findSpeakers(
  sentence: Span,
  tokens: Tokens,
  firstVerb: number,
  sentenceIndex: number,
  local: Array<{ occ: number; first: number; last: number }>,
  facts: SourceFacts,
  current: number,
): void {
  const quotes: Span[] = [];
  let open = -1;
  for (const token of tokens) {
    if (token.word || !OPEN_QUOTES.has(token.code)) continue;
    const opening = token.code === 0x201c || (token.code === 34 && open < 0);
    if (opening && open < 0) open = token.end;
    else if (open >= 0) {
      if (token.start > open) quotes.push({ start: open, end: token.start });
      open = -1;
    }
  }
  if (open >= 0 && sentence.end > open) quotes.push({ start: open, end: sentence.end });
  const inQuote = (offset: number) => quotes.some((q) => offset >= q.start && offset < q.end);

  const occAt = (index: number) => local.find((o) => o.first <= index && index <= o.last);
  const spoken = new Set<number>();
  for (let v = firstVerb; v < tokens.length; v++) {
    const token = tokens[v];
    if (!isSpeechVerb(token) || inQuote(token.start)) continue;
    let speaker = -1;
    // Subject before the verb, skipping a few adverbs/auxiliaries.
    for (let j = v - 1; j >= Math.max(0, v - 4); j--) {
      const t = tokens[j];
      if (!t.word) break;
      const hit = occAt(j);
      if (hit) {
        speaker = hit.occ;
        break;
      }
      const lower = t.text.toLowerCase();
      if (lower === 'he' || lower === 'she') {
        speaker = current;
        break;
      }
      if (!['also', 'later', 'earlier', 'then', 'has', 'had', 'have', 'was', 'is', 'once', 'previously', 'recently', 'repeatedly', 'again', 'further', 'had', 'reportedly', 'publicly'].includes(lower)) break;
    }
    // Inverted: "…," said Mr Straw / said the foreign secretary.
    if (speaker < 0) {
      const hit = occAt(v + 1);
      if (hit) speaker = hit.occ;
    }
    if (speaker < 0 || spoken.has(speaker)) continue;
    spoken.add(speaker);
    facts.statements.push({ speaker, sentence: sentenceIndex, verb: token.text, quotes: quotes.slice() });
  }
}
