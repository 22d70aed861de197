import { defineRule } from '../rule';
import { compilePhrase, PhraseMatcher, type Phrase } from '../../style/phrase';
import { styleView } from '../../style/view';

interface Options {
  phrases: string[];
  additionalPhrases: string[];
  allow: string[];
}

const QUANTIFIER = '(some|many|most|several|numerous|countless|various|certain|a number of|a lot of|lots of|plenty of|a few|a growing number of)';
const ADJECTIVE = '(western|foreign|independent|local|leading|prominent|political|military|informed|outside|international|senior|respected|well-placed)?';
const VAGUE_GROUP =
  '(experts|observers|analysts|critics|commentators|pundits|insiders|scholars|historians|economists|specialists|academics|sceptics|skeptics|watchers|diplomats|officials|sources|people|voices|others|researchers|scientists)';
/** Groups that are vague even without a quantifier ("critics say"); "officials said" is ordinary reporting. */
const BARE_GROUP = '(experts|observers|analysts|critics|commentators|pundits|insiders|scholars|historians|economists|specialists|academics|sceptics|skeptics)';
const OPINION =
  '(say|said|believe|believed|think|thought|argue|argued|suggest|suggested|feel|felt|fear|feared|claim|claimed|contend|contended|maintain|maintained|agree|agreed|warn|warned|note|noted|suspect|suspected|insist|insisted|doubt|doubted|point out|pointed out|have said|have argued|have suggested|have noted|have warned|would say|would argue|are convinced|were convinced|worry|worried|reckon|reckoned)';
const PASSIVE = '(said|believed|thought|understood|rumoured|rumored|felt|suggested|argued)';

/** Words for the anonymous groups; a name right after one ("according to analysts Gartner") makes it specific. */
const GROUP_WORDS = new Set((VAGUE_GROUP + '|reports|studies|research|surveys|evidence').replace(/[()]/g, '').split('|'));
/** "The research shows", "this study", "their critics say": a determiner points at a specific, known group. */
const SPECIFIC = new Set(['the', 'this', 'that', 'these', 'those', 'its', 'his', 'her', 'their', 'our', 'my', 'your']);

const DEFAULT_PHRASES = [
  `${QUANTIFIER} (of the)? ${ADJECTIVE} ${VAGUE_GROUP} ${OPINION}`,
  `${ADJECTIVE} ${BARE_GROUP} ${OPINION}`,
  `${QUANTIFIER} (say|said|believe|believed|think|thought|argue|argued|feel|felt|claim|claimed|suggest|suggested|contend|maintain|would say|would argue)`,
  `it (is|was|'s) (widely|generally|often|commonly|long)? ${PASSIVE}`,
  `it (has|had) (long|often|widely)? been ${PASSIVE}`,
  'according to (some|many|most|several|reports|experts|observers|analysts|critics|insiders|sources|some experts|many experts|some observers|many observers)',
  'there are (those|people|some|many) who (say|believe|think|argue|claim|feel|suggest|contend|maintain)',
  '(studies|research|reports|surveys|evidence) (show|shows|suggest|suggests|indicate|indicates|have shown|has shown)',
  '(widely|generally|commonly) (believed|thought|regarded as|seen as|considered|held|accepted)',
];

export default defineRule<Options>({
  id: 'style/weasel-words',
  category: 'style',
  description: 'Vague attribution ("some experts believe", "many observers think", "critics say", "it is said").',
  defaultSeverity: 'warning',
  scope: 'block',
  options: {
    phrases: {
      type: 'array',
      items: { type: 'string' },
      description: 'Phrases to flag, in phrase syntax: words, `(a|b)` alternatives, `(a|b)?` or `(a)?` optional groups. Setting it replaces the built-in list.',
    },
    additionalPhrases: { type: 'array', items: { type: 'string' }, description: 'Phrases added to `phrases` (keeps the built-in list).' },
    allow: { type: 'array', items: { type: 'string' }, description: 'Phrases never to flag even when a listed phrase matches them exactly ("most historians agree").' },
  },
  defaults: { phrases: DEFAULT_PHRASES, additionalPhrases: [], allow: [] },
  docs: `Vague attribution hides who is speaking: *some experts believe*, *many observers think*, *critics say*, *it is said*, *according to reports*, *studies show*. A reader cannot weigh a claim whose owner is anonymous — name the experts, quote them, or cite the article that does.

**Fires on** (built-in phrases, case-insensitive):
- a quantifier, an optional adjective, a group and an opinion verb: *some experts believe*, *many western observers think*, *a number of analysts have suggested*;
- a group alone with an opinion verb: *critics say*, *experts warn*, *historians agree*;
- a quantifier alone with an opinion verb: *some say*, *many believe*;
- impersonal passives: *it is said*, *it is widely believed*, *it's thought*, *it has long been argued*;
- *according to some*, *according to reports*, *there are those who say*, *studies show*, *widely regarded as*.

**Does not fire on**
- named attribution: *analysts at the Carnegie Centre believe*, *critics of the plan, including the mayor, say* (the words in between break the phrase);
- *officials said* without a quantifier (ordinary reporting), *it is thought-provoking* (part of a compound);
- a specific group: *the research shows*, *their critics say*, *according to analysts Gartner* (a name follows);
- quotations (a speaker's own vagueness is theirs), headings, code, comments, link targets and front matter.

A sentence with a citation still fires: the citation tells where the vague words came from, not who holds the view.

**Phrase syntax** (also used by \`style/banned-term\` and team rules): words match whole words, ignoring case, across line breaks and emphasis; \`(a|b|c)\` matches one alternative, each of one or more words; \`(a|b)?\` or \`(a)?\` is optional.

\`\`\`yaml
rules:
  style/weasel-words:
    additionalPhrases: ["(insiders|sources) (close to|familiar with)"]
    allow: ["most historians agree"]
\`\`\``,
  check({ analysis, options, report, blocks }) {
    const compile = (sources: string[]) => sources.map((s) => compilePhrase(s)).filter((p): p is Phrase => p !== undefined);
    const phrases = compile([...options.phrases, ...options.additionalPhrases]);
    if (!phrases.length) return;
    const matcher = new PhraseMatcher(phrases.map((phrase) => ({ phrase, data: phrase.source })));
    const allow = new PhraseMatcher(compile(options.allow).map((phrase) => ({ phrase, data: phrase.source })));
    const masked = analysis.parsed.masked;
    const view = styleView(analysis.parsed);
    for (const range of blocks ? view.rangesIn(['prose'], blocks.indices) : view.ranges(['prose'])) {
      const tokens = range.tokens;
      for (const match of matcher.matches(tokens)) {
        // Part of a hyphenated compound ("it is thought-provoking"): not the phrase.
        if (tokens[match.end]?.text === '-' || tokens[match.first - 1]?.text === '-') continue;
        if (SPECIFIC.has(tokens[match.first - 1]?.lower ?? '')) continue;
        const next = tokens[match.end];
        if (GROUP_WORDS.has(tokens[match.end - 1].lower) && next?.word && next.text[0] !== next.lower[0]) continue;
        const slice = tokens.slice(match.first, match.end);
        if (allow.size && allow.matches(slice).some((m) => m.first === 0 && m.end === slice.length)) continue;
        const written = masked.slice(match.start, match.stop).replace(/\s+/g, ' ');
        report({
          span: { start: match.start, end: match.stop },
          message: `Vague attribution "${written}": say who — name them, quote them or cite them.`,
          data: { phrase: written },
          blockIndex: range.blockIndex,
        });
      }
    }
  },
});
