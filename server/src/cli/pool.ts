/**
 * Checking pieces in worker threads: each worker holds an engine with the
 * workspace loaded and takes pieces one at a time from a shared claim table
 * (a piece belongs to whoever claims it first with an atomic
 * compare-and-swap), so a big piece never leaves the others waiting behind a
 * fixed split. Results are keyed by piece index, so the output order never
 * depends on which thread finished first.
 *
 * No piece is checked on the main thread while workers can do it: a worker
 * can be stopped, the main thread cannot. The main thread watches what each
 * worker is checking and the CPU time it has spent on it (wall time where the
 * system does not tell, see budget.ts); a piece that runs past its time budget
 * is reported as `input/skipped` and its worker terminated, and a piece whose
 * worker dies under it (out of memory) is reported the same way. Pieces a
 * stopped or dead worker had claimed without starting go to a replacement.
 * Only if workers cannot be kept alive at all (three failures in a row with
 * no piece done) are the remaining pieces checked on the main thread.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Finding } from '../engine/types';
import { checkWorkerLimits, crashedFinding, describeWorkerFailure, overBudget, overBudgetFinding } from '../node/budget';
import { relativePath } from '../node/workspace';
import type { CheckedFile } from './check-file';

/** Below this many bytes of pieces, more than one worker (each loads the whole corpus) costs more than it saves. */
export const PARALLEL_MIN_BYTES = 48 * 1024;
/** More threads than this only multiply memory (each holds the corpus) for little gain. */
const MAX_WORKERS = 7;
/** Worker failures in a row, with no piece done in between, after which no more are started. */
const MAX_FAILURES_IN_A_ROW = 3;
/** How often the main thread looks at the clock of each worker's current piece. */
const WATCH_INTERVAL_MS = 25;

/** `state[0]` is the next piece to try; `state[1 + i]` the id of the thread that owns piece i (0 = nobody yet). */
export type ClaimTable = Int32Array;

export function claimTable(pieces: number): ClaimTable {
  return new Int32Array(new SharedArrayBuffer(4 * (pieces + 1)));
}

/** Claims the next unowned piece for thread `id`; -1 when none is left. */
export function claimNext(table: ClaimTable, id: number): number {
  const pieces = table.length - 1;
  for (;;) {
    const i = Atomics.add(table, 0, 1);
    if (i >= pieces) return -1;
    if (Atomics.compareExchange(table, 1 + i, 0, id) === 0) return i;
  }
}

/** What a worker needs to load the same workspace as the main thread. */
export interface WorkerInput {
  provenanceCheckWorker: true;
  id: number;
  root: string;
  configFile?: string;
  documents: string[];
  table: ClaimTable;
  docsBaseUrl: string;
  /** Persisted index cache the worker may read. */
  cacheDir?: string;
  /** Whether this worker writes the index cache back (only the first one started does). */
  writeCache: boolean;
  /** Pieces handed to this worker before it claims any (those of a worker that was stopped or died). */
  assigned: number[];
}

/** What loading the workspace found: problems in the config, registry and sources. */
export interface LoadReport {
  notices: string[];
  fileFindings: [string, Finding[]][];
}

export type WorkerMessage =
  | ({ type: 'loaded'; clock?: string } & LoadReport)
  | { type: 'started'; index: number; cpu?: number }
  | { type: 'result'; index: number; result: CheckedFile };

/** How many worker threads to start for these pieces. */
export function workerCount(documents: readonly string[], jobs: number | undefined): number {
  if (!documents.length) return 0;
  if (jobs !== undefined) return Math.min(jobs, documents.length, MAX_WORKERS);
  let bytes = 0;
  for (const file of documents) {
    try {
      bytes += fs.statSync(file).size;
    } catch {
      // unreadable: reported when it is checked
    }
  }
  if (bytes < PARALLEL_MIN_BYTES) return 1;
  return Math.max(1, Math.min(os.availableParallelism(), documents.length, MAX_WORKERS));
}

/**
 * The script a worker runs: in the bundle (dist/cli.js) the CLI itself, which
 * becomes a worker when started as one; from compiled sources, worker.js.
 */
function workerScript(): string {
  const sibling = path.join(__dirname, 'worker.js');
  return fs.existsSync(sibling) ? sibling : __filename;
}

export interface PoolStats {
  /** Workers started at first (replacements not counted). */
  workers: number;
  /** Pieces checked by each thread: the main thread first, then each worker in the order they started. */
  checkedBy: number[];
  /** Workers started in all, replacements included. */
  started: number;
}

export interface PoolOptions {
  /** Time budget per piece (ms); 0 = none. */
  budgetMs: number;
  /** The working directory, for the file names in messages. */
  cwd: string;
  /** Used only when no worker can be kept alive: load the main thread's engine, then check one piece with it. */
  fallback: { prepare(): void; check(file: string): CheckedFile };
}

interface Slot {
  id: number;
  /** Index into checkedBy. */
  k: number;
  worker: Worker;
  /** Where to read the worker thread's CPU time (budget.ts). */
  clock?: string;
  /** The piece it is checking, when it started (main thread's clock) and the worker's CPU time then. */
  current?: { index: number; since: number; cpu?: number };
  error?: unknown;
  /** Terminated by us: over budget, or no longer needed. */
  stopped: boolean;
}

