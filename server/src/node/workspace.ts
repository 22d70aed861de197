/**
 * File-system side of a workspace, shared by the CLI and the language server:
 * find the config, list sources and pieces by the config's globs, read files
 * safely (size cap, binary detection, invalid UTF-8) and feed the engine.
 * The engine itself never touches the file system.
 */
import crypto = require('node:crypto');
import fs = require('node:fs');
import { isAscii, isUtf8 } from 'node:buffer';
import path = require('node:path');
import { pathToFileURL, fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import type { Engine } from '../engine/api';
import type { Finding } from '../engine/types';
import { checksCacheFile, indexCacheFile, readIndexCache, writeIndexCache } from './index-cache-file';

export const CONFIG_NAMES = ['.provenance.yml', '.provenance.yaml', '.provenance.json'];
/** Always skipped when listing files: dependencies and dot-folders. */
export const ALWAYS_IGNORED = ['**/node_modules/**', '**/.*/**'];

export type ReadResult =
  /** `key`: for a source, `sourceFileKey` of the bytes the text was decoded from (`Engine.setSource`'s `contentKey`). */
  | { ok: true; text: string; bytes: number; key?: string }
  | { ok: false; reason: 'binary' | 'too-large' | 'unreadable'; message: string; bytes?: number };

type Refusal = Extract<ReadResult, { ok: false }>;

/** Reads a text file; refuses binaries (NUL in the first 8,000 bytes) and files above `maxBytes`. */
export function readTextFile(file: string, maxBytes: number): ReadResult {
  const read = readFileBytes(file, maxBytes);
  return read instanceof Uint8Array ? decodeText(read, file) : read;
}

/**
 * A source file read as `readTextFile` reads it, with the key of its bytes
 * (`sourceFileKey`) for `Engine.setSource`.
 */
export function readSourceFile(file: string, maxBytes: number): ReadResult {
  const read = readFileBytes(file, maxBytes);
  return read instanceof Uint8Array ? withKey(decodeText(read, file), read) : read;
}

/**
 * The content key `Engine.setSource` takes for a source decoded from these
 * bytes: their SHA-1, made natively. The engine otherwise hashes each
 * source's text itself, in every thread that loads the sources: ~25 ms for
 * the 2,095 BBC articles, against ~5 ms for this, the largest part of a warm
 * start's quotation index. The same bytes always decode to the same text, so
 * equal keys mean equal texts.
 */
export function sourceFileKey(bytes: Uint8Array): string {
  return hashSha1(bytes);
}

const hashSha1: (bytes: Uint8Array | string) => string =
  typeof crypto.hash === 'function' ? (bytes) => crypto.hash('sha1', bytes, 'hex') : (bytes) => crypto.createHash('sha1').update(bytes).digest('hex');

/**
 * The engine's hash of long texts (EngineOptions.hashLongText): SHA-1, made
 * natively. Every Node embedder passes it, so the kept answers one thread
 * writes are found by the others.
 */
export function hashLongText(text: string): string {
  return hashSha1(text);
}

/** A file's bytes (a view valid until the next read), or why it cannot be read (not a file, above `maxBytes`, an error). */
export function readFileBytes(file: string, maxBytes: number, seen?: (stat: fs.Stats) => void): Uint8Array | Refusal {
  // One open, fstat, read(s), close into a reused buffer: a workspace reads thousands of small
  // sources, and stat + readFileSync (a fresh buffer, more syscalls) cost ~20% more CPU (measured on 2,095 BBC files).
  // Non-blocking, so that opening a FIFO that merely looks like a source cannot hang the reader.
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') return { ok: false, reason: 'unreadable', message: `${file} is not a file` };
    return { ok: false, reason: 'unreadable', message: `cannot read ${file}: ${(err as Error).message}` };
  }
  try {
    const stat = fs.fstatSync(fd);
    seen?.(stat);
    if (!stat.isFile()) return { ok: false, reason: 'unreadable', message: `${file} is not a file` };
    if (stat.size > maxBytes) {
      return {
        ok: false,
        reason: 'too-large',
        bytes: stat.size,
        message: `${file} is ${formatBytes(stat.size)}, above the ${formatBytes(maxBytes)} limit (maxFileSize); skipped`,
      };
    }
    return readAll(fd, stat.size);
  } catch (err) {
    return { ok: false, reason: 'unreadable', message: `cannot read ${file}: ${(err as Error).message}` };
  } finally {
    fs.closeSync(fd);
  }
}

