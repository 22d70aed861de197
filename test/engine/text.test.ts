import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commonEnds } from '../../server/src/engine/text';
import { mulberry32 } from '../helpers/random';

function naive(a: string, b: string): { head: number; tail: number } {
  const shorter = Math.min(a.length, b.length);
  let head = 0;
  while (head < shorter && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < shorter - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return { head, tail };
}

test('commonEnds agrees with a plain loop, across chunk boundaries and with overlapping ends', () => {
  const random = mulberry32(3);
  const base = Array.from({ length: 5000 }, () => 'ab c\n'[Math.floor(random() * 5)]).join('');
  for (let i = 0; i < 400; i++) {
    const at = Math.floor(random() * base.length);
    const removed = Math.floor(random() * 3000 * (random() < 0.2 ? 1 : 0.002));
    const inserted = 'ab c'.slice(0, Math.floor(random() * 4));
    const edited = base.slice(0, at) + inserted + base.slice(at + removed);
    assert.deepStrictEqual(commonEnds(base, edited), naive(base, edited), `edit at ${at}, ${removed} removed, ${JSON.stringify(inserted)} inserted`);
    assert.deepStrictEqual(commonEnds(edited, base), naive(edited, base));
  }
  assert.deepStrictEqual(commonEnds('x'.repeat(3000), 'x'.repeat(5000)), { head: 3000, tail: 0 });
  assert.deepStrictEqual(commonEnds('', 'abc'), { head: 0, tail: 0 });
});
