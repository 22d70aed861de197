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
 *
 * With two or more threads, each piece is checked in two halves of its rules
 * (rule-groups.ts) on two threads at once, each thread building only the
 * corpus products its rules need; the halves merge into the same findings as
 * one check. Each group has its own claim table and its own workers.
 */
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Finding } from '../engine/types';
import { crashedFinding, describeWorkerFailure, overBudget, overBudgetFinding, pieceBudgetMs } from '../node/budget';
import { relativePath, type KnownSources, type SharedSources } from '../node/workspace';
import { commitCacheFile, discardCacheFile, type StagedCacheFile } from '../node/index-cache-file';
import { mergeCaches } from '../engine/index-cache';
import type { CheckedFile } from './check-file';
import { SPLIT_GROUPS, type RuleGroup } from './rule-groups';
import { parseHandover, type ParseHandover, type ParseMessage } from './parse-handover';
import { addTimings, type Timings } from './timing';
import { decodeFindings } from './findings-text';
import { joinFindings } from '../engine/findings-json';
import { prestartWorkerOf, startWorkerThread, takePrestarted, type PrestartedWorker } from './prestart';

/** From this many bytes of pieces, a second thread (each loads the whole corpus) pays whatever the corpus. */
export const PARALLEL_MIN_BYTES = 48 * 1024;
/**
 * Below this many bytes of pieces and sources together, one thread checks
 * everything: starting a second (~0.1 s of CPU) would cost more than building
 * the corpus products on one.
 */
export const SPLIT_MIN_BYTES = 256 * 1024;
/**
 * With the index cache already written, below this many bytes of pieces one
 * thread checks everything: a second thread's start and load (~0.3–0.4 s of
 * CPU on two cores also busy reading the sources) then cost more than the
 * half of the check it would take. Alternating runs with the 2,095 BBC
 * articles, warm, two threads against one: 2 KB 1.05 / 0.95 s, 20 KB 1.14 /
 * 1.07 s, 200 KB 1.61 / 1.60 s, 400 KB 1.87 / 1.93 s. Again on 2026-11-30,
 * with the kept parse and answers of today: 200 KB, one line changed, 0.76
 * / 0.65 s (medians of 12); each half's check takes ~170 ms of the ~220 ms
 * one thread takes for both, but the second thread starts ~120 ms later.
 */
export const WARM_SPLIT_MIN_BYTES = 256 * 1024;
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
  /** The running build (node/build-id.ts): given, the worker's quotation verdicts are persisted too. */
  buildId?: string;
  /** Which of each piece's rules this worker checks. */
  group: RuleGroup;
  /** Whether this worker sends its index cache bytes back when they changed (the first one of each group does). */
  writeCache: boolean;
  /** Whether this worker reads and sends back the kept answers of each piece it checks (checksCacheFile per piece; every worker does, given a cache folder). */
  writeChecks: boolean;
  /** Pieces handed to this worker before it claims any (those of a worker that was stopped or died). */
  assigned: number[];
  /** With split groups: how the style half hands its parse of a piece to the sources half. */
  parse?: ParseHandover;
  /** Where the main thread sends the sources it read for the workers (SharedSources), once `ready[0]` is 1. */
  sources?: { port: MessagePort; ready: Int32Array };
  /** `--timing`: time each piece's steps, and say how long loading and the warm-up took. */
  timing?: boolean;
}

/** What loading the workspace found: problems in the config, registry and sources. */
export interface LoadReport {
  notices: string[];
  fileFindings: [string, Finding[]][];
}

