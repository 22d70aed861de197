/**
 * Many pieces are checked on several threads (server/src/cli/pool.ts): the
 * output must be the same, byte for byte and in the same order, as on one
 * thread, whoever checked which piece — also when a worker dies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DIST, tempWorkspace } from '../helpers/repo';
import { indexCacheFile } from '../../server/src/node/index-cache-file';
import { runCli } from '../../server/src/cli/run';
import { PARALLEL_MIN_BYTES, planPool, SPLIT_MIN_BYTES, WARM_SPLIT_MIN_BYTES, type PoolStats } from '../../server/src/cli/pool';
import { SPLIT_GROUPS } from '../../server/src/cli/rule-groups';
import { decodeCache } from '../../server/src/engine/index-cache';
import { TEAM_CONFIG, TEAM_PIECE, TEAM_SOURCE } from '../helpers/team-scenario';
import { CLI_YOUNG_GENERATION_MB } from '../../server/src/node/budget';

const SOURCES: Record<string, string> = {
  'sources/dam.txt': `Dam inspection finds cracks

Engineers found three cracks in the old dam during the annual inspection. "None of them threatens the structure today," the chief engineer said. Repairs will start in the autumn and cost about 400,000.
`,
  'sources/bridge.txt': `Footbridge closed for a week

The footbridge over the canal will close for a week while its deck is replaced. "We chose the quietest week of the year," a council spokesman said.
`,
};

/** Pieces of different sizes and verdicts, so threads finish at different times. */
function pieces(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const paragraphs: string[] = [`# Piece ${i}`];
    for (let p = 0; p < 40 + (i % 5) * 20; p++) {
      paragraphs.push(
        p % 3 === 0
          ? `The engineer said "none of them threatens the structure today" [@dam], paragraph ${p}.`
          : p % 3 === 1
            ? `A spokesman said "we chose the busiest week of the year" [@bridge], paragraph ${p}.`
            : `Someone said "words that appear in no source at all, number ${p}" [@dam], and it was not checked.`,
      );
    }
    files[`pieces/piece-${String(i).padStart(2, '0')}.md`] = paragraphs.join('\n\n') + '\n';
  }
  return files;
}

async function run(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string; stats?: PoolStats }> {
  let stdout = '';
  let stderr = '';
  let stats: PoolStats | undefined;
  const code = await runCli({
    // These tests are about the threads: findings cached by an earlier run would start none.
    argv: [...argv, '--no-results-cache'],
    cwd,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    onPoolStats: (s) => (stats = s),
  });
  return { code, stdout, stderr, stats };
}

test('parallel: several threads give the same output, in the same order, as one', async () => {
  const root = tempWorkspace({ ...SOURCES, ...pieces(12) });
  for (const format of ['json', 'stylish', 'sarif', 'github']) {
    const one = await run(['check', 'pieces', '--format', format, '--jobs', '1'], root);
    const two = await run(['check', 'pieces', '--format', format, '--jobs', '3'], root);
    // Pieces are checked in workers only (they can be stopped at their time budget); --jobs counts them.
    assert.equal(one.stats?.workers, 1);
    assert.equal(two.stats?.workers, 3);
    assert.deepEqual(two.stats?.groups, ['sources', 'style']);
    assert.equal(two.stats!.checkedBy.reduce((a, b) => a + b, 0), 24, 'each half of every piece checked exactly once');
    assert.equal(two.code, one.code);
    assert.equal(two.stdout, one.stdout, format);
  }
  const json = JSON.parse((await run(['check', 'pieces', '--format', 'json'], root)).stdout);
  assert.deepEqual(
    json.files.map((f: { path: string }) => f.path),
    Array.from({ length: 12 }, (_, i) => `pieces/piece-${String(i).padStart(2, '0')}.md`),
  );
});

test('parallel: by default, one worker per core only when there are several pieces with enough text, else one', async () => {
  const many = pieces(12);
  assert.ok(Object.values(many).join('').length > PARALLEL_MIN_BYTES);
  const root = tempWorkspace({ ...SOURCES, ...many, 'small/a.md': 'One "quotation" here.\n', 'small/b.md': 'Another line.\n' });
  const big = await run(['check', 'pieces'], root);
  assert.equal(big.stats?.workers, Math.min(os.availableParallelism(), 7));
  const small = await run(['check', 'small'], root);
  assert.equal(small.stats?.workers, 1);
  const single = await run(['check', 'pieces/piece-00.md'], root);
  assert.equal(single.stats?.workers, 1);
});

