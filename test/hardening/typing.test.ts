/**
 * Issue #8, item 3: typing. Every prefix of every rule fixture (what the
 * engine sees while a writer types a piece from the top) is checked without
 * throwing, with ranges inside the text, and the same answer from a second
 * engine that saw the prefixes in the opposite order. Through the server, 50
 * changes within a second lead to a few checks, and what is shown at the end
 * is the check of the final text — never an older one after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { createEngine } from '../../server/src/engine/index';
import type { Engine, Finding } from '../../server/src/engine/index';
import { loadWorkspace } from '../../server/src/node/workspace';
import { REPO_ROOT } from '../helpers/repo';
import { LspClient, type PublishedDiagnostics } from '../helpers/lsp-client';
import { since, workspaceWith } from './inputs';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'rules');
/** The second engine re-checks every this-many-th prefix (all of them would double a 20-second test). */
const RECHECK_EVERY = 5;

function fixtureWorkspaces(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.md'))) found.push(dir);
    for (const e of entries) if (e.isDirectory() && e.name !== 'sources') walk(path.join(dir, e.name));
  };
  walk(FIXTURES);
  return found.sort();
}

function loaded(root: string): Engine {
  const engine = createEngine();
  const config = path.join(root, '.provenance.yml');
  loadWorkspace(engine, root, fs.existsSync(config) ? config : undefined);
  return engine;
}

/** Findings as comparable text, ranges checked to lie inside the text on the way. */
function checked(engine: Engine, uri: string, name: string, text: string): string {
  let findings: Finding[];
  try {
    findings = engine.check({ uri, path: name, text });
  } catch (err) {
    assert.fail(`${name}: checking the first ${text.length} characters threw: ${(err as Error).stack}\n--- text ---\n${text}`);
  }
  for (const f of findings) {
    assert.ok(0 <= f.span.start && f.span.start <= f.span.end && f.span.end <= text.length, `${name} @${text.length}: ${f.ruleId} span ${JSON.stringify(f.span)} outside the text`);
    for (const fix of f.fixes ?? []) for (const edit of fix.edits) assert.ok(0 <= edit.span.start && edit.span.start <= edit.span.end && edit.span.end <= text.length, `${name} @${text.length}: fix edit outside the text`);
  }
  return JSON.stringify(findings);
}

test('typing: every prefix of every rule fixture is checked without throwing, ranges inside the text, the same answer from an engine that saw them in reverse', { timeout: 300_000 }, (t) => {
  let prefixes = 0;
  const started = performance.now();
  for (const root of fixtureWorkspaces()) {
    const forward = loaded(root);
    const backward = loaded(root);
    for (const piece of fs.readdirSync(root).filter((f) => f.endsWith('.md')).sort()) {
      const text = fs.readFileSync(path.join(root, piece), 'utf8');
      const uri = `file://${path.join(root, piece)}`;
      const name = `${path.relative(FIXTURES, root)}/${piece}`;
      const answers: string[] = [];
      for (let end = 0; end <= text.length; end++) answers.push(checked(forward, uri, name, text.slice(0, end)));
      prefixes += text.length + 1;
      for (let end = text.length; end >= 0; end -= RECHECK_EVERY) {
        assert.equal(checked(backward, uri, name, text.slice(0, end)), answers[end], `${name}: the first ${end} characters gave different findings in the second engine`);
      }
    }
  }
  t.diagnostic(`${prefixes} prefixes of ${fixtureWorkspaces().length} fixture workspaces in ${since(started)} ms`);
});

const PIECE_START = 'The engineer said it "will protect the old town for a hundred years" [@harbour-wall].\n\n';
/** Typed one character per change: ends with a misquotation and an unknown key. */
const TYPED = 'He said "a thousand years" [@nope].';

