/**
 * `provenance check [paths…] [--format stylish|json|sarif|github] [--config FILE] [--max-warnings N]`
 * as a library function: arguments and streams in, exit code out
 * (0 no error-severity finding, 1 at least one, 2 usage error, unreadable
 * input, or a piece whose analysis was stopped by its time budget).
 */
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');
import { createEngine } from '../engine/index';
import { findConfigFile, hashLongText, listDocuments, listFiles, loadConfig, loadSources, readSources, readTextFile, relativePath } from '../node/workspace';
import { formatters, type FileReport, type FormatName } from './formatters';
import { docsBaseUrl, packageVersion, webDocsBaseUrl } from '../node/install';
import { checkFile } from './check-file';
import { checkAll, planPool, prestartWorker, type PoolStats } from './pool';
import { cancelPrestarted, takePrestarted } from './prestart';
import { ruleFilter } from './rule-groups';
import { checksCacheFile, indexCacheFile, pieceCacheFiles, readIndexCache, writeIndexCache } from '../node/index-cache-file';
import { DEFAULT_TIME_BUDGET_MS } from '../node/budget';
import { chooseCacheDir, pruneStaleCaches } from '../node/cache-dir';
import { ResultsCache, resultsCacheFile } from './results-cache';
import { codeFingerprint } from '../node/build-id';
import { addTimings, formatTiming, sinceStartMs, type Timings } from './timing';

export interface CliIo {
  argv: string[];
  cwd: string;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Environment variables (PROVENANCE_CACHE_DIR, XDG_CACHE_HOME…); the process's when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Told how the pieces were spread over threads (tests). */
  onPoolStats?: (stats: PoolStats) => void;
  /** Called once the sources are listed or read for the workers (tests change a source there, as a race would). */
  onSourcesListed?: () => void;
}

interface CheckOptions {
  paths: string[];
  format: FormatName;
  config?: string;
  maxWarnings?: number;
  /** Threads to check with, main thread included; undefined = as many as help. */
  jobs?: number;
  /** Folder of the persisted index and results caches; false = `--no-cache`; undefined = the default (node/cache-dir.ts). */
  cache?: string | false;
  /** `--no-results-cache`: check every piece, even one whose findings are cached (the index cache is still used). */
  recheck: boolean;
  /** Time budget per piece (ms); 0 = none. */
  timeBudgetMs: number;
  quiet: boolean;
  /** `--timing`: print where the run's time went to stderr. */
  timing: boolean;
}

const USAGE = `Usage: provenance check [paths…] [options]

Checks Markdown pieces against their source articles: quotations, citations,
claims and house style. Paths are files, folders or globs; none = the config's
"documents".

Options:
  --format <name>      stylish (default), json, sarif, github
  --config <file>      use this config instead of the nearest .provenance.yml
  --max-warnings <n>   exit 1 when there are more than n warnings
  --cache <dir>        keep the source index and each piece's findings in
                       this folder: a later run re-indexes only sources whose
                       text changed, and re-checks only pieces whose text,
                       config, registry or sources changed (default:
                       $PROVENANCE_CACHE_DIR, else node_modules/.cache/provenance
                       above the workspace, else the user's cache folder)
  --no-cache           neither read nor write either cache
  --no-results-cache   check every piece again (the index cache is still used)
  --jobs <n>           check on n threads (default: one per core when there
                       is enough text to be worth it, else one); on two or
                       more, each piece's rules are split in two halves, so
                       each thread builds only the indexes its half needs
  --time-budget <s>    stop analysing a piece after s seconds per 256 KB of it
                       (default 2; at most 8 × s) and report it as
                       input/skipped, exit 2; 0 = no limit
  --quiet              report errors only
  --timing             print to stderr how long each rule, the parse and
                       each phase of the run took (milliseconds)
  -h, --help           show this help
  -v, --version        print the version

Exit codes: 0 no error, 1 errors found (or too many warnings), 2 usage error,
unreadable input, or a piece whose analysis was stopped (time budget, crash).
`;

class UsageError extends Error {}

