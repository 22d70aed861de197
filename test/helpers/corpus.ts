/**
 * The shared corpus (`../shared/corpus` beside the repository) for tests that
 * measure the engine on real articles. Tests skip, visibly, when it is absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

/** The folder holding package.json above `from` (compiled tests run from out/test/...). */
export function repositoryRoot(from: string = __dirname): string | undefined {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Where the shared corpus should be. */
export function expectedCorpusDir(): string {
  const root = repositoryRoot() ?? process.cwd();
  return path.resolve(root, '..', 'shared', 'corpus');
}

/**
 * The corpus folder `parts` (e.g. `'bbc-summary'`), or undefined after marking
 * the test skipped with a message that says where it looked.
 */
export function corpusDir(t: TestContext, ...parts: string[]): string | undefined {
  const dir = path.join(expectedCorpusDir(), ...parts);
  if (!fs.existsSync(dir)) {
    t.skip(`../shared/corpus not found: ${dir}`);
    return undefined;
  }
  return dir;
}

/** Sorted names of the entries of a folder. */
export function list(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

export function readText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

/**
 * Every bbc-news article as `{ path: 'category/name.txt', text }`, sorted by
 * path; undefined after marking the test skipped when the corpus is absent.
 */
export function bbcNewsArticles(t: TestContext): { path: string; text: string }[] | undefined {
  const dir = corpusDir(t, 'bbc-news', 'news');
  if (!dir) return undefined;
  const articles: { path: string; text: string }[] = [];
  for (const category of list(dir)) {
    if (!fs.statSync(path.join(dir, category)).isDirectory()) continue;
    for (const file of list(path.join(dir, category))) {
      if (file.endsWith('.txt')) articles.push({ path: `${category}/${file}`, text: readText(path.join(dir, category, file)) });
    }
  }
  return articles;
}
