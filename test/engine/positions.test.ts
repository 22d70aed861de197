/**
 * LineIndex (engine/positions.ts), the CLI's one conversion from offsets to
 * line and character: lines end at `\n`, `\r\n` and a lone `\r`, as in LSP.
 * It now takes the parse's line starts; the character loop it replaced is
 * kept here as the reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../server/src/engine/positions';
import { mulberry32 } from '../helpers/random';

function referenceStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

test('LineIndex: positions agree with the character loop, on strings of line endings and letters', () => {
  const random = mulberry32(2026);
  const pieces = ['a', 'é', ' ', '\n', '\r', '\r\n', '\u2028', '😀'];
  for (let round = 0; round < 5000; round++) {
    let text = '';
    for (let n = Math.floor(random() * 24); n > 0; n--) text += pieces[Math.floor(random() * pieces.length)];
    const index = new LineIndex(text);
    const starts = referenceStarts(text);
    assert.equal(index.lineCount, starts.length, JSON.stringify(text));
    for (let offset = 0; offset <= text.length; offset++) {
      let line = 0;
      while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
      assert.deepEqual(index.position(offset), { line, character: offset - starts[line] }, `${JSON.stringify(text)} at ${offset}`);
    }
  }
  assert.deepEqual(new LineIndex('a\r\nb\rc\nd').position(7), { line: 3, character: 0 });
});
