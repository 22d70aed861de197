/**
 * The CLI's results cache: each piece's findings, kept beside the index cache
 * and given back without a check when nothing they depend on has changed. A
 * CI run over an archive where a commit touched two pieces checks two pieces.
 * (ESLint's and Prettier's `--cache` do the same for their own work.)
 *
 * What a piece's findings depend on is what the engine was fed — the config,
 * the entity registry, the sources (engine/api.ts `setConfig`, `setRegistry`,
 * `setSource`) and the piece — and the engine's code: it reads no clock,
 * environment or file of its own. So an entry is keyed by a hash over the
 * bytes of every such input file and of Provenance's code (the "workspace
 * key"), plus the hash of the piece's text. A run whose workspace key differs
 * from the stored one starts the cache afresh.
 *
 * Reading 2,095 sources to prove them unchanged costs ~0.1 s, so a file whose
 * size, modification time, change time and inode all equal what the last run
 * recorded keeps the hash recorded then (git's index and ESLint's default
 * cache strategy trust the same). A file written less than `RACY_MS` before
 * it was recorded is never trusted that way: a write in the same clock tick
 * as our stat would go unseen. A cache that cannot be read, or is from
 * another format or build, is ignored and rewritten; losing it costs time only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Engine } from '../engine/api';
import type { Finding } from '../engine/types';
import { listFiles, readFileBytes, readTextFile, sourceByteLimit } from '../node/workspace';
import { workspaceCacheId, writeCacheFile } from '../node/index-cache-file';
import type { CheckedFile } from './check-file';
import type { LoadReport } from './pool';

/** Bumped whenever the file's layout changes. */
export const RESULTS_CACHE_FORMAT = 1;
/** A file written this recently before it was recorded is always read again (see above). */
export const RACY_MS = 2000;
/** Larger files are not read: a damaged or foreign file must not eat memory. */
const MAX_RESULTS_CACHE_BYTES = 512 * 1024 * 1024;
/** The byte limits loadConfig and loadSources read these files with (node/workspace.ts). */
const CONFIG_LIMIT = 1024 * 1024;
const REGISTRY_LIMIT = 4 * 1024 * 1024;

export function resultsCacheFile(cacheDir: string, root: string): string {
  return path.join(cacheDir, `provenance-results-${workspaceCacheId(root)}.json`);
}

/** size, mtimeMs, ctimeMs, inode, content hash. */
type Stamp = [number, number, number, number, string];

interface StoredPiece {
  hash: string;
  findings: Finding[];
}

interface Stored {
  format: number;
  workspace: string;
  stamps: Record<string, Stamp>;
  load: LoadReport;
  pieces: Record<string, StoredPiece>;
}

/** One input file as found now: its content hash and the stat it was taken under. */
interface Found {
  hash: string;
  stat?: fs.Stats;
}

export interface WorkspaceInputs {
  root: string;
  configFile?: string;
  /** With the config set: it says which sources and registry the workspace has. */
  engine: Engine;
  /** Part of every finding's docs link. */
  docsBaseUrl: string;
}

export class ResultsCache {
  private readonly pieces = new Map<string, StoredPiece>();
  private load: LoadReport | undefined;
  private changed: boolean;

  private constructor(
    private readonly file: string,
    private readonly workspace: string,
    private readonly inputs: Map<string, Found>,
    stored: Stored | undefined,
    /** When the inputs were looked at (ms since the epoch): files written shortly before get no stamp. */
    private readonly now: number,
  ) {
    const reusable = stored?.workspace === workspace;
    if (reusable) {
      for (const [piece, entry] of Object.entries(stored.pieces)) this.pieces.set(piece, entry);
      this.load = stored.load;
    }
    // A stored cache for other inputs is replaced even if this run adds nothing to it.
    this.changed = !reusable || !sameStamps(stored?.stamps ?? {}, stampsOf(inputs, now));
  }

  /** Reads the cache file (if any) and works out the workspace key from the input files as they are now. */
  static open(file: string, inputs: WorkspaceInputs, now = Date.now()): ResultsCache {
    const stored = readStored(file);
    const found = inputFiles(inputs, stored?.stamps ?? {});
    return new ResultsCache(file, workspaceKey(inputs, found), found.files, stored, now);
  }

  /** What loading the workspace reported, when it was recorded for these inputs. */
  loadReport(): LoadReport | undefined {
    return this.load;
  }

  /** The piece's findings when they were recorded for its present text and these inputs. */
  reuse(piece: string, maxFileSize: number): CheckedFile | undefined {
    const entry = this.pieces.get(piece);
    if (!entry || !this.load) return undefined;
    const read = readTextFile(piece, maxFileSize);
    if (!read.ok || textHash(read.text) !== entry.hash) return undefined;
    return { text: read.text, findings: entry.findings, unreadable: false };
  }

  recordLoad(report: LoadReport): void {
    this.load = { notices: report.notices, fileFindings: report.fileFindings };
    this.changed = true;
  }

