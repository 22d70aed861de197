/**
 * Team configuration (`.provenance.yml`): parsed with positions so every
 * problem is reported at its exact line and column as `config/invalid`, and
 * resolved against the rule registry. A broken file never stops checking:
 * whatever could not be understood falls back to the defaults.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Finding, Severity, SeveritySetting, Span } from './types';
import { validate, suggest, type JsonSchema } from './schema';
import { rules, ruleById } from './rules/index';
import { isTeamRuleId, parseTeamRules, TEAM_RULES_SCHEMA, type TeamRule } from './team-rules';

export const DEFAULT_SOURCES = ['sources/**/*.{md,txt}'];
export const DEFAULT_DOCUMENTS = ['**/*.md'];
export const DEFAULT_ENTITIES = 'entities.yml';
export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

export interface RuleSetting {
  severity: SeveritySetting;
  options: Record<string, unknown>;
}

export interface ResolvedConfig {
  sources: string[];
  documents: string[];
  entities?: string;
  entitiesExplicit: boolean;
  maxFileSize: number;
  rules: Map<string, RuleSetting>;
  /** Team-defined rules (`teamRules`), run after the registry's; ids `team/<name>`. */
  teamRules: TeamRule[];
}

const SEVERITIES: readonly SeveritySetting[] = ['off', 'error', 'warning', 'information', 'hint'];

const globList: JsonSchema = {
  oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
};

/** Top-level keys of the config, with their docs (also written into the JSON Schema). */
export const TOP_LEVEL_SCHEMA: Record<string, JsonSchema> = {
  sources: { ...globList, description: 'Globs of source articles, relative to the workspace root.', default: DEFAULT_SOURCES },
  documents: { ...globList, description: 'Globs of the pieces to check (sources are never checked as pieces).', default: DEFAULT_DOCUMENTS },
  entities: { type: 'string', description: 'Path of the actor/organisation registry.', default: DEFAULT_ENTITIES },
  maxFileSize: { type: 'integer', minimum: 1, description: 'Pieces larger than this many bytes are skipped with one finding.', default: DEFAULT_MAX_FILE_SIZE },
  rules: { type: 'object', description: 'Rule id → severity (`off`, `error`, `warning`, `information`, `hint`) or `{ severity, ...options }`.' },
  teamRules: TEAM_RULES_SCHEMA,
};

export function defaultConfig(): ResolvedConfig {
  const ruleSettings = new Map<string, RuleSetting>();
  for (const rule of rules) ruleSettings.set(rule.id, { severity: rule.defaultSeverity, options: { ...(rule.defaults ?? {}) } });
  return {
    sources: [...DEFAULT_SOURCES],
    documents: [...DEFAULT_DOCUMENTS],
    entities: DEFAULT_ENTITIES,
    entitiesExplicit: false,
    maxFileSize: DEFAULT_MAX_FILE_SIZE,
    rules: ruleSettings,
    teamRules: [],
  };
}

export interface ConfigResult {
  config: ResolvedConfig;
  findings: Finding[];
}

function problem(span: Span, message: string, severity: Severity = 'error'): Finding {
  return { ruleId: 'config/invalid', severity, message, span };
}

/**
 * Marks a problem that makes the file as a whole unreliable (not YAML, not a
 * mapping), as opposed to one setting: an editor may keep the last good config
 * instead (`data.unreadable`).
 */
function unreadable(finding: Finding): Finding {
  return { ...finding, data: { ...finding.data, unreadable: true } };
}

/** Whether the config as a whole could not be read (not YAML, not a mapping): its findings say so in `data.unreadable`. */
export function isUnreadableConfig(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.data?.unreadable === true);
}

/**
 * The visible notice, on the config file, that checking goes on with the
 * config as it was before the errors (an editor keeps the last readable
 * version while the writer types half-valid YAML).
 */
export function keptLastGoodConfigNotice(): Finding {
  return {
    ruleId: 'config/invalid',
    severity: 'information',
    message: 'This file cannot be read as it is, so Provenance keeps checking with its last readable version until it is fixed.',
    span: { start: 0, end: 0 },
    data: { keptLastGoodConfig: true },
  };
}

function spanOf(node: YamlNode | null | undefined, fallback: Span): Span {
  const range = node?.range;
  return range ? { start: range[0], end: Math.max(range[0], range[1]) } : fallback;
}

/** Finds the node at a key path, for positioning a problem found on plain data. */
function nodeAt(root: YamlNode | null, path: (string | number)[], wantKey: boolean): YamlNode | undefined {
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return node as YamlNode;
      if (i === path.length - 1 && wantKey) return pair.key as YamlNode;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
    } else {
      return node as YamlNode;
    }
  }
  return node as YamlNode;
}

/**
 * Parses and resolves a config text. Never throws: every problem becomes a
 * finding on the config file and the affected setting keeps its default.
 */
