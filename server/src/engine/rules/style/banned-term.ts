import { defineRule } from '../rule';
import type { Fix } from '../../types';
import { compilePhrase, fillMessage, matchCase, PhraseMatcher, type PhraseEntry } from '../../style/phrase';
import { styleView, type Scope } from '../../style/view';

interface TermEntry {
  term: string;
  replacement?: string | string[];
  message?: string;
  inQuotations?: boolean;
  inHeadings?: boolean;
  ignoreCase?: boolean;
}

interface Options {
  terms: (string | TermEntry)[];
}

interface Term {
  term: string;
  replacements: string[];
  message?: string;
  scopes: Scope[];
}

export default defineRule<Options>({
  id: 'style/banned-term',
  category: 'style',
  description: 'A term the team banned (`terms: [{ term, replacement?, message? }]`); the quick fix puts in the replacement.',
  defaultSeverity: 'warning',
  scope: 'block',
  options: {
    terms: {
      type: 'array',
      description: 'Banned terms: a phrase, or `{ term, replacement, message, inQuotations, inHeadings, ignoreCase }`.',
      items: {
        oneOf: [
          { type: 'string', description: 'A banned word or phrase (phrase syntax: `(a|b)` alternatives).' },
          {
            type: 'object',
            properties: {
              term: { type: 'string', description: 'The banned word or phrase; matches whole words, ignoring case unless `ignoreCase: false`. `(a|b)` gives alternatives.' },
              replacement: {
                oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
                description: 'What to write instead; a list offers several quick fixes.',
              },
              message: { type: 'string', description: 'Message shown instead of the default; `{match}` and `{replacement}` are filled in.' },
              inQuotations: { type: 'boolean', description: 'Also flag the term inside quotations (reported without a fix: a quotation cannot be reworded).' },
              inHeadings: { type: 'boolean', description: 'Also flag the term in headings.' },
              ignoreCase: { type: 'boolean', description: 'Match regardless of case (default true).' },
            },
            required: ['term'],
            additionalProperties: false,
          },
        ],
      },
    },
  },
  defaults: { terms: [] },
  docs: `Words the team has decided not to use — a loaded label, an outdated spelling, in-house jargon — with what to write instead. The list lives in \`.provenance.yml\`, so the whole team shares it; there is no built-in list.

\`\`\`yaml
rules:
  style/banned-term:
    terms:
      - term: regime
        replacement: government
        message: 'Our style guide reserves "{match}" for dictatorships; use "{replacement}".'
      - { term: Kiev, replacement: Kyiv, ignoreCase: false }
      - { term: "(so-called|so called)", message: 'Drop "{match}": quote the label instead.' }
      - { term: terrorist, inQuotations: true }
      - pundit
\`\`\`

**Matching**: whole words and phrases, ignoring case unless \`ignoreCase: false\`, across line breaks and emphasis (see the phrase syntax in [style/weasel-words](weasel-words.md)). Hyphens and apostrophes separate words, so *regime* matches *regime's* and *pro-regime*, but never *regimen*. Inflections are not guessed: list plurals as their own terms (\`regimes\` → \`governments\`) or as alternatives (\`(regime|regimes)\`) when the replacement fits both.

**Fix**: one quick fix per replacement, keeping the capitalisation of what was written (*Regime* → *Government*, *KIEV* → *KYIV*).

**Does not fire** inside quotations (unless the term says \`inQuotations: true\`, and then without a fix), in headings (unless \`inHeadings: true\`), code, comments, link targets, citation keys, URLs or front matter.`,
  check({ analysis, options, report, blocks }) {
    const entries: PhraseEntry<Term>[] = [];
    for (const raw of options.terms) {
      const entry: TermEntry = typeof raw === 'string' ? { term: raw } : raw;
      const phrase = compilePhrase(entry.term, entry.ignoreCase !== false);
      if (!phrase) continue;
      const scopes: Scope[] = ['prose'];
      if (entry.inQuotations) scopes.push('quotation');
      if (entry.inHeadings) scopes.push('heading');
      const replacements = [entry.replacement ?? []].flat().filter((r) => r.trim());
      entries.push({ phrase, data: { term: entry.term, replacements, message: entry.message, scopes } });
    }
    if (!entries.length) return;
    const view = styleView(analysis.parsed);
    const masked = analysis.parsed.masked;
    // Terms grouped by the scopes they apply to: each group is one pass over those ranges.
    const groups = new Map<string, PhraseEntry<Term>[]>();
    for (const entry of entries) {
      const key = entry.data.scopes.join(',');
      groups.set(key, [...(groups.get(key) ?? []), entry]);
    }
    for (const [key, group] of groups) {
      const matcher = new PhraseMatcher(group);
      const scopes = key.split(',') as Scope[];
      for (const range of blocks ? view.rangesIn(scopes, blocks.indices) : view.ranges(scopes)) {
        for (const match of matcher.matches(range.tokens)) {
          const term = match.entry.data;
          const span = { start: match.start, end: match.stop };
          const written = masked.slice(span.start, span.end);
          const quoted = range.scope === 'quotation';
          const replacement = term.replacements.length ? matchCase(written, term.replacements[0]) : undefined;
          let message = term.message
            ? fillMessage(term.message, { match: written, replacement })
            : `"${written}" is on the team's list of banned terms${replacement ? `; use "${replacement}"` : ''}.`;
          if (quoted) message += ' (Inside a quotation: keep the speaker\'s words or paraphrase.)';
          const fixes: Fix[] | undefined = quoted
            ? undefined
            : term.replacements.map((r, i) => {
                const text = matchCase(written, r);
                return { title: `Replace "${written}" with "${text}"`, edits: [{ span, newText: text }], isPreferred: i === 0 };
              });
          report({ span, message, fixes: fixes?.length ? fixes : undefined, data: { term: term.term, replacements: term.replacements, inQuotation: quoted }, blockIndex: range.blockIndex });
        }
      }
    }
  },
});
