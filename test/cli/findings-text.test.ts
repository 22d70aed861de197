/**
 * Findings as they go from a CLI worker to the main thread and into the
 * results cache (cli/findings-text.ts): what goes in comes out, whatever the
 * messages quote, and bytes it did not write are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFindings, encodeFindings } from '../../server/src/cli/findings-text';
import type { Finding } from '../../server/src/engine/types';

const FINDINGS: Finding[] = [
  {
    ruleId: 'quote/misquote',
    severity: 'warning',
    message: 'The source says “reopen in May” — not “June”; Ωμέγα 🚢 and a lone \u{1F6A2}.',
    span: { start: 3, end: 41 },
    data: { sourceId: 'quay', passage: { start: 0, end: 12 } },
    fixes: [{ title: 'Use the source’s words', edits: [{ span: { start: 4, end: 40 }, newText: 'reopen in May' }], isPreferred: true }],
  },
  { ruleId: 'claim/unsourced', severity: 'information', message: 'Line one\nline two\u0000after a NUL', span: { start: 0, end: 0 } },
];

test('findings text: findings come back as they went, quotes, emoji, NULs and all', () => {
  assert.deepEqual(decodeFindings(encodeFindings(FINDINGS)), FINDINGS);
  assert.deepEqual(decodeFindings(encodeFindings([])), []);
});

test('findings text: decoding works on a slice of a larger buffer, at an odd offset', () => {
  const bytes = encodeFindings(FINDINGS);
  const larger = new Uint8Array(bytes.byteLength + 3);
  larger.set(bytes, 1);
  assert.deepEqual(decodeFindings(larger.subarray(1, 1 + bytes.byteLength)), FINDINGS);
});

test('findings text: bytes it did not write are refused', () => {
  const bytes = encodeFindings(FINDINGS);
  assert.throws(() => decodeFindings(bytes.subarray(0, bytes.byteLength - 1)), /not JSON/);
  assert.throws(() => decodeFindings(Buffer.from('{"ruleId":"x"}')), /not a findings JSON/);
  assert.throws(() => decodeFindings(Buffer.from(JSON.stringify(FINDINGS))), /not a findings JSON/);
  assert.throws(() => decodeFindings(Buffer.from(JSON.stringify(FINDINGS), 'utf16le')), /not JSON/);
});
