/**
 * The source index groups its trigram entries by bucket in two passes
 * from 2^19 buckets on (`bucketTrigrams`, quotes/source-index.ts). It must
 * give exactly what one counting sort over all the buckets gives: the same
 * bucket starts, and each bucket's entries in entry order. That sort is
 * written out here again as the reference (16-18 bits run the engine's own).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketTrigrams } from '../../server/src/engine/quotes/source-index';
import { mulberry32 } from '../helpers/random';

function onePassReference(keys: Uint32Array, entryPositions: Uint32Array, bits: number) {
  const shift = 32 - bits;
  const bucketStart = new Uint32Array((1 << bits) + 1);
  for (let i = 0; i < keys.length; i++) bucketStart[(keys[i] >>> shift) + 1]++;
  for (let b = 1; b < bucketStart.length; b++) bucketStart[b] += bucketStart[b - 1];
  const lowKeys = new Uint16Array(keys.length);
  const positions = new Uint32Array(keys.length);
  const fillAt = bucketStart.slice(0, bucketStart.length - 1);
  for (let e = 0; e < keys.length; e++) {
    const at = fillAt[keys[e] >>> shift]++;
    lowKeys[at] = keys[e] & 0xffff;
    positions[at] = entryPositions[e];
  }
  return { bucketStart, lowKeys, positions };
}

test('source index buckets: two passes give what one counting sort gives, for every bucket count and key shape', () => {
  const random = mulberry32(20261129);
  const cases: Array<[string, number, number, () => number]> = [];
  for (const bits of [16, 17, 20, 21, 24]) {
    for (const size of [0, 1, 7, 1000, 150_000]) {
      cases.push([`uniform keys, ${size} entries, ${bits} bits`, bits, size, () => Math.floor(random() * 2 ** 32)]);
    }
    // Text is skewed: a few trigrams ("of the", "in the") recur thousands of times, so buckets and partitions are uneven.
    const common = Array.from({ length: 40 }, () => Math.floor(random() * 2 ** 32));
    cases.push([`skewed keys, ${bits} bits`, bits, 120_000, () => (random() < 0.5 ? common[Math.floor(random() * random() * common.length)] : Math.floor(random() * 2 ** 32))]);
    // Every key in one partition, and keys at the ends of the range.
    cases.push([`one partition, ${bits} bits`, bits, 50_000, () => (0xab000000 | Math.floor(random() * 2 ** 24)) >>> 0]);
    cases.push([`extreme keys, ${bits} bits`, bits, 10_000, () => (random() < 0.5 ? 0 : 0xffffffff)]);
  }
  for (const [what, bits, size, nextKey] of cases) {
    const keys = Uint32Array.from({ length: size }, nextKey);
    // Positions ascend as makeSegment's do; a bucket's entries must keep that order.
    let at = 0;
    const entryPositions = Uint32Array.from({ length: size }, () => (at += 1 + Math.floor(random() * 3)));
    const got = bucketTrigrams(keys, entryPositions, bits);
    const want = onePassReference(keys, entryPositions, bits);
    assert.deepEqual(got.bucketStart, want.bucketStart, `${what}: bucket starts`);
    assert.deepEqual(got.lowKeys, want.lowKeys, `${what}: low keys`);
    assert.deepEqual(got.positions, want.positions, `${what}: positions`);
  }
});
