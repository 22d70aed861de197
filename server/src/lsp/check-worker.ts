/**
 * Checks of open pieces run in a worker thread with a time budget, so
 * pathological Markdown cannot freeze the server: hovers, completions and
 * edits are served by the main thread (its own engine) while the worker
 * checks, and a check that runs past its budget is stopped by terminating the
 * worker, which is then started again.
 *
 * The worker holds one engine per project, fed the same config, registry and
 * sources as the main thread's: `mirror()` wraps a project's engine so every
 * change to its workspace is recorded and forwarded. A project is sent to a
 * worker in full the first time that worker checks one of its pieces (again
 * after a restart), then kept up to date change by change.
 *
 * The budget counts the worker thread's CPU time where the system tells it
 * (budget.ts), so a busy machine does not stop ordinary pieces.
 *
 * Cancellation: the check's flag lives in shared memory, read by the engine
 * between rules; a check that does not stop soon after its flag is raised is
 * stopped by terminating the worker, so nothing keeps burning CPU.
 */
import fs = require('node:fs');
import path = require('node:path');
import { Worker } from 'node:worker_threads';
import type { CancellationFlag, DocumentInput, Engine } from '../engine/api';
import type { Finding } from '../engine/types';
import type { ParsedDocument } from '../engine/markdown';
import { checkWorkerLimits, describeWorkerFailure, overBudget, pieceBudgetMs } from '../node/budget';

/** A cancelled check that is still running this long after its flag was raised is stopped by force. */
export const CANCEL_GRACE_MS = 150;
/** Worker failures in a row (no check finished in between) after which checks run on the main thread. */
const MAX_FAILURES_IN_A_ROW = 3;
const WATCH_INTERVAL_MS = 20;

/** A change to a project's workspace, replayed in the worker's engine. */
export type WorkspaceOp =
  | { kind: 'config'; uri: string | undefined; text: string | undefined }
  | { kind: 'registry'; uri: string | undefined; text: string | undefined }
  | { kind: 'source'; uri: string; path: string; text: string; contentKey?: string }
  | { kind: 'removeSource'; uri: string }
  | { kind: 'indexCache'; bytes: Uint8Array };

export interface WorkerData {
  provenanceLspCheckWorker: true;
  docsBaseUrl?: string;
  /** The running build (node/build-id.ts), so the worker's engines take the answers the main thread's kept. */
  buildId?: string;
}

export type ToWorker =
  | { type: 'sync'; project: number; ops: WorkspaceOp[] }
  | { type: 'op'; project: number; op: WorkspaceOp }
  | { type: 'drop'; project: number }
  | { type: 'check'; id: number; project: number; doc: DocumentInput; flag: Int32Array }
  /** Send the parse of finished check `id` of `document` (answered with `parsed`, undefined when the worker no longer holds it). */
  | { type: 'parse'; id: number; document: string };

export type FromWorker =
  | { type: 'hello'; clock?: string }
  | { type: 'started'; id: number; cpu?: number }
  /**
   * A finished check's findings, each either sent whole or named by its index
   * in the previous result sent for the same document (`reused`, -1 when sent
   * whole; see FindingDelta).
   */
  | { type: 'result'; id: number; document: string; findings: Finding[]; cancelled: boolean; reused?: Int32Array; shifts?: Int32Array }
  /** Asked for after a finished check (`parse`), off its critical path: the worker's parse of the piece (undefined if it could not be sent). */
  | { type: 'parsed'; id: number; parsed: ParsedDocument | undefined }
  | { type: 'error'; id: number; message: string };

export type CheckOutcome =
  /**
   * `fetchParse` asks the worker for its parse of this text; it settles once the main thread's engine holds it
   * (or none is coming). Not sent unasked: taking it in blocks this thread (~20 ms for a 200 KB piece), so the
   * caller asks once the diagnostics are on their way.
   * `reuse`, when given: finding i equals `base[from[i]]` moved by the edit (from[i] = -1: a new finding).
   */
  | { status: 'done'; findings: Finding[]; fetchParse: () => Promise<void>; reuse?: { base: readonly Finding[]; from: Int32Array } }
  | { status: 'cancelled' }
  | { status: 'over-budget'; budgetMs: number }
  | { status: 'crashed'; reason: string };

