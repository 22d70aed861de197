// Neovim's built-in LSP client against dist/server.js: the server must work with a
// client that only takes pushed diagnostics (Neovim 0.7, Debian's package) and knows
// nothing of VS Code. Runs `nvim --headless -u test/neovim/init.lua` on a copy of the
// bundled example and checks what Neovim received.
//
//   npm run build && node --test test/neovim/
//   NVIM=/path/to/nvim …        another Neovim
//   E2E_ARTIFACTS=dir           where the results JSON and Neovim's LSP log go
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { example, expectedFindings, hovers, misquoteFix, piece, verifiedQuotes } from '../e2e/harbour-ferry.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const nvim = process.env.NVIM ?? 'nvim';
const server = join(repoRoot, 'dist', 'server.js');
const artifacts = join(process.env.E2E_ARTIFACTS ? resolve(process.env.E2E_ARTIFACTS) : join(repoRoot, '.e2e-artifacts'), 'neovim');

/** 0-based line of the first line of the committed example piece containing `text`. */
function lineOf(text) {
  const index = readFileSync(join(repoRoot, 'examples', example, piece), 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `"${text}" is not in examples/${example}/${piece}`);
  return index;
}

function runNeovim() {
  const version = spawnSync(nvim, ['--version'], { encoding: 'utf8' });
  assert.equal(version.status, 0, `Neovim is not installed (${nvim} --version failed: ${version.error?.message ?? version.stderr}); \`bash .ci/e2e.sh\` installs it`);
  assert.ok(existsSync(server), `${server} is missing: run \`npm run build\` first`);

  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'provenance-nvim-'));
  const workspace = join(root, 'workspace');
  cpSync(join(repoRoot, 'examples', example), workspace, { recursive: true });
  const out = join(artifacts, 'result.json');
  const xdg = (name) => join(root, name);
  const started = Date.now();
  const run = spawnSync(nvim, ['--headless', '-n', '-i', 'NONE', '-u', join(here, 'init.lua')], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 90_000,
    env: {
      ...process.env,
      // A throw-away home for Neovim: no user config, its LSP log kept with the artefacts.
      XDG_CONFIG_HOME: xdg('config'), XDG_DATA_HOME: xdg('data'), XDG_STATE_HOME: xdg('state'), XDG_CACHE_HOME: xdg('cache'),
      PROVENANCE_SERVER: server,
      PROVENANCE_ROOT: workspace,
      PROVENANCE_DOC: join(workspace, piece),
      PROVENANCE_EXPECT: expectedFindings.map((f) => f.code).join(','),
      PROVENANCE_HOVER: hovers.misquote.at,
      PROVENANCE_OUT: out,
    },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  for (const log of ['state/nvim/lsp.log', 'cache/nvim/lsp.log']) {
    if (existsSync(xdg(log))) cpSync(xdg(log), join(artifacts, 'lsp.log'));
  }
  rmSync(root, { recursive: true, force: true });
  const context = `nvim exited ${run.status ?? run.signal ?? run.error?.message} after ${seconds}s\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;
  assert.ok(existsSync(out), `Neovim wrote no results (${context})`);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(result.error, undefined, `the Neovim script failed: ${result.error}\n${context}`);
  return { result, context };
}

test(`Neovim's LSP client on examples/${example}`, { timeout: 120_000 }, async (t) => {
  const { result } = runNeovim();
  const diagnostics = result.diagnostics;
  const summary = diagnostics.map((d) => `${d.code}@${d.lnum}:${d.col}`).join(', ') || 'none';

  await t.test('pushed diagnostics: each expected finding on its line', () => {
    assert.ok(result.diagnostics_complete, `Neovim did not receive every expected finding within the timeout (got: ${summary})`);
    for (const finding of expectedFindings) {
      const line = lineOf(finding.at);
      const match = diagnostics.find((d) => d.code === finding.code && d.lnum === line);
      assert.ok(match, `expected ${finding.code} on line ${line + 1} ("${finding.at}"); got: ${summary}`);
      assert.equal(match.source, 'provenance');
      if (finding.message) assert.match(match.message, finding.message, `${finding.code}: the message should match ${finding.message}`);
    }
  });

  await t.test('no quote or citation finding on verified quotations', () => {
    for (const quote of verifiedQuotes) {
      const line = lineOf(quote);
      const onIt = diagnostics.filter((d) => d.lnum === line && /^(quote|citation)\//.test(d.code ?? ''));
      assert.deepEqual(onIt.map((d) => d.code), [], `verified quotation "${quote}" (line ${line + 1})`);
    }
  });

  await t.test('hover on the misquotation shows the card', () => {
    assert.equal(result.hover?.error, undefined, `hover failed: ${JSON.stringify(result.hover?.error)}`);
    const contents = result.hover?.result?.contents;
    assert.ok(contents, `no hover at ${JSON.stringify(result.hover?.position)}: ${JSON.stringify(result.hover)}`);
    const text = typeof contents === 'string' ? contents : Array.isArray(contents)
      ? contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')
      : contents.value;
    assert.ok(text.includes(hovers.misquote.title), `the hover should say "${hovers.misquote.title}":\n${text}`);
    assert.match(text, hovers.misquote.mentions, `the hover should match ${hovers.misquote.mentions}:\n${text}`);
  });

  await t.test('the misquotation offers the quick fix with the source\'s words', () => {
    assert.equal(result.code_actions_error, undefined, `codeAction failed: ${JSON.stringify(result.code_actions_error)}`);
    const fix = result.code_actions.find((a) => a.title === misquoteFix.title);
    assert.ok(fix, `no "${misquoteFix.title}" among ${JSON.stringify(result.code_actions.map((a) => a.title))}`);
    const edits = Object.values(fix.edit?.changes ?? {}).flat()
      .concat((fix.edit?.documentChanges ?? []).flatMap((c) => c.edits ?? []));
    const after = misquoteFix.after.split(' ').pop();
    assert.ok(edits.some((e) => e.newText.includes(after)), `the fix's edits should put in "${after}": ${JSON.stringify(edits)}`);
  });
});
