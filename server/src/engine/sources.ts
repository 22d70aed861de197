/**
 * Loading a source article: its id, metadata and the span that is article text.
 *
 * Layouts understood (SPEC §1 "Sources"):
 * - YAML front matter (`---` … `---` or `...` at the very start) gives `id`,
 *   `title`, `outlet`, `author`, `date`, `url`. Broken YAML is ignored as
 *   metadata but the block is still not article text.
 * - Plain text: a leading `date YYYY-MM-DD` token is the date (the seed
 *   article's style); a short first line followed by a blank line is the
 *   title (BBC style).
 * - Markdown: a leading `# Heading` is the title when front matter has none.
 *
 * `Source.text` is always the file exactly as read (BOM and CRLF included) so
 * that spans stay valid offsets into the file the editor shows.
 */
import { parseDocument } from 'yaml';
import type { Source, SourceMeta, Span } from './types';
import { copyContentKey } from './index-cache';

const META_KEYS = ['title', 'outlet', 'author', 'date', 'url'] as const;
const DATE_TOKEN = /^date[ \t]+(\d{4}-\d{2}-\d{2})(?![\w-])/;
const MAX_TITLE_LENGTH = 200;

/** Builds a `Source` from a file's text. `path` is workspace-relative with forward slashes. */
export function loadSource(uri: string, path: string, text: string): Source {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const meta: SourceMeta = {};
  let id: string | undefined;

  const frontMatter = findFrontMatter(text, pos);
  if (frontMatter) {
    pos = frontMatter.end;
    const data = parseYamlMapping(text.slice(frontMatter.contentStart, frontMatter.contentEnd));
    if (data) {
      id = scalarString(data['id']);
      for (const key of META_KEYS) {
        const value = scalarString(data[key]);
        if (value !== undefined) meta[key] = value;
      }
    }
  }

  if (isMarkdownPath(path)) {
    pos = readMarkdownTitle(text, pos, meta);
  } else {
    pos = readPlainTextHeader(text, pos, meta);
  }

  return { id: id ?? fileStem(path), uri, path, text, body: trimSpan(text, pos, text.length), meta };
}

/** What `loadSource` learns from a file's text besides the text: kept so a source can be set again without reading it (`sourceOnDemand`). */
export interface SourceHeader {
  id: string;
  body: Span;
  meta: SourceMeta;
}

/**
 * A source whose text is read only when something asks for it: its id, body
 * and metadata come from what `loadSource` found in the same file before
 * (a `SourceHeader` kept under the file's content key and path). A warm
 * start restores every corpus product from the cache without reading the
 * text, so a check that asks for no source's words reads no source at all.
 * `readText` must give the text the header was made from.
 */
export function sourceOnDemand(uri: string, path: string, header: SourceHeader, readText: () => string): Source {
  return new SourceReadOnDemand(uri, path, header.id, header.body, header.meta, readText);
}

class SourceReadOnDemand implements Source {
  private loaded: string | undefined;

  constructor(
    readonly uri: string,
    readonly path: string,
    public id: string,
    readonly body: Span,
    readonly meta: SourceMeta,
    private readonly readText: () => string,
  ) {}

  get text(): string {
    return (this.loaded ??= this.readText());
  }

  /** The same source under another id (`resolveSourceIds`): still read on demand, and read once for both. */
  withId(id: string): Source {
    return new SourceReadOnDemand(this.uri, this.path, id, this.body, this.meta, () => this.text);
  }
}

/** A copy of `source` under another id; a source read on demand stays so. */
function withId(source: Source, id: string): Source {
  return source instanceof SourceReadOnDemand ? source.withId(id) : { ...source, id };
}

/** Hoisted: a regular expression literal in a function makes a new RegExp object on every call (here once per source on a warm start). */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * The span the quotation index should cover: the body, plus a plain-text or
 * Markdown title line right before it (a piece may quote a headline). Front
 * matter is never included.
 */
