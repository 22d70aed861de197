/**
 * A CLI worker thread: loads the workspace into its own engine, reports what
 * loading found, then checks the pieces handed to it and those it claims from
 * the shared table until none is left (see pool.ts). It says which piece it
 * starts, so the main thread can time each one.
 */
import fs = require('node:fs');
import { isMainThread, parentPort, receiveMessageOnPort, resourceLimits, workerData, type MessagePort } from 'node:worker_threads';
import { createEngine } from '../engine/index';
import { threadClock, threadCpuMs, warmUp } from '../node/budget';
import { hashLongText, loadConfig, loadSources, SourceChangedError, unpackSources, type KnownSources, type ReadSources, type SharedSources } from '../node/workspace';
import type { DocumentInput } from '../engine/api';
import type { ParsedDocument } from '../engine/markdown';
import { checkFile, readPiece } from './check-file';
import { ParseReceiver, ParseSender } from './parse-handover';
import { checksCacheFile, indexCacheFile, indexCacheSectionNames, readIndexCache, readIndexCacheInParallel, stageCacheFile, type ChecksHalf, type StagedCacheFile } from '../node/index-cache-file';
import { saveCompiledCode } from '../node/code-cache';
import { claimNext, type WorkerInput, type WorkerMessage } from './pool';
import type { PrestartData } from './prestart';
import { addTime, sinceStartMs, type Timings } from './timing';
import { encodeFindings } from './findings-text';
import { decodeKeptParse, encodeKeptParse, PARSE_SECTION } from '../node/kept-parse';
import { decodeCache, encodeCacheParts } from '../engine/index-cache';
import { ENTITIES_SECTION } from '../engine/entities/source-facts';
import { cacheSectionsOf, checkHalvesOf, checkSectionsOf, indexSectionsOf, onDemandSectionsOf, ruleFilter } from './rule-groups';

/** Whether this thread was started as a CLI worker (then it must not run the CLI itself). */
export function isCheckWorker(): boolean {
  return !isMainThread && (workerData as Partial<WorkerInput> | undefined)?.provenanceCheckWorker === true;
}

