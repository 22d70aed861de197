/**
 * Request handlers: each looks up the open piece, calls the engine with the
 * editor's text, and converts the answer. No logic of their own beyond that.
 */
import {
  CodeActionKind,
  DocumentHighlightKind,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type CompletionItem,
  type CompletionList,
  type CompletionParams,
  type DefinitionParams,
  type DocumentHighlight,
  type DocumentHighlightParams,
  type ReferenceParams,
  type TextDocumentIdentifier,
  type Hover,
  type HoverParams,
  type Location,
  type Range,
} from 'vscode-languageserver';
import type { ActorSummary, DocumentInput } from '../engine/api';
import { quickFixes, toCompletionItem, toHover, toLocation } from './convert';
import type { DiagnosticsService } from './diagnostics';
import { documentKey, type OpenDocument } from './documents';
import { skipReason } from './gate';
import type { Project } from './projects';
import { documentInput, roleOf, type Session } from './session';

interface Piece {
  document: OpenDocument;
  project: Project;
  input: DocumentInput;
}

/**
 * The open piece a request is about, after the workspace has loaded; undefined
 * for anything else, and for a piece the main thread must not analyse (too
 * large, binary, or its check ran past its time budget: see gate.ts).
 */
async function pieceOf(s: Session, uri: string): Promise<Piece | undefined> {
  await s.ready;
  const document = s.documents.get(uri);
  if (!document) return undefined;
  const role = roleOf(s, document);
  if (role.kind !== 'piece') return undefined;
  const name = documentInput(document, role.project).path ?? uri;
  if (!(await s.gate.analysable(documentKey(uri), document.version, name, document.text, role.project.engine.files().maxFileSize))) return undefined;
  return { document, project: role.project, input: documentInput(document, role.project) };
}

function throwIfCancelled(token: CancellationToken): void {
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
}

export async function hover(s: Session, params: HoverParams, token: CancellationToken): Promise<Hover | null> {
  const piece = await pieceOf(s, params.textDocument.uri);
  if (!piece) return null;
  throwIfCancelled(token);
  const card = piece.project.engine.hover(piece.input, piece.document.map.offset(params.position));
  return card ? toHover(card, piece.document.map, s.client.hoverMarkdown) : null;
}

export async function definition(s: Session, params: DefinitionParams, token: CancellationToken): Promise<Location[] | null> {
  const piece = await pieceOf(s, params.textDocument.uri);
  if (!piece) return null;
  throwIfCancelled(token);
  const targets = piece.project.engine.definition(piece.input, piece.document.map.offset(params.position));
  const locations = targets.map((target) => toLocation(target, (uri) => piece.project.mapOf(uri))).filter((l): l is Location => l !== undefined);
  return locations.length ? locations : null;
}

/** Filtered and capped by the engine: `isIncomplete` makes the editor ask again as the writer types on. */
export async function completion(s: Session, params: CompletionParams, token: CancellationToken): Promise<CompletionList | CompletionItem[]> {
  const piece = await pieceOf(s, params.textDocument.uri);
  if (!piece) return [];
  throwIfCancelled(token);
  const list = piece.project.engine.completion(piece.input, piece.document.map.offset(params.position));
  return { isIncomplete: list.isIncomplete, items: list.items.map((entry) => toCompletionItem(entry, piece.document.map, s.client.completionMarkdown)) };
}

/** Every mention of the actor under the cursor: registry entry, this and the other open pieces of the project, the sources. */
export async function references(s: Session, params: ReferenceParams, token: CancellationToken): Promise<Location[] | null> {
  const piece = await pieceOf(s, params.textDocument.uri);
  if (!piece) return null;
  throwIfCancelled(token);
  const others: DocumentInput[] = [];
  for (const document of s.documents.all()) {
    if (document.uri === piece.document.uri) continue;
    const role = roleOf(s, document);
    if (role.kind !== 'piece' || role.project !== piece.project) continue;
    const other = documentInput(document, role.project);
    // Pieces the main thread must not analyse are left out (gate.ts).
    if (s.gate.isStopped(documentKey(document.uri)) || skipReason(other.path ?? other.uri, other.text, role.project.engine.files().maxFileSize)) continue;
    others.push(other);
  }
  const found = piece.project.engine.references(piece.input, piece.document.map.offset(params.position), others);
  const mapOf = (uri: string) => s.documents.get(uri)?.map ?? piece.project.mapOf(uri);
  const locations = found.map((target) => toLocation(target, mapOf)).filter((l): l is Location => l !== undefined);
  return locations.length ? locations : null;
}

/** The other places in this piece that name the actor under the cursor. */
export async function documentHighlights(s: Session, params: DocumentHighlightParams, token: CancellationToken): Promise<DocumentHighlight[] | null> {
  const piece = await pieceOf(s, params.textDocument.uri);
  if (!piece) return null;
  throwIfCancelled(token);
  const spans = piece.project.engine.documentHighlights(piece.input, piece.document.map.offset(params.position));
  return spans.length ? spans.map((span) => ({ range: piece.document.map.range(span), kind: DocumentHighlightKind.Text })) : null;
}

/** `provenance/actors`: the actors a piece names, with their ranges (for "Provenance: Show actors"). */
export async function actors(s: Session, params: { textDocument: TextDocumentIdentifier }, token: CancellationToken): Promise<{ actors: Array<Omit<ActorSummary, 'spans'> & { ranges: Range[] }> }> {
  const piece = await pieceOf(s, params.textDocument.uri);
  if (!piece) return { actors: [] };
  throwIfCancelled(token);
  return {
    actors: piece.project.engine.actors(piece.input).map(({ spans, ...actor }) => ({ ...actor, ranges: spans.map((span) => piece.document.map.range(span)) })),
  };
}

/** Quick fixes of the findings under the range: the engine's `Fix`es become edits to this document version. */
export async function codeActions(s: Session, diagnostics: DiagnosticsService, params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
  const only = params.context.only;
  if (only && !only.some((kind) => kind === CodeActionKind.Empty || kind === CodeActionKind.QuickFix)) return [];
  const piece = await pieceOf(s, params.textDocument.uri);
  if (!piece) return [];
  const checked = await diagnostics.currentFindings(piece.document, token);
  throwIfCancelled(token);
  if (!checked) return [];
  const { document, project, input } = piece;
  return quickFixes(project.engine, input, checked.findings, document.map.span(params.range), document, diagnostics.diagnosticContext(project), s.client.documentChanges);
}
