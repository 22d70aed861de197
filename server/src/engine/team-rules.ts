/**
 * Team-defined rules: house style as data, in `.provenance.yml` under
 * `teamRules`, extending two built-in kinds (Vale's model):
 *
 * - `existence` — flag words or phrases (`tokens`, phrase syntax) or RE2
 *   regular expressions (`patterns`);
 * - `substitution` — `swap: { bad: good }`, with a quick fix.
 *
 * Each rule has a name; its findings carry the rule id `team/<name>`, so the
 * severity, inline disable comments and docs link work as for built-in rules.
 * Nothing here is ever executed: patterns run in re2js, a linear-time engine
 * without backreferences or lookaround, so a workspace config cannot hang the
 * editor (MEASURED.md: `^(a+)+$` on 100,000 characters in 48 ms).
 */
import { RE2JS } from 're2js';
import type { Analysis } from './analysis';
import type { Report } from './rules/rule';
import type { JsonSchema } from './schema';
import { validate } from './schema';
import type { Fix, SeveritySetting } from './types';
import { compilePhrase, fillMessage, matchCase, phraseProblem, PhraseMatcher, type PhraseEntry } from './style/phrase';
import { rangeContaining, SCOPES, styleView, type Scope } from './style/view';

export const TEAM_RULE_PREFIX = 'team/';
/** Lower-case words joined by hyphens, like built-in rule names (and the problem matcher's `[a-z-]+`). */
export const TEAM_RULE_NAME = /^[a-z]+(?:-[a-z]+)*$/;
/** A pattern that matches everywhere should not bury the piece in findings. */
const MAX_FINDINGS_PER_RULE = 500;
const MAX_PATTERN_LENGTH = 2000;

export type TeamRuleKind = 'existence' | 'substitution';

interface Replacement {
  phrase: string;
  replacements: string[];
}

export interface TeamRule {
  name: string;
  /** `team/<name>`. */
  id: string;
  kind: TeamRuleKind;
  severity: SeveritySetting;
  message?: string;
  scopes: Scope[];
  ignoreCase: boolean;
  phrases?: PhraseMatcher<Replacement>;
  patterns: { source: string; regex: RE2JS }[];
}

export function isTeamRuleId(ruleId: string): boolean {
  return ruleId.startsWith(TEAM_RULE_PREFIX);
}

/** A rule's docs page relative to docs/rules/: `quote/misquote.md`, and `team.md` for every team rule. */
export function ruleDocPage(ruleId: string): string {
  return isTeamRuleId(ruleId) ? 'team.md' : `${ruleId}.md`;
}

const severity: JsonSchema = { type: 'string', enum: ['off', 'error', 'warning', 'information', 'hint'], description: 'Severity of the rule\'s findings (default: warning).' };
const scope: JsonSchema = { type: 'string', enum: SCOPES, description: '`prose` (paragraphs, lists, tables), `heading`, or `quotation` (the words inside quotations).' };
const replacement: JsonSchema = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

export const TEAM_RULE_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'A team rule; its findings have the id `team/<name>`.',
  properties: {
    kind: { type: 'string', enum: ['existence', 'substitution'], description: '`existence`: flag `tokens`/`patterns`. `substitution`: flag the keys of `swap` and offer their values.' },
    message: { type: 'string', description: 'The finding\'s message; `{match}` is replaced by the words found, `{replacement}` by the suggestion.' },
    severity,
    scope: { oneOf: [scope, { type: 'array', items: scope }], description: 'Where the rule looks: `prose` (default), `heading`, `quotation`, or a list of them.' },
    ignoreCase: { type: 'boolean', description: 'Match regardless of case (default true).' },
    tokens: { type: 'array', items: { type: 'string' }, description: 'existence: words or phrases to flag (phrase syntax: `(a|b)` alternatives, `(a)?` optional).' },
    patterns: {
      type: 'array',
      items: { type: 'string' },
      description: 'existence: RE2 regular expressions (no backreferences or lookaround; `\\b` is an ASCII word boundary).',
    },
    swap: {
      type: 'object',
      additionalProperties: replacement,
      description: 'substitution: phrase to flag → what to write instead (a string, or a list for several fixes).',
    },
    description: { type: 'string', description: 'What the rule is for (documentation for the team; not shown in findings).' },
  },
  required: ['kind'],
  additionalProperties: false,
};