function parseArgs(argv: string[]): CheckOptions | 'help' | 'version' {
  const args = [...argv];
  if (!args.length || args[0] === '-h' || args[0] === '--help' || args[0] === 'help') return 'help';
  if (args[0] === '-v' || args[0] === '--version') return 'version';
  const command = args.shift();
  if (command !== 'check') throw new UsageError(`unknown command "${command}"`);
  const options: CheckOptions = { paths: [], format: 'stylish', quiet: false, recheck: false, timeBudgetMs: DEFAULT_TIME_BUDGET_MS, timing: false };
  while (args.length) {
    const arg = args.shift()!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? args.shift();
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--format': {
        const format = value();
        if (!(format in formatters)) throw new UsageError(`unknown format "${format}" (stylish, json, sarif, github)`);
        options.format = format as FormatName;
        break;
      }
      case '--config':
        options.config = value();
        break;
      case '--max-warnings': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0) throw new UsageError('--max-warnings needs a whole number ≥ 0');
        options.maxWarnings = n;
        break;
      }
      case '--cache':
        options.cache = value();
        break;
      case '--no-cache':
        options.cache = false;
        break;
      case '--no-results-cache':
        options.recheck = true;
        break;
      case '--jobs': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new UsageError('--jobs needs a whole number ≥ 1');
        options.jobs = n;
        break;
      }
      case '--time-budget': {
        const seconds = Number(value());
        if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError('--time-budget needs a number of seconds ≥ 0');
        options.timeBudgetMs = Math.round(seconds * 1000);
        break;
      }
      case '--quiet':
        options.quiet = true;
        break;
      case '--timing':
        options.timing = true;
        break;
      case '-h':
      case '--help':
        return 'help';
      default:
        if (flag.startsWith('-')) throw new UsageError(`unknown option "${flag}"`);
        options.paths.push(arg);
    }
  }
  return options;
}

