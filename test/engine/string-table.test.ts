/**
 * The string table of a persisted entity knowledge: every string comes back
 * as it went in, one at a time, whatever it holds (NULs, non-Latin letters,
 * astral characters, halves of a surrogate pair meeting at a string's edge),
 * and a table whose starts do not cut its bytes is refused when it is read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoredStrings, StringTable } from '../../server/src/engine/entities/string-table';

function roundTrip(strings: readonly string[]): string[] {
  const table = new StringTable();
  for (const s of strings) table.index(s);
  const { bytes, starts } = table.encodeBytes();
  const stored = new StoredStrings(bytes, starts);
  assert.equal(stored.count, table.strings.length);
  assert.equal(stored.at(-1), undefined);
  assert.equal(stored.at(stored.count), undefined);
  // Read last to first: each string is decoded on its own.
  return table.strings.map((_, i) => stored.at(table.strings.length - 1 - i)!).reverse();
}

test('string table: strings come back as written, read one at a time', () => {
  const strings = ['', 'Lavrov', 'Sergei Lavrov', 'a\u0000b', 'Ďurčo', 'Сергей Лавров', '😀 emoji', 'Tolls rose.', ''];
  assert.deepEqual(roundTrip(strings), [...new Set(strings)]);
  // A string ending in a high surrogate and the next starting with a low one: joined, they would make one character.
  assert.deepEqual(roundTrip(['x\uD83D', '\uDE00y', 'z']), ['x\uFFFD', '\uFFFDy', 'z']);
  assert.deepEqual(roundTrip([]), []);
});

test('string table: starts that do not cut the bytes into strings are refused', () => {
  const table = new StringTable();
  for (const s of ['one', 'two', 'three']) table.index(s);
  const { bytes, starts } = table.encodeBytes();
  assert.doesNotThrow(() => new StoredStrings(bytes, starts));
  for (const damaged of [starts.slice(1), Int32Array.of(0, 5, 3, bytes.length), Int32Array.of(1, 3, 6, bytes.length), Int32Array.of(0, 3, 6, bytes.length + 1), new Int32Array(0)]) {
    assert.throws(() => new StoredStrings(bytes, damaged), RangeError);
  }
});
