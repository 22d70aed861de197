/**
 * A small LSP client for protocol tests: spawns `node dist/server.js --stdio`
 * on a temporary workspace and speaks JSON-RPC to it, as every editor does.
 * Waiting is always for an event with a timeout that fails with a message
 * saying what was awaited and what arrived instead — never a fixed sleep.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  SocketMessageReader,
  SocketMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { Diagnostic, Position, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-types';
import { DIST } from './repo';

export const SERVER = path.join(DIST, 'server.js');
const DEFAULT_TIMEOUT_MS = 10_000;

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}

export interface Notification {
  method: string;
  params: any;
}

export type ClientKind = 'push' | 'pull';
/** How the server is reached: stdio (most editors), Node IPC (VS Code), a TCP socket. */
export type Transport = 'stdio' | 'ipc' | 'socket';

export interface StartOptions {
  /** The workspace folder (required unless `workspaceFolders: null`). */
  root: string;
  /** 'pull' declares `textDocument.diagnostic`; 'push' does not (Neovim 0.7). */
  kind?: ClientKind;
  /** Merged over the default capabilities of `kind`. */
  capabilities?: Record<string, unknown>;
  /** Answer to `workspace/configuration` for section `provenance`. */
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  processId?: number | null;
  /** Skip `initialize` (tests of the bare process). */
  skipInitialize?: boolean;
  transport?: Transport;
}

export function fileUri(file: string): string {
  return pathToFileURL(file).href;
}

/** Default client capabilities: what a modern editor declares (pull) or Neovim 0.7 (push). */
export function clientCapabilities(kind: ClientKind): Record<string, any> {
  const capabilities: Record<string, any> = {
    general: { positionEncodings: ['utf-16'] },
    window: { workDoneProgress: true },
    workspace: {
      configuration: true,
      workspaceFolders: true,
      workspaceEdit: { documentChanges: true },
      didChangeWatchedFiles: { dynamicRegistration: true },
      didChangeConfiguration: { dynamicRegistration: true },
    },
    textDocument: {
      synchronization: { didSave: true, dynamicRegistration: false },
      publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
      hover: { contentFormat: ['markdown', 'plaintext'] },
      completion: { completionItem: { documentationFormat: ['markdown', 'plaintext'] } },
      definition: { linkSupport: false },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix'] } }, isPreferredSupport: true, dataSupport: true },
    },
  };
  if (kind === 'pull') {
    capabilities.textDocument.diagnostic = { dynamicRegistration: false, relatedDocumentSupport: false };
    capabilities.workspace.diagnostics = { refreshSupport: true };
  }
  return capabilities;
}

function merge(base: Record<string, any>, extra: Record<string, any>): Record<string, any> {
  const result = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    result[key] = value && typeof value === 'object' && !Array.isArray(value) && base[key] && typeof base[key] === 'object' ? merge(base[key], value) : value;
  }
  return result;
}

export class LspClient {
  readonly notifications: Notification[] = [];
  /** Requests the server sent us (method, params), in order. */
  readonly serverRequests: Notification[] = [];
  initializeResult: any;
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly listeners = new Set<() => void>();
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();

  private constructor(
    readonly process: ChildProcess,
    readonly connection: MessageConnection,
    readonly root: string,
    private readonly settings: Record<string, unknown>,
  ) {
    this.exited = new Promise((resolve) =>
      process.once('exit', (code, signal) => {
        resolve({ code, signal });
        for (const listener of [...this.listeners]) listener();
      }),
    );
    process.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    connection.onNotification((method: string, params: unknown) => {
      this.notifications.push({ method, params });
      for (const listener of [...this.listeners]) listener();
    });
    // vscode-jsonrpc routes `$/progress` to per-token handlers, not to the catch-all above.
    connection.onUnhandledProgress((params) => {
      this.notifications.push({ method: '$/progress', params });
      for (const listener of [...this.listeners]) listener();
    });
    connection.onRequest((method: string, params: unknown) => {
      this.serverRequests.push({ method, params });
      for (const listener of [...this.listeners]) listener();
      return this.answer(method, params);
    });
    connection.listen();
  }

  static async start(options: StartOptions): Promise<LspClient> {
    const { child, connection } = await connect(options.transport ?? 'stdio', options.root, { ...process.env, ...options.env });
    // A dying server makes writes fail; the test reports that through `exited`, not as an unhandled error.
    connection.onError(() => undefined);
    child.stdin?.on('error', () => undefined);
    const client = new LspClient(child, connection, options.root, options.settings ?? {});
    if (!options.skipInitialize) {
      const capabilities = merge(clientCapabilities(options.kind ?? 'push'), options.capabilities ?? {});
      client.initializeResult = await client.request('initialize', {
        processId: options.processId === undefined ? process.pid : options.processId,
        rootUri: fileUri(options.root),
        workspaceFolders: [{ uri: fileUri(options.root), name: path.basename(options.root) }],
        capabilities,
      });
      client.notify('initialized', {});
    }
    return client;
  }

  /** Default answers to server → client requests. */
  private answer(method: string, params: any): unknown {
    if (method === 'workspace/configuration') return params.items.map((item: { section?: string }) => (item.section === 'provenance' ? this.settings : null));
    return null; // registerCapability, workDoneProgress/create, diagnostic/refresh, …
  }

