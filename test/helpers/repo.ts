/** Locations tests need: the repository root and the shared corpus beside it. */
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'server'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('repository root not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRoot();
export const SHARED_CORPUS = path.resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const DIST = path.join(REPO_ROOT, 'dist');

/**
 * The CLI caches its index by default (node/cache-dir.ts). Runs made by tests —
 * in process, or spawned and inheriting this environment — use one temporary
 * folder per test process instead of the user's cache folder.
 */
process.env.PROVENANCE_CACHE_DIR ??= fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'provenance-test-cache-'));

/** A fresh temporary folder with the given files (path → content). */
export function tempWorkspace(files: Record<string, string | Uint8Array>): string {
  const root = fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'provenance-test-'));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}
