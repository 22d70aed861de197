/**
 * The language server's check worker (see check-worker.ts): one engine per
 * project, rebuilt from the workspace the main thread sends, kept up to date
 * change by change; checks pieces one at a time, in the order asked, saying
 * when each starts so the main thread can hold it to its time budget.
 */
import fs = require('node:fs');
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { DocumentInput, Engine } from '../engine/api';
import { createEngine } from '../engine/index';
import { threadClock, threadCpuMs, warmUp } from '../node/budget';
import { hashLongText } from '../node/workspace';
import { findingDelta, rememberLastResult, type FromWorker, type ToWorker, type WorkerData, type WorkspaceOp } from './check-worker';
import type { Finding } from '../engine/types';

export function isLspCheckWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerData> | undefined)?.provenanceLspCheckWorker === true;
}

function apply(engine: Engine, op: WorkspaceOp): void {
  switch (op.kind) {
    case 'config':
      engine.setConfig(op.uri, op.text);
      break;
    case 'registry':
      engine.setRegistry(op.uri, op.text);
      break;
    case 'source':
      engine.setSource(op.uri, op.path, op.text, op.contentKey);
      break;
    case 'removeSource':
      engine.removeSource(op.uri);
      break;
    case 'indexCache':
      engine.importIndexCache(op.bytes);
      break;
  }
}

/**
 * When the main thread asks, after the diagnostics went out: the parse this
 * check made, which the main thread adopts instead of parsing the same text
 * again for hovers; cloning it costs a fraction of parsing.
 */
function sendParse(id: number, engine: Engine, doc: DocumentInput): void {
  try {
    parentPort!.postMessage({ type: 'parsed', id, parsed: engine.parsed(doc) } satisfies FromWorker);
  } catch {
    parentPort!.postMessage({ type: 'parsed', id, parsed: undefined } satisfies FromWorker);
  }
}

export function runLspCheckWorker(): void {
  const data = workerData as WorkerData;
  const port = parentPort!;
  const engines = new Map<number, Engine>();
  /** Projects changed since their lazy indexes were last built. */
  const cold = new Set<number>();
  const post = (message: FromWorker) => port.postMessage(message);
  /** The last result sent per project and document, which the main thread keeps too: the next one is sent as a delta against it. */
  const lastResults = new Map<string, Finding[]>();
  /** The last finished check per project and document, whose parse the main thread may ask for. */
  const finished = new Map<string, { id: number; engine: Engine; doc: DocumentInput }>();
  const faults = new Set((process.env.PROVENANCE_TEST_FAULTS ?? '').split(','));
  const clock = threadClock();
  post({ type: 'hello', clock });

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'sync': {
        const engine = createEngine({ docsBaseUrl: data.docsBaseUrl, buildId: data.buildId, hashLongText });
        for (const op of message.ops) apply(engine, op);
        engines.set(message.project, engine);
        cold.add(message.project);
        break;
      }
      case 'op': {
        const engine = engines.get(message.project);
        if (engine) apply(engine, message.op);
        cold.add(message.project);
        break;
      }
      case 'drop':
        engines.delete(message.project);
        cold.delete(message.project);
        for (const key of finished.keys()) if (key.startsWith(`${message.project}\u0000`)) finished.delete(key);
        break;
      case 'parse': {
        const last = finished.get(message.document);
        if (last?.id === message.id) {
          finished.delete(message.document);
          sendParse(last.id, last.engine, last.doc);
        } else {
          // A newer check of the document came since: its parse is not this text's.
          post({ type: 'parsed', id: message.id, parsed: undefined });
        }
        break;
      }
      case 'check': {
        const engine = engines.get(message.project);
        const flag = message.flag;
        const cancel = {
          get isCancellationRequested() {
            return Atomics.load(flag, 0) === 1;
          },
        };
        const document = `${message.project}\u0000${message.doc.uri}`;
        if (!engine || cancel.isCancellationRequested) {
          post({ type: 'result', id: message.id, document, findings: [], cancelled: true });
          break;
        }
        try {
          // Rebuilding indexes after a workspace change is the workspace's cost, not this piece's: off its clock.
          if (cold.delete(message.project)) warmUp(engine);
          post({ type: 'started', id: message.id, cpu: clock !== undefined ? threadCpuMs(clock) : undefined });
          // Tests prove that a check which never ends is stopped at its budget, and a cancelled one by force,
          // and that a worker dying under a piece (as out of memory would) costs that piece only.
          if (faults.has('check-hang') && message.doc.text.includes('provenance-test-hang')) {
            // Tells a test the hang has begun, and in which thread (PROVENANCE_TEST_HANG_FILE), so it need not guess from CPU load.
            if (process.env.PROVENANCE_TEST_HANG_FILE) fs.writeFileSync(process.env.PROVENANCE_TEST_HANG_FILE, clock ?? message.doc.uri);
            for (;;) Atomics.load(flag, 0);
          }
          if (faults.has('check-crash') && message.doc.text.includes('provenance-test-crash')) process.exit(70);
          const findings = engine.check(message.doc, cancel);
          const cancelled = cancel.isCancellationRequested;
          if (cancelled) {
            post({ type: 'result', id: message.id, document, findings: [], cancelled });
          } else {
            const delta = findingDelta(lastResults.get(document) ?? [], findings);
            post({ type: 'result', id: message.id, document, ...delta, cancelled });
            // Only once sent: a result that failed to reach the main thread must not become the base of the next delta.
            rememberLastResult(lastResults, document, findings);
            finished.set(document, { id: message.id, engine, doc: message.doc });
          }
        } catch (err) {
          post({ type: 'error', id: message.id, message: (err as Error)?.stack ?? String(err) });
        }
        break;
      }
    }
  });
}

if (isLspCheckWorker()) runLspCheckWorker();
