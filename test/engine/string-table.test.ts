/**
 * The string tables of the entities cache section (entities/string-table.ts):
 * a restored table gives each string as written, cut from the text when first
 * asked for, and starts that do not fit the text are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LazyStrings, StringTable } from '../../server/src/engine/entities/string-table';

const WORDS = ['Alma Reyes', '', 'Kellsport Dock Workers Union', 'KDWU', 'Ωμέγα 🚢', 'a'];

function written(words: readonly string[]): { text: string; starts: Int32Array; indexes: number[] } {
  const table = new StringTable();
  const indexes = words.map((word) => table.index(word));
  return { text: table.encode(false), starts: table.starts(), indexes };
}

test('lazy strings: each string as written, empty ones included, and nothing outside the table', () => {
  const { text, starts, indexes } = written(WORDS);
  const strings = new LazyStrings(text, starts);
  assert.equal(strings.length, WORDS.length);
  WORDS.forEach((word, i) => assert.equal(strings.at(indexes[i]), word));
  assert.equal(strings.at(indexes[0]), strings.at(indexes[0]), 'asked again: the same string');
  for (const outside of [-1, WORDS.length, 1.5, Number.NaN]) assert.equal(strings.at(outside), undefined, String(outside));
  const none = written([]);
  assert.equal(new LazyStrings(none.text, none.starts).length, 0);
});

test('lazy strings: starts that do not fit the text are refused', () => {
  const { text, starts } = written(WORDS);
  const damaged = (change: (copy: Int32Array) => void) => {
    const copy = starts.slice();
    change(copy);
    return copy;
  };
  for (const [what, bad] of [
    ['not from 0', damaged((c) => (c[0] = 1))],
    ['not to the end', damaged((c) => (c[c.length - 1] = text.length))],
    ['going back', damaged((c) => (c[2] = c[1] - 1))],
    ['standing still', damaged((c) => (c[2] = c[1]))],
    ['none at all', new Int32Array(0)],
  ] as const) {
    assert.throws(() => new LazyStrings(text, bad), /bad starts/, what);
  }
});
