/** Diagnostics: pushed or pulled, per version, after source and config changes, skipped files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import { fileUri, positionOf, rangeOf, textAt } from '../helpers/lsp-client';
import { codes, CONFIG, PIECE, SOURCE, start } from './fixture';

const EXPECTED = ['citation/unknown-source', 'quote/misquote', 'quote/not-found'];
const MISQUOTED = '"a fair price for a safer harbour, and the town will pay it gladly"';

test('diagnostics: pushed to a client that cannot pull, with rule code, docs link, severity and related source; data only in code actions', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  assert.equal(published.version, 1);
  assert.deepEqual(codes(published.diagnostics), EXPECTED);
  for (const diagnostic of published.diagnostics) assert.equal(diagnostic.source, 'provenance');

  const misquote = published.diagnostics.find((d) => d.code === 'quote/misquote')!;
  assert.equal(misquote.severity, 2, 'warning');
  assert.equal(textAt(PIECE, misquote.range), MISQUOTED);
  assert.match(misquote.codeDescription!.href, /quote\/misquote/);
  assert.match(misquote.message as string, /safe harbour/);
  // `data` serves only code actions, which the server makes from its own findings: not shipped with every publish.
  assert.equal(misquote.data, undefined);
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: misquote.range, context: { diagnostics: [misquote] } });
  const fixed = actions.find((a: { isPreferred?: boolean }) => a.isPreferred);
  assert.equal((fixed.diagnostics[0].data as { sourceId: string }).sourceId, 'harbour-wall');
  const related = misquote.relatedInformation?.[0];
  assert.ok(related, 'related information points at the source passage');
  assert.equal(related.location.uri, fileUri(path.join(client.root, 'sources', 'harbour-wall.txt')));
  assert.match(textAt(SOURCE, related.location.range), /safe harbour/);

  const notFound = published.diagnostics.find((d) => d.code === 'quote/not-found')!;
  assert.equal(notFound.severity, 1, 'error');
  const unknown = published.diagnostics.find((d) => d.code === 'citation/unknown-source')!;
  assert.match(textAt(PIECE, unknown.range), /no-such-source/);
});

test('diagnostics: pulled when the client can pull; an unchanged result is reported as unchanged', async (t) => {
  const client = await start({ kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const report = await client.request('textDocument/diagnostic', { textDocument: { uri } });
  assert.equal(report.kind, 'full');
  assert.deepEqual(codes(report.items), EXPECTED);
  assert.ok(report.resultId, 'a result id lets the client ask "anything new?"');
  const again = await client.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: report.resultId });
  assert.equal(again.kind, 'unchanged');
  assert.ok(!client.notifications.some((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === uri), 'nothing pushed for a pulled document');
});

test('diagnostics: a change is checked as the new version', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  await client.waitForDiagnostics(uri, (p) => p.version === 1);
  const version = client.edit(uri, rangeOf(PIECE, 'safer'), 'safe');
  const published = await client.waitForDiagnostics(uri, (p) => p.version === version);
  assert.deepEqual(codes(published.diagnostics), ['citation/unknown-source', 'quote/not-found']);
});

test('diagnostics: quick successive changes end with the newest version, never an older one after a newer', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  await client.waitForDiagnostics(uri, (p) => p.version === 1);
  const since = client.notifications.length;
  client.change(uri, PIECE.replace('safer', 'safe'));
  client.change(uri, PIECE.replace('green cheese', 'blue cheese'));
  const last = client.change(uri, PIECE.replace('[@no-such-source]', '[@ferry-fares]'));
  const published = await client.waitForDiagnostics(uri, (p) => p.version === last, { since });
  assert.deepEqual(codes(published.diagnostics), ['quote/misquote', 'quote/not-found']);
  const versions = client.notifications
    .slice(since)
    .filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === uri)
    .map((n) => n.params.version as number);
  // Typically just [last] (the changes fall in one debounce window), but a stalled machine may check one in between.
  assert.equal(versions.at(-1), last, JSON.stringify(versions));
  assert.ok(versions.every((v, i) => i === 0 || v > versions[i - 1]), `versions only go up: ${JSON.stringify(versions)}`);
});

test('diagnostics: a source changed on disk (didChangeWatchedFiles) re-checks the open piece', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const first = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  assert.ok(codes(first.diagnostics).includes('quote/misquote'));
  const sourceFile = path.join(client.root, 'sources', 'harbour-wall.txt');
  fs.writeFileSync(sourceFile, SOURCE.replace('a safe harbour', 'a safer harbour'));
  const since = client.notifications.length;
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(sourceFile), type: 2 }] });
  const after = await client.waitForDiagnostics(uri, () => true, { since });
  assert.deepEqual(codes(after.diagnostics), ['citation/unknown-source', 'quote/not-found']);
});

test('diagnostics: a new source file on disk resolves an unknown citation key', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  const file = path.join(client.root, 'sources', 'no-such-source.txt');
  fs.writeFileSync(file, 'A late article\n\nFares are another matter entirely, the minister said.\n');
  const since = client.notifications.length;
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(file), type: 1 }] });
  const after = await client.waitForDiagnostics(uri, () => true, { since });
  assert.deepEqual(codes(after.diagnostics), ['quote/misquote', 'quote/not-found']);
});

test('diagnostics: a source edited in the editor counts before it is saved (pull: the client is asked to refresh)', async (t) => {
  const client = await start({ kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const before = await client.request('textDocument/diagnostic', { textDocument: { uri } });
  assert.ok(codes(before.items).includes('quote/misquote'));
  const sourceUri = client.open('sources/harbour-wall.txt');
  const since = client.serverRequests.length;
  client.change(sourceUri, SOURCE.replace('a safe harbour', 'a safer harbour'));
  await client.waitForServerRequest('workspace/diagnostic/refresh', { since });
  const after = await client.request('textDocument/diagnostic', { textDocument: { uri } });
  assert.deepEqual(codes(after.items), ['citation/unknown-source', 'quote/not-found']);
});

test('diagnostics: a broken config is reported on the config file, and the piece is still checked', async (t) => {
  const broken = 'sources:\n  - sources/**/*.txt\nrules:\n  quote/misquote: loud\n';
  const client = await start({ kind: 'push', files: { '.provenance.yml': broken } });
  t.after(() => client.stop());
  const configUri = fileUri(path.join(client.root, '.provenance.yml'));
  const onConfig = await client.waitForDiagnostics(configUri, (p) => p.diagnostics.length > 0);
  assert.ok(onConfig.diagnostics.every((d) => d.code === 'config/invalid' && d.source === 'provenance'), JSON.stringify(onConfig));
  assert.equal(onConfig.diagnostics[0].range.start.line, positionOf(broken, 'loud').line, 'positioned on the bad value');
  const uri = client.open('analysis.md');
  const piece = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  assert.ok(codes(piece.diagnostics).includes('quote/not-found'), JSON.stringify(piece));
});

