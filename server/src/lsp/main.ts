/**
 * Entry point of dist/server.js. The transport comes from the command line:
 * `--stdio` (any editor), `--node-ipc` (VS Code), `--socket=<port>`, `--pipe=<name>`.
 * Started as a worker thread, the same bundle is the server's check worker.
 */
import net = require('node:net');
import { format } from 'node:util';
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type Connection } from 'vscode-languageserver/node';
import { createEngine } from '../engine/index';
import { docsBaseUrl, packageVersion } from '../node/install';
import { codeFingerprint } from '../node/build-id';
import { hashLongText } from '../node/workspace';
import { CheckWorker } from './check-worker';
import { isLspCheckWorker } from './check-worker-thread';
import { faultsFromEnvironment } from './guard';
import { startServer, type RunningServer } from './server';
import { cachedDiagnosticsWriterOptions } from './wire';

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
  // Over stdio and a socket we make the streams' reader and writer ourselves (see streamConnection);
  // Node IPC and pipes are left to the library.
  const port = socketPort(process.argv);
  let server: RunningServer | undefined;
  const ended = () => server?.shutdownRequested === true;
  const connection =
    port !== undefined
      ? streamConnection(net.createConnection(port, '127.0.0.1'), undefined, ended)
      : process.argv.includes('--stdio')
        ? streamConnection(process.stdin, process.stdout, ended)
        : createConnection(ProposedFeatures.all);

  // A bug in one code path must not take the editor's checks down with it: log and carry on.
  process.on('uncaughtException', (err) => connection.console.error(`Uncaught exception: ${err.stack ?? err}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`Unhandled rejection: ${(reason as Error)?.stack ?? reason}`));
  // Over IPC the parent going away closes the channel; nobody is left to serve.
  process.on('disconnect', () => process.exit(1));

  // Rule links open the pages installed beside the server: they match this version and work offline.
  const docs = docsBaseUrl();
  // Pieces are checked in a worker with a time budget; hovers and the rest are answered here meanwhile.
  // Names this build to the engines, so the answers they keep in the editor's storage are never used by another.
  const buildId = codeFingerprint();
  const checker = new CheckWorker({ docsBaseUrl: docs, buildId, log: (message) => connection.console.info(message) });
  server = startServer(connection, {
    createEngine: () => checker.mirror(createEngine({ docsBaseUrl: docs, buildId, hashLongText })),
    checker,
    version: packageVersion(),
    faults: faultsFromEnvironment(process.env),
  });
  connection.listen();
}

/**
 * A connection over a duplex stream, or stdin and stdout, whose writer
 * encodes diagnostics through a cache (wire.ts). Handed a reader and a writer
 * instead of streams, the library no longer does two things, done here: it
 * exits when the input closes (the client is gone: 0 after a shutdown
 * request, else 1), and on stdio it keeps console output off stdout, where
 * it would corrupt the protocol.
 */
function streamConnection(input: net.Socket | NodeJS.ReadStream, output: NodeJS.WriteStream | undefined, shutdownRequested: () => boolean): Connection {
  const writer = new StreamMessageWriter(output ?? input, cachedDiagnosticsWriterOptions());
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(input), writer);
  const leave = () => process.exit(shutdownRequested() ? 0 : 1);
  input.on('end', leave);
  input.on('close', leave);
  if (output === process.stdout) {
    console.log = console.info = console.debug = (...args: unknown[]) => connection.console.log(format(...args));
    console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
    console.error = (...args: unknown[]) => connection.console.error(format(...args));
  }
  return connection;
}
