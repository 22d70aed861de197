/**
 * Which build of Provenance is running, as a hash of its code: what a cache
 * of the engine's output (findings, quotation verdicts) must be keyed by,
 * since a new build may answer differently.
 */
import fs = require('node:fs');
import path = require('node:path');
import { createHash } from 'node:crypto';

let code: string | undefined;

/** The fingerprint the CLI's launcher kept with the bundle's compiled code, for that bundle (`leaveFingerprint`). */
const HANDOFF = Symbol.for('provenance.bundleFingerprint');
type Handoff = { [HANDOFF]?: { file: string; fingerprint: string } };

/**
 * A hash of Provenance's code: a new build may report differently. Bundled
 * (dist/cli-main.js, dist/server.js), the code is the one running file;
 * compiled by tsc (the tests), it is every module of the server.
 */
export function codeFingerprint(): string {
  if (code) return code;
  const files = path.basename(__filename) === 'build-id.js' ? modulesUnder(path.resolve(__dirname, '..')) : [__filename];
  const handed = (globalThis as Handoff)[HANDOFF];
  if (files.length === 1 && handed?.file === files[0]) return (code = handed.fingerprint);
  return (code = fingerprintOf(files.map((file) => [file, fs.readFileSync(file)])));
}

/** `codeFingerprint` of these files and their bytes. */
export function fingerprintOf(files: ReadonlyArray<readonly [string, Uint8Array]>): string {
  const hash = createHash('sha256');
  for (const [file, bytes] of files) hash.update(`${file}\0`).update(bytes);
  return hash.digest('hex');
}

/**
 * Called by the CLI's launcher, which keeps the bundle's fingerprint with its
 * compiled code (node/code-cache.ts, keyed by the bundle's stat as that code
 * is): the bundle's `codeFingerprint` is then this, instead of reading and
 * hashing the 1.5 MB file again (~5-10 ms of every run's main thread).
 */
export function leaveFingerprint(file: string, fingerprint: string): void {
  (globalThis as Handoff)[HANDOFF] = { file, fingerprint };
}

function modulesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...modulesUnder(file));
    else if (entry.name.endsWith('.js')) found.push(file);
  }
  return found;
}
