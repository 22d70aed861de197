/** Hover, definition, completion and quick fixes, each on the editor's text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { applyEdits, editsFor, fileUri, positionOf, textAt } from '../helpers/lsp-client';
import { PIECE, SOURCE, start } from './fixture';

test('code action: a misquote’s preferred fix puts the source’s words in the quotation', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  const misquote = published.diagnostics.find((d) => d.code === 'quote/misquote')!;
  const actions = await client.request('textDocument/codeAction', {
    textDocument: { uri },
    range: misquote.range,
    context: { diagnostics: [misquote], only: ['quickfix'] },
  });
  const fix = actions.find((a: { isPreferred?: boolean }) => a.isPreferred);
  assert.ok(fix, `a preferred quick fix among ${JSON.stringify(actions.map((a: { title: string }) => a.title))}`);
  assert.equal(fix.kind, 'quickfix');
  assert.equal(fix.diagnostics?.[0]?.code, 'quote/misquote');
  assert.equal(fix.edit.documentChanges[0].textDocument.version, 1, 'the edit is bound to the version it was made for');
  const fixed = applyEdits(PIECE, editsFor(fix.edit, uri));
  assert.ok(fixed.includes('"a fair price for a safe harbour, and the town will pay it gladly"'), fixed);
  assert.equal(fixed.replace('safe harbour', 'safer harbour'), PIECE, 'nothing else changed');
  // Other quick fixes (disable for this line) come after the preferred one.
  assert.equal(actions[0], fix);
});

test('code action: a client without documentChanges gets plain `changes`', async (t) => {
  const client = await start({ kind: 'pull', capabilities: { workspace: { workspaceEdit: { documentChanges: false } } } });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const range = { start: positionOf(PIECE, 'safer'), end: positionOf(PIECE, 'safer') };
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics: [] } });
  const fix = actions.find((a: { isPreferred?: boolean }) => a.isPreferred);
  assert.ok(fix?.edit.changes?.[uri], JSON.stringify(actions));
  assert.ok(applyEdits(PIECE, fix.edit.changes[uri]).includes('a safe harbour'));
});

test('hover: on a quotation shows the source passage; on a citation key, the source', async (t) => {
  const client = await start({ kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const onQuote = await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(PIECE, 'old town for a hundred') });
  assert.equal(onQuote.contents.kind, 'markdown');
  assert.match(onQuote.contents.value, /hundred years/);
  assert.equal(textAt(PIECE, onQuote.range), '"will protect the old town for a hundred years"');
  const onKey = await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(PIECE, 'hundred years" [@harbour-wall]', 19) });
  assert.ok(onKey, 'a card for the citation key');
  assert.match(onKey.contents.value, /Council approves harbour wall/);
  const nowhere = await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(PIECE, '# The wall') });
  assert.equal(nowhere, null);
});

test('definition: a quotation leads to its passage in the source file', async (t) => {
  const client = await start({ kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const locations = await client.request('textDocument/definition', { textDocument: { uri }, position: positionOf(PIECE, 'old town for a hundred') });
  assert.equal(locations.length, 1);
  assert.equal(locations[0].uri, fileUri(path.join(client.root, 'sources', 'harbour-wall.txt')));
  assert.equal(textAt(SOURCE, locations[0].range), 'will protect the old town for a hundred years');
});

test('completion: after `[@` the source ids matching the partial key are offered, replacing it', async (t) => {
  const client = await start({ kind: 'pull' });
  t.after(() => client.stop());
  const text = 'As the council said [@har and [@';
  const uri = client.open('analysis.md', text);
  const result = await client.request('textDocument/completion', {
    textDocument: { uri },
    position: positionOf(text, '[@har', 5),
    context: { triggerKind: 2, triggerCharacter: '@' },
  });
  // Filtered on the server (a corpus has thousands of ids); nothing was left out, so the list is complete.
  assert.equal(result.isIncomplete, false);
  assert.deepEqual(
    result.items.map((item: { label: string }) => item.label),
    ['harbour-wall'],
  );
  assert.equal(applyEdits(text, [result.items[0].textEdit]), 'As the council said [@harbour-wall and [@');
  const all = await client.request('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'and [@', 6) });
  assert.deepEqual(
    all.items.map((item: { label: string }) => item.label),
    ['ferry-fares', 'harbour-wall'],
  );
});

test('features: requests on a document that is not a piece answer empty, not with an error', async (t) => {
  const client = await start({ kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('sources/harbour-wall.txt');
  const position = positionOf(SOURCE, 'old town');
  assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position }), null);
  assert.equal(await client.request('textDocument/definition', { textDocument: { uri }, position }), null);
  assert.deepEqual(await client.request('textDocument/completion', { textDocument: { uri }, position }), []);
});