export const TEAM_RULES_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Team rules by name (lower-case words joined by hyphens): house style as data. Findings have the rule id `team/<name>`.',
  additionalProperties: TEAM_RULE_SCHEMA,
};

export interface TeamRuleProblem {
  /** Key path from the config root. */
  path: (string | number)[];
  message: string;
  /** Point at the key rather than its value. */
  atKey?: boolean;
}

/**
 * Reads the `teamRules` mapping. A rule with any problem is left out (a
 * half-understood rule would report the wrong things); every problem is
 * returned with its path so the config can report it at its line.
 */
export function parseTeamRules(value: unknown): { rules: TeamRule[]; problems: TeamRuleProblem[] } {
  const rules: TeamRule[] = [];
  const problems: TeamRuleProblem[] = [];
  if (value === null || value === undefined) return { rules, problems };
  const typeProblems = validate(value, { type: 'object' }, ['teamRules']);
  if (typeProblems.length) return { rules, problems: typeProblems.map((p) => ({ ...p, message: `"teamRules" must map rule names to rules: ${p.message}` })) };
  for (const [name, definition] of Object.entries(value as Record<string, unknown>)) {
    const path = ['teamRules', name];
    const own: TeamRuleProblem[] = [];
    if (!TEAM_RULE_NAME.test(name)) {
      own.push({ path, atKey: true, message: `Team rule name "${name}" must be lower-case words joined by hyphens (like "no-jargon"); it becomes the rule id team/${name}` });
    }
    const schemaProblems = validate(definition, TEAM_RULE_SCHEMA, path);
    for (const p of schemaProblems) {
      const unknownKey = p.message.startsWith('unknown key');
      own.push({ path: p.path, atKey: unknownKey, message: `Team rule "${name}" ${p.path.slice(2).join('.') || 'definition'}: ${p.message}` });
    }
    if (!schemaProblems.length) {
      const rule = buildRule(name, definition as Record<string, unknown>, own);
      if (rule && !own.length) rules.push(rule);
    }
    problems.push(...own);
  }
  return { rules, problems };
}

function buildRule(name: string, d: Record<string, unknown>, problems: TeamRuleProblem[]): TeamRule | undefined {
  const path = ['teamRules', name];
  const kind = d.kind as TeamRuleKind;
  const ignoreCase = d.ignoreCase !== false;
  const tokens = (d.tokens as string[] | undefined) ?? [];
  const patternSources = (d.patterns as string[] | undefined) ?? [];
  const swap = (d.swap as Record<string, string | string[]> | undefined) ?? {};
  const say = (where: (string | number)[], message: string, atKey = false) => problems.push({ path: [...path, ...where], message: `Team rule "${name}": ${message}`, atKey });

  if (kind === 'existence') {
    if (d.swap !== undefined) say(['swap'], '"swap" belongs to substitution rules; an existence rule lists "tokens" or "patterns"', true);
    if (!tokens.length && !patternSources.length) say(['kind'], 'an existence rule needs "tokens" or "patterns" to look for');
  } else {
    if (d.tokens !== undefined) say(['tokens'], '"tokens" belongs to existence rules; a substitution rule lists "swap: { flagged: replacement }"', true);
    if (d.patterns !== undefined) say(['patterns'], '"patterns" belongs to existence rules; a substitution rule lists "swap: { flagged: replacement }"', true);
    if (!Object.keys(swap).length) say(['kind'], 'a substitution rule needs "swap: { flagged: replacement }"');
  }

  const entries: PhraseEntry<Replacement>[] = [];
  tokens.forEach((token, i) => {
    const problem = phraseProblem(token);
    if (problem) return say(['tokens', i], `token "${token}" ${problem}`);
    entries.push({ phrase: compilePhrase(token, ignoreCase)!, data: { phrase: token, replacements: [] } });
  });
  for (const [flagged, replacement] of Object.entries(swap)) {
    const problem = phraseProblem(flagged);
    if (problem) {
      say(['swap', flagged], `"${flagged}" ${problem}`, true);
      continue;
    }
    entries.push({ phrase: compilePhrase(flagged, ignoreCase)!, data: { phrase: flagged, replacements: [replacement].flat().filter((r) => r.trim()) } });
  }

  const patterns: TeamRule['patterns'] = [];
  patternSources.forEach((source, i) => {
    const problem = patternProblem(source);
    if (problem) return say(['patterns', i], problem);
    try {
      // MULTILINE: `^` and `$` are line anchors, as a writer reading the piece line by line expects.
      patterns.push({ source, regex: RE2JS.compile(source, RE2JS.MULTILINE | (ignoreCase ? RE2JS.CASE_INSENSITIVE : 0)) });
    } catch (err) {
      say(['patterns', i], `pattern is not a valid RE2 regular expression: ${(err as Error).message.replace(/^error parsing regexp: /, '')}`);
    }
  });

  const scopeSetting = d.scope as Scope | Scope[] | undefined;
  const scopes = scopeSetting === undefined ? (['prose'] as Scope[]) : [...new Set([scopeSetting].flat())];
  if (!scopes.length) say(['scope'], 'scope must name at least one of prose, heading, quotation');
  return {
    name,
    id: TEAM_RULE_PREFIX + name,
    kind,
    severity: (d.severity as SeveritySetting | undefined) ?? 'warning',
    message: d.message as string | undefined,
    scopes,
    ignoreCase,
    phrases: entries.length ? new PhraseMatcher(entries) : undefined,
    patterns,
  };
}

