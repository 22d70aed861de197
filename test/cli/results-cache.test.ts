/**
 * The CLI's results cache (cli/results-cache.ts): a piece is checked again
 * only when its text, the config, the registry, a source or Provenance's code
 * changed; otherwise its findings come back byte for byte as a check gives
 * them, in every format, with no thread started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli, type CliIo } from '../../server/src/cli/run';
import type { PoolStats } from '../../server/src/cli/pool';
import { ResultsCache, resultsCacheFile, RACY_MS } from '../../server/src/cli/results-cache';
import { createEngine } from '../../server/src/engine/index';
import { loadConfig, readSources } from '../../server/src/node/workspace';
import { docsBaseUrl } from '../../server/src/node/install';
import { DIST, tempWorkspace } from '../helpers/repo';
import { encodeFindings } from '../../server/src/cli/findings-text';

const FILES = {
  '.provenance.yml': 'sources:\n  - sources/**/*.txt\ndocuments:\n  - "pieces/*.md"\nrules:\n  quote/misquote: warning\n',
  'entities.yml': '- id: wren-ostberg\n  name: Wren Ostberg\n  type: person\n  role: Harbour master of Lindvik\n',
  'sources/quay.txt': 'The harbour master, Wren Ostberg, said the quay would reopen in May after the storm repairs.\n',
  'sources/tolls.txt': 'Tolls on the bridge rose by 12% in 2023, the council said.\n',
  'pieces/quay.md': 'Wren Ostberg said "the quay would reopen in June" [@quay].\n\nThe NTSB has not commented.\n',
  'pieces/tolls.md': 'Tolls rose by 12% in 2023 [@tolls]. Some experts say the rise was too steep.\n',
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Pieces checked by a thread in this run (each piece once: `--jobs 1`). */
  checked: number;
  /** Whether the worker that checked was started before the pool (pool.ts prestartWorker). */
  prestarted: boolean;
}

async function check(root: string, cache: string, ...extra: string[]): Promise<Run> {
  return checkWith({}, root, cache, ...extra);
}

async function checkWith(hooks: Pick<CliIo, 'onSourcesListed'>, root: string, cache: string, ...extra: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let stats: PoolStats | undefined;
  const code = await runCli({
    argv: ['check', '--format', 'json', '--jobs', '1', '--cache', cache, ...extra],
    cwd: root,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    onPoolStats: (s) => (stats = s),
    ...hooks,
  });
  return { code, stdout, stderr, checked: stats ? stats.checkedBy.reduce((a, b) => a + b, 0) : -1, prestarted: stats?.prestarted ?? false };
}

/** What a check with no cache at all says: the answer every cached run must give. */
async function fresh(root: string, ...extra: string[]): Promise<Run> {
  return check(root, path.join(root, 'unused'), '--no-cache', ...extra);
}

interface Stored {
  header: { workspace: string; stamps: Record<string, unknown[]>; pieces: Record<string, string> };
  /** Whatever follows the stamps (nothing, in a file the CLI wrote). */
  rest: Buffer;
}

/** A file of the results cache: 4 bytes saying which kind, the label's length, the label (JSON), then the rest. */
function framedFile(file: string, magic: string): { label: Record<string, unknown>; rest: Buffer } {
  const bytes = fs.readFileSync(file);
  assert.equal(bytes.subarray(0, 4).toString('latin1'), magic);
  const length = bytes.readUInt32LE(4);
  return { label: JSON.parse(bytes.subarray(8, 8 + length).toString('utf8')), rest: bytes.subarray(8 + length) };
}

function writeFramed(file: string, magic: string, label: unknown, rest: Buffer): void {
  const labelBytes = Buffer.from(JSON.stringify(label));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(labelBytes.length);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(magic, 'latin1'), length, labelBytes, rest]));
}

