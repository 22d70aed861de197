/**
 * Where the persisted index cache lives on disk, and reading/writing it
 * safely. One file per workspace root inside a cache folder (the extension's
 * storage folder, or the CLI's `--cache` folder); the bytes are the engine's
 * (engine/index-cache.ts), keyed inside by each source's content hash.
 */
import fs = require('node:fs');
import path = require('node:path');
import { createHash } from 'node:crypto';
import { isMainThread, threadId } from 'node:worker_threads';

/** Cache files above this size are not read (a corrupt or foreign file must not eat memory). */
const MAX_CACHE_BYTES = 1024 * 1024 * 1024;

/** The part of a cache file's name that says which workspace root it belongs to. */
export function workspaceCacheId(root: string): string {
  return createHash('sha1').update(path.resolve(root)).digest('hex').slice(0, 16);
}

export function indexCacheFile(cacheDir: string, root: string): string {
  return path.join(cacheDir, `provenance-index-${workspaceCacheId(root)}.bin`);
}

/**
 * The file of the products a check adds to (quotation verdicts), in the same
 * container layout: apart from the index, so that new verdicts never make a
 * run rewrite the 10+ MB of indexes it did not change. With `piece` (the CLI),
 * one file per piece and half of its rules (`ChecksHalf`): a run reads and
 * writes the answers of the pieces it checks, not the archive's; without (the
 * server, and the CLI's warm-up), one per workspace.
 */
export function checksCacheFile(cacheDir: string, root: string, piece?: string, half: ChecksHalf = 'style'): string {
  const id = workspaceCacheId(root);
  if (piece === undefined) return path.join(cacheDir, `provenance-checks-${id}.bin`);
  return path.join(cacheDir, `provenance-checks-${id}-${pieceCacheId(root, piece)}${half === 'sources' ? '-sources' : ''}.bin`);
}

/**
 * Which half of a piece's kept answers a file holds (cli/rule-groups.ts): the
 * style rules' answers with the piece's kept parse, or the answers of the
 * rules that read the sources. The thread that checks a half writes its file
 * whole, so no thread merges what another wrote.
 */
export type ChecksHalf = 'style' | 'sources';

/** The part of a per-piece cache file's name that says which piece of the workspace it belongs to. */
export function pieceCacheId(root: string, piece: string): string {
  return createHash('sha1').update(path.relative(path.resolve(root), path.resolve(piece))).digest('hex').slice(0, 16);
}

/** The names of the workspace's per-piece files (checks, and the results cache's findings), for pruning. */
export function pieceCacheFiles(root: string): RegExp {
  return new RegExp(`^provenance-(?:checks|results)-${workspaceCacheId(root)}-[0-9a-f]{16}(?:-sources)?\\.bin(?:\\.\\d+\\.\\d+\\.\\d+\\.(?:tmp|old))?$`);
}

/**
 * The cache's bytes, or undefined when there is none (or it cannot be read).
 * With `sections`, only those sections are read (the others are skipped on
 * disk, not read and dropped): a thread that needs one corpus product does
 * not page in the whole file. The result is then a container holding just
 * them, in file order; undefined when the file's layout is broken.
 */
export function readIndexCache(file: string, sections?: readonly string[]): Uint8Array | undefined {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const plan = planRead(fd, sections);
      if (!plan) return undefined;
      for (const part of plan.parts) if (fs.readSync(fd, part.into, 0, part.into.length, part.from) !== part.into.length) return undefined;
      return plan.out;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Bytes per read of `readIndexCacheInParallel`. */
const PARALLEL_READ_BYTES = 1024 * 1024;

/**
 * `readIndexCache` with the bytes read by several positioned reads at once
 * (libuv's thread pool), for a caller that can wait asynchronously. Copying
 * the cache out of the page cache into fresh memory is most of a warm start
 * (~4 ms per MiB on this VM, mostly page faults), and two threads do it in
 * about half the time: the 14 MiB quotation section in ~40 ms instead of ~70.
 */
export async function readIndexCacheInParallel(file: string, sections?: readonly string[], readBytes = PARALLEL_READ_BYTES): Promise<Uint8Array | undefined> {
  let fd: number | undefined;
  try {
    fd = await openForReading(file);
    const plan = planRead(fd, sections);
    if (!plan) return undefined;
    const reads: Promise<boolean>[] = [];
    for (const part of plan.parts) {
      for (let offset = 0; offset < part.into.length; offset += readBytes) {
        const into = part.into.subarray(offset, Math.min(offset + readBytes, part.into.length));
        reads.push(readAt(fd, into, part.from + offset).then((bytesRead) => bytesRead === into.length));
      }
    }
    // Every read settled before the descriptor is closed (a read still under way must not meet it closed, or reused).
    const settled = await Promise.allSettled(reads);
    return settled.every((read) => read.status === 'fulfilled' && read.value) ? plan.out : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.close(fd, () => undefined);
  }
}

// fs's callbacks, not fs.promises: loading fs.promises took ~4 ms of a CLI worker's start, ahead of its first read.
function openForReading(file: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(file, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
}

function readAt(fd: number, into: Uint8Array, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, into, 0, into.length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead))));
}

