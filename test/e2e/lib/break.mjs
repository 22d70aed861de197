// Deliberate breakage, to show that the harness fails when the extension is broken.
// E2E_BREAK=<mode> applies one of these to the *installed* copy of the extension
// (inside the sandbox's fresh extensions directory), never to the repository.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const breakModes = {
  /** The extension's main module throws from activate(), as a bundling or startup bug would. */
  activation(installedDir) {
    const manifest = JSON.parse(readFileSync(join(installedDir, 'package.json'), 'utf8'));
    const main = join(installedDir, manifest.main.endsWith('.js') ? manifest.main : `${manifest.main}.js`);
    writeFileSync(main, [
      "'use strict';",
      '// Written by test/e2e (E2E_BREAK=activation): a build whose activate() throws.',
      "exports.activate = () => { throw new Error('E2E_BREAK=activation: this build throws on activate'); };",
      'exports.deactivate = () => {};',
      '',
    ].join('\n'));
  },
};

/** Applies $E2E_BREAK (if set) to the installed extension; returns the mode or null. */
export function applyBreak(installedDir, mode = process.env.E2E_BREAK) {
  if (!mode) return null;
  const breaker = breakModes[mode];
  if (!breaker) throw new Error(`Unknown E2E_BREAK=${mode}; known: ${Object.keys(breakModes).join(', ')}`);
  breaker(installedDir);
  return mode;
}
