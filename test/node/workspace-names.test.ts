/**
 * The fast paths a workspace load takes for every source: `fileNamer` must
 * give exactly the uri and relative path of `toUri` / `relativePath`, and
 * `listFiles` exactly `path.join(root, relative path)`, whatever the names
 * and however the root is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { fileNamer, globTest, listFiles, relativePath, toUri } from '../../server/src/node/workspace';
import { tempWorkspace } from '../helpers/repo';

const NAMES = [
  'sources/plain.txt',
  'sources/with space.txt',
  'sources/été.md',
  'sources/hash#tag.txt',
  'sources/per%20cent.txt',
  'sources/question?.txt',
  'sources/a..b.txt',
  'sources/trailing.',
  'sources/deep/er/still-plain_1.md',
  "sources/quote'd (1).txt",
];

test('workspace names: fileNamer gives what toUri and relativePath give, for plain and unusual names', () => {
  const root = tempWorkspace(Object.fromEntries(NAMES.map((name) => [name, 'text\n'])));
  const files = NAMES.map((name) => path.join(root, name));
  const unusual = [path.join(root, '..', 'outside.txt'), `${root}${path.sep}.${path.sep}dot.txt`, `${root}${path.sep}${path.sep}double.txt`, `${root}x${path.sep}sibling.txt`];
  for (const written of [root, root + path.sep, path.join(root, 'sources', '..')]) {
    const names = fileNamer(written);
    for (const file of [...files, ...unusual]) assert.deepEqual(names(file), { uri: toUri(file), path: relativePath(written, file) }, `${written} ${file}`);
  }
  const top = fileNamer(path.parse(root).root);
  for (const file of files) assert.deepEqual(top(file), { uri: toUri(file), path: relativePath(path.parse(root).root, file) });
});

test('workspace names: listFiles gives each file as path.join of the root and its relative path, however the root is written', () => {
  const root = tempWorkspace(Object.fromEntries(NAMES.map((name) => [name, 'text\n'])));
  const expected = NAMES.map((name) => path.join(root, name)).sort();
  assert.deepEqual(listFiles(root, ['sources/**/*']), expected);
  assert.deepEqual(listFiles(root + path.sep, ['sources/**/*']), expected);
  assert.deepEqual(listFiles(path.join(root, 'sources', '..'), ['sources/**/*']), expected);
  const relativeRoot = path.relative(process.cwd(), root) || '.';
  assert.deepEqual(
    listFiles(relativeRoot, ['sources/**/*']),
    NAMES.map((name) => path.join(relativeRoot, name)).sort(),
  );
  // A file given as the glob itself (no walk) is joined the same way.
  assert.deepEqual(listFiles(root, ['sources/plain.txt']), [path.join(root, 'sources/plain.txt')]);
  assert.ok(fs.existsSync(expected[0]));
});

test('workspace globs: globTest answers as picomatch does, for the globs a config writes and the paths a walk meets', () => {
  const globs = ['sources/**/*.{md,txt}', 'sources/*.txt', '**/*.md', 'pieces/**', 'notes/a?.md', 'docs/[ab]*.md', '*.md', 'sources/deep/er/**/*.md', 'sources/été.md', 'exact/path.txt', '.hidden/**', 'sources/**/.*'];
  const paths = [...NAMES, 'sources/.hidden.md', 'sources/.dir/x.md', '.hidden/a.md', 'pieces/a.md', 'pieces/x/y/z.txt', 'notes/ab.md', 'notes/abc.md', 'docs/a1.md', 'docs/c1.md', 'top.md', 'exact/path.txt', 'exact/path.txtx', 'sources/deep/er/x/y.md', 'sources', 'pieces', 'x/sources/a.txt', ''];
  for (const dot of [false, true]) {
    for (const glob of globs) {
      const ours = globTest([glob], { dot });
      const theirs = picomatch(glob, { dot });
      for (const file of paths) assert.equal(ours(file), file !== '' && theirs(file), `${glob} (dot ${dot}) on "${file}"`);
    }
    const ours = globTest(globs, { dot });
    const theirs = picomatch(globs, { dot });
    for (const file of paths) assert.equal(ours(file), file !== '' && theirs(file), `all globs (dot ${dot}) on "${file}"`);
  }
});
