/**
 * The web build's language server (dist/browser/server.js) runs where a
 * browser worker would: a fresh JavaScript realm whose only globals are the
 * ones a DedicatedWorkerGlobalScope has (self, postMessage, onmessage, timers,
 * TextEncoder…) — no require, process, Buffer or setImmediate, so a Node
 * dependency that slipped into the bundle fails here at load or at first use.
 * A fake editor (fake-editor.ts) then drives it over postMessage on a virtual
 * workspace. chromium.test.ts runs the same checks in a real Web Worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { DIST } from '../helpers/repo';
import type { Port } from './fake-editor';
import { checkExample } from './scenario';

const BUNDLE = path.join(DIST, 'browser', 'server.js');

/** Loads the bundle in a worker-like realm; returns the editor's end of its message channel. */
function startWorkerRealm(bundle: string): { port: Port; errors: unknown[] } {
  const errors: unknown[] = [];
  let toEditor: (message: unknown) => void = () => {};
  const listeners = new Map<string, Array<(event: unknown) => void>>();
  // postMessage is asynchronous and copies (structured clone), in both directions.
  const deliver = (fn: () => void) => setTimeout(() => {
    try {
      fn();
    } catch (err) {
      errors.push(err);
    }
  }, 0);
  const scope: Record<string, unknown> = {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    structuredClone,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    AbortController,
    performance,
    crypto: globalThis.crypto,
    atob,
    btoa,
    onmessage: null,
    postMessage: (message: unknown) => {
      const copy = structuredClone(message);
      deliver(() => toEditor(copy));
    },
    addEventListener: (type: string, listener: (event: unknown) => void) => listeners.set(type, [...(listeners.get(type) ?? []), listener]),
    removeEventListener: (type: string, listener: (event: unknown) => void) => listeners.set(type, (listeners.get(type) ?? []).filter((l) => l !== listener)),
  };
  scope.self = scope;
  const context = vm.createContext(scope, { name: 'browser worker' });
  vm.runInContext(bundle, context, { filename: BUNDLE });
  const port: Port = {
    post(message) {
      const copy = structuredClone(message);
      deliver(() => {
        const event = { data: copy };
        (scope.onmessage as ((event: unknown) => void) | null)?.(event);
        for (const listener of listeners.get('message') ?? []) listener(event);
      });
    },
    onMessage(listener) {
      toEditor = listener;
    },
  };
  return { port, errors };
}

test('the browser server bundle checks a piece in a worker-like realm (no Node globals)', { timeout: 60_000 }, async (t) => {
  assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: \`npm run build\` makes it`);
  const started = Date.now();
  const { port, errors } = startWorkerRealm(fs.readFileSync(BUNDLE, 'utf8'));
  await checkExample(port);
  assert.deepEqual(errors, [], 'no message handler threw');
  // Measured figure, for the record: load + initialize + check + hovers + fixes + a config change.
  t.diagnostic(`browser server smoke run: ${Date.now() - started} ms`);
});

test('the browser bundles import no Node built-ins', () => {
  for (const name of ['server.js', 'extension.js']) {
    const text = fs.readFileSync(path.join(DIST, 'browser', name), 'utf8');
    // Code lines only: a dependency's doc comment may show a require() example.
    const code = text.split('\n').filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line)).join('\n');
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)].filter((module) => module !== 'vscode'), [], `dist/browser/${name} requires only 'vscode' (from the web extension host)`);
  }
});
