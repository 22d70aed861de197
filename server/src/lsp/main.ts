/**
 * Entry point of dist/server.js. The transport comes from the command line:
 * `--stdio` (any editor), `--node-ipc` (VS Code), `--socket=<port>`.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { createEngine } from '../engine/index';
import { faultsFromEnvironment } from './guard';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);

// A bug in one code path must not take the editor's checks down with it: log and carry on.
process.on('uncaughtException', (err) => connection.console.error(`Uncaught exception: ${err.stack ?? err}`));
process.on('unhandledRejection', (reason) => connection.console.error(`Unhandled rejection: ${(reason as Error)?.stack ?? reason}`));
// Over IPC the parent going away closes the channel; nobody is left to serve.
process.on('disconnect', () => process.exit(1));

startServer(connection, { createEngine: () => createEngine(), faults: faultsFromEnvironment(process.env) });
connection.listen();
