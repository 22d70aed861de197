/**
 * Random edits as a writer makes them, for tests that compare an engine
 * which carried work over from earlier versions with one that starts afresh.
 */

/** A linear congruential generator of integers below `n`: the same seed gives the same edits on every run. */
export function randomBelow(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

/**
 * One random edit of `text`: a few characters deleted, a line moved elsewhere
 * (blocks split, join and move) or one of `snippets` typed in; now and then
 * the text goes back to `start`.
 */
export function randomEdit(text: string, start: string, snippets: readonly string[], next: (n: number) => number): string {
  const at = next(text.length + 1);
  const kind = next(4);
  if (next(12) === 0) return start;
  if (kind === 0) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + next(15)));
  if (kind === 1) return moveLine(text, at, next);
  return text.slice(0, at) + snippets[next(snippets.length)] + text.slice(at);
}

/** The line holding `at` moved to a random place: blocks split, join and move. */
export function moveLine(text: string, at: number, next: (n: number) => number): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd + 1);
  const rest = text.slice(0, lineStart) + text.slice(lineStart + line.length);
  const to = next(rest.length + 1);
  return rest.slice(0, to) + line + rest.slice(to);
}