test('diagnostics: a broken config is pushed to a pull client while the config is not open, pulled once it is', async (t) => {
  const broken = 'rules:\n  quote/misquote: loud\n';
  const client = await start({ kind: 'pull', files: { '.provenance.yml': broken } });
  t.after(() => client.stop());
  const configUri = fileUri(path.join(client.root, '.provenance.yml'));
  await client.waitForDiagnostics(configUri, (p) => p.diagnostics.some((d) => d.code === 'config/invalid'));
  const since = client.notifications.length;
  client.open('.provenance.yml');
  const pulled = await client.request('textDocument/diagnostic', { textDocument: { uri: configUri } });
  assert.ok(pulled.items.some((d: { code: string }) => d.code === 'config/invalid'), JSON.stringify(pulled));
  // Its pushed copy is withdrawn so the editor does not show the problem twice.
  await client.waitForDiagnostics(configUri, (p) => p.diagnostics.length === 0, { since });
});

test('diagnostics: editing the config in the editor re-checks the open pieces and reports its own problems', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  const configUri = client.open('.provenance.yml');
  let since = client.notifications.length;
  client.change(configUri, `${CONFIG}rules:\n  quote/misquote: off\n`);
  const quieter = await client.waitForDiagnostics(uri, () => true, { since });
  assert.deepEqual(codes(quieter.diagnostics), ['citation/unknown-source', 'quote/not-found']);
  since = client.notifications.length;
  client.change(configUri, `${CONFIG}rules:\n  quote/misquote: sometimes\n`);
  const onConfig = await client.waitForDiagnostics(configUri, (p) => p.diagnostics.length > 0, { since });
  assert.equal(onConfig.diagnostics[0].code, 'config/invalid');
});

test('diagnostics: sources and files outside `documents` are not checked as pieces', async (t) => {
  const client = await start({ kind: 'pull', files: { 'drafts/notes.md': 'He said "nothing like this appears in any source at all, honestly" [@nobody].\n' } });
  t.after(() => client.stop());
  for (const file of ['sources/harbour-wall.txt', 'drafts/notes.md']) {
    const uri = client.open(file);
    const report = await client.request('textDocument/diagnostic', { textDocument: { uri } });
    assert.deepEqual(report.items, [], file);
  }
});

