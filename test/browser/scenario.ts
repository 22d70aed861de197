/**
 * What the browser server must do with the bundled example, whatever runs it
 * (smoke.test.ts: a vm context with web globals only; chromium.test.ts: a real
 * Web Worker). Expectations come from test/e2e/harbour-ferry.mjs, shared with
 * the VS Code and Neovim suites.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TextDocumentEdit, TextEdit } from 'vscode-languageserver-types';
import { REPO_ROOT } from '../helpers/repo';
import { exampleFiles, FakeEditor, type Port } from './fake-editor';

interface Expected {
  example: string;
  piece: string;
  config: string;
  expectedFindings: Array<{ code: string; at: string; message?: RegExp }>;
  verifiedQuotes: string[];
  hovers: Record<'verified' | 'misquote' | 'actor' | 'unsourced', { at: string; title: string; mentions: RegExp }>;
  misquoteFix: { at: string; title: string; after: string };
  unsourcedFix: { at: string; title: string; after: string };
}

export function loadExpectations(): Promise<Expected> {
  return import(pathToFileURL(path.join(REPO_ROOT, 'test', 'e2e', 'harbour-ferry.mjs')).href) as Promise<Expected>;
}

/** A virtual folder, as github.dev serves a repository: nothing may assume file: URIs. */
export const VIRTUAL_FOLDER = 'vscode-vfs://github/provenance-lint/provenance/examples/harbour-ferry';

/** Starts a fake editor on the example over `port` and checks diagnostics, hovers, quick fixes and a config change. */
export async function checkExample(port: Port): Promise<void> {
  const x = await loadExpectations();
  const editor = new FakeEditor(port, { folder: VIRTUAL_FOLDER, files: exampleFiles(x.example) });
  try {
    const init = await editor.initialize();
    assert.equal(init.capabilities.hoverProvider, true, 'the server should offer hovers');

    await editor.open(x.piece);
    const lineOf = (text: string) => editor.positionOf(x.piece, text).line;
    const wanted = x.expectedFindings.map((f) => ({ ...f, line: lineOf(f.at) }));
    const findings = await editor.waitForDiagnostics(x.piece, wanted.map((f) => `${f.code} on line ${f.line + 1}`).join(', '), (diagnostics) =>
      wanted.every((f) => diagnostics.some((d) => d.code === f.code && d.range.start.line === f.line)));
    for (const f of wanted) {
      const diagnostic = findings.find((d) => d.code === f.code && d.range.start.line === f.line)!;
      const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
      if (f.message) assert.match(message, f.message, `${f.code}: message`);
    }
    // No publication may come from a half-read workspace (a verified quotation "not found").
    for (const published of editor.published.get(editor.uri(x.piece)) ?? []) {
      for (const quote of x.verifiedQuotes) {
        const wrong = published.filter((d) => d.range.start.line === lineOf(quote) && /^(quote|citation)\//.test(String(d.code)));
        assert.deepEqual(wrong.map((d) => d.code), [], `a publication flagged the verified quotation "${quote}"`);
      }
    }
    // The sources were read through the client, under the virtual folder.
    const read = editor.requests.filter((r) => r.method === 'provenance/readFiles').flatMap((r) => (r.params as { uris: string[] }).uris);
    assert.ok(read.some((uri) => uri.startsWith(`${VIRTUAL_FOLDER}/sources/`)), `the sources should be read through provenance/readFiles (read: ${read.join(', ')})`);

    for (const [name, hover] of Object.entries(x.hovers)) {
      // The card is Markdown; compare its words without the markup (escapes, emphasis).
      const card = (await editor.hover(x.piece, hover.at)).replace(/\\/g, '').replace(/\*/g, '');
      assert.ok(card.includes(hover.title), `${name} hover over "${hover.at}" should say "${hover.title}":\n${card}`);
      assert.match(card, hover.mentions, `${name} hover over "${hover.at}"`);
    }

    for (const fix of [x.misquoteFix, x.unsourcedFix]) {
      const actions = await editor.codeActions(x.piece, fix.at);
      const action = actions.find((a) => a.title === fix.title);
      assert.ok(action, `a quick fix "${fix.title}" on "${fix.at}" (offered: ${actions.map((a) => a.title).join(' | ')})`);
      const edits = (action.edit?.documentChanges as TextDocumentEdit[])[0].edits as TextEdit[];
      const text = editor.text(x.piece);
      const lines = text.split('\n');
      // Apply the edits (one line each here) and look for the expected words.
      let changed = text;
      for (const edit of [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)) {
        const start = lines.slice(0, edit.range.start.line).join('\n').length + (edit.range.start.line ? 1 : 0) + edit.range.start.character;
        const end = lines.slice(0, edit.range.end.line).join('\n').length + (edit.range.end.line ? 1 : 0) + edit.range.end.character;
        changed = changed.slice(0, start) + edit.newText + changed.slice(end);
      }
      assert.ok(changed.includes(fix.after), `"${fix.title}" should make the piece say "${fix.after}"`);
    }

    // The config changes in storage: the watcher's notification makes the server read it again.
    const config = editor.text(x.config);
    assert.match(config, /quote\/misquote: warning/);
    await editor.changeStoredFile(x.config, config.replace('quote/misquote: warning', 'quote/misquote: off'));
    await editor.waitForDiagnostics(x.piece, 'quote/misquote to go (config: off) while quote/not-found stays', (d) =>
      !d.some((x) => x.code === 'quote/misquote') && d.some((x) => x.code === 'quote/not-found'));
    await editor.changeStoredFile(x.config, config);
    await editor.waitForDiagnostics(x.piece, 'quote/misquote to come back (config: warning)', (d) => d.some((x) => x.code === 'quote/misquote'));

    // The config edited in the editor and saved at once (well within the edit's debounce, as a
    // replace-and-save does): the save must not swallow the edit.
    await editor.open(x.config);
    await editor.change(x.config, config.replace('quote/misquote: warning', 'quote/misquote: off'));
    await editor.save(x.config);
    await editor.waitForDiagnostics(x.piece, 'quote/misquote to go (edited and saved: off)', (d) =>
      !d.some((x) => x.code === 'quote/misquote') && d.some((x) => x.code === 'quote/not-found'));
    await editor.change(x.config, config);
    await editor.save(x.config);
    await editor.waitForDiagnostics(x.piece, 'quote/misquote to come back (edited and saved: warning)', (d) => d.some((x) => x.code === 'quote/misquote'));
  } finally {
    await editor.stop();
  }
}
