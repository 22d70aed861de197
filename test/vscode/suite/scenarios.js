// The end-to-end scenarios of test/e2e/, through the VS Code API instead of the UI:
// diagnostics (languages.getDiagnostics), hovers (vscode.executeHoverProvider), quick
// fixes (vscode.executeCodeActionProvider + workspace.applyEdit), a configuration edit,
// and Provenance: Show Actors. Runs inside the extension host (see index.js), on a
// copy of examples/harbour-ferry opened as the workspace by run.mjs.
//
// What the example must show comes from test/e2e/harbour-ferry.mjs, handed over by
// run.mjs in PROVENANCE_EXPECTATIONS (JSON; regular expressions as { regexp, flags }).
// Every wait polls the editor's state and fails saying what it waited for and saw last.
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const vscode = require('vscode');

const manifest = require(path.join(__dirname, '..', '..', '..', 'package.json'));
const extensionId = `${manifest.publisher}.${manifest.name}`;

function expectations() {
  const text = process.env.PROVENANCE_EXPECTATIONS;
  if (!text) throw new Error('PROVENANCE_EXPECTATIONS is not set: start this suite with `npm run test:vscode` (test/vscode/run.mjs)');
  return JSON.parse(text, (_, value) => (value && typeof value === 'object' && typeof value.regexp === 'string' ? new RegExp(value.regexp, value.flags) : value));
}

/** Polls `probe` until `accept(value)`; on timeout, says what it waited for and what it saw last. */
async function waitFor(what, probe, { timeout = 30_000, interval = 100, accept = Boolean, describe = (v) => JSON.stringify(v) } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, interval)); // polling period, not a wait for the editor
  }
  const seen = lastError ? `last probe threw: ${lastError.message}` : `last seen: ${String(describe(last)).slice(0, 800)}`;
  throw new Error(`Timed out after ${timeout / 1000}s waiting for ${what} (${seen})`);
}

/** A diagnostic's rule id: VS Code turns `code` + `codeDescription` into { value, target }. */
function codeOf(diagnostic) {
  const code = diagnostic.code;
  return code !== null && typeof code === 'object' ? String(code.value) : String(code ?? '');
}

function provenanceDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'provenance');
}

function summary(diagnostics) {
  return diagnostics.map((d) => `${codeOf(d)}@${d.range.start.line + 1}`).join(', ') || 'none';
}

function hoverText(hovers) {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n---\n');
}

/** What the scenarios share: the expectations, the workspace's documents, and a way back to the example as it was. */
async function createContext() {
  const x = expectations();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) throw new Error('no workspace folder is open: run.mjs opens a copy of the example');
  const uri = (relative) => vscode.Uri.joinPath(folder, relative);
  const originals = new Map();
  for (const relative of [x.piece, x.config]) originals.set(relative, Buffer.from(await vscode.workspace.fs.readFile(uri(relative))).toString('utf8'));

  const context = {
    x,
    uri,
    /** Opens a workspace file in an editor and returns the editor. */
    async show(relative) {
      const document = await vscode.workspace.openTextDocument(uri(relative));
      return vscode.window.showTextDocument(document, { preview: false });
    },
    /** 0-based line of the first line of the original piece containing `text`. */
    lineOf(relative, text) {
      const index = originals.get(relative).split('\n').findIndex((line) => line.includes(text));
      assert.ok(index >= 0, `"${text}" is not in ${relative}`);
      return index;
    },
    /** A position in the middle of the first occurrence of `text` in an open document. */
    positionOf(document, text) {
      const index = document.getText().indexOf(text);
      assert.ok(index >= 0, `"${text}" is not in ${document.uri.path}`);
      return document.positionAt(index + Math.floor(text.length / 2));
    },
    /** Waits until the piece's diagnostics hold every expected finding on its line; returns them. */
    async expectedFindings() {
      const wanted = x.expectedFindings.map((f) => ({ ...f, line: context.lineOf(x.piece, f.at) }));
      return waitFor(`the diagnostics of ${x.piece} to hold ${wanted.map((f) => `${f.code} on line ${f.line + 1}`).join(', ')}`,
        () => provenanceDiagnostics(uri(x.piece)),
        { accept: (shown) => wanted.every((f) => shown.some((d) => codeOf(d) === f.code && d.range.start.line === f.line)), describe: summary });
    },
    /** Puts a file back as it was (text and disk) if a scenario changed it. */
    async restore() {
      for (const [relative, text] of originals) {
        const document = await vscode.workspace.openTextDocument(uri(relative));
        if (document.getText() !== text) {
          const edit = new vscode.WorkspaceEdit();
          edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
          await vscode.workspace.applyEdit(edit);
        }
        if (document.isDirty) await document.save();
      }
    },
  };
  return context;
}

/** Applies the quick fix `title` offered on `fix.at`, checks the new words and that the finding goes, then undoes it. */
async function applyQuickFix(context, fix, code, still) {
  const { x } = context;
  const editor = await context.show(x.piece);
  await context.expectedFindings();
  const at = context.positionOf(editor.document, fix.at);
  const actions = await waitFor(`a quick fix "${fix.title}" on "${fix.at}"`,
    () => vscode.commands.executeCommand('vscode.executeCodeActionProvider', editor.document.uri, new vscode.Range(at, at), vscode.CodeActionKind.QuickFix.value),
    { accept: (found) => (found ?? []).some((a) => a.title === fix.title), describe: (found) => (found ?? []).map((a) => a.title) });
  const action = actions.find((a) => a.title === fix.title);
  assert.ok(action.edit, `"${fix.title}" should carry its edit`);
  assert.ok(await vscode.workspace.applyEdit(action.edit), `the editor should accept the edit of "${fix.title}"`);
  assert.ok(editor.document.getText().includes(fix.after), `after "${fix.title}" the piece should say "${fix.after}"`);
  await waitFor(`the diagnostics to drop ${code} and keep ${still}`, () => provenanceDiagnostics(editor.document.uri), {
    accept: (shown) => !shown.some((d) => codeOf(d) === code) && shown.some((d) => codeOf(d) === still),
    describe: summary,
  });
  await context.restore();
  await context.expectedFindings();
}