/** Read buffer kept between files up to this size; larger files get their own. */
const REUSED_READ_BYTES = 1024 * 1024;
let readBuffer = Buffer.allocUnsafe(64 * 1024);

/** The file's bytes (until end of file, even if it grew since `fstat`); a view valid until the next read. */
function readAll(fd: number, sizeHint: number): Uint8Array {
  // One byte of room beyond the size, so the read that finds the end needs no second buffer.
  let buffer = sizeHint + 1 <= readBuffer.length ? readBuffer : Buffer.allocUnsafe(sizeHint + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      const larger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  if (buffer !== readBuffer && buffer.length <= REUSED_READ_BYTES && buffer.length > readBuffer.length) readBuffer = buffer;
  return buffer.subarray(0, length);
}

/**
 * UTF-8 bytes as text, exactly as `new TextDecoder('utf-8').decode` gives it
 * (a leading byte order mark dropped, each invalid sequence one U+FFFD), but
 * through Buffer's decoder: in a fresh thread, TextDecoder's first thousands
 * of calls cost several times more (18 against 3 ms on 2,095 sources).
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // U+FEFF first can only come from the bytes EF BB BF first: the mark TextDecoder drops.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Decodes bytes as UTF-8 text, or says why it is not text. Invalid sequences become U+FFFD. */
export function decodeText(buffer: Uint8Array, name: string): ReadResult {
  const probe = buffer.subarray(0, 8000);
  if (probe.includes(0)) {
    return { ok: false, reason: 'binary', bytes: buffer.length, message: `${name} looks binary (NUL byte in its first 8,000 bytes); skipped` };
  }
  return { ok: true, text: decodeUtf8(buffer), bytes: buffer.length };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** Walks up from `startDir` to find the nearest config file. */
export function findConfigFile(startDir: string, stopAt?: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
    if (stopAt && path.resolve(stopAt) === dir) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function toUri(file: string): string {
  return pathToFileURL(file).href;
}

export function fromUri(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/** Path relative to root with forward slashes. */
export function relativePath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** A relative path of plain segments: URL-safe characters, none of them empty, `.` or `..`. */
const PLAIN_RELATIVE = /^(?!\.\.?(?:\/|$))[\w.-]+(?:\/(?!\.\.?(?:\/|$))[\w.-]+)*$/;

/**
 * `toUri(file)` and `relativePath(root, file)` for many files under one root:
 * a file under the resolved root whose relative path is plain (PLAIN_RELATIVE)
 * gets the root's uri plus that path, the same strings at a fraction of the
 * cost (URL parsing and path resolution per file were ~40 ms of each CLI
 * thread's load of 2,095 sources); any other file the long way.
 */
export function fileNamer(root: string): (file: string) => { uri: string; path: string } {
  const resolved = path.resolve(root);
  const prefix = resolved.endsWith(path.sep) ? resolved : resolved + path.sep;
  const rootUri = toUri(prefix);
  return (file) => {
    if (file.startsWith(prefix)) {
      const rest = file.slice(prefix.length);
      const rel = path.sep === '/' ? rest : rest.split(path.sep).join('/');
      if (PLAIN_RELATIVE.test(rel)) return { uri: rootUri + rel, path: rel };
    }
    return { uri: toUri(file), path: relativePath(root, file) };
  };
}

/**
 * A glob is refused when it could reach outside the workspace: absolute paths
 * and `..` segments. Returns a message for each refused glob.
 */
export function unsafeGlobs(globs: readonly string[]): string[] {
  return globs
    .filter((g) => path.isAbsolute(g) || /^[A-Za-z]:/.test(g) || g.split(/[\\/]/).includes('..'))
    .map((g) => `glob "${g}" reaches outside the workspace and is ignored`);
}

/**
 * Lists files under root matching globs (`!glob` excludes), sorted. Walks only
 * the folders the globs can reach (from each glob's static prefix), never
 * enters node_modules or dot-folders, and never follows a symlinked folder; a
 * symlinked file counts only when its target is inside the workspace (the
 * others are added to `refused`, when given, so the caller can say so).
 *
 * Our own walk rather than a glob library: the one we had bundles an ES module
 * that needs `import.meta.url`, which a CommonJS bundle does not have.
 */
export function listFiles(root: string, globs: readonly string[], ignore: readonly string[] = [], refused?: string[]): string[] {
  const safe = globs.filter((g) => !unsafeGlobs([g]).length).map((g) => g.replace(/^(!?)(\.\/)+/, '$1'));
  const positive = safe.filter((g) => !g.startsWith('!'));
  if (!positive.length) return [];
  const negative = [...safe.filter((g) => g.startsWith('!')).map((g) => g.slice(1)), ...ignore];
  const included = globTest(positive, { dot: false });
  const excluded = negative.length ? globTest(negative, { dot: true }) : () => false;
  const realRoot = safeRealpath(root) ?? root;
  const found = new Set<string>();

  const consider = (rel: string, symlink: boolean, absolute?: string) => {
    if (!included(rel) || excluded(rel)) return;
    const file = absolute ?? path.join(root, rel);
    if (symlink) {
      const real = safeRealpath(file);
      if (real === undefined || !(real === realRoot || real.startsWith(realRoot + path.sep))) {
        if (real !== undefined) refused?.push(file);
        return;
      }
      try {
        if (!fs.statSync(file).isFile()) return;
      } catch {
        return;
      }
    }
    found.add(file);
  };

  const walk = (relDir: string) => {
    const dir = path.join(root, relDir);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    // A file's path is its folder's plus its name (which holds no separator and is not a dot name):
    // what path.join would give, without its normalising, the walk's largest cost per file.
    const dirPrefix = dir === '.' ? '' : dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(rel);
      } else if (entry.isFile()) consider(rel, false, dirPrefix + entry.name);
      else if (entry.isSymbolicLink()) consider(rel, true, dirPrefix + entry.name);
    }
  };

  for (const base of walkBases(positive)) {
    const segments = base.split('/');
    // A base inside node_modules or a dot-folder is never listed (same rule as the walk).
    if (segments.some((segment) => segment === 'node_modules' || segment.startsWith('.'))) continue;
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(path.join(root, base));
    } catch {
      continue;
    }
    if (stat.isDirectory()) walk(base);
    else if (stat.isFile()) consider(base, false);
    else if (stat.isSymbolicLink()) consider(base, true);
  }
  return [...found].sort();
}

/** The static folder prefix of each glob ('' = root), without folders inside another base. */
function walkBases(globs: readonly string[]): string[] {
  const bases = [...new Set(globs.map((g) => picomatch.scan(g).base.replace(/\/+$/, '')))].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const base of bases) {
    if (!kept.some((k) => k === '' || base === k || base.startsWith(k + '/'))) kept.push(base);
  }
  return kept;
}