  /** Keeps a finished check's findings; a piece that was skipped, stopped or unreadable is not kept. */
  record(piece: string, result: CheckedFile): void {
    if (result.unreadable || result.stopped || result.notice) {
      if (this.pieces.delete(piece)) this.changed = true;
      return;
    }
    this.pieces.set(piece, { hash: textHash(result.text), findings: result.findings });
    this.changed = true;
  }

  /**
   * Writes the cache when something changed; returns a problem to report, or
   * undefined. Nothing is written when an input file changed during the run:
   * its findings might be from either version.
   */
  save(): string | undefined {
    if (!this.changed || !this.load) return undefined;
    for (const [file, found] of this.inputs) if (!sameStat(found.stat, statOf(file))) return undefined;
    for (const piece of [...this.pieces.keys()]) if (!fs.existsSync(piece)) this.pieces.delete(piece);
    const stored: Stored = {
      format: RESULTS_CACHE_FORMAT,
      workspace: this.workspace,
      stamps: stampsOf(this.inputs, this.now),
      load: this.load,
      pieces: Object.fromEntries(this.pieces),
    };
    const problem = writeCacheFile(this.file, JSON.stringify(stored), 'the results cache');
    if (!problem) this.changed = false;
    return problem;
  }
}

function readStored(file: string): Stored | undefined {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > MAX_RESULTS_CACHE_BYTES) return undefined;
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Stored>;
    const valid =
      stored?.format === RESULTS_CACHE_FORMAT &&
      typeof stored.workspace === 'string' &&
      isRecord(stored.stamps) &&
      isRecord(stored.pieces) &&
      Array.isArray(stored.load?.notices) &&
      Array.isArray(stored.load?.fileFindings) &&
      Object.values(stored.pieces).every((p) => typeof p?.hash === 'string' && Array.isArray(p.findings));
    return valid ? (stored as Stored) : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every file the engine is fed from besides the pieces, in a fixed order, with what each holds now. */
function inputFiles(inputs: WorkspaceInputs, stamps: Record<string, Stamp>): { files: Map<string, Found>; refused: string[] } {
  const { root, configFile, engine } = inputs;
  const selection = engine.files();
  const files = new Map<string, Found>();
  const add = (file: string, limit: number) => files.set(file, contentOf(file, limit, stamps[file]));
  if (configFile) add(configFile, CONFIG_LIMIT);
  if (selection.entities) add(path.resolve(root, selection.entities), REGISTRY_LIMIT);
  const refused: string[] = [];
  const limit = sourceByteLimit(selection.maxFileSize);
  for (const source of listFiles(root, selection.sources, [], refused)) add(source, limit);
  return { files, refused };
}

/** The file's content hash, from its recorded stamp when its stat still matches, else read (refusals hashed by kind). */
function contentOf(file: string, limit: number, stamp: Stamp | undefined): Found {
  const stat = statOf(file);
  if (!stat) return { hash: 'missing' };
  if (stamp && stamp[0] === stat.size && stamp[1] === stat.mtimeMs && stamp[2] === stat.ctimeMs && stamp[3] === stat.ino) return { hash: stamp[4], stat };
  if (!stat.isFile()) return { hash: 'not-a-file', stat };
  // Too large to be read by the load either: only its size can change what it reports.
  if (stat.size > limit) return { hash: `too-large:${stat.size}`, stat };
  const bytes = readFileBytes(file, limit);
  return { hash: bytes instanceof Uint8Array ? createHash('sha1').update(bytes).digest('hex') : bytes.reason, stat };
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function sameStat(a: fs.Stats | undefined, b: fs.Stats | undefined): boolean {
  if (!a || !b) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Stamps for the files that may be trusted by their stat next time (not written just before now). */
function stampsOf(files: Map<string, Found>, now: number): Record<string, Stamp> {
  const stamps: Record<string, Stamp> = {};
  for (const [file, { hash, stat }] of files) {
    if (stat && now - stat.mtimeMs > RACY_MS && now - stat.ctimeMs > RACY_MS) stamps[file] = [stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino, hash];
  }
  return stamps;
}

function sameStamps(a: Record<string, Stamp>, b: Record<string, Stamp>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && a[k].every((v, i) => v === b[k][i]));
}

function workspaceKey(inputs: WorkspaceInputs, found: { files: Map<string, Found>; refused: string[] }): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([RESULTS_CACHE_FORMAT, codeFingerprint(), inputs.docsBaseUrl, path.resolve(inputs.root), inputs.configFile ?? null, found.refused]));
  for (const [file, { hash: content }] of found.files) hash.update(`\n${file}\0${content}`);
  return hash.digest('hex');
}

function textHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

let code: string | undefined;

/**
 * A hash of Provenance's code: a new build may report differently. Bundled
 * (dist/cli.js), the code is the one running file; compiled by tsc (the
 * tests), it is every module of the server.
 */
export function codeFingerprint(): string {
  if (code) return code;
  const files = path.basename(__filename) === 'results-cache.js' ? modulesUnder(path.resolve(__dirname, '..')) : [__filename];
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(fs.readFileSync(file));
  return (code = hash.digest('hex'));
}

function modulesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...modulesUnder(file));
    else if (entry.name.endsWith('.js')) found.push(file);
  }
  return found;
}
