/** The same server over each transport editors use: stdio, Node IPC (VS Code), a socket. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Transport } from '../helpers/lsp-client';
import { codes, start } from './fixture';

for (const transport of ['ipc', 'socket'] as Transport[]) {
  test(`transport: ${transport} — initialize, check a piece, exit when the client goes away`, async () => {
    const client = await start({ kind: 'push', transport, processId: null });
    try {
      assert.equal(client.initializeResult.capabilities.hoverProvider, true);
      const uri = client.open('analysis.md');
      const published = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0);
      assert.ok(codes(published.diagnostics).includes('quote/misquote'));
      // The client vanishes without shutdown/exit: the channel closes and the server follows.
      if (transport === 'ipc') client.process.disconnect();
      else client.connection.dispose();
      await client.waitUntil(() => (client.process.exitCode !== null || client.process.signalCode !== null ? true : undefined), 'the server to exit', 3000);
    } finally {
      client.process.kill('SIGKILL');
    }
  });
}
