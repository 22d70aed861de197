/**
 * `provenance check --timing` (server/src/cli/timing.ts): each rule's time,
 * the parse's and the run's phases go to stderr; the report on stdout is the
 * same as without it. Also the engine's side of it (`CheckOptions.timing`):
 * every step it runs is timed once, on the embedder's clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli } from '../helpers/cli';
import { REPO_ROOT, tempWorkspace } from '../helpers/repo';
import { createEngine } from '../../server/src/engine/index';
import { rules } from '../../server/src/engine/rules/index';
import { blockRuleGroups, KEPT_BLOCK_FINDINGS_STEP } from '../../server/src/engine/block-findings';

const FILES = {
  '.provenance.yml':
    'sources:\n  - sources/**/*.txt\ndocuments:\n  - "pieces/*.md"\nrules:\n  style/banned-term:\n    terms: ["regime"]\nteamRules:\n  house-spellings:\n    kind: substitution\n    message: \'House style is "{replacement}", not "{match}".\'\n    swap: { Kiev: Kyiv }\n',
  'sources/quay.txt': 'The harbour master said the quay would reopen in May after the storm repairs.\n',
  'pieces/quay.md': 'The harbour master said "the quay would reopen in June" [@quay]. Some experts say the regime spent 4 million pounds in 2023.\n',
};

/** The rules a check runs: every rule with a check (config/invalid and input/skipped are reported by the adapters). */
const BUILT_IN_RULES = rules.filter((rule) => rule.check).map((rule) => rule.id);
/** And the fixture's team rule, after them. */
const CHECKED_RULES = [...BUILT_IN_RULES, 'team/house-spellings'];
/** The groups of block-scoped rules, each run after the lookup of its kept findings; then the rest of the rules. */
const BLOCK_GROUPS = blockRuleGroups(rules.filter((rule) => rule.check && rule.scope === 'block').map((rule) => ({ rule, options: {} }))).map((group) => group.map((run) => run.rule.id));
const WHOLE_PIECE_RULES = CHECKED_RULES.filter((id) => !BLOCK_GROUPS.flat().includes(id));

/** The rule table's rows, step → milliseconds. */
function ruleRows(stderr: string): Map<string, number> {
  const rows = new Map<string, number>();
  const table = stderr.slice(stderr.indexOf('\nRule '), stderr.indexOf('\nchecking, all of the above'));
  for (const line of table.split('\n').slice(2)) {
    const match = /^(.+?)\s+(\d+\.\d)\s+(\d+\.\d)%$/.exec(line);
    assert.ok(match, `a row of the rule table: ${JSON.stringify(line)}`);
    rows.set(match[1], Number(match[2]));
  }
  return rows;
}

function phase(stderr: string, label: string): number | undefined {
  const line = stderr.split('\n').find((l) => l.startsWith(label));
  return line === undefined ? undefined : Number(line.slice(label.length).trim());
}

for (const jobs of ['1', '2']) {
  test(`timing: --timing prints each rule, the parse and the phases to stderr, and leaves the report alone (--jobs ${jobs})`, async () => {
    const root = tempWorkspace(FILES);
    const plain = await cli(['check', '--format', 'json', '--jobs', jobs, '--no-cache'], root);
    const timed = await cli(['check', '--format', 'json', '--jobs', jobs, '--no-cache', '--timing'], root);
    assert.equal(timed.code, plain.code);
    assert.equal(timed.stdout, plain.stdout, 'the report is the same');
    assert.match(plain.stdout, /quote\/misquote/);
    assert.doesNotMatch(plain.stderr, /Timing/, 'nothing without --timing');

    assert.match(timed.stderr, /^Timing, in milliseconds: 1 piece checked, 0 from the results cache\./m);
    const rows = ruleRows(timed.stderr);
    // Every rule that ran, once (with two threads, each half's rules; the halves' parse times are added). Without a
    // cache no findings are kept per block, so there is no lookup of them.
    assert.deepEqual([...rows.keys()].sort(), [...CHECKED_RULES, 'parse'].sort());
    for (const [step, ms] of rows) assert.ok(ms >= 0, `${step}: ${ms}`);
    const sum = [...rows.values()].reduce((a, b) => a + b, 0);
    const total = phase(timed.stderr, 'whole run');
    assert.ok(total !== undefined && total >= sum / Number(jobs) - 1, `the whole run (${total} ms) takes at least the checking (${sum} ms over ${jobs} threads)`);
    for (const label of ["start-up, to the CLI's first line", 'loading the workspace (workers)', 'corpus products (workers)']) {
      const value = phase(timed.stderr, label);
      assert.ok(value !== undefined && value >= 0 && value <= total!, `${label}: ${value}`);
    }
  });
}