export async function runCheckWorker(): Promise<void> {
  const port = parentPort!;
  const input = inputOf(workerData as WorkerInput | PrestartData, port);
  if (!input) return;
  const post = (message: WorkerMessage) => port.postMessage(message);
  // Findings kept per block serve the next run only through the checks file: without one, nothing would read them.
  const engine = createEngine({ docsBaseUrl: input.docsBaseUrl, buildId: input.buildId, keepBlockFindings: input.writeChecks, hashLongText });
  const clock = threadClock();
  const cpu = () => (clock !== undefined ? threadCpuMs(clock) : undefined);
  const faults = new Set((process.env.PROVENANCE_TEST_FAULTS ?? '').split(','));
  // Tests prove that a worker's stray output never reaches the report on stdout.
  if (faults.has('worker-stdout')) console.log('stray output from a check worker');
  // Tests read the limits a worker runs under (its nursery is capped: budget.ts CLI_YOUNG_GENERATION_MB).
  if (faults.has('worker-limits')) process.stderr.write(`check worker limits ${JSON.stringify(resourceLimits)}\n`);
  const queue = [...input.assigned];
  const next = () => (queue.length ? queue.shift()! : claimNext(input.table, input.id));
  const rules = ruleFilter(input.group);
  const sections = cacheSectionsOf(input.group);
  const config = loadConfig(engine, input.root, input.configFile);

  // The style half of a split piece parses it and sends the parse to the sources half
  // (parse-handover.ts); its first piece before reading the corpus, so the parse is there when the
  // sources half has built its passage index. Parsing is held to the piece's budget like its check.
  const sender = input.parse && input.group === 'style' ? new ParseSender(input.parse, post) : undefined;
  // `--timing`: the parses made here for the other half, by piece (added to the piece's own steps).
  const parseTimes = new Map<number, number>();
  // The thread that parses a piece (one checking all rules, or the style half) keeps its parse for the next run, in the
  // piece's checks file of the style half (node/kept-parse.ts), and starts from the one kept: an edit of a paragraph
  // re-parses that paragraph.
  const keepsParse = input.writeChecks && input.group !== 'sources';
  const halves = checkHalvesOf(input.group);
  const checksFileOf = (index: number, half: ChecksHalf) => checksCacheFile(input.cacheDir!, input.root, input.documents[index], half);
  /** The pieces this thread parsed, and the parse each started from: its text, and its bytes (written again as they are when the text is the same). */
  const parsedDocs = new Map<number, DocumentInput>();
  const keptParses = new Map<number, { text: string; bytes: Uint8Array }>();
  /** What a check reads of a half's checks file: its answers, and in the style half's the kept parse when the piece is parsed here. */
  const keptSectionsOf = (index: number, half: ChecksHalf) => (half === 'style' && keepsParse && !parsedDocs.has(index) ? [...checkSectionsOf(half), PARSE_SECTION] : checkSectionsOf(half));
  const startFromKeptParse = (index: number, doc: DocumentInput, container: Uint8Array | undefined) => {
    parsedDocs.set(index, doc);
    const section = container && decodeCache(container)?.get(PARSE_SECTION);
    const state = section && decodeKeptParse(section, input.buildId);
    if (!state) return;
    engine.adoptEarlierParse(doc, state);
    keptParses.set(index, { text: state.parsed.text, bytes: section });
  };
  /** The parse to keep of a piece this thread parsed: the one it started from when the text is the same, else the piece's parse now. */
  const parseToKeep = (index: number): { bytes: Uint8Array; changed: boolean } | undefined => {
    const doc = parsedDocs.get(index);
    const kept = keptParses.get(index);
    // A run over many pieces holds no piece's texts past its own check.
    parsedDocs.delete(index);
    keptParses.delete(index);
    const state = doc && engine.parseState(doc);
    if (!state) return undefined;
    if (state.parsed.text === kept?.text) return { bytes: kept.bytes, changed: false };
    return { bytes: encodeKeptParse(state, input.buildId), changed: true };
  };
  /**
   * Writes what the next run over the piece starts from: the file of each half this thread checked, whole (what
   * the check used of its kept answers and added to them; the style half's with the parse). Staged: the main thread
   * puts the files in place once every worker is done, unless a source changed under the run (pool.ts). A file
   * whose answers and parse are as they were is not written again.
   */
  const stageKeptAnswers = (index: number): { staged: StagedCacheFile[]; problem?: string } => {
    const staged: StagedCacheFile[] = [];
    let problem: string | undefined;
    const parse = keepsParse ? parseToKeep(index) : undefined;
    for (const half of halves) {
      const withParse = half === 'style' ? parse : undefined;
      const sections = engine.exportIndexCacheSections(!withParse?.changed, checkSectionsOf(half));
      if (!sections) continue;
      if (withParse) sections.set(PARSE_SECTION, withParse.bytes);
      // Written from its parts: the 2 MB bench piece's files are 12-14 MB, and packing them first copied them whole.
      const written = stageCacheFile(checksFileOf(index, half), encodeCacheParts(sections), 'the checks cache');
      if ('staged' in written) staged.push(written);
      else problem ??= written.problem;
    }
    return { staged, problem };
  };
  const parseAndSend = (index: number) => {
    // Tests prove the style half keeps the piece's parse also when the sources half got to it first (no handover).
    if (faults.has('no-parse-handover') || !sender?.begin(index)) return;
    const started = sinceStartMs();
    const piece = readPiece(engine, input.documents[index], input.root);
    if ('doc' in piece && !hangs(faults, piece.doc.text)) {
      if (keepsParse) startFromKeptParse(index, piece.doc, readIndexCache(checksFileOf(index, 'style'), [PARSE_SECTION]));
      // Started from the parse the last run kept: the sources half starts from it too (cheaper than the handover,
      // and it then carries over what it kept of the earlier text, kept-text-state.ts), so none is sent.
      if (keptParses.has(index)) sender.abandon(index);
      else sender.send(index, engine.parsed(piece.doc));
    } else sender.abandon(index);
    if (input.timing) parseTimes.set(index, sinceStartMs() - started);
  };
  let first = -1;
  if (sender) {
    first = next();
    if (first >= 0) {
      post({ type: 'started', index: first, cpu: cpu() });
      parseAndSend(first);
      post({ type: 'idle' });
    }
  }
  const receiver = input.parse && input.group === 'sources' ? new ParseReceiver(input.parse, port) : undefined;

  // The main thread writes the cache once, from what every group built (pool.ts).
  // Each group reads and writes only its own products' sections (rule-groups.ts).
  const sources = input.sources;
  const readAhead = sources ? () => receiveSources(sources) : undefined;
  const checkSections = checkSectionsOf(input.group);
  // The kept answers are kept per piece (checksCacheFile): what the load and the warm-up use goes to the
  // workspace's file, each piece's to its own, so a run reads the answers of the pieces it checks, not the archive's.
  engine.beginAnswerScope();
  // The index cache is read by positioned reads on libuv's threads at once: copying it into fresh pages is
  // most of reading it (page faults), and the main thread is mostly idle by now, so the other core helps.
  const loadStarted = sinceStartMs();
  const indexFile = input.cacheDir ? indexCacheFile(input.cacheDir, input.root) : undefined;
  // The large indexes are read when a check first asks for them, the rest now.
  const onDemand = onDemandSectionsOf(input.group);
  const readNow = (sections ?? indexSectionsOf(input.group)).filter((section) => !onDemand.includes(section));
  // The entity knowledge's section (8.6 MB for the 2,095 BBC articles) is read on libuv's threads while this thread
  // sets the sources, which do not need it, and imported before anything can ask for the knowledge (below). It is
  // asked for once the sections the load needs are in: queued first, its reads held theirs up.
  const readWhileLoading: string[] = indexFile && readNow.length > 1 ? readNow.filter((section) => section === ENTITIES_SECTION) : [];
  const readFirst = readNow.filter((section) => !readWhileLoading.includes(section));
  const cacheBytes = indexFile ? await readIndexCacheInParallel(indexFile, readFirst) : undefined;
  // The first piece is claimed now, so that its kept answers are read on libuv's threads too while the sources are set.
  if (first < 0 && input.writeChecks) first = next();
  const firstKept = first >= 0 && input.writeChecks ? { index: first, bytes: Promise.all(halves.map((half) => readIndexCacheInParallel(checksFileOf(first, half), keptSectionsOf(first, half)))) } : undefined;
  const entitiesBytes = readWhileLoading.length ? readIndexCacheInParallel(indexFile!, readWhileLoading) : undefined;
  if (indexFile && onDemand.length) engine.importIndexCacheOnDemand(onDemand, () => readIndexCache(indexFile, onDemand));
  const onSourceChanged = (file: string) => post({ type: 'sourceChanged', file });
  // `--timing`: the source files this thread read (the others were set from the cache, engine/corpus.ts), since the last report.
  let sourcesRead = 0;
  const onSourceRead = () => sourcesRead++;
  const readCount = (): Timings => {
    const count = sourcesRead;
    sourcesRead = 0;
    return { sourcesRead: count };
  };
  const loaded = loadSources(engine, config, { cacheDir: input.cacheDir, writeCache: false, cacheSections: readFirst, checkSections, readAhead, cacheBytes, onSourceChanged, onSourceRead });
  const lateBytes = await entitiesBytes;
  if (lateBytes) engine.importIndexCache(lateBytes);
  const phases: Timings = { load: sinceStartMs() - loadStarted };
  post({ type: 'loaded', notices: loaded.notices, fileFindings: [...loaded.fileFindings], clock });
  // Tests prove the pieces of a worker that died are checked all the same.
  if (faults.has('cli-worker')) {
    if (first < 0) next();
    throw new Error('injected test fault in cli-worker (PROVENANCE_TEST_FAULTS)');
  }
  // Index building is the workspace's cost, not the first piece's: keep it off that piece's clock.
  // Only this group's rules run, so only the corpus products they need are built. But when every source was
  // set from the cache and the cache holds every product of this group, there is nothing to build: each product
  // is restored (~10-50 ms each) when a check first asks for it, and one a check never asks for is never restored.
  const held = indexFile && loaded.sourcesFromCache ? indexCacheSectionNames(indexFile) : undefined;
  const restoredOnly = held !== undefined && indexSectionsOf(input.group).every((section) => held.includes(section));
  const warmUpStarted = sinceStartMs();
  try {
    if (!restoredOnly) warmUp(engine, rules);
  } catch (err) {
    // A source that changed since its key was made: each piece that needs it says so (check-file.ts); the warm-up is only a head start.
    if (!(err instanceof SourceChangedError)) throw err;
  }
  if (input.timing) post({ type: 'phases', timings: { ...phases, warmUp: sinceStartMs() - warmUpStarted, ...readCount() } });
  const sendCache = (file: 'index' | 'checks', only: readonly string[]) => {
    const bytes = only.length ? engine.exportIndexCache(true, only) : undefined;
    if (bytes) port.postMessage({ type: 'cache', file, bytes } satisfies WorkerMessage, wholeBuffer(bytes));
  };
  // After the warm-up, so the products built lazily are in it too; the workspace's files are written by one worker per group.
  // Restored only, the products are those the file holds: nothing to write.
  if (input.writeCache && !restoredOnly) {
    sendCache('index', indexSectionsOf(input.group));
    sendCache('checks', checkSections);
  }
  /** A piece's kept answers, as each half's checks file holds them: read ahead for the first piece, else now. */
  const keptAnswersOf = async (index: number): Promise<Array<Uint8Array | undefined>> => {
    if (!input.writeChecks) return [];
    if (firstKept?.index === index) return firstKept.bytes;
    return halves.map((half) => readIndexCache(checksFileOf(index, half), keptSectionsOf(index, half)));
  };
  const check = (index: number, keptAnswers: ReadonlyArray<Uint8Array | undefined>) => {
    post({ type: 'started', index, cpu: cpu() });
    // Tests prove that a piece whose analysis never ends is stopped at its budget, and that a worker
    // dying under a piece (as out of memory would) costs that piece only.
    if (faults.has('check-hang') || faults.has('check-crash')) {
      const text = fs.readFileSync(input.documents[index], 'utf8');
      if (hangs(faults, text)) for (;;) Atomics.load(input.table, 0);
      if (faults.has('check-crash') && text.includes('provenance-test-crash')) process.exit(70);
    }
    if (index !== first) parseAndSend(index);
    // This piece's kept answers, read for it alone; what the check uses of them (and adds) is written after it.
    engine.beginAnswerScope();
    // One thread checking all rules parses here, from the parse kept in the style half's file; so does the style half
    // when it did not in `parseAndSend` (the sources half got to the piece first and parses it itself).
    const parsesHere = keepsParse && !parsedDocs.has(index);
    let kept: Uint8Array | undefined;
    keptAnswers.forEach((bytes, i) => {
      if (bytes) engine.importIndexCache(bytes);
      if (halves[i] === 'style') kept = bytes;
    });
    const adopt = receiver
      ? (doc: DocumentInput) => {
          // The parse the last run kept, when there is one, is a cheaper start than the style half's parse,
          // unless that is here already (parse-handover.ts): it is used as the style half uses it.
          const keptParse = input.writeChecks && !receiver.sent(index) ? readIndexCache(checksFileOf(index, 'style'), [PARSE_SECTION]) : undefined;
          const section = keptParse && decodeCache(keptParse)?.get(PARSE_SECTION);
          const state = section && receiver.claim(index) ? decodeKeptParse(section, input.buildId) : undefined;
          if (state) {
            engine.adoptEarlierParse(doc, state);
            return;
          }
          const parsed = receiver.take(index) as ParsedDocument | undefined;
          if (parsed) engine.adoptParse(doc, parsed);
        }
      : parsesHere
        ? (doc: DocumentInput) => {
            const started = sinceStartMs();
            startFromKeptParse(index, doc, kept);
            if (input.timing) parseTimes.set(index, sinceStartMs() - started);
          }
        : undefined;
    // The findings made so far go to the main thread while the check goes on (most are kept ones, passed on as the
    // cache file had them), so it reads them meanwhile instead of all at the end.
    const sendPart = (json: Uint8Array) => port.postMessage({ type: 'findings', index, findings: json } satisfies WorkerMessage, wholeBuffer(json));
    const result = checkFile(engine, input.documents[index], input.root, rules, adopt, input.timing, { sendPart });
    const parsedHere = parseTimes.get(index);
    if (result.timings && parsedHere !== undefined) addTime(result.timings, 'parse', parsedHere);
    return result;
  };
  for (let index = first >= 0 ? first : next(); index >= 0; ) {
    const result = check(index, await keptAnswersOf(index));
    if (input.timing) post({ type: 'phases', timings: readCount() });
    const following = next();
    // The first run of a build: the code this thread compiled, for the next run's workers (node/code-cache.ts).
    if (following < 0) saveCompiledCode();
    const { findings, findingsJson, ...checked } = result;
    const findingsBytes = findingsJson ?? encodeFindings(findings);
    port.postMessage({ type: 'result', index, result: checked, findings: findingsBytes } satisfies WorkerMessage, wholeBuffer(findingsBytes));
    // What the check added to its piece's answers (quotation verdicts and the like), for the next run over it:
    // written after the result is sent, so the main thread writes the output meanwhile. It stops the workers once
    // each has said `saved` for every result it sent.
    if (input.writeChecks) post({ type: 'saved', index, ...stageKeptAnswers(index) });
    index = following;
  }
}

