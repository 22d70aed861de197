/**
 * The first check worker, started before the pool knows what it will check.
 * A worker thread takes ~0.2 s to boot Node and load the bundle, the longest
 * stretch of a small warm run's path, so it should start while the main
 * thread is busy with anything else: the launcher (launch.ts) starts it
 * before the main thread has even loaded the CLI's bundle, and leaves it here
 * for the pool to adopt (`takePrestarted`). The worker waits for the
 * `WorkerInput` that `checkAll` posts in place of starting a worker, or for
 * `cancelPrestarted` when no piece needs one.
 *
 * Kept apart from pool.ts so that the launcher, which must stay small, can
 * start one without loading the pool.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { CLI_YOUNG_GENERATION_MB, checkWorkerLimits } from '../node/budget';

/** Data of a prestarted worker until its input comes (worker.ts). */
export interface PrestartData {
  provenanceCheckWorker: true;
  prestarted: Int32Array;
}

export interface PrestartedWorker {
  readonly worker: Worker;
  /** 0 while it waits; 1 once its input is posted; 2 when it is not needed. */
  readonly state: Int32Array;
  /** Set when it ended before it was adopted (then the pool starts another). */
  exited: boolean;
}

/** A check worker with its limits; its stdout goes to our stderr: our stdout is the report (JSON, SARIF), which a stray line would break. */
export function startWorkerThread(script: string, workerData: unknown, transferList: MessagePort[] = []): Worker {
  const worker = new Worker(script, { workerData, transferList, stdout: true, stderr: false, resourceLimits: checkWorkerLimits(CLI_YOUNG_GENERATION_MB) });
  worker.stdout.pipe(process.stderr, { end: false });
  return worker;
}

/** Starts a worker of `script` that waits for its input; undefined when no thread could be started. */
export function prestartWorkerOf(script: string): PrestartedWorker | undefined {
  const state = new Int32Array(new SharedArrayBuffer(4));
  try {
    const worker = startWorkerThread(script, { provenanceCheckWorker: true, prestarted: state } satisfies PrestartData);
    // Until the pool adopts it, it never keeps the process alive: a run that fails before then still ends.
    worker.unref();
    const prestarted: PrestartedWorker = { worker, state, exited: false };
    worker.once('exit', () => (prestarted.exited = true));
    // Its failures are the pool's to report once it is adopted; until then an error only ends it.
    worker.on('error', () => undefined);
    return prestarted;
  } catch {
    return undefined;
  }
}

/** Ends a prestarted worker that no piece needed, without holding the process. */
export function cancelPrestarted(prestarted: PrestartedWorker | undefined): void {
  if (!prestarted || Atomics.load(prestarted.state, 0) !== 0) return;
  Atomics.store(prestarted.state, 0, 2);
  Atomics.notify(prestarted.state, 0);
  void prestarted.worker.terminate();
}

// The launcher and the CLI's bundle are two modules of one thread: the worker passes between them on the global object.
const HANDOFF = Symbol.for('provenance.cli.prestartedWorker');
type Handoff = { [HANDOFF]?: PrestartedWorker };

/** Leaves a worker the launcher started for the CLI to take. */
export function leavePrestarted(prestarted: PrestartedWorker | undefined): void {
  if (prestarted) (globalThis as Handoff)[HANDOFF] = prestarted;
}

/** The worker the launcher started, once (undefined when it started none, or it was taken). */
export function takePrestarted(): PrestartedWorker | undefined {
  const prestarted = (globalThis as Handoff)[HANDOFF];
  delete (globalThis as Handoff)[HANDOFF];
  return prestarted;
}

/**
 * Whether the launcher should start a worker for this command line: `check`
 * with a cache (a run without one builds the corpus products on two threads
 * at once, where an early worker cost 200 KB pieces ~4%, measured). A run
 * whose pieces all come from the results cache cancels it.
 */
export function wantsEarlyWorker(args: readonly string[]): boolean {
  return args[0] === 'check' && !args.some((arg) => arg === '--no-cache' || arg === '-h' || arg === '--help');
}
