// A harness that cannot fail proves nothing. This runs the VS Code suite against a
// deliberately broken install (E2E_BREAK=activation: the installed copy's activate()
// throws) and expects it to fail, quickly, saying what it waited for and why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { artifactsDir, repoRoot } from './lib/env.mjs';

/** The environment for a nested `node --test`: without NODE_TEST_CONTEXT, which makes it skip its files. */
function childEnv(extra) {
  const env = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

test('the VS Code suite fails when the extension cannot activate (E2E_BREAK=activation)', { timeout: 6 * 60_000 }, async () => {
  const artifacts = artifactsDir('harness-fails');
  const child = spawn(process.execPath, ['--test', join('test', 'e2e', 'vscode.test.mjs')], {
    cwd: repoRoot,
    env: childEnv({ E2E_BREAK: 'activation', E2E_ARTIFACTS: artifacts, E2E_UPDATE_DOCS: '', E2E_ACTIVATION_TIMEOUT: '20000' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const code = await new Promise((resolve) => child.on('exit', (status, signal) => resolve(status ?? signal)));
  const tail = `\n--- output of the broken run ---\n${output.slice(-6000)}`;

  assert.notEqual(code, 0, `the suite passed although activate() throws${tail}`);
  assert.match(output, /not ok \d+ - the extension activates without errors/, `the activation scenario should be the one failing${tail}`);
  assert.match(output, /Timed out after \d+s waiting for the Running Extensions editor to show "[^"]+" activated/, `the failure should say what it waited for${tail}`);
  assert.match(output, /E2E_BREAK=activation: this build throws on activate/, `the failure should quote the extension host's error${tail}`);
  assert.match(output, /# fail 1\b/, `exactly one failure; the other scenarios are skipped, not failed one by one${tail}`);
  assert.doesNotMatch(output, /# pass [1-9]/, `nothing can pass with a broken extension${tail}`);
});
