/**
 * Checking one piece from disk: the unit of work the CLI's main thread and
 * its worker threads share, so a piece gets the same answer wherever it runs.
 */
import type { Engine } from '../engine/api';
import type { Finding } from '../engine/types';
import { readTextFile, relativePath, toUri } from '../node/workspace';

export interface CheckedFile {
  /** The text that was checked ('' when the file could not be read). */
  text: string;
  findings: Finding[];
  /** Why the file was skipped, for stderr. */
  notice?: string;
  /** The file could not be read at all (exit code 2). */
  unreadable: boolean;
  /** Its analysis was stopped: over its time budget, or its worker died under it (exit code 2). */
  stopped?: 'time-budget' | 'crashed';
}

/** Checks one piece from disk; `rules` limits the check to some rules (one thread's half of a split piece). */
export function checkFile(engine: Engine, file: string, root: string, rules?: (ruleId: string) => boolean): CheckedFile {
  const read = readTextFile(file, engine.files().maxFileSize);
  if (!read.ok) {
    const finding: Finding = {
      ruleId: 'input/skipped',
      severity: read.reason === 'unreadable' ? 'error' : 'warning',
      message: read.message,
      span: { start: 0, end: 0 },
    };
    return { text: '', findings: [finding], notice: read.message, unreadable: read.reason === 'unreadable' };
  }
  const findings = engine.check({ uri: toUri(file), path: relativePath(root, file), text: read.text }, undefined, { rules });
  return { text: read.text, findings, unreadable: false };
}
