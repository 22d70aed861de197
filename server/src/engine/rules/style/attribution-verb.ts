import { defineRule } from '../rule';
import type { JsonSchema } from '../../schema';
import type { Fix } from '../../types';
import type { Analysis } from '../../analysis';
import type { BlockSummary } from '../../block-summaries';
import { compilePhrase, matchCase, PhraseMatcher, type Token } from '../../style/phrase';
import { inflect, verbForms, type VerbForm } from '../../style/inflect';
import { styleView, type TextRange } from '../../style/view';
import { CONTRACTING_PRONOUNS, DETERMINERS, PERFECT_OR_PASSIVE, SUBJECTS_AND_AUXILIARIES, isCapitalised, startsSentence } from '../../style/words';

interface VerbEntry {
  verb: string;
  suggestion?: string;
  reason?: string;
}

interface Options {
  verbs: (string | VerbEntry)[];
  additionalVerbs: (string | VerbEntry)[];
  allow: string[];
}

const DEFAULT_VERBS: VerbEntry[] = [
  { verb: 'claim', suggestion: 'say', reason: 'casts doubt on the speaker' },
  { verb: 'admit', suggestion: 'say', reason: 'implies a reluctant confession' },
  { verb: 'concede', suggestion: 'say', reason: 'implies the speaker gave ground' },
  { verb: 'confess', suggestion: 'say', reason: 'implies guilt' },
  { verb: 'insist', suggestion: 'say', reason: 'implies stubbornness against the facts' },
  { verb: 'allege', suggestion: 'say', reason: 'casts doubt on the speaker (keep it for unproven accusations)' },
  { verb: 'boast', suggestion: 'say', reason: 'implies vanity' },
  { verb: 'reveal', suggestion: 'say', reason: 'presents the statement as a hidden truth' },
  { verb: 'confide', suggestion: 'say', reason: 'implies a secret' },
  { verb: 'complain', suggestion: 'say', reason: 'implies a grievance' },
  { verb: 'grumble', suggestion: 'say', reason: 'belittles the speaker' },
  { verb: 'whine', suggestion: 'say', reason: 'belittles the speaker' },
  { verb: 'rant', suggestion: 'say', reason: 'belittles the speaker' },
  { verb: 'gloat', suggestion: 'say', reason: 'imputes malice' },
  { verb: 'sneer', suggestion: 'say', reason: 'imputes contempt' },
  { verb: 'scoff', suggestion: 'say', reason: 'imputes contempt' },
  { verb: 'lament', suggestion: 'say', reason: 'imputes self-pity' },
  { verb: 'retort', suggestion: 'reply', reason: 'frames the answer as combative' },
];

/**
 * Verbs whose base and -s forms are also everyday nouns ("his claims", "false
 * claims", "a rant"): those forms need a subject to count as verbs.
 */
const ALSO_NOUNS = new Set(['claim', 'boast', 'rant', 'sneer', 'whine', 'grumble', 'retort', 'lament', 'reveal', 'gloat', 'scoff', 'vow', 'pledge', 'promise', 'charge', 'protest', 'quip', 'warn']);

const verbEntrySchema: JsonSchema = {
  oneOf: [
    { type: 'string', description: 'Base form of a loaded verb ("claim"); every form is matched.' },
    {
      type: 'object',
      properties: {
        verb: { type: 'string', description: 'Base form of the loaded verb ("claim"); "claims", "claimed", "claiming" are matched too.' },
        suggestion: { type: 'string', description: 'Base form of the neutral verb to suggest (default "say"); it is put in the matched form.' },
        reason: { type: 'string', description: 'Why the verb is loaded, shown in the message ("casts doubt on the speaker").' },
      },
      required: ['verb'],
      additionalProperties: false,
    },
  ],
};

/** Words that may follow a gerund used as a verb ("admitted to taking the money"). */
const GERUND_OBJECTS = new Set(['the', 'a', 'an', 'his', 'her', 'its', 'their', 'our', 'my', 'your', 'it', 'them', 'him', 'that', 'this', 'these', 'those', 'some', 'about', 'in', 'on', 'to']);

type Evidence = 'that' | 'punctuation' | 'end' | 'after-quotation' | 'infinitive';

interface Hit {
  entry: Required<Omit<VerbEntry, 'reason'>> & { reason?: string };
  form: VerbForm;
}

/** Why the verb is a verb of speech here, or undefined when it is probably not one. */
function evidenceAfter(tokens: readonly Token[], end: number): Evidence | undefined {
  const next = tokens[end];
  if (!next) return 'end';
  if (next.lower === 'that') return 'that';
  if (!next.word) return /^[.,;:!?\u2014\u2013]$/.test(next.text) ? 'punctuation' : undefined;
  // "claimed to have seen", "admitted to lying", "admitted to taking the money" — but not
  // "admitted to hospital" or "complained to broadcasting watchdog Ofcom" (an -ing word used as a noun).
  const after = tokens[end + 1];
  if (next.lower !== 'to' || !after?.word) return undefined;
  if (/^(?:have|be|having|being|know|own)$/.test(after.lower)) return 'infinitive';
  const following = tokens[end + 2];
  if (/ing$/.test(after.lower) && (!following || !following.word || GERUND_OBJECTS.has(following.lower))) return 'infinitive';
  return undefined;
}

