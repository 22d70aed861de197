/**
 * The language server for the web (vscode.dev, github.dev): the same engine
 * and the same conversions (lsp/convert.ts) and guard (lsp/guard.ts) as the
 * desktop server, wired for a browser worker. What differs:
 *
 * - files are listed and read by the client (protocol.ts), per workspace
 *   folder; changes arrive as standard `workspace/didChangeWatchedFiles`;
 * - diagnostics are pushed, checks run in this worker one piece at a time
 *   (no check worker with a time budget: a worker cannot be stopped from inside);
 * - a piece outside every workspace folder is not checked (there is no folder
 *   to read its sources from); an untitled piece belongs to the first folder.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentHighlightKind,
  FileChangeType,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type DidChangeWatchedFilesParams,
  type InitializeParams,
  type InitializeResult,
  type Location,
  type TextDocumentIdentifier,
  type WorkspaceFolder,
} from 'vscode-languageserver';
import type { CancellationFlag, DocumentInput, Engine } from '../engine/api';
import type { Finding } from '../engine/types';
import {
  applyContentChange,
  negotiatePositionEncoding,
  quickFixes,
  TextMap,
  toCompletionItem,
  toDiagnostic,
  toHover,
  toLocation,
  type DiagnosticContext,
  type PositionEncoding,
} from '../lsp/convert';
import { editingCapabilities } from '../lsp/capabilities';
import { createGuard } from '../lsp/guard';
import type { Log } from '../lsp/session';
import { BrowserProject, CONFIG_NAMES, type FileAccess } from './project';
import { FIND_FILES, READ_FILES, type BrowserInitializationOptions, type FindFilesResult, type ReadFilesResult } from './protocol';
import { uriKey } from './uris';

export interface BrowserServerOptions {
  createEngine(options: { docsBaseUrl?: string }): Engine;
}

/** A check waits this long after the last keystroke (as on the desktop). */
const DEBOUNCE_MS = 150;
/** Files whose change can matter: pieces, sources, registry and config. */
const WATCHED_FILES = '**/*.{md,txt,yml,yaml,json}';
/** Files whose first 8,000 characters hold a NUL are binary, not prose. */
const BINARY_PROBE_CHARS = 8000;
/** How long to wait for a client that never answers `workspace/configuration`. */
const CONFIGURATION_TIMEOUT_MS = 2000;

class OpenDocument {
  private cachedMap: TextMap | undefined;
  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    public text: string,
    private readonly encoding: PositionEncoding,
  ) {}

  get map(): TextMap {
    this.cachedMap ??= new TextMap(this.text, this.encoding);
    return this.cachedMap;
  }

  update(text: string, version: number): void {
    this.text = text;
    this.version = version;
    this.cachedMap = undefined;
  }
}

interface Settings {
  enable: boolean;
  run: 'onType' | 'onSave';
}

interface CheckResult {
  key: string;
  version: number;
  findings: Finding[];
  diagnostics: Diagnostic[];
}

type Role = { kind: 'piece'; project: BrowserProject } | { kind: 'projectFile'; project: BrowserProject } | { kind: 'other' };