/** Everything a worker needs to rebuild a project's engine. */
export class ProjectState {
  config: WorkspaceOp | undefined;
  registry: WorkspaceOp | undefined;
  /** Every cache file the load imported (the index, then the kept answers): each holds other sections. */
  readonly indexCaches: WorkspaceOp[] = [];
  readonly sources = new Map<string, WorkspaceOp>();

  constructor(readonly id: number) {}

  record(op: WorkspaceOp): void {
    if (op.kind === 'config') this.config = op;
    else if (op.kind === 'registry') this.registry = op;
    else if (op.kind === 'indexCache') this.indexCaches.push(op);
    else if (op.kind === 'source') this.sources.set(op.uri, op);
    else this.sources.delete(op.uri);
  }

  /** In the order loading uses: config, the cache files, registry, sources. */
  ops(): WorkspaceOp[] {
    return [this.config, ...this.indexCaches, this.registry, ...this.sources.values()].filter((op): op is WorkspaceOp => op !== undefined);
  }
}

interface Job {
  id: number;
  state: ProjectState;
  engine: Engine;
  doc: DocumentInput;
  budgetMs: number;
  cancel?: CancellationFlag;
  flag: Int32Array;
  /** When the worker began it (main thread's clock), and the worker's CPU time then. */
  startedAt?: number;
  cpuAtStart?: number;
  cancelledAt?: number;
  resolve(outcome: CheckOutcome): void;
}

export interface CheckWorkerOptions {
  docsBaseUrl?: string;
  /** Given to the worker's engines as `EngineOptions.buildId`: the same as the main thread's engines'. */
  buildId?: string;
  log(message: string): void;
  /** The worker's script; by default this module's bundle (dist/server.js) or its compiled sibling. */
  script?: string;
}

