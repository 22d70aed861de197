/** A project's load takes the index cache its server read ahead (in parallel) instead of reading the file itself. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../server/src/engine/index';
import { Project } from '../../server/src/lsp/projects';
import { indexCacheFile } from '../../server/src/node/index-cache-file';
import { tempWorkspace } from '../helpers/repo';

function projectIn(root: string, cacheDir: string): Project {
  const host = { createEngine, editorText: () => undefined, openFiles: () => [], log: () => undefined, encoding: () => 'utf-16' as const, cacheDir };
  return new Project(host, root, path.join(root, '.provenance.yml'));
}

test('project load: the cache read ahead is what the load restores from; the file is not read again', async () => {
  const root = tempWorkspace({
    '.provenance.yml': 'sources:\n  - sources/**/*.txt\ndocuments:\n  - "*.md"\n',
    'sources/wall.txt': 'Council approves harbour wall\n\nThe engineer said the wall "will protect the old town for a hundred years".\n',
    'sources/fares.txt': 'Ferry fares to rise\n\nThe company said fares would rise by ten percent in spring.\n',
  });
  const cacheDir = path.join(root, '.cache');
  const cacheFile = indexCacheFile(cacheDir, root);
  const first = projectIn(root, cacheDir);
  first.load();
  assert.equal(fs.existsSync(cacheFile), false, 'the load writes nothing: the warm-up after it writes everything it built');
  first.persistIndexCache();
  assert.ok(fs.existsSync(cacheFile), 'a first warm-up writes the cache');

  // Read ahead, then the file goes: a load that restores everything from the bytes read ahead has nothing new to write.
  const ahead = projectIn(root, cacheDir);
  ahead.beginLoading();
  await ahead.readCacheAhead();
  fs.rmSync(cacheFile);
  ahead.finishLoading();
  ahead.persistIndexCache();
  assert.equal(fs.existsSync(cacheFile), false, 'restored from the bytes read ahead: the index did not change, so no cache was written');

  // The control: without the read-ahead the same load finds no file, builds the index and writes it.
  const control = projectIn(root, cacheDir);
  control.load();
  control.persistIndexCache();
  assert.ok(fs.existsSync(cacheFile));
});

test('project load: a load that began before the read-ahead finished reads the file itself and keeps no late bytes', async () => {
  const root = tempWorkspace({
    '.provenance.yml': 'sources:\n  - sources/**/*.txt\n',
    'sources/wall.txt': 'Council approves harbour wall\n\nThe wall was approved.\n',
  });
  const cacheDir = path.join(root, '.cache');
  const first = projectIn(root, cacheDir);
  first.load();
  first.persistIndexCache();
  const project = projectIn(root, cacheDir);
  project.beginLoading();
  const ahead = project.readCacheAhead();
  project.finishLoading();
  await ahead;
  assert.equal((project as unknown as { cacheAhead: unknown }).cacheAhead, 'taken', 'the late bytes are dropped, not held');
});
