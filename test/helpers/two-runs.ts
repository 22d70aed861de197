/**
 * Two CLI runs over one piece, as the engine sees them: the first checks a
 * text and exports a section of its kept answers with its parse; the second,
 * a fresh engine of the same build, imports them, starts from that parse and
 * checks the next text. `between` runs before the second check (to make the
 * process ask about another text, as a fresh worker would not have).
 */
import assert from 'node:assert/strict';
import { createEngine } from '../../server/src/engine/index';
import { decodeCache } from '../../server/src/engine/index-cache';
import type { Finding } from '../../server/src/engine/types';

const doc = (text: string) => ({ uri: 'file:///ws/piece.md', path: 'piece.md', text });

export interface TwoRuns {
  /** The first run's findings. */
  first: Finding[];
  /** The second run's findings, and a fresh engine's for the same text. */
  second: Finding[];
  fresh: Finding[];
  /** How far `work` moved during the second check. */
  work: number;
}

export function twoRuns(text: string, next: string, section: string, options: { between?: () => void; work: () => number }): TwoRuns {
  const firstEngine = createEngine({ buildId: 'build' });
  firstEngine.beginAnswerScope();
  const first = firstEngine.check(doc(text));
  const cache = firstEngine.exportIndexCache(false, [section])!;
  assert.ok(decodeCache(cache)?.get(section)?.length, `${section} is exported`);
  const state = firstEngine.parseState(doc(text))!;

  options.between?.();
  const secondEngine = createEngine({ buildId: 'build' });
  secondEngine.beginAnswerScope();
  secondEngine.importIndexCache(cache);
  secondEngine.adoptEarlierParse(doc(next), state);
  const before = options.work();
  const second = secondEngine.check(doc(next));
  const work = options.work() - before;
  return { first, second, fresh: createEngine().check(doc(next)), work };
}
