#!/usr/bin/env node
/**
 * The `provenance` command (dist/cli.js), and the script of the CLI's worker
 * threads: runs the CLI's bundle (dist/cli-main.js, built from cli/main.ts)
 * compiled from V8's code cache when one is kept for this build
 * (node/code-cache.ts), which saves each thread ~35 ms of a run.
 *
 * The main thread decides where the cache is (or that there is none, with
 * `--no-cache`) and tells its workers through PROVENANCE_CODE_CACHE, which
 * each worker's environment copies; "off" means none.
 */
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');
import vm = require('node:vm');
import Module from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { chooseCodeCacheDir } from '../node/cache-dir';
import { codeCacheFile, markCodeCacheUsed, offerCompiledCodeSave, readCodeCache, saveCompiledCode, writeCodeCache } from '../node/code-cache';
import { leavePrestarted, prestartWorkerOf, wantsEarlyWorker } from './prestart';
import { fingerprintOf, leaveFingerprint } from '../node/build-id';

if (isMainThread) {
  const dir = chooseCodeCacheDir(process.argv.slice(2), { cwd: process.cwd(), env: process.env, platform: process.platform, homedir: os.homedir() });
  process.env.PROVENANCE_CODE_CACHE = dir ?? 'off';
  // The first check worker boots while this thread reads and loads the bundle (prestart.ts); after the line above,
  // which its environment copies, and before anything else: its boot is the longest stretch of a small warm run's path.
  if (wantsEarlyWorker(process.argv.slice(2))) leavePrestarted(prestartWorkerOf(__filename));
}

const bundle = path.join(__dirname, 'cli-main.js');
const descriptor = fs.openSync(bundle, 'r');
const stats = fs.fstatSync(descriptor);
const bytes = fs.readFileSync(descriptor);
fs.closeSync(descriptor);
const dir = process.env.PROVENANCE_CODE_CACHE;
const file = dir && dir !== 'off' ? codeCacheFile(dir, isMainThread ? 'main' : 'worker', stats) : undefined;
const cached = file ? readCodeCache(file) : undefined;
const cachedData = cached?.code;

// The bundle runs as a CommonJS module of its own, as if node had loaded it (its #! line kept as a comment, so lines stay in place).
const source = bytes.toString('utf8').replace(/^#!/, '//');
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
if (file && (!cachedData || script.cachedDataRejected)) {
  offerCompiledCodeSave(() => writeCodeCache(file, script.createCachedData(), fingerprintOf([[bundle, bytes]])));
  if (isMainThread) process.once('exit', saveCompiledCode);
} else if (file) {
  markCodeCacheUsed(file);
  // Kept with the code under the same key (the bundle's stat): the bundle's fingerprint without hashing it again.
  if (cached) leaveFingerprint(bundle, cached.fingerprint);
}
const bundleModule = new Module(bundle, module);
bundleModule.filename = bundle;
bundleModule.loaded = true;
(script.runInThisContext() as (...args: unknown[]) => void).call(bundleModule.exports, bundleModule.exports, Module.createRequire(bundle), bundleModule, bundle, __dirname);
