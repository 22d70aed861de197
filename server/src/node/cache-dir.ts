/**
 * Where the CLI keeps its index cache when not told: the source index of an
 * unchanged corpus is read back instead of rebuilt, which is most of a run's
 * cost. Entries are keyed by each source's content hash, so a cache can never
 * answer for a text it was not built from; losing it only costs time.
 *
 * Order: `--no-cache` (none), `--cache DIR`, `$PROVENANCE_CACHE_DIR`, the
 * nearest `node_modules/.cache/provenance` above the workspace (the folder
 * build tools already share, which `npm ci` wipes with the rest), else the
 * user's cache folder (`$XDG_CACHE_HOME`, `~/.cache`, `~/Library/Caches`,
 * `%LOCALAPPDATA%`).
 */
import fs = require('node:fs');
import path = require('node:path');

export interface CacheDirChoice {
  /** The folder, or undefined when caching is off. */
  dir?: string;
  /** Why this folder: shown in notices so a user knows where the bytes went. */
  origin: 'off' | 'option' | 'environment' | 'node_modules' | 'user';
}

export interface CacheDirContext {
  /** The workspace root (the config's folder). */
  root: string;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: string;
  homedir: string;
}

/** Cache files untouched for this long are removed from the user's cache folder, which many workspaces share. */
export const STALE_CACHE_MS = 30 * 24 * 60 * 60 * 1000;

export function chooseCacheDir(option: string | false | undefined, context: CacheDirContext): CacheDirChoice {
  if (option === false) return { origin: 'off' };
  if (option !== undefined) return { dir: path.resolve(context.cwd, option), origin: 'option' };
  const fromEnvironment = context.env.PROVENANCE_CACHE_DIR;
  if (fromEnvironment) return { dir: path.resolve(context.cwd, fromEnvironment), origin: 'environment' };
  const modules = nearestNodeModules(context.root);
  if (modules) return { dir: path.join(modules, '.cache', 'provenance'), origin: 'node_modules' };
  const user = userCacheHome(context);
  return user ? { dir: path.join(user, 'provenance'), origin: 'user' } : { origin: 'off' };
}

/**
 * Where the CLI keeps V8's compiled code of its bundle (node/code-cache.ts):
 * none with `--no-cache`; else `$PROVENANCE_CODE_CACHE` ("off" for none);
 * else `$PROVENANCE_CACHE_DIR`; else the user's cache folder. Not
 * `node_modules/.cache` beside the workspace, nor `--cache DIR`: compiled
 * code is code, so it comes only from the user's own folder or one the user
 * named in the environment. `args` are the command line after `node cli.js`.
 */
export function chooseCodeCacheDir(args: readonly string[], context: Omit<CacheDirContext, 'root'>): string | undefined {
  if (args.includes('--no-cache')) return undefined;
  const named = context.env.PROVENANCE_CODE_CACHE;
  if (named) return named === 'off' ? undefined : path.resolve(context.cwd, named);
  const fromEnvironment = context.env.PROVENANCE_CACHE_DIR;
  if (fromEnvironment) return path.resolve(context.cwd, fromEnvironment);
  const user = userCacheHome(context);
  return user ? path.join(user, 'provenance') : undefined;
}

function nearestNodeModules(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    try {
      if (fs.statSync(candidate).isDirectory()) return candidate;
    } catch {
      // Not here: look one folder up.
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function userCacheHome({ env, platform, homedir }: Pick<CacheDirContext, 'env' | 'platform' | 'homedir'>): string | undefined {
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return env.XDG_CACHE_HOME;
  if (platform === 'win32') return env.LOCALAPPDATA || (homedir ? path.join(homedir, 'AppData', 'Local') : undefined);
  if (!homedir) return undefined;
  return platform === 'darwin' ? path.join(homedir, 'Library', 'Caches') : path.join(homedir, '.cache');
}

/** The index, checks and results files: what `pruneStaleCaches` looks at unless told otherwise. */
/** The cache's files (a piece's checks in two halves, cli/rule-groups.ts), and what a write that never finished left of one (index-cache-file.ts stageCacheFile, commitCacheFile). */
const CACHE_FILE = /^provenance-(index|checks|results)-[0-9a-f]+(?:-[0-9a-f]+(?:-sources)?)?\.bin(?:\.\d+\.\d+\.\d+\.(?:tmp|old))?$/;

/**
 * Removes this tool's cache files (index, checks and results, or the files
 * `names` matches) that no run has written for `STALE_CACHE_MS` (workspaces
 * deleted or moved, builds no longer run). `keep`, the files this run used,
 * are marked used now (a run that changed nothing does not rewrite them).
 * Best effort: a file that cannot be removed is left alone.
 */
export function pruneStaleCaches(dir: string, keep: readonly string[], now = Date.now(), names: RegExp = CACHE_FILE): number {
  for (const file of keep) {
    try {
      fs.utimesSync(file, now / 1000, now / 1000);
    } catch {
      // Not written (nothing to cache, or the folder is read-only).
    }
  }
  const kept = new Set(keep);
  let removed = 0;
  let found: string[];
  try {
    found = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of found) {
    if (!names.test(name)) continue;
    const file = path.join(dir, name);
    if (kept.has(file)) continue;
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_CACHE_MS) {
        fs.rmSync(file);
        removed++;
      }
    } catch {
      // Gone already, or not ours to remove.
    }
  }
  return removed;
}
