/**
 * The language server: a wiring table from LSP messages to small handlers
 * over the engine façade. Handlers look up, call the engine, convert; every
 * one goes through the guard, so none can throw into the connection.
 */
import path = require('node:path');
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  type Connection,
  type DidChangeWatchedFilesParams,
  type InitializeParams,
  type InitializeResult,
  type WorkDoneProgressServerReporter,
  type WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver';
import type { Engine } from '../engine/api';
import { fromUri } from '../node/workspace';
import { CheckWorker } from './check-worker';
import { DEBOUNCE_MS, DiagnosticsService, WARM_UP_PAUSE_MS } from './diagnostics';
import { DocumentStore } from './documents';
import * as features from './features';
import { AnalysisGate } from './gate';
import { createGuard } from './guard';
import { isConfigFileName, ProjectSet, type Project } from './projects';
import { clientFeatures, type Log, type Session } from './session';
import { SettingsStore } from './settings';
import { Warmer } from './warm';
import { editingCapabilities } from './capabilities';

export interface ServerOptions {
  createEngine(): Engine;
  /** Checks pieces in a worker; `createEngine` should return engines it mirrors (else checks run on the main thread). */
  checker?: CheckWorker;
  /** Reported as serverInfo.version. */
  version?: string;
  /** Handler names that throw on purpose (tests only). */
  faults?: ReadonlySet<string>;
  /** Other pauses than DEBOUNCE_MS and WARM_UP_PAUSE_MS (tests only). */
  timing?: { debounceMs?: number; warmUpPauseMs?: number };
}

/** Files whose change can matter: pieces, sources, registry and config. */
const WATCHED_FILES = '**/*.{md,txt,yml,yaml,json}';
/** How often to look for the editor process that started us. */
const PARENT_POLL_MS = 1000;

/** What the transport needs to know of a running server. */
export interface RunningServer {
  /** Whether the client asked to shut down: leaving after that is a success. */
  readonly shutdownRequested: boolean;
}