/**
 * The input of this worker: its workerData, or, for a worker started before
 * the pool knew its work (prestart.ts), the first message once the
 * main thread says it is there; undefined when it is not needed.
 */
function inputOf(data: WorkerInput | PrestartData, port: MessagePort): WorkerInput | undefined {
  if (!('prestarted' in data)) return data;
  Atomics.wait(data.prestarted, 0, 0);
  if (Atomics.load(data.prestarted, 0) !== 1) return undefined;
  return receiveMessageOnPort(port)?.message as WorkerInput | undefined;
}

/** How long a worker waits for the sources the main thread reads for it before reading them itself. */
const SOURCES_WAIT_MS = 10_000;

/**
 * The sources the main thread read for this worker (pool.ts), or listed with
 * the keys it knew them by; undefined when it did neither (the worker then
 * reads them itself).
 */
function receiveSources({ port, ready }: NonNullable<WorkerInput['sources']>): ReadSources | KnownSources | undefined {
  Atomics.wait(ready, 0, 0, SOURCES_WAIT_MS);
  const received = receiveMessageOnPort(port)?.message as SharedSources | KnownSources | undefined;
  port.close();
  if (!received || 'keys' in received) return received;
  return unpackSources(received);
}

/** The check-hang test fault: a piece holding the marker never finishes. */
function hangs(faults: Set<string>, text: string): boolean {
  return faults.has('check-hang') && text.includes('provenance-test-hang');
}

if (isCheckWorker()) void runCheckWorker();

/** The buffer to transfer with a message: the bytes' own, when they fill it (else they are copied). */
function wholeBuffer(bytes: Uint8Array): ArrayBuffer[] {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : [];
}
