/**
 * A CLI worker thread: loads the workspace into its own engine, reports what
 * loading found, then checks the pieces handed to it and those it claims from
 * the shared table until none is left (see pool.ts). It says which piece it
 * starts, so the main thread can time each one.
 */
import * as fs from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../engine/index';
import { threadClock, threadCpuMs, warmUp } from '../node/budget';
import { loadWorkspace } from '../node/workspace';
import { checkFile } from './check-file';
import { claimNext, type WorkerInput, type WorkerMessage } from './pool';
import { ruleFilter } from './rule-groups';

/** Whether this thread was started as a CLI worker (then it must not run the CLI itself). */
export function isCheckWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerInput> | undefined)?.provenanceCheckWorker === true;
}

export function runCheckWorker(): void {
  const input = workerData as WorkerInput;
  const port = parentPort!;
  const post = (message: WorkerMessage) => port.postMessage(message);
  const engine = createEngine({ docsBaseUrl: input.docsBaseUrl });
  // The main thread writes the cache once, from what every group built (pool.ts).
  const loaded = loadWorkspace(engine, input.root, input.configFile, { cacheDir: input.cacheDir, writeCache: false });
  const clock = threadClock();
  post({ type: 'loaded', notices: loaded.notices, fileFindings: [...loaded.fileFindings], clock });
  const faults = new Set((process.env.PROVENANCE_TEST_FAULTS ?? '').split(','));
  // Tests prove the pieces of a worker that died are checked all the same.
  if (faults.has('cli-worker')) {
    claimNext(input.table, input.id);
    throw new Error('injected test fault in cli-worker (PROVENANCE_TEST_FAULTS)');
  }
  // Index building is the workspace's cost, not the first piece's: keep it off that piece's clock.
  // Only this group's rules run, so only the corpus products they need are built.
  const rules = ruleFilter(input.group);
  warmUp(engine, rules);
  if (input.writeCache) {
    // After the warm-up, so the products built lazily are in it too.
    const bytes = engine.exportIndexCache(true);
    if (bytes) port.postMessage({ type: 'cache', bytes } satisfies WorkerMessage, bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : []);
  }
  const check = (index: number) => {
    post({ type: 'started', index, cpu: clock !== undefined ? threadCpuMs(clock) : undefined });
    // Tests prove that a piece whose analysis never ends is stopped at its budget, and that a worker
    // dying under a piece (as out of memory would) costs that piece only.
    if (faults.has('check-hang') || faults.has('check-crash')) {
      const text = fs.readFileSync(input.documents[index], 'utf8');
      if (faults.has('check-hang') && text.includes('provenance-test-hang')) for (;;) Atomics.load(input.table, 0);
      if (faults.has('check-crash') && text.includes('provenance-test-crash')) process.exit(70);
    }
    post({ type: 'result', index, result: checkFile(engine, input.documents[index], input.root, rules) });
  };
  for (const index of input.assigned) check(index);
  for (let i = claimNext(input.table, input.id); i >= 0; i = claimNext(input.table, input.id)) check(i);
}

if (isCheckWorker()) runCheckWorker();
