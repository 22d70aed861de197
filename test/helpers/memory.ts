/**
 * For tests that check an engine does not keep old versions of a piece alive:
 * the live heap after full collections, and an engine holding the bundled
 * example's sources.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createEngine, type Engine } from '../../server/src/engine/index';
import { REPO_ROOT } from './repo';

v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

/** Bytes of live heap after two full collections. */
export function liveHeap(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

export const EXAMPLE = path.join(REPO_ROOT, 'examples', 'harbour-ferry');

/** A fresh engine with every source of the bundled example set. */
export function engineWithExampleSources(): Engine {
  const engine = createEngine();
  for (const name of fs.readdirSync(path.join(EXAMPLE, 'sources'))) {
    const file = path.join(EXAMPLE, 'sources', name);
    engine.setSource(`file://${file}`, `sources/${name}`, fs.readFileSync(file, 'utf8'));
  }
  return engine;
}