export class CheckWorker {
  private worker: Worker | undefined;
  /** Where to read the current worker's CPU time. */
  private clock: string | undefined;
  /** Projects the current worker has been sent. */
  private readonly synced = new Set<number>();
  private readonly states = new WeakMap<Engine, ProjectState>();
  private readonly jobs = new Map<number, Job>();
  /** Finished checks whose parse the worker is still sending. */
  private readonly parses = new Map<number, { job: Job; adopted: () => void }>();
  /** The findings of the last result the current worker sent per project and document: what its next result's deltas refer to. */
  private readonly lastResults = new Map<string, Finding[]>();
  private readonly dropped = new FinalizationRegistry<number>((project) => {
    if (this.synced.delete(project)) this.post({ type: 'drop', project });
  });
  private nextProject = 1;
  private nextJob = 1;
  private failuresInARow = 0;
  private watch: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: CheckWorkerOptions) {}

  /** Whether checks still run in a worker (false after it kept failing: then they run on the main thread). */
  get isolated(): boolean {
    return this.failuresInARow < MAX_FAILURES_IN_A_ROW && !this.disposed;
  }

  /** Wraps a project's engine: changes to its workspace are applied to it and forwarded to the worker. */
  mirror(engine: Engine): Engine {
    const state = new ProjectState(this.nextProject++);
    const forward = (op: WorkspaceOp) => {
      state.record(op);
      if (this.synced.has(state.id)) this.post({ type: 'op', project: state.id, op });
    };
    const mirrored: Engine = Object.create(engine) as Engine;
    mirrored.setConfig = (uri, text) => {
      forward({ kind: 'config', uri, text });
      return engine.setConfig(uri, text);
    };
    mirrored.setRegistry = (uri, text) => {
      forward({ kind: 'registry', uri, text });
      return engine.setRegistry(uri, text);
    };
    mirrored.setSource = (uri, sourcePath, text, contentKey) => {
      // With its key: both threads must key a source alike, or the answers one keeps would not match in the other.
      forward({ kind: 'source', uri, path: sourcePath, text, contentKey });
      engine.setSource(uri, sourcePath, text, contentKey);
    };
    mirrored.removeSource = (uri) => {
      forward({ kind: 'removeSource', uri });
      engine.removeSource(uri);
    };
    mirrored.importIndexCache = (bytes) => {
      forward({ kind: 'indexCache', bytes });
      return engine.importIndexCache(bytes);
    };
    this.states.set(mirrored, state);
    this.dropped.register(mirrored, state.id);
    return mirrored;
  }

  /**
   * Checks a piece with `engine`'s workspace in the worker. `budgetMs` (0 =
   * none) is per 256 KB of the piece (budget.ts pieceBudgetMs) and counts from
   * the moment the worker starts this piece. Never rejects.
   */
  check(engine: Engine, doc: DocumentInput, budgetMs: number, cancel?: CancellationFlag): Promise<CheckOutcome> {
    const state = this.states.get(engine);
    if (!state || !this.isolated) return Promise.resolve(this.checkHere(engine, doc, cancel));
    return new Promise((resolve) => {
      const job: Job = { id: this.nextJob++, state, engine, doc, budgetMs: pieceBudgetMs(budgetMs, doc.text.length), cancel, flag: new Int32Array(new SharedArrayBuffer(4)), resolve };
      this.jobs.set(job.id, job);
      this.send(job);
      this.watch ??= setInterval(() => this.tick(), WATCH_INTERVAL_MS);
    });
  }

  /** Whether a check of this document is running in the worker right now, and since when. */
  running(uri: string): number | undefined {
    for (const job of this.jobs.values()) if (job.doc.uri === uri && job.startedAt !== undefined) return job.startedAt;
    return undefined;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.watch) clearInterval(this.watch);
    for (const job of this.jobs.values()) job.resolve({ status: 'cancelled' });
    this.jobs.clear();
    this.noMoreParses();
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private checkHere(engine: Engine, doc: DocumentInput, cancel?: CancellationFlag): CheckOutcome {
    const findings = engine.check(doc, cancel);
    return cancel?.isCancellationRequested ? { status: 'cancelled' } : { status: 'done', findings, fetchParse: () => Promise.resolve() };
  }

  /** The worker that would send the pending parses is gone: nobody waits for them any longer. */
  private noMoreParses(): void {
    for (const { adopted } of this.parses.values()) adopted();
    this.parses.clear();
  }

  private send(job: Job): void {
    if (!this.ensureWorker()) {
      this.jobs.delete(job.id);
      job.resolve(this.checkHere(job.engine, job.doc, job.cancel));
      return;
    }
    if (!this.synced.has(job.state.id)) {
      this.synced.add(job.state.id);
      this.post({ type: 'sync', project: job.state.id, ops: job.state.ops() });
    }
    this.post({ type: 'check', id: job.id, project: job.state.id, doc: job.doc, flag: job.flag });
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private ensureWorker(): boolean {
    if (this.worker) return true;
    if (!this.isolated) return false;
    try {
      const data: WorkerData = { provenanceLspCheckWorker: true, docsBaseUrl: this.options.docsBaseUrl, buildId: this.options.buildId };
      // Its stdout is not ours: over stdio, ours is the protocol, and a stray line from the worker would break it. It goes to the log.
      const worker = new Worker(this.options.script ?? defaultScript(), { workerData: data, stdout: true, stderr: false, resourceLimits: checkWorkerLimits() });
      worker.stdout.on('data', (chunk: Buffer) => this.options.log(`check worker output: ${chunk.toString('utf8').trimEnd()}`));
      // The worker never keeps the server alive: when the client goes, the process goes.
      worker.unref();
      let failure: unknown;
      worker.on('message', (message: FromWorker) => this.received(worker, message));
      worker.on('error', (err) => (failure = err));
      worker.on('exit', (code) => this.exited(worker, failure, code));
      this.worker = worker;
      this.clock = undefined;
      this.synced.clear();
      this.lastResults.clear();
      return true;
    } catch (err) {
      this.options.log(`Could not start the check worker: ${(err as Error).message}`);
      this.failuresInARow++;
      return false;
    }
  }

  private received(worker: Worker, message: FromWorker): void {
    if (worker !== this.worker) return;
    if (message.type === 'hello') {
      this.clock = message.clock;
      return;
    }
    if (message.type === 'parsed') {
      const pending = this.parses.get(message.id);
      this.parses.delete(message.id);
      if (pending && message.parsed) pending.job.engine.adoptParse(pending.job.doc, message.parsed);
      pending?.adopted();
      return;
    }
    let reuse: { base: readonly Finding[]; from: Int32Array } | undefined;
    if (message.type === 'result' && !message.cancelled) {
      // Rebuilt whether or not anyone still waits for this check: the worker now counts it as the document's last result.
      const base = this.lastResults.get(message.document) ?? [];
      try {
        message.findings = applyFindingDelta(base, message);
      } catch (err) {
        // The two sides disagree on the previous result (a bug): start both afresh; the check is reported as failed.
        this.options.log(`${(err as Error).message}; restarting the check worker.`);
        const job = this.jobs.get(message.id);
        if (job) {
          this.jobs.delete(job.id);
          job.resolve({ status: 'crashed', reason: "the check worker's findings could not be read" });
        }
        this.worker = undefined;
        this.synced.clear();
        this.noMoreParses();
        void worker.terminate();
        this.resend();
        return;
      }
      if (message.reused) reuse = { base, from: message.reused };
      rememberLastResult(this.lastResults, message.document, message.findings);
    }
    const job = this.jobs.get(message.id);
    if (!job) return;
    if (message.type === 'started') {
      job.startedAt = Date.now();
      job.cpuAtStart = message.cpu;
      return;
    }
    this.jobs.delete(job.id);
    this.failuresInARow = 0;
    if (message.type === 'error') {
      // The engine threw: the same would have happened on the main thread; say so in the log and report nothing.
      this.options.log(`Checking ${job.doc.uri} failed in the worker: ${message.message}`);
      job.resolve({ status: 'crashed', reason: `the check failed: ${message.message.split('\n')[0]}` });
    } else if (message.cancelled) {
      job.resolve({ status: 'cancelled' });
    } else {
      // Hovers and code actions on this version then use the worker's parse instead of parsing it again here.
      const document = message.document;
      let parsed: Promise<void> | undefined;
      const fetchParse = () =>
        (parsed ??= new Promise<void>((adopted) => {
          if (this.worker !== worker) return adopted(); // that worker is gone, and its parse with it
          this.parses.set(job.id, { job, adopted });
          this.post({ type: 'parse', id: job.id, document });
        }));
      job.resolve({ status: 'done', findings: message.findings, fetchParse, reuse });
    }
    this.idle();
  }

  /** The worker ended without being asked (out of memory, a crash): blame the check it was running, re-send the others. */
  private exited(worker: Worker, failure: unknown, exitCode: number): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.synced.clear();
    this.noMoreParses();
    const running = [...this.jobs.values()].find((job) => job.startedAt !== undefined);
    const reason = describeWorkerFailure(failure, exitCode);
    if (running) {
      this.jobs.delete(running.id);
      running.resolve({ status: 'crashed', reason });
    } else {
      this.failuresInARow++;
    }
    this.options.log(`The check worker stopped (${reason})${this.isolated ? '; starting a new one' : '; checking on the main thread from now on'}.`);
    this.resend();
  }

  /** Raises the flag of every check whose cancellation was requested, without waiting for the next poll. */
  noticeCancellations(): void {
    if (this.jobs.size) this.tick();
  }

  private tick(): void {
    const now = Date.now();
    for (const job of this.jobs.values()) {
      if (job.cancelledAt === undefined && job.cancel?.isCancellationRequested) {
        Atomics.store(job.flag, 0, 1);
        job.cancelledAt = now;
        if (job.startedAt === undefined) {
          // Not begun: the worker will skip it; answer now.
          this.jobs.delete(job.id);
          job.resolve({ status: 'cancelled' });
          continue;
        }
      }
      if (job.startedAt === undefined) continue;
      if (job.cancelledAt !== undefined && now - job.cancelledAt > CANCEL_GRACE_MS) {
        this.stop(job, { status: 'cancelled' }, 'a cancelled check did not stop');
      } else if (overBudget({ startedAt: job.startedAt, clock: this.clock, cpuAtStart: job.cpuAtStart }, job.budgetMs, now)) {
        this.stop(job, { status: 'over-budget', budgetMs: job.budgetMs }, `checking ${job.doc.uri} ran past its time budget`);
      }
    }
    this.idle();
  }

  /** Ends a running check by terminating the worker; the checks queued behind it go to a new one. */
  private stop(job: Job, outcome: CheckOutcome, why: string): void {
    this.jobs.delete(job.id);
    job.resolve(outcome);
    const worker = this.worker;
    this.worker = undefined;
    this.synced.clear();
    this.noMoreParses();
    this.options.log(`Stopped the check worker: ${why}.`);
    void worker?.terminate();
    this.resend();
  }

  private resend(): void {
    for (const job of this.jobs.values()) {
      job.startedAt = undefined;
      this.send(job);
    }
    this.idle();
  }

  private idle(): void {
    if (this.jobs.size === 0 && this.watch) {
      clearInterval(this.watch);
      this.watch = undefined;
    }
  }
}