/** The workspace's file: 'PVRC', the header's length, the header (each piece's text hash), then the stamps of what the findings were made from (JSON). */
function stored(root: string, cache: string): Stored {
  const { label, rest } = framedFile(resultsCacheFile(cache, root), 'PVRC');
  return { header: { ...label, stamps: JSON.parse(rest.toString('utf8')) } as unknown as Stored['header'], rest: Buffer.alloc(0) };
}

function store(root: string, cache: string, { header, rest }: Stored): void {
  const { stamps, ...label } = header;
  writeFramed(resultsCacheFile(cache, root), 'PVRC', label, Buffer.concat([Buffer.from(JSON.stringify(stamps)), rest]));
}

/** A piece's file: 'PVRP', the label's length, the label (the workspace key, piece and text hash it is for, each part's length), the findings (cli/findings-text.ts, one part per rule group). */
function storedPiece(root: string, cache: string, piece: string): { label: Record<string, unknown>; findings: Buffer } {
  const { label, rest } = framedFile(resultsCacheFile(cache, root, path.join(root, piece)), 'PVRP');
  return { label, findings: rest };
}

function storePiece(root: string, cache: string, piece: string, label: unknown, findings: Buffer): void {
  writeFramed(resultsCacheFile(cache, root, path.join(root, piece)), 'PVRP', label, findings);
}

/** No findings, as a piece's file holds them, and a label saying so. */
const NO_FINDINGS = Buffer.from(encodeFindings([]));
const holdingNoFindings = (label: Record<string, unknown>) => ({ ...label, parts: [NO_FINDINGS.length] });

test('results-cache: an unchanged run checks nothing and reports byte for byte what a check does, in every format', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const first = await check(root, cache);
  assert.equal(first.checked, 2);
  assert.match(first.stdout, /quote\/misquote/);
  assert.match(first.stdout, /style\/acronym-first-use/);
  const again = await check(root, cache);
  assert.equal(again.checked, 0, 'no thread checked a piece');
  assert.deepEqual([again.code, again.stdout, again.stderr], [first.code, first.stdout, first.stderr]);
  for (const format of ['stylish', 'sarif', 'github']) {
    const cached = await check(root, cache, '--format', format);
    const plain = await fresh(root, '--format', format);
    assert.equal(cached.checked, 0, format);
    assert.deepEqual([cached.code, cached.stdout, cached.stderr], [plain.code, plain.stdout, plain.stderr], format);
  }
  const quiet = await check(root, cache, '--quiet', '--max-warnings', '0');
  assert.equal(quiet.checked, 0);
  const plainQuiet = await fresh(root, '--quiet', '--max-warnings', '0');
  assert.deepEqual([quiet.code, quiet.stdout], [plainQuiet.code, plainQuiet.stdout]);

  const rechecked = await check(root, cache, '--no-results-cache');
  assert.equal(rechecked.checked, 2, '--no-results-cache checks every piece');
  assert.equal(rechecked.stdout, first.stdout);
  const noCache = path.join(root, '.none');
  await check(root, noCache, '--no-cache');
  assert.ok(!fs.existsSync(noCache), '--no-cache writes neither cache');
});

test('results-cache: with the index cache there, a changed piece is checked by a worker started before the inputs are looked at; an unchanged run starts none', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const first = await check(root, cache);
  assert.equal(first.checked, 2);
  assert.equal(first.prestarted, false, 'cold: no index cache yet, no worker started early');
  const unchanged = await check(root, cache);
  assert.deepEqual([unchanged.checked, unchanged.prestarted], [0, false]);
  fs.appendFileSync(path.join(root, 'pieces/tolls.md'), '\nThe bridge carried 40,000 cars a day.\n');
  const changed = await check(root, cache);
  assert.deepEqual([changed.checked, changed.prestarted], [1, true]);
  const plain = await fresh(root);
  assert.deepEqual([changed.code, changed.stdout, changed.stderr], [plain.code, plain.stdout, plain.stderr]);
  assert.match(changed.stdout, /40,000/, 'the new line was checked');
  const rechecked = await check(root, cache, '--no-results-cache');
  assert.deepEqual([rechecked.checked, rechecked.prestarted], [2, true]);
  assert.equal(rechecked.stdout, plain.stdout);
});

