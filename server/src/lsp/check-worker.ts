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
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CancellationFlag, DocumentInput, Engine } from '../engine/api';
import type { Finding } from '../engine/types';
import type { ParsedDocument } from '../engine/markdown';
import { checkWorkerLimits, describeWorkerFailure, overBudget } from '../node/budget';

/** A cancelled check that is still running this long after its flag was raised is stopped by force. */
export const CANCEL_GRACE_MS = 150;
/** Worker failures in a row (no check finished in between) after which checks run on the main thread. */
const MAX_FAILURES_IN_A_ROW = 3;
const WATCH_INTERVAL_MS = 20;

/** A change to a project's workspace, replayed in the worker's engine. */
export type WorkspaceOp =
  | { kind: 'config'; uri: string | undefined; text: string | undefined }
  | { kind: 'registry'; uri: string | undefined; text: string | undefined }
  | { kind: 'source'; uri: string; path: string; text: string }
  | { kind: 'removeSource'; uri: string }
  | { kind: 'indexCache'; bytes: Uint8Array };

export interface WorkerData {
  provenanceLspCheckWorker: true;
  docsBaseUrl?: string;
}

export type ToWorker =
  | { type: 'sync'; project: number; ops: WorkspaceOp[] }
  | { type: 'op'; project: number; op: WorkspaceOp }
  | { type: 'drop'; project: number }
  | { type: 'check'; id: number; project: number; doc: DocumentInput; flag: Int32Array };

export type FromWorker =
  | { type: 'hello'; clock?: string }
  | { type: 'started'; id: number; cpu?: number }
  | { type: 'result'; id: number; findings: Finding[]; cancelled: boolean }
  /** Right after a finished check's result, off its critical path: the worker's parse of the piece (undefined if it could not be sent). */
  | { type: 'parsed'; id: number; parsed: ParsedDocument | undefined }
  | { type: 'error'; id: number; message: string };

export type CheckOutcome =
  /** `parsed` settles once the main thread's engine holds the worker's parse of this text (or none is coming). */
  | { status: 'done'; findings: Finding[]; parsed: Promise<void> }
  | { status: 'cancelled' }
  | { status: 'over-budget'; budgetMs: number }
  | { status: 'crashed'; reason: string };

/** Everything a worker needs to rebuild a project's engine. */
class ProjectState {
  config: WorkspaceOp | undefined;
  registry: WorkspaceOp | undefined;
  indexCache: WorkspaceOp | undefined;
  readonly sources = new Map<string, WorkspaceOp>();

  constructor(readonly id: number) {}

  record(op: WorkspaceOp): void {
    if (op.kind === 'config') this.config = op;
    else if (op.kind === 'registry') this.registry = op;
    else if (op.kind === 'indexCache') this.indexCache = op;
    else if (op.kind === 'source') this.sources.set(op.uri, op);
    else this.sources.delete(op.uri);
  }

  /** In the order loading uses: config, index cache, registry, sources. */
  ops(): WorkspaceOp[] {
    return [this.config, this.indexCache, this.registry, ...this.sources.values()].filter((op): op is WorkspaceOp => op !== undefined);
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
    mirrored.setSource = (uri, sourcePath, text) => {
      forward({ kind: 'source', uri, path: sourcePath, text });
      engine.setSource(uri, sourcePath, text);
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
   * none) counts from the moment the worker starts this piece. Never rejects.
   */
  check(engine: Engine, doc: DocumentInput, budgetMs: number, cancel?: CancellationFlag): Promise<CheckOutcome> {
    const state = this.states.get(engine);
    if (!state || !this.isolated) return Promise.resolve(this.checkHere(engine, doc, cancel));
    return new Promise((resolve) => {
      const job: Job = { id: this.nextJob++, state, engine, doc, budgetMs, cancel, flag: new Int32Array(new SharedArrayBuffer(4)), resolve };
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
    return cancel?.isCancellationRequested ? { status: 'cancelled' } : { status: 'done', findings, parsed: Promise.resolve() };
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
      const data: WorkerData = { provenanceLspCheckWorker: true, docsBaseUrl: this.options.docsBaseUrl };
      const worker = new Worker(this.options.script ?? defaultScript(), { workerData: data, stdout: false, stderr: false, resourceLimits: checkWorkerLimits() });
      // The worker never keeps the server alive: when the client goes, the process goes.
      worker.unref();
      let failure: unknown;
      worker.on('message', (message: FromWorker) => this.received(worker, message));
      worker.on('error', (err) => (failure = err));
      worker.on('exit', (code) => this.exited(worker, failure, code));
      this.worker = worker;
      this.clock = undefined;
      this.synced.clear();
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
      const parsed = new Promise<void>((adopted) => this.parses.set(job.id, { job, adopted }));
      job.resolve({ status: 'done', findings: message.findings, parsed });
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
