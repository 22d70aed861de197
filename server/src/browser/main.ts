/**
 * Entry point of dist/browser/server.js, the language server for the web
 * (vscode.dev, github.dev): a dedicated worker started by the web extension
 * (client/src/browser/extension.ts), speaking LSP over postMessage.
 */
import { BrowserMessageReader, BrowserMessageWriter, createConnection } from 'vscode-languageserver/browser';
import { createEngine } from '../engine/index';
import { startBrowserServer } from './server';

// The worker's global scope; `self` is typed by the WebWorker lib (server/tsconfig.json).
const scope = self as unknown as DedicatedWorkerGlobalScope;
const connection = createConnection(new BrowserMessageReader(scope), new BrowserMessageWriter(scope));

// A bug in one code path must not take the editor's checks down with it: log and carry on, as the
// Node server does. An uncaught exception would otherwise reach the Worker object in the extension
// host as an 'error' event, which the language client takes for a broken connection: it stops the server.
scope.addEventListener('error', (event) => {
  event.preventDefault();
  connection.console.error(`Uncaught exception: ${(event.error as Error)?.stack ?? event.message}`);
});
scope.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  connection.console.error(`Unhandled rejection: ${(event.reason as Error)?.stack ?? event.reason}`);
});
startBrowserServer(connection, { createEngine: (options) => createEngine(options) });
connection.listen();
