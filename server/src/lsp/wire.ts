/**
 * How messages are written to a stream client (stdio, socket).
 *
 * A long piece's diagnostics are large: ~1,300 for a 200 KB piece, ~0.7 MB
 * of JSON, sent again whole after every edit (LSP has no delta). The stock
 * writer turns the whole message into one string and then into UTF-8 bytes,
 * ~10 ms a time, though after an edit nearly every diagnostic is the very
 * object sent the time before (diagnostics.ts reuses the ones an edit did
 * not move). So each diagnostic is encoded once and its bytes kept beside
 * it; a message carrying diagnostics is assembled from those bytes.
 *
 * Diagnostics are never changed once built (convert.ts makes a new object
 * for a moved one), so the bytes stay true for as long as the object lives.
 * Node IPC serialises messages itself, with no hook for this: the VS Code
 * client starts the server over stdio for that reason.
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { Message, MessageWriterOptions } from 'vscode-languageserver/node';

/** Writer options that encode diagnostics through a per-object cache. */
export function cachedDiagnosticsWriterOptions(): MessageWriterOptions {
  return { charset: 'utf-8', contentTypeEncoder: new DiagnosticsEncoder() };
}

const COMMA = Buffer.from(',');

export class DiagnosticsEncoder {
  readonly name = 'application/json';
  private readonly bytes = new WeakMap<Diagnostic, Buffer>();

  encode(message: Message): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.encodeNow(message));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private encodeNow(message: Message): Buffer {
    const carried = diagnosticsOf(message);
    if (!carried) return Buffer.from(JSON.stringify(message), 'utf8');
    // The message with a placeholder where the diagnostics go, split there.
    const shell = JSON.stringify(carried.withPlaceholder);
    const at = shell.indexOf(PLACEHOLDER_JSON);
    const parts: Buffer[] = [Buffer.from(`${shell.slice(0, at)}[`, 'utf8')];
    carried.diagnostics.forEach((diagnostic, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(this.bytesOf(diagnostic));
    });
    parts.push(Buffer.from(`]${shell.slice(at + PLACEHOLDER_JSON.length)}`, 'utf8'));
    return Buffer.concat(parts);
  }

  private bytesOf(diagnostic: Diagnostic): Buffer {
    let bytes = this.bytes.get(diagnostic);
    if (!bytes) {
      bytes = Buffer.from(JSON.stringify(diagnostic), 'utf8');
      this.bytes.set(diagnostic, bytes);
    }
    return bytes;
  }
}

/**
 * Stands in for the list in the shell. Its JSON form (with the quotes) can
 * come from no other value there: the other strings (method, uri, result id,
 * report kind) hold no control character.
 */
const LIST_PLACEHOLDER = '\u0001diagnostics\u0001';
const PLACEHOLDER_JSON = JSON.stringify(LIST_PLACEHOLDER);

/** The diagnostics a publish (`params.diagnostics`) or a full pull report (`result.items`) carries, and the message with a placeholder in their place. */
function diagnosticsOf(message: Message): { diagnostics: Diagnostic[]; withPlaceholder: object } | undefined {
  const m = message as { method?: string; params?: { diagnostics?: unknown }; result?: { kind?: string; items?: unknown } };
  if (m.method === 'textDocument/publishDiagnostics' && Array.isArray(m.params?.diagnostics)) {
    return { diagnostics: m.params.diagnostics as Diagnostic[], withPlaceholder: { ...m, params: { ...m.params, diagnostics: LIST_PLACEHOLDER } } };
  }
  if (m.result?.kind === 'full' && Array.isArray(m.result.items)) {
    return { diagnostics: m.result.items as Diagnostic[], withPlaceholder: { ...m, result: { ...m.result, items: LIST_PLACEHOLDER } } };
  }
  return undefined;
}
