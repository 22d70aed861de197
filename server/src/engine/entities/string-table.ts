/**
 * The strings of an entities cache section, each stored once: the section's
 * numbers refer to them by index (-1 for none). The per-source facts write
 * them as one string joined by NUL, or as JSON when a string holds a NUL
 * itself; the merged knowledge as UTF-8 bytes with where each string starts
 * (`encodeBytes`), read one string at a time (`StoredStrings`).
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

  /**
   * The strings as UTF-8, one after another, and where each starts (one
   * entry more: where the last ends). Any string may be stored, NULs too.
   */
  encodeBytes(): { bytes: Uint8Array; starts: Int32Array } {
    const starts = new Int32Array(this.strings.length + 1);
    let at = 0;
    this.strings.forEach((s, i) => {
      starts[i] = at;
      at += utf8Length(s);
    });
    starts[this.strings.length] = at;
    const bytes = encoder.encode(this.strings.join(''));
    if (bytes.length === at) return { bytes, starts };
    // Strings that end and begin with halves of a surrogate pair encode as one character when joined: each on its own.
    const own = new Uint8Array(at);
    this.strings.forEach((s, i) => encoder.encodeInto(s, own.subarray(starts[i], starts[i + 1])));
    return { bytes: own, starts };
  }
}

/** The strings `StringTable.encode` wrote. */
export function decodeStringTable(text: string, json: boolean): string[] {
  return json ? (JSON.parse(text) as string[]) : text.split('\u0000');
}

/**
 * The strings `StringTable.encodeBytes` wrote, each decoded the first time
 * it is asked for: a restored knowledge holds ~100,000, and a check reads
 * the few of the entities its piece names (decoding and splitting them all
 * was a third of a warm restore).
 */
export class StoredStrings {
  private readonly made: Array<string | undefined>;

  /** Throws on `starts` that do not cut `bytes` into strings: damaged bytes are refused here, never in a later lookup. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly starts: Int32Array,
  ) {
    const count = starts.length - 1;
    if (count < 0 || starts[0] !== 0 || starts[count] !== bytes.length) throw new RangeError('entities cache: bad string table');
    for (let i = 0; i < count; i++) if (starts[i + 1] < starts[i]) throw new RangeError('entities cache: bad string table');
    this.made = new Array<string | undefined>(count);
  }

  get count(): number {
    return this.made.length;
  }

  /** The string at `index`; undefined when there is none (outside the table). */
  at(index: number): string | undefined {
    if (!(index >= 0 && index < this.made.length)) return undefined;
    return (this.made[index] ??= decoder.decode(this.bytes.subarray(this.starts[index], this.starts[index + 1])));
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How many bytes `TextEncoder` writes for `text` (a lone surrogate becomes U+FFFD, three bytes). */
function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) length += 1;
    else if (unit < 0x800) length += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}