test('results-cache: a warm run whose edit asks for the entity knowledge (read while the sources are set) finds what a fresh run finds, reading no source', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  await check(root, cache);
  // A question that misspells a name: no claim, no quotation, but the name rules ask for the knowledge's forms.
  fs.appendFileSync(path.join(root, 'pieces/quay.md'), '\nWhat will Wrin Ostberg do next?\n');
  const warm = await check(root, cache, '--timing');
  assert.equal(warm.checked, 1);
  assert.equal(/Source files read by the workers: (\d+) of 2 /.exec(warm.stderr)?.[1], '0', warm.stderr);
  const plain = await fresh(root);
  assert.deepEqual([warm.code, warm.stdout], [plain.code, plain.stdout]);
  assert.match(warm.stdout, /style\/name-variant/, 'the misspelt name was found');
});

test('results-cache: a warm run hands the workers each source by its key and they read only what a check needs; an edited source is read again', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  await check(root, cache);
  const sourcesRead = (run: Run) => Number(/Source files read by the workers: (\d+) of 2 /.exec(run.stderr)?.[1] ?? NaN);
  const indexFile = () => fs.readFileSync(path.join(cache, fs.readdirSync(cache).find((name) => name.startsWith('provenance-index-'))!));
  const index = indexFile();
  // A line with no quotation, claim or name: its check asks for no source's words.
  fs.appendFileSync(path.join(root, 'pieces/quay.md'), '\nMore on this later.\n');
  const warm = await check(root, cache, '--timing');
  assert.equal(warm.checked, 1);
  assert.equal(sourcesRead(warm), 0, warm.stderr);
  // Every source came from the cache, and the cache holds every product: none was built, so no warm-up ran and none was written.
  assert.match(warm.stderr, /corpus products \(workers\) +0\.\d\n/);
  assert.ok(indexFile().equals(index), 'the index cache was not rewritten');
  const plain = await fresh(root);
  assert.deepEqual([warm.code, warm.stdout], [plain.code, plain.stdout]);
  assert.match(warm.stdout, /quote\/misquote/, 'the misquote is still found, from the kept answers');
  // The source now has the quoted words: its key changed, so its worker reads it, and the misquote goes.
  fs.writeFileSync(path.join(root, 'sources/quay.txt'), FILES['sources/quay.txt'].replace('May', 'June'));
  const edited = await check(root, cache, '--timing');
  assert.ok(sourcesRead(edited) >= 1, edited.stderr);
  assert.ok(!indexFile().equals(index), 'the products of the edited source were written');
  const now = await fresh(root);
  assert.deepEqual([edited.code, edited.stdout], [now.code, now.stdout]);
  assert.doesNotMatch(edited.stdout, /quote\/misquote/);
  assert.doesNotMatch(edited.stderr, /changed during this run/);
});

test('results-cache: a source that changes after the workers were given its key stops the piece that needs it, and no cache is written', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  await check(root, cache);
  // A new near miss: verifying it reads the quay's text, which changes once the sources are listed.
  fs.writeFileSync(path.join(root, 'pieces/quay.md'), FILES['pieces/quay.md'].replace('June', 'July'));
  // Their bytes: a run marks the files it used by their times (node/cache-dir.ts pruneStaleCaches).
  const files = () => fs.readdirSync(cache).map((name) => [name, fs.readFileSync(path.join(cache, name)).toString('base64')]);
  const written = files();
  const quay = path.join(root, 'sources/quay.txt');
  const raced = await checkWith({ onSourcesListed: () => fs.writeFileSync(quay, FILES['sources/quay.txt'].replace('May', 'July')) }, root, cache);
  assert.equal(raced.code, 2);
  const report = JSON.parse(raced.stdout).files.find((f: { path: string }) => f.path.endsWith('quay.md'));
  assert.deepEqual(report.diagnostics.map((d: { code: string; data?: { reason?: string } }) => [d.code, d.data?.reason]), [['input/skipped', 'source-changed']]);
  assert.match(raced.stderr, /sources\/quay\.txt changed during this run; no cache was written/);
  assert.ok(JSON.stringify(files()) === JSON.stringify(written), 'no cache file was written');
  // The next run starts from the source as it is now.
  const next = await check(root, cache);
  const now = await fresh(root);
  assert.deepEqual([next.code, next.stdout], [now.code, now.stdout]);
  assert.doesNotMatch(next.stdout, /quote\/misquote/);
});