const scenarios = [
  {
    name: 'the extension activates without errors',
    critical: true,
    async run(context) {
      await context.show(context.x.piece); // a Markdown file activates it (onLanguage:markdown)
      const extension = vscode.extensions.getExtension(extensionId);
      assert.ok(extension, `${extensionId} is not installed in the extension development host`);
      await waitFor(`${extensionId} to be active`, () => extension.isActive);
      await extension.activate(); // rethrows the error of a failed activate()
      const commands = await vscode.commands.getCommands(true);
      for (const command of manifest.contributes.commands.map((c) => c.command)) assert.ok(commands.includes(command), `command ${command} should be registered`);
    },
  },
  {
    name: 'untrusted workspaces are supported (Restricted Mode itself: test/e2e, since runTests always trusts)',
    async run() {
      // @vscode/test-electron passes --disable-workspace-trust, so Restricted Mode cannot be entered here;
      // the manifest must still declare it, or VS Code would disable the extension in untrusted folders.
      assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
      assert.equal(vscode.workspace.isTrusted, true);
    },
  },
  {
    name: 'the diagnostics hold each finding of the example on its line, none on verified quotations',
    async run(context) {
      const { x } = context;
      await context.show(x.piece);
      const shown = await context.expectedFindings();
      for (const f of x.expectedFindings) {
        const diagnostic = shown.find((d) => codeOf(d) === f.code && d.range.start.line === context.lineOf(x.piece, f.at));
        if (f.message) assert.match(diagnostic.message, f.message, `${f.code}: message`);
      }
      for (const quote of x.verifiedQuotes) {
        const line = context.lineOf(x.piece, quote);
        const onIt = shown.filter((d) => d.range.start.line === line && /^(quote|citation)\//.test(codeOf(d)));
        assert.deepEqual(onIt.map(codeOf), [], `verified quotation "${quote}" (line ${line + 1})`);
      }
    },
  },
  {
    name: 'hovers: a verified quotation, a misquote, an actor and an unsourced claim show their cards',
    async run(context) {
      const { x } = context;
      const editor = await context.show(x.piece);
      await context.expectedFindings(); // the server has read the workspace
      for (const [name, hover] of Object.entries(x.hovers)) {
        const position = context.positionOf(editor.document, hover.at);
        const text = await waitFor(`a ${name} hover over "${hover.at}" saying "${hover.title}"`,
          async () => hoverText(await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, position)).replace(/\\/g, '').replace(/\*/g, ''),
          { accept: (card) => card.includes(hover.title), describe: (card) => card });
        assert.match(text, hover.mentions, `${name} hover over "${hover.at}"`);
      }
    },
  },
  {
    name: 'the misquote quick fix puts in the source\'s words',
    run: (context) => applyQuickFix(context, context.x.misquoteFix, 'quote/misquote', 'quote/not-found'),
  },
  {
    name: 'the unsourced claim\'s quick fix cites the suggested source',
    run: (context) => applyQuickFix(context, context.x.unsourcedFix, 'claim/unsourced', 'quote/misquote'),
  },
  {
    name: 'editing .provenance.yml (quote/misquote: off) changes the diagnostics',
    async run(context) {
      const { x } = context;
      await context.show(x.piece);
      await context.expectedFindings();
      const setMisquote = async (from, to) => {
        const config = (await context.show(x.config)).document;
        const text = config.getText();
        assert.ok(text.includes(from), `${x.config} should contain "${from}"`);
        const edit = new vscode.WorkspaceEdit();
        const start = text.indexOf(from);
        edit.replace(config.uri, new vscode.Range(config.positionAt(start), config.positionAt(start + from.length)), to);
        assert.ok(await vscode.workspace.applyEdit(edit));
        await config.save();
        await context.show(x.piece);
      };
      await setMisquote('quote/misquote: warning', 'quote/misquote: off');
      await waitFor('the diagnostics to drop quote/misquote and keep quote/not-found', () => provenanceDiagnostics(context.uri(x.piece)), {
        accept: (shown) => !shown.some((d) => codeOf(d) === 'quote/misquote') && shown.some((d) => codeOf(d) === 'quote/not-found'),
        describe: summary,
      });
      await setMisquote('quote/misquote: off', 'quote/misquote: warning');
      await context.expectedFindings();
    },
  },
  {
    name: 'Provenance: Show Actors lists the actors and selects the first mention of the one picked',
    async run(context) {
      const { x } = context;
      const editor = await context.show(x.piece);
      await context.expectedFindings();
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      const picking = vscode.commands.executeCommand('provenance.showActors');
      // The quick pick opens once the server answered; accept its first row (most named, then by name).
      const selected = await waitFor(`the Show Actors quick pick to open and its first row (${x.actors[0]}) to be selected in the editor`, async () => {
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return editor.document.getText(editor.selection);
      }, { accept: (text) => text.length > 0, describe: (text) => `selection "${text}"` });
      await picking;
      assert.equal(selected, x.actors[0]);
      assert.equal(editor.selection.start.line, context.lineOf(x.piece, x.actors[0]), `the first mention of ${x.actors[0]}`);
    },
  },
];

module.exports = { scenarios, createContext, waitFor };
