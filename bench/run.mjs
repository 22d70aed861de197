#!/usr/bin/env node
/**
 * `npm run bench`: Provenance's speed, each figure next to a baseline measured
 * in the same run (absolute times on a shared machine drift by tens of per
 * cent between runs; ratios within one run do not).
 *
 * 1. CLI, whole process: `provenance check` on 2 KB / 200 KB / 2 MB pieces
 *    against the seed article and against all 2,095 BBC articles, next to
 *    `node -e 0` and markdownlint-cli2 (default rules) on the same piece;
 *    with the 2,095 articles cold (`--no-cache`) and with a warm `--cache`
 *    folder (as CI keeps it between runs): the piece changed since the last
 *    run (a line added or taken away: checked with the indexes and the
 *    verdicts of its unchanged quotations read from the cache), and nothing
 *    changed (its findings read from the results cache); each as a ratio to
 *    markdownlint-cli2 in the same rounds; and runs over ten pieces (the
 *    200 KB piece cut in ten): cold, warm with every piece checked, and warm
 *    with one piece changed since the last run (a different one each round).
 *    Runs are interleaved round by round; medians are reported.
 * 2. Index: cold build time and added memory for the 2,095 articles and for a
 *    generated 10× corpus (each in a fresh process, baseline: a whitespace
 *    split of the same texts), lookup time per quotation, warm start from the
 *    persisted cache.
 * 3. Server over stdio: didChange → diagnostics p50/p99 on the 200 KB piece
 *    (debounce excluded), hover and completion p50/p99 after a warm-up of
 *    unmeasured requests (baseline: the round trip of a request the server
 *    answers without work; the first hovers of the process are shown apart),
 *    a hover sent right after a burst of edits that followed a pause, peak RSS.
 *
 * Results go to bench/results/<date>-<machine>.{md,json}.
 *
 * Options: --quick (fewer repetitions, no 2 MB pieces, no 10× corpus),
 *          --only=cli,index,server   --no-write   --reps=N
 *          --render=<results.json> (write that run's report again from its figures)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { ensureManyPieces, generateAll, PIECE_SIZES, REPO_ROOT, WORK } from './generate-pieces.mjs';
import { machineInfo, machineLabel } from './lib/machine.mjs';
import { timeNode, outputOf } from './lib/process.mjs';
import { serverLatency, serverReopen } from './lib/lsp-bench.mjs';
import { median, percentile, seconds, millis, mib, ratio, fmtRatio } from './lib/stats.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = !args.includes('--no-write');
const only = new Set((args.find((a) => a.startsWith('--only='))?.slice(7) ?? 'cli,index,server').split(','));
const repsArg = Number(args.find((a) => a.startsWith('--reps='))?.slice(7));

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const SERVER = path.join(REPO_ROOT, 'dist', 'server.js');
const MARKDOWNLINT = path.join(REPO_ROOT, 'node_modules', 'markdownlint-cli2', 'markdownlint-cli2-bin.mjs');
const PROBE = path.join(WORK, 'index-probe.cjs');
/** The CLI stops a piece after 2 s of CPU per 256 KB by default (pathological input); the benchmark measures the whole check, however long. */
const NO_BUDGET = ['--time-budget', '0'];
// The cold rows must stay cold: the CLI caches the index by default (node/cache-dir.ts).
const COLD = ['--no-cache', ...NO_BUDGET];
/** Every piece checked again, with the index (and the quotation verdicts) read from the cache. */
const RECHECK = ['--no-results-cache'];

const log = (message) => process.stderr.write(message + '\n');

function debounceMs() {
  const source = fs.readFileSync(path.join(REPO_ROOT, 'server', 'src', 'lsp', 'diagnostics.ts'), 'utf8');
  const match = /export const DEBOUNCE_MS = (\d+)/.exec(source);
  if (!match) throw new Error('DEBOUNCE_MS not found in server/src/lsp/diagnostics.ts');
  return Number(match[1]);
}

/**
 * Pins each workspace's config so a config further up never changes what is
 * measured; default rules. The size cap (1 MB by default) is raised so the
 * 2 MB piece is checked, not skipped.
 */
function writeConfig(root) {
  fs.writeFileSync(path.join(root, '.provenance.yml'), 'sources:\n  - "sources/**/*.{md,txt}"\ndocuments:\n  - "pieces/**/*.md"\nmaxFileSize: 8388608\n');
}

// ── 1. CLI ──────────────────────────────────────────────────────────────────

