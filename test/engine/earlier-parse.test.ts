/**
 * Engine.parseState / adoptEarlierParse: an embedder keeps a piece's parse
 * between runs (the CLI, node/kept-parse.ts), and the engine makes the next
 * version's parse from it: the same parse a whole parse gives, built on the
 * kept one's objects where the edit left them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import { createEngine } from '../../server/src/engine/index';
import { parseMarkdown } from '../../server/src/engine/markdown';
import type { ParseState } from '../../server/src/engine/api';

const TEXT = ['# Harbour', '', 'The harbour master said "the quay would reopen in May" [@quay].', '', 'Tolls rose by 12% in 2023, the council said.[^t]', '', '[^t]: The council minutes [@tolls].', ''].join('\n');
const doc = (text: string) => ({ uri: 'file:///ws/piece.md', path: 'piece.md', text });

/** A state as another run would hand it back: through v8, as the CLI keeps it. */
function keptState(text: string): ParseState {
  const engine = createEngine();
  engine.check(doc(text));
  return v8.deserialize(v8.serialize(engine.parseState(doc(text)))) as ParseState;
}

test('earlier parse: a kept parse of the present text is the parse; of an earlier text, the next parse is made from it', () => {
  const state = keptState(TEXT);
  const same = createEngine();
  same.adoptEarlierParse(doc(TEXT), state);
  assert.equal(same.parsed(doc(TEXT)), state.parsed);

  for (const next of [TEXT + '\nA paragraph added after the notes, saying "new words" [@quay].\n', TEXT.replace('reopen in May', 'reopen early in May')]) {
    const engine = createEngine();
    engine.adoptEarlierParse(doc(next), keptState(TEXT));
    const parsed = engine.parsed(doc(next));
    assert.deepStrictEqual(parsed, parseMarkdown(next));
    const kept = keptState(TEXT);
    const fresh = createEngine();
    fresh.adoptEarlierParse(doc(next), kept);
    assert.equal(fresh.parsed(doc(next)).blocks[0], kept.parsed.blocks[0], 'the heading before the edit is the kept object');
    assert.deepStrictEqual(engine.check(doc(next)), createEngine().check(doc(next)));
  }
});

test('earlier parse: a parse adopted from another thread has no state to keep; an edit that reaches beyond paragraphs is parsed whole', () => {
  const engine = createEngine();
  engine.adoptParse(doc(TEXT), v8.deserialize(v8.serialize(parseMarkdown(TEXT))));
  assert.equal(engine.parseState(doc(TEXT)), undefined);
  const next = TEXT.replace('# Harbour\n', '# Harbour\n\n> A quote added [@quay]\n');
  const fromKept = createEngine();
  const kept = keptState(TEXT);
  fromKept.adoptEarlierParse(doc(next), kept);
  const parsed = fromKept.parsed(doc(next));
  assert.deepStrictEqual(parsed, parseMarkdown(next));
  assert.notEqual(parsed.blocks[0], kept.parsed.blocks[0], 'parsed whole');
});
