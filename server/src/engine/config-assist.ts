/**
 * Completion and hover inside `.provenance.yml`, from the same JSON Schema
 * VS Code gets (config-schema.ts), for editors without a YAML extension.
 *
 * A config being typed is rarely valid YAML, so the place in the document is
 * read from indentation, not from a parse: the keys of the less-indented
 * lines above the cursor are its path (`rules` → `style/banned-term` →
 * `terms` → a list item). Block style only; inside `{ … }` flow mappings we
 * offer nothing rather than something wrong.
 */
import type { HoverCard, Span } from './types';
import type { JsonSchema } from './schema';
import { configSchema, type ConfigSchema } from './config-schema';
import { escapeMarkdown } from './text';

export interface ConfigCompletion {
  label: string;
  /** `key`: a property name (inserted with `: `); `value`: an enum value or boolean. */
  kind: 'key' | 'value';
  insertText: string;
  /** The text the completion replaces (the partial word before the cursor). */
  replace: Span;
  detail?: string;
  documentation?: string;
}

let cachedSchema: ConfigSchema | undefined;
function schema(): ConfigSchema {
  return (cachedSchema ??= configSchema());
}

interface LineInfo {
  start: number;
  text: string;
  /** Column of the line's content (its key or value), after indentation and any `- `. */
  indent: number;
  listItem: boolean;
  /** Column of the `-` of a list item. */
  dash: number;
  key?: string;
  keySpan?: Span;
  /** Offset just after `key:`. */
  colon?: number;
}

const KEY_LINE = /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s:#'"{[-][^:#]*?|-[^\s:#][^:#]*?)\s*:(?=\s|$)/;

function lineAt(text: string, offset: number): LineInfo {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const endAt = text.indexOf('\n', start);
  return describe(text, start, endAt < 0 ? text.length : endAt);
}