export function quotableSpan(source: Source): Span {
  const title = source.meta.title;
  if (!title) return source.body;
  const at = source.text.lastIndexOf(title, source.body.start - title.length);
  if (at < 0) return source.body;
  // Only when nothing but punctuation and spaces separates title and body (not YAML keys).
  const between = source.text.slice(at + title.length, source.body.start);
  if (LETTER_OR_DIGIT.test(between)) return source.body;
  const frontMatter = findFrontMatter(source.text, source.text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (frontMatter && at < frontMatter.end) return source.body;
  return { start: at, end: source.body.end };
}

/**
 * The stretches of article text the index should read, in order: the
 * quotable span, minus Markdown markup that is not prose in a Markdown source
 * (link and image destinations, autolinks, HTML tags and comments, reference
 * definitions), so a quotation across a link's text still reads as one run.
 */
export function quotableRanges(source: Source): Span[] {
  const span = quotableSpan(source);
  if (!isMarkdownPath(source.path)) return [span];
  const text = source.text.slice(span.start, span.end);
  const markup = /\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)|<[a-z][a-z0-9+.-]*:[^\s<>]*>|<!--[\s\S]*?-->|<\/?[A-Za-z][^<>]*>|^ {0,3}\[[^\]\n]+\]:[^\n]*$/gim;
  const ranges: Span[] = [];
  let from = span.start;
  for (const found of text.matchAll(markup)) {
    const start = span.start + (found.index ?? 0);
    // Keep the "]" of a link: it ends the link text.
    const skipFrom = found[0].startsWith('](') ? start + 1 : start;
    if (skipFrom > from) ranges.push({ start: from, end: skipFrom });
    from = start + found[0].length;
  }
  if (span.end > from) ranges.push({ start: from, end: span.end });
  return ranges;
}

/** Sources whose ids collided, under the id they had before disambiguation. */
export interface IdCollision {
  id: string;
  /** The colliding sources, each with its new, unique id. */
  sources: Source[];
}

export interface ResolvedSources {
  /** Same order as the input; colliding sources are copies with a new id. */
  sources: Source[];
  collisions: IdCollision[];
}

/**
 * Makes source ids unique: every source that shares its id with another gets
 * its path without extension as id (`business/001`), so callers can warn and
 * citations stay unambiguous. Deterministic whatever the input order.
 */
export function resolveSourceIds(sources: readonly Source[]): ResolvedSources {
  // Most corpora have no collision: one pass proves it (a warm start resolves 2,095 ids before the JIT has warmed up).
  const seen = new Set<string>();
  for (const source of sources) {
    if (seen.has(source.id)) return resolveCollisions(sources);
    seen.add(source.id);
  }
  return { sources: [...sources], collisions: [] };
}

function resolveCollisions(sources: readonly Source[]): ResolvedSources {
  const byId = new Map<string, Source[]>();
  for (const source of sources) {
    const group = byId.get(source.id);
    if (group) group.push(source);
    else byId.set(source.id, [source]);
  }

  const taken = new Set<string>();
  for (const [id, group] of byId) if (group.length === 1) taken.add(id);

  const renamed = new Map<Source, Source>();
  const collisions: IdCollision[] = [];
  const collidingIds = [...byId.keys()].filter((id) => byId.get(id)!.length > 1).sort();
  for (const id of collidingIds) {
    const group = [...byId.get(id)!].sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.uri, b.uri));
    const resolved: Source[] = [];
    for (const source of group) {
      const stem = stripExtension(source.path);
      let candidate = stem;
      if (taken.has(candidate) || candidate === '') candidate = source.path || source.uri;
      for (let n = 2; taken.has(candidate); n++) candidate = `${stem}-${n}`;
      taken.add(candidate);
      const copy = withId(source, candidate);
      copyContentKey(source, copy);
      renamed.set(source, copy);
      resolved.push(copy);
    }
    collisions.push({ id, sources: resolved });
  }

  return { sources: sources.map((source) => renamed.get(source) ?? source), collisions };
}

// ---------------------------------------------------------------------------

interface FrontMatter {
  contentStart: number;
  contentEnd: number;
  /** Offset just after the closing delimiter line. */
  end: number;
}