function runCliBench(workspaces) {
  const sizes = quick ? PIECE_SIZES.filter((s) => s.name !== '2mb') : PIECE_SIZES;
  const rows = [];
  for (const size of sizes) {
    const reps = repsArg || (quick ? 3 : size.name === '2mb' ? 5 : 7);
    const samples = {};
    const add = (key, run) => {
      if (run.status !== 0 && run.status !== 1) throw new Error(`${key} exited ${run.status}: ${run.stderr}`);
      (samples[key] ??= []).push(run);
    };
    // The warm-cache variant reads the index persisted by a priming run (CI keeps the folder between runs).
    const cacheDir = path.join(WORK, 'cli-cache');
    fs.rmSync(cacheDir, { recursive: true, force: true });
    timeNode([CLI, 'check', path.relative(workspaces.bbc.root, workspaces.bbc.pieces[size.name]), '--cache', cacheDir, ...NO_BUDGET], workspaces.bbc.root);
    for (let round = 0; round < reps; round++) {
      add('baseline', timeNode(['-e', '0'], REPO_ROOT));
      // The piece changed since the last run (a line added or taken away again), then nothing changed.
      toggleLastLine(workspaces.bbc.pieces[size.name]);
      add('provenance-warm/bbc', timeNode([CLI, 'check', path.relative(workspaces.bbc.root, workspaces.bbc.pieces[size.name]), '--cache', cacheDir, ...NO_BUDGET], workspaces.bbc.root));
      add('provenance-unchanged/bbc', timeNode([CLI, 'check', path.relative(workspaces.bbc.root, workspaces.bbc.pieces[size.name]), '--cache', cacheDir, ...NO_BUDGET], workspaces.bbc.root));
      for (const ws of ['seed', 'bbc']) {
        const { root, pieces } = workspaces[ws];
        const piece = path.relative(root, pieces[size.name]);
        // Alternate which tool goes first so neither always gets the warmer file cache.
        const order = round % 2 === 0 ? ['markdownlint', 'provenance'] : ['provenance', 'markdownlint'];
        for (const tool of order) {
          if (tool === 'markdownlint') add(`markdownlint/${ws}`, timeNode([MARKDOWNLINT, piece], root));
          else add(`provenance/${ws}`, timeNode([CLI, 'check', piece, ...COLD], root));
        }
      }
      log(`  cli ${size.name}: round ${round + 1}/${reps}`);
    }
    // Where the time goes (`--timing`), one untimed run each: warm with a line changed, and cold.
    toggleLastLine(workspaces.bbc.pieces[size.name]);
    const timing = {
      warm: timingOf(workspaces.bbc.root, workspaces.bbc.pieces[size.name], ['--cache', cacheDir, ...NO_BUDGET]),
      cold: timingOf(workspaces.bbc.root, workspaces.bbc.pieces[size.name], COLD),
    };
    for (const file of [...toggled]) toggleLastLine(file);
    const summary = (key) => ({ ms: median(samples[key].map((r) => r.ms)), rssBytes: median(samples[key].map((r) => r.rssBytes)), runs: samples[key].length });
    const baseline = summary('baseline');
    const warm = summary('provenance-warm/bbc');
    const unchanged = summary('provenance-unchanged/bbc');
    for (const ws of ['seed', 'bbc']) {
      const provenance = summary(`provenance/${ws}`);
      const markdownlint = summary(`markdownlint/${ws}`);
      const piece = workspaces[ws].pieces[size.name];
      rows.push({
        size: size.name,
        pieceBytes: fs.statSync(piece).size,
        corpus: ws,
        sources: workspaces[ws].sources,
        baseline,
        provenance,
        markdownlint,
        vsMarkdownlint: ratio(provenance.ms, markdownlint.ms),
        vsBaseline: ratio(provenance.ms, baseline.ms),
        markdownlintVsBaseline: ratio(markdownlint.ms, baseline.ms),
        ...(ws === 'bbc' ? { timing, warmCache: warm, warmVsMarkdownlint: ratio(warm.ms, markdownlint.ms), unchanged, unchangedVsMarkdownlint: ratio(unchanged.ms, markdownlint.ms) } : {}),
        findings: findingsOf(workspaces[ws].root, piece),
      });
    }
  }
  rows.push(runManyBench(workspaces.bbc));
  return rows;
}

