/** Searches in sorted arrays, shared by the engine's incremental paths. */

/** How many of the sorted `values` are at or below `value` (the index to insert it after its equals). */
export function upperBound(values: ArrayLike<number>, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (values[mid] <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** How many of `items`, sorted by `key`, have a key below `value` (the index of the first at or after it). */
export function lowerBoundBy<T>(items: readonly T[], value: number, key: (item: T) => number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (key(items[mid]) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
