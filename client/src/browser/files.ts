/**
 * The web server's file system: in a browser worker the language server
 * cannot read the workspace, so it asks the extension, which lists and reads
 * files through `vscode.workspace` — the same API whatever the folder is
 * (github.dev's virtual repository, vscode.dev's local folder, a remote).
 * Answers server/src/browser/protocol.ts's `provenance/findFiles` and
 * `provenance/readFiles` (the method names and shapes are spelt there too).
 */
import * as vscode from 'vscode';

export const FIND_FILES = 'provenance/findFiles';
export const READ_FILES = 'provenance/readFiles';

interface FindFilesParams {
  folder: string;
  globs: string[];
}

interface ReadFilesParams {
  uris: string[];
  maxBytes: number;
}

interface ReadFile {
  uri: string;
  text?: string;
  problem?: 'missing' | 'too-large' | 'binary' | 'unreadable';
  message?: string;
}

/** Files whose first 8,000 bytes hold a NUL are binary (as on the desktop). */
const BINARY_PROBE_BYTES = 8000;

/** Files of a folder matching each glob (relative to it), without dependencies; the server filters further. */
export async function findFiles(params: FindFilesParams): Promise<{ uris: string[] }> {
  const folder = vscode.Uri.parse(params.folder);
  const found = new Set<string>();
  for (const glob of params.globs) {
    for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(folder, glob), '**/node_modules/**')) found.add(uri.toString());
  }
  return { uris: [...found].sort() };
}

export async function readFiles(params: ReadFilesParams): Promise<{ files: ReadFile[] }> {
  return { files: await Promise.all(params.uris.map((uri) => readFile(uri, params.maxBytes))) };
}

async function readFile(text: string, maxBytes: number): Promise<ReadFile> {
  const uri = vscode.Uri.parse(text);
  const name = vscode.workspace.asRelativePath(uri);
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.type & vscode.FileType.Directory) return { uri: text, problem: 'unreadable', message: `${name} is a folder` };
    if (stat.size > maxBytes) return { uri: text, problem: 'too-large', message: `${name} is ${stat.size} bytes, above the ${maxBytes}-byte limit; skipped` };
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) return { uri: text, problem: 'binary', message: `${name} looks binary (NUL byte in its first 8,000 bytes); skipped` };
    return { uri: text, text: new TextDecoder('utf-8', { fatal: false }).decode(bytes) };
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return { uri: text, problem: 'missing' };
    return { uri: text, problem: 'unreadable', message: `cannot read ${name}: ${(err as Error).message}` };
  }
}
