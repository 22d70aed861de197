/**
 * The team's actor registry (`entities.yml`, SPEC §1): a list of
 * `{ id, name, type, aliases, acronym, role, description, links }`. Parsed with
 * positions so each problem is a `config/invalid` finding at its line and
 * column; a broken entry is skipped, the others still apply. The registry
 * wins over what is learnt from the sources (entities/knowledge.ts).
 */
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import type { Finding, Severity, Span } from './types';
import { validate, suggest, type JsonSchema } from './schema';
import type { EntityLink } from './entities/knowledge';
import type { EntityType } from './entities/extract';

export interface RegistryAlias {
  name: string;
  /** A spelling the team does not want: style/name-variant flags it. */
  discouraged: boolean;
}

export interface RegistryEntry {
  id: string;
  name: string;
  type?: EntityType;
  aliases: RegistryAlias[];
  acronym?: string;
  role?: string;
  description?: string;
  links: EntityLink[];
  /** The entry in the registry file (go to definition lands here). */
  span: Span;
}

export interface RegistryResult {
  entries: RegistryEntry[];
  findings: Finding[];
}

export const ENTITY_TYPES: readonly EntityType[] = ['person', 'organisation', 'place', 'media'];

const aliasSchema: JsonSchema = {
  oneOf: [
    { type: 'string' },
    {
      type: 'object',
      properties: {
        name: { type: 'string', description: 'The alias as written.' },
        discouraged: { type: 'boolean', description: 'A spelling the team does not want (style/name-variant flags it).' },
        note: { type: 'string', description: 'Why (shown in the finding).' },
      },
      required: ['name'],
      additionalProperties: false,
    },
  ],
};

/** One registry entry; the same object is written into schemas/entities.schema.json. */
export const ENTRY_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Stable id, unique in the registry (e.g. `sergey-lavrov`).' },
    name: { type: 'string', description: 'Canonical spelling of the name.' },
    type: { type: 'string', enum: ENTITY_TYPES, description: 'What the entity is.' },
    aliases: { type: 'array', items: aliasSchema, description: 'Other names: surnames, earlier names, spellings (mark unwanted ones `discouraged: true`).' },
    acronym: { type: 'string', description: 'Acronym of an organisation (`EAEU`).' },
    role: { type: 'string', description: 'Role or title shown on hover (`Russian Minister of Foreign Affairs`).' },
    description: { type: 'string', description: 'One line shown on hover.' },
    links: {
      oneOf: [
        { type: 'object', additionalProperties: { type: 'string' } },
        { type: 'array', items: { type: 'string' } },
      ],
      description: 'Links: a map such as `{ wikidata: Q123, website: https://… }`, or a list of URLs and Wikidata ids.',
    },
  },
  required: ['id', 'name'],
  additionalProperties: false,
};

function problem(span: Span, message: string, severity: Severity = 'error'): Finding {
  return { ruleId: 'config/invalid', severity, message, span };
}

function spanOf(node: unknown, fallback: Span): Span {
  const range = (node as YamlNode | undefined)?.range;
  return range ? { start: range[0], end: Math.max(range[0], range[1]) } : fallback;
}

function nodeAt(root: unknown, path: (string | number)[], wantKey: boolean): unknown {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return node;
      if (i === path.length - 1 && wantKey) return pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      node = node.items[step];
    } else {
      return node;
    }
  }
  return node;
}

