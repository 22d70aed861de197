/**
 * The team scenario over LSP: the team's config arrives, changes and breaks
 * while the server runs, and the open piece's diagnostics follow — on disk
 * (didChangeWatchedFiles) for a push client, in the editor (didChange) for a
 * pull client — without restarting the server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-types';
import { fileUri, LspClient, rangeOf } from '../helpers/lsp-client';
import { tempWorkspace } from '../helpers/repo';
import { TEAM_CONFIG, TEAM_PIECE, TEAM_SOURCE } from '../helpers/team-scenario';

const SEVERITY = ['', 'error', 'warning', 'information', 'hint'];

/** `severity code covered-text` for the style, team and config findings, in order. */
function styleSummary(text: string, diagnostics: Diagnostic[]): string[] {
  const lines = text.split('\n');
  return diagnostics
    .filter((d) => /^(style|team|config)\//.test(String(d.code)))
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character)
    .map((d) => `${SEVERITY[d.severity ?? 0]} ${d.code} ${lines[d.range.start.line].slice(d.range.start.character, d.range.end.character)}`);
}

const DEFAULTS = ['warning style/weasel-words Critics say', 'information style/attribution-verb claimed'];
const TEAM = [
  'warning style/banned-term regime',
  'warning style/banned-term so-called',
  'warning team/house-spellings Kiev',
  'error style/attribution-verb claimed',
];

function workspace(config?: string): string {
  return tempWorkspace({ ...(config === undefined ? {} : { '.provenance.yml': config }), 'sources/ferry-talks.txt': TEAM_SOURCE, 'analysis.md': TEAM_PIECE });
}

test('team scenario (LSP, push): the config file changes and goes on disk; diagnostics follow live', async (t) => {
  const client = await LspClient.start({ root: workspace(''), kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const before = await client.waitForDiagnostics(uri, (p) => styleSummary(TEAM_PIECE, p.diagnostics).length > 0);
  assert.deepEqual(styleSummary(TEAM_PIECE, before.diagnostics), DEFAULTS);

  const configFile = path.join(client.root, '.provenance.yml');
  fs.writeFileSync(configFile, TEAM_CONFIG);
  let since = client.notifications.length;
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(configFile), type: 2 }] });
  const after = await client.waitForDiagnostics(uri, (p) => styleSummary(TEAM_PIECE, p.diagnostics).some((s) => s.includes('team/')), { since });
  assert.deepEqual(styleSummary(TEAM_PIECE, after.diagnostics), TEAM);
  const team = after.diagnostics.find((d) => d.code === 'team/house-spellings')!;
  assert.equal(team.source, 'provenance');
  assert.match(team.codeDescription!.href, /docs\/rules\/team\.md$/);

  // Quick fixes: the substitution, and "disable for this line".
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri },
    range: team.range,
    context: { diagnostics: [team], only: ['quickfix'] },
  });
  const titles = actions.map((a: { title: string }) => a.title);
  assert.ok(titles.includes('Replace "Kiev" with "Kyiv"'), titles.join(', '));
  assert.ok(titles.includes('Disable team/house-spellings for this line'), titles.join(', '));

  // The team edits the file: the team rule is switched off, a term is unbanned.
  fs.writeFileSync(configFile, TEAM_CONFIG.replace('      - { term: regime, replacement: government }\n', '').replace('    swap: { Kiev: Kyiv }\n', '    swap: { Kiev: Kyiv }\n    severity: off\n'));
  since = client.notifications.length;
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(configFile), type: 2 }] });
  const edited = await client.waitForDiagnostics(uri, (p) => !styleSummary(TEAM_PIECE, p.diagnostics).some((s) => s.includes('team/')), { since });
  assert.deepEqual(styleSummary(TEAM_PIECE, edited.diagnostics), ['warning style/banned-term so-called', 'error style/attribution-verb claimed']);

  // Deleted: back to the defaults.
  fs.rmSync(configFile);
  since = client.notifications.length;
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(configFile), type: 3 }] });
  const gone = await client.waitForDiagnostics(uri, (p) => styleSummary(TEAM_PIECE, p.diagnostics).some((s) => s.includes('weasel')), { since });
  assert.deepEqual(styleSummary(TEAM_PIECE, gone.diagnostics), DEFAULTS);
  assert.equal(client.process.exitCode, null, 'the same server process all along');
});