/**
 * `"…," he claimed` / `"…?" claimed Lavrov`: a quotation that ends on a comma,
 * question or exclamation mark a few words before the verb. (One that ends on
 * a full stop ends its sentence: the verb belongs to the next one.)
 */
function followsQuotation(analysis: Analysis, range: TextRange, verbStart: number): boolean {
  const masked = analysis.parsed.masked;
  // The last quotation that ends before the verb (quotations are in document order).
  const quotations = analysis.parsed.quotations;
  let low = 0;
  let high = quotations.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (quotations[mid].span.end <= verbStart) low = mid + 1;
    else high = mid;
  }
  for (let i = low - 1; i >= 0 && i >= low - 3; i--) {
    const quotation = quotations[i];
    if (quotation.kind !== 'inline' || quotation.blockIndex !== range.blockIndex || quotation.span.end < verbStart - 80) continue;
    const between = masked.slice(quotation.span.end, verbStart);
    const trailing = /[,!?\u2026]\s*$/.test(masked.slice(quotation.contentSpan.start, quotation.contentSpan.end)) || /^\s*,/.test(between);
    if (trailing && /^[\s,]*(?:[\p{L}\p{M}\p{N}'\u2019.-]+\s+){0,4}$/u.test(between)) return true;
  }
  return false;
}

export default defineRule<Options>({
  id: 'style/attribution-verb',
  category: 'style',
  description: 'A loaded attribution verb ("claimed", "admitted", "insisted", …) where a neutral one ("said") would do.',
  defaultSeverity: 'information',
  scope: 'block',
  options: {
    verbs: {
      type: 'array',
      items: verbEntrySchema,
      description: 'Loaded verbs, by base form, each with an optional neutral suggestion and reason. Setting it replaces the built-in list.',
    },
    additionalVerbs: { type: 'array', items: verbEntrySchema, description: 'Verbs added to `verbs` (keeps the built-in list).' },
    allow: { type: 'array', items: { type: 'string' }, description: 'Base forms never to flag, even when listed ("admit").' },
  },
  defaults: { verbs: DEFAULT_VERBS, additionalVerbs: [], allow: [] },
  docs: `Verbs of attribution carry judgement. "Lavrov *claimed*" tells the reader not to believe him; "the minister *admitted*" says she confessed something; "he *insisted*" paints stubbornness. A neutral verb — *said*, *told*, *wrote* — lets the quotation speak. This rule points out loaded verbs and offers the neutral one in the same form (*claimed* → *said*, *claims* → *says*, *claiming* → *saying*).

Verbs are listed by base form; every form is matched (\`claim\`, \`claims\`, \`claimed\`, \`claiming\`). Built-in: ${DEFAULT_VERBS.map((v) => `*${v.verb}*`).join(', ')}.

**Fires only where the word introduces speech** — followed by *that*, by a quotation, a colon, a comma or the end of the sentence, by *to have*/*to be*/*to …ing*, or a few words after a quotation (\`"We will win," he claimed in a speech\`):

- \`Lavrov claimed that the talks had failed.\`
- \`"We never agreed to this," the minister insisted.\`
- \`She admitted to having met him.\`

**Does not fire on**
- the same word as an adjective or noun: *a claimed record*, *the alleged bribe*, *Russia's alleged interference*, *a self-confessed fan*, *his claims*, *false claims*, *territorial claims*;
- other senses: *he claimed responsibility*, *the storm claimed 12 lives*, *she was admitted to hospital*, *he insisted on a recount*;
- quotations (the speaker's own words: \`he called it "an admitted failure"\`), headings, code, comments, link targets and front matter.

The price of these guards is a few misses: *he claimed the vote was rigged* (no *that*) is not reported. For base and *-s* forms of verbs that are also nouns (*claim*, *boast*, *rant*, …) a subject must come right before: a pronoun, a name, or an auxiliary (*he claims that*, *Lavrov claims that*, *to claim that*).

**Fix**: replaces the verb with the neutral one in the same form, when the verb is followed by *that*, punctuation or a quotation (after *to have*, rewording is needed).

**Options**: \`verbs\` (replaces the list), \`additionalVerbs\` (adds to it), \`allow\` (removes verbs from it), each verb as a base form or \`{ verb, suggestion, reason }\`.

\`\`\`yaml
rules:
  style/attribution-verb:
    severity: warning
    additionalVerbs:
      - { verb: slam, suggestion: criticise, reason: is tabloid hyperbole }
    allow: [reveal]
\`\`\``,
  check({ analysis, options, report, blocks }) {
    const allowed = new Set(options.allow.map((v) => v.trim().toLowerCase()));
    const entries: Hit['entry'][] = [];
    for (const raw of [...options.verbs, ...options.additionalVerbs]) {
      const entry = typeof raw === 'string' ? { verb: raw } : raw;
      const verb = entry.verb.trim().toLowerCase();
      if (!verb || allowed.has(verb) || entries.some((e) => e.verb === verb)) continue;
      entries.push({ verb, suggestion: entry.suggestion?.trim() || 'say', reason: entry.reason });
    }
    const phrases: { phrase: NonNullable<ReturnType<typeof compilePhrase>>; data: Hit }[] = [];
    for (const entry of entries) {
      for (const [spelling, form] of verbForms(entry.verb)) {
        const phrase = compilePhrase(spelling);
        if (phrase) phrases.push({ phrase, data: { entry, form } });
      }
    }
    if (!phrases.length) return;
    const matcher = new PhraseMatcher(phrases);
    const view = styleView(analysis.parsed);
    const masked = analysis.parsed.masked;
    let names: Set<string> | undefined;
    const isName = (token: Token, blockIndex: number, blockStart: number): boolean => {
      if (!isCapitalised(token)) return false;
      if (!startsSentence(masked, token, blockStart)) return true;
      // A capitalised sentence opener is a name when the piece also writes it capitalised mid-sentence.
      blocks?.dependsOnPiece(blockIndex);
      names ??= namesUsedMidSentence(analysis);
      return names.has(token.lower);
    };

    for (const range of blocks ? view.rangesIn(['prose'], blocks.indices) : view.ranges(['prose'])) {
      const tokens = range.tokens;
      const blockStart = analysis.parsed.blocks[range.blockIndex]?.span.start ?? range.start;
      for (const match of matcher.matches(tokens)) {
        const { entry, form } = match.entry.data;
        const prev = tokens[match.first - 1];
        const beforePrev = tokens[match.first - 2];
        // "a claimed record", "the alleged bribe", "self-confessed", "Russia's alleged …" (but "he's claimed").
        if (prev && (DETERMINERS.has(prev.lower) || prev.text === '-')) continue;
        if (prev?.lower === 's' && beforePrev?.text === "'" && !CONTRACTING_PRONOUNS.has(tokens[match.first - 3]?.lower ?? '')) continue;
        if (tokens[match.end]?.text === '-') continue;
        const inverted = followsQuotation(analysis, range, match.start);
        const evidence: Evidence | undefined = evidenceAfter(tokens, match.end) ?? (inverted ? 'after-quotation' : undefined);
        if (!evidence) continue;
        // "details were not revealed.": a passive with nothing reported is not an attribution.
        const beforeNot = prev?.lower === 'not' ? beforePrev : prev;
        if ((evidence === 'punctuation' || evidence === 'end') && !inverted && beforeNot && PERFECT_OR_PASSIVE.has(beforeNot.lower) && !/^ha(?:s|ve|d|ving)$/.test(beforeNot.lower)) continue;
        if ((form === 'base' || form === 'third') && ALSO_NOUNS.has(entry.verb.split(/\s/)[0]) && !inverted) {
          // "to claim that" is a verb; "in response to claims that" is a noun.
          const subject = prev && ((SUBJECTS_AND_AUXILIARIES.has(prev.lower) && !(prev.lower === 'to' && form === 'third')) || /ly$/.test(prev.lower) || isName(prev, range.blockIndex, blockStart));
          if (!subject) continue;
        }
        const written = masked.slice(match.start, match.stop);
        const neutralForm: VerbForm = form === 'past' && prev && PERFECT_OR_PASSIVE.has(prev.lower) ? 'participle' : form;
        const neutral = matchCase(written, inflect(entry.suggestion, neutralForm));
        const fixes: Fix[] | undefined =
          evidence === 'infinitive' || neutral.toLowerCase() === written.toLowerCase()
            ? undefined
            : [{ title: `Replace "${written}" with "${neutral}"`, edits: [{ span: { start: match.start, end: match.stop }, newText: neutral }], isPreferred: true }];
        const why = entry.reason ? ` ${entry.reason}` : ' is loaded';
        report({
          span: { start: match.start, end: match.stop },
          message: `"${written}"${why}; "${neutral}" is neutral.`,
          fixes,
          data: { verb: entry.verb, form, suggestion: neutral },
          blockIndex: range.blockIndex,
        });
      }
    }
  },
});

/**
 * The lower-cased capitalised words a block writes mid-sentence in its prose,
 * each once: kept per block, so the piece's names are a union of summaries.
 */
const NAMES_MID_SENTENCE: BlockSummary<string[]> = {
  name: 'names-mid-sentence',
  summarise(parsed, block) {
    const names = new Set<string>();
    for (const range of styleView(parsed).rangesIn(['prose'], [block.index])) {
      for (const token of range.tokens) {
        if (isCapitalised(token) && !startsSentence(parsed.masked, token, block.span.start)) names.add(token.lower);
      }
    }
    return [...names];
  },
  isSummary: (value): value is string[] => Array.isArray(value) && value.every((name) => typeof name === 'string'),
};

/** Lower-cased capitalised words the piece uses mid-sentence: its names. */
function namesUsedMidSentence(analysis: Analysis): Set<string> {
  const names = new Set<string>();
  for (const summary of analysis.blockSummaries(NAMES_MID_SENTENCE)) for (const name of summary) names.add(name);
  return names;
}