/** `---` on the first line, closed by a `---` or `...` line. Unclosed: not front matter. */
function findFrontMatter(text: string, pos: number): FrontMatter | undefined {
  if (!text.startsWith('---', pos)) return undefined;
  const firstEnd = lineEnd(text, pos);
  if (text.slice(pos + 3, firstEnd).trim() !== '') return undefined;
  const contentStart = nextLine(text, firstEnd);
  let line = contentStart;
  while (line < text.length) {
    const end = lineEnd(text, line);
    const content = text.slice(line, end).trimEnd();
    if (content === '---' || content === '...') return { contentStart, contentEnd: line, end: nextLine(text, end) };
    line = nextLine(text, end);
  }
  return undefined;
}

function parseYamlMapping(yaml: string): Record<string, unknown> | undefined {
  try {
    const doc = parseDocument(yaml, { uniqueKeys: false });
    if (doc.errors.length > 0) return undefined;
    const value: unknown = doc.toJS();
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Malformed front matter is ignored as metadata; the loader never throws.
  }
  return undefined;
}

function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  return undefined;
}

/** Skips a leading `date YYYY-MM-DD` token and a title line; returns where the body starts. */
function readPlainTextHeader(text: string, pos: number, meta: SourceMeta): number {
  let p = skipWhitespace(text, pos);
  let atLineStart = true;
  const date = DATE_TOKEN.exec(text.slice(p, p + 40));
  if (date) {
    meta.date ??= date[1];
    p += date[0].length;
    while (p < text.length && (text[p] === ' ' || text[p] === '\t')) p++;
    // Text right after the date on the same line is article text: no title line then.
    atLineStart = p >= text.length || text[p] === '\n' || text[p] === '\r';
    if (atLineStart) p = skipWhitespace(text, p);
  }
  if (!atLineStart) return p;

  const end = lineEnd(text, p);
  const line = text.slice(p, end).trim();
  const next = nextLine(text, end);
  const nextEnd = lineEnd(text, next);
  const followedByBlank = next < text.length && text.slice(next, nextEnd).trim() === '';
  const rest = skipWhitespace(text, next);
  if (followedByBlank && rest < text.length && looksLikeTitle(line)) {
    meta.title ??= line;
    return rest;
  }
  return p;
}

/** A title is short and does not end like a sentence ("Rivals of the £400 Apple..." is fine). */
function looksLikeTitle(line: string): boolean {
  if (line.length === 0 || line.length > MAX_TITLE_LENGTH) return false;
  if (!LETTER_OR_DIGIT.test(line)) return false;
  if (/(\.\.\.|…)$/.test(line)) return true;
  return !/[.,;:]$/.test(line);
}

function readMarkdownTitle(text: string, pos: number, meta: SourceMeta): number {
  const p = skipWhitespace(text, pos);
  const end = lineEnd(text, p);
  const heading = /^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(text.slice(p, end));
  if (!heading) return p;
  meta.title ??= heading[1];
  return nextLine(text, end);
}

/** Whether a source is read as Markdown (title heading, markup left out of the index) rather than plain text. */
export function isMarkdownPath(path: string): boolean {
  return /\.(md|markdown|mdx)$/i.test(path);
}

function fileStem(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return stripExtension(name) || name;
}

function stripExtension(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(0, dot) : path;
}

function trimSpan(text: string, start: number, end: number): Span {
  let s = start;
  let e = end;
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return { start: s, end: e };
}

function skipWhitespace(text: string, pos: number): number {
  let p = pos;
  while (p < text.length && isSpace(text.charCodeAt(p))) p++;
  return p;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xa0 || c === 0xfeff || c === 0x0c || c === 0x0b;
}

/** Offset of the line break ending the line at `pos` (or the text's end). */
function lineEnd(text: string, pos: number): number {
  const n = text.indexOf('\n', pos);
  const end = n < 0 ? text.length : n;
  return end > pos && text[end - 1] === '\r' ? end - 1 : end;
}

/** Offset of the line after the break at `end`. */
function nextLine(text: string, end: number): number {
  if (text[end] === '\r' && text[end + 1] === '\n') return end + 2;
  return end < text.length ? end + 1 : end;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
