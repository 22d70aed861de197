/**
 * Through the real server, as a writer types: after each random edit of an
 * open piece, the diagnostics published for that version (findings sent by
 * the worker as a delta, diagnostics reused from the previous version) equal
 * those of a piece opened afresh with the same text, which nothing is reused
 * for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Range } from 'vscode-languageserver';
import { PIECE, start } from './fixture';

function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

function position(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

const SNIPPETS = ['so ', '\n', '\n\n', '"', 'safe ', 'The KHA met. ', '# ', ' [@ferry-fares]', ' said the mayor'];

test('incremental diagnostics: each edited version publishes what a freshly opened copy of its text publishes', async (t) => {
  const client = await start({ kind: 'push' });
  t.after(() => client.stop());
  const text = PIECE + '\nThe KHA will decide. Prices rose by 40%, the minister said.\n';
  const uri = client.open('analysis.md', text);
  await client.waitForDiagnostics(uri, (p) => p.version === 1);
  const next = random(3);
  for (let step = 0; step < 12; step++) {
    const current = client.text(uri);
    const at = next(current.length + 1);
    const remove = next(3) === 0 ? Math.min(current.length - at, 1 + next(8)) : 0;
    const range: Range = { start: position(current, at), end: position(current, at + remove) };
    const version = client.edit(uri, range, remove ? '' : SNIPPETS[next(SNIPPETS.length)]);
    const edited = await client.waitForDiagnostics(uri, (p) => p.version === version);
    const copy = client.open(`copy-${step}.md`, client.text(uri));
    const fresh = await client.waitForDiagnostics(copy, (p) => p.version === 1);
    assert.deepEqual(edited.diagnostics, fresh.diagnostics, `step ${step}:\n${client.text(uri)}`);
  }
});