/** A link value → a safe http(s) URL, or undefined. Wikidata ids become their page. */
export function linkUrl(value: string): string | undefined {
  const trimmed = value.trim();
  if (/^Q[1-9]\d*$/.test(trimmed)) return `https://www.wikidata.org/wiki/${trimmed}`;
  try {
    const url = new URL(trimmed);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function linkLabel(key: string | undefined, value: string): string {
  if (key) return /^wiki(data|pedia)$/i.test(key) ? key[0].toUpperCase() + key.slice(1).toLowerCase() : key;
  if (/^Q\d+$/.test(value.trim())) return 'Wikidata';
  try {
    return new URL(value).hostname.replace(/^www\./, '');
  } catch {
    return value;
  }
}

/** Parses `entities.yml`. Never throws. `text === undefined` = no registry. */
export function parseRegistry(text: string | undefined): RegistryResult {
  if (text === undefined) return { entries: [], findings: [] };
  const findings: Finding[] = [];
  const whole: Span = { start: 0, end: Math.max(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')) };
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true });
  for (const error of document.errors) {
    const [start, end] = error.pos;
    findings.push(problem({ start, end: Math.max(start, end) }, `Entity registry is not valid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}; no entry is used until it is fixed.`));
  }
  // A syntax error makes the rest guesswork: report it alone rather than a cascade of follow-on problems.
  if (document.errors.length) return { entries: [], findings };
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (err) {
    findings.push(problem(whole, `Entity registry could not be read: ${(err as Error).message}.`));
    return { entries: [], findings };
  }
  if (data === null || data === undefined) return { entries: [], findings };
  const root = document.contents;
  if (!Array.isArray(data)) {
    findings.push(problem(spanOf(root, whole), 'The entity registry must be a list of entries: `- id: …, name: …, type: person|organisation|place|media`.'));
    return { entries: [], findings };
  }
  const at = (path: (string | number)[], wantKey = false) => spanOf(nodeAt(root, path, wantKey), whole);
  const entries: RegistryEntry[] = [];
  const ids = new Map<string, number>();
  const names = new Map<string, string>();
  data.forEach((item, index) => {
    const problems = validate(item, ENTRY_SCHEMA, [index]);
    if (problems.length) {
      for (const p of problems) {
        const unknownKey = p.message.startsWith('unknown key');
        const typo = p.path[1] === 'type' && typeof (item as Record<string, unknown>)?.type === 'string' ? suggest(String((item as Record<string, unknown>).type), ENTITY_TYPES) : '';
        findings.push(problem(at(p.path, unknownKey), `Entity ${index + 1}${p.path.length > 1 ? ` "${p.path.slice(1).join('.')}"` : ''}: ${p.message}${typo}; the entry is ignored.`));
      }
      return;
    }
    const record = item as Record<string, unknown>;
    const id = String(record.id);
    if (ids.has(id)) {
      findings.push(problem(at([index, 'id']), `Duplicate entity id "${id}" (also entry ${ids.get(id)! + 1}); this entry is ignored.`));
      return;
    }
    ids.set(id, index);
    const name = String(record.name).trim();
    if (!name) {
      findings.push(problem(at([index, 'name']), `Entity "${id}": name is empty; the entry is ignored.`));
      return;
    }
    const nameKey = name.toLowerCase();
    if (names.has(nameKey)) findings.push(problem(at([index, 'name']), `Entity "${id}" has the same name as "${names.get(nameKey)}"; hover and references will use the first.`, 'warning'));
    else names.set(nameKey, id);
    const aliases: RegistryAlias[] = ((record.aliases as unknown[] | undefined) ?? []).map((alias) =>
      typeof alias === 'string' ? { name: alias.trim(), discouraged: false } : { name: String((alias as Record<string, unknown>).name).trim(), discouraged: (alias as Record<string, unknown>).discouraged === true },
    );
    const links: EntityLink[] = [];
    const rawLinks = record.links;
    const pairs: Array<[string | undefined, unknown, (string | number)[]]> = Array.isArray(rawLinks)
      ? rawLinks.map((v, i) => [undefined, v, [index, 'links', i]])
      : rawLinks && typeof rawLinks === 'object'
        ? Object.entries(rawLinks as Record<string, unknown>).map(([k, v]) => [k, v, [index, 'links', k]])
        : [];
    for (const [key, value, path] of pairs) {
      const url = linkUrl(String(value));
      if (!url) {
        findings.push(problem(at(path), `Entity "${id}": link "${String(value)}" is neither an http(s) URL nor a Wikidata id (Q…); it is not shown.`, 'warning'));
        continue;
      }
      links.push({ label: linkLabel(key, String(value)), url });
    }
    const entrySpan = spanOf(nodeAt(root, [index, 'name'], false), whole);
    entries.push({
      id,
      name,
      type: record.type as EntityType | undefined,
      aliases: aliases.filter((a) => a.name),
      acronym: typeof record.acronym === 'string' ? record.acronym.trim() || undefined : undefined,
      role: typeof record.role === 'string' ? record.role.trim() || undefined : undefined,
      description: typeof record.description === 'string' ? record.description.trim() || undefined : undefined,
      links,
      span: entrySpan,
    });
  });
  return { entries, findings };
}
