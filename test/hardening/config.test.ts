/**
 * Issue #8, item 6: a broken config. Each kind of problem — YAML syntax,
 * duplicate key, unknown key, wrong type, a team pattern that would need
 * backtracking, a config reached through a symbolic link — is reported at its
 * exact line and column in the config file; the CLI prints that position and
 * exits 2 while still checking the pieces; in the editor, checking goes on with
 * the last readable config while the file cannot be read at all (a problem in
 * one setting only drops that setting), and the config file says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, cliJson } from '../helpers/cli';
import { tempWorkspace } from '../helpers/repo';
import { LspClient, rangeOf, type PublishedDiagnostics } from '../helpers/lsp-client';
import { NORMAL_PIECE, SOURCE } from './inputs';

interface BrokenConfig {
  kind: string;
  text: string;
  /** The text the problem is reported at (its start is the expected position). */
  at: string;
  message: RegExp;
}

const BROKEN: BrokenConfig[] = [
  { kind: 'YAML syntax error', text: 'rules:\n\tquote/misquote: off\n', at: '\tquote/misquote', message: /not valid YAML: Tabs are not allowed/ },
  { kind: 'duplicate key', text: 'maxFileSize: 100000\nsources: sources/*.txt\nmaxFileSize: 200000\n', at: 'maxFileSize: 200000', message: /Map keys must be unique/ },
  { kind: 'unknown key', text: 'sources: sources/*.txt\ncolour: blue\n', at: 'colour', message: /Unknown config key "colour"/ },
  { kind: 'wrong type', text: 'sources: sources/*.txt\nmaxFileSize: big\n', at: 'big', message: /maxFileSize.*expected integer/ },
  {
    kind: 'backreference in a team pattern',
    text: 'teamRules:\n  doubled:\n    kind: existence\n    patterns:\n      - "\\\\b(\\\\w+) \\\\1\\\\b"\n    message: Doubled word\n',
    at: '"\\\\b(',
    message: /backreference "\\1"/,
  },
  {
    kind: 'lookbehind in a team pattern',
    text: 'teamRules:\n  after-said:\n    kind: existence\n    patterns:\n      - "(?<=said )very"\n    message: Hedge\n',
    at: '"(?<=',
    message: /lookbehind "\(\?<="/,
  },
];

/** 1-based "line:column" of the start of `needle` in `text`, as the stylish format prints it. */
function lineColumn(text: string, needle: string): string {
  const start = rangeOf(text, needle).start;
  return `${start.line + 1}:${start.character + 1}`;
}

for (const broken of BROKEN) {
  test(`config (CLI): ${broken.kind} is reported at its exact line and column, exit 2, and the pieces are still checked`, async () => {
    const root = tempWorkspace({ '.provenance.yml': broken.text, 'sources/harbour-wall.txt': SOURCE, 'piece.md': NORMAL_PIECE });
    const { code, report } = await cliJson(['check'], root);
    assert.equal(code, 2);
    const config = report.files.find((f) => f.path === '.provenance.yml')!;
    const problem = config.diagnostics.find((d) => broken.message.test(d.message));
    assert.ok(problem, `no finding matching ${broken.message}: ${JSON.stringify(config.diagnostics)}`);
    assert.equal(problem.code, 'config/invalid');
    assert.equal(problem.severity, 'error');
    assert.deepEqual(problem.range.start, rangeOf(broken.text, broken.at).start);
    assert.ok(report.files.find((f) => f.path === 'piece.md')!.diagnostics.some((d) => d.code === 'quote/misquote'), 'the piece is checked');
    const stylish = await cli(['check'], root);
    assert.match(stylish.stdout, new RegExp(`^\\s+${lineColumn(broken.text, broken.at)}\\s+error\\s+.*config/invalid$`, 'm'));
  });
}

test('config (CLI): an empty config file is a valid config — defaults, no finding', async () => {
  const root = tempWorkspace({ '.provenance.yml': '', 'sources/harbour-wall.txt': SOURCE, 'piece.md': NORMAL_PIECE });
  const { code, report } = await cliJson(['check'], root);
  assert.equal(code, 0);
  assert.equal(report.files.find((f) => f.path === '.provenance.yml'), undefined);
  assert.deepEqual(report.files.find((f) => f.path === 'piece.md')!.diagnostics.map((d) => d.code), ['quote/misquote']);
});

