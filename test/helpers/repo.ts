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
 * Temporary folders made by this test process, removed when it exits (a
 * developer's /tmp filled up with thousands of them over many runs).
 * `PROVENANCE_KEEP_TEST_DIRS=1` keeps them, to look at after a failure.
 */
const madeFolders: string[] = [];
process.on('exit', () => {
  if (process.env.PROVENANCE_KEEP_TEST_DIRS === '1') return;
  for (const folder of madeFolders) fs.rmSync(folder, { recursive: true, force: true, maxRetries: 2 });
});

/** A fresh empty temporary folder named `<prefix>XXXXXX`, removed when the test process exits. */
export function tempFolder(prefix: string): string {
  const folder = fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), prefix));
  madeFolders.push(folder);
  return folder;
}

/**
 * The CLI caches its index by default (node/cache-dir.ts). Runs made by tests —
 * in process, or spawned and inheriting this environment — use one temporary
 * folder per test process instead of the user's cache folder.
 */
process.env.PROVENANCE_CACHE_DIR ??= tempFolder('provenance-test-cache-');

/** A fresh temporary folder with the given files (path → content). */
export function tempWorkspace(files: Record<string, string | Uint8Array>): string {
  const root = tempFolder('provenance-test-');
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}
