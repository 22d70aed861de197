/**
 * The workspace most protocol tests use: one source, one piece holding one of
 * each problem (verified, misquote, invented quotation, unknown key).
 */
import { tempWorkspace } from '../helpers/repo';
import { LspClient, type StartOptions } from '../helpers/lsp-client';

export const SOURCE = `Council approves harbour wall

The council approved the new harbour wall on Monday. "It will protect the old town for a hundred years," the engineer said. The mayor said the cost was "a fair price for a safe harbour, and the town will pay it gladly".
`;

export const SECOND_SOURCE = `Ferry fares to rise

The ferry company said fares would rise by ten percent in spring. "We have held prices for as long as we could," its director said.
`;

export const PIECE = `# The wall

The engineer promised it "will protect the old town for a hundred years" [@harbour-wall].

The mayor called it "a fair price for a safer harbour, and the town will pay it gladly" [@harbour-wall].

Nobody ever said "the moon is made of green cheese and we shall build a rocket to it" [@harbour-wall].

Fares are another matter [@no-such-source].
`;

export const CONFIG = `sources:
  - sources/**/*.txt
documents:
  - "*.md"
`;

export function workspace(extra: Record<string, string | Uint8Array> = {}): string {
  return tempWorkspace({
    '.provenance.yml': CONFIG,
    'sources/harbour-wall.txt': SOURCE,
    'sources/ferry-fares.txt': SECOND_SOURCE,
    'analysis.md': PIECE,
    ...extra,
  });
}

/** Starts a server on a fresh fixture workspace. */
export async function start(options: Partial<StartOptions> & { files?: Record<string, string | Uint8Array> } = {}): Promise<LspClient> {
  return LspClient.start({ root: options.root ?? workspace(options.files), ...options });
}

export function codes(diagnostics: { code?: string | number }[]): string[] {
  return diagnostics.map((d) => String(d.code)).sort();
}