test('results-cache: each input a finding depends on makes the pieces it touches be checked again', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const write = (name: string, text: string) => fs.writeFileSync(path.join(root, name), text);
  /** Checks with the cache, proves the answer equals a fresh check's, and returns how many pieces were checked. */
  const checkedAfterChange = async (): Promise<number> => {
    const cached = await check(root, cache);
    const plain = await fresh(root);
    assert.deepEqual([cached.code, cached.stdout, cached.stderr], [plain.code, plain.stdout, plain.stderr]);
    return cached.checked;
  };
  assert.equal(await checkedAfterChange(), 2);
  assert.equal(await checkedAfterChange(), 0);

  // A piece's own text: only that piece.
  write('pieces/tolls.md', FILES['pieces/tolls.md'].replace('Some experts say', 'Analysts at the council say'));
  assert.equal(await checkedAfterChange(), 1);

  // A source's text, same size and the old modification time put back: the change time still differs.
  const quay = path.join(root, 'sources/quay.txt');
  const before = fs.statSync(quay);
  write('sources/quay.txt', FILES['sources/quay.txt'].replace('May after the storm', 'June, after a storm'));
  fs.utimesSync(quay, before.atime, before.mtime);
  assert.equal(fs.statSync(quay).size, before.size);
  assert.equal(await checkedAfterChange(), 2);
  assert.doesNotMatch((await check(root, cache)).stdout, /quote\/misquote/, 'the source now says June');

  // A source added, then removed; the registry; the config.
  write('sources/ferry.txt', 'The ferry will run twice a day from March.\n');
  assert.equal(await checkedAfterChange(), 2);
  fs.rmSync(path.join(root, 'sources/ferry.txt'));
  assert.equal(await checkedAfterChange(), 2);
  write('entities.yml', FILES['entities.yml'].replace('Harbour master', 'Former harbour master'));
  assert.equal(await checkedAfterChange(), 2);
  write('.provenance.yml', FILES['.provenance.yml'].replace('quote/misquote: warning', 'quote/misquote: warning\n  style/acronym-first-use: off'));
  assert.equal(await checkedAfterChange(), 2);
  assert.doesNotMatch((await check(root, cache)).stdout, /acronym-first-use/);
  assert.equal(await checkedAfterChange(), 0);
});

