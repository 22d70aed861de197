/**
 * readTextFile reads every file into one reused buffer: each text must be
 * exactly its own file, whatever was read before it, and odd paths must give
 * their reason, not hang or throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { decodeUtf8, readTextFile } from '../../server/src/node/workspace';
import { tempWorkspace } from '../helpers/repo';

test('readTextFile: each text is its own file, long then short, small then beyond the reused buffer', () => {
  const long = 'Harbour works resumed on Monday. '.repeat(4000); // ~130 KB: more than the first buffer
  const huge = 'é'.repeat(700 * 1024); // 1.4 MB of UTF-8: read into a buffer of its own
  const files: Record<string, string | Uint8Array> = {
    'a-long.txt': long,
    'b-short.txt': 'Short.',
    'c-empty.txt': '',
    'd-huge.txt': huge,
    'e-after.txt': 'After the huge one.',
    'f-bom.txt': '\ufeffWith a byte order mark.',
    'g-invalid.txt': Uint8Array.of(0x41, 0xff, 0x42),
    'h-binary.bin': Uint8Array.of(0x41, 0x00, 0x42),
  };
  const root = tempWorkspace(files);
  const read = (name: string) => readTextFile(path.join(root, name), 4 * 1024 * 1024);
  const text = (name: string) => {
    const result = read(name);
    assert.ok(result.ok, name);
    return result.text;
  };
  assert.equal(text('a-long.txt'), long);
  assert.equal(text('b-short.txt'), 'Short.');
  assert.equal(text('c-empty.txt'), '');
  assert.equal(text('d-huge.txt'), huge);
  assert.equal(text('e-after.txt'), 'After the huge one.');
  assert.equal(text('a-long.txt'), long, 'read again after shorter files');
  assert.equal(text('f-bom.txt'), 'With a byte order mark.', 'the BOM is dropped, as an editor shows the file');
  assert.equal(text('g-invalid.txt'), 'A\ufffdB');
  const binary = read('h-binary.bin');
  assert.equal(binary.ok, false);
  assert.equal(!binary.ok && binary.reason, 'binary');
  const capped = readTextFile(path.join(root, 'a-long.txt'), 1000);
  assert.equal(!capped.ok && capped.reason, 'too-large');
});

test('readTextFile: a directory, a missing file and a FIFO give a reason, without hanging', (t) => {
  const root = tempWorkspace({ 'sources/x.txt': 'x' });
  const folder = readTextFile(path.join(root, 'sources'), 1024);
  assert.equal(folder.ok, false);
  assert.match(!folder.ok ? folder.message : '', /not a file/);
  const missing = readTextFile(path.join(root, 'nope.txt'), 1024);
  assert.equal(!missing.ok && missing.reason, 'unreadable');
  if (process.platform === 'win32') return t.skip('no FIFOs on Windows');
  const fifo = path.join(root, 'pipe.txt');
  try {
    execFileSync('mkfifo', [fifo]);
  } catch {
    return t.skip('mkfifo not available');
  }
  assert.ok(fs.statSync(fifo).isFIFO());
  const piped = readTextFile(fifo, 1024);
  assert.equal(piped.ok, false);
  assert.match(!piped.ok ? piped.message : '', /not a file/);
});

test('decodeUtf8: the same text as TextDecoder, byte order marks and invalid sequences included', () => {
  const reference = new TextDecoder('utf-8');
  const same = (bytes: Uint8Array) => assert.equal(decodeUtf8(bytes), reference.decode(bytes), Buffer.from(bytes).toString('hex'));
  // Every sequence of up to three bytes from those that start, continue, overlong or overrun UTF-8.
  const edges = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbb, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
  for (const a of edges) {
    same(Uint8Array.of(a));
    for (const b of edges) {
      same(Uint8Array.of(a, b));
      for (const c of edges) same(Uint8Array.of(a, b, c));
    }
  }
  // Longer random runs (a fixed generator, so a failure repeats).
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 20000; i++) same(Uint8Array.from({ length: 1 + (i % 12) }, () => (i % 2 ? edges[next() % edges.length] : next())));
  // A leading mark is dropped once; a later one, or a second, is text.
  for (const text of ['\ufeffHarbour', '\ufeff', '\ufeff\ufeffquay', 'quay\ufeff', 'été ✓ 𝄞']) same(new TextEncoder().encode(text));
  // A view into a larger buffer decodes only its own bytes.
  const whole = new TextEncoder().encode('xx\ufeffharbour wall yy');
  same(whole.subarray(2, whole.length - 3));
});