/** A workspace whose .provenance.yml is a symbolic link to a team config kept beside it. */
function linkedConfigWorkspace(configText: string): string {
  const outer = tempWorkspace({ 'team/provenance.yml': configText, 'analysis/sources/harbour-wall.txt': SOURCE, 'analysis/piece.md': NORMAL_PIECE });
  fs.symlinkSync(path.join(outer, 'team', 'provenance.yml'), path.join(outer, 'analysis', '.provenance.yml'));
  return path.join(outer, 'analysis');
}

test('config (CLI): a config reached through a symbolic link is read, and its problems are reported at their position in it', async () => {
  const text = 'sources: sources/*.txt\nmaxFileSize: big\n';
  const root = linkedConfigWorkspace(text);
  const { code, report } = await cliJson(['check'], root);
  assert.equal(code, 2);
  const config = report.files.find((f) => f.path === '.provenance.yml')!;
  assert.deepEqual(config.diagnostics.map((d) => [d.code, d.range.start]), [['config/invalid', rangeOf(text, 'big').start]]);
  assert.ok(report.files.find((f) => f.path === 'piece.md')!.diagnostics.some((d) => d.code === 'quote/misquote'));
});

const GOOD_CONFIG = 'sources: sources/*.txt\nrules:\n  quote/misquote: off\n';
const HALF_TYPED = 'sources: sources/*.txt\nrules:\n  quote/misquote: off\n\tstyle/weasel-words: off\n';

test('config (server): while the config cannot be read (half-typed YAML), checking goes on with its last readable version and the config file says so; fixing it applies the new one', { timeout: 60_000 }, async (t) => {
  const root = linkedConfigWorkspace(GOOD_CONFIG);
  const client = await LspClient.start({ root, kind: 'push' });
  t.after(() => client.stop());
  const piece = client.open('piece.md');
  await client.waitForDiagnostics(piece, (p) => p.version === 1, { timeoutMs: 30_000 });
  const configUri = client.open('.provenance.yml');

  const from = client.notifications.length;
  client.change(configUri, HALF_TYPED);
  const reported: PublishedDiagnostics = await client.waitForDiagnostics(configUri, (p) => p.diagnostics.length > 0, { since: from, timeoutMs: 30_000 });
  const error = reported.diagnostics.find((d) => d.severity === 1 && /not valid YAML/.test(String(d.message)));
  assert.ok(error, JSON.stringify(reported.diagnostics));
  assert.deepEqual(error.range.start, rangeOf(HALF_TYPED, '\tstyle').start, 'at the tab that breaks it');
  const notice = reported.diagnostics.find((d) => d.severity === 3);
  assert.ok(notice, 'an information says checking goes on with the last good config');
  assert.match(String(notice.message), /keeps checking with its last readable version/);
  assert.deepEqual(notice.range.start, { line: 0, character: 0 });
  // Defaults would bring quote/misquote back; the last good config keeps it off.
  const rechecked = await client.waitForDiagnostics(piece, () => true, { since: from, timeoutMs: 30_000 });
  assert.ok(!rechecked.diagnostics.some((d) => d.code === 'quote/misquote'), JSON.stringify(rechecked.diagnostics.map((d) => d.code)));

  const fixedFrom = client.notifications.length;
  client.change(configUri, 'sources: sources/*.txt\nrules:\n  quote/misquote: error\n');
  const fixed = await client.waitForDiagnostics(piece, (p) => p.diagnostics.some((d) => d.code === 'quote/misquote'), { since: fixedFrom, timeoutMs: 30_000 });
  assert.equal(fixed.diagnostics.find((d) => d.code === 'quote/misquote')!.severity, 1, 'the fixed config applies');
  const cleared = await client.waitForDiagnostics(configUri, () => true, { since: fixedFrom, timeoutMs: 30_000 });
  assert.deepEqual(cleared.diagnostics, [], 'notice and error are gone');
});
