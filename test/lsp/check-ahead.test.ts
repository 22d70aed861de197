/**
 * A change is checked while its debounce runs, not after: the debounce only
 * holds the diagnostics back. The server runs in this process over in-memory
 * streams, so the test can set the pause and watch every check the worker is
 * asked for.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { createEngine } from '../../server/src/engine/index';
import { CheckWorker } from '../../server/src/lsp/check-worker';
import { startServer } from '../../server/src/lsp/server';
import { clientCapabilities, fileUri } from '../helpers/lsp-client';
import { PIECE, workspace } from './fixture';

interface Harness {
  client: MessageConnection;
  uri: string;
  /** Versions whose check was started, and how each ended. */
  checks: Array<{ version: number; status?: string }>;
  /** Versions published, in order. */
  published: number[];
  until(what: string, ready: () => boolean): Promise<void>;
}

async function inProcessServer(t: TestContext, debounceMs: number, kind: 'push' | 'pull' = 'push'): Promise<Harness> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const checker = new CheckWorker({ log: () => undefined });
  const checks: Harness['checks'] = [];
  const check = checker.check.bind(checker);
  checker.check = async (engine, doc, budgetMs, cancel) => {
    const entry: Harness['checks'][number] = { version: doc.version! };
    checks.push(entry);
    const outcome = await check(engine, doc, budgetMs, cancel);
    entry.status = outcome.status;
    return outcome;
  };
  const server = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(server, { createEngine: () => checker.mirror(createEngine()), checker, timing: { debounceMs } });
  server.listen();

  const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const published: number[] = [];
  const listeners = new Set<() => void>();
  const root = workspace();
  const uri = fileUri(`${root}/analysis.md`);
  client.onNotification('textDocument/publishDiagnostics', (p: { uri: string; version?: number }) => {
    if (p.uri === uri && p.version !== undefined) published.push(p.version);
    for (const listener of listeners) listener();
  });
  client.onRequest(() => null);
  client.listen();
  t.after(async () => {
    await client.sendRequest('shutdown');
    client.dispose();
    server.dispose();
  });

  await client.sendRequest('initialize', { processId: null, rootUri: fileUri(root), capabilities: clientCapabilities(kind) });
  await client.sendNotification('initialized', {});
  const until = (what: string, ready: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        clearInterval(poll);
        listeners.delete(listener);
        reject(new Error(`timed out waiting for ${what}; checks ${JSON.stringify(checks)}, published ${published}`));
      }, 20_000);
      const poll = setInterval(() => listeners.forEach((listener) => listener()), 10);
      const listener = () => {
        if (!ready()) return;
        clearTimeout(timer);
        clearInterval(poll);
        listeners.delete(listener);
        resolve();
      };
      listeners.add(listener);
      listener();
    });
  await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'markdown', version: 1, text: PIECE } });
  // A pull client asks for them itself; nothing is checked at open until it does.
  if (kind === 'push') await until('the diagnostics of the opened piece', () => published.includes(1));
  return { client, uri, checks, published, until };
}

const edited = (n: number) => PIECE.replace('# The wall', `# The wall, take ${n}`);

for (const kind of ['push', 'pull'] as const) {
  test(`check ahead (${kind}): a change is checked while the debounce still holds its diagnostics back`, async (t) => {
    // A pause no test outlasts: whatever checks version 2 is neither the debounce's timer nor a pull after it.
    const { client, uri, checks, published, until } = await inProcessServer(t, 600_000, kind);
    await client.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited(2) }] });
    await until('the check of version 2', () => checks.some((c) => c.version === 2 && c.status === 'done'));
    assert.deepEqual(published, kind === 'push' ? [1] : [], 'checked, but not shown before the pause ends');
  });
}

test('check ahead: the debounce publishes the check that ran ahead (one check per version); an overtaken version is never shown', async (t) => {
  const { client, uri, checks, published, until } = await inProcessServer(t, 300);
  await client.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited(2) }] });
  await until('version 2 to be checked', () => checks.some((c) => c.version === 2));
  await client.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: edited(3) }] });
  await until('the diagnostics of version 3', () => published.includes(3));
  // Give the version-3 timer's own pass time to show up if it ran a second check.
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(published, [1, 3], 'version 2 is never shown');
  assert.equal(checks.filter((c) => c.version === 3).length, 1, 'the timer used the check begun at the change');
  assert.equal(checks.filter((c) => c.version === 2).length, 1, 'version 2 was checked once');
});

test('check ahead (pull): the pull after the pause answers from the check begun at the change', async (t) => {
  const { client, uri, checks, until } = await inProcessServer(t, 300, 'pull');
  await client.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited(2) }] });
  await until('version 2 to be checked', () => checks.some((c) => c.version === 2));
  const report = await client.sendRequest<{ kind: string; items: unknown[] }>('textDocument/diagnostic', { textDocument: { uri } });
  assert.equal(report.kind, 'full');
  assert.ok(report.items.length > 0);
  assert.equal(checks.filter((c) => c.version === 2).length, 1, 'one check of version 2, shared by the pull');
});
