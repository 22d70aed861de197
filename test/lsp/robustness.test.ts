/** A failing handler does not take the server down; the server does not outlive its client. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { positionOf } from '../helpers/lsp-client';
import { PIECE, start } from './fixture';

const EXIT_DEADLINE_MS = 3000;

async function exitsWithin<T>(exited: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the server was still running ${ms} ms after ${what}`)), ms);
  });
  try {
    return await Promise.race([exited, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

test('robustness: a throwing handler answers with an error, is logged, and the next requests work', async (t) => {
  const client = await start({ kind: 'pull', env: { PROVENANCE_TEST_FAULTS: 'hover' } });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  const position = positionOf(PIECE, 'old town for a hundred');
  await assert.rejects(client.request('textDocument/hover', { textDocument: { uri }, position }), /hover failed/);
  await client.waitUntil(() => client.logs().find((line) => /hover failed: .*injected test fault/s.test(line)), 'the failure in the server log', undefined, () => client.logs().join('\n  '));
  const definition = await client.request('textDocument/definition', { textDocument: { uri }, position });
  assert.equal(definition.length, 1, 'the next request is answered normally');
  // The faulty handler keeps failing cleanly; the server stays up.
  await assert.rejects(client.request('textDocument/hover', { textDocument: { uri }, position }), /hover failed/);
  const report = await client.request('textDocument/diagnostic', { textDocument: { uri } });
  assert.equal(report.kind, 'full');
});

test('robustness: a throwing notification handler is logged and later messages are handled', async (t) => {
  const client = await start({ kind: 'pull', env: { PROVENANCE_TEST_FAULTS: 'didSave' } });
  t.after(() => client.stop());
  const uri = client.open('analysis.md');
  client.notify('textDocument/didSave', { textDocument: { uri } });
  await client.waitUntil(() => client.logs().find((line) => line.includes('didSave failed')), 'the didSave failure in the log');
  const report = await client.request('textDocument/diagnostic', { textDocument: { uri } });
  assert.ok(report.items.length > 0);
});

test('robustness: the server exits after shutdown and exit with code 0', async () => {
  const client = await start();
  await client.request('shutdown', null);
  client.notify('exit', null);
  const { code } = await exitsWithin(client.exited, EXIT_DEADLINE_MS, 'exit');
  assert.equal(code, 0);
});

test('robustness: the server exits within 3 s when its stdin closes, with code 1 (no shutdown was asked)', async () => {
  const client = await start();
  await client.waitForServerRequest('window/workDoneProgress/create');
  client.process.stdin!.end();
  const { code } = await exitsWithin(client.exited, EXIT_DEADLINE_MS, 'stdin closed');
  assert.equal(code, 1);
});

test('robustness: stdin closing after a shutdown request is a clean exit (code 0)', async () => {
  const client = await start();
  await client.request('shutdown', null);
  client.process.stdin!.end();
  const { code } = await exitsWithin(client.exited, EXIT_DEADLINE_MS, 'stdin closed');
  assert.equal(code, 0);
});

test('robustness: the server exits within 3 s when the process id given in initialize disappears', async () => {
  const parent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const parentExited = new Promise((resolve) => parent.once('exit', resolve));
  const client = await start({ processId: parent.pid! });
  try {
    await client.request('textDocument/hover', { textDocument: { uri: 'file:///nowhere.md' }, position: { line: 0, character: 0 } });
    parent.kill('SIGKILL');
    await parentExited;
    await exitsWithin(client.exited, EXIT_DEADLINE_MS, 'its parent process died');
  } finally {
    parent.kill('SIGKILL');
    client.process.kill('SIGKILL');
  }
});