/** Where the result's bytes come from: `into` (a part of `out`) is filled from file offset `from`. */
interface ReadPlan {
  out: Uint8Array;
  parts: Array<{ into: Uint8Array; from: number }>;
}

/**
 * Lays out what to read: the whole file, or (with `sections`) a container of
 * just those sections, found by reading only the small headers between them.
 */
function planRead(fd: number, sections: readonly string[] | undefined): ReadPlan | undefined {
  const stat = fs.fstatSync(fd);
  if (!stat.isFile() || stat.size > MAX_CACHE_BYTES) return undefined;
  const size = stat.size;
  if (!sections) {
    const out = new Uint8Array(size);
    return { out, parts: [{ into: out, from: 0 }] };
  }
  const found = locateSections(fd, size, new Set(sections));
  if (!found) return undefined;
  // The same layout with only those sections, each read straight into its place.
  let total = 8;
  for (const section of found) total = align8(total + 8 + section.name.length) + section.length;
  const out = new Uint8Array(align8(total));
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTAINER_MAGIC, true);
  view.setUint32(4, found.length, true);
  const parts: ReadPlan['parts'] = [];
  let write = 8;
  for (const section of found) {
    view.setUint32(write, section.name.length, true);
    out.set(section.name, write + 4);
    view.setUint32(write + 4 + section.name.length, section.length, true);
    write = align8(write + 8 + section.name.length);
    parts.push({ into: out.subarray(write, write + section.length), from: section.at });
    write += section.length;
  }
  return { out, parts };
}

/** Layout of engine/index-cache.ts's container: 'PVC1', count, then per section u32 name length, name, u32 length, pad to 8, bytes. */
const CONTAINER_MAGIC = 0x31435650;

/** The names of the sections the cache file holds (reading only the small headers between them); undefined when there is no readable file. */
export function indexCacheSectionNames(file: string): string[] | undefined {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile() || stat.size > MAX_CACHE_BYTES) return undefined;
      return locateSections(fd, stat.size)?.map((section) => section.name.toString('utf8'));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Where each section (of `wanted`; every one when absent) lies in the file. */
