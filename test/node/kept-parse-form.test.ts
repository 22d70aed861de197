/**
 * The kept parse's two forms (node/kept-parse.ts): packed when the parse's
 * records are of the shapes engine/markdown/packed-parse.ts packs, else kept
 * as it is; either reads back as the parse that was kept, for the build that
 * kept it only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import { parseMarkdown } from '../../server/src/engine/markdown';
import { editSupport } from '../../server/src/engine/markdown/edit-support';
import { decodeKeptParse, encodeKeptParse } from '../../server/src/node/kept-parse';
import type { ParseState } from '../../server/src/engine/api';

const TEXT = '# Notes\n\nThe mayor said "the ferry runs again" [@ferry].[^1]\n\n[^1]: See [@vote].\n';

function state(): ParseState {
  const parsed = parseMarkdown(TEXT);
  return { parsed, support: editSupport.get(parsed)! };
}

test('kept parse form: a parse of the packed shapes is kept packed and reads back equal', () => {
  const bytes = encodeKeptParse(state(), 'build-a');
  assert.equal((v8.deserialize(bytes) as { packed: boolean }).packed, true);
  assert.deepEqual(decodeKeptParse(bytes, 'build-a'), state());
  assert.equal(decodeKeptParse(bytes, 'build-b'), undefined, 'another build refuses it');
});

test('kept parse form: a parse with records of another shape is kept as it is and reads back equal', () => {
  const odd = state();
  (odd.parsed.blocks[1] as unknown as Record<string, unknown>).note = 'a field the packer does not know';
  const bytes = encodeKeptParse(odd, 'build-a');
  assert.equal((v8.deserialize(bytes) as { packed: boolean }).packed, false);
  assert.deepEqual(decodeKeptParse(bytes, 'build-a'), odd);
});
