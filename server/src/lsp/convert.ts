/**
 * The one place where engine data becomes LSP data and back. Engine spans are
 * UTF-16 offsets into a string; LSP positions are (line, character) where a
 * character counts UTF-16 code units, UTF-8 bytes or code points depending on
 * the position encoding negotiated in `initialize`.
 *
 * Architecture invariant: no other file under server/src/lsp turns an offset
 * into a position (or back); they all go through `TextMap`.
 */
import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type CompletionItem,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Hover,
  type Location,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { DocumentInput, Engine } from '../engine/api';
import type {
  CompletionEntry,
  CompletionKind,
  Finding,
  Fix,
  HoverCard,
  Location as EngineLocation,
  Severity,
  Span,
  TextEdit as EngineTextEdit,
} from '../engine/types';

export type PositionEncoding = 'utf-16' | 'utf-8' | 'utf-32';

const SUPPORTED_ENCODINGS: readonly string[] = ['utf-16', 'utf-8', 'utf-32'];

/**
 * The client lists the encodings it supports in order of preference; take its
 * first one we can do. UTF-16 is the protocol's default and mandatory fallback.
 */
export function negotiatePositionEncoding(offered: readonly string[] | undefined): PositionEncoding {
  const choice = offered?.find((encoding) => SUPPORTED_ENCODINGS.includes(encoding));
  return (choice as PositionEncoding | undefined) ?? 'utf-16';
}

/**
 * Line table of one text version. LSP ends lines at `\n`, `\r\n` and a lone
 * `\r`, so all three count here (the engine's own line index only needs `\n`).
 */
