/**
 * The strings of an entities cache section, each stored once: the section's
 * numbers refer to them by index (-1 for none). Written as one string joined
 * by NUL, or as JSON when a string holds a NUL itself.
 */
export class StringTable {
  readonly strings: string[] = [];
  private readonly indexes = new Map<string, number>();

  /** The index of `value`, added when new; -1 for undefined. */
  readonly index = (value: string | undefined): number => {
    if (value === undefined) return -1;
    let index = this.indexes.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.indexes.set(value, index);
    }
    return index;
  };

  /** Whether the table must be written as JSON: a NUL would split a string in two. */
  needsJson(): boolean {
    return this.strings.some((s) => s.includes('\u0000'));
  }

  encode(json: boolean): string {
    return json ? JSON.stringify(this.strings) : this.strings.join('\u0000');
  }

  /** Where each string starts in the NUL-joined text, and one past the text's end (what `LazyStrings` reads by). */
  starts(): Int32Array {
    const starts = new Int32Array(this.strings.length + 1);
    let at = 0;
    this.strings.forEach((s, i) => {
      starts[i] = at;
      at += s.length + 1;
    });
    starts[this.strings.length] = at;
    return starts;
  }
}

/** Strings by index, as a restored table gives them. */
export interface IndexedStrings {
  readonly length: number;
  /** The string at `index`; undefined for an index outside the table. */
  at(index: number): string | undefined;
}

/** A table decoded whole. */
export class DecodedStrings implements IndexedStrings {
  constructor(private readonly strings: readonly string[]) {}
  get length(): number {
    return this.strings.length;
  }
  at(index: number): string | undefined {
    return this.strings[index];
  }
}

/**
 * The strings of a NUL-joined table, each cut from the text when first asked
 * for: a restored entity knowledge has ~42,000 strings, and splitting them all
 * (~20 ms in a fresh thread, and as many young objects for the collector)
 * served a check that reads a few hundred.
 */
export class LazyStrings implements IndexedStrings {
  private readonly made: Array<string | undefined>;

  /** `starts` as `StringTable.starts` made them; throws when they do not fit the text. */
  constructor(
    private readonly text: string,
    private readonly starts: Int32Array,
  ) {
    const n = starts.length - 1;
    // n strings joined by n - 1 NULs: the last ends one before `starts[n]` (no string at all: an empty text).
    if (n < 0 || starts[0] !== 0 || starts[n] !== (n ? text.length + 1 : 0) || (!n && text.length)) throw new RangeError('string table: bad starts');
    for (let i = 1; i <= n; i++) if (!(starts[i] > starts[i - 1])) throw new RangeError('string table: bad starts');
    this.made = new Array<string | undefined>(n);
  }

  get length(): number {
    return this.made.length;
  }

  at(index: number): string | undefined {
    if (!(index >= 0 && index < this.made.length) || index !== (index | 0)) return undefined;
    return (this.made[index] ??= this.text.slice(this.starts[index], this.starts[index + 1] - 1));
  }
}

/** The strings `StringTable.encode` wrote. */
export function decodeStringTable(text: string, json: boolean): string[] {
  return json ? (JSON.parse(text) as string[]) : text.split('\u0000');
}
