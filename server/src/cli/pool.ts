/**
 * Checking many pieces on every core: the main thread and N worker threads
 * each hold an engine with the workspace loaded, and take pieces one at a
 * time from a shared claim table (a piece belongs to whoever claims it first
 * with an atomic compare-and-swap), so a big piece never leaves the others
 * waiting behind a fixed split. Results are keyed by piece index, so the
 * output order never depends on which thread finished first.
 *
 * A worker that dies (or was never needed) costs nothing but its start: any
 * piece it claimed without answering is checked again on the main thread.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CheckedFile } from './check-file';

/** Below this many bytes of pieces, a worker's start (it loads the whole corpus) costs more than it saves. */
export const PARALLEL_MIN_BYTES = 48 * 1024;
/** More threads than this only multiply memory (each holds the corpus) for little gain. */
const MAX_WORKERS = 7;

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
  /** Persisted index cache the worker may read (only the main thread writes it). */
  cacheDir?: string;
}

export type WorkerMessage = { type: 'result'; index: number; result: CheckedFile } | { type: 'done' };

/** How many worker threads to start for these pieces (0 = check them all on the main thread). */
export function workerCount(documents: readonly string[], jobs: number | undefined): number {
  if (documents.length < 2) return 0;
  if (jobs !== undefined) return Math.min(jobs - 1, documents.length - 1, MAX_WORKERS);
  let bytes = 0;
  for (const file of documents) {
    try {
      bytes += fs.statSync(file).size;
    } catch {
      // unreadable: reported when it is checked
    }
  }
  if (bytes < PARALLEL_MIN_BYTES) return 0;
  return Math.max(0, Math.min(os.availableParallelism() - 1, documents.length - 1, MAX_WORKERS));
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
  workers: number;
  /** Pieces checked by each thread, main thread first. */
  checkedBy: number[];
}

/**
 * Checks `documents` (absolute paths) with `workers` helper threads besides
 * the main thread. `prepareHere` loads the main thread's engine (it runs while
 * the workers load theirs); `checkHere` checks one piece with it.
 */
export async function checkAll(
  documents: readonly string[],
  workers: number,
  input: Omit<WorkerInput, 'provenanceCheckWorker' | 'id' | 'documents' | 'table'>,
  prepareHere: () => void,
  checkHere: (file: string) => CheckedFile,
): Promise<{ results: CheckedFile[]; stats: PoolStats }> {
  const table = claimTable(documents.length);
  const results = new Map<number, CheckedFile>();
  const checkedBy = new Array<number>(workers + 1).fill(0);
  const MAIN = 1;

  const pool = Array.from({ length: workers }, (_, k) => {
    const id = MAIN + 1 + k;
    const data: WorkerInput = { provenanceCheckWorker: true, id, documents: [...documents], table, ...input };
    const worker = new Worker(workerScript(), { workerData: data, stdout: false, stderr: false });
    const finished = new Promise<void>((resolve) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'result' && !results.has(message.index)) {
          results.set(message.index, message.result);
          checkedBy[k + 1]++;
        }
      });
      // A crashed worker ends here too; its unanswered pieces are checked again below.
      worker.on('error', () => undefined);
      worker.on('exit', () => resolve());
    });
    return { id, worker, finished };
  });

  prepareHere();
  for (let i = claimNext(table, MAIN); i >= 0; i = claimNext(table, MAIN)) {
    results.set(i, checkHere(documents[i]));
    checkedBy[0]++;
  }

  // Every piece is claimed now. A worker that owns an unanswered piece answers it and exits on its
  // own (nothing is left to claim); the others are still loading or idle and are stopped.
  const owes = (id: number) => documents.some((_, i) => Atomics.load(table, 1 + i) === id && !results.has(i));
  await Promise.all(
    pool.map(async ({ id, worker, finished }) => {
      if (owes(id)) await finished;
      await worker.terminate();
    }),
  );

  const ordered: CheckedFile[] = [];
  for (let i = 0; i < documents.length; i++) {
    let result = results.get(i);
    if (!result) {
      result = checkHere(documents[i]);
      checkedBy[0]++;
    }
    ordered.push(result);
  }
  return { results: ordered, stats: { workers, checkedBy } };
}