export class TextMap {
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly text: string,
    readonly encoding: PositionEncoding,
  ) {
    if (!text.includes('\r')) {
      // The common case, searched natively: about twice as fast on a 2 MB piece, once per keystroke.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 10) this.lineStarts.push(i + 1);
      else if (code === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.lineStarts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(offset: number): Position {
    let clamped = Math.max(0, Math.min(offset, this.text.length));
    // Never point between the two halves of a surrogate pair.
    if (clamped > 0 && isLowSurrogate(this.text.charCodeAt(clamped)) && isHighSurrogate(this.text.charCodeAt(clamped - 1))) clamped--;
    const line = this.lineOf(clamped);
    return { line, character: this.measure(this.lineStarts[line], clamped) };
  }

  offset(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[position.line];
    return this.advance(start, this.lineContentEnd(position.line), Math.max(0, position.character));
  }

  range(span: Span): Range {
    return { start: this.position(span.start), end: this.position(span.end) };
  }

  span(range: Range): Span {
    const start = this.offset(range.start);
    return { start, end: Math.max(start, this.offset(range.end)) };
  }

  private lineOf(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** Offset where the line's text ends, before its line break. */
  private lineContentEnd(line: number): number {
    let end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  /** Characters (in this map's encoding) between lineStart and offset. */
  private measure(lineStart: number, offset: number): number {
    if (this.encoding === 'utf-16') return offset - lineStart;
    let count = 0;
    for (let i = lineStart; i < offset; i++) {
      const code = this.text.charCodeAt(i);
      const pair = isHighSurrogate(code) && i + 1 < offset && isLowSurrogate(this.text.charCodeAt(i + 1));
      if (pair) i++;
      count += this.encoding === 'utf-32' ? 1 : pair ? 4 : code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
    }
    return count;
  }

  /**
   * Offset `characters` (in this map's encoding) after lineStart, clamped to
   * the line's end as LSP asks; a position inside a character snaps to its start.
   */
  private advance(lineStart: number, lineEnd: number, characters: number): number {
    if (this.encoding === 'utf-16') return Math.min(lineStart + characters, lineEnd);
    let count = 0;
    let i = lineStart;
    while (i < lineEnd && count < characters) {
      const code = this.text.charCodeAt(i);
      const pair = isHighSurrogate(code) && i + 1 < lineEnd && isLowSurrogate(this.text.charCodeAt(i + 1));
      const size = this.encoding === 'utf-32' ? 1 : pair ? 4 : code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
      if (count + size > characters) break;
      count += size;
      i += pair ? 2 : 1;
    }
    return i;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Applies an incremental (range) or full content change to a text; `map`, when given, must be of `text`. */
export function applyContentChange(text: string, change: { range?: Range; text: string }, encoding: PositionEncoding, map?: TextMap): string {
  if (!change.range) return change.text;
  const span = (map?.text === text ? map : new TextMap(text, encoding)).span(change.range);
  return text.slice(0, span.start) + change.text + text.slice(span.end);
}

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What turning findings into diagnostics needs beyond the document itself. */
export interface DiagnosticContext {
  ruleDocsUrl(ruleId: string): string;
  /** Line table of another file (a source), for related information; undefined when unknown. */
  mapOf(uri: string): TextMap | undefined;
  relatedInformation: boolean;
  codeDescription: boolean;
}

/**
 * `withData: false` for what is published or pulled: `data` only serves code
 * actions (LSP keeps it for the round trip to codeAction), and ours are made
 * from the findings kept on the server, so shipping it with every diagnostic
 * of every version only cost time (a fifth of a long piece's publish). The
 * diagnostics inside code actions keep it.
 */
export function toDiagnostic(finding: Finding, map: TextMap, context: DiagnosticContext, withData = true): Diagnostic {
  const diagnostic: Diagnostic = {
    range: map.range(finding.span),
    severity: SEVERITIES[finding.severity],
    source: 'provenance',
    code: finding.ruleId,
    message: finding.message,
  };
  if (context.codeDescription) diagnostic.codeDescription = { href: context.ruleDocsUrl(finding.ruleId) };
  if (withData && finding.data !== undefined) diagnostic.data = finding.data;
  if (context.relatedInformation && finding.related?.length) {
    const related: DiagnosticRelatedInformation[] = [];
    for (const info of finding.related) {
      const location = toLocation(info.location, context.mapOf);
      if (location) related.push({ location, message: info.message });
    }
    if (related.length) diagnostic.relatedInformation = related;
  }
  return diagnostic;
}

/**
 * The diagnostic of a finding that is `previous`'s finding moved (same rule,
 * message, data and related information; converted in the same environment):
 * only the range is computed again, and an unmoved one is shared.
 */
export function movedDiagnostic(previous: Diagnostic, finding: Finding, map: TextMap): Diagnostic {
  const range = map.range(finding.span);
  const before = previous.range;
  const same =
    range.start.line === before.start.line && range.start.character === before.start.character && range.end.line === before.end.line && range.end.character === before.end.character;
  return same ? previous : { ...previous, range };
}

export function toLocation(location: EngineLocation, mapOf: (uri: string) => TextMap | undefined): Location | undefined {
  const map = mapOf(location.uri);
  return map ? { uri: location.uri, range: map.range(location.span) } : undefined;
}

export function toHover(card: HoverCard, map: TextMap, markdown: boolean): Hover {
  return {
    contents: { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: card.markdown },
    range: map.range(card.span),
  };
}

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  source: CompletionItemKind.Reference,
  entity: CompletionItemKind.Constant,
  rule: CompletionItemKind.Keyword,
};

export function toCompletionItem(entry: CompletionEntry, map: TextMap, markdown: boolean): CompletionItem {
  const item: CompletionItem = {
    label: entry.label,
    kind: COMPLETION_KINDS[entry.kind],
    textEdit: { range: map.range(entry.replace), newText: entry.insertText },
  };
  if (entry.detail) item.detail = entry.detail;
  if (entry.documentation) item.documentation = { kind: markdown ? MarkupKind.Markdown : MarkupKind.PlainText, value: entry.documentation };
  if (entry.sortText) item.sortText = entry.sortText;
  return item;
}

export function toTextEdits(edits: readonly EngineTextEdit[], map: TextMap): TextEdit[] {
  return edits.map((edit) => ({ range: map.range(edit.span), newText: edit.newText }));
}

/** Edits to one open document. With `documentChanges` the client refuses them if the document moved on. */
export function toWorkspaceEdit(uri: string, version: number, edits: TextEdit[], documentChanges: boolean): WorkspaceEdit {
  return documentChanges ? { documentChanges: [{ textDocument: { uri, version }, edits }] } : { changes: { [uri]: edits } };
}

export function toCodeAction(fix: Fix, edit: WorkspaceEdit, diagnostics: Diagnostic[]): CodeAction {
  const action: CodeAction = { title: fix.title, kind: CodeActionKind.QuickFix, edit };
  if (diagnostics.length) action.diagnostics = diagnostics;
  if (fix.isPreferred) action.isPreferred = true;
  return action;
}

/**
 * Quick fixes for the findings of one document version that touch `span`:
 * one finding at a time, so each action names the diagnostic it fixes; the
 * same edit offered by two findings once; preferred fixes first (editors
 * apply the first one on "auto fix"). Shared by the desktop and web servers.
 */
export function quickFixes(
  engine: Engine,
  input: DocumentInput,
  findings: readonly Finding[],
  span: Span,
  document: { uri: string; version: number; map: TextMap },
  context: DiagnosticContext,
  documentChanges: boolean,
): CodeAction[] {
  const actions: CodeAction[] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    if (finding.span.start > span.end || span.start > finding.span.end) continue;
    for (const fix of engine.codeActions(input, span, [finding])) {
      const edits = toTextEdits(fix.edits, document.map);
      const identity = JSON.stringify([fix.title, edits]);
      if (seen.has(identity)) continue;
      seen.add(identity);
      actions.push(toCodeAction(fix, toWorkspaceEdit(document.uri, document.version, edits, documentChanges), [toDiagnostic(finding, document.map, context)]));
    }
  }
  return actions.sort((a, b) => Number(b.isPreferred === true) - Number(a.isPreferred === true));
}