export type WorkerMessage =
  | ({ type: 'loaded'; clock?: string } & LoadReport)
  /** Cache sections that changed, for the workspace's index cache file or checks cache file (from the load and warm-up). */
  | { type: 'cache'; file: 'index' | 'checks'; bytes: Uint8Array }
  | ParseMessage
  | { type: 'started'; index: number; cpu?: number }
  /** Between two stretches of work on a piece (parsing it, then checking it): no budget runs meanwhile. */
  | { type: 'idle' }
  /** Findings of a piece made so far (its check goes on): read now, joined with the rest when its result comes. */
  | { type: 'findings'; index: number; findings: Uint8Array }
  /** The findings go encoded (findings-text.ts), transferred: the main thread keeps the bytes for the results cache (results-cache.ts). */
  | { type: 'result'; index: number; result: Omit<CheckedFile, 'findings' | 'findingsJson'>; findings: Uint8Array }
  /**
   * After a result, when the run keeps answers: this piece's kept answers are written, each half's file staged for the
   * main thread to put in place (none when nothing changed), with the problem writing one, if any.
   */
  | { type: 'saved'; index: number; staged: StagedCacheFile[]; problem?: string }
  /** `--timing`: how long this worker took to load the workspace and to warm up (ms). */
  | { type: 'phases'; timings: Timings }
  /** A source read on demand no longer has the key it was known by (node/workspace.ts `onSourceChanged`). */
  | { type: 'sourceChanged'; file: string };

/** How a run's pieces are spread: this many workers, each piece checked in these rule groups. */
export interface PoolPlan {
  workers: number;
  groups: readonly RuleGroup[];
}

function bytesOf(files: readonly string[], enough = Infinity): number {
  let bytes = 0;
  for (const file of files) {
    try {
      bytes += fs.statSync(file).size;
    } catch {
      // unreadable: reported when it is checked
    }
    if (bytes >= enough) break;
  }
  return bytes;
}

/**
 * How many worker threads to start for these pieces, and whether each piece is
 * split over two of them. `jobs` is the user's thread count (undefined = as
 * many as help); `sourceFiles` lists the corpus, to judge whether a second
 * thread pays; `warmCache` says the index cache was written by an earlier run.
 *
 * With two or more threads, every piece is checked in two halves of its rules
 * (rule-groups.ts), each thread taking the halves of one group: each thread
 * then builds only the corpus products of its half (quotation verdicts and
 * passage index, or entity knowledge), where threads checking whole pieces
 * would each build all of them. Measured on ten 20 KB pieces with the 2,095
 * BBC articles: 5.5 s of CPU split against 7.8 s whole, the same findings.
 */
export function planPool(documents: readonly string[], jobs: number | undefined, sourceFiles: () => readonly string[], warmCache = false): PoolPlan {
  if (!documents.length) return { workers: 0, groups: ['all'] };
  const cores = Math.min(jobs ?? os.availableParallelism(), MAX_WORKERS);
  if (cores < 2) return { workers: 1, groups: ['all'] };
  const pieceBytes = bytesOf(documents, Math.max(SPLIT_MIN_BYTES, WARM_SPLIT_MIN_BYTES));
  // Cold, the corpus products are built and a second thread shares that; warm, they are read back.
  const worth =
    jobs !== undefined ||
    (warmCache ? pieceBytes >= WARM_SPLIT_MIN_BYTES : pieceBytes >= PARALLEL_MIN_BYTES || pieceBytes + bytesOf(sourceFiles(), SPLIT_MIN_BYTES - pieceBytes) >= SPLIT_MIN_BYTES);
  if (!worth) return { workers: 1, groups: ['all'] };
  return { workers: Math.min(cores, documents.length * SPLIT_GROUPS.length), groups: SPLIT_GROUPS };
}

/**
 * The script a worker runs: from compiled sources, worker.js; in the bundle
 * (dist/cli-main.js), the launcher beside it (dist/cli.js), which runs the
 * bundle from V8's code cache, and the bundle becomes a worker when started as
 * one; else the bundle itself.
 */
function workerScript(): string {
  for (const sibling of ['worker.js', 'cli.js']) {
    const script = path.join(__dirname, sibling);
    if (script !== __filename && fs.existsSync(script)) return script;
  }
  return __filename;
}

/** A check worker of the pool, with its limits (prestart.ts). */
function startCheckWorker(workerData: WorkerInput, transferList: MessagePort[] = []): Worker {
  return startWorkerThread(workerScript(), workerData, transferList);
}

