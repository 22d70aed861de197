/**
 * Editing a long piece must not grow the engine's memory with every version.
 * The caches that outlive a check (sentence verdicts, quotation verdicts, block
 * scans, tokens) are keyed by pieces of text; V8 keeps a substring as a view
 * of its parent, so a key sliced from the piece would hold that whole version
 * alive — about a megabyte per keystroke on a 200 KB piece, without bound over
 * a day's editing. This test edits a long piece many times and compares the
 * live heap after a full collection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE, engineWithExampleSources, liveHeap } from '../helpers/memory';

test('memory: editing a long piece does not keep old versions of it alive', () => {
  const engine = engineWithExampleSources();
  // About 200 KB: the example's paragraphs over and over, each copy numbered so no two blocks are the same text.
  const body = fs.readFileSync(path.join(EXAMPLE, 'analysis.md'), 'utf8').split('\n\n').slice(1);
  const paragraphs: string[] = [];
  for (let copy = 0; paragraphs.length < 1600; copy++) for (const p of body) paragraphs.push(`${p.trim()} (Note ${copy}.)`);
  let text = `# A long piece\n\n${paragraphs.join('\n\n')}\n`;
  assert.ok(text.length > 150_000, `piece of ${text.length} characters`);

  let version = 1;
  const edit = (i: number) => {
    // A word typed into a different paragraph each time: a new block, a new sentence, new cache keys.
    const at = text.indexOf('(Note ', (i * 7919) % (text.length - 100));
    text = `${text.slice(0, at)}so ${text.slice(at)}`;
    const doc = { uri: 'file:///ws/long.md', text, version: ++version };
    engine.check(doc);
    for (const step of engine.prepare([doc])) step();
    engine.hover(doc, at);
  };
  // Fill the caches that only grow with the first edits, then measure over many more.
  for (let i = 0; i < 10; i++) edit(i);
  const before = liveHeap();
  const edits = 40;
  for (let i = 10; i < 10 + edits; i++) edit(i);
  const grown = liveHeap() - before;
  const perVersion = text.length; // at least one byte per character of each version kept alive
  assert.ok(
    grown < (edits * perVersion) / 4,
    `the live heap grew by ${(grown / 1048576).toFixed(1)} MiB over ${edits} edits of a ${(text.length / 1024).toFixed(0)} KB piece: old versions are being kept`,
  );
});