function safeRealpath(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

/**
 * `picomatch(globs, { dot })` as a plain test of each glob's regular
 * expression. picomatch's matcher makes a result object and runs its hooks on
 * every call: ~20 ms of the CLI main thread's listing of 2,095 sources, on a
 * thread that has compiled none of it yet, against ~4 ms. With no `format`,
 * `matchBase`, `capture` or hooks among the options its answer is exactly
 * this: the path equal to the glob, or matched by its expression (on Windows
 * after its backslashes are made slashes, as picomatch does there).
 */
export function globTest(globs: readonly string[], { dot }: { dot: boolean }): (path: string) => boolean {
  const windows = process.platform === 'win32';
  const expressions = globs.map((glob) => picomatch.makeRe(glob, { dot, windows }));
  return (input) => {
    if (input === '') return false;
    const output = windows ? input.replace(/\\/g, '/') : input;
    return globs.some((glob, i) => input === glob || output === glob || expressions[i].test(output));
  };
}

/** A matcher for a set of globs relative to root (for file-change events). */
export function globMatcher(root: string, globs: readonly string[]): (file: string) => boolean {
  const match = globTest(globs, { dot: false });
  return (file) => {
    const rel = relativePath(root, file);
    return !rel.startsWith('..') && match(rel);
  };
}

export interface LoadedWorkspace {
  root: string;
  configFile?: string;
  /** Findings keyed by absolute file path: config problems, skipped sources, … */
  fileFindings: Map<string, Finding[]>;
  /** One line per problem, for a CLI's stderr or a server's log. */
  notices: string[];
  sourceFiles: string[];
  /**
   * Whether every source was set from the cache without reading it
   * (`KnownSources` and `Engine.setSourceOnDemand`): the corpus is the one an
   * earlier run of this build kept, source for source.
   */
  sourcesFromCache?: boolean;
}

/** Options of `loadWorkspace` / `loadSources`. */
export interface LoadOptions {
  /** Folder of the persisted index cache: unchanged sources are not indexed again. */
  cacheDir?: string;
  /** Whether to write the cache back when the index changed (false for readers such as CLI workers). */
  writeCache?: boolean;
  /**
   * Only these sections of the cache are read (a thread that builds some corpus
   * products only); all when absent. Such a reader should not write the cache
   * (`writeCache: false`): it would write the other products as it has them.
   */
  cacheSections?: readonly string[];
  /** The cache's bytes (of `cacheSections`) as the caller already read them; read here when absent. */
  cacheBytes?: Uint8Array;
  /** Sections to read from the checks cache file as well (`checksCacheFile`: what checks add, such as quotation verdicts). */
  checkSections?: readonly string[];
  /**
   * The sources as another thread already listed and read them (`readSources`
   * with the same config), or listed them with the key of each file it knew
   * unchanged (`KnownSources`), asked for when the load needs them;
   * undefined = list and read them here.
   */
  readAhead?: () => ReadSources | KnownSources | undefined;
  /**
   * Told of a source whose bytes, when read here, no longer have the key
   * `KnownSources` gave it: it changed after that key was made, so what this
   * run found may be from either version (a caller then writes no cache).
   */
  onSourceChanged?: (file: string) => void;
  /** Told of each source file this load reads, when it reads it (on demand: when a check asks; `--timing` counts them). */
  onSourceRead?: (file: string) => void;
}

/**
 * The sources as another thread listed them, each with the content key of
 * its bytes (`sourceFileKey`) when that thread knew it without reading the
 * file (the results cache's stamps: size, times and inode as an earlier run
 * recorded them). A load sets such a source from the persisted cache
 * (`Engine.setSourceOnDemand`) and reads it only when a check needs its words.
 */
export interface KnownSources {
  files: string[];
  refused: string[];
  /** By file index; undefined = not known, read it. */
  keys: (string | undefined)[];
}

/** The config's sources, listed and read: what a load would read itself. */
export interface ReadSources {
  /** Absolute paths in listing order. */
  files: string[];
  /** Symbolic links to files outside the workspace (not read). */
  refused: string[];
  /** One per file. */
  reads: ReadResult[];
}

/** A source above this size is refused (at least 4 MB, whatever maxFileSize says). */
export function sourceByteLimit(maxFileSize: number): number {
  return Math.max(maxFileSize, 4 * 1024 * 1024);
}

/**
 * The sources as `readSources` read them, in a form cheap to send to other
 * threads: the files' bytes in one shared buffer, each file's span in it or
 * why it was not read. (Posting the decoded texts costs more than reading
 * them: ~0.1 s per receiving thread for 2,095 articles.)
 */
export interface SharedSources {
  files: string[];
  refused: string[];
  /** Backed by a SharedArrayBuffer. */
  bytes: Uint8Array;
  /** File i's bytes are bytes[spans[2i], spans[2i + 1]). */
  spans: Uint32Array;
  /** bytes[0, asciiEnd) hold only files that are all ASCII (packed first, see `packSources`). */
  asciiEnd: number;
  /** By file index: the files not read, and why. */
  refusals: Record<number, Refusal>;
}

/**
 * Lists and reads the sources the engine's config selects, exactly as a load
 * would, without decoding them: so one thread can read them once for several
 * that load the same workspace (each read of 2,095 articles costs a thread
 * ~0.1 s of system calls). `unpackSources` turns them into what a load takes.
 * `seen` is told each file's stat as its open file gave it just before the read.
 */
export function readSources(engine: Engine, root: string, seen?: (file: string, stat: fs.Stats) => void): SharedSources {
  const selection = engine.files();
  const refused: string[] = [];
  const files = listFiles(root, selection.sources, [], refused);
  const limit = sourceByteLimit(selection.maxFileSize);
  // Each file's bytes are copied out of the reused read buffer, then once into the shared buffer, sized
  // when all are read: a buffer grown by doubling touched ~3x the corpus in fresh pages, slow on this VM.
  const contents = files.map((file) => {
    const read = readFileBytes(file, limit, seen && ((stat) => seen(file, stat)));
    return read instanceof Uint8Array ? Buffer.from(read) : read;
  });
  return packSources(files, refused, contents);
}

/**
 * Files' bytes (or why each was not read) in one shared buffer, the files
 * that are all ASCII first: `unpackSources` decodes that stretch as Latin-1,
 * one string of one byte per character, and only the rest as UTF-8. Any
 * non-ASCII character makes V8 store a string in two bytes per character, so
 * one string for all 2,095 BBC articles (607 of them not ASCII) was 9.4 MB of
 * fresh pages where these two are 6.1 MB, and UTF-8 decoding is slower.
 */
export function packSources(files: string[], refused: string[], contents: (Uint8Array | Refusal)[]): SharedSources {
  const spans = new Uint32Array(2 * files.length);
  const refusals: Record<number, Refusal> = {};
  const ascii = contents.map((content) => content instanceof Uint8Array && isAscii(content));
  let size = 0;
  for (const content of contents) if (content instanceof Uint8Array) size += content.length;
  const bytes = new Uint8Array(new SharedArrayBuffer(size));
  let at = 0;
  let asciiEnd = 0;
  for (const pass of [true, false]) {
    contents.forEach((content, i) => {
      if (ascii[i] !== pass) return;
      spans[2 * i] = at;
      if (content instanceof Uint8Array) {
        bytes.set(content, at);
        at += content.length;
      } else {
        refusals[i] = content;
      }
      spans[2 * i + 1] = at;
    });
    if (pass) asciiEnd = at;
  }
  return { files, refused, bytes, spans, asciiEnd, refusals };
}

/**
 * What `readSources` read, as a load takes it: each file decoded as
 * `readTextFile` would. When every text is valid UTF-8, the buffer is decoded
 * at once, as two strings (the ASCII files as Latin-1, the rest as UTF-8; see
 * `packSources`), and each text is a slice of one of them. V8 keeps a slice of
 * 13 or more characters as a view of its parent, and a parent of megabytes is
 * made in the old generation at once, so the young generation's collections
 * never copy the texts: decoded one by one, the 2,095 BBC articles (4.5 MB)
 * were copied twice each, on pages touched for the first time.
 */
export function unpackSources(shared: SharedSources): ReadSources {
  const { files, spans, bytes, refusals, asciiEnd } = shared;
  const fileBytes = (i: number) => bytes.subarray(spans[2 * i], spans[2 * i + 1]);
  const reads: (ReadResult | undefined)[] = files.map((file, i) => refusals[i] ?? (fileBytes(i).subarray(0, 8000).includes(0) ? decodeText(fileBytes(i), file) : undefined));
  // Every byte in the buffer must be valid UTF-8 (a binary file's too): an invalid sequence decodes to a
  // U+FFFD of another length, and the offsets of the texts after it would be wrong.
  const valid = files.every((_, i) => isUtf8(fileBytes(i)));
  if (!valid) return { files, refused: shared.refused, reads: reads.map((read, i) => read ?? withKey(decodeText(fileBytes(i), files[i]), fileBytes(i))) };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const asciiText = buffer.toString('latin1', 0, asciiEnd);
  const otherText = buffer.toString('utf8', asciiEnd);
  // Where each text starts and ends in its string: in the ASCII one at its byte offsets; in the other,
  // after the UTF-16 lengths of the files before it (packSources puts them in file order).
  const starts = Array.from(files, (_, i) => spans[2 * i]);
  const ends = Array.from(files, (_, i) => spans[2 * i + 1]);
  let at = 0;
  for (const i of files.keys()) {
    if (spans[2 * i] < asciiEnd) continue;
    const own = fileBytes(i);
    starts[i] = at;
    at += isAscii(own) ? own.length : utf16Length(own);
    ends[i] = at;
  }
  return {
    files,
    refused: shared.refused,
    reads: reads.map((read, i) => {
      if (read) return read;
      const own = fileBytes(i);
      const key = sourceFileKey(own);
      if (spans[2 * i + 1] <= asciiEnd) return { ok: true, text: asciiText.slice(starts[i], ends[i]), bytes: own.length, key };
      // A leading byte order mark is dropped, as decodeUtf8 drops it.
      const bom = own.length >= 3 && own[0] === 0xef && own[1] === 0xbb && own[2] === 0xbf ? 1 : 0;
      return { ok: true, text: otherText.slice(starts[i] + bom, ends[i]), bytes: own.length, key };
    }),
  };
}

/** A decoded read with the key of the bytes it was decoded from; a refusal as it is. */
function withKey(read: ReadResult, bytes: Uint8Array): ReadResult {
  return read.ok ? { ...read, key: sourceFileKey(bytes) } : read;
}

/** UTF-16 code units of valid UTF-8: one per sequence, two for a four-byte one (a surrogate pair). */
function utf16Length(utf8: Uint8Array): number {
  let units = 0;
  for (let i = 0; i < utf8.length; i++) {
    const byte = utf8[i];
    if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1;
  }
  return units;
}

/**
 * Reads config, registry and sources of the workspace rooted at `root` into the
 * engine. `configFile` overrides the config search (CLI `--config`).
 */
export function loadWorkspace(engine: Engine, root: string, configFile?: string, options: LoadOptions = {}): LoadedWorkspace {
  return loadSources(engine, loadConfig(engine, root, configFile), options);
}

/**
 * First half of `loadWorkspace`: only the config, so a caller can list the
 * documents (and start workers) before the slower part, reading the sources.
 */
export function loadConfig(engine: Engine, root: string, configFile?: string): LoadedWorkspace {
  const fileFindings = new Map<string, Finding[]>();
  const notices: string[] = [];
  const config = configFile ?? findConfigFile(root, root);
  if (config) {
    const read = readTextFile(config, 1024 * 1024);
    const findings = read.ok ? engine.setConfig(toUri(config), read.text) : engine.setConfig(toUri(config), undefined);
    if (!read.ok) notices.push(read.message);
    if (findings.length) fileFindings.set(config, findings);
  } else {
    engine.setConfig(undefined, undefined);
  }
  return { root, configFile: config, fileFindings, notices, sourceFiles: [] };
}

/** Second half of `loadWorkspace`: the entity registry and the sources the config selects. */
export function loadSources(engine: Engine, loaded: LoadedWorkspace, options: LoadOptions = {}): LoadedWorkspace {
  return drain(loadSourcesStepwise(engine, loaded, options));
}

/** How far a stepwise load has come: sources read of those listed. */
export interface LoadProgress {
  done: number;
  total: number;
}

/** Sources read between two progress steps of `loadSourcesStepwise`. */
export const SOURCES_PER_STEP = 100;

/**
 * `loadSources` as a generator that pauses after every `SOURCES_PER_STEP`
 * sources with the count so far, so a server can report progress and answer
 * requests between steps. Draining it (`drain`) at any point finishes the same
 * load synchronously: a caller that needs the project at once never sees it half loaded.
 */
export function* loadSourcesStepwise(engine: Engine, loaded: LoadedWorkspace, options: LoadOptions = {}): Generator<LoadProgress, LoadedWorkspace, void> {
  const { root, fileFindings, notices } = loaded;
  const selection = engine.files();
  const cacheDir = options.cacheDir;
  const cacheFile = cacheDir ? indexCacheFile(cacheDir, root) : undefined;
  if (cacheDir && cacheFile) {
    const bytes = options.cacheBytes ?? readIndexCache(cacheFile, options.cacheSections);
    // Unusable bytes (another version, damaged) are simply rebuilt and overwritten below.
    if (bytes) engine.importIndexCache(bytes);
    const checks = options.checkSections?.length ? readIndexCache(checksCacheFile(cacheDir, root), options.checkSections) : undefined;
    if (checks) engine.importIndexCache(checks);
  }
  for (const message of unsafeGlobs(selection.sources)) notices.push(message);

  if (selection.entities) {
    const registryFile = path.resolve(root, selection.entities);
    if (fs.existsSync(registryFile)) {
      const read = readTextFile(registryFile, 4 * 1024 * 1024);
      const findings = engine.setRegistry(toUri(registryFile), read.ok ? read.text : undefined);
      if (!read.ok) notices.push(read.message);
      if (findings.length) fileFindings.set(registryFile, findings);
    } else if (selection.entitiesExplicit) {
      notices.push(`entity registry ${selection.entities} not found`);
    }
  }

  const ahead = options.readAhead?.();
  const known = ahead && 'keys' in ahead ? ahead : undefined;
  const reads = ahead && 'reads' in ahead ? ahead.reads : undefined;
  const refused: string[] = ahead?.refused ?? [];
  const sourceFiles = ahead?.files ?? listFiles(root, selection.sources, [], refused);
  // Named by its path in the workspace only: what it points at is never read or shown.
  for (const file of refused) notices.push(`${relativePath(root, file)} is a symbolic link to a file outside the workspace; it is not read`);
  const total = sourceFiles.length;
  const names = fileNamer(root);
  yield { done: 0, total };
  const limit = sourceByteLimit(selection.maxFileSize);
  let setInFull = 0;
  for (const [i, file] of sourceFiles.entries()) {
    if (i > 0 && i % SOURCES_PER_STEP === 0) yield { done: i, total };
    const name = names(file);
    const key = known?.keys[i];
    if (key !== undefined && engine.setSourceOnDemand(name.uri, name.path, key, () => readSourceOnDemand(file, key, limit, options))) continue;
    let read = reads?.[i];
    if (!read) {
      options.onSourceRead?.(file);
      read = readSourceFile(file, limit);
    }
    // A binary file is refused whatever its key; any other refusal means the file changed since its key was made.
    if (key !== undefined && (read.ok ? read.key !== key : read.reason !== 'binary')) options.onSourceChanged?.(file);
    if (!read.ok) {
      notices.push(read.message);
      continue;
    }
    engine.setSource(name.uri, name.path, read.text, read.key);
    setInFull++;
  }
  for (const [uri, findings] of engine.sourceProblems()) {
    const file = fromUri(uri);
    if (!file) continue;
    fileFindings.set(file, [...(fileFindings.get(file) ?? []), ...findings]);
    for (const f of findings) notices.push(`${relativePath(root, file)}: ${f.message}`);
  }
  if (cacheFile && options.writeCache !== false) {
    const bytes = engine.exportIndexCache(true);
    const problem = bytes && writeIndexCache(cacheFile, bytes);
    if (problem) notices.push(problem);
  }
  return { ...loaded, sourceFiles, sourcesFromCache: known !== undefined && setInFull === 0 };
}

/**
 * Thrown out of a check that asked for the text of a source set on demand
 * whose file changed after its key was made: the source's id, body and
 * corpus products are those of the text the key was made from, so no text
 * read now can stand in for it. The caller reports the piece as not checked.
 */
export class SourceChangedError extends Error {
  constructor(readonly file: string) {
    super(`${file} changed while it was being checked against`);
    this.name = 'SourceChangedError';
  }
}

/**
 * The text of a source set on demand, read when a check first asks for it.
 * Bytes that no longer have `key` (the file changed, or went) are reported to
 * `onSourceChanged`, then end the check (`SourceChangedError`).
 */
function readSourceOnDemand(file: string, key: string, limit: number, told: Pick<LoadOptions, 'onSourceChanged' | 'onSourceRead'>): string {
  told.onSourceRead?.(file);
  const read = readSourceFile(file, limit);
  if (read.ok && read.key === key) return read.text;
  told.onSourceChanged?.(file);
  throw new SourceChangedError(file);
}

/** Runs a stepwise load to its end, synchronously. */
export function drain<T>(steps: Generator<unknown, T, void>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Pieces to check when no paths are given: the config's documents minus sources. */
export function listDocuments(engine: Engine, root: string): string[] {
  const selection = engine.files();
  const sources = new Set(listFiles(root, selection.sources));
  return listFiles(root, selection.documents).filter((file) => !sources.has(file));
}
