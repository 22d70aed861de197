// Where things are: the repository, the tools installed by
// ../shared/tools/install-code-server.sh, and the artefacts directory.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The directory the shared install script fills (its default, or $E2E_TOOLS_DIR). */
export const toolsDir = process.env.E2E_TOOLS_DIR ?? join(homedir(), '.cache', 'provenance-e2e');

export const chromiumPath = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';

const installHint =
  'Install the tools with `bash .ci/e2e.sh` (or `bash ../shared/tools/install-code-server.sh`), ' +
  'or point E2E_CODE_SERVER / E2E_TOOLS_DIR / E2E_CHROMIUM at existing ones.';

/** Path of the code-server executable; throws a helpful error when it is missing. */
export function codeServerPath() {
  const bin = process.env.E2E_CODE_SERVER ?? join(toolsDir, 'node_modules', '.bin', 'code-server');
  if (!existsSync(bin)) throw new Error(`code-server not found at ${bin}. ${installHint}`);
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}. ${installHint}`);
  return bin;
}

/** playwright-core, loaded from the tools directory (it is not a dependency of the project). */
export function loadPlaywright() {
  const require = createRequire(join(toolsDir, 'node_modules', 'noop.js'));
  try {
    return require('playwright-core');
  } catch (error) {
    throw new Error(`playwright-core not found under ${toolsDir}: ${error.message}. ${installHint}`);
  }
}

/**
 * The artefacts directory for one suite ($E2E_ARTIFACTS or .e2e-artifacts/, gitignored),
 * emptied first so that a run's screenshots never mix with an earlier run's.
 */
export function artifactsDir(suite) {
  const root = process.env.E2E_ARTIFACTS ? resolve(process.env.E2E_ARTIFACTS) : join(repoRoot, '.e2e-artifacts');
  const dir = join(root, suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}