test(
  'team scenario (LSP, push): a config file created while the server runs applies to the open piece',
  async (t) => {
    const client = await LspClient.start({ root: workspace(), kind: 'push' });
    t.after(() => client.stop());
    const uri = client.open('analysis.md');
    await client.waitForDiagnostics(uri, (p) => styleSummary(TEAM_PIECE, p.diagnostics).length > 0);
    const configFile = path.join(client.root, '.provenance.yml');
    fs.writeFileSync(configFile, TEAM_CONFIG);
    const since = client.notifications.length;
    client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(configFile), type: 1 }] });
    const after = await client.waitForDiagnostics(uri, (p) => styleSummary(TEAM_PIECE, p.diagnostics).some((s) => s.includes('team/')), { since, timeoutMs: 5000 });
    assert.deepEqual(styleSummary(TEAM_PIECE, after.diagnostics), TEAM);
  },
);

test(
  'team scenario (LSP): every codeDescription.href opens an existing rule page, team rules included',
  async (t) => {
    const client = await LspClient.start({ root: workspace(TEAM_CONFIG), kind: 'push' });
    t.after(() => client.stop());
    const uri = client.open('analysis.md');
    const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
    for (const d of published.diagnostics) {
      const href = d.codeDescription!.href;
      assert.ok(href.startsWith('file:') && fs.existsSync(fileURLToPath(href)), `${d.code}: ${href}`);
    }
  },
);

test('team scenario (LSP, pull): typing in .provenance.yml changes the piece’s diagnostics; a broken team rule is shown at its line', async (t) => {
  const client = await LspClient.start({ root: tempWorkspace({ '.provenance.yml': '', 'sources/ferry-talks.txt': TEAM_SOURCE, 'analysis.md': TEAM_PIECE }), kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const pull = async () => (await client.request('textDocument/diagnostic', { textDocument: { uri } })).items as Diagnostic[];
  assert.deepEqual(styleSummary(TEAM_PIECE, await pull()), DEFAULTS);

  const configUri = client.open('.provenance.yml');
  const refreshes = () => client.serverRequests.filter((r) => r.method === 'workspace/diagnostic/refresh').length;
  let seen = refreshes();
  client.change(configUri, TEAM_CONFIG);
  await client.waitUntil(() => (refreshes() > seen ? true : undefined), 'a diagnostic refresh after the config changed');
  assert.deepEqual(styleSummary(TEAM_PIECE, await pull()), TEAM);

  // Half-typed: a lookbehind the linear-time engine cannot run. The rule is dropped, the rest applies.
  const broken = TEAM_CONFIG + "  hedges:\n    kind: existence\n    patterns: ['(?<!not )arguably']\n";
  seen = refreshes();
  client.change(configUri, broken);
  await client.waitUntil(() => (refreshes() > seen ? true : undefined), 'a diagnostic refresh after the config broke');
  const onConfig = (await client.request('textDocument/diagnostic', { textDocument: { uri: configUri } })).items as Diagnostic[];
  assert.equal(onConfig.length, 1, JSON.stringify(onConfig));
  assert.equal(onConfig[0].code, 'config/invalid');
  assert.deepEqual(onConfig[0].range.start, rangeOf(broken, "'(?<!not )arguably'").start);
  assert.match(onConfig[0].message as string, /lookbehind/);
  assert.deepEqual(styleSummary(TEAM_PIECE, await pull()), TEAM);
});
