/**
 * A piece's parse kept from one run to the next (the CLI keeps it in the
 * piece's checks file, section `parse`), so that a run over a piece with one
 * paragraph added or edited re-parses that paragraph (engine/markdown/
 * edit.ts, paragraph-edit.ts) instead of the piece. Parsing the 200 KB
 * bench piece in a fresh worker takes ~65–90 ms; reading its kept parse
 * back ~13–15 ms (1.4 MB), and the 2 MB piece's ~120–210 ms against ~0.5 s.
 *
 * v8-serialised, as the parse handover between two halves sends it: the
 * parse is plain data plus a Map of reference definitions. Its records
 * (blocks, sentences, citations, quotations, the blocks' edit support) are
 * packed in typed arrays first (engine/markdown/packed-parse.ts):
 * `v8.deserialize` spends ~1 µs on each object, and the 2 MB piece's parse
 * has ~200,000. In fresh processes (five each), the 2 MB piece's parse read
 * back in 46–80 ms packed against 157–203 and was written in 91–125 against
 * 74–114; the 200 KB piece's in 5–12 against 14–21, written in 10–15 against
 * 5–10. A parse whose records are of another shape is kept as it is. It is
 * the engine's output, so only the same build takes it back; damaged bytes
 * or a state of another shape are dropped and the piece is parsed whole.
 */
import v8 = require('node:v8');
import type { ParseState } from '../engine/api';
import { packParseState, unpackParseState, type PackedParseState } from '../engine/markdown/packed-parse';

export const PARSE_SECTION = 'parse';
/**
 * Bumped when what is stored around the state changes (the state's own shape goes with the build id).
 * 2: the state packed (engine/markdown/packed-parse.ts) when its records allow.
 */
const KEPT_PARSE_FORMAT = 2;

interface KeptParse {
  format: number;
  build: string | null;
  /** Whether `state` is packed. */
  packed: boolean;
  state: ParseState | PackedParseState;
}

export function encodeKeptParse(state: ParseState, buildId: string | undefined): Uint8Array {
  const packed = packParseState(state);
  return v8.serialize({ format: KEPT_PARSE_FORMAT, build: buildId ?? null, packed: packed !== undefined, state: packed ?? state } satisfies KeptParse);
}

/** The state in a section's bytes, when this build wrote it and it has a parse's shape. */
export function decodeKeptParse(bytes: Uint8Array, buildId: string | undefined): ParseState | undefined {
  let kept: Partial<KeptParse> | undefined;
  try {
    kept = v8.deserialize(bytes) as Partial<KeptParse>;
  } catch {
    return undefined;
  }
  if (kept?.format !== KEPT_PARSE_FORMAT || kept.build !== (buildId ?? null) || typeof kept.state !== 'object' || kept.state === null) return undefined;
  try {
    const state = kept.packed === true ? unpackParseState(kept.state as PackedParseState) : kept.state;
    return isParseState(state) ? state : undefined;
  } catch {
    // Unpacking checks what it reads; bytes damaged in a way it does not foresee still cost only the kept parse.
    return undefined;
  }
}

function isParseState(value: unknown): value is ParseState {
  const state = value as Partial<ParseState> | undefined;
  const parsed = state?.parsed;
  const support = state?.support;
  return (
    typeof parsed?.text === 'string' &&
    typeof parsed.masked === 'string' &&
    parsed.masked.length === parsed.text.length &&
    [parsed.lineStarts, parsed.blocks, parsed.sentences, parsed.quotations, parsed.citations, parsed.directives].every(Array.isArray) &&
    support?.refs instanceof Map &&
    Array.isArray(support.blocks) &&
    support.blocks.length === parsed.blocks.length
  );
}