/** In the bundle (dist/server.js) the server itself becomes the worker; from compiled sources, the sibling script. */
function defaultScript(): string {
  const sibling = path.join(__dirname, 'check-worker-thread.js');
  return fs.existsSync(sibling) ? sibling : __filename;
}

/**
 * Findings cross from the worker as a delta against the previous result sent
 * for the same document: after an edit most findings are the previous ones
 * moved by the edit, and cloning ~1,300 findings (~1 MB) each way was a large
 * part of a keystroke's cost on a long piece. A finding is named by the
 * index of a previous one only if it equals that one moved by `shift`
 * characters (its span and its fixes' edits; message, data and related
 * information identical), so the rebuilt finding is exactly the one the worker
 * found. Both sides keep the last result per document in the same order of
 * messages, bounded alike, so they always agree on what an index names.
 */
export interface FindingDelta {
  /** The new findings that are not moved previous ones, in order. */
  findings: Finding[];
  /** Per finding of the result: index in the previous result, or -1 for the next one of `findings`. */
  reused?: Int32Array;
  /** Per finding of the result: how far the reused one moved. */
  shifts?: Int32Array;
}

/** Documents whose last result both sides keep. */
export const MAX_REMEMBERED_RESULTS = 64;

/** Records a document's last result; the same calls in the same order on both sides evict the same documents. */
export function rememberLastResult(results: Map<string, Finding[]>, document: string, findings: Finding[]): void {
  results.delete(document);
  results.set(document, findings);
  if (results.size > MAX_REMEMBERED_RESULTS) results.delete(results.keys().next().value as string);
}

