/**
 * One workspace folder in the browser: an engine fed with the folder's config,
 * entity registry and sources, read through the client (FileAccess) since a
 * browser worker has no file system. The counterpart of lsp/projects.ts, with
 * URIs instead of paths: the config is looked for at the folder's root only
 * (walking up out of a virtual folder means nothing), and files open in the
 * editor override what was read, as on the desktop.
 */
import picomatch from 'picomatch/posix';
import type { Engine, FileSelection } from '../engine/api';
import type { Finding, Source } from '../engine/types';
import { TextMap, type PositionEncoding } from '../lsp/convert';
import type { ReadFile } from './protocol';
import { childUri, relativeUri, uriKey } from './uris';
import { isUnreadableConfig, keptLastGoodConfigNotice } from '../engine/config';

export const CONFIG_NAMES = ['.provenance.yml', '.provenance.yaml', '.provenance.json'];
/** Registries and configs larger than this are refused rather than parsed (as on the desktop). */
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_REGISTRY_BYTES = 4 * 1024 * 1024;
/** Sources are read this many per request, so a large corpus does not become one huge message. */
const READ_BATCH = 64;

/** The editor's side of the file system: list by globs, read as text. */
export interface FileAccess {
  find(folder: string, globs: string[]): Promise<string[]>;
  /** One answer per URI, in the order asked. */
  read(uris: string[], maxBytes: number): Promise<ReadFile[]>;
}

export interface ProjectHost {
  createEngine(): Engine;
  files: FileAccess;
  /** Text of a file open in the editor (it wins over the stored text); undefined when not open. */
  editorText(uri: string): string | undefined;
  log(message: string): void;
  encoding(): PositionEncoding;
}

export type ProjectFileKind = 'config' | 'registry' | 'source';

let generations = 0;
function nextGeneration(): number {
  return ++generations;
}

/** Segments never listed as sources or checked as pieces, as on the desktop: dependencies and dot-folders. */
function hiddenPath(relative: string): boolean {
  const folders = relative.split('/').slice(0, -1);
  return folders.some((segment) => segment === 'node_modules' || segment.startsWith('.'));
}

/** A matcher for globs relative to the folder; `!glob` entries exclude. */
function globsMatcher(globs: readonly string[]): (relative: string) => boolean {
  const clean = globs.map((glob) => glob.replace(/^(!?)(\.\/)+/, '$1'));
  const positive = clean.filter((glob) => !glob.startsWith('!'));
  const negative = clean.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  if (!positive.length) return () => false;
  const included = picomatch(positive, { dot: false });
  const excluded = negative.length ? picomatch(negative, { dot: true }) : () => false;
  return (relative) => included(relative) && !excluded(relative);
}

