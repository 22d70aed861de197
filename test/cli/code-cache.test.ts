/**
 * V8's code cache for the CLI's bundle (cli/launch.ts, node/code-cache.ts),
 * through the built `dist/cli.js`: the first run writes the compiled code of
 * the main thread and of the worker, the next runs use it without writing it
 * again and print the same report; a damaged file is refused and written
 * anew; `--no-cache` and PROVENANCE_CODE_CACHE=off keep none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DIST, tempWorkspace } from '../helpers/repo';
import { chooseCodeCacheDir, STALE_CACHE_MS } from '../../server/src/node/cache-dir';
import { codeCacheFile, markCodeCacheUsed, readCodeCache, writeCodeCache } from '../../server/src/node/code-cache';
import { fingerprintOf } from '../../server/src/node/build-id';

const FILES = {
  'sources/quay.txt': 'Quay reopens\n\nThe harbour master said the quay would reopen in May after the storm repairs.\n',
  'piece.md': 'The harbour master said "the quay would reopen in June" [@quay]. Repairs cost 40,000 pounds.\n',
};

function run(root: string, env: Record<string, string>, ...extra: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'PROVENANCE_CACHE_DIR' && name !== 'PROVENANCE_CODE_CACHE'));
  const result = spawnSync(process.execPath, [path.join(DIST, 'cli.js'), 'check', 'piece.md', '--format', 'json', '--no-results-cache', ...extra], { cwd: root, env: { ...clean, ...env }, encoding: 'utf8' });
  assert.ok(result.status === 0 || result.status === 1, result.stderr);
  assert.match(result.stdout, /"code": ?"quote\/misquote"/, 'a real report');
  return result.stdout;
}

function codeFiles(dir: string): Record<string, fs.Stats> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir).filter((name) => name.startsWith('provenance-code-')).map((name) => [name, fs.statSync(path.join(dir, name))]));
}

test('code cache: the first run writes the main thread\'s and the worker\'s compiled code; later runs use it and report the same', () => {
  const root = tempWorkspace(FILES);
  const home = tempWorkspace({});
  const env = { XDG_CACHE_HOME: home };
  const dir = path.join(home, 'provenance');
  const first = run(root, env, '--cache', path.join(root, '.index'));
  const written = codeFiles(dir);
  assert.deepEqual(Object.keys(written).map((name) => name.replace(/-[0-9a-f]{16}\.bin$/, '')).sort(), ['provenance-code-main', 'provenance-code-worker']);
  // Each file holds the bundle's fingerprint, which the bundle then uses as its build id instead of hashing itself.
  const bundle = path.join(DIST, 'cli-main.js');
  const fingerprint = fingerprintOf([[bundle, fs.readFileSync(bundle)]]);
  for (const name of Object.keys(written)) assert.equal(readCodeCache(path.join(dir, name))?.fingerprint, fingerprint, `${name} holds what was written`);

  assert.equal(run(root, env, '--cache', path.join(root, '.index')), first);
  const again = codeFiles(dir);
  assert.deepEqual(Object.keys(again), Object.keys(written));
  for (const [name, stats] of Object.entries(again)) assert.equal(stats.mtimeMs, written[name].mtimeMs, `${name}: V8 took it, so it was not written again`);

  // A damaged file is never handed to V8: the run reports the same and writes the file anew.
  const main = path.join(dir, Object.keys(written).find((name) => name.startsWith('provenance-code-main-'))!);
  const damaged = fs.readFileSync(main);
  damaged.fill(0x5a, damaged.length >> 1, (damaged.length >> 1) + 64);
  fs.writeFileSync(main, damaged);
  assert.equal(readCodeCache(main), undefined);
  assert.equal(run(root, env, '--cache', path.join(root, '.index')), first);
  assert.ok(readCodeCache(main), 'written again, whole');
});

test('code cache: a run whose build id comes with the compiled code reuses what a run that hashed the bundle recorded', () => {
  const root = tempWorkspace(FILES);
  const home = tempWorkspace({});
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'PROVENANCE_CACHE_DIR' && name !== 'PROVENANCE_CODE_CACHE'));
  const timed = () => spawnSync(process.execPath, [path.join(DIST, 'cli.js'), 'check', 'piece.md', '--timing', '--cache', path.join(root, '.index')], { cwd: root, env: { ...clean, XDG_CACHE_HOME: home }, encoding: 'utf8' });
  // The first run has no compiled code: it hashes the bundle for its build id, and records the piece's findings under it.
  const first = timed();
  assert.match(first.stderr, /1 piece checked, 0 from the results cache/, first.stderr);
  assert.equal(Object.keys(codeFiles(path.join(home, 'provenance'))).length, 2);
  // The second takes its build id from the compiled code's file: the same id, or the findings would be checked again.
  const second = timed();
  assert.match(second.stderr, /0 pieces checked, 1 from the results cache/, second.stderr);
  assert.equal(second.stdout, first.stdout);
});

test('code cache: --no-cache and PROVENANCE_CODE_CACHE=off keep none; PROVENANCE_CODE_CACHE names the folder', () => {
  const root = tempWorkspace(FILES);
  const home = tempWorkspace({});
  const expected = run(root, { XDG_CACHE_HOME: home }, '--no-cache');
  assert.deepEqual(codeFiles(path.join(home, 'provenance')), {});
  assert.equal(run(root, { XDG_CACHE_HOME: home, PROVENANCE_CODE_CACHE: 'off' }, '--cache', path.join(root, '.index')), expected);
  assert.deepEqual(codeFiles(path.join(home, 'provenance')), {});
  const named = path.join(root, 'compiled');
  assert.equal(run(root, { XDG_CACHE_HOME: home, PROVENANCE_CODE_CACHE: named }, '--cache', path.join(root, '.index')), expected);
  assert.equal(Object.keys(codeFiles(named)).length, 2);
  assert.deepEqual(codeFiles(path.join(home, 'provenance')), {});
});

test('code cache: where it goes, in order', () => {
  const context = { cwd: '/work', env: {}, platform: 'linux', homedir: '/home/ana' };
  assert.equal(chooseCodeCacheDir(['check'], context), path.join('/home/ana', '.cache', 'provenance'));
  assert.equal(chooseCodeCacheDir(['check', '--no-cache'], { ...context, env: { PROVENANCE_CODE_CACHE: '/c' } }), undefined);
  assert.equal(chooseCodeCacheDir(['check'], { ...context, env: { PROVENANCE_CODE_CACHE: 'off', PROVENANCE_CACHE_DIR: '/p' } }), undefined);
  assert.equal(chooseCodeCacheDir(['check'], { ...context, env: { PROVENANCE_CODE_CACHE: 'compiled', PROVENANCE_CACHE_DIR: '/p' } }), path.resolve('/work', 'compiled'));
  assert.equal(chooseCodeCacheDir(['check'], { ...context, env: { PROVENANCE_CACHE_DIR: '/p', XDG_CACHE_HOME: '/x' } }), '/p');
  assert.equal(chooseCodeCacheDir(['check'], { ...context, env: { XDG_CACHE_HOME: '/x' } }), path.join('/x', 'provenance'));
  // --cache DIR is beside the workspace as often as not: compiled code never goes there.
  assert.equal(chooseCodeCacheDir(['check', '--cache', 'here'], context), path.join('/home/ana', '.cache', 'provenance'));
  assert.equal(chooseCodeCacheDir(['check'], { ...context, homedir: '' }), undefined);
});

test('code cache: a file holds its bytes with their hash; other builds\' files stay until no run has used them for 30 days', () => {
  const dir = tempWorkspace({});
  const bundle = path.join(dir, 'bundle.js');
  fs.writeFileSync(bundle, 'one build');
  const oldMain = codeCacheFile(dir, 'main', fs.statSync(bundle));
  const oldWorker = codeCacheFile(dir, 'worker', fs.statSync(bundle));
  const fingerprint = fingerprintOf([[bundle, fs.readFileSync(bundle)]]);
  writeCodeCache(oldMain, new Uint8Array([1, 2, 3]), fingerprint);
  writeCodeCache(oldWorker, new Uint8Array([4, 5, 6]), fingerprint);
  assert.deepEqual(readCodeCache(oldMain) && { code: [...readCodeCache(oldMain)!.code], fingerprint: readCodeCache(oldMain)!.fingerprint }, { code: [1, 2, 3], fingerprint });
  assert.throws(() => writeCodeCache(oldMain, new Uint8Array([1]), 'not hex'), /SHA-256/);

  fs.writeFileSync(bundle, 'another build');
  const newMain = codeCacheFile(dir, 'main', fs.statSync(bundle));
  assert.notEqual(newMain, oldMain, 'the bundle changed: another file');
  writeCodeCache(newMain, new Uint8Array([7, 8]), fingerprint);
  assert.ok(fs.existsSync(oldMain), 'another workspace may still run the old build');

  const now = Date.now();
  const monthAgo = (now - STALE_CACHE_MS - 60_000) / 1000;
  fs.utimesSync(oldMain, monthAgo, monthAgo);
  fs.utimesSync(oldWorker, monthAgo, monthAgo);
  markCodeCacheUsed(oldWorker, now);
  writeCodeCache(newMain, new Uint8Array([7, 8]), fingerprint, now);
  assert.equal(fs.existsSync(oldMain), false, 'unused for a month: removed');
  assert.ok(fs.existsSync(oldWorker), 'used today: kept');
  assert.deepEqual(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp')), []);

  fs.writeFileSync(newMain, fs.readFileSync(newMain).subarray(0, 65));
  assert.equal(readCodeCache(newMain), undefined, 'cut short');
});