/** How many previous findings with the same message are tried for each new one. */
const TRIES = 4;

export function findingDelta(base: readonly Finding[], findings: Finding[]): FindingDelta {
  if (!base.length) return { findings };
  const byKey = new Map<string, { indices: number[]; next: number }>();
  for (let i = 0; i < base.length; i++) {
    const key = matchKey(base[i]);
    const entry = byKey.get(key);
    if (entry) entry.indices.push(i);
    else byKey.set(key, { indices: [i], next: 0 });
  }
  const whole: Finding[] = [];
  const reused = new Int32Array(findings.length);
  const shifts = new Int32Array(findings.length);
  for (let i = 0; i < findings.length; i++) {
    const finding = findings[i];
    const entry = byKey.get(matchKey(finding));
    let match = -1;
    if (entry) {
      // Findings come in document order, so the previous one to match is usually the one after the last matched.
      for (let t = 0; t < TRIES && t < entry.indices.length; t++) {
        const k = (entry.next + t) % entry.indices.length;
        const candidate = base[entry.indices[k]];
        if (equalsMoved(finding, candidate, finding.span.start - candidate.span.start)) {
          match = entry.indices[k];
          entry.next = k + 1;
          break;
        }
      }
    }
    reused[i] = match;
    if (match >= 0) shifts[i] = finding.span.start - base[match].span.start;
    else whole.push(finding);
  }
  return whole.length === findings.length ? { findings } : { findings: whole, reused, shifts };
}

