/**
 * The CLI's default index cache (node/cache-dir.ts): where it goes without
 * `--cache`, that `--no-cache` and `PROVENANCE_CACHE_DIR` are obeyed, that a
 * warm default cache gives the same answer and follows a changed source, and
 * that the shared user folder drops files nobody used for a month.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from '../helpers/cli';
import { tempWorkspace } from '../helpers/repo';
import { chooseCacheDir, pruneStaleCaches, STALE_CACHE_MS } from '../../server/src/node/cache-dir';

const FILES = {
  'sources/quay.txt': 'The harbour master said the quay would reopen in May after the storm repairs.\n',
  'piece.md': 'The harbour master said "the quay would reopen in June" [@quay].\n',
};

function cacheFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.startsWith('provenance-index-')) : [];
}

test('cache-dir: without --cache the index goes to the user cache folder, and a warm run follows a changed source', async () => {
  const root = tempWorkspace(FILES);
  const home = tempWorkspace({});
  const env = { XDG_CACHE_HOME: home };
  const userDir = path.join(home, 'provenance');
  const fresh = await cli(['check', 'piece.md', '--format', 'json', '--no-cache'], root, env);
  assert.deepEqual(cacheFiles(userDir), [], '--no-cache writes nothing');
  const cold = await cli(['check', 'piece.md', '--format', 'json'], root, env);
  assert.equal(cold.stdout, fresh.stdout);
  assert.equal(cold.stderr, '');
  assert.equal(cacheFiles(userDir).length, 1, 'the first run fills the default folder');
  const warm = await cli(['check', 'piece.md', '--format', 'json'], root, env);
  assert.equal(warm.stdout, fresh.stdout);
  assert.match(warm.stdout, /quote\/misquote/);
  // The source now says June: a stale cache would keep reporting the misquote.
  fs.writeFileSync(path.join(root, 'sources/quay.txt'), FILES['sources/quay.txt'].replace('May', 'June'));
  const changed = await cli(['check', 'piece.md', '--format', 'json'], root, env);
  assert.equal(changed.stdout, (await cli(['check', 'piece.md', '--format', 'json', '--no-cache'], root, env)).stdout);
  assert.doesNotMatch(changed.stdout, /quote\/misquote/);
});

test('cache-dir: PROVENANCE_CACHE_DIR wins over the defaults, --cache over it', async () => {
  const root = tempWorkspace(FILES);
  const home = tempWorkspace({});
  const fromEnvironment = path.join(home, 'env-cache');
  const fromOption = path.join(home, 'option-cache');
  await cli(['check', 'piece.md'], root, { XDG_CACHE_HOME: home, PROVENANCE_CACHE_DIR: fromEnvironment });
  assert.equal(cacheFiles(fromEnvironment).length, 1);
  assert.deepEqual(cacheFiles(path.join(home, 'provenance')), []);
  await cli(['check', 'piece.md', '--cache', fromOption], root, { XDG_CACHE_HOME: home, PROVENANCE_CACHE_DIR: fromEnvironment });
  assert.equal(cacheFiles(fromOption).length, 1);
});

test('cache-dir: a workspace with node_modules above it caches in node_modules/.cache/provenance', async () => {
  const project = tempWorkspace({ 'node_modules/.keep': '', ...Object.fromEntries(Object.entries(FILES).map(([name, text]) => [`docs/${name}`, text])) });
  const home = tempWorkspace({});
  await cli(['check', 'piece.md'], path.join(project, 'docs'), { XDG_CACHE_HOME: home });
  assert.equal(cacheFiles(path.join(project, 'node_modules', '.cache', 'provenance')).length, 1);
  assert.deepEqual(cacheFiles(path.join(home, 'provenance')), []);
});

test('cache-dir: the order of choices, and platform folders', () => {
  const base = { root: '/w/site', cwd: '/w', env: {}, platform: 'linux', homedir: '/home/ann' };
  assert.deepEqual(chooseCacheDir(false, { ...base, env: { PROVENANCE_CACHE_DIR: '/x' } }), { origin: 'off' });
  assert.deepEqual(chooseCacheDir('c', base), { dir: path.resolve('/w', 'c'), origin: 'option' });
  assert.equal(chooseCacheDir(undefined, { ...base, env: { XDG_CACHE_HOME: 'relative/not/allowed' } }).dir, path.join('/home/ann', '.cache', 'provenance'));
  assert.equal(chooseCacheDir(undefined, { ...base, platform: 'darwin' }).dir, path.join('/home/ann', 'Library', 'Caches', 'provenance'));
  assert.equal(chooseCacheDir(undefined, { ...base, platform: 'win32', env: { LOCALAPPDATA: '/appdata' } }).dir, path.join('/appdata', 'provenance'));
  assert.deepEqual(chooseCacheDir(undefined, { ...base, homedir: '' }), { origin: 'off' }, 'no home folder: no cache rather than one in the working folder');
});

test('cache-dir: pruning drops month-old index and results files of other workspaces, keeps and touches the current ones', () => {
  const names = ['provenance-index-aaaa.bin', 'provenance-index-bbbb.bin', 'provenance-index-cccc.bin', 'provenance-results-aaaa.bin', 'provenance-results-bbbb.bin', 'unrelated.bin'];
  // A piece's two checks files, and what a write that never finished left behind: month-old ones go too.
  const pieceFiles = ['provenance-checks-aaaa-1234.bin', 'provenance-checks-aaaa-1234-sources.bin', 'provenance-checks-aaaa-1234-sources.bin.4242.1.1700000000000.tmp'];
  names.push(...pieceFiles);
  const dir = tempWorkspace(Object.fromEntries(names.map((name) => [name, 'x'])));
  const old = (Date.now() - STALE_CACHE_MS - 60_000) / 1000;
  for (const name of names.filter((n) => !n.includes('cccc'))) fs.utimesSync(path.join(dir, name), old, old);
  const keep = [path.join(dir, 'provenance-index-bbbb.bin'), path.join(dir, 'provenance-results-bbbb.bin')];
  assert.equal(pruneStaleCaches(dir, keep), 2 + pieceFiles.length);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['provenance-index-bbbb.bin', 'provenance-index-cccc.bin', 'provenance-results-bbbb.bin', 'unrelated.bin']);
  for (const file of keep) assert.ok(Date.now() - fs.statSync(file).mtimeMs < 60_000, 'the files in use are marked used');
});
