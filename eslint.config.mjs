// Small lint surface: type-aware promise checks everywhere, and purity of the engine.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'worker_threads', 'http', 'https', 'net', 'url', 'crypto', 'process', 'stream', 'util'];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test/e2e/**', 'test/neovim/**', 'bench/**', '**/*.mjs', '**/*.js', 'tools/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // node:test's test()/describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Architecture invariant: the engine is pure — no editor, no protocol, no I/O. The typescript-eslint rule, which
    // also sees `import fs = require('node:fs')` (the form the adapters import built-ins in), where ESLint's does not.
    files: ['server/src/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['vscode', 'vscode-languageserver', 'vscode-languageserver/node', 'vscode-languageclient', ...nodeBuiltins],
          patterns: [{ group: ['node:*'], message: 'The engine is pure: no Node built-ins. Do I/O in an adapter (server/src/node, lsp, cli).' }],
        },
      ],
    },
  },
);