test('parallel: with the index cache written, one thread checks pieces below WARM_SPLIT_MIN_BYTES; without it, the split starts earlier', (t) => {
  if (os.availableParallelism() < 2) return t.skip('one core: never more than one thread');
  const root = tempWorkspace({ 'small.md': 'x'.repeat(2048), 'big.md': 'x'.repeat(WARM_SPLIT_MIN_BYTES + 1024), 'source.txt': 'y'.repeat(SPLIT_MIN_BYTES) });
  const [small, big, source] = ['small.md', 'big.md', 'source.txt'].map((name) => path.join(root, name));
  const sources = () => [source];
  assert.deepEqual(planPool([small], undefined, sources, false).groups, SPLIT_GROUPS, 'cold: a large corpus is worth a second thread');
  assert.deepEqual(planPool([small], undefined, sources, true), { workers: 1, groups: ['all'] }, 'warm: the corpus is read back, one thread is cheaper');
  assert.deepEqual(planPool([big], undefined, sources, true).groups, SPLIT_GROUPS);
  assert.deepEqual(planPool([small], 2, sources, true).groups, SPLIT_GROUPS, '--jobs is obeyed');
});

test('parallel: pieces claimed by workers that keep dying are checked on the main thread', async () => {
  const root = tempWorkspace({ ...SOURCES, ...pieces(8) });
  const expected = (await run(['check', 'pieces', '--format', 'json', '--jobs', '1'], root)).stdout;
  process.env.PROVENANCE_TEST_FAULTS = 'cli-worker';
  try {
    const crashed = await run(['check', 'pieces', '--format', 'json', '--jobs', '2'], root);
    assert.equal(crashed.stdout, expected);
    assert.equal(crashed.stats!.checkedBy[1], 0, 'the dead worker answered nothing');
    assert.equal(crashed.stats!.checkedBy[0], 16, 'both halves of each piece');
  } finally {
    delete process.env.PROVENANCE_TEST_FAULTS;
  }
});

test('parallel: the bundled dist/cli.js is its own worker script', () => {
  const root = tempWorkspace({ ...SOURCES, ...pieces(6) });
  const cli = path.join(DIST, 'cli.js');
  const one = spawnSync(process.execPath, [cli, 'check', 'pieces', '--no-results-cache', '--format', 'json', '--jobs', '1'], { cwd: root, encoding: 'utf8' });
  const two = spawnSync(process.execPath, [cli, 'check', 'pieces', '--no-results-cache', '--format', 'json', '--jobs', '2'], { cwd: root, encoding: 'utf8' });
  assert.equal(two.status, one.status, two.stderr);
  assert.equal(two.stdout, one.stdout);
  assert.equal(JSON.parse(two.stdout).files.length, 6);
  const crashed = spawnSync(process.execPath, [cli, 'check', 'pieces', '--no-results-cache', '--format', 'json', '--jobs', '2'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PROVENANCE_TEST_FAULTS: 'cli-worker' },
  });
  assert.equal(crashed.stdout, one.stdout);
  // What a worker prints goes to stderr: stdout is the report.
  const noisy = spawnSync(process.execPath, [cli, 'check', 'pieces', '--no-results-cache', '--format', 'json', '--jobs', '2'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PROVENANCE_TEST_FAULTS: 'worker-stdout' },
  });
  assert.equal(noisy.stdout, one.stdout);
  assert.match(noisy.stderr, /stray output from a check worker/);
});

test('parallel: CLI workers run with a small nursery, the main thread\'s heap limit and the same findings', () => {
  const root = tempWorkspace({ ...SOURCES, ...pieces(2) });
  const cli = path.join(DIST, 'cli.js');
  const result = spawnSync(process.execPath, [cli, 'check', 'pieces', '--no-results-cache', '--format', 'json', '--jobs', '2'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PROVENANCE_TEST_FAULTS: 'worker-limits' },
  });
  const limits = [...result.stderr.matchAll(/check worker limits (\{.*\})/g)].map((m) => JSON.parse(m[1]) as Record<string, number>);
  assert.equal(limits.length, 2, result.stderr);
  for (const limit of limits) {
    assert.equal(limit.maxYoungGenerationSizeMb, CLI_YOUNG_GENERATION_MB);
    assert.ok(limit.maxOldGenerationSizeMb >= 256);
  }
  const plain = spawnSync(process.execPath, [cli, 'check', 'pieces', '--no-results-cache', '--format', 'json', '--jobs', '2'], { cwd: root, encoding: 'utf8' });
  assert.equal(result.stdout, plain.stdout);
});