test('results-cache: a damaged or foreign cache file is ignored and replaced', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const expected = await fresh(root);
  const file = resultsCacheFile(cache, root);
  const tolls = 'pieces/tolls.md';
  const damages: Array<[string, () => void, number]> = [
    ['JSON', () => fs.writeFileSync(file, JSON.stringify({ format: 3, workspace: 'x', pieces: {} })), 2],
    ['binary', () => fs.writeFileSync(file, '\u0000\u0001binary'), 2],
    ['a header longer than the file', () => fs.writeFileSync(file, Buffer.concat([Buffer.from('PVRC', 'latin1'), Buffer.from([0xff, 0xff, 0xff, 0x0f]), Buffer.from('{}')])), 2],
    ['a header of another shape', () => store(root, cache, { header: { ...stored(root, cache).header, pieces: { a: { hash: 1 } } } as unknown as Stored['header'], rest: Buffer.alloc(0) }), 2],
    ['bytes after the header', () => store(root, cache, { ...stored(root, cache), rest: v8.serialize([]) }), 2],
    ["a piece's findings cut short", () => storePiece(root, cache, tolls, storedPiece(root, cache, tolls).label, storedPiece(root, cache, tolls).findings.subarray(0, 10)), 1],
    ["a piece's findings that are not findings", () => storePiece(root, cache, tolls, storedPiece(root, cache, tolls).label, Buffer.alloc(storedPiece(root, cache, tolls).findings.length, 'x')), 1],
    ["a piece's findings in parts that do not add up to them", () => storePiece(root, cache, tolls, { ...storedPiece(root, cache, tolls).label, parts: [2] }, storedPiece(root, cache, tolls).findings), 1],
    ["a piece's findings in no parts", () => storePiece(root, cache, tolls, { ...storedPiece(root, cache, tolls).label, parts: [] }, Buffer.alloc(0)), 1],
    ["a piece's file gone", () => fs.rmSync(resultsCacheFile(cache, root, path.join(root, tolls))), 1],
    ["a piece's file of the workspace's kind", () => fs.copyFileSync(file, resultsCacheFile(cache, root, path.join(root, tolls))), 1],
  ];
  for (const [what, damage, checked] of damages) {
    await check(root, cache);
    damage();
    const run = await check(root, cache);
    assert.deepEqual([run.code, run.stdout, run.stderr], [expected.code, expected.stdout, expected.stderr], what);
    assert.equal(run.checked, checked, what);
    assert.equal((await check(root, cache)).checked, 0, `${what}: the replaced cache is used next time`);
  }
});

test('results-cache: a piece checked in two halves on two threads keeps both halves\' findings as sent, and is reported from them as checked', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const first = await check(root, cache, '--jobs', '2');
  assert.equal(first.checked, 4, 'two pieces, each in two halves');
  const parts = storedPiece(root, cache, 'pieces/quay.md').label.parts as number[];
  assert.equal(parts.length, 2, 'one part per half');
  assert.ok(parts.every((length) => length > NO_FINDINGS.length), 'each half found something in this piece');
  const again = await check(root, cache, '--jobs', '2');
  assert.equal(again.checked, 0);
  const plain = await fresh(root);
  assert.deepEqual([again.code, again.stdout, again.stderr], [plain.code, plain.stdout, plain.stderr]);
  assert.deepEqual([first.code, first.stdout, first.stderr], [plain.code, plain.stdout, plain.stderr]);
});

test("results-cache: a piece's file is used only for the inputs and text it names", async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const expected = await fresh(root);
  const tolls = 'pieces/tolls.md';
  // Findings that would show if a label were not read: none at all.
  const labels: Array<[string, (label: Record<string, unknown>) => Record<string, unknown>]> = [
    ['another workspace key (other sources, config or build)', (label) => ({ ...label, workspace: '0'.repeat(64) })],
    ['another text of the piece', (label) => ({ ...label, hash: '0'.repeat(40) })],
    ['another piece', (label) => ({ ...label, piece: path.join(root, 'pieces', 'quay.md') })],
    ['another format', (label) => ({ ...label, format: 2 })],
  ];
  for (const [what, relabel] of labels) {
    await check(root, cache);
    storePiece(root, cache, tolls, holdingNoFindings(relabel(storedPiece(root, cache, tolls).label)), NO_FINDINGS);
    const run = await check(root, cache);
    assert.equal(run.checked, 1, what);
    assert.equal(run.stdout, expected.stdout, what);
  }
  // The label as written, with no findings: believed (the label is what is trusted), so the test above can fail.
  storePiece(root, cache, tolls, holdingNoFindings(storedPiece(root, cache, tolls).label), NO_FINDINGS);
  const believed = await check(root, cache);
  assert.equal(believed.checked, 0);
  assert.notEqual(believed.stdout, expected.stdout);
});

