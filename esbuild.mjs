// Bundles the three entry points. 'vscode' is provided by the editor at run time.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
  // Some dependencies ship ESM that reads import.meta.url; give the CJS bundle a real one.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

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
  define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['server/src/lsp/main.ts'], outfile: 'dist/server.js' },
  // The `provenance` command: a small launcher (keeps launch.ts's #! line) that runs the CLI's bundle from V8's code cache.
  { ...common, entryPoints: ['server/src/cli/launch.ts'], outfile: 'dist/cli.js' },
  { ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/cli-main.js' },
  // The web extension host loads CommonJS and provides 'vscode'; the server is a classic worker script.
  { ...browser, format: 'cjs', external: ['vscode'], entryPoints: ['client/src/browser/extension.ts'], outfile: 'dist/browser/extension.js' },
  { ...browser, format: 'iife', entryPoints: ['server/src/browser/main.ts'], outfile: 'dist/browser/server.js' },
];

if (watch) {
  for (const options of builds) (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