function locateSections(fd: number, size: number, wanted?: ReadonlySet<string>): Array<{ name: Buffer; at: number; length: number }> | undefined {
  const head = Buffer.alloc(8);
  const readAt = (buffer: Uint8Array, position: number): boolean => position + buffer.length <= size && fs.readSync(fd, buffer, 0, buffer.length, position) === buffer.length;
  if (!readAt(head, 0) || head.readUInt32LE(0) !== CONTAINER_MAGIC) return undefined;
  const count = head.readUInt32LE(4);
  const found: { name: Buffer; at: number; length: number }[] = [];
  let at = 8;
  for (let i = 0; i < count; i++) {
    const word = Buffer.alloc(4);
    if (!readAt(word, at)) return undefined;
    const nameLength = word.readUInt32LE(0);
    if (nameLength > 1024) return undefined;
    const name = Buffer.alloc(nameLength);
    if (!readAt(name, at + 4) || !readAt(word, at + 4 + nameLength)) return undefined;
    const length = word.readUInt32LE(0);
    const dataAt = align8(at + 8 + nameLength);
    if (dataAt + length > size) return undefined;
    if (!wanted || wanted.has(name.toString('utf8'))) found.push({ name, at: dataAt, length });
    at = dataAt + length;
  }
  return found;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Writes the cache atomically (a temporary file renamed over the old one), so
 * a reader in another process or thread never sees half a file. Returns an
 * error message, or undefined on success.
 */
export function writeIndexCache(file: string, bytes: Uint8Array): string | undefined {
  return writeCacheFile(file, bytes, 'the index cache');
}

/**
 * What a cache file holds: bytes, a string (as UTF-8), or parts written one
 * after another (a large file is not joined into one buffer first: joining the
 * 2 MB bench piece's 17 MB of findings took the CLI's main thread ~0.1 s).
 */
export type CacheFileContent = Uint8Array | string | readonly Uint8Array[];

/** Writes a cache file atomically; returns an error message naming `what`, or undefined on success. */
export function writeCacheFile(file: string, bytes: CacheFileContent, what: string): string | undefined {
  const staged = stageCacheFile(file, bytes, what);
  return 'problem' in staged ? staged.problem : commitCacheFile(staged, what);
}

/** A cache file written under a name of its own, not yet in place. */
export interface StagedCacheFile {
  file: string;
  staged: string;
}

/**
 * Writes `bytes` beside `file` under a name of its own, for
 * `commitCacheFile` to put in place or `discardCacheFile` to remove: a CLI
 * worker writes a piece's kept answers while the main thread may yet decide
 * that nothing of the run is kept (a source changed under it).
 */
export function stageCacheFile(file: string, bytes: CacheFileContent, what: string): StagedCacheFile | { problem: string } {
  // Its own name per process and thread: two workers of one run may write the same file at once.
  const staged = `${file}.${process.pid}.${threadId}.${Date.now()}.tmp`;
  try {
    try {
      writeWhole(staged, bytes);
    } catch (err) {
      // The folder is made when a write first finds it missing, not looked for before every write.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeWhole(staged, bytes);
    }
    return { file, staged };
  } catch (err) {
    discardCacheFile({ file, staged });
    return { problem: `could not write ${what} ${file}: ${(err as Error).message}` };
  }
}

/** Creates `file` holding `content`, every part in order. */
function writeWhole(file: string, content: CacheFileContent): void {
  if (!Array.isArray(content)) return fs.writeFileSync(file, content as Uint8Array | string);
  const fd = fs.openSync(file, 'w');
  try {
    for (const part of content as readonly Uint8Array[]) {
      // A write may take fewer bytes than it was given: the rest follows.
      for (let at = 0; at < part.byteLength; ) at += fs.writeSync(fd, part, at, part.byteLength - at);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Puts a staged file in place (a rename, so a reader never sees half a file); returns an error message naming
 * `what`, or undefined on success. On the main thread the file it replaces is removed in the background: freeing
 * a large file's pages inside the rename held the CLI's main thread ~25 ms for each of the 2 MB piece's files
 * (17-20 MB), at the end of the run. A second name keeps the old file's pages until the rename is done.
 */
export function commitCacheFile({ file, staged }: StagedCacheFile, what: string): string | undefined {
  const aside = isMainThread ? `${file}.${process.pid}.${threadId}.${Date.now()}.old` : undefined;
  let kept = false;
  try {
    if (aside) fs.linkSync(file, aside);
    kept = aside !== undefined;
  } catch {
    // No file to replace (or no second names here): the rename frees nothing, or frees it itself.
  }
  try {
    fs.renameSync(staged, file);
  } catch (err) {
    discardCacheFile({ file, staged });
    if (kept) discardCacheFile({ file, staged: aside! });
    return `could not write ${what} ${file}: ${(err as Error).message}`;
  }
  // The process ends only once this is done (a pending request keeps Node's loop alive).
  if (kept) fs.unlink(aside!, () => undefined);
  return undefined;
}

export function discardCacheFile({ staged }: StagedCacheFile): void {
  try {
    fs.rmSync(staged, { force: true });
  } catch {
    // Best effort: a stray staged file costs space, never a wrong answer (its name is never read).
  }
}
