/**
 * Documents open in the editor: their text is the truth while they are open
 * (unsaved edits included). Changes are applied through `convert.ts`, so
 * incremental edits are read in the negotiated position encoding — the stock
 * `TextDocuments` only understands UTF-16.
 */
import type { DidChangeTextDocumentParams, DidOpenTextDocumentParams } from 'vscode-languageserver';
import { applyContentChange, TextMap, type PositionEncoding } from './convert';
import { fromUri, toUri } from '../node/workspace';

export class OpenDocument {
  private cachedMap: TextMap | undefined;
  /** When the text last changed (ms), for debouncing. */
  changedAt = Date.now();

  constructor(
    /** The uri exactly as the client spelled it: replies use it. */
    readonly uri: string,
    /** The file behind the document, or undefined for untitled and non-file documents. */
    readonly file: string | undefined,
    readonly languageId: string,
    public version: number,
    private content: string,
    private readonly encoding: PositionEncoding,
  ) {}

  get text(): string {
    return this.content;
  }

  /** Line table of the current version, built at most once per version. */
  get map(): TextMap {
    this.cachedMap ??= new TextMap(this.content, this.encoding);
    return this.cachedMap;
  }

  /** The line table if something already needed it for this version. */
  get mapIfBuilt(): TextMap | undefined {
    return this.cachedMap;
  }

  update(text: string, version: number): void {
    this.content = text;
    this.version = version;
    this.cachedMap = undefined;
    this.changedAt = Date.now();
  }
}

/**
 * The same file can reach us spelled differently (`file:///C%3A/x` vs
 * `file:///c:/x`); documents are keyed by file path when there is one.
 */
export function documentKey(uri: string): string {
  const file = fromUri(uri);
  return file !== undefined ? toUri(file) : uri;
}

export class DocumentStore {
  private readonly documents = new Map<string, OpenDocument>();

  constructor(private readonly encoding: () => PositionEncoding) {}

  open(params: DidOpenTextDocumentParams): OpenDocument {
    const { uri, languageId, version, text } = params.textDocument;
    const document = new OpenDocument(uri, fromUri(uri), languageId, version, text, this.encoding());
    this.documents.set(documentKey(uri), document);
    return document;
  }

  /** Applies the changes in order; undefined when the document is not open. */
  change(params: DidChangeTextDocumentParams): OpenDocument | undefined {
    const document = this.get(params.textDocument.uri);
    if (!document) return undefined;
    let text = document.text;
    // The first change applies to the current text, whose line table may already exist.
    let map: TextMap | undefined = document.mapIfBuilt;
    for (const change of params.contentChanges) {
      text = applyContentChange(text, change, this.encoding(), map);
      map = undefined;
    }
    document.update(text, params.textDocument.version);
    return document;
  }

  close(uri: string): OpenDocument | undefined {
    const key = documentKey(uri);
    const document = this.documents.get(key);
    this.documents.delete(key);
    return document;
  }

  get(uri: string): OpenDocument | undefined {
    return this.documents.get(documentKey(uri));
  }

  /** The open document of a file path, if any (for editor text overriding disk text). */
  byFile(file: string): OpenDocument | undefined {
    return this.documents.get(toUri(file));
  }

  all(): OpenDocument[] {
    return [...this.documents.values()];
  }
}
