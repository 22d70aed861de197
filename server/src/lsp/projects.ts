/**
 * Projects: one engine per workspace root. A root is the folder of the nearest
 * config file (found by walking up, SPEC §1), else the workspace folder, else
 * the folder of a loose file. Each project is loaded from disk with
 * `loadWorkspace`; files open in the editor then override their disk text
 * (the editor's unsaved words are what the writer sees).
 */
import path = require('node:path');
import fs = require('node:fs');
import type { Engine, FileSelection } from '../engine/api';
import type { Finding, Source } from '../engine/types';
import { TextMap, type PositionEncoding } from './convert';
import { checksCacheFile, indexCacheFile, readIndexCache, readIndexCacheInParallel, writeCacheFile } from '../node/index-cache-file';
import { ANSWER_SECTIONS } from '../engine/index';
import { mergeCaches } from '../engine/index-cache';
import { CONFIG_NAMES, findConfigFile, fromUri, globMatcher, listFiles, loadConfig, loadSourcesStepwise, readTextFile, toUri, type LoadProgress } from '../node/workspace';
import { isUnreadableConfig, keptLastGoodConfigNotice } from '../engine/config';

export interface ProjectHost {
  createEngine(): Engine;
  /** Text of a file open in the editor, which wins over its disk text; undefined when not open. */
  editorText(file: string): string | undefined;
  /** Files currently open in the editor. */
  openFiles(): string[];
  log(message: string): void;
  encoding(): PositionEncoding;
  /** Folder of the persisted index cache (the editor's storage for this workspace), if the client gave one. */
  cacheDir?: string;
}

/** The kept answers (checks file) are written at most this often; the index cache whenever it changed. */
const ANSWERS_WRITE_INTERVAL_MS = 60_000;

