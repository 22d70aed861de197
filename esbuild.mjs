// Bundles the three entry points. 'vscode' is provided by the editor at run time.
import * as esbuild from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/**
 * esbuild writes strings ASCII-only but leaves non-ASCII characters in regular
 * expression literals and kept comments (evanw/esbuild#4205). One such
 * character makes V8 hold the whole source as two bytes per character: the CLI
 * read its 1.4 MB bundle in ~24 ms instead of ~18, and a worker decoded it in
 * ~18 ms instead of ~3. So each bundle is escaped once built: `\uXXXX` (a
 * surrogate pair above U+FFFF) means the same character in a regular
 * expression, with or without the u flag, and is inert in a comment. The
 * source map's columns after such a character shift on its line (a few lines).
 * @type {import('esbuild').Plugin}
 */
const asciiOnly = {
  name: 'ascii-only',
  setup(build) {
    build.onEnd(async (result) => {
      const file = build.initialOptions.outfile;
      if (result.errors.length || !file) return;
      const text = await readFile(file, 'utf8');
      const escape = (unit) => `\\u${unit.toString(16).padStart(4, '0')}`;
      const ascii = text.replace(/[^\x00-\x7f]/g, (c) => escape(c.charCodeAt(0)));
      if (ascii !== text) await writeFile(file, ascii);
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [asciiOnly],
  external: ['vscode'],
  // Some dependencies ship ESM that reads import.meta.url; give the CJS bundle a real one.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

/**
 * The CLI's bundles are read, decoded and compiled by every thread of every
 * run. Without whitespace and comments the 1.5 MB bundle is 1.05 MB, and its
 * load on a thread ~3 ms shorter (`provenance --version`, median of 30
 * alternating runs: 57.4 against 60.1 ms from reading the bundle to having
 * run it). Names are kept, so an internal error's stack still reads; the
 * source map has the rest. The packaged build minifies names as well.
 * @type {Partial<import('esbuild').BuildOptions>}
 */
const cliMinify = production ? {} : { minifyWhitespace: true, minifySyntax: true };

/**
 * The web build (package.json `browser`, for vscode.dev and github.dev): no Node
 * built-ins may reach these bundles — esbuild fails the build if one is imported.
 * @type {import('esbuild').BuildOptions}
 */
const browser = {
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: [asciiOnly],
  define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' },
  // The `provenance` command: a small launcher (keeps launch.ts's #! line) that runs the CLI's bundle from V8's code cache.
  { ...common, ...cliMinify, entryPoints: ['server/src/cli/launch.ts'], outfile: 'dist/cli.js' },
  { ...common, ...cliMinify, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli-main.js' },
  // The web extension host loads CommonJS and provides 'vscode'; the server is a classic worker script.
  { ...browser, format: 'cjs', external: ['vscode'], entryPoints: ['client/src/browser/extension.ts'], outfile: 'dist/browser/extension.js' },
  { ...browser, format: 'iife', entryPoints: ['server/src/browser/main.ts'], outfile: 'dist/browser/server.js' },
];

if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
