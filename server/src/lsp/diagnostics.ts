/**
 * When pieces are checked and how their findings reach the client.
 *
 * - Pull (`textDocument/diagnostic`) when the client declared it, push
 *   (`publishDiagnostics`) otherwise — Neovim 0.7 only takes pushed ones.
 * - `provenance.run: onType` shows a piece's findings ~150 ms after the last
 *   change; `onSave` checks at open and save. Only the changed piece is
 *   re-checked. The check of a change starts at once in the worker, while
 *   the debounce holds its diagnostics back, so they are ready when the
 *   pause ends; the next change cancels it.
 * - A check runs on the newest text and is published with its version, so a
 *   result for an older version is never sent after a newer one arrived.
 * - Findings on a project's own files (config, registry, sources) are pulled
 *   while the file is open in a pull client and pushed otherwise.
 * - Checks run in a worker with a time budget (check-worker.ts); one that runs
 *   past it is stopped and reported as one `input/skipped` information, and
 *   the main thread stops analysing that piece for hovers until a later check
 *   of it finishes in time (gate.ts).
 */
import { randomBytes } from 'node:crypto';
import {
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver';
import type { CancellationFlag } from '../engine/api';
import type { Finding } from '../engine/types';
import { crashedFinding, overBudgetFinding } from '../node/budget';
import { skipReason } from './gate';
import { movedDiagnostic, toDiagnostic, type DiagnosticContext, type TextMap } from './convert';
import type { CheckOutcome } from './check-worker';
import { documentKey, type OpenDocument } from './documents';
import type { Project } from './projects';
import { documentInput, roleOf, type Session } from './session';
import type { Settings } from './settings';
import { toUri } from '../node/workspace';

export const DEBOUNCE_MS = 150;
/**
 * How long after a result is delivered the main thread starts building that
 * version's analysis for hovers. A writer still typing sends the next change
 * soon after the squiggles appear, and a warm-up step under way when it
 * arrives holds up its handling, and so its squiggles, by the step's length
 * (tens of ms on a long piece). Hovers come after a pause: wait for one.
 */
export const WARM_UP_PAUSE_MS = 100;

/** One check of one document version under one state of its project and settings. */
export interface CheckResult {
  /** Document version + project generation + settings generation: equal keys, equal findings. */
  key: string;
  /** Project generation + settings generation: whether the result is still valid for onSave snapshots. */
  environment: string;
  version: number;
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** Stopped because the text changed or the request was cancelled: never shown, never reused. */
  cancelled?: boolean;
  /** Builds this version's analysis on the main thread for hovers and code actions, once its findings are delivered (`warmUpAfter`). */
  prepare?: () => void;
}

export class DiagnosticsService {
  /** Makes result ids from a previous server process never match ours. */
  private readonly session = randomBytes(4).toString('hex');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Latest result per document: pull answers and code actions reuse it. */
  private readonly results = new Map<string, CheckResult>();
  /** onSave mode: the result of the text as last opened or saved. */
  private readonly snapshots = new Map<string, CheckResult>();
  /** Non-piece files we pushed findings to, so they can be cleared. */
  private readonly pushed = new Set<string>();
  /** Open pieces we pushed findings to (push mode). */
  private readonly pushedPieces = new Set<string>();
  /** The check running per document: a pull, a push and a code action for the same version share it. */
  private readonly running = new Map<string, { key: string; result: Promise<CheckResult> }>();
  /** Diagnostics per findings array the worker sent, and the environment they were converted in: the next result's moved findings reuse them. */
  private readonly converted = new WeakMap<readonly Finding[], { environment: string; diagnostics: Diagnostic[] }>();

  constructor(private readonly s: Session) {}

  private get pull(): boolean {
    return this.s.client.pullDiagnostics;
  }

  opened(document: OpenDocument): void {
    const role = roleOf(this.s, document);
    if (role.kind === 'projectFile') this.projectFileEdited(document, 0);
    else if (role.kind === 'piece') this.afterSettings(document, (settings) => this.pieceEvent(document, settings, 'open'));
  }

  changed(document: OpenDocument): void {
    // The check of the version before is now stale: the worker hears so now, not at its next poll.
    this.s.checker.noticeCancellations();
    const role = roleOf(this.s, document);
    if (role.kind === 'projectFile') this.projectFileEdited(document, this.s.debounceMs);
    else if (role.kind === 'piece') this.afterSettings(document, (settings) => this.pieceEvent(document, settings, 'change'));
  }

  saved(document: OpenDocument): void {
    if (roleOf(this.s, document).kind !== 'piece') return;
    this.afterSettings(document, (settings) => this.pieceEvent(document, settings, 'save'));
  }

  closed(document: OpenDocument): void {
    const key = documentKey(document.uri);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.results.delete(key);
    this.snapshots.delete(key);
    this.s.gate.forget(key);
    this.s.settings.forget(document.uri);
    const role = roleOf(this.s, document);
    if (role.kind === 'projectFile') {
      // Unsaved edits are gone with the editor: the disk is the truth again.
      if (role.project.fileChangedOnDisk(role.file, false)) this.projectsChanged([role.project]);
      else this.publishProjectFiles();
    } else if (!this.pull && this.pushedPieces.delete(key)) {
      this.publish({ uri: document.uri, diagnostics: [] });
    }
  }

  /**
   * Config, registry or sources of some projects changed: publish the
   * findings on those files and re-check every open piece of those projects.
   */
  projectsChanged(projects?: readonly Project[]): void {
    this.publishProjectFiles();
    this.recheckOpenPieces(projects);
  }

  /** Settings changed: every open piece may now be checked differently. */
  settingsChanged(): void {
    this.recheckOpenPieces();
  }

  recheckOpenPieces(projects?: readonly Project[]): void {
    const affected = (project: Project) => !projects || projects.includes(project);
    if (this.pull) {
      if (this.s.client.diagnosticRefresh) {
        this.s.connection.languages.diagnostics.refresh().catch((err: Error) => this.s.log.warn(`diagnostic refresh failed: ${err.message}`));
      }
      return;
    }
    const pieces: OpenDocument[] = [];
    for (const document of this.s.documents.all()) {
      const role = roleOf(this.s, document);
      if (role.kind === 'piece' && affected(role.project)) pieces.push(document);
      else if (role.kind !== 'piece' && this.pushedPieces.delete(documentKey(document.uri))) {
        // No longer a piece (the config's `documents` changed): withdraw what it showed.
        this.publish({ uri: document.uri, diagnostics: [] });
      }
    }
    this.recheckInTurn(pieces).catch((err: Error) => this.s.log.error(`Re-checking open pieces failed: ${err.stack ?? err}`));
  }

  /**
   * One piece per turn of the event loop, so edits and requests that arrive
   * meanwhile are served between checks; a piece with its own pending timer
   * (being typed in) is left to that timer.
   */
  private async recheckInTurn(pieces: readonly OpenDocument[]): Promise<void> {
    for (const document of pieces) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.timers.has(documentKey(document.uri)) || this.s.documents.get(document.uri) !== document) continue;
      await this.pushNow(document.uri);
    }
  }

  /** `textDocument/diagnostic`. */
  async pullDocument(uri: string, previousResultId: string | undefined, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    await this.s.ready;
    const document = this.s.documents.get(uri);
    if (!document) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const role = roleOf(this.s, document);
    if (role.kind === 'projectFile') {
      this.flushProjectFileEdit(document);
      return { kind: DocumentDiagnosticReportKind.Full, items: this.projectFileDiagnostics(role.project, role.file) };
    }
    if (role.kind !== 'piece') return { kind: DocumentDiagnosticReportKind.Full, items: [] };

    const settings = await this.s.settings.for(uri);
    let result: CheckResult;
    if (settings.run === 'onSave') {
      result = await this.snapshot(document, role.project, settings);
    } else {
      // The client pulls on every keystroke; wait until typing pauses.
      const quietFor = Date.now() - document.changedAt;
      if (quietFor < this.s.debounceMs) await delay(this.s.debounceMs - quietFor, token);
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      result = await this.resultFor(document, role.project, settings, cancellationOf(document, token));
    }
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    // The text changed while it was checked: ask the client to pull again rather than show an empty result.
    if (result.cancelled) throw new ResponseError(LSPErrorCodes.ServerCancelled, 'the document changed', { retriggerRequest: true });
    this.warmUpAfter(result);
    if (previousResultId === result.key) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: result.key };
    return { kind: DocumentDiagnosticReportKind.Full, resultId: result.key, items: result.diagnostics };
  }

  /** Findings of the document's current text (computed now if needed), for code actions. */
  async currentFindings(document: OpenDocument, token?: CancellationToken): Promise<{ findings: Finding[]; project: Project } | undefined> {
    const role = roleOf(this.s, document);
    if (role.kind !== 'piece') return undefined;
    const settings = await this.s.settings.for(document.uri);
    const result = await this.resultFor(document, role.project, settings, token ? cancellationOf(document, token) : undefined);
    this.warmUpAfter(result);
    return { findings: result.findings, project: role.project };
  }

  /** Sends diagnostics; a failed write means the client is gone, and the exit watch takes it from there. */
  private publish(params: PublishDiagnosticsParams): void {
    const written = this.s.connection.sendDiagnostics(params);
    written.catch(() => undefined);
    // The writer waits for these: warm-up for later requests goes after them (warm.ts).
    this.s.warmer.holdUntil(written);
  }

  /**
   * Once a result's findings are delivered and the writer pauses (WARM_UP_PAUSE_MS), the main thread takes
   * the worker's parse of that version and builds its analysis in idle turns, after any write (warm.ts):
   * taking the parse in blocks this thread. A newer version drops it (`prepare` checks).
   */
  private warmUpAfter(result: CheckResult): void {
    const prepare = result.prepare;
    result.prepare = undefined;
    if (prepare) setTimeout(() => this.s.warmer.afterWrites(prepare), this.s.warmUpPauseMs).unref();
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private pieceEvent(document: OpenDocument, settings: Settings, event: 'open' | 'change' | 'save'): void {
    const onSave = settings.run === 'onSave';
    if (onSave && event === 'change') return;
    if (event === 'change') this.checkAhead(document, settings);
    if (this.pull) {
      if (onSave) {
        // Checked now, shown when the client pulls; tell it to pull after a save.
        this.resultFor(document, this.pieceProject(document)!, settings)
          .then((result) => {
            if (!result.cancelled) this.snapshots.set(documentKey(document.uri), result);
            if (event === 'save') this.recheckOpenPieces();
          })
          .catch((err: Error) => this.s.log.error(`Checking ${document.uri} failed: ${err.stack ?? err}`));
      }
      return;
    }
    // The pause counts from when the change was applied: work done since (the check begun above) is not added to it.
    this.schedulePush(document, event === 'change' ? Math.max(0, this.s.debounceMs - (Date.now() - document.changedAt)) : 0);
  }

  /**
   * Starts the check of a changed piece now, in the worker, so it runs during the debounce instead of
   * after it: the debounce's timer (push) or the client's pull after the pause finds it running or done.
   * Only with a worker: on the main thread it would stall every keystroke. A newer change cancels it.
   */
  private checkAhead(document: OpenDocument, settings: Settings): void {
    const project = this.pieceProject(document);
    if (!project || !this.s.checker.isolated) return;
    this.resultFor(document, project, settings, cancellationOf(document)).catch((err: Error) => this.s.log.error(`Checking ${document.uri} failed: ${err.stack ?? err}`));
  }

  private pieceProject(document: OpenDocument): Project | undefined {
    const role = roleOf(this.s, document);
    return role.kind === 'piece' ? role.project : undefined;
  }

  private afterSettings(document: OpenDocument, then: (settings: Settings) => void): void {
    this.s.ready
      .then(() => this.s.settings.for(document.uri))
      .then((settings) => {
        if (this.s.documents.get(document.uri) === document) then(settings);
      })
      .catch((err: Error) => this.s.log.error(`Scheduling a check of ${document.uri} failed: ${err.stack ?? err}`));
  }

  /** Push mode: (re)start the document's timer; a newer change restarts it, so stale work never runs. */
  private schedulePush(document: OpenDocument, delayMs: number): void {
    const key = documentKey(document.uri);
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.pushNow(document.uri).catch((err: Error) => this.s.log.error(`Checking ${document.uri} failed: ${err.stack ?? err}`));
      }, delayMs),
    );
  }

  private async pushNow(uri: string): Promise<void> {
    await this.s.ready;
    const settings = await this.s.settings.for(uri);
    // Read the document only after the awaits: whatever arrived meanwhile is checked, not an older text.
    const document = this.s.documents.get(uri);
    const project = document && this.pieceProject(document);
    if (!document || !project) return;
    const result = await this.resultFor(document, project, settings, cancellationOf(document));
    if (result.cancelled || this.s.documents.get(uri) !== document || document.version !== result.version) return;
    this.publish({ uri: document.uri, version: result.version, diagnostics: result.diagnostics });
    this.pushedPieces.add(documentKey(uri));
    this.warmUpAfter(result);
  }

  private async snapshot(document: OpenDocument, project: Project, settings: Settings): Promise<CheckResult> {
    const key = documentKey(document.uri);
    const snapshot = this.snapshots.get(key);
    if (snapshot && snapshot.environment === this.environment(project)) return snapshot;
    const result = await this.resultFor(document, project, settings);
    if (!result.cancelled) this.snapshots.set(key, result);
    return result;
  }

  private environment(project: Project): string {
    return `${project.generation}.${this.s.settings.generation}`;
  }

  /** The check of the document's current text, cached per (version, project, settings). */
  private async resultFor(document: OpenDocument, project: Project, settings: Settings, cancel?: CancellationFlag): Promise<CheckResult> {
    const environment = this.environment(project);
    const key = `${this.session}.${document.version}.${environment}`;
    const documentId = documentKey(document.uri);
    const cached = this.results.get(documentId);
    if (cached?.key === key) return cached;
    const running = this.running.get(documentId);
    if (running?.key === key) {
      const shared = await running.result;
      if (!shared.cancelled) return shared;
    }
    const version = document.version;
    const result = this.check(document, project, settings, cancel).then((checked): CheckResult => ({ key, environment, version, ...checked }));
    this.running.set(documentId, { key, result });
    this.s.gate.checking(documentId, version, result);
    try {
      const done = await result;
      // A cancelled check is incomplete: hand it back but never reuse it.
      if (!done.cancelled) this.results.set(documentId, done);
      return done;
    } finally {
      if (this.running.get(documentId)?.result === result) this.running.delete(documentId);
    }
  }

  /** Checks the text as it is now; the document may change while the worker checks, so everything is read before. */
  private async check(document: OpenDocument, project: Project, settings: Settings, cancel?: CancellationFlag): Promise<Omit<CheckResult, 'key' | 'environment' | 'version'>> {
    if (!settings.enable) return { findings: [], diagnostics: [] };
    const input = documentInput(document, project);
    const name = input.path ?? document.uri;
    const map = document.map;
    const context = this.diagnosticContext(project);
    // Reported as the CLI does (rule input/skipped, at the start of the file), so editor and CI agree.
    // Kept out of `findings`: it has no quick fix, and it cannot be disabled.
    const skipped = (finding: Finding) => ({ findings: [], diagnostics: [toDiagnostic(finding, map, context)] });
    const skip = skipReason(name, input.text, project.engine.files().maxFileSize);
    if (skip) {
      const { message, ...data } = skip;
      return skipped({ ruleId: 'input/skipped', severity: 'warning', message, span: { start: 0, end: 0 }, data });
    }
    const outcome = await this.s.checker.check(project.engine, input, settings.timeBudgetMs, cancel);
    const id = documentKey(document.uri);
    switch (outcome.status) {
      case 'done':
        this.s.gate.finished(id, false);
        return {
          findings: outcome.findings,
          diagnostics: this.convert(outcome, project, map, context),
          // The main thread's requests on this version (hover, definition, code actions) then find its analysis built from the worker's parse.
          prepare: () => {
            const wanted = () => this.s.documents.get(document.uri) === document && document.version === input.version;
            if (wanted()) void outcome.fetchParse().then(() => this.s.warmer.plan(project, project.warmUpSteps([input]), wanted));
          },
        };
      case 'cancelled':
        return { findings: [], diagnostics: [], cancelled: true };
      case 'over-budget':
        this.s.gate.finished(id, true);
        return skipped(overBudgetFinding(name, outcome.budgetMs));
      case 'crashed':
        this.s.gate.finished(id, true);
        return skipped(crashedFinding(name, outcome.reason));
    }
  }

  /**
   * Diagnostics of a finished check. Findings the worker named as moved ones
   * of its previous result reuse that result's diagnostics (only the range is
   * computed again) when those were converted in the same environment, so the
   * same source line tables and settings: after an edit, nearly all of them.
   */
  private convert(outcome: Extract<CheckOutcome, { status: 'done' }>, project: Project, map: TextMap, context: DiagnosticContext): Diagnostic[] {
    const environment = this.environment(project);
    const previous = outcome.reuse && this.converted.get(outcome.reuse.base);
    const from = outcome.reuse?.from;
    const diagnostics = outcome.findings.map((finding, i) => {
      const before = previous?.environment === environment && from && from[i] >= 0 ? previous.diagnostics[from[i]] : undefined;
      return before ? movedDiagnostic(before, finding, map) : toDiagnostic(finding, map, context, false);
    });
    this.converted.set(outcome.findings, { environment, diagnostics });
    return diagnostics;
  }

  /** One per conversion of a result: line tables and docs URLs are looked up once per file and rule, not per finding. */
  diagnosticContext(project: Project): DiagnosticContext {
    const maps = new Map<string, TextMap | undefined>();
    const urls = new Map<string, string>();
    return {
      ruleDocsUrl: (ruleId) => urls.get(ruleId) ?? urls.set(ruleId, project.engine.ruleDocsUrl(ruleId)).get(ruleId)!,
      mapOf: (uri) => (maps.has(uri) ? maps.get(uri) : maps.set(uri, project.mapOf(uri)).get(uri)),
      relatedInformation: this.s.client.relatedInformation,
      codeDescription: this.s.client.codeDescription,
    };
  }

  /** An edit to a config, registry or source open in the editor reaches the project after a pause. */
  private projectFileEdited(document: OpenDocument, delayMs: number): void {
    const key = documentKey(document.uri);
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.s.ready
          .then(() => this.applyProjectFileEdit(document))
          .catch((err: Error) => this.s.log.error(`Applying ${document.uri} failed: ${err.stack ?? err}`));
      }, delayMs),
    );
  }

  /** A pull for a project file must see its latest edit: apply a pending one now. */
  private flushProjectFileEdit(document: OpenDocument): void {
    const key = documentKey(document.uri);
    if (!this.timers.has(key)) return;
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.applyProjectFileEdit(document);
  }

  private applyProjectFileEdit(document: OpenDocument): void {
    if (this.s.documents.get(document.uri) !== document) return;
    const role = roleOf(this.s, document);
    if (role.kind !== 'projectFile') return;
    if (role.project.fileChanged(role.file, document.text)) this.projectsChanged([role.project]);
    else this.publishProjectFiles();
  }

  private projectFileDiagnostics(project: Project, file: string): Diagnostic[] {
    const findings = project.fileFindings().get(file) ?? [];
    const map = project.mapOf(toUri(file));
    if (!map) return [];
    const context = this.diagnosticContext(project);
    return findings.map((finding) => toDiagnostic(finding, map, context));
  }

  /**
   * Pushes findings on config, registry and source files. In pull mode a file
   * open in the editor is pulled instead, so its pushed copy is cleared.
   */
  publishProjectFiles(): void {
    const stillPushed = new Set<string>();
    const sent = new Set<string>();
    for (const project of this.s.projects.all()) {
      for (const [file, findings] of project.fileFindings()) {
        const open = this.s.documents.byFile(file);
        if (this.pull && open) continue;
        const uri = open?.uri ?? toUri(file);
        if (!findings.length && !this.pushed.has(uri)) continue;
        this.publish({ uri, diagnostics: this.projectFileDiagnostics(project, file) });
        sent.add(uri);
        if (findings.length) stillPushed.add(uri);
      }
    }
    for (const uri of this.pushed) if (!sent.has(uri)) this.publish({ uri, diagnostics: [] });
    this.pushed.clear();
    for (const uri of stillPushed) this.pushed.add(uri);
  }
}

/** Stale as soon as the document moves to a newer version or the request is cancelled. */
function cancellationOf(document: OpenDocument, token?: CancellationToken): CancellationFlag {
  const version = document.version;
  return {
    get isCancellationRequested() {
      return document.version !== version || token?.isCancellationRequested === true;
    },
  };
}

function delay(ms: number, token: CancellationToken): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const subscription = token.onCancellationRequested(done);
    function done() {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    }
  });
}

