/**
 * What every handler shares: the connection, the open documents, the projects,
 * the settings and what the client said it can do. Built once in `initialize`.
 */
import path = require('node:path');
import type { Connection, InitializeParams } from 'vscode-languageserver';
import type { DocumentInput } from '../engine/api';
import type { CheckWorker } from './check-worker';
import { negotiatePositionEncoding, type PositionEncoding } from './convert';
import type { DocumentStore, OpenDocument } from './documents';
import type { AnalysisGate } from './gate';
import type { Project, ProjectFileKind, ProjectSet } from './projects';
import type { SettingsStore } from './settings';
import type { Warmer } from './warm';

/** The client capabilities the server acts on, read once. */
export interface ClientFeatures {
  encoding: PositionEncoding;
  /** `textDocument/diagnostic` (pull); otherwise diagnostics are pushed. */
  pullDiagnostics: boolean;
  diagnosticRefresh: boolean;
  relatedInformation: boolean;
  codeDescription: boolean;
  documentChanges: boolean;
  hoverMarkdown: boolean;
  completionMarkdown: boolean;
  workDoneProgress: boolean;
  configuration: boolean;
  watchFilesDynamically: boolean;
  configurationDynamically: boolean;
}

export function clientFeatures(params: InitializeParams): ClientFeatures {
  const caps = params.capabilities;
  return {
    encoding: negotiatePositionEncoding(caps.general?.positionEncodings),
    pullDiagnostics: caps.textDocument?.diagnostic !== undefined,
    diagnosticRefresh: caps.workspace?.diagnostics?.refreshSupport === true,
    relatedInformation: caps.textDocument?.publishDiagnostics?.relatedInformation === true || caps.textDocument?.diagnostic?.relatedInformation === true,
    codeDescription: caps.textDocument?.publishDiagnostics?.codeDescriptionSupport === true || caps.textDocument?.diagnostic !== undefined,
    documentChanges: caps.workspace?.workspaceEdit?.documentChanges === true,
    hoverMarkdown: caps.textDocument?.hover?.contentFormat?.includes('markdown') ?? false,
    completionMarkdown: caps.textDocument?.completion?.completionItem?.documentationFormat?.includes('markdown') ?? false,
    workDoneProgress: caps.window?.workDoneProgress === true,
    configuration: caps.workspace?.configuration === true,
    watchFilesDynamically: caps.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    configurationDynamically: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
  };
}

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Session {
  readonly connection: Connection;
  readonly documents: DocumentStore;
  readonly projects: ProjectSet;
  readonly settings: SettingsStore;
  readonly client: ClientFeatures;
  readonly log: Log;
  /** Runs piece checks in a worker with a time budget. */
  readonly checker: CheckWorker;
  /** Which pieces the main thread may analyse (hover, completion, …). */
  readonly gate: AnalysisGate;
  /** Builds in idle turns what requests will need (corpus-wide products, the parse of a checked version). */
  readonly warmer: Warmer;
  /** Quiet time after a change before its findings are shown (diagnostics.ts DEBOUNCE_MS). */
  readonly debounceMs: number;
  /** Quiet time after findings are delivered before hovers' analysis is built (diagnostics.ts WARM_UP_PAUSE_MS). */
  readonly warmUpPauseMs: number;
  /** Resolves once the workspace folders are loaded; handlers wait for it. */
  readonly ready: Promise<void>;
}

export type DocumentRole =
  | { kind: 'piece'; project: Project }
  | { kind: 'projectFile'; project: Project; file: string; fileKind: ProjectFileKind }
  | { kind: 'other' };

/**
 * What an open document is to us: a piece to check, one of a project's own
 * files (config, registry, source), or nothing. Untitled Markdown is a piece
 * of the first workspace folder.
 */
export function roleOf(session: Session, document: OpenDocument): DocumentRole {
  if (document.file === undefined) {
    const project = document.languageId === 'markdown' ? session.projects.forUntitled() : undefined;
    return project ? { kind: 'piece', project } : { kind: 'other' };
  }
  const project = session.projects.forFile(document.file, document.languageId === 'markdown');
  if (!project) return { kind: 'other' };
  const fileKind = project.kindOf(document.file);
  if (fileKind) return { kind: 'projectFile', project, file: document.file, fileKind };
  return project.isPiece(document.file) ? { kind: 'piece', project } : { kind: 'other' };
}

/** What the engine is given for an open piece: the editor's text, and the path relative to the root for messages. */
export function documentInput(document: OpenDocument, project: Project): DocumentInput {
  const relative = document.file !== undefined && project.contains(document.file) ? path.relative(project.root, document.file).split(path.sep).join('/') : undefined;
  return { uri: document.uri, path: relative, text: document.text, version: document.version };
}
