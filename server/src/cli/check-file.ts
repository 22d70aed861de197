/**
 * Checking one piece from disk: the unit of work the CLI's main thread and
 * its worker threads share, so a piece gets the same answer wherever it runs.
 */
import type { DocumentInput, Engine } from '../engine/api';
import type { Finding } from '../engine/types';
import { readTextFile, relativePath, SourceChangedError, toUri } from '../node/workspace';
import { stepClock, type Timings } from './timing';

export interface CheckedFile {
  /** The text that was checked ('' when the file could not be read). */
  text: string;
  findings: Finding[];
  /** The findings as the engine's JSON bytes (`Engine.checkAsJson`) instead, when the check was asked for that (`findings` is then empty). */
  findingsJson?: Uint8Array;
  /** Why the file was skipped, for stderr. */
  notice?: string;
  /** The file could not be read at all (exit code 2). */
  unreadable: boolean;
  /** Its analysis was stopped: over its time budget, its worker died under it, or a source it needed changed during the run (exit code 2). */
  stopped?: 'time-budget' | 'crashed' | 'source-changed';
  /** How long each step of its check took (`--timing`): the parse, and each rule. */
  timings?: Timings;
  /**
   * `findings` as the workers sent them (findings-text.ts): each rule group's parts (those sent while its check went
   * on, then its result), in the pool's order. The results cache writes these bytes, and joins the parts when it reads
   * them back.
   */
  findingsParts?: Uint8Array[];
}

/** A piece read from disk as the engine's input, or the result of a piece that cannot be checked. */
export function readPiece(engine: Engine, file: string, root: string): { doc: DocumentInput } | { skipped: CheckedFile } {
  const read = readTextFile(file, engine.files().maxFileSize);
  if (!read.ok) {
    const finding: Finding = {
      ruleId: 'input/skipped',
      severity: read.reason === 'unreadable' ? 'error' : 'warning',
      message: read.message,
      span: { start: 0, end: 0 },
    };
    return { skipped: { text: '', findings: [finding], notice: read.message, unreadable: read.reason === 'unreadable' } };
  }
  return { doc: { uri: toUri(file), path: relativePath(root, file), text: read.text } };
}

/**
 * Checks one piece from disk; `rules` limits the check to some rules (one
 * thread's half of a split piece); `prepare` runs before the check (a worker
 * adopts a parse another thread made); `timed` says to time each step;
 * `asJson` gives the findings as the engine's JSON bytes (a worker sends them
 * on), and to `asJson.sendPart` those it has made so far while the check goes
 * on (`Engine.checkAsJson`).
 */
export function checkFile(
  engine: Engine,
  file: string,
  root: string,
  rules?: (ruleId: string) => boolean,
  prepare?: (doc: DocumentInput) => void,
  timed = false,
  asJson?: { sendPart?: (json: Uint8Array) => void },
): CheckedFile {
  const piece = readPiece(engine, file, root);
  if ('skipped' in piece) return piece.skipped;
  prepare?.(piece.doc);
  const timings: Timings | undefined = timed ? {} : undefined;
  const options = { rules, timing: timings && stepClock(timings) };
  let findings: Pick<CheckedFile, 'findings' | 'findingsJson'>;
  try {
    findings = asJson ? { findings: [], findingsJson: engine.checkAsJson(piece.doc, undefined, options, asJson.sendPart) } : { findings: engine.check(piece.doc, undefined, options) };
  } catch (err) {
    if (!(err instanceof SourceChangedError)) throw err;
    return { text: piece.doc.text, ...sourceChangedResult(piece.doc.path ?? file, relativePath(root, err.file)) };
  }
  return { text: piece.doc.text, ...findings, unreadable: false, ...(timings ? { timings } : {}) };
}

/** A piece not checked because a source it needed changed during the run (node/workspace.ts SourceChangedError). */
function sourceChangedResult(piece: string, source: string): Omit<CheckedFile, 'text'> {
  const message = `${piece} was not checked: ${source} changed during this run, after its cached products were read. Run the check again.`;
  return { findings: [{ ruleId: 'input/skipped', severity: 'error', message, span: { start: 0, end: 0 }, data: { reason: 'source-changed', source } }], notice: message, unreadable: false, stopped: 'source-changed' };
}
