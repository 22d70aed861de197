/** Line tables of project files, cached per URI, follow every change to the file's text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { createEngine } from '../../server/src/engine/index';
import { Project } from '../../server/src/lsp/projects';
import { toUri } from '../../server/src/node/workspace';
import { tempWorkspace } from '../helpers/repo';

test('project line tables: a repeated lookup reuses the table, an edited source gets a new one', () => {
  const root = tempWorkspace({
    '.provenance.yml': 'sources:\n  - sources/**/*.txt\ndocuments:\n  - "*.md"\n',
    'sources/wall.txt': 'Title\n\nOne line.\n',
  });
  const project = new Project(
    { createEngine, editorText: () => undefined, openFiles: () => [], log: () => undefined, encoding: () => 'utf-16' },
    root,
    path.join(root, '.provenance.yml'),
  );
  project.load();
  const file = path.join(root, 'sources', 'wall.txt');
  const uri = toUri(file);
  const first = project.mapOf(uri);
  assert.ok(first);
  assert.equal(project.mapOf(uri), first, 'the same table while nothing changed');
  assert.deepEqual(first.position('Title\n\nOne'.length), { line: 2, character: 3 });

  assert.equal(project.fileChanged(file, 'Title\n\nA new first line.\n\nOne line.\n'), true);
  const after = project.mapOf(uri);
  assert.notEqual(after, first);
  assert.equal(after?.text, 'Title\n\nA new first line.\n\nOne line.\n');
  assert.deepEqual(after?.position('Title\n\nA new first line.\n\nOne'.length), { line: 4, character: 3 });
  assert.equal(project.mapOf(toUri(path.join(root, 'sources', 'gone.txt'))), undefined);
});
