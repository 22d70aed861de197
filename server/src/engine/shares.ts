/**
 * Work over a piece split into warm-up steps (Engine.prepare), a share of it
 * each, so a request waits for at most one share.
 */

/** Items `[from, to)` of the share a step does, out of `count` items. */
export type Share = (count: number) => [from: number, to: number];

/**
 * One step per `charsPerStep` characters of the piece (at least one), so the
 * count is known before the piece is parsed; each step calls `doShare` with
 * its share of whatever it counts when it runs.
 */
export function shareSteps(textLength: number, charsPerStep: number, doShare: (share: Share) => void): Array<() => void> {
  const parts = Math.max(1, Math.ceil(textLength / charsPerStep));
  return Array.from({ length: parts }, (_, part) => () => doShare((count) => [Math.floor((part * count) / parts), Math.floor(((part + 1) * count) / parts)]));
}
