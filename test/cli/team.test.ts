/**
 * The team scenario through the CLI: a config that bans two terms, turns one
 * rule off, raises another to error and adds a team rule — and what CI sees
 * (findings, severities, exit codes) when the piece or the config changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, cliJson, type JsonReport } from '../helpers/cli';
import { REPO_ROOT, tempWorkspace } from '../helpers/repo';
import { TEAM_CONFIG, TEAM_PIECE, TEAM_SOURCE } from '../helpers/team-scenario';

function workspace(config = TEAM_CONFIG, piece = TEAM_PIECE): string {
  return tempWorkspace({ '.provenance.yml': config, 'sources/ferry-talks.txt': TEAM_SOURCE, 'analysis.md': piece });
}

/** `line severity code text` of each style/team finding in a file, positions found by text. */
function summary(report: JsonReport, file: string, text: string): string[] {
  const lines = text.split('\n');
  const diagnostics = report.files.find((f) => f.path === file)?.diagnostics ?? [];
  return diagnostics
    .filter((d) => /^(style|team|config)\//.test(d.code))
    .map((d) => {
      const { start, end } = d.range;
      const covered = start.line === end.line ? lines[start.line].slice(start.character, end.character) : '…';
      return `${start.line + 1} ${d.severity} ${d.code} ${covered}`;
    });
}

test('team scenario (CLI): banned terms, a rule off, a rule raised to error, a team rule; exit 1 on the error', async () => {
  const root = workspace();
  const { code, report } = await cliJson(['check'], root);
  assert.deepEqual(summary(report, 'analysis.md', TEAM_PIECE), [
    '3 warning style/banned-term regime',
    '3 warning style/banned-term so-called',
    '3 warning team/house-spellings Kiev',
    '7 error style/attribution-verb claimed',
  ]);
  const diagnostics = report.files.find((f) => f.path === 'analysis.md')!.diagnostics;
  assert.ok(!diagnostics.some((d) => d.code === 'style/weasel-words'), 'style/weasel-words is off');
  assert.equal(diagnostics.find((d) => d.code === 'team/house-spellings')?.message, 'House style is "Kyiv", not "Kiev".');
  assert.equal(diagnostics.find((d) => d.code === 'style/banned-term' && /so-called/.test(d.message))?.message, 'Drop "so-called": quote the label instead.');
  assert.equal(code, 1, 'an error-severity finding fails the run');
});

test('team scenario (CLI): without the error the run passes; --max-warnings still counts style warnings', async () => {
  const piece = TEAM_PIECE.replace('claimed', 'said');
  const root = workspace(TEAM_CONFIG, piece);
  const { code, report } = await cliJson(['check'], root);
  assert.equal(code, 0);
  assert.equal(summary(report, 'analysis.md', piece).filter((s) => s.includes(' error ')).length, 0);
  assert.equal((await cli(['check', '--max-warnings', '2', '--format', 'json'], root)).code, 1);
});

test('team scenario (CLI): a broken team rule is reported at its line, exits 2, and the rest of the config still applies', async () => {
  const config = TEAM_CONFIG + `  hedges:\n    kind: existence\n    patterns: ['(?<!not )arguably']\n`;
  const root = workspace(config);
  const { code, report } = await cliJson(['check'], root);
  assert.equal(code, 2, 'a config/invalid error is a usage error for CI');
  const onConfig = report.files.find((f) => f.path === '.provenance.yml')?.diagnostics ?? [];
  assert.deepEqual(
    onConfig.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`),
    [`${config.split('\n').findIndex((l) => l.includes('(?<!')) + 1}:16 config/invalid`],
  );
  assert.match(onConfig[0].message, /lookbehind/);
  assert.deepEqual(summary(report, 'analysis.md', TEAM_PIECE).length, 4, 'the piece is still checked with the valid settings');
});

test('team scenario (CLI): an unknown rule id and a bad option are config errors at their line', async () => {
  const config = TEAM_CONFIG.replace('style/weasel-words: off', 'style/weasel-word: off').replace('replacement: government', 'replacement: government, case: upper');
  const root = workspace(config);
  const { code, report } = await cliJson(['check'], root);
  assert.equal(code, 2);
  const lines = config.split('\n');
  const onConfig = (report.files.find((f) => f.path === '.provenance.yml')?.diagnostics ?? []).map((d) => `${d.range.start.line + 1} ${d.message}`);
  assert.ok(onConfig.some((m) => m.startsWith(`${lines.findIndex((l) => l.includes('weasel-word:')) + 1} Unknown rule "style/weasel-word" (did you mean "style/weasel-words"?)`)), onConfig.join('\n'));
  assert.ok(onConfig.some((m) => m.startsWith(`${lines.findIndex((l) => l.includes('case: upper')) + 1} `) && /unknown key "case"/.test(m)), onConfig.join('\n'));
});

test('team scenario (CLI): stylish lines of team findings match the problem matcher VS Code tasks use', async () => {
  const root = workspace();
  const { stdout } = await cli(['check', '--format', 'stylish'], root);
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const matcher = manifest.contributes.problemMatchers.find((m: { name: string }) => m.name === 'provenance');
  const line = new RegExp(matcher.pattern[1].regexp);
  const teamLine = stdout.split('\n').find((l) => l.includes('team/house-spellings'));
  assert.ok(teamLine, stdout);
  assert.equal(line.exec(teamLine!)?.[5], 'team/house-spellings', `${teamLine} does not match ${line}`);
});
