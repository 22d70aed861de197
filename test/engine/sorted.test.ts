/**
 * Searches in sorted arrays (engine/sorted.ts) against a scan of every item.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowerBoundBy, upperBound } from '../../server/src/engine/sorted';

test('sorted: upperBound and lowerBoundBy give the index a scan gives, duplicates and ends included', () => {
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let round = 0; round < 300; round++) {
    const values = Array.from({ length: random(12) }, () => random(10)).sort((a, b) => a - b);
    const items = values.map((start) => ({ span: { start } }));
    for (let value = -1; value <= 11; value++) {
      assert.equal(upperBound(values, value), values.filter((v) => v <= value).length, `${values} ${value}`);
      assert.equal(lowerBoundBy(items, value, (item) => item.span.start), values.filter((v) => v < value).length, `${values} ${value}`);
    }
  }
});