/**
 * Constructs re2js does not have, named plainly (its own messages for them
 * are cryptic, e.g. "invalid named capture" for a lookbehind).
 */
export function patternProblem(source: string): string | undefined {
  if (source.length > MAX_PATTERN_LENGTH) return `pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `pattern uses a backreference "\\${next}", which team patterns do not support (they run in linear time); list the repeated words as tokens instead`;
      if (!inClass && next === 'k' && source[i + 2] === '<') return 'pattern uses a named backreference "\\k<…>", which team patterns do not support (they run in linear time)';
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      if (source[i + 1] === ']') i++;
      continue;
    }
    if (ch === '(' && source[i + 1] === '?') {
      const look = source.slice(i + 2, i + 4);
      if (look.startsWith('<=') || look.startsWith('<!')) return `pattern uses a lookbehind "(?${look}", which team patterns do not support (they run in linear time); match the surrounding words instead`;
      if (look.startsWith('=') || look.startsWith('!')) return `pattern uses a lookahead "(?${look[0]}", which team patterns do not support (they run in linear time); match the following words instead`;
    }
  }
  return undefined;
}

/** Runs one team rule over a piece. */
export function checkTeamRule(analysis: Analysis, rule: TeamRule, report: (report: Report) => void): void {
  const view = styleView(analysis.parsed);
  const masked = analysis.parsed.masked;
  const ranges = view.ranges(rule.scopes);
  let count = 0;
  const emit = (start: number, end: number, quoted: boolean, replacements: string[]) => {
    const written = masked.slice(start, end);
    const replacement = replacements.length ? matchCase(written, replacements[0]) : undefined;
    const fallback = rule.kind === 'substitution' && replacement ? `Use "{replacement}" instead of "{match}".` : `"{match}" goes against the team's style (${rule.id}).`;
    const span = { start, end };
    const fixes: Fix[] = quoted
      ? []
      : replacements.map((r, i) => {
          const text = matchCase(written, r);
          return { title: `Replace "${written}" with "${text}"`, edits: [{ span, newText: text }], isPreferred: i === 0 };
        });
    report({
      span,
      message: fillMessage(rule.message ?? fallback, { match: written.replace(/\s+/g, ' '), replacement }),
      fixes: fixes.length ? fixes : undefined,
      data: { teamRule: rule.name, match: written, replacements, inQuotation: quoted },
    });
    count++;
  };
  if (rule.phrases) {
    for (const range of ranges) {
      for (const match of rule.phrases.matches(range.tokens)) {
        if (count >= MAX_FINDINGS_PER_RULE) return;
        emit(match.start, match.stop, range.scope === 'quotation', match.entry.data.replacements);
      }
    }
  }
  if (!rule.patterns.length || !ranges.length) return;
  const text = view.blanked(rule.scopes);
  for (const { regex } of rule.patterns) {
    const matcher = regex.matcher(text);
    let from = 0;
    while (from <= text.length && matcher.find(from)) {
      const start = matcher.start();
      const end = matcher.end();
      from = end > start ? end : end + 1;
      if (end === start || !masked.slice(start, end).trim()) continue;
      const range = rangeContaining(ranges, { start, end });
      if (!range) continue;
      if (count >= MAX_FINDINGS_PER_RULE) return;
      emit(start, end, range.scope === 'quotation', []);
    }
  }
}

