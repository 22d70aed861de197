/** Spans ↔ positions in every position encoding, astral characters and line breaks included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyContentChange, negotiatePositionEncoding, TextMap } from '../../server/src/lsp/convert';

// "😀" is one code point, two UTF-16 units, four UTF-8 bytes; "é" is one unit, two bytes.
const TEXT = 'first line\r\nsé 😀 "quoted" end\rthird\nlast';

test('convert: utf-16 positions count code units; \\r\\n, \\r and \\n all end lines', () => {
  const map = new TextMap(TEXT, 'utf-16');
  assert.equal(map.lineCount, 4);
  const quoted = TEXT.indexOf('"quoted"');
  assert.deepEqual(map.position(quoted), { line: 1, character: 6 });
  assert.deepEqual(map.position(TEXT.indexOf('third')), { line: 2, character: 0 });
  assert.deepEqual(map.position(TEXT.indexOf('last')), { line: 3, character: 0 });
  assert.equal(map.offset({ line: 1, character: 6 }), quoted);
});

test('convert: utf-8 counts bytes and utf-32 counts code points', () => {
  const quoted = TEXT.indexOf('"quoted"');
  const utf8 = new TextMap(TEXT, 'utf-8');
  const utf32 = new TextMap(TEXT, 'utf-32');
  // s(1) é(2) space(1) 😀(4) space(1) = 9 bytes; s é space 😀 space = 5 code points.
  assert.deepEqual(utf8.position(quoted), { line: 1, character: 9 });
  assert.deepEqual(utf32.position(quoted), { line: 1, character: 5 });
  assert.equal(utf8.offset({ line: 1, character: 9 }), quoted);
  assert.equal(utf32.offset({ line: 1, character: 5 }), quoted);
});

test('convert: round trip of every offset in every encoding', () => {
  for (const encoding of ['utf-16', 'utf-8', 'utf-32'] as const) {
    const map = new TextMap(TEXT, encoding);
    for (let offset = 0; offset <= TEXT.length; offset++) {
      const code = TEXT.charCodeAt(offset);
      const insidePair = code >= 0xdc00 && code <= 0xdfff;
      const insideCrLf = TEXT[offset] === '\n' && TEXT[offset - 1] === '\r';
      if (insidePair || insideCrLf) continue;
      assert.equal(map.offset(map.position(offset)), offset, `${encoding} offset ${offset}`);
    }
  }
});

test('convert: positions never split a surrogate pair and clamp to the line end', () => {
  const emoji = TEXT.indexOf('😀');
  const utf16 = new TextMap(TEXT, 'utf-16');
  assert.deepEqual(utf16.position(emoji + 1), utf16.position(emoji));
  const utf8 = new TextMap(TEXT, 'utf-8');
  // Byte 5 is inside the emoji's four bytes: it snaps to the emoji's start.
  assert.equal(utf8.offset({ line: 1, character: 5 }), emoji);
  // Past the end of a line means the end of that line, not the next one.
  assert.equal(utf16.offset({ line: 0, character: 99 }), 'first line'.length);
  assert.equal(utf16.offset({ line: 99, character: 0 }), TEXT.length);
});

test('convert: incremental changes are applied in the negotiated encoding', () => {
  const range = { start: { line: 1, character: 9 }, end: { line: 1, character: 17 } };
  assert.equal(applyContentChange(TEXT, { range, text: '"changed"' }, 'utf-8'), TEXT.replace('"quoted"', '"changed"'));
  assert.equal(applyContentChange(TEXT, { text: 'all new' }, 'utf-8'), 'all new');
});

test('convert: the client picks the encoding, in its order of preference; utf-16 otherwise', () => {
  assert.equal(negotiatePositionEncoding(undefined), 'utf-16');
  assert.equal(negotiatePositionEncoding(['utf-8', 'utf-16']), 'utf-8');
  assert.equal(negotiatePositionEncoding(['utf-32']), 'utf-32');
  assert.equal(negotiatePositionEncoding(['latin-1']), 'utf-16');
});