/** A piece that trips rules of both halves (rule-groups.ts): quotations, claims, citations, house style, a team rule, an inline disable. */
const SPLIT_PIECE = `${TEAM_PIECE}
The engineer said "none of them threatens the structure today" [@dam].

A spokesman said "we chose the busiest week of the year" [@bridge].

<!-- provenance-disable-next-line quote/not-found -->
Someone said "words that appear in no source at all" [@dam].

Repairs will cost about 400,000, the council said.

Some experts believe the regime chose the quietest week.
`;

test('parallel: one piece on two threads, its rules split in halves, gives the same output as one thread', async () => {
  const root = tempWorkspace({ ...SOURCES, 'sources/ferry-talks.txt': TEAM_SOURCE, '.provenance.yml': TEAM_CONFIG, 'pieces/piece.md': SPLIT_PIECE });
  for (const format of ['json', 'stylish', 'sarif', 'github']) {
    const one = await run(['check', 'pieces/piece.md', '--format', format, '--jobs', '1'], root);
    const two = await run(['check', 'pieces/piece.md', '--format', format, '--jobs', '2'], root);
    assert.deepEqual(one.stats?.groups, ['all']);
    assert.deepEqual(two.stats?.groups, ['sources', 'style']);
    assert.equal(two.stats?.workers, 2);
    assert.deepEqual(two.stats?.checkedBy, [0, 1, 1], 'each worker checked its half of the piece');
    assert.equal(two.code, one.code);
    assert.equal(two.stdout, one.stdout, format);
  }
  // Both halves found something, so the comparison above merged two non-empty lists.
  const codes = JSON.parse((await run(['check', 'pieces/piece.md', '--format', 'json', '--jobs', '2'], root)).stdout).files[0].diagnostics.map((d: { code: string }) => d.code);
  for (const code of ['quote/misquote', 'claim/unsourced', 'style/banned-term', 'style/attribution-verb', 'team/house-spellings']) assert.ok(codes.includes(code), `${code} in ${codes}`);
  assert.ok(!codes.includes('quote/not-found'), 'the inline disable applies to its half');
});

test('parallel: split halves write one index cache from both, and a changed source changes the answer', async () => {
  const root = tempWorkspace({ ...SOURCES, 'pieces/piece.md': SPLIT_PIECE });
  const cache = path.join(root, '.cache');
  const fresh = (await run(['check', 'pieces/piece.md', '--format', 'json', '--jobs', '2'], root)).stdout;
  const cold = await run(['check', 'pieces/piece.md', '--format', 'json', '--jobs', '2', '--cache', cache], root);
  assert.equal(cold.stdout, fresh);
  assert.equal(cold.stderr, '');
  const file = path.basename(indexCacheFile(cache, root));
  assert.deepEqual(fs.readdirSync(cache).filter((name) => name.startsWith('provenance-index-')), [file]);
  const written = fs.statSync(path.join(cache, file)).mtimeMs;
  const warm = await run(['check', 'pieces/piece.md', '--format', 'json', '--jobs', '2', '--cache', cache], root);
  assert.equal(warm.stdout, fresh);
  assert.equal(fs.statSync(path.join(cache, file)).mtimeMs, written, 'nothing changed, so the cache is not written again');
  // The misquoted quotation becomes verbatim once the source says so: a stale cache would keep the misquote.
  const before = JSON.parse(warm.stdout).files[0].diagnostics.filter((d: { code: string }) => d.code === 'quote/misquote').length;
  fs.writeFileSync(path.join(root, 'sources/bridge.txt'), SOURCES['sources/bridge.txt'].replace('quietest', 'busiest'));
  const changed = await run(['check', 'pieces/piece.md', '--format', 'json', '--jobs', '2', '--cache', cache], root);
  assert.equal(changed.stdout, (await run(['check', 'pieces/piece.md', '--format', 'json', '--jobs', '1'], root)).stdout);
  assert.equal(JSON.parse(changed.stdout).files[0].diagnostics.filter((d: { code: string }) => d.code === 'quote/misquote').length, before - 1);
  const rewarm = await run(['check', 'pieces/piece.md', '--format', 'json', '--jobs', '2', '--cache', cache], root);
  assert.equal(rewarm.stdout, changed.stdout);
});

const STRIKE_SOURCE = `Dockers vote to strike at Harwick

Harwick dock workers voted on Tuesday to strike over pay. Union organiser Magdalena Wrona said the offer was "an insult to every crane driver".

Ms Wrona said the union would picket the gates from Monday, and the port would lose about 2 million pounds a day.
`;