/** The generated page docs/rules/team.md explains team rules; every `team/<name>` finding links to it. */
export const TEAM_RULES_DOCS = `Teams write their own style rules as data in \`.provenance.yml\`, under \`teamRules\`. Each rule has a name; its findings carry the rule id \`team/<name>\` and link to this page. Nothing in a team rule is executed: words and phrases are matched as words, and regular expressions run in a linear-time engine (RE2).

\`\`\`yaml
# .provenance.yml
teamRules:
  no-hedging:                      # findings: team/no-hedging
    kind: existence
    message: 'Cut "{match}": say it or leave it out.'
    tokens: [arguably, "to some extent", "(it seems|it appears) that"]
    patterns: ['\\bper ?cent\\b']
    severity: information
  house-spellings:                 # findings: team/house-spellings
    kind: substitution
    swap:
      Kiev: Kyiv
      "(e-mail|e mail)": email
      regime: [government, administration]
    scope: [prose, heading]
    ignoreCase: false
\`\`\`

## Keys

| key | for | meaning |
|---|---|---|
| \`kind\` | both | \`existence\` flags what it finds; \`substitution\` flags each key of \`swap\` and offers its value as a quick fix |
| \`tokens\` | existence | words or phrases to flag (phrase syntax below) |
| \`patterns\` | existence | RE2 regular expressions; no backreferences (\`\\1\`), lookahead or lookbehind — such a pattern is reported as \`config/invalid\` at its line. \`^\` and \`$\` match at line starts and ends (list and quote markers count as spaces); \`\\b\` is an ASCII word boundary: for words with accents use \`tokens\` |
| \`swap\` | substitution | phrase → replacement (a string, or a list: one quick fix each); the replacement takes the capitalisation of what was written |
| \`message\` | both | the finding's message: \`{match}\` becomes the words found, \`{replacement}\` the first replacement |
| \`scope\` | both | where to look: \`prose\` (default: paragraphs, lists, tables), \`heading\`, \`quotation\` (the words inside quotations; reported without a fix, as a quotation cannot be reworded), or a list |
| \`severity\` | both | \`error\`, \`warning\` (default), \`information\`, \`hint\` or \`off\` |
| \`ignoreCase\` | both | match regardless of case (default \`true\`) |
| \`description\` | both | a note for the team; not shown in findings |

A rule name is lower-case words joined by hyphens (\`no-hedging\`). A rule with a problem — an unknown key, a \`swap\` in an existence rule, a pattern RE2 cannot run — is reported at its line as \`config/invalid\` and left out; the other rules keep working.

## Phrase syntax

Words match whole words, regardless of case (unless \`ignoreCase: false\`), across line breaks and emphasis: \`to some extent\` matches "to *some*\\nextent" but not "to some, extent". \`(a|b|c)\` matches one alternative (each may be several words), \`(a|b)?\` or \`(a)?\` is optional. Hyphens and apostrophes separate words: \`Kiev\` also matches "Kiev's" and "pro-Kiev".

## Where rules look

Never inside code, HTML comments, link targets, citation keys, URLs or front matter. \`prose\` excludes quotations and headings; a rule looks there only when its \`scope\` says so. A phrase never spans a quotation's boundary.

## Turning a rule off

Set \`severity: off\` in its definition, or silence one place with \`<!-- provenance-disable-next-line team/no-hedging -->\` (or a \`provenance-disable\` … \`provenance-enable\` range).

A pattern that matches almost everything is cut off after ${MAX_FINDINGS_PER_RULE} findings per piece.`;
