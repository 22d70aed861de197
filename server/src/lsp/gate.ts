/**
 * Which open pieces the main thread may analyse for hovers, completions,
 * definitions and the rest. The main thread cannot be stopped, so it never
 * analyses a piece that is too large, binary, or whose last check ran past
 * its time budget (or killed its worker); while a check of the current text
 * runs, it waits for that check's verdict (bounded by the budget) instead of
 * starting the same work itself.
 */
import { formatBytes } from '../node/workspace';

/** Files whose first 8,000 characters hold a NUL are binary, not prose. */
const BINARY_PROBE_CHARS = 8000;

export type SkipReason = { reason: 'too-large'; bytes: number; limit: number; message: string } | { reason: 'binary'; message: string };

/** Why a piece is not analysed at all (above `maxFileSize`, or binary), or undefined. */
export function skipReason(name: string, text: string, limit: number): SkipReason | undefined {
  // Cheap upper bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  const bytes = text.length * 3 > limit ? Buffer.byteLength(text, 'utf8') : text.length;
  if (bytes > limit) {
    return { reason: 'too-large', bytes, limit, message: `${name} is ${formatBytes(bytes)}, above the ${formatBytes(limit)} limit (maxFileSize): too large, skipped.` };
  }
  if (text.slice(0, BINARY_PROBE_CHARS).includes('\u0000')) {
    return { reason: 'binary', message: `${name} looks binary (a NUL character in its first 8,000 characters): binary, skipped.` };
  }
  return undefined;
}

export class AnalysisGate {
  /** The check running per document key, with the version it checks. */
  private readonly running = new Map<string, { version: number; done: Promise<unknown> }>();
  /** Documents whose last finished check was stopped (budget, crash). */
  private readonly stopped = new Set<string>();

  /** A check of `version` started; `done` settles when it ends. */
  checking(key: string, version: number, done: Promise<unknown>): void {
    this.running.set(key, { version, done });
    const clear = () => {
      if (this.running.get(key)?.done === done) this.running.delete(key);
    };
    done.then(clear, clear);
  }

  /** A check of the document ended: stopped (over budget, crashed) or finished normally. */
  finished(key: string, stopped: boolean): void {
    if (stopped) this.stopped.add(key);
    else this.stopped.delete(key);
  }

  /** Whether the document's last check was stopped. */
  isStopped(key: string): boolean {
    return this.stopped.has(key);
  }

  forget(key: string): void {
    this.stopped.delete(key);
    this.running.delete(key);
  }

  /** Whether the main thread may analyse this text now (waits for a running check of the same version first). */
  async analysable(key: string, version: number, name: string, text: string, limit: number): Promise<boolean> {
    if (skipReason(name, text, limit)) return false;
    const running = this.running.get(key);
    if (running && running.version === version) await running.done.catch(() => undefined);
    return !this.stopped.has(key);
  }
}
