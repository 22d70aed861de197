/**
 * The parse of a split piece made by one half and adopted by the other
 * (server/src/cli/parse-handover.ts): what arrives equals what was sent, and
 * a parse that is not coming is never waited for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { parseMarkdown } from '../../server/src/engine/markdown';
import { parseHandover, ParseReceiver, ParseSender } from '../../server/src/cli/parse-handover';

const PIECE = '# Title\n\nThe engineer said "none of them threatens the structure today" [@dam].\n\n> A quotation.\n';

/** A sender and a receiver joined by a channel (in the CLI, through the main thread). */
function pair(pieces: number) {
  const handover = parseHandover(pieces);
  const channel = new MessageChannel();
  const sender = new ParseSender(handover, (message) => channel.port1.postMessage(message));
  const receiver = new ParseReceiver(handover, channel.port2);
  return { handover, sender, receiver, close: () => channel.port1.close() };
}

test('parse handover: the receiver gets the parse that was sent, once, equal to its own', () => {
  const { sender, receiver, close } = pair(3);
  const parsed = parseMarkdown(PIECE);
  sender.begin(1);
  sender.send(1, parsed);
  assert.deepEqual(receiver.take(1), parseMarkdown(PIECE));
  assert.equal(receiver.take(1), undefined, 'taken once');
  close();
});

test('parse handover: nothing announced or an abandoned parse is not waited for', () => {
  const { sender, receiver, close } = pair(2);
  const started = performance.now();
  assert.equal(receiver.take(0), undefined);
  sender.begin(1);
  sender.abandon(1);
  assert.equal(receiver.take(1), undefined);
  assert.ok(performance.now() - started < 500, 'no wait');
  close();
});

test('parse handover: a piece the receiver already parses itself is not sent', () => {
  const { sender, receiver, close } = pair(1);
  assert.equal(receiver.take(0), undefined, 'nothing announced: the receiver parses it');
  assert.equal(sender.begin(0), false, 'so the sender does not');
  close();
});

test('parse handover: a receiver that claims a piece makes its parse itself, and the sender sends none, whenever it claims before the parse is sent', () => {
  const { sender, receiver, close } = pair(3);
  const parsed = parseMarkdown(PIECE);
  // Before the sender begins: it does not begin.
  assert.equal(receiver.claim(0), true);
  assert.equal(sender.begin(0), false);
  // While the sender parses: it sends nothing, and nothing waits.
  assert.equal(sender.begin(1), true);
  assert.equal(receiver.claim(1), true);
  sender.send(1, parsed);
  const started = performance.now();
  assert.equal(receiver.take(1), undefined, 'nothing was sent');
  assert.ok(performance.now() - started < 500, 'no wait');
  sender.abandon(1);
  assert.equal(receiver.claim(1), true, 'an abandon after the claim leaves the piece claimed');
  // Once the parse is sent: no claim, and the parse is taken as sent.
  assert.equal(sender.begin(2), true);
  assert.equal(receiver.sent(2), false);
  sender.send(2, parsed);
  assert.equal(receiver.sent(2), true);
  assert.equal(receiver.claim(2), false);
  assert.deepEqual(receiver.take(2), parseMarkdown(PIECE));
  close();
});
