/**
 * A CLI worker thread: loads the workspace into its own engine, then checks
 * pieces claimed from the shared table until none is left (see pool.ts).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../engine/index';
import { loadWorkspace } from '../node/workspace';
import { checkFile } from './check-file';
import { claimNext, type WorkerInput, type WorkerMessage } from './pool';

/** Whether this thread was started as a CLI worker (then it must not run the CLI itself). */
export function isCheckWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerInput> | undefined)?.provenanceCheckWorker === true;
}

export function runCheckWorker(): void {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  const engine = createEngine({ docsBaseUrl: input.docsBaseUrl });
  loadWorkspace(engine, input.root, input.configFile, { cacheDir: input.cacheDir, writeCache: false });
  // Tests prove the main thread recovers the pieces of a worker that died.
  if ((process.env.PROVENANCE_TEST_FAULTS ?? '').split(',').includes('cli-worker')) {
    claimNext(input.table, input.id);
    throw new Error('injected test fault in cli-worker (PROVENANCE_TEST_FAULTS)');
  }
  for (let i = claimNext(input.table, input.id); i >= 0; i = claimNext(input.table, input.id)) {
    const message: WorkerMessage = { type: 'result', index: i, result: checkFile(engine, input.documents[i], input.root) };
    port.postMessage(message);
  }
  port.postMessage({ type: 'done' } satisfies WorkerMessage);
}

if (isCheckWorker()) runCheckWorker();
