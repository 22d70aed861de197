/** The writer's diagnostics encoding: the same bytes as plain JSON, each diagnostic encoded once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver';
import type { Message } from 'vscode-languageserver/node';
import { DiagnosticsEncoder } from '../../server/src/lsp/wire';

function diagnostic(line: number, message: string): Diagnostic {
  return {
    range: { start: { line, character: 2 }, end: { line, character: 9 } },
    severity: 2,
    source: 'provenance',
    code: 'quote/misquote',
    message,
    codeDescription: { href: 'file:///docs/rules/quote/misquote.md' },
    relatedInformation: [{ location: { uri: 'file:///ws/sources/a%20b.txt', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } } }, message: 'Source passage' }],
  };
}

// Curly quotes, an accent, an emoji (a surrogate pair), a lone surrogate, a backslash, a control character and the placeholder's own words.
const MESSAGES = ['The source says “safe harbour”, not “fair”.', 'Café — 🚢 at sea', 'lone \ud800 half', 'back\\slash "quoted" \u0001diagnostics\u0001 tab\t'];

function publish(version: number, diagnostics: Diagnostic[]): Message {
  return { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///ws/analysis.md', version, diagnostics } } as Message;
}

async function encoded(encoder: DiagnosticsEncoder, message: Message): Promise<string> {
  return Buffer.from(await encoder.encode(message)).toString('utf8');
}

test('wire: a publish, a full pull report and any other message encode to exactly the bytes of JSON.stringify', async () => {
  const encoder = new DiagnosticsEncoder();
  const diagnostics = MESSAGES.map((message, i) => diagnostic(i, message));
  const messages: Message[] = [
    publish(3, diagnostics),
    publish(4, []),
    { jsonrpc: '2.0', id: 7, result: { kind: 'full', resultId: 'r1', items: diagnostics } } as Message,
    { jsonrpc: '2.0', id: 8, result: { kind: 'unchanged', resultId: 'r1' } } as Message,
    { jsonrpc: '2.0', id: 9, result: { contents: { kind: 'markdown', value: '“hover”' } } } as Message,
  ];
  for (const message of messages) {
    // Twice: the second time the diagnostics come from the cache.
    assert.equal(await encoded(encoder, message), JSON.stringify(message));
    assert.equal(await encoded(encoder, message), JSON.stringify(message));
  }
});

test('wire: a diagnostic is encoded once per object; a new object (a moved range) is encoded afresh', async () => {
  const encoder = new DiagnosticsEncoder();
  const kept = diagnostic(1, MESSAGES[0]);
  const stringified: unknown[] = [];
  const stringify = JSON.stringify;
  JSON.stringify = ((value: unknown, ...rest: []) => {
    stringified.push(value);
    return stringify(value, ...rest);
  }) as typeof JSON.stringify;
  try {
    await encoder.encode(publish(1, [kept]));
    await encoder.encode(publish(2, [kept]));
    const moved = { ...kept, range: { start: { line: 2, character: 2 }, end: { line: 2, character: 9 } } };
    assert.equal(await encoded(encoder, publish(3, [kept, moved])), stringify(publish(3, [kept, moved])));
  } finally {
    JSON.stringify = stringify;
  }
  assert.equal(stringified.filter((value) => value === kept).length, 1, 'the kept diagnostic was encoded once over three messages');
});
