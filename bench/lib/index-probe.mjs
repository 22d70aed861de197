/**
 * Index benchmark, run in a fresh process per measurement (bundled by run.mjs
 * with esbuild into bench/.work/index-probe.cjs, so it calls the engine's
 * TypeScript directly). Prints one JSON object.
 *
 *   node --expose-gc index-probe.cjs build <workspace>      cold build: load + tokenize + postings
 *   node --expose-gc index-probe.cjs lookup <workspace>     + quotation lookups over the index
 *   node --expose-gc index-probe.cjs save <workspace> <dir>  cold build, then the engine's whole cache written
 *   node --expose-gc index-probe.cjs warm <workspace> <dir>  the engine ready to check from that cache: read, import,
 *                                                           set every source, build every corpus product (each part
 *                                                           timed), then the same from nothing in this process
 *
 * Memory is "added" memory: heap + external (typed arrays) after a full GC,
 * measured after the source texts were read and again after the index was
 * built, so the texts themselves (which any tool must hold) are reported
 * apart from what the index adds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Corpus } from '../../server/src/engine/corpus';
import { matchQuotation } from '../../server/src/engine/quotes';
import { contentKey, decodeCache } from '../../server/src/engine/index-cache';
import { createEngine } from '../../server/src/engine/index';
import { indexCacheFile, readIndexCache, readIndexCacheInParallel, writeIndexCache } from '../../server/src/node/index-cache-file';
import { codeFingerprint } from '../../server/src/node/build-id';
import { decodeUtf8, hashLongText, sourceFileKey } from '../../server/src/node/workspace';
import { QUOTES_SECTION } from '../../server/src/engine/corpus';
import { ENTITIES_SECTION } from '../../server/src/engine/entities/source-facts';
import { passageStepCount, PASSAGES_SECTION } from '../../server/src/engine/claims/passages';
import { entityFactSteps } from '../../server/src/engine/entities';

function gc() {
  if (globalThis.gc) for (let i = 0; i < 3; i++) globalThis.gc();
}

function memory() {
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

function listSources(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(txt|md)$/.test(entry.name)) out.push(full);
    }
  };
  walk(path.join(root, 'sources'));
  return out;
}

/** Quotations to look up: a few words from the middle of some sources, and made-up ones. */
function sampleQuotations(texts, count) {
  const quotes = [];
  let state = 12345;
  const rand = (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  while (quotes.length < count) {
    const { text } = texts[rand(texts.length)];
    const words = text.slice(text.indexOf('\n\n') + 2).split(/\s+/).filter(Boolean);
    if (words.length < 40) continue;
    const length = 6 + rand(12);
    const from = rand(words.length - length);
    const quote = words.slice(from, from + length);
    // One in five is changed by a word: the near-miss path, which does more work.
    if (rand(5) === 0) quote[2 + rand(length - 3)] = 'notably';
    quotes.push(quote.join(' '));
  }
  return quotes;
}

const [mode, root, cacheDir] = process.argv.slice(2);
/** The running code's hash (this bundle's), as the server's and the CLI's engines are given theirs. */
const BUILD_ID = codeFingerprint();
const uriOf = (file) => pathToFileURL(file).href;
const relOf = (file) => path.relative(root, file).split(path.sep).join('/');
const before = memory();
const readStarted = performance.now();
const files = listSources(root);
// Each source's uri and workspace path are made with its text (as a file listing gives them), not inside the timed parts.
// The bytes are kept: a load keys each source by a hash of its bytes (node/workspace.ts sourceFileKey), timed with setSources.
const texts = files.map((file) => {
  const bytes = fs.readFileSync(file);
  return { file, uri: uriOf(file), path: relOf(file), bytes, text: decodeUtf8(bytes) };
});
const readMs = performance.now() - readStarted;
const textBytes = texts.reduce((n, t) => n + Buffer.byteLength(t.text), 0);
const afterRead = memory();

// Baseline in the same process: a naïve whitespace split of every text (no index, no ids).
const splitStarted = performance.now();
let splitWords = 0;
for (const { text } of texts) splitWords += text.split(/\s+/).length;
const splitMs = performance.now() - splitStarted;

/**
 * Names of the corpus-wide steps of `engine.prepare()`, in its order (see engine/index.ts): the quotation
 * index, the entity knowledge and the passage index (each in several short steps, then one that completes it)
 * and the citation keys. Each product's steps are summed under its name. Counted for an engine whose products
 * are not built yet, as every engine here is when prepare() is called (a built product adds no steps).
 */
function prepareStepName(i, sources) {
  const entitySteps = entityFactSteps(sources) + 1; // the facts in short steps, then the merge
  const passageSteps = passageStepCount(sources) + 1; // likewise the passages, then the index
  if (i === 0) return 'quotation index';
  if (i <= entitySteps) return 'entity knowledge';
  if (i <= entitySteps + passageSteps) return 'passage index';
  return 'citation keys';
}

/**
 * The engine ready to check: cache bytes imported (when given), every source
 * set, every corpus product built (the corpus steps of `prepare()`), each part
 * timed on its own.
 */
function engineReady(bytes, laterBytes) {
  const parts = {};
  const timed = (name, run) => {
    const started = performance.now();
    const value = run();
    parts[name] = (parts[name] ?? 0) + performance.now() - started;
    return value;
  };
  // With a build id, as the server and the CLI make theirs (computed once when they start, not timed here), and their native hash.
  const engine = createEngine({ buildId: BUILD_ID, hashLongText });
  engine.setConfig(undefined, undefined);
  let restored = bytes ? timed('import', () => engine.importIndexCache(bytes)) : false;
  // The other products' sections, read after the quotation index's own (each product imports only its section).
  if (laterBytes) restored = timed('import (other sections)', () => engine.importIndexCache(laterBytes())) || restored;
  // With the key of each file's bytes, as the server's and the CLI's loads give it (hashing them is timed here).
  timed('setSources', () => {
    for (const source of texts) engine.setSource(source.uri, source.path, source.text, sourceFileKey(source.bytes));
  });
  // Making the step list is timed too: it resolves the sources' ids (corpus.sources()), which the
  // quotation index's step would do otherwise (until 2026-11-29 it was left out: ~11-13 ms then, 1-2 ms since
  // d4dfc7b resolves unique ids in one pass).
  const steps = timed('prepare', () => engine.prepare());
  steps.forEach((step, i) => timed(prepareStepName(i, texts.length), step));
  const totalMs = Object.values(parts).reduce((a, b) => a + b, 0);
  return { engine, restored, parts, totalMs };
}

/** Warm start: the cache read as the server reads it (parallel positioned reads), then the whole engine made ready from it; a cold start in the same process to compare. */
async function warmStart() {
  // The quotation index's section is read on its own (positioned reads, as a thread that needs only that product does),
  // so the source index's share does not pay for paging in the other products' bytes; those are read and timed next.
  const file = indexCacheFile(cacheDir, root);
  const readCacheStarted = performance.now();
  const quotesBytes = await readIndexCacheInParallel(file, [QUOTES_SECTION]);
  const readCacheMs = performance.now() - readCacheStarted;
  const otherReadStarted = performance.now();
  const other = quotesBytes ? ((await readIndexCacheInParallel(file, [ENTITIES_SECTION, PASSAGES_SECTION])) ?? new Uint8Array(0)) : undefined;
  const otherReadMs = performance.now() - otherReadStarted;
  const warm = engineReady(quotesBytes, other ? () => other : undefined);
  const warmMs = readCacheMs + otherReadMs + warm.totalMs;
  const bytes = readIndexCache(file);
  const reused = warm.restored && warm.engine.exportIndexCache(true) === undefined ? texts.length : 0;
  const sections = bytes ? Object.fromEntries([...(decodeCache(bytes) ?? new Map())].map(([name, section]) => [name, section.length])) : {};
  // What keying the sources costs: the engine's own hash of their texts (before setSource took a key), and the bytes' SHA-1.
  const hashStarted = performance.now();
  for (const { text } of texts) contentKey(text);
  const hashMs = performance.now() - hashStarted;
  const keyStarted = performance.now();
  for (const { bytes } of texts) sourceFileKey(bytes);
  const keyMs = performance.now() - keyStarted;
  const cold = engineReady(undefined);
  process.stdout.write(
    JSON.stringify({
      mode,
      sources: texts.length,
      readMs,
      warmMs,
      warmParts: { readCache: readCacheMs, 'readCache (other sections)': otherReadMs, ...warm.parts },
      hashMs,
      keyMs,
      coldMs: cold.totalMs,
      coldParts: cold.parts,
      restored: warm.restored,
      reused,
      sections,
    }) + '\n',
  );
}

/** Cold build (`build`), plus the cache written (`save`) or quotation lookups (`lookup`). */
function buildAndLookup() {
  const buildStarted = performance.now();
  const corpus = new Corpus();
  for (const source of texts) corpus.set(source.uri, source.path, source.text);
  const index = corpus.searchIndex();
  index.build();
  const buildMs = performance.now() - buildStarted;
  const afterBuild = memory();
  const stats = index.stats();

  const result = {
    mode,
    sources: files.length,
    textBytes,
    readMs,
    splitMs,
    splitWords,
    buildMs,
    addedBytes: afterBuild.heap + afterBuild.external - (afterRead.heap + afterRead.external),
    addedRssBytes: afterBuild.rss - afterRead.rss,
    textsBytesInMemory: afterRead.heap + afterRead.external - (before.heap + before.external),
    stats,
  };

  if (mode === 'save') {
    // Saved through the engine façade, so every registered product writes its section.
    const { engine } = engineReady(undefined);
    const started = performance.now();
    const bytes = engine.exportIndexCache();
    const problem = writeIndexCache(indexCacheFile(cacheDir, root), bytes);
    if (problem) throw new Error(problem);
    result.saveMs = performance.now() - started;
    result.cacheBytes = bytes.length;
  }

  if (mode === 'lookup') {
    const quotes = sampleQuotations(texts, 2000);
    // Warm the JIT on a few, then time all.
    for (const q of quotes.slice(0, 50)) matchQuotation(index, q);
    const started = performance.now();
    const verdicts = { verbatim: 0, near: 0, none: 0 };
    for (const q of quotes) verdicts[matchQuotation(index, q).verdict]++;
    result.lookups = quotes.length;
    result.lookupMicros = ((performance.now() - started) * 1000) / quotes.length;
    result.verdicts = verdicts;
  }

  process.stdout.write(JSON.stringify(result) + '\n');
}

if (mode === 'warm') warmStart().then(() => process.exit(0));
else buildAndLookup();