test("results-cache: a run reads only the findings of the pieces it reports, and writes only those of the pieces it checked", async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  await check(root, cache);
  // The tolls piece's findings spoilt: a run over the quay piece alone never reads them.
  const tolls = storedPiece(root, cache, 'pieces/tolls.md');
  storePiece(root, cache, 'pieces/tolls.md', tolls.label, Buffer.alloc(tolls.findings.length, 'x'));
  const quayOnly = await check(root, cache, 'pieces/quay.md');
  assert.equal(quayOnly.checked, 0);
  assert.equal(quayOnly.stdout, (await fresh(root, 'pieces/quay.md')).stdout);

  // Over both pieces, only the one whose findings are spoilt is checked again, and stored anew.
  assert.equal((await check(root, cache, '--no-results-cache')).checked, 2);
  assert.equal((await check(root, cache)).checked, 1, 'the --no-results-cache run neither read nor wrote findings');
  // The quay piece edited and checked alone: the tolls piece's file is left as it was, and its entry kept.
  const tollsFile = resultsCacheFile(cache, root, path.join(root, 'pieces', 'tolls.md'));
  const before = fs.readFileSync(tollsFile);
  const old = Date.now() / 1000 - 3600;
  fs.utimesSync(tollsFile, old, old);
  fs.appendFileSync(path.join(root, 'pieces', 'quay.md'), '\nThe quay is the oldest in Lindvik.\n');
  assert.equal((await check(root, cache, 'pieces/quay.md')).checked, 1);
  assert.deepEqual(fs.readFileSync(tollsFile), before);
  assert.ok(fs.statSync(tollsFile).mtimeMs / 1000 - old < 1, 'not rewritten: the run did not report the tolls piece');
  const all = await check(root, cache);
  assert.equal(all.checked, 0, 'both entries are in the rewritten file');
  assert.equal(all.stdout, (await fresh(root)).stdout);
});

test("results-cache: a month on, a deleted piece's findings go; a piece reported unchanged keeps its own", async () => {
  const root = tempWorkspace({ ...FILES, 'pieces/old.md': 'Tolls rose by 12% in 2023 [@tolls].\n' });
  const cache = path.join(root, '.cache');
  await check(root, cache);
  const file = (piece: string) => resultsCacheFile(cache, root, path.join(root, 'pieces', piece));
  assert.ok(fs.existsSync(file('old.md')));
  fs.rmSync(path.join(root, 'pieces', 'old.md'));
  const monthAgo = Date.now() / 1000 - 31 * 24 * 3600;
  for (const piece of ['old.md', 'quay.md', 'tolls.md']) fs.utimesSync(file(piece), monthAgo, monthAgo);
  const run = await check(root, cache);
  assert.equal(run.checked, 0);
  assert.equal(fs.existsSync(file('old.md')), false, "the deleted piece's file is pruned");
  assert.ok(fs.existsSync(file('quay.md')) && fs.existsSync(file('tolls.md')), 'the reported pieces keep theirs');
  assert.equal((await check(root, cache)).checked, 0);
});

test('results-cache: a source keeps its recorded hash while its stat is unchanged, unless it was written just before it was recorded', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  await check(root, cache);
  const source = path.join(root, 'sources', 'quay.txt');
  // Files written less than RACY_MS ago get no stamp: the next run reads them again.
  assert.equal(stored(root, cache).header.stamps[source], undefined);

  // Whole seconds, so that putting a modification time back below restores it exactly.
  const whole = Math.floor(Date.now() / 1000) - 10;
  fs.utimesSync(source, whole, whole);
  // Recorded as if the files were older: every input gets a stamp.
  const engine = createEngine({ docsBaseUrl: docsBaseUrl() });
  const config = loadConfig(engine, root);
  const inputs = { root, configFile: config.configFile, engine, docsBaseUrl: docsBaseUrl() };
  const later = Date.now() + RACY_MS + 1000;
  const opened = ResultsCache.open(cache, inputs, later);
  assert.ok(opened.reuse(path.join(root, 'pieces', 'quay.md'), 1 << 20), 'the same inputs find the entry');
  opened.recordLoad(opened.loadReport()!);
  assert.equal(opened.save(), undefined);
  assert.equal(stored(root, cache).header.stamps[source]?.length, 5);

  const piece = path.join(root, 'pieces', 'quay.md');
  const reusedAt = (now: number) => ResultsCache.open(cache, inputs, now).reuse(piece, 1 << 20) !== undefined;

  // New bytes of the same size under the old modification time: the change time gives them away.
  fs.writeFileSync(source, FILES['sources/quay.txt'].replace('May after the storm', 'June, after a storm'));
  fs.utimesSync(source, whole, whole);
  assert.equal(reusedAt(later), false, 'a changed source is read again, whatever its size and mtime say');
  fs.writeFileSync(source, FILES['sources/quay.txt']);
  fs.utimesSync(source, whole, whole);
  assert.equal(reusedAt(later), true, 'the original bytes again: the key is their hash, so the entries are found');

  // A wrong hash in a stamp whose stat matches is believed: the key changes and nothing is reused.
  // (Had the file been read, its true hash would have found the entries.) So the stat is what is trusted.
  const tolls = path.join(root, 'sources', 'tolls.txt');
  const tampered = stored(root, cache);
  assert.equal(tampered.header.stamps[tolls]?.length, 5);
  tampered.header.stamps[tolls][4] = '0'.repeat(40);
  store(root, cache, tampered);
  assert.equal(reusedAt(later), false);
});

