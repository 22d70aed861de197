/**
 * V8's code cache for the CLI's bundle. Compiling the ~1.4 MB bundle costs
 * each thread of a run ~50 ms (the main thread, then the worker that checks);
 * from V8's cache of a previous run, ~13 ms. The launcher (cli/launch.ts)
 * compiles the bundle with the bytes it finds here; when there were none, or
 * V8 refused them (another Node, other flags), it leaves this thread a way to
 * write them once it has run, so the functions compiled on the way are in
 * them too: the main thread writes at exit, a check worker when its last
 * piece is done (`saveCompiledCode`).
 *
 * Each file also keeps the bundle's fingerprint (node/build-id.ts), the
 * build id every cache of the engine's output is stamped with: a run that
 * finds its compiled code takes the id from the same file, under the same
 * key, instead of reading and hashing the bundle.
 *
 * Compiled code is code: it is read only from the user's own cache folder (or
 * one the user named), never from beside the workspace or a shared temporary
 * folder, and each file carries a hash of its bytes, checked before V8 sees
 * them: Node 20's V8 checks a cache's header (version, flags, source length)
 * but not its payload (`--verify-snapshot-checksum` is off by default).
 */
import fs = require('node:fs');
import path = require('node:path');
import { createHash } from 'node:crypto';
import { pruneStaleCaches } from './cache-dir';
import { writeCacheFile } from './index-cache-file';

const SAVE = Symbol.for('provenance.saveCompiledCode');
const DIGEST_BYTES = 32;

/**
 * The file for this role (main thread or worker) and this bundle file: keyed
 * by the bundle's size, times, inode and device, as git's index knows a file
 * unchanged (hashing the 1.4 MB took ~4 ms a thread). Installing or editing
 * the bundle makes a new file and inode or a new ctime, so a new build never
 * reads an old build's code; V8 also refuses code made from a source of
 * another length.
 */
export function codeCacheFile(dir: string, role: 'main' | 'worker', bundle: fs.Stats): string {
  // `2:` the layout with the bundle's fingerprint: files of the layout before have other names.
  const build = createHash('sha256').update(`2:${bundle.size}:${bundle.mtimeMs}:${bundle.ctimeMs}:${bundle.ino}:${bundle.dev}`).digest('hex').slice(0, 16);
  return path.join(dir, `provenance-code-${role}-${build}.bin`);
}

/** What a code cache file holds: V8's compiled code of the bundle, and the bundle's `codeFingerprint`. */
export interface CachedCode {
  code: Buffer;
  fingerprint: string;
}

/**
 * The cached code in `file`, or undefined when there is none or its bytes are
 * not what was written. Layout: a SHA-256 of the rest, the bundle's
 * fingerprint (32 bytes), the code.
 */
export function readCodeCache(file: string): CachedCode | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  if (bytes.length <= 2 * DIGEST_BYTES) return undefined;
  const rest = bytes.subarray(DIGEST_BYTES);
  if (!createHash('sha256').update(rest).digest().equals(bytes.subarray(0, DIGEST_BYTES))) return undefined;
  return { code: rest.subarray(DIGEST_BYTES), fingerprint: rest.subarray(0, DIGEST_BYTES).toString('hex') };
}

/**
 * Writes the code atomically (node/index-cache-file.ts `writeCacheFile`).
 * Other builds' files stay: two workspaces may use two versions of Provenance
 * from one cache folder. Those no run has used for `STALE_CACHE_MS` are
 * removed (`markCodeCacheUsed` keeps a file in use young). Best effort.
 */
export function writeCodeCache(file: string, code: Uint8Array, fingerprint: string, now = Date.now()): void {
  const rest = Buffer.concat([Buffer.from(fingerprint, 'hex'), code]);
  if (rest.length !== DIGEST_BYTES + code.length) throw new RangeError('a code fingerprint is a SHA-256 in hex');
  if (writeCacheFile(file, Buffer.concat([createHash('sha256').update(rest).digest(), rest]), 'compiled code') !== undefined) return;
  pruneStaleCaches(path.dirname(file), [file], now, CODE_FILE);
}

/** Marks a file V8 took as used (its modification time), at most once a day, so pruning spares it. */
export function markCodeCacheUsed(file: string, now = Date.now()): void {
  try {
    if (now - fs.statSync(file).mtimeMs > DAY_MS) fs.utimesSync(file, now / 1000, now / 1000);
  } catch {
    // Gone or read-only: it is only a cache.
  }
}

const CODE_FILE = /^provenance-code-(?:main|worker)-[0-9a-f]{16}\.bin$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Called by the launcher: how this thread's compiled code may be saved once it has run. */
export function offerCompiledCodeSave(save: () => void): void {
  (globalThis as Record<symbol, unknown>)[SAVE] = save;
}

/** Saves this thread's compiled code if the launcher asked for it (first run of a build); otherwise nothing. */
export function saveCompiledCode(): void {
  const save = (globalThis as Record<symbol, unknown>)[SAVE];
  if (typeof save !== 'function') return;
  delete (globalThis as Record<symbol, unknown>)[SAVE];
  save();
}
