/**
 * What both language servers (desktop and web) offer for editing a piece, so
 * the two builds cannot drift apart in what a client is told. Each server adds
 * what only it has (pull diagnostics, workspace folder changes). Node-free:
 * the web build imports it.
 */
import { CodeActionKind, TextDocumentSyncKind, type ServerCapabilities } from 'vscode-languageserver';
import type { PositionEncoding } from './convert';

export function editingCapabilities(encoding: PositionEncoding): ServerCapabilities {
  return {
    positionEncoding: encoding,
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
    hoverProvider: true,
    definitionProvider: true,
    referencesProvider: true,
    documentHighlightProvider: true,
    completionProvider: { triggerCharacters: ['@', '['], resolveProvider: false },
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix], resolveProvider: false },
  };
}