export function startServer(connection: Connection, options: ServerOptions): RunningServer {
  let shutdownRequested = false;
  const log: Log = {
    info: (message) => connection.console.info(message),
    warn: (message) => connection.console.warn(message),
    error: (message) => connection.console.error(message),
  };
  const guard = createGuard(() => log, options.faults ?? new Set());
  let state: { session: Session; diagnostics: DiagnosticsService; loaded: () => void } | undefined;
  const session = () => started().session;
  const diagnostics = () => started().diagnostics;
  function started() {
    if (!state) throw new Error('the server is not initialized yet');
    return state;
  }

  // ── The wiring table ────────────────────────────────────────────────────
  connection.onInitialize(guard.request('initialize', (params: InitializeParams) => initialize(params)));
  connection.onInitialized(guard.notification('initialized', () => initialized()));
  connection.onDidOpenTextDocument(guard.notification('didOpen', (p) => diagnostics().opened(session().documents.open(p))));
  connection.onDidChangeTextDocument(guard.notification('didChange', (p) => ifOpen(session().documents.change(p), (d) => diagnostics().changed(d))));
  connection.onDidSaveTextDocument(guard.notification('didSave', (p) => ifOpen(session().documents.get(p.textDocument.uri), (d) => diagnostics().saved(d))));
  connection.onDidCloseTextDocument(guard.notification('didClose', (p) => ifOpen(session().documents.close(p.textDocument.uri), (d) => diagnostics().closed(d))));
  connection.onDidChangeWatchedFiles(guard.notification('didChangeWatchedFiles', (p) => watchedFilesChanged(p)));
  connection.onDidChangeConfiguration(guard.notification('didChangeConfiguration', (p) => settingsChanged(p.settings)));
  connection.languages.diagnostics.on(guard.request('diagnostic', (p, t) => diagnostics().pullDocument(p.textDocument.uri, p.previousResultId, t)));
  connection.onHover(guard.request('hover', (p, t) => features.hover(session(), p, t)));
  connection.onDefinition(guard.request('definition', (p, t) => features.definition(session(), p, t)));
  connection.onCompletion(guard.request('completion', (p, t) => features.completion(session(), p, t)));
  connection.onReferences(guard.request('references', (p, t) => features.references(session(), p, t)));
  connection.onDocumentHighlight(guard.request('documentHighlight', (p, t) => features.documentHighlights(session(), p, t)));
  connection.onRequest('provenance/actors', guard.request('actors', (p: { textDocument: { uri: string } }, t) => features.actors(session(), p, t)));
  connection.onCodeAction(guard.request('codeAction', (p, t) => features.codeActions(session(), diagnostics(), p, t)));
  connection.onShutdown(() => {
    shutdownRequested = true;
    state?.diagnostics.dispose();
    state?.session.warmer.dispose();
    return state?.session.checker.dispose();
  });
  // ────────────────────────────────────────────────────────────────────────

  function initialize(params: InitializeParams): InitializeResult {
    const client = clientFeatures(params);
    const documents = new DocumentStore(() => client.encoding);
    const projects = new ProjectSet({
      createEngine: options.createEngine,
      editorText: (file) => documents.byFile(file)?.text,
      openFiles: () => documents.all().flatMap((document) => (document.file !== undefined ? [document.file] : [])),
      log: (message) => log.info(message),
      encoding: () => client.encoding,
      cacheDir: storagePathOf(params.initializationOptions),
    });
    projects.setFolders(workspaceFoldersOf(params));
    const settings = new SettingsStore(connection, client.configuration, params.initializationOptions, (message) => log.warn(message));
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => (loaded = resolve));
    const checker = options.checker ?? new CheckWorker({ log: (message) => log.info(message) });
    const warmer = new Warmer((message) => log.warn(message));
    const session: Session = {
      connection,
      documents,
      projects,
      settings,
      client,
      log,
      ready,
      checker,
      gate: new AnalysisGate(),
      warmer,
      debounceMs: options.timing?.debounceMs ?? DEBOUNCE_MS,
      warmUpPauseMs: options.timing?.warmUpPauseMs ?? WARM_UP_PAUSE_MS,
    };
    state = { session, diagnostics: new DiagnosticsService(session), loaded };
    exitWithParent(params.processId);

    return {
      capabilities: {
        ...editingCapabilities(client.encoding),
        diagnosticProvider: client.pullDiagnostics ? { identifier: 'provenance', interFileDependencies: true, workspaceDiagnostics: false } : undefined,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'provenance', version: options.version },
    };
  }

  async function initialized(): Promise<void> {
    const { session: s, diagnostics: d, loaded } = started();
    if (s.client.watchFilesDynamically) {
      s.connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: WATCHED_FILES }] })
        .catch((err: Error) => log.warn(`Could not watch files: ${err.message}`));
    }
    if (s.client.configurationDynamically) {
      s.connection.client.register(DidChangeConfigurationNotification.type, { section: 'provenance' }).catch(() => undefined);
    }
    try {
      s.connection.workspace.onDidChangeWorkspaceFolders((event) => guard.notification('didChangeWorkspaceFolders', foldersChanged)(event));
    } catch {
      // The client does not send folder changes: the folders of `initialize` stay.
    }
    try {
      await loadFolders(s, s.projects.workspaceFolders);
    } finally {
      loaded();
    }
    d.publishProjectFiles();
    // Entity knowledge and the passage index, built before the first hover needs them (open pieces follow their checks),
    // then kept in the editor's storage for the next start.
    for (const project of s.projects.all()) s.warmer.plan(project, project.warmUpSteps());
  }

  function watchedFilesChanged(params: DidChangeWatchedFilesParams): void {
    const { session: s, diagnostics: d } = started();
    const changed = new Set<Project>();
    let rootsMayMove = false;
    for (const change of params.changes) {
      const file = fromUri(change.uri);
      if (file === undefined) continue;
      const deleted = change.type === FileChangeType.Deleted;
      const owner = s.projects.all().find((project) => project.configFile === file);
      if (isConfigFileName(file) && !(owner && change.type === FileChangeType.Changed)) {
        rootsMayMove = true;
        continue;
      }
      for (const project of s.projects.all()) if (project.fileChangedOnDisk(file, deleted)) changed.add(project);
    }
    if (rootsMayMove) {
      // A config appeared or vanished: roots may have moved, so start again from the folders.
      s.projects.reset();
      for (const folder of s.projects.workspaceFolders) s.projects.loadFolder(folder);
      d.projectsChanged();
    } else if (changed.size) {
      d.projectsChanged([...changed]);
    }
  }

  function settingsChanged(pushed: unknown): void {
    const { session: s, diagnostics: d } = started();
    s.settings.changed(pushed);
    d.settingsChanged();
  }

  function foldersChanged(event: WorkspaceFoldersChangeEvent): void {
    const { session: s, diagnostics: d } = started();
    const removed = new Set(event.removed.map((folder) => fromUri(folder.uri)));
    const added = event.added.map((folder) => fromUri(folder.uri)).filter((folder): folder is string => folder !== undefined);
    s.projects.setFolders([...s.projects.workspaceFolders.filter((folder) => !removed.has(folder)), ...added]);
    for (const folder of s.projects.workspaceFolders) s.projects.loadFolder(folder);
    d.projectsChanged();
  }

  /** The client may vanish without `exit` (killed, crashed): don't outlive it. */
  function exitWithParent(processId: number | null): void {
    if (typeof processId !== 'number') return;
    const timer = setInterval(() => {
      try {
        process.kill(processId, 0);
      } catch (err) {
        // EPERM means it exists but is not ours to signal: still alive.
        if ((err as NodeJS.ErrnoException).code === 'ESRCH') process.exit(1);
      }
    }, PARENT_POLL_MS);
    timer.unref();
  }

  async function loadFolders(s: Session, folders: readonly string[]): Promise<void> {
    const progress = s.client.workDoneProgress ? await createProgress(s.connection) : undefined;
    progress?.begin('Provenance', 0, 'Loading sources…');
    for (const [i, folder] of folders.entries()) {
      const name = path.basename(folder);
      progress?.report(Math.round((100 * i) / folders.length), `Loading ${name}…`);
      const project = s.projects.beginFolder(folder);
      await project.readCacheAhead();
      // A batch of sources per turn: the report reaches the client and requests are answered
      // between batches (a request that needs this project finishes the load first).
      for (let step = project.loadStep(); step; step = project.loadStep()) {
        const share = step.total ? step.done / step.total : 0;
        progress?.report(Math.round((100 * (i + share)) / folders.length), `${name}: ${step.done}/${step.total} sources`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    progress?.done();
  }

  return {
    get shutdownRequested() {
      return shutdownRequested;
    },
  };
}

/**
 * Where to keep the index cache: `initializationOptions.storagePath`, an
 * absolute folder the client owns (VS Code: the extension's workspace storage).
 * Without it nothing is persisted.
 */
function storagePathOf(initializationOptions: unknown): string | undefined {
  const storagePath = (initializationOptions as { storagePath?: unknown } | undefined)?.storagePath;
  return typeof storagePath === 'string' && path.isAbsolute(storagePath) ? storagePath : undefined;
}

function ifOpen<T>(value: T | undefined, then: (value: T) => void): void {
  if (value !== undefined) then(value);
}

/** Workspace folders of `initialize`, else its rootUri, else its (deprecated) rootPath. */
function workspaceFoldersOf(params: InitializeParams): string[] {
  const fromFolders = (params.workspaceFolders ?? []).map((folder) => fromUri(folder.uri)).filter((f): f is string => f !== undefined);
  if (fromFolders.length) return fromFolders;
  const root = params.rootUri ? fromUri(params.rootUri) : (params.rootPath ?? undefined);
  return root ? [root] : [];
}

/** A progress bar, unless the client does not answer in time (then loading just goes on without one). */
async function createProgress(connection: Connection): Promise<WorkDoneProgressServerReporter | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 1000)));
  try {
    return await Promise.race([connection.window.createWorkDoneProgress(), timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
