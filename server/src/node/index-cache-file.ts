/**
 * Where the persisted index cache lives on disk, and reading/writing it
 * safely. One file per workspace root inside a cache folder (the extension's
 * storage folder, or the CLI's `--cache` folder); the bytes are the engine's
 * (engine/index-cache.ts), keyed inside by each source's content hash.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

/** Cache files above this size are not read (a corrupt or foreign file must not eat memory). */
const MAX_CACHE_BYTES = 1024 * 1024 * 1024;

export function indexCacheFile(cacheDir: string, root: string): string {
  const id = createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 16);
  return path.join(cacheDir, `provenance-index-${id}.bin`);
}

/** The cache's bytes, or undefined when there is none (or it cannot be read). */
export function readIndexCache(file: string): Uint8Array | undefined {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.size > MAX_CACHE_BYTES) return undefined;
    const buffer = fs.readFileSync(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache atomically (a temporary file renamed over the old one), so
 * a reader in another process or thread never sees half a file. Returns an
 * error message, or undefined on success.
 */
export function writeIndexCache(file: string, bytes: Uint8Array): string | undefined {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, bytes);
    fs.renameSync(temporary, file);
    return undefined;
  } catch (err) {
    fs.rmSync(temporary, { force: true });
    return `could not write the index cache ${file}: ${(err as Error).message}`;
  }
}
