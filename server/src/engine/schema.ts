/**
 * A small JSON Schema subset (type, enum, properties, additionalProperties,
 * items, minimum, maximum, required) used for rule options. The same objects
 * are written into the config's JSON Schema that VS Code uses for completion,
 * so options are described once.
 */

export interface JsonSchema {
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | Array<'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object'>;
  description?: string;
  enum?: readonly unknown[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: readonly string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  oneOf?: JsonSchema[];
  markdownDescription?: string;
}

export interface SchemaProblem {
  /** Path of keys from the validated value to the offending one. */
  path: (string | number)[];
  message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

/** Validates `value` against `schema`, collecting every problem with its path. */
export function validate(value: unknown, schema: JsonSchema, path: (string | number)[] = []): SchemaProblem[] {
  if (schema.oneOf) {
    const attempts = schema.oneOf.map((s) => validate(value, s, path));
    const ok = attempts.find((a) => a.length === 0);
    if (ok) return [];
    // Report the attempt whose type matched, else a summary.
    const typed = schema.oneOf.findIndex((s) => !s.type || [s.type].flat().some((t) => typeMatches(t, typeOf(value))));
    return typed >= 0 ? attempts[typed] : [{ path, message: `unexpected ${typeOf(value)}` }];
  }
  const actual = typeOf(value);
  if (schema.type) {
    const expected = [schema.type].flat();
    if (!expected.some((t) => typeMatches(t, actual))) {
      return [{ path, message: `expected ${expected.join(' or ')}, got ${actual === 'null' ? 'nothing' : actual}` }];
    }
  }
  if (schema.enum && !schema.enum.includes(value)) {
    return [{ path, message: `expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}` }];
  }
  const problems: SchemaProblem[] = [];
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push({ path, message: `must be at least ${schema.minimum}` });
    if (schema.maximum !== undefined && value > schema.maximum) problems.push({ path, message: `must be at most ${schema.maximum}` });
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => problems.push(...validate(item, schema.items!, [...path, i])));
  }
  if (actual === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!(key in record)) problems.push({ path, message: `missing required key "${key}"` });
    }
    for (const [key, item] of Object.entries(record)) {
      const sub = schema.properties?.[key];
      if (sub) problems.push(...validate(item, sub, [...path, key]));
      else if (schema.additionalProperties === false) {
        const known = Object.keys(schema.properties ?? {});
        problems.push({ path: [...path, key], message: `unknown key "${key}"${suggest(key, known)}` });
      } else if (typeof schema.additionalProperties === 'object') {
        problems.push(...validate(item, schema.additionalProperties, [...path, key]));
      }
    }
  }
  return problems;
}

/** ` (did you mean "x"?)` when a known name is close to `name`. */
export function suggest(name: string, known: readonly string[]): string {
  const best = closestName(name, known);
  return best !== undefined ? ` (did you mean "${best}"?)` : '';
}

/**
 * The known name within a small edit distance of `name`, if any. Candidates
 * whose length alone rules them out are skipped and each distance stops as
 * soon as it exceeds the best so far: thousands of source ids stay cheap.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  const folded = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    if (Math.abs(candidate.length - folded.length) >= bestDistance) continue;
    const d = boundedEditDistance(folded, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

/** Levenshtein distance, or `bound` as soon as it is certain to reach it. */
function boundedEditDistance(a: string, b: string, bound: number): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    let rowMin = row[0];
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
      if (row[j] < rowMin) rowMin = row[j];
    }
    if (rowMin >= bound) return bound;
  }
  return Math.min(row[b.length], bound);
}