/**
 * The first worker, started before the pool knows its work (prestart.ts):
 * the one the launcher started, else one started now.
 */
export function prestartWorker(): PrestartedWorker | undefined {
  return takePrestarted() ?? prestartWorkerOf(workerScript());
}

export interface PoolStats {
  /** Workers started at first (replacements not counted). */
  workers: number;
  /** The rule groups each piece was checked in (['all'], or two halves on two threads). */
  groups: readonly RuleGroup[];
  /** Checks done by each thread (a piece, or one group of a piece): the main thread first, then each worker in the order they started. */
  checkedBy: number[];
  /** Workers started in all, replacements included. */
  started: number;
  /** Whether the first worker was one started before the pool (`prestartWorker`). */
  prestarted: boolean;
}

export interface PoolOptions {
  /** Time budget per piece (ms) per 256 KB of its text (budget.ts pieceBudgetMs); 0 = none. With split groups, each half has the whole budget. */
  budgetMs: number;
  /** The working directory, for the file names in messages. */
  cwd: string;
  /** Used only when no worker can be kept alive: load the main thread's engine, then check one piece's group with it. */
  fallback: { prepare(): void; check(file: string, group: RuleGroup): CheckedFile };
  /** Where to write the index cache the workers built (undefined = nowhere). */
  cacheFile?: string;
  /**
   * Where the workspace's kept answers go (quotation verdicts and the like, from the load and warm-up); undefined =
   * nowhere. Given, each worker also writes each piece's, in the piece's own files (worker.ts), which the pool puts
   * in place once every worker is done.
   */
  checksCacheFile?: string;
  /** Reads and writes cache files (node/index-cache-file.ts); a write returns an error message. */
  cacheIo?: { read(file: string): Uint8Array | undefined; write(file: string, bytes: Uint8Array): string | undefined };
  /**
   * Lists and reads the sources on the main thread, while the workers start,
   * for all of them (otherwise every worker reads the whole corpus itself); or
   * lists them with the keys the results cache knows them by, so the workers
   * read only those a check needs.
   */
  readAhead?: () => SharedSources | KnownSources;
  /** A worker started earlier (`prestartWorker`): the first one the pool needs is this one. */
  prestarted?: PrestartedWorker;
}

interface Slot {
  id: number;
  /** Index into checkedBy. */
  k: number;
  /** Index into the plan's groups. */
  g: number;
  worker: Worker;
  /** Where to read the worker thread's CPU time (budget.ts). */
  clock?: string;
  /** The piece it is checking, when it started (main thread's clock), the worker's CPU time then, and the piece's budget. */
  current?: { index: number; since: number; cpu?: number; budgetMs: number };
  error?: unknown;
  /** Terminated by us: over budget, or no longer needed. */
  stopped: boolean;
  /** Results it sent whose kept answers it has not yet sent (`saved`). */
  unsaved: number;
  /** The findings it sent of the piece it checks, before its result (each part read, and as sent). */
  early?: { index: number; findings: Finding[][]; bytes: Uint8Array[] };
}

/**
 * Checks `documents` (absolute paths) as `plan` says (at least one worker when
 * there are documents). Returns the results in document order and the load
 * report of the first worker that loaded the workspace, as soon as every
 * result is in; `cacheWritten` settles once the workers have sent the kept
 * answers of their last pieces, been stopped and the cache files written,
 * with any problem writing them.
 */