function describe(text: string, start: number, end: number): LineInfo {
  const line = text.slice(start, end).replace(/\r$/, '');
  const lead = /^(\s*)(-\s+)?/.exec(line)!;
  const info: LineInfo = { start, text: line, indent: lead[0].length, listItem: !!lead[2], dash: lead[1].length };
  const match = KEY_LINE.exec(line);
  if (match) {
    const raw = match[3];
    const keyStart = start + match[1].length + (match[2]?.length ?? 0);
    info.key = /^["']/.test(raw) ? raw.slice(1, -1) : raw.trim();
    info.keySpan = { start: keyStart, end: keyStart + raw.length };
    info.colon = start + match[0].length;
  }
  return info;
}

/**
 * Path of keys to the mapping whose entries start at column `indent` on the
 * line at `lineStart`; `[]` marks a list item. A line that is itself a list
 * item (`- term: x`) lives in the item's mapping.
 */
function parentPath(text: string, lineStart: number, indent: number, listItem: boolean, dash: number): string[] {
  const path: string[] = [];
  let limit = indent;
  // While inside a list item: the dash column of its siblings, which are skipped on the way up.
  let siblingDash: number | undefined;
  if (listItem) {
    path.unshift('[]');
    siblingDash = dash;
    limit = dash + 1;
  }
  let end = lineStart - 1;
  while (end >= 0 && limit > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const info = describe(text, start, end);
    end = start - 1;
    const content = info.text.trim();
    if (!content || content.startsWith('#')) continue;
    if (info.listItem && info.dash === siblingDash) continue;
    if (info.indent >= limit) {
      // The first line of the list item whose mapping we are in: `- term: x` above `  replacement: y`.
      if (info.listItem && info.indent === limit && info.dash < limit) {
        path.unshift('[]');
        siblingDash = info.dash;
        limit = info.dash + 1;
      }
      continue;
    }
    if (info.key === undefined) continue;
    path.unshift(info.key);
    if (info.listItem) {
      path.unshift('[]');
      siblingDash = info.dash;
      limit = info.dash + 1;
    } else {
      siblingDash = undefined;
      limit = info.indent;
    }
  }
  return path;
}

/** The object schema behind a possibly `oneOf` schema, or the schema itself. */
function objectVariant(node: JsonSchema | undefined): JsonSchema | undefined {
  if (!node) return undefined;
  if (node.oneOf) return node.oneOf.find((s) => s.type === 'object' || s.properties) ?? node.oneOf[0];
  return node;
}

function arrayVariant(node: JsonSchema | undefined): JsonSchema | undefined {
  if (!node) return undefined;
  if (node.oneOf) return node.oneOf.find((s) => s.type === 'array');
  return node.type === 'array' ? node : undefined;
}

function childSchema(node: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (key === '[]') return arrayVariant(node)?.items;
  const object = objectVariant(node);
  if (!object) return undefined;
  return object.properties?.[key] ?? (typeof object.additionalProperties === 'object' ? object.additionalProperties : undefined);
}

function schemaAt(path: string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema();
  for (const key of path) node = childSchema(node, key);
  return node;
}

function docOf(node: JsonSchema | undefined): string | undefined {
  return node?.markdownDescription ?? node?.description ?? node?.oneOf?.find((s) => s.description)?.description;
}

function enumValues(node: JsonSchema | undefined): unknown[] {
  if (!node) return [];
  if (node.oneOf) return [...new Set(node.oneOf.flatMap(enumValues))];
  if (node.enum) return [...node.enum];
  if (node.type === 'boolean') return [true, false];
  if (node.type === 'array' && node.items) return enumValues(node.items);
  return [];
}

/** Completions at `offset` in the config text: keys at a key position, enum values after `key: ` or `- `. */
export function configCompletions(text: string, offset: number): ConfigCompletion[] {
  const line = lineAt(text, offset);
  const before = text.slice(line.start, offset);
  if (/[{}]/.test(before) || before.includes('#')) return [];
  const partial = /[^\s,[\]:]*$/.exec(before)![0];
  const replace = { start: offset - partial.length, end: offset };
  const values = (node: JsonSchema | undefined): ConfigCompletion[] =>
    enumValues(node).map((value) => ({ label: String(value), kind: 'value' as const, insertText: String(value), replace, detail: docOf(node)?.split('\n')[0] }));
  // Value position: `key: partial` or `key: [a, partial`.
  if (line.colon !== undefined && offset >= line.colon && line.key !== undefined) {
    return values(schemaAt([...parentPath(text, line.start, line.indent, line.listItem, line.dash), line.key]));
  }
  const keyMatch = /^(\s*)(-\s+)?([^\s:#[\]]*)$/.exec(before);
  if (!keyMatch) return [];
  const listItem = !!keyMatch[2];
  const indent = keyMatch[1].length + (keyMatch[2]?.length ?? 0);
  const node = schemaAt(parentPath(text, line.start, indent, listItem, keyMatch[1].length));
  // `- partial` in a list of plain values (scope: [prose, heading]): the values.
  if (listItem && enumValues(node).length) return values(node);
  const siblings = new Set(siblingKeys(text, line.start, indent));
  return Object.entries(objectVariant(node)?.properties ?? {})
    .filter(([key]) => !siblings.has(key))
    .map(([key, child]) => ({
      label: key,
      kind: 'key' as const,
      insertText: `${/[:#{}[\],&*!|>'"%@`]/.test(key) || /^[-?]/.test(key) ? JSON.stringify(key) : key}: `,
      replace,
      detail: docOf(child)?.split('\n')[0],
      documentation: docOf(child),
    }));
}

/** Keys already written at the same indent in the same mapping (not offered again). */
function siblingKeys(text: string, lineStart: number, indent: number): string[] {
  const keys: string[] = [];
  for (const direction of [-1, 1] as const) {
    let at = lineStart;
    for (;;) {
      let start: number;
      let end: number;
      if (direction < 0) {
        if (at === 0) break;
        end = at - 1;
        start = text.lastIndexOf('\n', end - 1) + 1;
      } else {
        const next = text.indexOf('\n', at);
        if (next < 0) break;
        start = next + 1;
        const nextEnd = text.indexOf('\n', start);
        end = nextEnd < 0 ? text.length : nextEnd;
      }
      at = start;
      const info = describe(text, start, end);
      if (!info.text.trim()) continue;
      if (info.indent < indent) break;
      // A list item at this column starts an item: going up it is ours (its key counts), going down the next one.
      if (info.listItem && info.indent === indent) {
        if (direction < 0 && info.key !== undefined) keys.push(info.key);
        break;
      }
      if (info.indent === indent && info.key !== undefined) keys.push(info.key);
    }
  }
  return keys;
}

/** Hover on a key of the config: what the schema says about it. */
export function configHover(text: string, offset: number): HoverCard | undefined {
  const line = lineAt(text, offset);
  if (!line.keySpan || offset < line.keySpan.start || offset > line.keySpan.end || line.key === undefined) return undefined;
  const path = [...parentPath(text, line.start, line.indent, line.listItem, line.dash), line.key];
  const node = schemaAt(path);
  const doc = docOf(node);
  if (!doc) return undefined;
  const values = enumValues(node);
  const allowed = values.length ? `\n\nValues: ${values.map((v) => '`' + String(v) + '`').join(', ')}` : '';
  return { markdown: `**${escapeMarkdown(line.key)}**\n\n${doc}${allowed}`, span: line.keySpan };
}