export function parseConfig(text: string | undefined): ConfigResult {
  const config = defaultConfig();
  if (text === undefined) return { config, findings: [] };
  const findings: Finding[] = [];
  const whole: Span = { start: 0, end: Math.min(text.length, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')) };
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  for (const error of document.errors) {
    const [start, end] = error.pos;
    findings.push(unreadable(problem({ start, end: Math.max(end, start) }, `Config is not valid YAML: ${firstLine(error.message)}. Using defaults for what could not be read.`)));
  }
  for (const warning of document.warnings) {
    const [start, end] = warning.pos;
    findings.push(problem({ start, end: Math.max(end, start) }, `Config: ${firstLine(warning.message)}`, 'warning'));
  }
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (err) {
    findings.push(unreadable(problem(whole, `Config could not be read: ${(err as Error).message}. Using defaults.`)));
    return { config, findings };
  }
  if (data === null || data === undefined) return { config, findings };
  if (typeof data !== 'object' || Array.isArray(data)) {
    findings.push(unreadable(problem(spanOf(document.contents, whole), 'Config must be a mapping of keys (sources, documents, entities, rules, …). Using defaults.')));
    return { config, findings };
  }
  const root = document.contents;
  const at = (path: (string | number)[], wantKey = false) => spanOf(nodeAt(root, path, wantKey), whole);
  const record = data as Record<string, unknown>;

  for (const [key, value] of Object.entries(record)) {
    const schema = TOP_LEVEL_SCHEMA[key];
    if (!schema) {
      findings.push(problem(at([key], true), `Unknown config key "${key}"${suggest(key, Object.keys(TOP_LEVEL_SCHEMA))}; it is ignored.`));
      continue;
    }
    if (key === 'rules' || key === 'teamRules') continue;
    const problems = validate(value, schema, [key]);
    if (problems.length) {
      for (const p of problems) findings.push(problem(at(p.path), `"${p.path.join('.')}": ${p.message}; using the default.`));
      continue;
    }
    switch (key) {
      case 'sources':
      case 'documents': {
        // A path that leaves the workspace is refused here, at its position, and never read.
        const globs = [value as string | string[]].flat();
        config[key] = globs.filter((glob, i) => {
          const escape = leavesWorkspace(glob);
          if (escape) findings.push(problem(at(Array.isArray(value) ? [key, i] : [key]), `"${key}": ${escape}, so it is refused and nothing it names is read.`));
          return !escape;
        });
        break;
      }
      case 'entities': {
        const escape = leavesWorkspace(value as string);
        if (escape) {
          findings.push(problem(at([key]), `"entities": ${escape}, so it is refused and no registry is read.`));
          config.entities = undefined;
          break;
        }
        config.entities = value as string;
        config.entitiesExplicit = true;
        break;
      }
      case 'maxFileSize':
        config.maxFileSize = value as number;
        break;
    }
  }

  const ruleMap = record.rules;
  if (ruleMap !== undefined && ruleMap !== null) {
    if (typeof ruleMap !== 'object' || Array.isArray(ruleMap)) {
      findings.push(problem(at(['rules']), '"rules" must map rule ids to a severity or to { severity, ...options }.'));
    } else {
      for (const [id, value] of Object.entries(ruleMap as Record<string, unknown>)) {
        findings.push(...applyRuleSetting(config, id, value, at));
      }
    }
  }
  const team = parseTeamRules(record.teamRules);
  config.teamRules = team.rules;
  for (const p of team.problems) findings.push(problem(at(p.path, p.atKey), `${p.message}; the rule is ignored.`));
  return { config, findings };
}

function applyRuleSetting(config: ResolvedConfig, id: string, value: unknown, at: (path: (string | number)[], wantKey?: boolean) => Span): Finding[] {
  const rule = ruleById.get(id);
  if (!rule && isTeamRuleId(id)) {
    return [problem(at(['rules', id], true), `"${id}" is a team rule: set its severity in teamRules.${id.slice(5)}.severity; this entry is ignored.`)];
  }
  if (!rule) {
    return [problem(at(['rules', id], true), `Unknown rule "${id}"${suggest(id, [...ruleById.keys()])}; it is ignored.`)];
  }
  const current = config.rules.get(id)!;
  if (typeof value === 'string') {
    if (!SEVERITIES.includes(value as SeveritySetting)) {
      return [problem(at(['rules', id]), `Rule "${id}": severity must be one of ${SEVERITIES.join(', ')}, got "${value}".`)];
    }
    current.severity = value as SeveritySetting;
    return [];
  }
  if (typeof value === 'boolean') {
    current.severity = value ? rule.defaultSeverity : 'off';
    return [];
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [problem(at(['rules', id]), `Rule "${id}": expected a severity or an object with "severity" and options.`)];
  }
  const findings: Finding[] = [];
  const { severity, ...options } = value as Record<string, unknown>;
  if (severity !== undefined) {
    if (typeof severity === 'string' && SEVERITIES.includes(severity as SeveritySetting)) current.severity = severity as SeveritySetting;
    else findings.push(problem(at(['rules', id, 'severity']), `Rule "${id}": severity must be one of ${SEVERITIES.join(', ')}.`));
  }
  const schema: JsonSchema = { type: 'object', properties: rule.options ?? {}, additionalProperties: false };
  const problems = validate(options, schema, ['rules', id]);
  const badKeys = new Set(problems.map((p) => p.path[2]));
  for (const p of problems) {
    findings.push(problem(at(p.path, p.message.startsWith('unknown key')), `Rule "${id}" option ${p.path.slice(2).join('.')}: ${p.message}; using the default.`));
  }
  for (const [key, optionValue] of Object.entries(options)) {
    if (!badKeys.has(key)) current.options[key] = optionValue;
  }
  return findings;
}

/**
 * Why a path or glob from the config would reach outside the workspace
 * (absolute, a drive letter, a `..` segment), or undefined. Negated globs only
 * exclude files, so they are let through.
 */
function leavesWorkspace(glob: string): string | undefined {
  if (glob.startsWith('!')) return undefined;
  if (/^([\\/~]|[A-Za-z]:)/.test(glob)) return `"${glob}" names a place outside the workspace (an absolute or home-folder path)`;
  if (glob.split(/[\\/]/).includes('..')) return `"${glob}" reaches outside the workspace ("..")`;
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