export class BrowserProject {
  readonly engine: Engine;
  /** Changes whenever anything a check depends on changes; unique across projects. */
  generation = nextGeneration();
  configUri: string | undefined;
  private registryUri: string | undefined;
  private selection!: FileSelection;
  private isSourcePath: (relative: string) => boolean = () => false;
  private isDocumentPath: (relative: string) => boolean = () => false;
  /** Sources in the engine, by URI key → the URI as read. */
  private readonly sourceUris = new Map<string, string>();
  /** Config and registry texts as given to the engine, by URI key. */
  private readonly texts = new Map<string, string>();
  private configFindings: Finding[] = [];
  private registryFindings: Finding[] = [];
  private lastGoodConfig: string | undefined;
  private readonly maps = new Map<string, TextMap>();
  private sourceIndex: { generation: number; byKey: Map<string, Source> } | undefined;
  /** Loads and reloads run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: ProjectHost,
    readonly folder: string,
  ) {
    this.engine = host.createEngine();
    this.applySelection();
  }

  /** Runs `step` after every earlier load or change of this project. */
  private inTurn<T>(step: () => Promise<T>): Promise<T> {
    const result = this.queue.then(step, step);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Reads the config, the registry and the sources (at start, and when a config appears or vanishes). */
  load(): Promise<void> {
    return this.inTurn(async () => {
      const started = Date.now();
      const candidates = CONFIG_NAMES.map((name) => childUri(this.folder, name));
      const answers = await this.host.files.read(candidates, MAX_CONFIG_BYTES);
      const found = answers.find((answer) => answer.problem !== 'missing');
      if (found?.problem) this.host.log(found.message ?? `${found.uri}: ${found.problem}`);
      if (this.configUri !== undefined) this.texts.delete(uriKey(this.configUri));
      this.configUri = found?.uri;
      this.setConfigText(found ? (this.host.editorText(found.uri) ?? found.text) : undefined);
      await this.syncRegistry();
      await this.syncSources();
      this.generation = nextGeneration();
      this.host.log(`Loaded ${this.sourceUris.size} source(s) from ${this.folder}${found ? '' : ' (no config: defaults)'} in ${Date.now() - started} ms`);
    });
  }

  relative(uri: string): string | undefined {
    return relativeUri(this.folder, uri);
  }

  kindOf(uri: string): ProjectFileKind | undefined {
    const key = uriKey(uri);
    if (this.configUri !== undefined && key === uriKey(this.configUri)) return 'config';
    if (this.registryUri !== undefined && key === uriKey(this.registryUri)) return 'registry';
    if (this.sourceUris.has(key)) return 'source';
    const relative = this.relative(uri);
    return relative !== undefined && !hiddenPath(relative) && this.isSourcePath(relative) ? 'source' : undefined;
  }

  /** A piece to check: matches the config's `documents`, is not one of the project's own files, not in node_modules or a dot-folder. */
  isPiece(uri: string): boolean {
    const relative = this.relative(uri);
    if (relative === undefined || hiddenPath(relative) || this.kindOf(uri)) return false;
    return this.isDocumentPath(relative);
  }

  /** The size above which pieces are skipped. */
  get maxFileSize(): number {
    return this.selection.maxFileSize;
  }

  /**
   * A config, registry or source changed in the editor (`text`) or is gone
   * (`undefined`). Resolves to whether anything a check depends on changed.
   */
  fileChanged(uri: string, text: string | undefined): Promise<boolean> {
    return this.inTurn(() => this.applyFile(uri, text));
  }

  /** A file changed in storage: re-read it, unless the editor has it open (then the editor's text stays). */
  fileChangedInStorage(uri: string, deleted: boolean): Promise<boolean> {
    return this.inTurn(async () => {
      if (!this.kindOf(uri)) return false;
      if (!deleted && this.host.editorText(uri) !== undefined) return false;
      if (deleted) return this.applyFile(uri, undefined);
      const [answer] = await this.host.files.read([uri], this.limitFor(uri));
      if (answer?.problem && answer.problem !== 'missing') this.host.log(answer.message ?? `${uri}: ${answer.problem}`);
      return this.applyFile(uri, answer?.text);
    });
  }

  /** Findings on the project's own files (config, registry, sources), by URI. */
  fileFindings(): Map<string, Finding[]> {
    const result = new Map<string, Finding[]>();
    if (this.configUri) result.set(this.configUri, this.configFindings);
    if (this.registryUri) result.set(this.registryUri, this.registryFindings);
    for (const [uri, findings] of this.engine.sourceProblems()) result.set(uri, [...(result.get(uri) ?? []), ...findings]);
    return result;
  }

  /** Line table of a project file (config, registry, source) in the text the engine saw. */
  mapOf(uri: string): TextMap | undefined {
    const key = uriKey(uri);
    const text = this.texts.get(key) ?? this.source(key)?.text;
    if (text === undefined) return undefined;
    let map = this.maps.get(key);
    if (!map || map.text !== text || map.encoding !== this.host.encoding()) {
      map = new TextMap(text, this.host.encoding());
      this.maps.set(key, map);
    }
    return map;
  }

  private source(key: string): Source | undefined {
    if (!this.sourceIndex || this.sourceIndex.generation !== this.generation) {
      const byKey = new Map<string, Source>();
      for (const source of this.engine.sources()) byKey.set(uriKey(source.uri), source);
      this.sourceIndex = { generation: this.generation, byKey };
    }
    return this.sourceIndex.byKey.get(key);
  }

  private limitFor(uri: string): number {
    const kind = this.kindOf(uri);
    return kind === 'config' ? MAX_CONFIG_BYTES : Math.max(this.selection.maxFileSize, MAX_REGISTRY_BYTES);
  }

  private async applyFile(uri: string, text: string | undefined): Promise<boolean> {
    const kind = this.kindOf(uri);
    let changed = false;
    if (kind === 'config') {
      const before = this.selection;
      changed = this.setConfigText(text);
      if (changed && !sameList(before.sources, this.selection.sources)) await this.syncSources();
      if (changed && before.entities !== this.selection.entities) await this.syncRegistry();
    } else if (kind === 'registry') {
      changed = this.setRegistryText(text);
    } else if (kind === 'source') {
      changed = this.setSourceText(uri, text);
    }
    if (changed) this.generation = nextGeneration();
    return changed;
  }

  private setConfigText(text: string | undefined): boolean {
    const key = this.configUri !== undefined ? uriKey(this.configUri) : undefined;
    if (key !== undefined && text !== undefined && this.texts.get(key) === text) return false;
    if (key !== undefined && text !== undefined) this.texts.set(key, text);
    else if (key !== undefined) this.texts.delete(key);
    this.configFindings = this.engine.setConfig(this.configUri, text);
    const unreadable = isUnreadableConfig(this.configFindings);
    if (text !== undefined && unreadable && this.lastGoodConfig !== undefined) {
      // Half-typed YAML must not flip every rule back to its default: keep the last readable config, and say so.
      this.engine.setConfig(this.configUri, this.lastGoodConfig);
      this.configFindings = [...this.configFindings, keptLastGoodConfigNotice()];
    } else if (text !== undefined && !unreadable) {
      this.lastGoodConfig = text;
    }
    this.applySelection();
    return true;
  }

  private applySelection(): void {
    this.selection = this.engine.files();
    this.isSourcePath = globsMatcher(this.selection.sources);
    this.isDocumentPath = globsMatcher(this.selection.documents);
    this.registryUri = this.selection.entities ? childUri(this.folder, this.selection.entities) : undefined;
  }

  /** Reads the registry the config names (an absent default `entities.yml` is simply no registry). */
  private async syncRegistry(): Promise<void> {
    const uri = this.registryUri;
    if (!uri) {
      this.registryFindings = this.engine.setRegistry(undefined, undefined);
      return;
    }
    let text = this.host.editorText(uri);
    if (text === undefined) {
      const [answer] = await this.host.files.read([uri], MAX_REGISTRY_BYTES);
      if (answer?.problem === 'missing' && this.selection.entitiesExplicit) this.host.log(`entity registry ${this.selection.entities} not found`);
      else if (answer?.problem && answer.problem !== 'missing') this.host.log(answer.message ?? `${uri}: ${answer.problem}`);
      text = answer?.text;
    }
    this.setRegistryText(text, true);
  }

  private setRegistryText(text: string | undefined, force = false): boolean {
    const uri = this.registryUri;
    const key = uri !== undefined ? uriKey(uri) : undefined;
    if (!force && key !== undefined && text !== undefined && this.texts.get(key) === text) return false;
    if (key !== undefined && text !== undefined) this.texts.set(key, text);
    else if (key !== undefined) this.texts.delete(key);
    this.registryFindings = this.engine.setRegistry(uri !== undefined && text !== undefined ? uri : undefined, text);
    return true;
  }

  /** Lists the sources the config selects, drops those no longer selected and reads the new ones. */
  private async syncSources(): Promise<void> {
    const positive = this.selection.sources.filter((glob) => !glob.startsWith('!'));
    const listed = positive.length ? await this.host.files.find(this.folder, positive) : [];
    const wanted = new Map<string, string>();
    for (const uri of listed) {
      const relative = this.relative(uri);
      if (relative !== undefined && !hiddenPath(relative) && this.isSourcePath(relative)) wanted.set(uriKey(uri), uri);
    }
    for (const [key, uri] of [...this.sourceUris]) if (!wanted.has(key)) this.setSourceText(uri, undefined);
    const toRead: string[] = [];
    for (const [key, uri] of wanted) {
      if (this.sourceUris.has(key)) continue;
      const open = this.host.editorText(uri);
      if (open !== undefined) this.setSourceText(uri, open);
      else toRead.push(uri);
    }
    const limit = Math.max(this.selection.maxFileSize, MAX_REGISTRY_BYTES);
    for (let i = 0; i < toRead.length; i += READ_BATCH) {
      for (const answer of await this.host.files.read(toRead.slice(i, i + READ_BATCH), limit)) {
        if (answer.text !== undefined) this.setSourceText(answer.uri, this.host.editorText(answer.uri) ?? answer.text);
        else this.host.log(answer.message ?? `${answer.uri}: ${answer.problem ?? 'not read'}`);
      }
    }
  }

  private setSourceText(uri: string, text: string | undefined): boolean {
    const key = uriKey(uri);
    const known = this.sourceUris.get(key);
    if (text === undefined) {
      if (known === undefined) return false;
      this.sourceUris.delete(key);
      this.engine.removeSource(known);
      return true;
    }
    if (known !== undefined && this.source(key)?.text === text) return false;
    this.sourceUris.set(key, known ?? uri);
    this.engine.setSource(known ?? uri, this.relative(uri) ?? uri, text);
    // The source lookup is per generation: a new text must not be served from the old index.
    this.sourceIndex = undefined;
    return true;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}