test('diagnostics: a piece above maxFileSize, or binary, gets one input/skipped warning instead of a check', async (t) => {
  const client = await start({ kind: 'push', files: { '.provenance.yml': `${CONFIG}maxFileSize: 200\n`, 'blob.md': 'PK\u0003\u0004\u0000\u0000binary' } });
  t.after(() => client.stop());
  const large = client.open('analysis.md');
  const tooLarge = await client.waitForDiagnostics(large);
  assert.equal(tooLarge.diagnostics.length, 1, JSON.stringify(tooLarge));
  assert.equal(tooLarge.diagnostics[0].code, 'input/skipped');
  assert.equal(tooLarge.diagnostics[0].severity, 2, 'warning, as the CLI reports it');
  assert.match(tooLarge.diagnostics[0].codeDescription!.href, /input\/skipped/);
  assert.match(tooLarge.diagnostics[0].message as string, /too large, skipped/);
  const blob = client.open('blob.md');
  const binary = await client.waitForDiagnostics(blob);
  assert.equal(binary.diagnostics.length, 1, JSON.stringify(binary));
  assert.equal(binary.diagnostics[0].code, 'input/skipped');
  assert.equal(binary.diagnostics[0].severity, 2, 'warning');
  assert.match(binary.diagnostics[0].message as string, /binary, skipped/);
});

const ASTRAL_PIECE = 'Emoji first: 😀👍🏽 then "a fair price for a safer harbour, and the town will pay it gladly" [@harbour-wall].\n';

test('diagnostics: ranges after astral characters are exact in UTF-16', async (t) => {
  const client = await start({ kind: 'push', files: { 'analysis.md': ASTRAL_PIECE } });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  const misquote = published.diagnostics.find((d) => d.code === 'quote/misquote')!;
  assert.deepEqual(misquote.range, rangeOf(ASTRAL_PIECE, MISQUOTED));
});

test('diagnostics: ranges are in bytes for a client that negotiated UTF-8', async (t) => {
  const client = await start({ kind: 'push', files: { 'analysis.md': ASTRAL_PIECE }, capabilities: { general: { positionEncodings: ['utf-8'] } } });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  const misquote = published.diagnostics.find((d) => d.code === 'quote/misquote')!;
  const start16 = ASTRAL_PIECE.indexOf(MISQUOTED);
  assert.equal(misquote.range.start.character, Buffer.byteLength(ASTRAL_PIECE.slice(0, start16)));
  assert.equal(misquote.range.end.character, Buffer.byteLength(ASTRAL_PIECE.slice(0, start16 + MISQUOTED.length)));
});

test('diagnostics: provenance.run onSave checks at open and save, not while typing', async (t) => {
  const client = await start({ kind: 'push', settings: { run: 'onSave' } });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  await client.waitForDiagnostics(uri, (p) => p.version === 1);
  const typed = client.edit(uri, rangeOf(PIECE, 'safer'), 'safe');
  const since = client.notifications.length;
  client.notify('textDocument/didSave', { textDocument: { uri } });
  const saved = await client.waitForDiagnostics(uri, () => true, { since });
  assert.equal(saved.version, typed, 'the save checked the text as typed');
  assert.ok(!codes(saved.diagnostics).includes('quote/misquote'));
  const publishedVersions = client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && n.params.uri === uri).map((n) => n.params.version);
  assert.deepEqual(publishedVersions, [1, typed], 'nothing was checked between open and save');
});

test('diagnostics: an untitled Markdown document is checked against the first folder’s sources', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const uri = 'untitled:Untitled-1';
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text: PIECE } });
  const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
  assert.deepEqual(codes(published.diagnostics), EXPECTED);
});

test('diagnostics: an edit in one paragraph changes that paragraph’s diagnostics only; a whole-piece rule follows an edit elsewhere', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const piece = `${PIECE}\nThe KHA will decide on the wall next year.\n`;
  const uri = client.open('analysis.md', piece);
  const first = await client.waitForDiagnostics(uri, (p) => p.version === 1);
  const shown = (text: string, diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => `${d.code}: ${textAt(text, d.range)}`).sort();
  assert.ok(shown(piece, first.diagnostics).includes('style/acronym-first-use: KHA'), JSON.stringify(shown(piece, first.diagnostics)));

  // Fix the misquote: exactly that diagnostic goes, the others stay on the same words.
  const fixed = piece.replace('safer', 'safe');
  const fixVersion = client.edit(uri, rangeOf(piece, 'safer'), 'safe');
  const afterFix = await client.waitForDiagnostics(uri, (p) => p.version === fixVersion);
  assert.deepEqual(
    shown(fixed, afterFix.diagnostics),
    shown(piece, first.diagnostics).filter((d) => !d.startsWith('quote/misquote')),
  );
  // The main thread answers a hover on the new text (its parse came from the check worker).
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(fixed, 'a fair price for a safe', 3) });
  assert.match(hover.contents.value, /harbour-wall/);

  // Spell the acronym out in the first paragraph: the finding in the last one goes.
  const spelt = fixed.replace('# The wall', '# The wall\n\nThe Kestrel Harbour Authority (KHA) met.');
  const version = client.edit(uri, rangeOf(fixed, '# The wall'), '# The wall\n\nThe Kestrel Harbour Authority (KHA) met.');
  const afterSpelling = await client.waitForDiagnostics(uri, (p) => p.version === version);
  assert.ok(!shown(spelt, afterSpelling.diagnostics).includes('style/acronym-first-use: KHA'), JSON.stringify(shown(spelt, afterSpelling.diagnostics)));
});