export async function runCli(io: CliIo): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(io.argv);
  } catch (err) {
    io.stderr.write(`provenance: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (options === 'version') {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  return check(options, io);
}

async function check(options: CheckOptions, io: CliIo): Promise<number> {
  // Milliseconds since the process started, for `--timing`.
  const startUp = sinceStartMs();
  let readSourcesMs: number | undefined;
  let sourcesListed: number | undefined;
  let exit = 0;
  const configFile = options.config ? path.resolve(io.cwd, options.config) : findConfigFile(io.cwd);
  if (configFile && !fs.existsSync(configFile)) {
    io.stderr.write(`provenance: config file ${options.config} not found\n`);
    return 2;
  }
  const root = configFile ? path.dirname(configFile) : io.cwd;
  const docs = docsBaseUrl();
  const cache = chooseCacheDir(options.cache, { root, cwd: io.cwd, env: io.env ?? process.env, platform: process.platform, homedir: os.homedir() });
  const cacheDir = cache.dir;
  // The same build id as the workers': what any engine here writes to the cache is stamped as theirs.
  const buildId = cacheDir ? codeFingerprint() : undefined;
  const engine = createEngine({ docsBaseUrl: docs, buildId, hashLongText });
  // The config alone says which pieces to check; workers start on them while the sources load here.
  const config = loadConfig(engine, root, configFile);

  let documents: string[];
  try {
    documents = options.paths.length ? expandPaths(options.paths, io.cwd, engine.files().documents) : listDocuments(engine, root);
  } catch (err) {
    io.stderr.write(`provenance: ${(err as Error).message}\n`);
    return 2;
  }

  // Pieces are checked in workers (they can be stopped); the first to load the workspace reports its problems.
  let workspace: typeof config | undefined;
  const cacheFile = cacheDir ? indexCacheFile(cacheDir, root) : undefined;
  // Pieces whose findings were recorded for their present text and the present inputs are not checked again.
  const resultsFile = cacheDir && !options.recheck ? resultsCacheFile(cacheDir, root) : undefined;
  const peeked = resultsFile ? ResultsCache.peek(resultsFile, documents, engine.files().maxFileSize) : undefined;
  const warmIndex = cacheFile !== undefined && fs.existsSync(cacheFile);
  // With the index cache there, a piece that will be checked gets its worker now, loading while this thread
  // looks at the ~2,000 inputs the findings depend on (~0.05-0.1 s of a small warm run); not when every piece
  // may come from the results cache, and not cold, where 200 KB pieces took ~4% longer with it (measured).
  const prestarted = documents.length && warmIndex && !peeked?.allRecorded ? prestartWorker() : undefined;
  // The launcher's worker (prestart.ts), when this run has no use for it.
  cancelPrestarted(takePrestarted());
  let resultsCache: ResultsCache | undefined;
  const openResultsCache = () => (resultsCache ??= resultsFile && cacheDir ? ResultsCache.open(cacheDir, { root, configFile: config.configFile, engine, docsBaseUrl: docs }, undefined, peeked) : undefined);
  // When no piece has findings recorded for its present text, every piece is checked whatever the inputs: the pool
  // starts at once, and the results cache looks at the ~2,000 inputs (~0.05-0.09 s) when the workers ask for the
  // sources' keys, while its first worker creates its engine and reads the index cache.
  const reused = peeked?.noneRecorded ? documents.map(() => undefined) : documents.map((file) => openResultsCache()?.reuse(file, engine.files().maxFileSize));
  // The sources' stats as the read-ahead opened them, or as the results cache made their keys from them (a worker that reads
  // such a source checks its key instead): the results cache checks with them that none changed after its key was made.
  const readStats = new Map<string, fs.Stats>();
  const pending = documents.filter((_, i) => !reused[i]);
  const pool = pending.length
    ? await checkAll(pending, planPool(pending, options.jobs, () => listFiles(root, engine.files().sources), warmIndex), { root, configFile: config.configFile, docsBaseUrl: docs, cacheDir, buildId, timing: options.timing }, {
        budgetMs: options.timeBudgetMs,
        cwd: io.cwd,
        fallback: {
          prepare: () => (workspace = loadSources(engine, config, { cacheDir, writeCache: false })),
          check: (file, group) => checkFile(engine, file, root, ruleFilter(group), undefined, options.timing),
        },
        cacheFile,
        checksCacheFile: cacheDir ? checksCacheFile(cacheDir, root) : undefined,
        cacheIo: { read: readIndexCache, write: writeIndexCache },
        readAhead: () => {
          const started = sinceStartMs();
          // The results cache knows each unchanged source's key from its stamp: the workers then read only the sources a check needs.
          const known = openResultsCache()?.knownSources();
          if (known) for (const [file, stat] of known.stats) readStats.set(file, stat);
          const read = known?.known ?? readSources(engine, root, (file, stat) => readStats.set(file, stat));
          readSourcesMs = sinceStartMs() - started;
          // Counted only when the workers set the sources from their keys (else this thread read every one).
          if (known) sourcesListed = read.files.length;
          io.onSourcesListed?.();
          return read;
        },
        prestarted,
      })
    : NOTHING_CHECKED;
  cancelPrestarted(prestarted);
  // Opened by now unless no worker asked for the sources (they could not be started): the findings are kept all the same.
  openResultsCache();
  io.onPoolStats?.(pool.stats);
  const checked = pool.results.values();
  const results = reused.map((hit, i) => {
    if (hit) return hit;
    const result = checked.next().value!;
    resultsCache?.record(documents[i], result);
    return result;
  });
  let loaded = pool.loaded;
  if (loaded) resultsCache?.recordLoad(loaded);
  else loaded = resultsCache?.loadReport();
  // A source that changed while the workers read it: what they found may be from either version, so nothing of it is kept.
  if (pool.changedSources.length) io.stderr.write(`provenance: ${describeChanged(pool.changedSources.map((file) => relativePath(io.cwd, file)))} changed during this run; no cache was written (run again to check against the present text)\n`);
  const reportCacheProblem = (notice: string | undefined) => {
    if (notice !== undefined) io.stderr.write(`provenance: ${notice}${cache.origin === 'option' ? '' : ` (a default location, from ${cache.origin}: --cache <dir> to choose one, --no-cache for none)`}\n`);
  };
  if (!pool.changedSources.length) reportCacheProblem(resultsCache?.save(readStats));
  // Files in use are marked used, and what no run used for a month goes: in the user's cache folder, shared by every
  // workspace ever checked, any workspace's files; in a folder of this workspace's own (--cache, node_modules/.cache),
  // the kept answers of pieces no run checked since (a piece renamed or deleted leaves its file behind).
  if (cacheDir && cacheFile) {
    // A piece's findings are used as long as it is reported unchanged; its kept answers only when it is checked.
    const used = [...pending.flatMap((piece) => [checksCacheFile(cacheDir, root, piece, 'style'), checksCacheFile(cacheDir, root, piece, 'sources')]), ...(resultsCache?.pieceFiles(documents) ?? [])];
    if (cache.origin === 'user') pruneStaleCaches(cacheDir, [cacheFile, checksCacheFile(cacheDir, root), resultsCacheFile(cacheDir, root), ...used]);
    else pruneStaleCaches(cacheDir, used, Date.now(), pieceCacheFiles(root));
  }
  workspace ??= loaded ? { ...config, notices: loaded.notices, fileFindings: new Map(loaded.fileFindings) } : loadSources(engine, config, { cacheDir });
  for (const notice of workspace.notices) io.stderr.write(`provenance: ${notice}\n`);

  const reports: FileReport[] = [];
  const display = (file: string) => relativePath(io.cwd, file);
  // Problems in the config or sources themselves come first; a broken config is a usage error (2).
  for (const [file, findings] of workspace.fileFindings) {
    const read = readTextFile(file, 8 * 1024 * 1024);
    reports.push({ path: display(file), text: read.ok ? read.text : '', findings });
    if (findings.some((f) => f.ruleId === 'config/invalid' && f.severity === 'error')) exit = 2;
  }
  if (!documents.length) io.stderr.write('provenance: no Markdown pieces to check\n');
  documents.forEach((file, i) => {
    const result = results[i];
    if (result.notice) io.stderr.write(`provenance: ${result.notice}\n`);
    if (result.unreadable || result.stopped) exit = 2;
    reports.push({ path: display(file), text: result.text, findings: result.findings });
  });

  const filtered = options.quiet ? reports.map((r) => ({ ...r, findings: r.findings.filter((f) => f.severity === 'error') })) : reports;
  const web = webDocsBaseUrl();
  io.stdout.write(
    formatters[options.format](filtered, {
      ruleDocsUrl: (id) => engine.ruleDocsUrl(id),
      webDocsUrl: (id) => (id ? `${web}${id}.md` : web),
      informationUri: web.replace(/\/blob\/main\/docs\/rules\/$/, ''),
      version: packageVersion(),
    }),
  );

  // The workers' kept answers and corpus products, written once they are all in (pool.ts).
  reportCacheProblem(await pool.cacheWritten);

  if (options.timing) {
    const steps: Timings = {};
    for (const result of pool.results) addTimings(steps, result.timings);
    const pieces = pending.map((file, i): [string, number] => [display(file), Object.values(pool.results[i]?.timings ?? {}).reduce((a, b) => a + b, 0)]);
    const phases = { startUp, readSources: readSourcesMs, load: pool.phases.load, warmUp: pool.phases.warmUp, total: sinceStartMs(), sourcesRead: pool.phases.sourcesRead, sources: sourcesListed };
    io.stderr.write(formatTiming({ steps, phases, checked: pending.length, reused: documents.length - pending.length, pieces }));
  }

  const all = reports.flatMap((r) => r.findings);
  if (exit === 0 && all.some((f) => f.severity === 'error')) exit = 1;
  const warnings = all.filter((f) => f.severity === 'warning').length;
  if (exit === 0 && options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    io.stderr.write(`provenance: ${warnings} warnings, more than --max-warnings ${options.maxWarnings}\n`);
    exit = 1;
  }
  return exit;
}

/** The pool's answer when every piece's findings came from the results cache: no thread was started. */
const NOTHING_CHECKED: Awaited<ReturnType<typeof checkAll>> = { results: [], stats: { workers: 0, groups: ['all'], checkedBy: [0], started: 0, prestarted: false }, cacheWritten: Promise.resolve(undefined), phases: {}, changedSources: [] };

/** "sources/a.txt", "sources/a.txt and 2 other sources". */
function describeChanged(files: readonly string[]): string {
  return files.length === 1 ? files[0] : `${files[0]} and ${files.length - 1} other source${files.length > 2 ? 's' : ''}`;
}

/** Files, folders (their Markdown files) and globs, relative to cwd. */
function expandPaths(paths: string[], cwd: string, documentGlobs: string[]): string[] {
  const files = new Set<string>();
  for (const p of paths) {
    const absolute = path.resolve(cwd, p);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(absolute);
    } catch {
      stat = undefined;
    }
    if (stat?.isFile()) files.add(absolute);
    else if (stat?.isDirectory()) for (const f of listFiles(absolute, documentGlobs)) files.add(f);
    else if (/[*?{[]/.test(p)) for (const f of listFiles(cwd, [p])) files.add(f);
    else throw new Error(`${p}: no such file or folder`);
  }
  return [...files].sort();
}