export async function checkAll(
  documents: readonly string[],
  plan: PoolPlan,
  input: Omit<WorkerInput, 'provenanceCheckWorker' | 'id' | 'documents' | 'table' | 'group' | 'writeCache' | 'writeChecks' | 'assigned' | 'parse' | 'sources'>,
  options: PoolOptions,
): Promise<{ results: CheckedFile[]; stats: PoolStats; loaded?: LoadReport; cacheWritten: Promise<string | undefined>; phases: Timings; changedSources: string[] }> {
  const groups = plan.groups;
  const pieces = documents.length;
  const tables = groups.map(() => claimTable(pieces));
  const parse = groups.length > 1 ? parseHandover(pieces) : undefined;
  /** Keyed by task: group index × pieces + piece index. */
  const results = new Map<number, CheckedFile>();
  const task = (g: number, i: number) => g * pieces + i;
  const checkedBy = [0];
  const live = new Set<Slot>();
  /** Cache sections the groups' first workers sent for the workspace's files, when they changed, in the order they came. */
  const cacheParts = { index: [] as Uint8Array[], checks: [] as Uint8Array[] };
  /** The pieces' kept answers the workers wrote, to put in place once they are all done; and the first problem writing one. */
  const stagedChecks: StagedCacheFile[] = [];
  let stagingProblem: string | undefined;
  const cacheWriters = new Set<number>();
  /** `--timing`: the workers' loading and warm-up times, summed. */
  const phases: Timings = {};
  /** Sources that changed while this run read them: then no cache is written (what was found may be from either version). */
  const changedSources = new Set<string>();
  let loaded: LoadReport | undefined;
  let nextId = 2; // 1 was the main thread's id when it claimed pieces; kept free so ids stay > 1
  let adoptedPrestarted = false;
  let failuresInARow = 0;
  let finished = false;
  let finish!: () => void;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const name = (i: number) => relativePath(options.cwd, documents[i]);
  // The sources read ahead: 1 in `aheadReady[0]` once they are sent to every worker started so far (or failed to read).
  const aheadReady = options.readAhead ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
  let ahead: SharedSources | KnownSources | undefined;
  const aheadPorts: MessagePort[] = [];
  const sendAhead = (port: MessagePort) => {
    if (ahead) port.postMessage(ahead);
    port.close();
  };

  const ownedBy = (slot: Slot) => documents.flatMap((_, i) => (Atomics.load(tables[slot.g], 1 + i) === slot.id && !results.has(task(slot.g, i)) ? [i] : []));
  const anyUnowned = (g: number) => documents.some((_, i) => Atomics.load(tables[g], 1 + i) === 0);

  const settle = () => {
    if (finished) return;
    if (results.size === pieces * groups.length || live.size === 0) {
      finished = true;
      finish();
    }
  };
  // Once every result is in: resolved when each live worker has sent the kept answers of every result it sent.
  let savesDone: (() => void) | undefined;
  const settleSaves = () => {
    if (savesDone && [...live].every((slot) => slot.unsaved <= 0)) savesDone();
  };

  const spawn = (g: number, assigned: number[]) => {
    const id = nextId++;
    for (const i of assigned) Atomics.store(tables[g], 1 + i, id);
    const writeCache = options.cacheFile !== undefined && !cacheWriters.has(g);
    if (writeCache) cacheWriters.add(g);
    const writeChecks = options.checksCacheFile !== undefined;
    const data: WorkerInput = { provenanceCheckWorker: true, id, documents: [...documents], table: tables[g], group: groups[g], writeCache, writeChecks, assigned, parse, ...input };
    const channel = aheadReady ? new MessageChannel() : undefined;
    if (channel && aheadReady) data.sources = { port: channel.port2, ready: aheadReady };
    const slot: Slot = { id, k: checkedBy.push(0) - 1, g, worker: undefined as unknown as Worker, stopped: false, unsaved: 0 };
    const prestarted = options.prestarted;
    if (prestarted && !prestarted.exited && Atomics.load(prestarted.state, 0) === 0) {
      adoptedPrestarted = true;
      // Its input goes by message (workerData was fixed when it started); it waits for the state to change.
      slot.worker = prestarted.worker;
      slot.worker.ref();
      slot.worker.postMessage(data, channel ? [channel.port2] : []);
      Atomics.store(prestarted.state, 0, 1);
      Atomics.notify(prestarted.state, 0);
    } else {
      try {
        slot.worker = startCheckWorker(data, channel ? [channel.port2] : []);
      } catch {
        failuresInARow++;
        return;
      }
    }
    if (channel) {
      if (aheadReady && Atomics.load(aheadReady, 0) === 1) sendAhead(channel.port1);
      else aheadPorts.push(channel.port1);
    }
    live.add(slot);
    slot.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'loaded') {
        loaded ??= { notices: message.notices, fileFindings: message.fileFindings };
        slot.clock = message.clock;
      } else if (message.type === 'cache') {
        cacheParts[message.file].push(message.bytes);
      }
      else if (message.type === 'parse') {
        // Passed on as is: the bytes are shared memory, so no thread copies them.
        for (const other of live) if (groups[other.g] === 'sources') other.worker.postMessage(message);
      }
      else if (message.type === 'findings') {
        // A piece's worker sends one piece's findings at a time: a part of another piece starts afresh.
        if (slot.early?.index !== message.index) slot.early = { index: message.index, findings: [], bytes: [] };
        slot.early.findings.push(decodeFindings(message.findings));
        slot.early.bytes.push(message.findings);
      }
      else if (message.type === 'phases') addTimings(phases, message.timings);
      else if (message.type === 'sourceChanged') changedSources.add(message.file);
      else if (message.type === 'started') slot.current = { index: message.index, since: Date.now(), cpu: message.cpu, budgetMs: pieceBudgetMs(options.budgetMs, bytesOf([documents[message.index]])) };
      else if (message.type === 'idle') slot.current = undefined;
      else if (message.type === 'result') {
        slot.current = undefined;
        if (writeChecks) slot.unsaved++;
        const early = slot.early?.index === message.index ? slot.early : undefined;
        slot.early = undefined;
        if (!results.has(task(g, message.index))) {
          const findings = joinFindings([...(early?.findings ?? []), decodeFindings(message.findings)]);
          results.set(task(g, message.index), { ...message.result, findings, findingsParts: [...(early?.bytes ?? []), message.findings] });
          checkedBy[slot.k]++;
        }
        failuresInARow = 0;
        settle();
      } else if (message.type === 'saved') {
        stagedChecks.push(...message.staged);
        stagingProblem ??= message.problem;
        slot.unsaved--;
        settleSaves();
      }
    });
    slot.worker.on('error', (err) => (slot.error = err));
    slot.worker.on('exit', (code) => exited(slot, code));
  };

  const exited = (slot: Slot, exitCode: number) => {
    live.delete(slot);
    settleSaves();
    const current = slot.current;
    if (current && !results.has(task(slot.g, current.index))) {
      // It died under this piece (out of memory, a crash): the piece is the likely cause, so it is not retried.
      const finding = crashedFinding(name(current.index), describeWorkerFailure(slot.error, exitCode));
      results.set(task(slot.g, current.index), { text: '', findings: [finding], notice: finding.message, unreadable: false, stopped: 'crashed' });
    } else if (!slot.stopped) {
      failuresInARow++;
    }
    if (!finished) {
      const orphans = ownedBy(slot);
      if ((orphans.length || anyUnowned(slot.g)) && failuresInARow < MAX_FAILURES_IN_A_ROW) spawn(slot.g, orphans);
    }
    settle();
  };

  const watch =
    options.budgetMs > 0
      ? setInterval(() => {
          const now = Date.now();
          for (const slot of live) {
            const current = slot.current;
            if (!current || results.has(task(slot.g, current.index)) || !overBudget({ startedAt: current.since, clock: slot.clock, cpuAtStart: current.cpu }, current.budgetMs, now)) continue;
            const finding = overBudgetFinding(name(current.index), current.budgetMs);
            results.set(task(slot.g, current.index), { text: '', findings: [finding], notice: finding.message, unreadable: false, stopped: 'time-budget' });
            failuresInARow = 0;
            slot.stopped = true;
            void slot.worker.terminate();
          }
        }, WATCH_INTERVAL_MS)
      : undefined;

  for (let k = 0; k < plan.workers; k++) spawn(k % groups.length, []);
  if (options.readAhead && aheadReady) {
    try {
      ahead = options.readAhead();
    } catch {
      ahead = undefined; // each worker then reads the sources itself
    }
    for (const port of aheadPorts.splice(0)) sendAhead(port);
    Atomics.store(aheadReady, 0, 1);
    Atomics.notify(aheadReady, 0);
  }
  settle();
  await allDone;
  if (watch) clearInterval(watch);

  // Workers could not be kept alive: check what is left here, without a budget, rather than not at all.
  const ordered: CheckedFile[] = [];
  let prepared = false;
  for (let i = 0; i < pieces; i++) {
    const parts = groups.map((group, g) => {
      let result = results.get(task(g, i));
      if (!result) {
        if (!prepared) options.fallback.prepare();
        prepared = true;
        result = options.fallback.check(documents[i], group);
        checkedBy[0]++;
      }
      return result;
    });
    ordered.push(mergeParts(parts, name(i)));
  }
  // The workers are still sending the kept answers of their last pieces: the caller writes the output meanwhile.
  const cacheWritten = (async () => {
    await new Promise<void>((resolve) => {
      savesDone = resolve;
      settleSaves();
    });
    await Promise.all(
      [...live].map(async (slot) => {
        slot.stopped = true;
        await slot.worker.terminate();
      }),
    );
    // A source changed under the run: nothing it found is kept.
    const io = changedSources.size ? undefined : options.cacheIo;
    const problems = io ? stagedChecks.map((staged) => commitCacheFile(staged, 'the checks cache')) : [];
    if (!io) for (const staged of stagedChecks) discardCacheFile(staged);
    if (io) problems.push(writeMergedCache(options.cacheFile, cacheParts.index, io), writeMergedCache(options.checksCacheFile, cacheParts.checks, io));
    return stagingProblem ?? problems.find((problem) => problem !== undefined);
  })();
  return { results: ordered, stats: { workers: plan.workers, groups, checkedBy, started: nextId - 2, prestarted: adoptedPrestarted }, loaded, cacheWritten, phases, changedSources: [...changedSources].sort() };
}