/** A piece whose findings come from every corpus product: quotation index (quote/*), passage index (claim/*), entity knowledge (style/name-variant). */
const PRODUCTS_PIECE = `# Harbour strike

Organiser Magdalena Wrona said the offer was "an insult to every crane driver" [@strike].

Magdalene Wrona will lead the picket from Monday [@strike].

The engineer said "none of them threatens the structure today" [@dam].

The port would lose about 2 million pounds a day, the organisers said.

Repairs will cost about 400,000, the council said.
`;

test('parallel: each half reads and writes only its own cache sections; the file stays whole and valid for one thread', async () => {
  const root = tempWorkspace({ ...SOURCES, 'sources/strike.txt': STRIKE_SOURCE, 'pieces/piece.md': PRODUCTS_PIECE });
  const cache = path.join(root, '.cache');
  const check = (jobs: string, cached: boolean) => run(['check', 'pieces/piece.md', '--format', 'json', '--jobs', jobs, ...(cached ? ['--cache', cache] : ['--no-cache'])], root);
  const codes = (stdout: string): string[] => JSON.parse(stdout).files[0].diagnostics.map((d: { code: string }) => d.code);
  const cacheFile = () => indexCacheFile(cache, root);

  const fresh = (await check('1', false)).stdout;
  assert.ok(codes(fresh).includes('style/name-variant'), codes(fresh).join());
  assert.ok(codes(fresh).includes('claim/unsourced'), codes(fresh).join());
  assert.ok(!codes(fresh).includes('quote/misquote'), codes(fresh).join());

  const cold = await check('2', true);
  assert.deepEqual(cold.stats?.groups, ['sources', 'style']);
  assert.equal(cold.stdout, fresh);
  // Written from both halves: every product's section is there.
  const sections = decodeCache(new Uint8Array(fs.readFileSync(cacheFile())))!;
  assert.deepEqual([...sections.keys()].sort(), ['entities', 'passages', 'quotes', 'source-headers', 'source-words']);
  for (const [name, bytes] of sections) assert.ok(bytes.length > 0, name);

  // One thread reading the whole file finds every section current: nothing is rebuilt, so nothing is written.
  const written = fs.statSync(cacheFile()).mtimeMs;
  assert.equal((await check('1', true)).stdout, fresh);
  assert.equal((await check('2', true)).stdout, fresh);
  assert.equal(fs.statSync(cacheFile()).mtimeMs, written, 'a warm run rewrote the cache: a section was missing or stale');

  // A changed source changes both halves' answers: the quotation is now a misquote, the other spelling the source's own.
  fs.writeFileSync(path.join(root, 'sources/strike.txt'), STRIKE_SOURCE.replace('Magdalena', 'Magdalene').replace('crane driver', 'dock worker'));
  const changed = await check('2', true);
  const scratch = (await check('1', false)).stdout;
  assert.equal(changed.stdout, scratch);
  assert.notEqual(scratch, fresh);
  const variantLines = (stdout: string) => JSON.parse(stdout).files[0].diagnostics.filter((d: { code: string }) => d.code === 'style/name-variant').map((d: { range: { start: { line: number } } }) => d.range.start.line);
  assert.notDeepEqual(variantLines(scratch), variantLines(fresh), 'the name variant flagged follows the source');
  assert.ok(codes(scratch).includes('quote/misquote'), codes(scratch).join());

  // The split run rewrote its halves' sections; one thread reading them is warm again and agrees.
  const rewritten = fs.statSync(cacheFile()).mtimeMs;
  assert.notEqual(rewritten, written);
  assert.equal((await check('1', true)).stdout, scratch);
  assert.equal(fs.statSync(cacheFile()).mtimeMs, rewritten, 'one thread found a section the split run left stale');
});

test('parallel: a half that overruns its budget stops the piece with one finding', () => {
  const root = tempWorkspace({ ...SOURCES, 'pieces/hang.md': 'The engineer said "provenance-test-hang" [@dam].\n' });
  const cli = path.join(DIST, 'cli.js');
  const run = spawnSync(process.execPath, [cli, 'check', 'pieces/hang.md', '--no-results-cache', '--format', 'json', '--jobs', '2', '--time-budget', '0.3'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PROVENANCE_TEST_FAULTS: 'check-hang' },
    timeout: 60_000,
  });
  assert.equal(run.status, 2, run.stderr);
  const diagnostics = JSON.parse(run.stdout).files[0].diagnostics;
  assert.deepEqual(diagnostics.map((d: { code: string }) => d.code), ['input/skipped']);
  assert.equal(diagnostics[0].data.reason, 'time-budget');
});