/** Registries and configs larger than this are refused rather than parsed. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_REGISTRY_BYTES = 4 * 1024 * 1024;

export type ProjectFileKind = 'config' | 'registry' | 'source';

let generations = 0;
function nextGeneration(): number {
  return ++generations;
}

export class Project {
  readonly engine: Engine;
  /**
   * Changes whenever anything a check depends on changes (config, registry,
   * sources). Unique across projects: a project rebuilt for the same root must
   * never reuse a number its predecessor had, or cached results would survive.
   */
  generation = nextGeneration();
  private selection!: FileSelection;
  private isSourcePath: (file: string) => boolean = () => false;
  private isDocumentPath: (file: string) => boolean = () => false;
  private registryFile: string | undefined;
  private configFindings: Finding[] = [];
  /** The config text most recently applied that could be read: checking stays on it while the file cannot be (half-typed YAML). */
  private lastGoodConfig: string | undefined;
  private registryFindings: Finding[] = [];
  /** Last text given to the engine for the config and the registry, to skip no-op reloads and to place their findings. */
  private readonly texts = new Map<string, string>();
  private sourceFiles = new Set<string>();
  private sourceIndex: { generation: number; byUri: Map<string, Source> } | undefined;
  private readonly maps = new Map<string, TextMap>();
  /** The same maps by the URI they were asked for, valid for one generation (`mapsGeneration`). */
  private readonly mapsByUri = new Map<string, TextMap>();
  private mapsGeneration = -1;
  /** Whether the log already said the stored index cache needed no rewrite (said once, not after every warm-up). */
  private toldCacheUpToDate = false;
  /** When `persistIndexCache` last wrote the kept answers (Date.now()). */
  private answersWrittenAt = -Infinity;
  /** The generation whose corpus products `persistIndexCache` last wrote or found unchanged (after a full warm-up). */
  private indexCheckedGeneration = -1;

  constructor(
    private readonly host: ProjectHost,
    readonly root: string,
    readonly configFile: string | undefined,
  ) {
    this.engine = host.createEngine();
  }

  /** A load begun by `beginLoading` and not finished yet. */
  private loading: Generator<LoadProgress, void, void> | undefined;
  /** The index cache as `readCacheAhead` read it, until the load takes it; `'taken'` once the load began without it. */
  private cacheAhead: Uint8Array | 'taken' | undefined;

  /**
   * Reads the index cache with parallel reads (node/index-cache-file.ts) before the load, which then uses
   * those bytes instead of reading the file itself: about half the wall time on two cores (see readIndexCacheInParallel). Call after
   * `beginLoading` and before the first `loadStep`; a load that began meanwhile reads the file as usual.
   */
  async readCacheAhead(): Promise<void> {
    if (!this.host.cacheDir || this.cacheAhead !== undefined) return;
    const bytes = await readIndexCacheInParallel(indexCacheFile(this.host.cacheDir, this.root));
    if (this.cacheAhead === undefined) this.cacheAhead = bytes;
  }

  /** Reads config, registry and sources from disk, then lays the editor's open files over them. */
  load(): void {
    this.beginLoading();
    this.finishLoading();
  }

  /** Starts a load that `loadStep` advances a batch of sources at a time (start-up progress with counts). */
  beginLoading(): void {
    this.loading = this.loadSteps();
  }

  /** Advances a begun load by one batch; undefined once it is finished (or failed, which is logged). */
  loadStep(): LoadProgress | undefined {
    if (!this.loading) return undefined;
    try {
      const next = this.loading.next();
      if (!next.done) return next.value;
    } catch (err) {
      // A project that cannot load still answers (with what it has) rather than failing every request.
      this.host.log(`Loading ${this.root} failed: ${(err as Error).stack ?? err}`);
    }
    this.loading = undefined;
    return undefined;
  }

  /** Finishes a begun load at once: whoever needs the project never sees it half loaded. */
  finishLoading(): void {
    while (this.loadStep());
  }

  private *loadSteps(): Generator<LoadProgress, void, void> {
    const started = Date.now();
    const cacheBytes = this.cacheAhead instanceof Uint8Array ? this.cacheAhead : undefined;
    this.cacheAhead = 'taken';
    // Not written at the end of the load: the warm-up that follows builds the rest of the corpus products and
    // ends by writing them all (warmUpSteps, persistSteps). Writing here too cost a cold start ~0.6 s of
    // main thread in one step (exporting builds the passage index), for a file rewritten seconds later.
    const loaded = yield* loadSourcesStepwise(this.engine, loadConfig(this.engine, this.root, this.configFile), { cacheDir: this.host.cacheDir, cacheBytes, checkSections: ANSWER_SECTIONS, writeCache: false });
    for (const notice of loaded.notices) this.host.log(`${this.root}: ${notice}`);
    this.sourceFiles = new Set(loaded.sourceFiles);
    this.selectionChanged();
    if (this.configFile) {
      this.configFindings = loaded.fileFindings.get(this.configFile) ?? [];
      const disk = readTextFile(this.configFile, MAX_CONFIG_BYTES);
      if (disk.ok) this.texts.set(this.configFile, disk.text);
      if (disk.ok && !isUnreadableConfig(this.configFindings)) this.lastGoodConfig = disk.text;
    }
    if (this.registryFile) {
      this.registryFindings = loaded.fileFindings.get(this.registryFile) ?? [];
      const disk = fs.existsSync(this.registryFile) ? readTextFile(this.registryFile, MAX_REGISTRY_BYTES) : undefined;
      if (disk?.ok) this.texts.set(this.registryFile, disk.text);
    }
    for (const file of this.host.openFiles()) {
      const text = this.host.editorText(file);
      if (text !== undefined && this.kindOf(file)) this.fileChanged(file, text);
    }
    this.generation = nextGeneration();
    this.host.log(`Loaded ${this.sourceFiles.size} source(s) from ${this.root}${this.configFile ? ` (config ${path.basename(this.configFile)})` : ' (no config: defaults)'} in ${Date.now() - started} ms`);
  }

  /**
   * What the main thread builds while idle (`Engine.prepare`, see warm.ts), then the persisted index cache
   * written if that changed it (the load writes nothing: the warm-up builds the entity facts and the passage
   * index after it, and without them in the file every reopened workspace extracted the entities of every
   * source again, on the main thread and in the check worker).
   */
  warmUpSteps(docs?: Parameters<Engine['prepare']>[0]): Array<() => void> {
    return [...this.engine.prepare(docs), ...this.persistSteps()];
  }

  /** `persistSteps` run at once (tests). */
  persistIndexCache(): void {
    for (const step of this.persistSteps()) step();
  }

  /**
   * Writes the index cache to the editor's storage when a corpus product changed since it was last read or
   * written, and the answers the engine keeps (quotation verdicts, claims' passages) to the checks file beside
   * it when it found new ones. Says so in the log, and says once when there was nothing to write.
   *
   * In steps: each section of the index is exported in a step of its own, then they are put together and
   * written. As one step this held the main thread ~1.1 s with the 2,095 articles (the entities' section,
   * the longest part, takes ~0.45 s). Every section checks its sources by content on import, so a source
   * changed between two steps costs only that section its reuse, never a wrong answer.
   */
  private persistSteps(): Array<() => void> {
    const dir = this.host.cacheDir;
    if (!dir) return [];
    const indexFile = indexCacheFile(dir, this.root);
    const sections = this.engine.indexCacheSections();
    let due: readonly string[] = [];
    const parts = new Map<string, Uint8Array>();
    let answersDue = false;
    const answerParts: Uint8Array[] = [];
    let written = false;
    const write = (file: string, bytes: Uint8Array, what: string) => {
      const problem = writeCacheFile(file, bytes, what);
      this.host.log(`${this.root}: ${problem ?? `kept ${what} in ${file} (${(bytes.byteLength / 1048576).toFixed(1)} MiB) for the next start`}`);
      written = true;
    };
    return [
      () => {
        // Every pause in typing ends with these steps. The corpus products change only with the project (a source,
        // the config, the registry), and asking them whether they did costs ~5-15 ms with 2,095 sources: ask once per generation.
        if (this.generation === this.indexCheckedGeneration) return;
        this.indexCheckedGeneration = this.generation;
        due = this.engine.indexCacheSections(true).length ? sections : [];
      },
      ...sections.map((section) => () => {
        if (due.includes(section)) parts.set(section, this.engine.exportIndexCache(false, [section])!);
      }),
      () => {
        if (parts.size) write(indexFile, mergeCaches([...parts.values()]), 'the corpus index');
        parts.clear();
        due = [];
      },
      () => {
        // An edit brings new answers: write them at most once a minute.
        answersDue = Date.now() - this.answersWrittenAt >= ANSWERS_WRITE_INTERVAL_MS;
      },
      // The sections that changed, one a step, as for the index: all five in one step held the main thread
      // ~30-55 ms on the 200 KB piece. Those that did not change are taken from the file as it is.
      ...ANSWER_SECTIONS.map((section) => () => {
        const bytes = answersDue ? this.engine.exportIndexCache(true, [section]) : undefined;
        if (bytes) answerParts.push(bytes);
      }),
      () => {
        if (!answersDue || !answerParts.length) return;
        answersDue = false;
        this.answersWrittenAt = Date.now();
        const file = checksCacheFile(dir, this.root);
        write(file, mergeCaches([readIndexCache(file), ...answerParts.splice(0)]), "the answers of its checks (quotation verdicts, claims' passages and verdicts, speakers, names per block)");
      },
      () => {
        if (!written && !this.toldCacheUpToDate) this.host.log(`${this.root}: the corpus index kept in ${indexFile} is up to date`);
        if (!written) this.toldCacheUpToDate = true;
      },
    ];
  }

  contains(file: string): boolean {
    const rel = path.relative(this.root, file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  kindOf(file: string): ProjectFileKind | undefined {
    if (file === this.configFile) return 'config';
    if (file === this.registryFile) return 'registry';
    if (this.sourceFiles.has(file) || this.isSourcePath(file)) return 'source';
    return undefined;
  }

  /** A piece to check: matches the config's `documents`, is not a source, not in node_modules or a dot-folder. */
  isPiece(file: string): boolean {
    if (!this.contains(file) || this.kindOf(file)) return false;
    const segments = path.relative(this.root, file).split(path.sep);
    if (segments.some((segment) => segment === 'node_modules' || segment.startsWith('.'))) return false;
    return this.isDocumentPath(file);
  }

  /**
   * A config, registry or source file changed (in the editor or on disk);
   * `text === undefined` means it is gone. Returns whether anything changed.
   */
  fileChanged(file: string, text: string | undefined): boolean {
    const kind = this.kindOf(file);
    if (kind === 'config') return this.setConfigText(text);
    if (kind === 'registry') return this.setRegistryText(text);
    if (kind === 'source') return this.setSourceText(file, text);
    return false;
  }

  /** Re-reads a file from disk unless the editor has it open (then the editor's text stays). */
  fileChangedOnDisk(file: string, deleted: boolean): boolean {
    const editor = this.host.editorText(file);
    if (editor !== undefined && !deleted) return false;
    return this.fileChanged(file, deleted ? undefined : this.readDisk(file));
  }

  /** Findings on the project's own files (config, registry, sources), keyed by file path. */
  fileFindings(): Map<string, Finding[]> {
    const result = new Map<string, Finding[]>();
    if (this.configFile) result.set(this.configFile, this.configFindings);
    if (this.registryFile) result.set(this.registryFile, this.registryFindings);
    for (const [uri, findings] of this.engine.sourceProblems()) {
      const file = fromUri(uri);
      if (file) result.set(file, [...(result.get(file) ?? []), ...findings]);
    }
    return result;
  }

  /** Line table of a project file (config, registry, source), in the text the engine saw. */
  mapOf(uri: string): TextMap | undefined {
    // Related information names a source per finding: answer repeated URIs without resolving paths again.
    if (this.mapsGeneration !== this.generation) {
      this.mapsByUri.clear();
      this.mapsGeneration = this.generation;
    }
    const known = this.mapsByUri.get(uri);
    if (known && known.encoding === this.host.encoding()) return known;
    const map = this.lookUpMap(uri);
    if (map) this.mapsByUri.set(uri, map);
    return map;
  }

  private lookUpMap(uri: string): TextMap | undefined {
    const file = fromUri(uri);
    const text = (file !== undefined ? this.texts.get(file) : undefined) ?? this.source(uri)?.text;
    if (text === undefined) return undefined;
    const key = file !== undefined ? toUri(file) : uri;
    let map = this.maps.get(key);
    if (!map || map.text !== text || map.encoding !== this.host.encoding()) {
      map = new TextMap(text, this.host.encoding());
      this.maps.set(key, map);
    }
    return map;
  }

  private source(uri: string): Source | undefined {
    if (!this.sourceIndex || this.sourceIndex.generation !== this.generation) {
      const byUri = new Map<string, Source>();
      for (const source of this.engine.sources()) byUri.set(source.uri, source);
      this.sourceIndex = { generation: this.generation, byUri };
    }
    const file = fromUri(uri);
    return this.sourceIndex.byUri.get(file !== undefined ? toUri(file) : uri);
  }

  private setConfigText(text: string | undefined): boolean {
    if (!this.configFile || (text !== undefined && this.texts.get(this.configFile) === text)) return false;
    if (text === undefined) this.texts.delete(this.configFile);
    else this.texts.set(this.configFile, text);
    this.configFindings = this.engine.setConfig(toUri(this.configFile), text);
    if (text !== undefined && isUnreadableConfig(this.configFindings) && this.lastGoodConfig !== undefined) {
      // Half-typed YAML must not flip every rule back to its default: keep the last good config, and say so.
      // (A problem in one setting only drops that setting; the engine applies the rest.)
      this.engine.setConfig(toUri(this.configFile), this.lastGoodConfig);
      this.configFindings = [...this.configFindings, keptLastGoodConfigNotice()];
    } else if (text !== undefined && !isUnreadableConfig(this.configFindings)) {
      this.lastGoodConfig = text;
    }
    const before = this.selection;
    this.selectionChanged();
    if (!sameList(before.sources, this.selection.sources)) this.resyncSources();
    if (before.entities !== this.selection.entities) this.setRegistryText(this.registryFile ? this.readRegistry(this.registryFile) : undefined, true);
    this.generation = nextGeneration();
    return true;
  }

  private setRegistryText(text: string | undefined, force = false): boolean {
    const file = this.registryFile;
    if (!force && file && text !== undefined && this.texts.get(file) === text) return false;
    if (file && text !== undefined) this.texts.set(file, text);
    else if (file) this.texts.delete(file);
    this.registryFindings = this.engine.setRegistry(file && text !== undefined ? toUri(file) : undefined, text);
    this.generation = nextGeneration();
    return true;
  }

  private setSourceText(file: string, text: string | undefined): boolean {
    const uri = toUri(file);
    if (text === undefined) {
      if (!this.sourceFiles.delete(file)) return false;
      this.engine.removeSource(uri);
    } else {
      if (this.sourceFiles.has(file) && this.source(uri)?.text === text) return false;
      this.sourceFiles.add(file);
      this.engine.setSource(uri, path.relative(this.root, file).split(path.sep).join('/'), text);
    }
    this.generation = nextGeneration();
    return true;
  }

  /** After the `sources` globs changed: drop sources no longer selected, read newly selected ones. */
  private resyncSources(): void {
    const wanted = new Set(listFiles(this.root, this.selection.sources));
    for (const file of [...this.sourceFiles]) if (!wanted.has(file)) this.setSourceText(file, undefined);
    for (const file of wanted) {
      if (this.sourceFiles.has(file)) continue;
      const text = this.host.editorText(file) ?? this.readDisk(file);
      if (text !== undefined) this.setSourceText(file, text);
    }
  }

  private selectionChanged(): void {
    this.selection = this.engine.files();
    this.isSourcePath = globMatcher(this.root, this.selection.sources);
    this.isDocumentPath = globMatcher(this.root, this.selection.documents);
    this.registryFile = this.selection.entities ? path.resolve(this.root, this.selection.entities) : undefined;
  }

  private readRegistry(file: string): string | undefined {
    return this.host.editorText(file) ?? (fs.existsSync(file) ? this.readDisk(file) : undefined);
  }

  private readDisk(file: string): string | undefined {
    const limit = file === this.configFile ? MAX_CONFIG_BYTES : Math.max(this.selection.maxFileSize, MAX_REGISTRY_BYTES);
    const read = readTextFile(file, limit);
    if (read.ok) return read.text;
    this.host.log(read.message);
    return undefined;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Whether a file name is a config file name (its appearance or removal can move project roots). */
export function isConfigFileName(file: string): boolean {
  return CONFIG_NAMES.includes(path.basename(file));
}

/** All projects of the session, created on demand and found by file. */
export class ProjectSet {
  private folders: string[] = [];
  private readonly projects = new Map<string, Project>();
  /** Which project a file belongs to; config discovery walks the disk, so remember it. */
  private readonly owners = new Map<string, Project>();

  constructor(private readonly host: ProjectHost) {}

  get workspaceFolders(): readonly string[] {
    return this.folders;
  }

  setFolders(folders: readonly string[]): void {
    this.folders = [...new Set(folders.map((folder) => path.resolve(folder)))];
    this.projects.clear();
    this.owners.clear();
  }

  /** Loads the project of a workspace folder. */
  loadFolder(folder: string): Project {
    const configFile = findConfigFile(folder);
    return this.ensure(configFile ? path.dirname(configFile) : path.resolve(folder), configFile);
  }

  /**
   * Begins loading a workspace folder's project for the start-up progress:
   * the caller advances it with `loadStep`; any other way to the project
   * (a file it owns, `all()`) finishes the load first.
   */
  beginFolder(folder: string): Project {
    const configFile = findConfigFile(folder);
    const root = configFile ? path.dirname(configFile) : path.resolve(folder);
    const existing = this.projects.get(root);
    if (existing && existing.configFile === configFile) return existing;
    const project = new Project(this.host, root, configFile);
    this.projects.set(root, project);
    project.beginLoading();
    return project;
  }

  /**
   * The project a file belongs to: its nearest config, else its workspace
   * folder, else — for a loose piece (`orOwnFolder`) — its own folder.
   */
  forFile(file: string, orOwnFolder: boolean): Project | undefined {
    const known = this.owners.get(file);
    if (known) return known;
    const configFile = findConfigFile(path.dirname(file));
    const folder = this.folders
      .filter((candidate) => isInside(candidate, file))
      .sort((a, b) => b.length - a.length)[0];
    const root = configFile ? path.dirname(configFile) : (folder ?? (orOwnFolder ? path.dirname(file) : undefined));
    if (root === undefined) return undefined;
    const project = this.ensure(root, configFile);
    this.owners.set(file, project);
    return project;
  }

  /** Untitled pieces are checked against the first workspace folder's sources. */
  forUntitled(): Project | undefined {
    return this.folders.length ? this.loadFolder(this.folders[0]) : this.all()[0];
  }

  all(): Project[] {
    const projects = [...this.projects.values()];
    for (const project of projects) project.finishLoading();
    return projects;
  }

  /** Forget every project (a config file appeared or vanished: roots may have moved); they reload on demand. */
  reset(): void {
    this.projects.clear();
    this.owners.clear();
  }

  private ensure(root: string, configFile: string | undefined): Project {
    const existing = this.projects.get(root);
    if (existing && existing.configFile === configFile) {
      existing.finishLoading();
      return existing;
    }
    const project = new Project(this.host, root, configFile);
    this.projects.set(root, project);
    project.load();
    return project;
  }
}

function isInside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