/** Ten pieces in one invocation (the 200 KB piece cut at paragraph breaks): the pieces are spread over the cores. */
function runManyBench(ws) {
  const files = ensureManyPieces(ws.root, ws.pieces['200kb']);
  const glob = 'many/*.md';
  const reps = repsArg || (quick ? 3 : 5);
  const cacheDir = path.join(WORK, 'cli-cache-many');
  fs.rmSync(cacheDir, { recursive: true, force: true });
  timeNode([CLI, 'check', glob, '--cache', cacheDir, ...NO_BUDGET], ws.root);
  const samples = {};
  const add = (key, run) => {
    if (run.status !== 0 && run.status !== 1) throw new Error(`${key} exited ${run.status}: ${run.stderr}`);
    (samples[key] ??= []).push(run);
  };
  for (let round = 0; round < reps; round++) {
    add('baseline', timeNode(['-e', '0'], REPO_ROOT));
    const order = round % 2 === 0 ? ['markdownlint', 'provenance', 'warm', 'oneEdited'] : ['oneEdited', 'warm', 'provenance', 'markdownlint'];
    for (const tool of order) {
      if (tool === 'markdownlint') add(tool, timeNode([MARKDOWNLINT, glob], ws.root));
      else if (tool === 'provenance') add(tool, timeNode([CLI, 'check', glob, ...COLD], ws.root));
      else if (tool === 'warm') add(tool, timeNode([CLI, 'check', glob, '--cache', cacheDir, ...RECHECK, ...NO_BUDGET], ws.root));
      else {
        // One piece of the ten changed since the last run (a different one each round): CI after a commit.
        toggleLastLine(files[round % files.length]);
        add(tool, timeNode([CLI, 'check', glob, '--cache', cacheDir, ...NO_BUDGET], ws.root));
      }
    }
    log(`  cli many (${files.length} pieces): round ${round + 1}/${reps}`);
  }
  for (const file of [...toggled]) toggleLastLine(file);
  const summary = (key) => ({ ms: median(samples[key].map((r) => r.ms)), rssBytes: median(samples[key].map((r) => r.rssBytes)), runs: samples[key].length });
  const [baseline, provenance, markdownlint, warm, oneEdited] = ['baseline', 'provenance', 'markdownlint', 'warm', 'oneEdited'].map(summary);
  return {
    size: 'many',
    pieces: files.length,
    pieceBytes: files.reduce((sum, f) => sum + fs.statSync(f).size, 0),
    corpus: 'bbc',
    sources: ws.sources,
    baseline,
    provenance,
    markdownlint,
    vsMarkdownlint: ratio(provenance.ms, markdownlint.ms),
    vsBaseline: ratio(provenance.ms, baseline.ms),
    markdownlintVsBaseline: ratio(markdownlint.ms, baseline.ms),
    warmCache: warm,
    warmVsMarkdownlint: ratio(warm.ms, markdownlint.ms),
    oneEdited,
    oneEditedVsMarkdownlint: ratio(oneEdited.ms, markdownlint.ms),
    findings: findingsOf(ws.root, glob),
  };
}

const EDIT_LINE = '\nA line added for the benchmark, so that this piece changed since the last run.\n';
const toggled = new Set();

/** Adds a last line to the piece, or takes it away again. */
function toggleLastLine(file) {
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.endsWith(EDIT_LINE) ? text.slice(0, -EDIT_LINE.length) : text + EDIT_LINE);
  if (toggled.has(file)) toggled.delete(file);
  else toggled.add(file);
}

/**
 * One run with `--timing` (server/src/cli/timing.ts): milliseconds by rule and
 * parse, and by phase, as the CLI prints them to stderr.
 */
function timingOf(root, piece, args) {
  const run = outputOf([CLI, 'check', path.relative(root, piece), '--format', 'json', '--timing', ...args], root);
  if (run.status !== 0 && run.status !== 1) throw new Error(`--timing run exited ${run.status}: ${run.stderr}`);
  const parts = { steps: {}, pieces: {}, phases: {} };
  let part = parts.steps;
  for (const line of run.stderr.split('\n')) {
    if (line.startsWith('Slowest')) part = parts.pieces;
    if (line.startsWith('Phases')) part = parts.phases;
    const match = /^(.+?)\s+(\d+\.\d)(?:\s+\d+\.\d%)?$/.exec(line);
    if (!match || match[1] === 'checking, all of the above') continue;
    part[match[1]] = Number(match[2]);
  }
  return { steps: parts.steps, phases: parts.phases };
}

