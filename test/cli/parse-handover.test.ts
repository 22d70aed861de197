/**
 * The parse of a split piece made by one half and adopted by the other
 * (server/src/cli/parse-handover.ts): what arrives equals what was sent, and
 * a parse that is not coming is never waited for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMarkdown } from '../../server/src/engine/markdown';
import { parseHandover, ParseReceiver, ParseSender } from '../../server/src/cli/parse-handover';

const PIECE = '# Title\n\nThe engineer said "none of them threatens the structure today" [@dam].\n\n> A quotation.\n';

test('parse handover: the receiver gets the parse that was sent, once, equal to its own', () => {
  const handover = parseHandover(3);
  const sender = new ParseSender(handover);
  const receiver = new ParseReceiver(handover);
  const parsed = parseMarkdown(PIECE);
  sender.begin(1);
  sender.send(1, parsed);
  assert.deepEqual(receiver.take(1), parseMarkdown(PIECE));
  assert.equal(receiver.take(1), undefined, 'taken once');
});

test('parse handover: nothing announced or an abandoned parse is not waited for', () => {
  const handover = parseHandover(2);
  const sender = new ParseSender(handover);
  const receiver = new ParseReceiver(handover);
  const started = performance.now();
  assert.equal(receiver.take(0), undefined);
  sender.begin(1);
  sender.abandon(1);
  assert.equal(receiver.take(1), undefined);
  assert.ok(performance.now() - started < 500, 'no wait');
});

test('parse handover: two runs in one process do not read each other’s parses', () => {
  const first = parseHandover(1);
  const second = parseHandover(1);
  const receiver = new ParseReceiver(second);
  new ParseSender(first).send(0, parseMarkdown(PIECE));
  assert.equal(receiver.take(0), undefined);
});

test('parse handover: a piece the receiver already parses itself is not sent', () => {
  const handover = parseHandover(1);
  const receiver = new ParseReceiver(handover);
  assert.equal(receiver.take(0), undefined, 'nothing announced: the receiver parses it');
  assert.equal(new ParseSender(handover).begin(0), false, 'so the sender does not');
});
