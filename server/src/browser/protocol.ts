/**
 * The two requests the browser server sends its client: in a browser worker
 * there is no file system, so the server asks the editor to list and read the
 * workspace's files (config, registry, sources) through `vscode.workspace.fs`.
 * Answered by client/src/browser/files.ts (which spells the same names; the
 * smoke test and the client's own handlers keep the two in step).
 */

/** Lists the files of a workspace folder matching globs (relative to the folder); the client leaves out node_modules. */
export const FIND_FILES = 'provenance/findFiles';
export interface FindFilesParams {
  /** The workspace folder's URI, any scheme (file, vscode-vfs, vscode-remote…). */
  folder: string;
  globs: string[];
}
export interface FindFilesResult {
  uris: string[];
}

/** Reads files as UTF-8 text; a file above `maxBytes`, binary or absent is named with the reason instead. */
export const READ_FILES = 'provenance/readFiles';
export interface ReadFilesParams {
  uris: string[];
  maxBytes: number;
}
export type FileProblem = 'missing' | 'too-large' | 'binary' | 'unreadable';
export interface ReadFile {
  uri: string;
  text?: string;
  problem?: FileProblem;
  message?: string;
}
export interface ReadFilesResult {
  files: ReadFile[];
}

/** What the client passes in `initialize`: where the rule pages are and which version this is. */
export interface BrowserInitializationOptions {
  docsBaseUrl?: string;
  version?: string;
}