/** One untimed run with --format json: what the check found, by rule (shows the work was done). */
function findingsOf(root, piece) {
  const run = outputOf([CLI, 'check', path.isAbsolute(piece) ? path.relative(root, piece) : piece, '--format', 'json', ...COLD], root);
  try {
    const counts = {};
    for (const file of JSON.parse(run.stdout).files) for (const d of file.diagnostics) counts[d.code] = (counts[d.code] ?? 0) + 1;
    return counts;
  } catch {
    return { error: (run.stderr || run.stdout).slice(0, 300) };
  }
}

// ── 2. Index ────────────────────────────────────────────────────────────────

async function bundleProbe() {
  await esbuild.build({
    entryPoints: [path.join(REPO_ROOT, 'bench', 'lib', 'index-probe.mjs')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: PROBE,
    logLevel: 'warning',
  });
}

function probe(mode, root, extra = []) {
  const run = spawnSync(process.execPath, ['--expose-gc', PROBE, mode, root, ...extra], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`index probe ${mode} ${root} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

function runIndexBench(workspaces) {
  const result = {};
  const targets = quick ? ['bbc'] : ['bbc', 'bbc10x'];
  for (const key of targets) {
    const reps = repsArg || (quick ? 2 : key === 'bbc' ? 5 : 3);
    const runs = [];
    for (let i = 0; i < reps; i++) {
      runs.push(probe('build', workspaces[key].root));
      log(`  index ${key}: build ${i + 1}/${reps}: ${Math.round(runs.at(-1).buildMs)} ms`);
    }
    const pick = (f) => median(runs.map(f));
    result[key] = {
      sources: runs[0].sources,
      textBytes: runs[0].textBytes,
      words: runs[0].stats.words,
      buildMs: pick((r) => r.buildMs),
      splitMs: pick((r) => r.splitMs),
      readMs: pick((r) => r.readMs),
      addedBytes: pick((r) => r.addedBytes),
      addedRssBytes: pick((r) => r.addedRssBytes),
      typedArrayBytes: runs[0].stats.typedArrayBytes,
      runs: reps,
    };
    result[key].vsSplit = ratio(result[key].buildMs, result[key].splitMs);
  }
  const lookup = probe('lookup', workspaces.bbc.root);
  result.lookup = { quotations: lookup.lookups, micros: lookup.lookupMicros, verdicts: lookup.verdicts };
  const warm = probeWarm(workspaces.bbc.root);
  if (warm) result.warm = warm;
  return result;
}

/** Warm start from the persisted cache, when the probe supports it (see engine/index-cache.ts). */
function probeWarm(root) {
  const cacheDir = path.join(WORK, 'cache');
  fs.rmSync(cacheDir, { recursive: true, force: true });
  let saved;
  try {
    saved = probe('save', root, [cacheDir]);
  } catch (err) {
    log(`  index warm start: not measured (${String(err.message).split('\n')[0].slice(0, 160)})`);
    return undefined;
  }
  const runs = [];
  for (let i = 0; i < (quick ? 2 : 5); i++) runs.push(probe('warm', root, [cacheDir]));
  return {
    cacheBytes: saved.cacheBytes,
    saveMs: saved.saveMs,
    warmMs: median(runs.map((r) => r.warmMs)),
    coldMs: median(runs.map((r) => r.coldMs)),
    hashMs: median(runs.map((r) => r.hashMs)),
    keyMs: median(runs.map((r) => r.keyMs ?? NaN)),
    readMs: median(runs.map((r) => r.readMs)),
    reused: runs[0].reused,
    // Median of each part over the runs (the parts of one run add up to its warmMs; medians need not).
    warmParts: medianParts(runs.map((r) => r.warmParts ?? {})),
    sections: runs[0].sections,
  };
}

function medianParts(partsOfRuns) {
  const names = [...new Set(partsOfRuns.flatMap((parts) => Object.keys(parts)))];
  return Object.fromEntries(names.map((name) => [name, median(partsOfRuns.map((parts) => parts[name] ?? 0))]));
}

/**
 * The source index's own share of a warm start: reading and importing its own (quotes) section — the probe
 * reads the other sections after it, timed apart —, setting the sources, resolving their ids (the `prepare`
 * call that makes the step list does it first) and the quotation index.
 */
function sourceIndexWarmMs(parts) {
  if (!parts) return undefined;
  const own = ['readCache', 'import', 'setSources', 'prepare', 'quotation index'];
  return own.every((name) => typeof parts[name] === 'number') ? own.reduce((sum, name) => sum + parts[name], 0) : undefined;
}

// ── 3. Server ───────────────────────────────────────────────────────────────

async function runServerBench(workspaces) {
  const ws = workspaces.bbc;
  const result = await serverLatency({
    serverJs: SERVER,
    root: ws.root,
    piece: ws.pieces['200kb'],
    edits: quick ? 40 : 200,
    hovers: quick ? 60 : 200,
    completions: quick ? 60 : 200,
    debounceMs: debounceMs(),
    log,
  });
  const storagePath = fs.mkdtempSync(path.join(os.tmpdir(), 'provenance-bench-storage-'));
  try {
    const reopen = await serverReopen({ serverJs: SERVER, root: ws.root, piece: ws.pieces['200kb'], storagePath, reopens: quick ? 1 : 3, log });
    return { ...result, reopen, piece: '200kb', corpus: 'bbc', sources: ws.sources };
  } finally {
    fs.rmSync(storagePath, { recursive: true, force: true });
  }
}

// ── Report ──────────────────────────────────────────────────────────────────

function floorsOf(results) {
  const floors = [];
  const cli = (size) => results.cli?.find((r) => r.corpus === 'bbc' && r.size === size);
  const add = (what, value, limit, shown) => floors.push({ what, value, limit, pass: Number.isFinite(value) && value <= limit, shown });
  if (cli('200kb')) add('CLI 200 KB + 2,095 articles vs markdownlint-cli2', cli('200kb').vsMarkdownlint, 0.6, fmtRatio(cli('200kb').vsMarkdownlint));
  if (cli('2mb')) add('CLI 2 MB + 2,095 articles vs markdownlint-cli2', cli('2mb').vsMarkdownlint, 0.3, fmtRatio(cli('2mb').vsMarkdownlint));
  // The same floors with the --cache folder CI keeps between runs: the piece changed since the last
  // run (index cached, piece checked), and nothing changed (findings from the results cache).
  for (const [size, label, limit] of [['200kb', '200 KB', 0.6], ['2mb', '2 MB', 0.3]]) {
    const row = cli(size);
    if (row?.warmCache) add(`CLI ${label} + 2,095 articles, \`--cache\` warm, a line of the piece changed since the last run, vs markdownlint-cli2`, row.warmVsMarkdownlint, limit, fmtRatio(row.warmVsMarkdownlint));
    if (row?.unchanged) add(`CLI ${label} + 2,095 articles, \`--cache\` warm, nothing changed since the last run, vs markdownlint-cli2`, row.unchangedVsMarkdownlint, limit, fmtRatio(row.unchangedVsMarkdownlint));
  }
  const index = results.index;
  if (index?.bbc) {
    add('index build, 2,095 articles (ms)', index.bbc.buildMs, 500, millis(index.bbc.buildMs));
    add('index added memory, 2,095 articles (MiB)', index.bbc.addedBytes / 2 ** 20, 50, mib(index.bbc.addedBytes));
  }
  if (index?.bbc10x) add('index build, 10× corpus (ms)', index.bbc10x.buildMs, 5000, millis(index.bbc10x.buildMs));
  if (index?.warm) add('warm start from the cache, whole engine ready to check (ms)', index.warm.warmMs, 100, millis(index.warm.warmMs));
  const sourceIndexMs = sourceIndexWarmMs(index?.warm?.warmParts);
  if (sourceIndexMs !== undefined) add('warm start from the cache, source index only (ms)', sourceIndexMs, 100, millis(sourceIndexMs));
  const server = results.server;
  if (server) {
    add('didChange → diagnostics p99 (ms, debounce excluded)', server.change.p99, 50, millis(server.change.p99));
    add('hover p99 (ms)', server.hover.p99, 5, millis(server.hover.p99));
    add('completion p99 (ms)', server.completion.p99, 5, millis(server.completion.p99));
  }
  return floors;
}

