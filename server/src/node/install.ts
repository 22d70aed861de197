/**
 * Where this copy of Provenance is installed: the folder with its
 * package.json, whether we run from dist/ (bundled) or out/ (tests).
 */
import fs = require('node:fs');
import path = require('node:path');
import { pathToFileURL } from 'node:url';

let cachedRoot: string | undefined;

export function installRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if (JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'provenance') return (cachedRoot = dir);
      } catch {
        // not ours; keep walking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (cachedRoot = path.resolve(__dirname, '..'));
    dir = parent;
  }
}

export function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(installRoot(), 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The rule pages shipped with the extension and the npm package, as a file URL ending in '/'. */
export function docsBaseUrl(): string {
  return pathToFileURL(path.join(installRoot(), 'docs', 'rules')).href + '/';
}

/**
 * The rule pages on the web, for reports read away from this machine (SARIF
 * in code scanning): the repository's docs/rules folder, from package.json.
 */
export function webDocsBaseUrl(): string {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(installRoot(), 'package.json'), 'utf8'));
    const url = String(manifest.repository?.url ?? manifest.repository ?? '');
    const github = /github\.com[/:]([^/]+\/[^/.]+)/.exec(url);
    if (github) return `https://github.com/${github[1]}/blob/main/docs/rules/`;
  } catch {
    // fall through to the installed pages
  }
  return docsBaseUrl();
}
