/** Actors over the protocol: hover, definition, references, highlights, completion, the actors request and the two style rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileUri, LspClient, positionOf, textAt } from '../helpers/lsp-client';
import { tempWorkspace } from '../helpers/repo';
import * as path from 'node:path';

const SOURCE = `Harbour dredging put off until 2028

Kellsport Harbour Authority (KHA) chairman Elias Varga said on Monday that dredging of the northern channel would wait. Mr Varga told the Kellsport Courier: "We cannot dredge the northern channel until 2028."

The opposition leader, Tomas Brekke, said the delay was a mistake. Mr Brekke added that the KHA had "lost its nerve".
`;

const REGISTRY = `- id: tomas-brekke
  name: Tomas Brekke
  type: person
  role: Leader of the Coastal Alliance
  description: Opposition leader on Kellsport town council.
  aliases:
    - { name: Thomas Brekke, discouraged: true }
  links:
    wikidata: Q42
`;

const PIECE = `# Dredging delayed

Elias Varga said the channel would wait [@dredging]. Varga blamed the cost of fuel.

Thomas Brekke called it a mistake, and the KHA did not reply.
`;

async function start(t: { after: (fn: () => Promise<void>) => void }): Promise<{ client: LspClient; uri: string; root: string }> {
  const root = tempWorkspace({ 'sources/dredging.txt': SOURCE, 'entities.yml': REGISTRY, 'analysis.md': PIECE });
  const client = await LspClient.start({ root, kind: 'pull' });
  t.after(() => client.stop());
  return { client, uri: client.open('analysis.md'), root };
}

test('entities over LSP: hover on a surname and on an acronym', async (t) => {
  const { client, uri } = await start(t);
  const onSurname = await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(PIECE, 'Varga blamed', 2) });
  assert.equal(onSurname.contents.kind, 'markdown');
  assert.match(onSurname.contents.value, /\*\*Elias Varga\*\* · person/);
  assert.match(onSurname.contents.value, /chairman/);
  assert.match(onSurname.contents.value, /Reported statements/);
  assert.equal(textAt(PIECE, onSurname.range), 'Varga');
  const onAcronym = await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(PIECE, 'KHA did', 1) });
  assert.match(onAcronym.contents.value, /Kellsport Harbour Authority/);
  const onRegistry = await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(PIECE, 'Thomas Brekke', 8) });
  assert.match(onRegistry.contents.value, /Leader of the Coastal Alliance/);
  assert.match(onRegistry.contents.value, /Opposition leader on Kellsport town council/);
  assert.match(onRegistry.contents.value, /\[Wikidata\]\(https:\/\/www\.wikidata\.org\/wiki\/Q42\)/);
});

test('entities over LSP: definition goes to the registry entry, else the first source mention', async (t) => {
  const { client, uri, root } = await start(t);
  const registered = await client.request('textDocument/definition', { textDocument: { uri }, position: positionOf(PIECE, 'Thomas Brekke', 9) });
  assert.equal(registered[0].uri, fileUri(path.join(root, 'entities.yml')));
  assert.equal(textAt(REGISTRY, registered[0].range), 'Tomas Brekke');
  const learnt = await client.request('textDocument/definition', { textDocument: { uri }, position: positionOf(PIECE, 'Varga blamed', 1) });
  assert.equal(learnt[0].uri, fileUri(path.join(root, 'sources', 'dredging.txt')));
  assert.equal(textAt(SOURCE, learnt[0].range), 'Elias Varga');
});

test('entities over LSP: references and document highlights', async (t) => {
  const { client, uri, root } = await start(t);
  const position = positionOf(PIECE, 'Varga blamed', 1);
  const references = await client.request('textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration: true } });
  const inPiece = references.filter((r: { uri: string }) => r.uri === uri).map((r: { range: never }) => textAt(PIECE, r.range));
  assert.deepEqual(inPiece, ['Elias Varga', 'Varga']);
  const sourceUri = fileUri(path.join(root, 'sources', 'dredging.txt'));
  const inSource = references.filter((r: { uri: string }) => r.uri === sourceUri).map((r: { range: never }) => textAt(SOURCE, r.range));
  assert.deepEqual(inSource, ['Elias Varga', 'Mr Varga']);
  const highlights = await client.request('textDocument/documentHighlight', { textDocument: { uri }, position });
  assert.deepEqual(
    highlights.map((h: { range: never }) => textAt(PIECE, h.range)),
    ['Elias Varga', 'Varga'],
  );
  const none = await client.request('textDocument/documentHighlight', { textDocument: { uri }, position: positionOf(PIECE, 'channel would') });
  assert.equal(none, null);
});

test('entities over LSP: completion of known names', async (t) => {
  const { client } = await start(t);
  const typing = 'Later, Elias Va';
  const uri = client.open('draft.md', typing);
  const list = await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: typing.length } });
  assert.equal(list.isIncomplete, false, 'every known name starting with "Elias Va" is in the list');
  const items = list.items;
  const item = items.find((i: { label: string }) => i.label === 'Elias Varga');
  assert.ok(item, JSON.stringify(items.map((i: { label: string }) => i.label)));
  assert.equal(textAt(typing, item.textEdit.range), 'Elias Va');
});

test('entities over LSP: the actors request and the style rules', async (t) => {
  const { client, uri } = await start(t);
  const { actors } = await client.request('provenance/actors', { textDocument: { uri } });
  const varga = actors.find((a: { name: string }) => a.name === 'Elias Varga');
  assert.equal(varga.count, 2);
  assert.equal(varga.type, 'person');
  assert.ok(actors.some((a: { name: string; inRegistry: boolean }) => a.name === 'Tomas Brekke' && a.inRegistry));
  const report = await client.request('textDocument/diagnostic', { textDocument: { uri } });
  const byCode = (code: string) => report.items.filter((d: { code: string }) => d.code === code).map((d: { range: never; message: string }) => textAt(PIECE, d.range));
  assert.deepEqual(byCode('style/name-variant'), ['Thomas Brekke']);
  assert.deepEqual(byCode('style/acronym-first-use'), ['KHA']);
});