function markdownReport(results) {
  const m = results.machine;
  const out = [];
  out.push(`# Benchmark ${m.date.slice(0, 10)} — ${m.cpu}, ${m.cores} cores`);
  out.push('');
  out.push(`Node ${m.node}, ${m.os}, ${m.memoryGiB} GiB, commit ${m.commit}. \`npm run bench${quick ? ' -- --quick' : ''}\`; medians. Compare ratios, not absolute times: the machine is shared and absolute figures drift between runs.`);
  out.push('');
  out.push('## Floors');
  out.push('');
  out.push('| what | measured | floor | |');
  out.push('|---|---|---|---|');
  for (const f of results.floors) out.push(`| ${f.what} | ${f.shown} | ≤ ${f.limit} | ${f.pass ? 'pass' : '**FAIL**'} |`);
  if (results.cli) {
    out.push('');
    out.push('## CLI, whole process');
    out.push('');
    out.push('| piece | sources | `node -e 0` | markdownlint-cli2 | provenance | provenance / markdownlint | provenance / node | peak RSS provenance | peak RSS markdownlint | findings |');
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of results.cli) {
      const findings = Object.entries(r.findings).map(([k, v]) => `${k} ${v}`).join(', ');
      const label = r.size === 'many' ? `${r.pieces} pieces (${(r.pieceBytes / 1024).toFixed(0)} KiB in all)` : `${r.size} (${(r.pieceBytes / 1024).toFixed(0)} KiB)`;
      out.push(`| ${label} | ${r.corpus === 'seed' ? 'seed article' : `${r.sources} BBC articles`} | ${seconds(r.baseline.ms)} | ${seconds(r.markdownlint.ms)} | ${seconds(r.provenance.ms)} | **${fmtRatio(r.vsMarkdownlint)}** | ${fmtRatio(r.vsBaseline)} | ${mib(r.provenance.rssBytes)} | ${mib(r.markdownlint.rssBytes)} | ${findings} |`);
      const name = r.size === 'many' ? `${r.pieces} pieces` : r.size;
      const variant = (what, run, vs) =>
        out.push(`| ${name}, ${what} | ${r.sources} BBC articles | ${seconds(r.baseline.ms)} | ${seconds(r.markdownlint.ms)} | ${seconds(run.ms)} | **${fmtRatio(vs)}** | ${fmtRatio(ratio(run.ms, r.baseline.ms))} | ${mib(run.rssBytes)} | | same |`);
      if (r.warmCache) variant(r.size === 'many' ? '`--cache` warm, every piece checked again' : '`--cache` warm, a line of the piece changed since the last run', r.warmCache, r.warmVsMarkdownlint);
      if (r.oneEdited) variant('`--cache` warm, one piece changed since the last run', r.oneEdited, r.oneEditedVsMarkdownlint);
      if (r.unchanged) variant('`--cache` warm, nothing changed since the last run', r.unchanged, r.unchangedVsMarkdownlint);
    }
  }
  const timed = results.cli?.filter((r) => r.timing) ?? [];
  if (timed.length) {
    out.push('');
    out.push('## Where a CLI run\'s time goes');
    out.push('');
    out.push("One run each with `--timing`, 2,095 BBC articles: milliseconds by rule (a rule's time includes any shared analysis it is the first to ask for), then by phase (phases overlap; worker phases are summed over workers). Warm: `--cache`, a line of the piece changed since the last run. Cold: `--no-cache`.");
    out.push('');
    out.push(`| step | ${timed.map((r) => `${r.size} warm | ${r.size} cold`).join(' | ')} |`);
    out.push(`|---|${timed.map(() => '---|---').join('|')}|`);
    const names = (part) => [...new Set(timed.flatMap((r) => [...Object.keys(r.timing.warm[part]), ...Object.keys(r.timing.cold[part])]))];
    // By the largest piece's warm run: the case the floors are about.
    const largest = timed[timed.length - 1].timing.warm;
    const byTime = (part) => names(part).sort((a, b) => (largest[part][b] ?? 0) - (largest[part][a] ?? 0));
    const cell = (value) => (value === undefined ? '' : value.toFixed(0));
    for (const part of ['steps', 'phases']) {
      for (const name of part === 'steps' ? byTime(part) : names(part)) out.push(`| ${part === 'phases' ? `*${name}*` : name} | ${timed.map((r) => `${cell(r.timing.warm[part][name])} | ${cell(r.timing.cold[part][name])}`).join(' | ')} |`);
      if (part === 'steps') out.push(`| **checking, all rules and the parse** | ${timed.map((r) => `**${cell(Object.values(r.timing.warm.steps).reduce((a, b) => a + b, 0))}** | **${cell(Object.values(r.timing.cold.steps).reduce((a, b) => a + b, 0))}**`).join(' | ')} |`);
    }
  }
  if (results.index) {
    const i = results.index;
    out.push('');
    out.push('## Source index');
    out.push('');
    out.push('| corpus | sources | text | words | cold build | build / whitespace split | added memory (heap + typed arrays) | of which typed arrays | added RSS |');
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const key of ['bbc', 'bbc10x']) {
      const r = i[key];
      if (!r) continue;
      out.push(`| ${key === 'bbc' ? 'BBC' : 'BBC 10×'} | ${r.sources} | ${mib(r.textBytes)} | ${r.words.toLocaleString('en')} | ${millis(r.buildMs)} | ${fmtRatio(r.vsSplit)} | ${mib(r.addedBytes)} | ${mib(r.typedArrayBytes)} | ${mib(r.addedRssBytes)} |`);
    }
    out.push('');
    out.push(`Quotation lookup over the 2,095 articles: ${i.lookup.micros.toFixed(0)} µs per quotation (${i.lookup.quotations} quotations, ${Object.entries(i.lookup.verdicts).map(([k, v]) => `${v} ${k}`).join(', ')}).`);
    if (i.warm) {
      out.push('');
      out.push(`Warm start from the persisted cache (2,095 articles): ${millis(i.warm.warmMs)} (read texts ${millis(i.warm.readMs)} not included; the files' keys, their bytes' SHA-1, ${millis(i.warm.keyMs)} included, where the engine's own hash of the texts took ${millis(i.warm.hashMs)}) vs cold build ${millis(i.warm.coldMs)} in the same process = ${fmtRatio(ratio(i.warm.warmMs, i.warm.coldMs))}; cache ${mib(i.warm.cacheBytes)}, ${i.warm.reused} sources reused.`);
      if (i.warm.warmParts) out.push(`Warm start by part (medians, ms): ${Object.entries(i.warm.warmParts).map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ')}; cache sections: ${Object.entries(i.warm.sections ?? {}).map(([name, bytes]) => `${name} ${mib(bytes)}`).join(', ')}.`);
    }
  }
  if (results.server) {
    const s = results.server;
    out.push('');
    out.push('## Language server over stdio (200 KB piece, 2,095 BBC articles)');
    out.push('');
    out.push('| measure | n | p50 | p99 | max |');
    out.push('|---|---|---|---|---|');
    out.push(`| didChange → diagnostics (debounce excluded) | ${s.change.n} | ${millis(s.change.p50)} | ${millis(s.change.p99)} | ${millis(s.change.max)} |`);
    if (s.changeAfterFirst) out.push(`| didChange → diagnostics, the ${s.changeAfterFirst.n} edits after the first ${s.firstChanges.length} since the piece opened (not a floor row) | ${s.changeAfterFirst.n} | ${millis(s.changeAfterFirst.p50)} | ${millis(s.changeAfterFirst.p99)} | ${millis(s.changeAfterFirst.max)} |`);
    out.push(`| hover | ${s.hover.n} | ${millis(s.hover.p50)} | ${millis(s.hover.p99)} | ${millis(s.hover.max)} |`);
    out.push(`| completion (${Math.round(s.completion.meanItems)} items on average) | ${s.completion.n} | ${millis(s.completion.p50)} | ${millis(s.completion.p99)} | ${millis(s.completion.max)} |`);
    if (s.baseline) out.push(`| baseline: a request answered without work | ${s.baseline.n} | ${millis(s.baseline.p50)} | ${millis(s.baseline.p99)} | ${millis(s.baseline.max)} |`);
    if (s.firstHovers) out.push(`| the process's first hovers (after the ${s.change.n} edits, with no pause since the piece opened: nothing warmed up) | ${s.firstHovers.n} | ${millis(s.firstHovers.p50)} | ${millis(s.firstHovers.p99)} | ${millis(s.firstHovers.max)} |`);
    if (s.burstHovers) out.push(`| a hover right after 6 quick edits, following a 1.5 s pause | ${s.burstHovers.n} | ${millis(s.burstHovers.p50)} | ${millis(s.burstHovers.p99)} | ${millis(s.burstHovers.max)} |`);
    out.push('');
    out.push(`A change is checked as soon as it arrives, in the server's worker thread, and its diagnostics are published when the ${s.debounceMs ?? 150} ms pause ends; the didChange figure is what is left after that pause: the check's tail if it outlasts the pause, then writing and reading the diagnostics (${Math.round(s.diagnosticsBytes / 1024) || '?'} KB of JSON for this piece).${s.changeCpu ? ` CPU per edit: ${s.changeCpu.mainPerEdit.toFixed(1)} ms on the main thread, ${s.changeCpu.processPerEdit.toFixed(1)} ms in all threads (the check, GC).` : ''}`);
    if (s.firstChanges) {
      // Said only when this run shows it: the first re-checks used to be the slowest edits (the JIT compiles the re-check path then).
      const slowest = Math.max(...s.firstChanges);
      const atTail = slowest >= s.change.p99;
      const slowStart = atTail && s.changeAfterFirst && slowest > 2 * s.changeAfterFirst.p50;
      out.push(
        `The first ${s.firstChanges.length} edits after the piece opened, in order (debounce excluded): ${s.firstChanges.map((ms) => Math.round(ms)).join(', ')} ms.` +
          (slowStart
            ? ` The first few re-checks cost more than later ones, because the JIT has compiled the check for the piece's first full run and not yet for a re-check; the floor's p99 over ${s.change.n} edits is one of them.`
            : atTail
              ? ''
              : ` None of them reaches the p99 of the ${s.change.n} edits.`),
      );
    }
    if (s.warmUp) out.push(`Hover, completion and the baseline are each measured after ${s.warmUp} unmeasured requests of the same kind: a fresh process's first few hundred round trips, even of a request that does no work, are slowed by the JIT compiling the transport (on this VM a bare vscode-languageserver server answering null shows p99 ≈ 3.5 ms over its first 1,000 requests and ≈ 0.4 ms over the next 1,000).`);
    out.push(`initialize ${millis(s.initializeMs)}; first diagnostics (load + index + check) ${millis(s.coldMs)}; peak RSS ${mib(s.peakRssBytes)}; ${s.progressReports} progress notifications while loading.`);
    if (s.reopen) out.push(`With the editor's storage folder (\`initializationOptions.storagePath\`), each a fresh server: first diagnostics ${millis(s.reopen.emptyMs)} when the folder is empty, ${millis(s.reopen.reopenMs)} when the workspace is reopened (median of ${s.reopen.reopens}) = ${fmtRatio(ratio(s.reopen.reopenMs, s.reopen.emptyMs))}.`);
    if (s.reopen?.pingsEmpty) out.push(`Requests that need no analysis (an unknown method, answered by the transport), sent one after another from start-up until the first diagnostics (and, with the empty folder, until the warm-up has written the storage folder): with the folder empty, slowest ${millis(s.reopen.pingsEmpty.max)} (p50 ${millis(s.reopen.pingsEmpty.p50)}, ${s.reopen.pingsEmpty.n} requests); on reopening, slowest ${millis(s.reopen.pingsReopen.max)} (p50 ${millis(s.reopen.pingsReopen.p50)}). The slowest is the longest step of the main thread's loading and warm-up that a request had to wait for.`);
  }
  out.push('');
  return out.join('\n');
}

