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
}

/** The strings `StringTable.encode` wrote. */
export function decodeStringTable(text: string, json: boolean): string[] {
  return json ? (JSON.parse(text) as string[]) : text.split('\u0000');
}
