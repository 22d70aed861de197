/** The warmer: idle-turn steps that never hold a request up for more than one step. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Warmer } from '../../server/src/lsp/warm';

const turn = () => new Promise((resolve) => setImmediate(resolve));
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
  assert.deepEqual(order, ['step 1', 'request', 'step 2', 'step 3']);
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