async function main() {
  // `--render=<results.json>`: write that run's report again from its figures (after a change to the report's wording).
  const render = args.find((a) => a.startsWith('--render='))?.slice(9);
  if (render) {
    const results = JSON.parse(fs.readFileSync(render, 'utf8'));
    const report = markdownReport(results);
    if (write) fs.writeFileSync(render.replace(/\.json$/, '.md'), report);
    else process.stdout.write(report);
    return;
  }
  const machine = machineInfo(REPO_ROOT);
  log(`bench on ${machine.cpu} (${machine.cores} cores), node ${machine.node}`);
  if (!fs.existsSync(CLI) || !fs.existsSync(SERVER)) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  const workspaces = generateAll({ log });
  for (const key of ['seed', 'bbc', 'bbc10x']) writeConfig(workspaces[key].root);
  await bundleProbe();

  const results = { machine, quick, floors: [] };
  if (only.has('index')) results.index = runIndexBench(workspaces);
  if (only.has('cli')) results.cli = runCliBench(workspaces);
  if (only.has('server')) results.server = await runServerBench(workspaces);
  results.floors = floorsOf(results);

  const report = markdownReport(results);
  process.stdout.write(report);
  if (write) {
    fs.mkdirSync(path.join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    const base = freeResultsBase(path.join(REPO_ROOT, 'bench', 'results'), machine.date.slice(0, 10), `${machineLabel(machine)}${quick ? '-quick' : ''}`);
    fs.writeFileSync(`${base}.json`, JSON.stringify(results, null, 2) + '\n');
    fs.writeFileSync(`${base}.md`, report);
    log(`wrote ${path.relative(REPO_ROOT, base)}.{md,json}`);
  }
}

/**
 * `<dir>/<date>-<label>`, or `<date>-2-<label>`, `-3-`… when a run of that day already wrote one: a second run
 * the same day used to overwrite the first (committed) one.
 */
function freeResultsBase(dir, date, label) {
  const taken = (base) => fs.existsSync(`${base}.md`) || fs.existsSync(`${base}.json`);
  let base = path.join(dir, `${date}-${label}`);
  for (let n = 2; taken(base); n++) base = path.join(dir, `${date}-${n}-${label}`);
  return base;
}

main().catch((err) => {
  log(err.stack ?? String(err));
  process.exitCode = 1;
});