  async request<R = any>(method: string, params: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for the answer to ${method}.${this.stderrTail()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.connection.sendRequest(method, params) as Promise<R>, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  notify(method: string, params: unknown): void {
    void this.connection.sendNotification(method, params);
  }

  /** Opens a file of the workspace (its disk text unless given) and returns its uri. */
  open(relativePath: string, text?: string, languageId?: string): string {
    const file = path.join(this.root, relativePath);
    const content = text ?? fs.readFileSync(file, 'utf8');
    const uri = fileUri(file);
    this.versions.set(uri, 1);
    this.texts.set(uri, content);
    const language = languageId ?? (file.endsWith('.md') ? 'markdown' : file.endsWith('.json') ? 'json' : /\.ya?ml$/.test(file) ? 'yaml' : 'plaintext');
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId: language, version: 1, text: content } });
    return uri;
  }

  /** Replaces the whole text (a full-content change); returns the new version. */
  change(uri: string, text: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** An incremental change, as editors send while typing; returns the new version. */
  edit(uri: string, range: Range, newText: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, applyEdits(this.texts.get(uri) ?? '', [{ range, newText }]));
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text: newText }] });
    return version;
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** Waits for a notification that satisfies `accept`, including ones that already arrived after `since`. */
  async waitForNotification(method: string, accept: (params: any) => boolean, what: string, options: { since?: number; timeoutMs?: number } = {}): Promise<any> {
    const since = options.since ?? 0;
    const find = () => this.notifications.slice(since).find((n) => n.method === method && accept(n.params));
    return this.waitUntil(() => find()?.params, `${method}: ${what}`, options.timeoutMs, () =>
      this.notifications
        .slice(since)
        .filter((n) => n.method === method)
        .map((n) => JSON.stringify(n.params).slice(0, 300))
        .join('\n  '),
    );
  }

  /** Waits for pushed diagnostics of a document; `accept` narrows which publication counts. */
  waitForDiagnostics(uri: string, accept: (published: PublishedDiagnostics) => boolean = () => true, options: { since?: number; timeoutMs?: number } = {}): Promise<PublishedDiagnostics> {
    return this.waitForNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => p.uri === uri && accept(p), `diagnostics for ${uri}`, options);
  }

  /** Waits for a server → client request. */
  waitForServerRequest(method: string, options: { since?: number; timeoutMs?: number } = {}): Promise<any> {
    const since = options.since ?? 0;
    return this.waitUntil(() => this.serverRequests.slice(since).find((r) => r.method === method), `server request ${method}`, options.timeoutMs, () =>
      this.serverRequests.map((r) => r.method).join(', '),
    );
  }

  /** Resolves when `probe` returns a value; rejects after the timeout with what was awaited and what came. */
  waitUntil<T>(probe: () => T | undefined, what: string, timeoutMs = DEFAULT_TIMEOUT_MS, seen: () => string = () => ''): Promise<T> {
    const found = probe();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = () => {
        const value = probe();
        if (value === undefined) return;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        const got = seen();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.${got ? `\nReceived instead:\n  ${got}` : ''}${this.stderrTail()}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Messages the server logged (window/logMessage). */
  logs(): string[] {
    return this.notifications.filter((n) => n.method === 'window/logMessage').map((n) => n.params.message as string);
  }

  /** Polite shutdown; kills the process if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      try {
        await this.request('shutdown', null, 3000);
        this.notify('exit', null);
      } catch {
        // Already gone or stuck: the kill below settles it.
      }
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(timer);
    }
    this.connection.dispose();
  }

  private stderrTail(): string {
    const tail = this.stderr.trim().split('\n').slice(-15).join('\n');
    return tail ? `\nServer stderr (tail):\n${tail}` : '';
  }
}

/** Starts the server with the given transport and connects to it. */
async function connect(transport: Transport, cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; connection: MessageConnection }> {
  if (transport === 'ipc') {
    const child = fork(SERVER, ['--node-ipc'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
    return { child, connection: createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child)) };
  }
  if (transport === 'socket') {
    // The server connects to a port the client listens on (LSP's socket convention).
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as net.AddressInfo).port;
    const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
    const child = spawn(process.execPath, [SERVER, `--socket=${port}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const socket = await accepted;
    listener.close();
    return { child, connection: createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket)) };
  }
  const child = spawn(process.execPath, [SERVER, '--stdio'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  return { child, connection: createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!)) };
}

/** Position (UTF-16, as LSP's default) of `needle` in `text`, plus `offsetInNeedle` characters. */
export function positionOf(text: string, needle: string, offsetInNeedle = 0): Position {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`"${needle}" not found in the text`);
  if (text.indexOf(needle, index + 1) >= 0) throw new Error(`"${needle}" occurs more than once; use a longer needle`);
  const offset = index + offsetInNeedle;
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Range (UTF-16) covering `needle` in `text`. */
export function rangeOf(text: string, needle: string): Range {
  return { start: positionOf(text, needle), end: positionOf(text, needle, needle.length) };
}

function offsetAt(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + position.character;
}

/** The text that a range covers (UTF-16 positions). */
export function textAt(text: string, range: Range): string {
  return text.slice(offsetAt(text, range.start), offsetAt(text, range.end));
}

/** Applies LSP text edits (non-overlapping, UTF-16 positions) to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const spans = edits
    .map((edit) => ({ start: offsetAt(text, edit.range.start), end: offsetAt(text, edit.range.end), newText: edit.newText }))
    .sort((a, b) => b.start - a.start);
  let result = text;
  for (const span of spans) result = result.slice(0, span.start) + span.newText + result.slice(span.end);
  return result;
}

/** The edits a WorkspaceEdit makes to one document (`changes` or `documentChanges`). */
export function editsFor(edit: WorkspaceEdit, uri: string): TextEdit[] {
  const fromChanges = edit.changes?.[uri] ?? [];
  const fromDocumentChanges = (edit.documentChanges ?? []).flatMap((change) =>
    'textDocument' in change && change.textDocument.uri === uri ? (change.edits as TextEdit[]) : [],
  );
  return [...fromChanges, ...fromDocumentChanges];
}