export function startBrowserServer(connection: Connection, options: BrowserServerOptions): void {
  const log: Log = {
    info: (message) => connection.console.info(message),
    warn: (message) => connection.console.warn(message),
    error: (message) => connection.console.error(message),
  };
  const guard = createGuard(() => log, new Set());
  const documents = new Map<string, OpenDocument>();
  const projects = new Map<string, BrowserProject>();
  const results = new Map<string, CheckResult>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const settingsCache = new Map<string, Promise<Settings>>();
  /** URIs we pushed findings to (by key), so that they can be cleared. */
  const pushed = new Map<string, string>();
  let encoding: PositionEncoding = 'utf-16';
  let caps = { relatedInformation: false, codeDescription: false, documentChanges: false, hoverMarkdown: false, completionMarkdown: false, configuration: false, watchFiles: false, configurationChanges: false };
  let loaded!: () => void;
  const ready = new Promise<void>((resolve) => (loaded = resolve));

  const files: FileAccess = {
    async find(folder, globs) {
      return (await connection.sendRequest<FindFilesResult>(FIND_FILES, { folder, globs })).uris;
    },
    async read(uris, maxBytes) {
      return (await connection.sendRequest<ReadFilesResult>(READ_FILES, { uris, maxBytes })).files;
    },
  };

  // ── The wiring table ────────────────────────────────────────────────────
  connection.onInitialize(guard.request('initialize', (params: InitializeParams) => initialize(params)));
  connection.onInitialized(guard.notification('initialized', () => initialized()));
  connection.onDidOpenTextDocument(guard.notification('didOpen', ({ textDocument: d }) => {
    const document = new OpenDocument(d.uri, d.languageId, d.version, d.text, encoding);
    documents.set(uriKey(d.uri), document);
    documentEvent(document, 'open');
  }));
  connection.onDidChangeTextDocument(guard.notification('didChange', (params) => {
    const document = documents.get(uriKey(params.textDocument.uri));
    if (!document) return;
    let text = document.text;
    for (const change of params.contentChanges) text = applyContentChange(text, change, encoding);
    document.update(text, params.textDocument.version);
    documentEvent(document, 'change');
  }));
  connection.onDidSaveTextDocument(guard.notification('didSave', (params) => {
    const document = documents.get(uriKey(params.textDocument.uri));
    if (document) documentEvent(document, 'save');
  }));
  connection.onDidCloseTextDocument(guard.notification('didClose', (params) => closed(params.textDocument.uri)));
  connection.onDidChangeWatchedFiles(guard.notification('didChangeWatchedFiles', (params) => watchedFilesChanged(params)));
  connection.onDidChangeConfiguration(guard.notification('didChangeConfiguration', () => {
    settingsCache.clear();
    recheck([...projects.values()]);
  }));
  connection.onHover(guard.request('hover', async (p, token) => {
    const piece = await pieceOf(p.textDocument.uri, token);
    const card = piece?.project.engine.hover(piece.input, piece.document.map.offset(p.position));
    return piece && card ? toHover(card, piece.document.map, caps.hoverMarkdown) : null;
  }));
  connection.onDefinition(guard.request('definition', async (p, token) => {
    const piece = await pieceOf(p.textDocument.uri, token);
    if (!piece) return null;
    const targets = piece.project.engine.definition(piece.input, piece.document.map.offset(p.position));
    const locations = targets.map((target) => toLocation(target, (uri) => piece.project.mapOf(uri))).filter((l): l is Location => l !== undefined);
    return locations.length ? locations : null;
  }));
  connection.onCompletion(guard.request('completion', async (p, token) => {
    const piece = await pieceOf(p.textDocument.uri, token);
    if (!piece) return [];
    const list = piece.project.engine.completion(piece.input, piece.document.map.offset(p.position));
    return { isIncomplete: list.isIncomplete, items: list.items.map((entry) => toCompletionItem(entry, piece.document.map, caps.completionMarkdown)) };
  }));
  connection.onReferences(guard.request('references', async (p, token) => {
    const piece = await pieceOf(p.textDocument.uri, token);
    if (!piece) return null;
    const others = [...documents.values()].filter((d) => d !== piece.document && pieceProject(d) === piece.project && !skipReason(d, piece.project)).map((d) => inputOf(d, piece.project));
    const mapOf = (uri: string) => documents.get(uriKey(uri))?.map ?? piece.project.mapOf(uri);
    const found = piece.project.engine.references(piece.input, piece.document.map.offset(p.position), others);
    const locations = found.map((target) => toLocation(target, mapOf)).filter((l): l is Location => l !== undefined);
    return locations.length ? locations : null;
  }));
  connection.onDocumentHighlight(guard.request('documentHighlight', async (p, token) => {
    const piece = await pieceOf(p.textDocument.uri, token);
    const spans = piece ? piece.project.engine.documentHighlights(piece.input, piece.document.map.offset(p.position)) : [];
    return piece && spans.length ? spans.map((span) => ({ range: piece.document.map.range(span), kind: DocumentHighlightKind.Text })) : null;
  }));
  connection.onRequest('provenance/actors', guard.request('actors', async (p: { textDocument: TextDocumentIdentifier }, token) => {
    const piece = await pieceOf(p.textDocument.uri, token);
    if (!piece) return { actors: [] };
    return { actors: piece.project.engine.actors(piece.input).map(({ spans, ...actor }) => ({ ...actor, ranges: spans.map((span) => piece.document.map.range(span)) })) };
  }));
  connection.onCodeAction(guard.request('codeAction', async (p, token) => {
    const only = p.context.only;
    if (only && !only.some((kind) => kind === CodeActionKind.Empty || kind === CodeActionKind.QuickFix)) return [];
    const piece = await pieceOf(p.textDocument.uri, token);
    const result = piece && resultFor(piece.document, piece.project);
    if (!piece || !result) return [];
    const { document, project, input } = piece;
    return quickFixes(project.engine, input, result.findings, document.map.span(p.range), document, diagnosticContext(project), caps.documentChanges);
  }));
  connection.onShutdown(() => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  });
  // ────────────────────────────────────────────────────────────────────────

  function initialize(params: InitializeParams): InitializeResult {
    const c = params.capabilities;
    encoding = negotiatePositionEncoding(c.general?.positionEncodings);
    caps = {
      relatedInformation: c.textDocument?.publishDiagnostics?.relatedInformation === true,
      codeDescription: c.textDocument?.publishDiagnostics?.codeDescriptionSupport === true,
      documentChanges: c.workspace?.workspaceEdit?.documentChanges === true,
      hoverMarkdown: c.textDocument?.hover?.contentFormat?.includes('markdown') ?? false,
      completionMarkdown: c.textDocument?.completion?.completionItem?.documentationFormat?.includes('markdown') ?? false,
      configuration: c.workspace?.configuration === true,
      watchFiles: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      configurationChanges: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    };
    const init = (params.initializationOptions ?? {}) as BrowserInitializationOptions;
    const docsBaseUrl = typeof init.docsBaseUrl === 'string' && init.docsBaseUrl.endsWith('/') ? init.docsBaseUrl : undefined;
    const folders: WorkspaceFolder[] = params.workspaceFolders?.length ? params.workspaceFolders : params.rootUri ? [{ uri: params.rootUri, name: '' }] : [];
    for (const folder of folders) {
      projects.set(uriKey(folder.uri), new BrowserProject({
        createEngine: () => options.createEngine({ docsBaseUrl }),
        files,
        editorText: (uri) => documents.get(uriKey(uri))?.text,
        log: (message) => log.info(message),
        encoding: () => encoding,
      }, folder.uri));
    }
    return {
      capabilities: editingCapabilities(encoding),
      serverInfo: { name: 'provenance (browser)', version: typeof init.version === 'string' ? init.version : undefined },
    };
  }

  async function initialized(): Promise<void> {
    if (caps.watchFiles) {
      connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: WATCHED_FILES }] }).catch((err: Error) => log.warn(`Could not watch files: ${err.message}`));
    }
    if (caps.configurationChanges) connection.client.register(DidChangeConfigurationNotification.type, { section: 'provenance' }).catch(() => undefined);
    try {
      // One folder after the other: each reads its files through the client.
      for (const project of projects.values()) {
        await project.load().catch((err: Error) => log.error(`Loading ${project.folder} failed: ${err.stack ?? err}`));
      }
    } finally {
      loaded();
    }
    publishProjectFiles();
  }

  // ── Documents and their roles ───────────────────────────────────────────

  function projectOf(uri: string): BrowserProject | undefined {
    let best: BrowserProject | undefined;
    for (const project of projects.values()) {
      if (project.relative(uri) !== undefined && (!best || project.folder.length > best.folder.length)) best = project;
    }
    return best;
  }

  function roleOf(document: OpenDocument): Role {
    if (document.uri.startsWith('untitled:')) {
      const first = projects.values().next().value;
      return document.languageId === 'markdown' && first ? { kind: 'piece', project: first } : { kind: 'other' };
    }
    const project = projectOf(document.uri);
    if (!project) return { kind: 'other' };
    if (project.kindOf(document.uri)) return { kind: 'projectFile', project };
    return project.isPiece(document.uri) ? { kind: 'piece', project } : { kind: 'other' };
  }

  function pieceProject(document: OpenDocument): BrowserProject | undefined {
    const role = roleOf(document);
    return role.kind === 'piece' ? role.project : undefined;
  }

  function inputOf(document: OpenDocument, project: BrowserProject): DocumentInput {
    return { uri: document.uri, path: project.relative(document.uri), text: document.text, version: document.version };
  }

  /** The open piece a request is about, after the workspace has loaded; undefined for anything else and for a skipped piece. */
  async function pieceOf(uri: string, token: CancellationToken) {
    await ready;
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const document = documents.get(uriKey(uri));
    const project = document && pieceProject(document);
    if (!document || !project || skipReason(document, project)) return undefined;
    return { document, project, input: inputOf(document, project) };
  }

  /** Why a piece is not analysed at all (above `maxFileSize`, or binary), as the desktop server and the CLI say it. */
  function skipReason(document: OpenDocument, project: BrowserProject): Finding | undefined {
    const limit = project.maxFileSize;
    const name = project.relative(document.uri) ?? document.uri;
    // A UTF-16 unit is at most 3 UTF-8 bytes: only count bytes when it could matter.
    const bytes = document.text.length * 3 > limit ? new TextEncoder().encode(document.text).length : document.text.length;
    const at = { start: 0, end: 0 };
    if (bytes > limit) {
      return { ruleId: 'input/skipped', severity: 'warning', message: `${name} is ${formatBytes(bytes)}, above the ${formatBytes(limit)} limit (maxFileSize): too large, skipped.`, span: at, data: { reason: 'too-large', bytes, limit } };
    }
    if (document.text.slice(0, BINARY_PROBE_CHARS).includes('\u0000')) {
      return { ruleId: 'input/skipped', severity: 'warning', message: `${name} looks binary (a NUL character in its first 8,000 characters): binary, skipped.`, span: at, data: { reason: 'binary' } };
    }
    return undefined;
  }

  function documentEvent(document: OpenDocument, event: 'open' | 'change' | 'save'): void {
    const key = uriKey(document.uri);
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      ready
        .then(async () => {
          if (documents.get(key) !== document) return;
          const role = roleOf(document);
          if (role.kind === 'projectFile') {
            // The editor's words are what the writer sees: they go to the engine as typed. A save
            // within the debounce replaced the edit's timer, so it applies the text too (a no-op when unchanged).
            if (await role.project.fileChanged(document.uri, document.text)) projectChanged(role.project);
            else publishProjectFiles();
          } else if (role.kind === 'piece') {
            const settings = await settingsFor(document.uri);
            if (event === 'change' && settings.run === 'onSave') return;
            await publishPiece(document.uri);
          } else if (pushed.has(key)) {
            // No longer a piece (the config's `documents` changed): withdraw what it showed.
            publish(document.uri, []);
          }
        })
        .catch((err: Error) => log.error(`Handling ${document.uri} failed: ${err.stack ?? err}`));
    }, event === 'change' ? DEBOUNCE_MS : 0));
  }

  function closed(uri: string): void {
    const key = uriKey(uri);
    const document = documents.get(key);
    documents.delete(key);
    clearTimeout(timers.get(key));
    timers.delete(key);
    results.delete(key);
    settingsCache.delete(key);
    if (!document) return;
    const project = projectOf(uri);
    if (project?.kindOf(uri)) {
      // Unsaved edits are gone with the editor: what is stored is the truth again.
      void project.fileChangedInStorage(uri, false).then((changed) => (changed ? projectChanged(project) : publishProjectFiles()), (err: Error) => log.error(`Re-reading ${uri} failed: ${err.stack ?? err}`));
    } else if (pushed.has(key)) {
      publish(uri, []);
    }
  }

  async function watchedFilesChanged(params: DidChangeWatchedFilesParams): Promise<void> {
    await ready;
    const changed = new Set<BrowserProject>();
    const reload = new Set<BrowserProject>();
    for (const change of params.changes) {
      const project = projectOf(change.uri);
      if (!project) continue;
      const relative = project.relative(change.uri);
      const deleted = change.type === FileChangeType.Deleted;
      if (relative !== undefined && CONFIG_NAMES.includes(relative) && !(change.type === FileChangeType.Changed && project.kindOf(change.uri) === 'config')) {
        // A config appeared or vanished: read the folder again.
        reload.add(project);
        continue;
      }
      if (await project.fileChangedInStorage(change.uri, deleted)) changed.add(project);
    }
    for (const project of reload) {
      await project.load();
      changed.add(project);
    }
    for (const project of changed) projectChanged(project);
  }

  // ── Checks and diagnostics ──────────────────────────────────────────────

  function settingsFor(uri: string): Promise<Settings> {
    const key = uriKey(uri);
    let settings = settingsCache.get(key);
    if (!settings) {
      settings = caps.configuration ? askSettings(uri) : Promise.resolve({ enable: true, run: 'onType' });
      settingsCache.set(key, settings);
    }
    return settings;
  }

  async function askSettings(uri: string): Promise<Settings> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), CONFIGURATION_TIMEOUT_MS)));
    try {
      const raw = (await Promise.race([connection.workspace.getConfiguration({ scopeUri: uri, section: 'provenance' }), timeout])) as Record<string, unknown> | undefined;
      return { enable: raw?.enable !== false, run: raw?.run === 'onSave' ? 'onSave' : 'onType' };
    } catch (err) {
      log.warn(`Reading settings for ${uri} failed, using defaults: ${(err as Error).message}`);
      return { enable: true, run: 'onType' };
    } finally {
      clearTimeout(timer);
    }
  }

  function diagnosticContext(project: BrowserProject): DiagnosticContext {
    return {
      ruleDocsUrl: (ruleId) => project.engine.ruleDocsUrl(ruleId),
      mapOf: (uri) => project.mapOf(uri),
      relatedInformation: caps.relatedInformation,
      codeDescription: caps.codeDescription,
    };
  }

  /** The findings of the document's current text, cached per (version, project state); undefined when a newer version arrived meanwhile. */
  function resultFor(document: OpenDocument, project: BrowserProject): CheckResult | undefined {
    const key = `${document.version}.${project.generation}`;
    const id = uriKey(document.uri);
    const cached = results.get(id);
    if (cached?.key === key) return cached;
    const map = document.map;
    const skipped = skipReason(document, project);
    if (skipped) return { key, version: document.version, findings: [], diagnostics: [toDiagnostic(skipped, map, diagnosticContext(project))] };
    const version = document.version;
    const cancel: CancellationFlag = { get isCancellationRequested() { return document.version !== version; } };
    const findings = project.engine.check(inputOf(document, project), cancel);
    if (cancel.isCancellationRequested) return undefined;
    const context = diagnosticContext(project);
    const result = { key, version, findings, diagnostics: findings.map((finding) => toDiagnostic(finding, map, context, false)) };
    results.set(id, result);
    return result;
  }

  async function publishPiece(uri: string): Promise<void> {
    const document = documents.get(uriKey(uri));
    const project = document && pieceProject(document);
    if (!document || !project) return;
    const settings = await settingsFor(uri);
    if (documents.get(uriKey(uri)) !== document) return;
    if (!settings.enable) {
      publish(document.uri, []);
      return;
    }
    const result = resultFor(document, project);
    if (result) publish(document.uri, result.diagnostics, result.version);
  }

  function publish(uri: string, diagnostics: Diagnostic[], version?: number): void {
    if (diagnostics.length) pushed.set(uriKey(uri), uri);
    else pushed.delete(uriKey(uri));
    connection.sendDiagnostics({ uri, version, diagnostics }).catch(() => undefined);
  }

  /** Config, registry or sources of a project changed: publish the findings on those files and re-check its open pieces. */
  function projectChanged(project: BrowserProject): void {
    publishProjectFiles();
    recheck([project]);
  }

  /** Re-checks the open pieces of some projects, one per turn of the event loop so edits and requests are served between. */
  function recheck(of: BrowserProject[]): void {
    void (async () => {
      // Never before the folders are read: a check against half a workspace shows every quotation as not found.
      await ready;
      const pieces = [...documents.values()].filter((document) => {
        const project = pieceProject(document);
        if (!project && pushed.has(uriKey(document.uri))) publish(document.uri, []);
        return project !== undefined && of.includes(project);
      });
      for (const document of pieces) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (!timers.has(uriKey(document.uri))) await publishPiece(document.uri);
      }
    })().catch((err: Error) => log.error(`Re-checking open pieces failed: ${err.stack ?? err}`));
  }

  /** Pushes the findings on each project's own files (config, registry, sources) and clears those that have none left. */
  function publishProjectFiles(): void {
    const stale = new Map([...pushed].filter(([key]) => !documents.has(key) || roleOf(documents.get(key)!).kind !== 'piece'));
    for (const project of projects.values()) {
      const context = diagnosticContext(project);
      for (const [uri, findings] of project.fileFindings()) {
        const map = project.mapOf(uri);
        if (!map || !findings.length) continue;
        stale.delete(uriKey(uri));
        publish(uri, findings.map((finding) => toDiagnostic(finding, map, context, false)));
      }
    }
    for (const uri of stale.values()) publish(uri, []);
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} B`;
}
