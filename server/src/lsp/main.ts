/**
 * Entry point of dist/server.js. The transport comes from the command line:
 * `--stdio` (any editor), `--node-ipc` (VS Code), `--socket=<port>`, `--pipe=<name>`.
 * Started as a worker thread, the same bundle is the server's check worker.
 */
import * as net from 'node:net';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createEngine } from '../engine/index';
import { docsBaseUrl, packageVersion } from '../node/install';
import { CheckWorker } from './check-worker';
import { isLspCheckWorker } from './check-worker-thread';
import { faultsFromEnvironment } from './guard';
import { startServer } from './server';

/** `--socket=<port>` or `--socket <port>`. */
function socketPort(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i].startsWith('--socket=') ? argv[i].slice('--socket='.length) : argv[i] === '--socket' ? argv[i + 1] : undefined;
    if (value !== undefined && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}

// Started as the check worker, check-worker-thread.ts has taken over on import.
if (!isLspCheckWorker()) serve();

function serve(): void {
  // For a socket we open the stream ourselves: handed streams, the library exits when
  // the socket closes, as it does when stdin closes; handed a port, it would not.
  const port = socketPort(process.argv);
  const socket = port !== undefined ? net.createConnection(port, '127.0.0.1') : undefined;
  const connection = socket ? createConnection(ProposedFeatures.all, socket, socket) : createConnection(ProposedFeatures.all);

  // A bug in one code path must not take the editor's checks down with it: log and carry on.
  process.on('uncaughtException', (err) => connection.console.error(`Uncaught exception: ${err.stack ?? err}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`Unhandled rejection: ${(reason as Error)?.stack ?? reason}`));
  // Over IPC the parent going away closes the channel; nobody is left to serve.
  process.on('disconnect', () => process.exit(1));

  // Rule links open the pages installed beside the server: they match this version and work offline.
  const docs = docsBaseUrl();
  // Pieces are checked in a worker with a time budget; hovers and the rest are answered here meanwhile.
  const checker = new CheckWorker({ docsBaseUrl: docs, log: (message) => connection.console.info(message) });
  startServer(connection, {
    createEngine: () => checker.mirror(createEngine({ docsBaseUrl: docs })),
    checker,
    version: packageVersion(),
    faults: faultsFromEnvironment(process.env),
  });
  connection.listen();
}
