/**
 * What a check learnt about one whole text of a piece (its masked or its
 * detection text), kept from one CLI run to the next in the piece's checks
 * file. The server carries such a state from the version it checked before
 * to the next one (an edit re-reads only what changed); a CLI run is a fresh
 * process, so it takes the state the last run kept for the text of the parse
 * it starts from (`adoptedOriginOf`, markdown/edit-support.ts) and carries it
 * the same way. A kept state names its text by length and hash, and is taken
 * for that text only.
 *
 * Written back byte for byte when the run used it unchanged (the piece did
 * not change), so an unchanged piece's file is not rewritten.
 */
import type { CacheProduct } from './index-cache';

/** What every kept state holds besides its own fields. */
interface Stamp {
  format: number;
  /** The text's length and hash. */
  length: number;
  key: string;
}

export abstract class KeptTextState<State extends object, Live extends { readonly text: string }> implements CacheProduct {
  private imported: { bytes: Uint8Array; state: State & Stamp } | undefined;
  private current: Live | undefined;
  /** What `restore` made for the imported state's text, and its `version` then. */
  private restored: { live: Live; version: number } | undefined;

  /** `hash` names a text (the engine's long-text hash). */
  constructor(
    readonly section: string,
    private readonly format: number,
    private readonly hash: (text: string) => string,
  ) {}

  /** The state kept, from its JSON; undefined when it is not one (damaged). */
  protected abstract isState(value: Partial<State> | null): value is State;
  /** A live state for `text` made from a kept one. */
  protected abstract toLive(text: string, state: State): Live;
  /** What of a live state is kept. */
  protected abstract fromLive(live: Live): State;
  /** Grows as a live state learns more (what it would write changes). */
  protected abstract version(live: Live): number;

  /** The live state a check used: what an export keeps. */
  use(live: Live): void {
    this.current = live;
  }

  /** The kept state as a live one for `text`, when it was kept for that very text. */
  restore(text: string): Live | undefined {
    const state = this.imported?.state;
    if (!state || state.length !== text.length || state.key !== this.hash(text)) return undefined;
    const live = this.toLive(text, state);
    this.restored = { live, version: this.version(live) };
    return live;
  }

  /** Whether an export would write something else than what was imported. */
  get dirty(): boolean {
    return this.current !== undefined && !this.usedAsImported();
  }

  /** Kept per piece (the CLI): a new piece starts with none. */
  beginScope(): void {
    this.imported = undefined;
    this.current = undefined;
    this.restored = undefined;
  }

  exportSection(): Uint8Array {
    const current = this.current;
    this.current = undefined;
    if (!current || this.usedAsImported()) return this.imported?.bytes ?? new Uint8Array(0);
    const stamp: Stamp = { format: this.format, length: current.text.length, key: this.hash(current.text) };
    return new TextEncoder().encode(JSON.stringify({ ...stamp, ...this.fromLive(current) }));
  }

  importSection(bytes: Uint8Array): number {
    this.beginScope();
    try {
      const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<State & Stamp> | null;
      if (value?.format !== this.format || !Number.isInteger(value.length) || typeof value.key !== 'string' || !this.isState(value)) return 0;
      this.imported = { bytes, state: value as State & Stamp };
      return 1;
    } catch {
      return 0;
    }
  }

  private usedAsImported(): boolean {
    const restored = this.restored;
    return restored !== undefined && this.current === restored.live && this.version(restored.live) === restored.version;
  }
}