test('typing (push): 50 changes within a second lead to a few published checks, the last for the final version and equal to a fresh check of the final text', { timeout: 60_000 }, async (t) => {
  const root = workspaceWith({ 'typed.md': PIECE_START, 'same.md': PIECE_START });
  const client = await LspClient.start({ root, kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('typed.md');
  await client.waitForDiagnostics(uri, (p) => p.version === 1, { timeoutMs: 30_000 });
  const from = client.notifications.length;
  const typed = (TYPED + ' More words follow here.').slice(0, 50);
  const started = performance.now();
  for (const [i, character] of [...typed].entries()) {
    const at = { line: 2, character: i };
    client.edit(uri, { start: at, end: at }, character);
    await new Promise((resolve) => setTimeout(resolve, 18));
  }
  const typingMs = since(started);
  const finalVersion = client.version(uri);
  const final: PublishedDiagnostics = await client.waitForDiagnostics(uri, (p) => p.version === finalVersion, { since: from, timeoutMs: 30_000 });
  // Anything still in flight would arrive now; give it a moment, then count.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const published = client.notifications.slice(from).filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === uri).map((n) => n.params as PublishedDiagnostics);
  assert.ok(published.length <= 5, `${published.length} publications for 50 changes: versions ${published.map((p) => p.version).join(', ')}`);
  assert.equal(published.at(-1)!.version, finalVersion, 'the last publication is for the final version');
  const versions = published.map((p) => p.version!);
  assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'never an older version after a newer one');

  const same = client.open('same.md', client.text(uri));
  const fresh = await client.waitForDiagnostics(same, () => true, { timeoutMs: 30_000 });
  const strip = (p: PublishedDiagnostics) => p.diagnostics.map((d) => ({ code: d.code, range: d.range, message: d.message }));
  assert.deepEqual(strip(final), strip(fresh), 'the final diagnostics are those of the final text');
  assert.ok(final.diagnostics.some((d) => d.code === 'citation/unknown-source'), 'the typed citation is checked');
  t.diagnostic(`50 changes in ${typingMs} ms → ${published.length} publication(s), versions ${versions.join(', ')} (final ${finalVersion})`);
});

test('typing (pull): 50 changes within a second, each followed by a pull that cancels the previous one, end with the final text’s diagnostics', { timeout: 60_000 }, async (t) => {
  const root = workspaceWith({ 'typed.md': PIECE_START, 'same.md': PIECE_START });
  const client = await LspClient.start({ root, kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('typed.md');
  await client.request('textDocument/diagnostic', { textDocument: { uri } }, 30_000);
  const typed = (TYPED + ' More words follow here.').slice(0, 50);
  type Item = { code: string; range: unknown; message: string };
  const pulls: Promise<{ kind: string; items: Item[] } | 'cancelled'>[] = [];
  let previous: CancellationTokenSource | undefined;
  for (const [i, character] of [...typed].entries()) {
    const at = { line: 2, character: i };
    client.edit(uri, { start: at, end: at }, character);
    // As VS Code does: a change cancels the pull in flight and pulls again.
    previous?.cancel();
    previous = new CancellationTokenSource();
    pulls.push(client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } }, previous.token).then((report) => report as never, () => 'cancelled' as const));
    await new Promise((resolve) => setTimeout(resolve, 18));
  }
  const answers = await Promise.all(pulls);
  const full = answers.filter((answer) => answer !== 'cancelled');
  assert.ok(full.length >= 1 && full.length <= 5, `${full.length} of 50 pulls were answered with a check`);
  const last = answers.at(-1);
  assert.notEqual(last, 'cancelled', 'the last pull is answered');
  const same = client.open('same.md', client.text(uri));
  const fresh = await client.request('textDocument/diagnostic', { textDocument: { uri: same } }, 30_000);
  const strip = (items: Item[]) => items.map((d) => ({ code: d.code, range: d.range, message: d.message }));
  assert.deepEqual(strip((last as { items: Item[] }).items), strip(fresh.items), 'the last answer is the check of the final text');
  t.diagnostic(`50 changes and pulls → ${full.length} answered with a check, ${50 - full.length} cancelled`);
});