test('results-cache: a piece stopped by its time budget is not kept; the others are', () => {
  const root = tempWorkspace({ ...FILES, 'pieces/hang.md': 'A paragraph. provenance-test-hang\n' });
  const cache = path.join(root, '.cache');
  const run = () =>
    spawnSync(process.execPath, [path.join(DIST, 'cli.js'), 'check', '--format', 'json', '--cache', cache, '--time-budget', '0.3'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PROVENANCE_TEST_FAULTS: 'check-hang' },
    });
  const first = run();
  assert.equal(first.status, 2, first.stderr);
  assert.match(first.stdout, /input\/skipped/);
  const pieces = Object.keys(stored(root, cache).header.pieces).map((file) => path.basename(file)).sort();
  assert.deepEqual(pieces, ['quay.md', 'tolls.md']);
  const second = run();
  assert.equal(second.status, 2, 'the stopped piece is checked, and stopped, again');
  assert.equal(second.stdout, first.stdout);
});

test('results-cache: nothing is written when a source changed between the stat of the key and its read; a change after the read does not matter', () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const file = resultsCacheFile(cache, root);
  const source = path.join(root, 'sources/tolls.txt');
  const piece = path.join(root, 'pieces/tolls.md');
  /** A run up to saving: the key from the inputs' stats, then the read-ahead (which may come after an edit), then one piece recorded. */
  const run = (editBeforeRead: boolean, editAfterRead: boolean, useReadStats = true) => {
    fs.rmSync(file, { force: true });
    fs.writeFileSync(source, FILES['sources/tolls.txt']);
    const engine = createEngine();
    const loaded = loadConfig(engine, root);
    const results = ResultsCache.open(cache, { root, configFile: loaded.configFile, engine, docsBaseUrl: docsBaseUrl() });
    if (editBeforeRead) fs.writeFileSync(source, 'Tolls on the bridge rose by 15% in 2023, the council said.\n\n');
    const readStats = new Map<string, fs.Stats>();
    readSources(engine, root, (read, stat) => readStats.set(read, stat));
    if (editAfterRead) fs.writeFileSync(source, 'Tolls on the bridge fell by 3% in 2024, the council said in a statement.\n');
    results.recordLoad({ notices: [], fileFindings: [] });
    results.record(piece, { text: fs.readFileSync(piece, 'utf8'), findings: [], unreadable: false });
    results.save(useReadStats ? readStats : undefined);
    return fs.existsSync(file);
  };
  assert.equal(run(false, false), true, 'nothing changed: written');
  assert.equal(run(true, false), false, 'read after an edit the key does not know: not written');
  assert.equal(run(false, true), true, 'edited after it was read: the findings are of the text read, and the next run sees the new stat');
  assert.equal(run(false, true, false), false, 'without the stats of the read, any change since the key counts');
});