/** The result a delta stands for, given the previous result it was made against. */
export function applyFindingDelta(base: readonly Finding[], delta: FindingDelta): Finding[] {
  const { reused, shifts } = delta;
  if (!reused || !shifts) return delta.findings;
  const findings = new Array<Finding>(reused.length);
  let next = 0;
  for (let i = 0; i < reused.length; i++) {
    const from = reused[i];
    if (from < 0) {
      findings[i] = delta.findings[next++];
      continue;
    }
    const previous = base[from];
    if (!previous) throw new Error(`check worker: finding ${i} names previous finding ${from}, which is not there`);
    findings[i] = moved(previous, shifts[i]);
  }
  return findings;
}

/** The message alone: V8 keeps a string's hash, and most messages are strings a rule kept from the previous check; equalsMoved compares the rest. */
function matchKey(finding: Finding): string {
  return finding.message;
}

/** A finding moved by `shift` characters: its span and its fixes' edits (findings are read-only, so an unmoved one is shared). */
function moved(finding: Finding, shift: number): Finding {
  if (shift === 0) return finding;
  const copy: Finding = { ...finding, span: { ...finding.span, start: finding.span.start + shift, end: finding.span.end + shift } };
  if (finding.fixes) {
    copy.fixes = finding.fixes.map((fix) => ({
      ...fix,
      edits: fix.edits.map((edit) => ({ ...edit, span: { ...edit.span, start: edit.span.start + shift, end: edit.span.end + shift } })),
    }));
  }
  return copy;
}

/** Whether `finding` is exactly `previous` moved by `shift`: the same keys in the same order, equal values. */
function equalsMoved(finding: Finding, previous: Finding, shift: number): boolean {
  if (finding.span.end !== previous.span.end + shift || finding.ruleId !== previous.ruleId || finding.severity !== previous.severity) return false;
  if (!sameKeys(finding, previous) || !sameKeys(finding.span, previous.span)) return false;
  for (const key of Object.keys(finding) as Array<keyof Finding>) {
    if (key === 'span') continue;
    if (key === 'fixes') {
      if (!sameFixesMoved(finding.fixes, previous.fixes, shift)) return false;
    } else if (!sameJson(finding[key], previous[key])) return false;
  }
  return true;
}

function sameFixesMoved(fixes: Finding['fixes'], previous: Finding['fixes'], shift: number): boolean {
  if (fixes === undefined || previous === undefined) return fixes === previous;
  if (fixes.length !== previous.length) return false;
  for (let i = 0; i < fixes.length; i++) {
    const fix = fixes[i];
    const before = previous[i];
    if (!sameKeys(fix, before)) return false;
    for (const key of Object.keys(fix) as Array<keyof typeof fix>) {
      if (key !== 'edits' && !sameJson(fix[key], before[key])) return false;
    }
    if (fix.edits.length !== before.edits.length) return false;
    for (let e = 0; e < fix.edits.length; e++) {
      const edit = fix.edits[e];
      const old = before.edits[e];
      if (!sameKeys(edit, old) || !sameKeys(edit.span, old.span) || edit.newText !== old.newText) return false;
      if (edit.span.start !== old.span.start + shift || edit.span.end !== old.span.end + shift) return false;
    }
  }
  return true;
}

function sameKeys(a: object, b: object): boolean {
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (let i = 0; i < keysA.length; i++) if (keysA[i] !== keysB[i]) return false;
  return true;
}

/** Deep equality of plain data (what crosses a thread), key order included. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || !sameKeys(a, b)) return false;
  for (const key of Object.keys(a)) if (!sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}
