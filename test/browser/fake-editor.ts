/**
 * What VS Code's web extension does for the browser server
 * (dist/browser/server.js), without VS Code: JSON-RPC messages over a
 * postMessage port (as with a Web Worker), and a workspace served from memory
 * under a virtual URI (vscode-vfs://, as on github.dev) through the server's
 * `provenance/findFiles` and `provenance/readFiles` requests. Used by
 * smoke.test.ts (a Node vm context with web globals only) and
 * chromium.test.ts (a real Web Worker in headless Chromium).
 *
 * Waiting is always for an event, with a timeout whose message says what was
 * awaited and what arrived instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import {
  AbstractMessageReader,
  AbstractMessageWriter,
  createMessageConnection,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageConnection,
} from 'vscode-jsonrpc';
import type { CodeAction, Diagnostic, Hover, MarkupContent, Position } from 'vscode-languageserver-types';
import { REPO_ROOT } from '../helpers/repo';

/** Both ends of a postMessage channel, seen from the editor. */
export interface Port {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

class PortReader extends AbstractMessageReader {
  constructor(private readonly port: Port) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.port.onMessage((message) => callback(message as Message));
    return { dispose() {} };
  }
}

class PortWriter extends AbstractMessageWriter {
  constructor(private readonly port: Port) {
    super();
  }

  async write(message: Message): Promise<void> {
    this.port.post(message);
  }

  end(): void {}
}

const TIMEOUT_MS = 20_000;

export interface FakeEditorOptions {
  /** The workspace folder's URI (a virtual one shows the server assumes no file system). */
  folder: string;
  /** Workspace files: path relative to the folder → text. */
  files: Map<string, string>;
}

