/**
 * The extension for the web (vscode.dev, github.dev; package.json `browser`):
 * starts the language server in a web worker (dist/browser/server.js, the same
 * engine as the desktop) and gives it the workspace's files through
 * `vscode.workspace.fs` (files.ts). Same commands and status bar as the
 * desktop client.
 */
import * as vscode from 'vscode';
import { LanguageClient, RevealOutputChannelOn, State, type LanguageClientOptions } from 'vscode-languageclient/browser';
import { showActors } from '../actors';
import { ServerStatus } from '../status';
import { FIND_FILES, findFiles, READ_FILES, readFiles } from './files';

/** The web extension host's dedicated-worker constructor (a DOM API; the client compiles without the DOM lib). */
declare const Worker: new (scriptUrl: string, options?: { name?: string }) => { terminate(): void };

let client: LanguageClient | undefined;
/** The server's worker: a restart stops the client, then ends the worker it talked to. */
let worker: { terminate(): void } | undefined;
let output: vscode.LogOutputChannel;
let status: ServerStatus;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Provenance', { log: true });
  status = new ServerStatus();
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('provenance.restartServer', () => restart(context)),
    vscode.commands.registerCommand('provenance.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('provenance.showActors', () => showActors(client)),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  worker?.terminate();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  const stopping = client;
  client = undefined;
  await stopping?.dispose(2000).catch((err: Error) => output.warn(`Stopping the Provenance server: ${err.message}`));
  worker?.terminate();
  await start(context);
}

/**
 * The server's worker. An extension installed on a remote (code-server, a tunnel)
 * has a `vscode-remote:` URI that the web worker extension host refuses to start
 * a worker from; then the script is read through the workspace file system and
 * started from a blob: URL instead.
 */
async function createServerWorker(serverMain: vscode.Uri): Promise<{ terminate(): void }> {
  const options = { name: 'Provenance language server' };
  try {
    return new Worker(serverMain.toString(true), options);
  } catch (err) {
    output.info(`Starting the server from ${serverMain.toString(true)} was refused (${(err as Error).message}); loading it from its text instead.`);
    const script = await vscode.workspace.fs.readFile(serverMain);
    return new Worker(URL.createObjectURL(new Blob([script], { type: 'text/javascript' })), options);
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const serverMain = vscode.Uri.joinPath(context.extensionUri, 'dist', 'browser', 'server.js');
  const clientOptions: LanguageClientOptions = {
    // Any scheme: github.dev serves files as vscode-vfs:, vscode.dev's local folders otherwise.
    documentSelector: [
      { language: 'markdown' },
      { pattern: '**/.provenance.{yml,yaml,json}' },
      { pattern: '**/entities.yml' },
      { pattern: '**/*.txt' },
    ],
    initializationOptions: {
      docsBaseUrl: `${vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules').toString()}/`,
      version: String((context.extension.packageJSON as { version?: unknown }).version ?? ''),
    },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    markdown: { isTrusted: false, supportHtml: false },
  };
  worker = await createServerWorker(serverMain);
  const current = new LanguageClient('provenance', 'Provenance', worker, clientOptions);
  current.onRequest(FIND_FILES, findFiles);
  current.onRequest(READ_FILES, readFiles);
  current.onDidChangeState((event) => {
    if (event.newState === State.Starting) status.set('starting');
    else if (event.newState === State.Running) status.set('ready');
    else if (status.state !== 'crashed') status.set('stopped');
  });
  client = current;
  status.set('starting');
  try {
    await current.start();
    const info = current.initializeResult?.serverInfo;
    output.info(`${info?.name ?? 'The server'} ${info?.version ?? ''} runs in a Web Worker; files are read through the workspace file system.`);
  } catch (err) {
    output.error(`Starting the Provenance server failed: ${(err as Error).message}`);
    status.set('crashed');
  }
}
