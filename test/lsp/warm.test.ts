/** The warmer: idle-turn steps that never hold a request up for more than one step. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { Warmer } from '../../server/src/lsp/warm';

const turn = () => new Promise((resolve) => setImmediate(resolve));
/** Waits with no immediate of ours pending (a step waits for others' immediates: see Warmer.turn). */
const pause = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));
async function settled(warmer: Warmer): Promise<void> {
  while (warmer.busy) await turn();
  await turn();
}

test('warmer: one step per turn of the event loop, so work queued meanwhile runs between steps', async () => {
  const warmer = new Warmer(() => assert.fail('no step fails'));
  const order: string[] = [];
  warmer.plan({}, [() => order.push('step 1'), () => order.push('step 2'), () => order.push('step 3')]);
  assert.equal(order.length, 0, 'nothing runs synchronously');
  setImmediate(() => order.push('request'));
  await settled(warmer);
  assert.deepEqual(order, ['request', 'step 1', 'step 2', 'step 3']);
});

test('warmer: a request that arrives during a step is answered before the next step (vscode-languageserver over a socket)', async (t) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  const socket = await accepted;
  const order: string[] = [];
  // The server's side as the language server has it; what it writes back is seen on the socket.
  const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (String(chunk).includes('"pong"')) order.push('answered');
    return write(chunk, ...rest);
  }) as typeof socket.write;
  const connection = createConnection(new StreamMessageReader(socket), new StreamMessageWriter(socket));
  connection.onRequest('ping', () => (order.push('request'), 'pong'));
  connection.listen();
  t.after(() => {
    connection.dispose();
    client.destroy();
    socket.destroy();
  });
  const warmer = new Warmer(() => assert.fail('no step fails'));
  const busyFor = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: null });
  warmer.plan({}, [
    () => {
      order.push('step 1');
      // As an editor in another process would: the bytes reach the server's socket while this step runs.
      client.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      busyFor(50);
    },
    () => order.push('step 2'),
  ]);
  await settled(warmer);
  while (order.length < 4) await turn();
  assert.deepEqual(order, ['step 1', 'request', 'answered', 'step 2']);
});

test('warmer: a new plan for the same owner replaces its pending steps; other owners keep theirs', async () => {
  const warmer = new Warmer(() => undefined);
  const project = {};
  const other = {};
  const ran: string[] = [];
  warmer.plan(project, [() => ran.push('old 1'), () => ran.push('old 2')]);
  warmer.plan(other, [() => ran.push('other')]);
  warmer.plan(project, [() => ran.push('new')]);
  await settled(warmer);
  assert.deepEqual(ran.sort(), ['new', 'other']);
});

test('warmer: a plan no longer wanted (the piece moved on) is dropped; a failing step is logged and the rest go on', async () => {
  const logged: string[] = [];
  const warmer = new Warmer((message) => logged.push(message));
  const piece = {};
  const project = {};
  let version = 1;
  const ran: string[] = [];
  warmer.plan(
    piece,
    [
      () => {
        ran.push('v1 step 1');
        version = 2;
      },
      () => ran.push('v1 step 2'),
    ],
    () => version === 1,
  );
  warmer.plan(project, [
    () => {
      throw new Error('boom');
    },
    () => ran.push('after the failure'),
  ]);
  await settled(warmer);
  assert.deepEqual(ran, ['v1 step 1', 'after the failure']);
  assert.equal(logged.length, 1);
  assert.match(logged[0], /boom/);
});

test('warmer: nothing runs after dispose', async () => {
  const warmer = new Warmer(() => undefined);
  const ran: string[] = [];
  warmer.plan({}, [() => ran.push('a'), () => ran.push('b')]);
  warmer.dispose();
  warmer.plan({}, [() => ran.push('c')]);
  await turn();
  await turn();
  assert.deepEqual(ran, []);
});

test('warmer: no step starts while a write it was told to wait for is in flight; a failed write releases it too', async () => {
  const warmer = new Warmer(() => assert.fail('no step fails'));
  const ran: string[] = [];
  let finishWrite!: () => void;
  warmer.holdUntil(new Promise<void>((resolve) => (finishWrite = resolve)));
  warmer.plan({}, [() => ran.push('step 1'), () => ran.push('step 2')]);
  await pause();
  assert.equal(ran.length, 0, 'held while the write is in flight');
  finishWrite();
  await settled(warmer);
  assert.deepEqual(ran, ['step 1', 'step 2']);

  // A hold that begins between two steps stops the rest until it ends, and a rejected write ends it.
  let failWrite!: (err: Error) => void;
  warmer.plan({}, [
    () => {
      ran.push('step 3');
      warmer.holdUntil(new Promise<void>((_, reject) => (failWrite = reject)));
    },
    () => ran.push('step 4'),
  ]);
  await pause();
  assert.deepEqual(ran.slice(2), ['step 3']);
  failWrite(new Error('client gone'));
  await settled(warmer);
  assert.deepEqual(ran.slice(2), ['step 3', 'step 4']);

  // A write that begins after a step was scheduled, before its turn came, holds it as well.
  let finishLater!: () => void;
  warmer.plan({}, [() => ran.push('step 5')]);
  warmer.holdUntil(new Promise<void>((resolve) => (finishLater = resolve)));
  await pause();
  assert.deepEqual(ran.slice(4), []);
  finishLater();
  await settled(warmer);
  assert.deepEqual(ran.slice(4), ['step 5']);
});

test('warmer: afterWrites runs its callback in a later turn, after a write begun in the same turn has ended', async () => {
  const warmer = new Warmer(() => assert.fail('nothing fails'));
  const order: string[] = [];
  let finishWrite!: () => void;
  warmer.afterWrites(() => order.push('callback'));
  // As a check's diagnostics are published once the check returns: same turn, after the call.
  warmer.holdUntil(new Promise<void>((resolve) => (finishWrite = resolve)));
  for (let i = 0; i < 5; i++) await turn();
  assert.equal(order.length, 0, 'waits for the write');
  order.push('written');
  finishWrite();
  await settled(warmer);
  assert.deepEqual(order, ['written', 'callback']);
  // With no write at all, it still waits for a later turn, never runs synchronously.
  warmer.afterWrites(() => order.push('later'));
  assert.equal(order.length, 2);
  await settled(warmer);
  assert.deepEqual(order.slice(2), ['later']);
});
