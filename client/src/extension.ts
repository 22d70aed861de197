/**
 * The VS Code extension: starts the language server (dist/server.js over
 * Node IPC) and registers the commands. Everything else lives in the server.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ServerStatus } from './status';
import { showActors } from './actors';

/** The default handler gives up after this many restarts within 3 minutes. */
const MAX_RESTARTS = 4;

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let status: ServerStatus;
let serverModule: string;
/** The extension's storage for this workspace: the server keeps its source index there between sessions. */
let storagePath: string | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Provenance', { log: true });
  status = new ServerStatus();
  serverModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  storagePath = context.storageUri?.fsPath;
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('provenance.restartServer', () => inTurn(restart)),
    vscode.commands.registerCommand('provenance.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('provenance.showActors', () => showActors(client)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('provenance.enable')) void inTurn(followEnablement);
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => inTurn(followEnablement)),
  );
  await inTurn(followEnablement);
}

/** Starts and stops one at a time: two quick setting changes must not start two servers. */
let queue: Promise<void> = Promise.resolve();
function inTurn(step: () => Promise<void>): Promise<void> {
  queue = queue.then(step, step);
  return queue;
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}

/**
 * `provenance.enable` is a resource setting: the server runs while any open
 * folder (or, without folders, the active document) has it on; the server
 * itself skips resources where it is off.
 */
function enabledAnywhere(): boolean {
  const scopes: (vscode.Uri | undefined)[] = vscode.workspace.workspaceFolders?.map((folder) => folder.uri) ?? [vscode.window.activeTextEditor?.document.uri];
  return scopes.some((scope) => vscode.workspace.getConfiguration('provenance', scope ?? null).get<boolean>('enable', true));
}

async function followEnablement(): Promise<void> {
  if (enabledAnywhere()) {
    if (!client) await start();
  } else {
    await stop();
    status.set('disabled');
  }
}

async function restart(): Promise<void> {
  await stop();
  if (enabledAnywhere()) await start();
  else status.set('disabled');
}

async function start(): Promise<void> {
  const serverOptions: ServerOptions = {
    // stdio rather than Node IPC: over a stream the server assembles each publish from diagnostics it
    // encoded once (server/src/lsp/wire.ts); Node IPC serialises every message whole. For a 200 KB
    // piece (~0.7 MB of diagnostics) that is ~13-17 ms a publish instead of ~25.
    run: { module: serverModule, transport: TransportKind.stdio },
    debug: { module: serverModule, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'markdown' },
      { scheme: 'untitled', language: 'markdown' },
      { scheme: 'file', pattern: '**/.provenance.{yml,yaml,json}' },
      { scheme: 'file', pattern: '**/entities.yml' },
      // Sources can be plain text; the server ignores text files that are not sources.
      { scheme: 'file', pattern: '**/*.txt' },
    ],
    initializationOptions: { storagePath },
    outputChannel: output,
    // Failures are logged; a pop-up per failed hover would be worse than the failure.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    markdown: { isTrusted: false, supportHtml: false },
    diagnosticPullOptions: { onChange: true, onSave: true },
    errorHandler: crashAware(() => current.createDefaultErrorHandler(MAX_RESTARTS)),
  };
  const current = new LanguageClient('provenance', 'Provenance', serverOptions, clientOptions);
  current.onDidChangeState((event) => {
    if (event.newState === State.Starting) status.set('starting');
    else if (event.newState === State.Running) status.set('ready');
    else if (status.state !== 'crashed' && status.state !== 'disabled') status.set('stopped');
  });
  client = current;
  status.set('starting');
  try {
    await current.start();
  } catch (err) {
    output.error(`Starting the Provenance server failed: ${(err as Error).message}`);
    status.set('crashed');
  }
}

async function stop(): Promise<void> {
  const stopping = client;
  client = undefined;
  if (!stopping) return;
  try {
    await stopping.dispose(2000);
  } catch (err) {
    output.warn(`Stopping the Provenance server: ${(err as Error).message}`);
  }
}

/**
 * The default handler restarts a crashed server a few times, then gives up
 * with a message that has no way back. Say clearly what happened and offer
 * the restart right there.
 *
 * Transport errors never stop the client: only the closed connection decides.
 * A server that dies while the editor is still sending it changes (a full pipe)
 * first surfaces as a write error (EPIPE) with no count, which the default
 * handler answers with a shutdown; the client then stops instead of
 * restarting, even when the close was already being handled. A broken pipe
 * always closes the connection too, so nothing is left hanging.
 */
function crashAware(defaults: () => ErrorHandler): ErrorHandler {
  let handler: ErrorHandler | undefined;
  const inner = () => (handler ??= defaults());
  return {
    error: () => ({ action: ErrorAction.Continue, handled: true }),
    closed: async () => {
      const result = await inner().closed();
      if (result.action !== CloseAction.DoNotRestart) {
        output.warn('The Provenance server stopped unexpectedly; restarting it.');
        return { action: result.action, handled: true };
      }
      status.set('crashed');
      void vscode.window
        .showErrorMessage('The Provenance server crashed several times in a row and was stopped. Quotations are not being checked.', 'Restart', 'Show Output')
        .then((choice) => {
          if (choice === 'Restart') void inTurn(restart);
          else if (choice === 'Show Output') output.show(true);
        });
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
}
