/**
 * Which build of Provenance is running, as a hash of its code: what a cache
 * of the engine's output (findings, quotation verdicts) must be keyed by,
 * since a new build may answer differently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

let code: string | undefined;

/**
 * A hash of Provenance's code: a new build may report differently. Bundled
 * (dist/cli-main.js, dist/server.js), the code is the one running file;
 * compiled by tsc (the tests), it is every module of the server.
 */
export function codeFingerprint(): string {
  if (code) return code;
  const files = path.basename(__filename) === 'build-id.js' ? modulesUnder(path.resolve(__dirname, '..')) : [__filename];
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${file}\0`).update(fs.readFileSync(file));
  return (code = hash.digest('hex'));
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