/** One piece's result from the results of its groups. */
function mergeParts(parts: CheckedFile[], name: string): CheckedFile {
  if (parts.length === 1) return parts[0];
  // A half that was stopped, crashed or could not read the file speaks for the piece (its finding is the piece's only one).
  const failed = parts.find((p) => p.stopped) ?? parts.find((p) => p.unreadable || p.notice);
  if (failed) return failed;
  if (parts.some((p) => p.text !== parts[0].text)) {
    const message = `${name} changed while it was being checked; run again`;
    return { text: '', findings: [{ ruleId: 'input/skipped', severity: 'error', message, span: { start: 0, end: 0 } }], notice: message, unreadable: true };
  }
  let timings: Timings | undefined;
  for (const part of parts) if (part.timings) addTimings((timings ??= {}), part.timings);
  // The parts as sent, in group order: the results cache keeps them so, and merges them the same way when it reads them.
  const findingsParts = parts.every((p) => p.findingsParts) ? parts.flatMap((p) => p.findingsParts!) : undefined;
  return { text: parts[0].text, findings: joinFindings(parts.map((p) => p.findings)), unreadable: false, ...(timings ? { timings } : {}), ...(findingsParts ? { findingsParts } : {}) };
}

/**
 * Writes a cache file from what the workers built. Each group's first worker
 * sends the sections of its own products (rule-groups.ts, cacheSectionsOf)
 * when they changed: the index's once the workspace is loaded, the checks'
 * (quotation verdicts) once its pieces are checked. The other sections are
 * the file's, so the new file is the old one's sections with the sent
 * sections laid over them, in the order they came.
 */
function writeMergedCache(file: string | undefined, parts: readonly Uint8Array[], io: NonNullable<PoolOptions['cacheIo']>): string | undefined {
  if (!file || !parts.length) return undefined;
  return io.write(file, mergeCaches([io.read(file), ...parts]));
}