export class FakeEditor {
  readonly connection: MessageConnection;
  readonly folder: string;
  readonly files: Map<string, string>;
  /** Latest published diagnostics per URI. */
  readonly diagnostics = new Map<string, Diagnostic[]>();
  /** Every publication per URI, in order (to catch a wrong one that a later one hid). */
  readonly published = new Map<string, Diagnostic[][]>();
  /** Everything the server logged (window/logMessage), for failure messages. */
  readonly log: string[] = [];
  /** What the server asked for: a test can see the files went through the client. */
  readonly requests: Array<{ method: string; params: unknown }> = [];
  private readonly versions = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(port: Port, options: FakeEditorOptions) {
    this.folder = options.folder.replace(/\/$/, '');
    this.files = options.files;
    this.connection = createMessageConnection(new PortReader(port), new PortWriter(port));
    this.connection.onRequest('provenance/findFiles', (params: { folder: string; globs: string[] }) => {
      this.requests.push({ method: 'provenance/findFiles', params });
      const matches = picomatch(params.globs, { dot: false });
      const uris = [...this.files.keys()].filter((relative) => !relative.split('/').includes('node_modules') && matches(relative)).map((relative) => this.uri(relative));
      return { uris };
    });
    this.connection.onRequest('provenance/readFiles', (params: { uris: string[]; maxBytes: number }) => {
      this.requests.push({ method: 'provenance/readFiles', params });
      return {
        files: params.uris.map((uri) => {
          const text = this.files.get(this.relative(uri));
          return text === undefined ? { uri, problem: 'missing' } : { uri, text };
        }),
      };
    });
    this.connection.onRequest('client/registerCapability', (params: { registrations: Array<{ method: string }> }) => {
      // As VS Code's client does: once the server registers for settings changes, it sends the settings,
      // which reaches the server while it is still reading the workspace.
      if (params.registrations.some((r) => r.method === 'workspace/didChangeConfiguration')) {
        setTimeout(() => void this.connection.sendNotification('workspace/didChangeConfiguration', { settings: null }), 0);
      }
      return null;
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('window/logMessage', (params: { message: string }) => this.log.push(params.message));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; diagnostics: Diagnostic[] }) => {
      this.diagnostics.set(params.uri, params.diagnostics);
      this.published.set(params.uri, [...(this.published.get(params.uri) ?? []), params.diagnostics]);
      for (const wake of this.waiters) wake();
    });
    this.connection.listen();
  }

  uri(relative: string): string {
    return `${this.folder}/${relative.split('/').map(encodeURIComponent).join('/')}`;
  }

  relative(uri: string): string {
    return decodeURIComponent(uri.slice(this.folder.length + 1));
  }

  async initialize(): Promise<{ capabilities: Record<string, unknown>; serverInfo?: { name: string } }> {
    const result = await this.connection.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: null,
      rootUri: null,
      workspaceFolders: [{ uri: this.folder, name: 'workspace' }],
      initializationOptions: { docsBaseUrl: 'https://example.invalid/docs/rules/', version: 'test' },
      capabilities: {
        general: { positionEncodings: ['utf-16'] },
        workspace: {
          workspaceEdit: { documentChanges: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          didChangeConfiguration: { dynamicRegistration: true },
        },
        textDocument: {
          publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
        },
      },
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  async open(relative: string): Promise<void> {
    const text = this.text(relative);
    this.versions.set(relative, 1);
    const languageId = relative.endsWith('.md') ? 'markdown' : relative.endsWith('.txt') ? 'plaintext' : 'yaml';
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: this.uri(relative), languageId, version: 1, text } });
  }

  /** Replaces an open file's text in the editor (didChange, whole text), as typing would. */
  async change(relative: string, text: string): Promise<void> {
    const version = (this.versions.get(relative) ?? 1) + 1;
    this.versions.set(relative, version);
    this.files.set(relative, text);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: this.uri(relative), version }, contentChanges: [{ text }] });
  }

  /** Saves an open file (didSave): what the editor has is now what is stored. */
  async save(relative: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didSave', { textDocument: { uri: this.uri(relative) } });
  }

  /** Changes a file in storage and tells the server, as the editor's file watcher does. */
  async changeStoredFile(relative: string, text: string): Promise<void> {
    this.files.set(relative, text);
    await this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: this.uri(relative), type: 2 }] });
  }

  text(relative: string): string {
    const text = this.files.get(relative);
    if (text === undefined) throw new Error(`no file ${relative} in the workspace`);
    return text;
  }

  /** Position of the middle of the first occurrence of `needle` in a file. */
  positionOf(relative: string, needle: string): Position {
    const text = this.text(relative);
    const index = text.indexOf(needle);
    if (index < 0) throw new Error(`"${needle}" is not in ${relative}`);
    const middle = index + Math.floor(needle.length / 2);
    const before = text.slice(0, middle).split('\n');
    return { line: before.length - 1, character: before[before.length - 1].length };
  }

  /** Waits until the diagnostics published for a file satisfy `accept`. */
  async waitForDiagnostics(relative: string, what: string, accept: (diagnostics: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    const uri = this.uri(relative);
    const check = () => {
      const current = this.diagnostics.get(uri);
      return current && accept(current) ? current : undefined;
    };
    const done = check();
    if (done) return done;
    return new Promise((resolve, reject) => {
      const wake = () => {
        const found = check();
        if (!found) return;
        this.waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        const seen = this.diagnostics.get(uri)?.map((d) => `${d.code}@${d.range.start.line + 1}`).join(', ') ?? 'no diagnostics published';
        reject(new Error(`Timed out after ${TIMEOUT_MS / 1000}s waiting for ${what} on ${relative} (last published: ${seen}; server log:\n${this.log.join('\n')})`));
      }, TIMEOUT_MS);
      this.waiters.add(wake);
    });
  }

  async hover(relative: string, needle: string): Promise<string> {
    const hover = await this.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri: this.uri(relative) }, position: this.positionOf(relative, needle) });
    return hover ? (hover.contents as MarkupContent).value : '';
  }

  async codeActions(relative: string, needle: string): Promise<CodeAction[]> {
    const position = this.positionOf(relative, needle);
    return this.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: this.uri(relative) },
      range: { start: position, end: position },
      context: { diagnostics: this.diagnostics.get(this.uri(relative)) ?? [] },
    });
  }

  async stop(): Promise<void> {
    await this.connection.sendRequest('shutdown').catch(() => undefined);
    await this.connection.sendNotification('exit').catch(() => undefined);
    this.connection.dispose();
  }
}

/** An example workspace (examples/<name>) as workspace files: path relative to it → text. */
export function exampleFiles(name: string): Map<string, string> {
  const root = path.join(REPO_ROOT, 'examples', name);
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(root, entry);
    if (fs.statSync(file).isFile()) files.set(entry.split(path.sep).join('/'), fs.readFileSync(file, 'utf8'));
  }
  return files;
}