/**
 * Checks `documents` (absolute paths) with `workers` worker threads (at least
 * one when there are documents). Returns the results in document order, and
 * the load report of the first worker that loaded the workspace.
 */
export async function checkAll(
  documents: readonly string[],
  workers: number,
  input: Omit<WorkerInput, 'provenanceCheckWorker' | 'id' | 'documents' | 'table' | 'writeCache' | 'assigned'>,
  options: PoolOptions,
): Promise<{ results: CheckedFile[]; stats: PoolStats; loaded?: LoadReport }> {
  const table = claimTable(documents.length);
  const results = new Map<number, CheckedFile>();
  const checkedBy = [0];
  const live = new Set<Slot>();
  let loaded: LoadReport | undefined;
  let nextId = 2; // 1 was the main thread's id when it claimed pieces; kept free so ids stay > 1
  let failuresInARow = 0;
  let finished = false;
  let finish!: () => void;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const name = (i: number) => relativePath(options.cwd, documents[i]);

  const ownedBy = (id: number) => documents.flatMap((_, i) => (Atomics.load(table, 1 + i) === id && !results.has(i) ? [i] : []));
  const anyUnowned = () => documents.some((_, i) => Atomics.load(table, 1 + i) === 0);

  const settle = () => {
    if (finished) return;
    if (results.size === documents.length || live.size === 0) {
      finished = true;
      finish();
    }
  };

  const spawn = (assigned: number[]) => {
    const id = nextId++;
    for (const i of assigned) Atomics.store(table, 1 + i, id);
    const data: WorkerInput = { provenanceCheckWorker: true, id, documents: [...documents], table, writeCache: id === 2, assigned, ...input };
    const slot: Slot = { id, k: checkedBy.push(0) - 1, worker: undefined as unknown as Worker, stopped: false };
    try {
      slot.worker = new Worker(workerScript(), { workerData: data, stdout: false, stderr: false, resourceLimits: checkWorkerLimits() });
    } catch {
      failuresInARow++;
      return;
    }
    live.add(slot);
    slot.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'loaded') {
        loaded ??= { notices: message.notices, fileFindings: message.fileFindings };
        slot.clock = message.clock;
      } else if (message.type === 'started') slot.current = { index: message.index, since: Date.now(), cpu: message.cpu };
      else if (message.type === 'result') {
        slot.current = undefined;
        if (!results.has(message.index)) {
          results.set(message.index, message.result);
          checkedBy[slot.k]++;
        }
        failuresInARow = 0;
        settle();
      }
    });
    slot.worker.on('error', (err) => (slot.error = err));
    slot.worker.on('exit', (code) => exited(slot, code));
  };

  const exited = (slot: Slot, exitCode: number) => {
    live.delete(slot);
    const current = slot.current;
    if (current && !results.has(current.index)) {
      // It died under this piece (out of memory, a crash): the piece is the likely cause, so it is not retried.
      const finding = crashedFinding(name(current.index), describeWorkerFailure(slot.error, exitCode));
      results.set(current.index, { text: '', findings: [finding], notice: finding.message, unreadable: false, stopped: 'crashed' });
    } else if (!slot.stopped) {
      failuresInARow++;
    }
    if (!finished) {
      const orphans = ownedBy(slot.id);
      if ((orphans.length || anyUnowned()) && failuresInARow < MAX_FAILURES_IN_A_ROW) spawn(orphans);
    }
    settle();
  };

  const watch =
    options.budgetMs > 0
      ? setInterval(() => {
          const now = Date.now();
          for (const slot of live) {
            const current = slot.current;
            if (!current || results.has(current.index) || !overBudget({ startedAt: current.since, clock: slot.clock, cpuAtStart: current.cpu }, options.budgetMs, now)) continue;
            const finding = overBudgetFinding(name(current.index), options.budgetMs);
            results.set(current.index, { text: '', findings: [finding], notice: finding.message, unreadable: false, stopped: 'time-budget' });
            failuresInARow = 0;
            slot.stopped = true;
            void slot.worker.terminate();
          }
        }, WATCH_INTERVAL_MS)
      : undefined;

  for (let k = 0; k < workers; k++) spawn([]);
  settle();
  await allDone;
  if (watch) clearInterval(watch);
  await Promise.all(
    [...live].map(async (slot) => {
      slot.stopped = true;
      await slot.worker.terminate();
    }),
  );

  // Workers could not be kept alive: check what is left here, without a budget, rather than not at all.
  const ordered: CheckedFile[] = [];
  let prepared = false;
  for (let i = 0; i < documents.length; i++) {
    let result = results.get(i);
    if (!result) {
      if (!prepared) options.fallback.prepare();
      prepared = true;
      result = options.fallback.check(documents[i]);
      checkedBy[0]++;
    }
    ordered.push(result);
  }
  return { results: ordered, stats: { workers, checkedBy, started: nextId - 2 }, loaded };
}
