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
startBrowserServer(connection, { createEngine: (options) => createEngine(options) });
connection.listen();