test('timing: with several pieces, the slowest are listed by their checking time; with one, no list', async () => {
  const root = tempWorkspace({ ...FILES, 'pieces/long.md': FILES['pieces/quay.md'].repeat(40), 'pieces/short.md': 'Nothing to see.\n' });
  const run = await cli(['check', '--no-cache', '--jobs', '1', '--timing'], root);
  const at = run.stderr.indexOf('Slowest pieces (checking time):');
  assert.ok(at >= 0, run.stderr);
  const listed = run.stderr.slice(at).split('\n').slice(1, 4).map((line) => /^(\S+)\s+(\d+\.\d)$/.exec(line));
  assert.deepEqual(listed.map((m) => m?.[1]).sort(), ['pieces/long.md', 'pieces/quay.md', 'pieces/short.md']);
  const times = listed.map((m) => Number(m![2]));
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'slowest first');
  assert.equal(listed[0]![1], 'pieces/long.md', 'forty times the text takes longest');
  const one = await cli(['check', 'pieces/quay.md', '--no-cache', '--timing'], root);
  assert.doesNotMatch(one.stderr, /Slowest/);
});

test('timing: a run whose piece comes from the results cache checks nothing, and says so', async () => {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  await cli(['check', '--cache', cache], root);
  const run = await cli(['check', '--cache', cache, '--timing'], root);
  assert.match(run.stderr, /^Timing, in milliseconds: 0 pieces checked, 1 from the results cache\./m);
  assert.doesNotMatch(run.stderr, /^Rule /m, 'no rule ran');
  assert.ok((phase(run.stderr, 'whole run') ?? -1) > 0);
});

test('timing: the built dist/cli.js prints the table to stderr, the report to stdout', () => {
  const root = tempWorkspace(FILES);
  const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'check', '--format', 'json', '--no-cache', '--timing'], { cwd: root, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, run.stderr);
  assert.equal(JSON.parse(run.stdout).files[0].path, 'pieces/quay.md');
  assert.ok(ruleRows(run.stderr).has('claim/unsourced'));
});

test('timing: the engine times the parse, then each rule it runs, once, on the clock it is given', () => {
  const engine = createEngine();
  engine.setConfig('file:///w/.provenance.yml', FILES['.provenance.yml']);
  engine.setSource('file:///w/sources/quay.txt', 'sources/quay.txt', FILES['sources/quay.txt']);
  const steps: string[] = [];
  let tick = 0;
  // A clock that moves one unit per reading: each step is told it took exactly one unit.
  const timing = { now: () => tick++, add: (step: string, time: number) => steps.push(`${step}=${time}`) };
  const doc = { uri: 'file:///w/pieces/quay.md', path: 'pieces/quay.md', text: FILES['pieces/quay.md'] };
  const findings = engine.check(doc, undefined, { timing });
  const kept = `${KEPT_BLOCK_FINDINGS_STEP}=1`;
  // Every group's kept findings are looked up first; then the block-scoped rules run, group by group; then the other rules.
  assert.deepEqual(steps, ['parse=1', ...BLOCK_GROUPS.map(() => kept), ...BLOCK_GROUPS.flat().map((id) => `${id}=1`), ...WHOLE_PIECE_RULES.map((id) => `${id}=1`)]);
  assert.deepEqual(findings, engine.check(doc), 'the same findings as an untimed check');
  // The same text again: every block's findings are kept, so no block-scoped rule runs.
  steps.length = 0;
  assert.deepEqual(engine.check(doc, undefined, { timing }), findings);
  assert.deepEqual(steps, ['parse=1', ...BLOCK_GROUPS.map(() => kept), ...WHOLE_PIECE_RULES.map((id) => `${id}=1`)]);
  // Only the rules asked for are run, so only they are timed (the style rules' blocks are kept from above).
  steps.length = 0;
  engine.check(doc, undefined, { timing, rules: (id) => id.startsWith('style/') });
  assert.deepEqual(steps, ['parse=1', ...BLOCK_GROUPS.filter((group) => group[0].startsWith('style/')).map(() => kept), ...WHOLE_PIECE_RULES.filter((id) => id.startsWith('style/')).map((id) => `${id}=1`)]);
});
