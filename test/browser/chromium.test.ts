/**
 * The web build's language server in a real Web Worker: headless Chromium
 * (playwright-core and Debian's Chromium, the tools of the end-to-end tests)
 * loads dist/browser/server.js from a local page with `new Worker(…)`, and the
 * fake editor (fake-editor.ts) drives it through the page over postMessage.
 *
 * The tools come from `bash .ci/e2e.sh` (../shared/tools/install-code-server.sh).
 * Without them this test is skipped — unless PROVENANCE_REQUIRE_CHROMIUM=1,
 * which .ci/e2e.sh sets once it has installed them, so CI cannot skip it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { DIST } from '../helpers/repo';
import type { Port } from './fake-editor';
import { checkExample } from './scenario';

const TOOLS_DIR = process.env.E2E_TOOLS_DIR ?? path.join(os.homedir(), '.cache', 'provenance-e2e');
const CHROMIUM = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
const BUNDLE = path.join(DIST, 'browser', 'server.js');

function loadPlaywright(): any {
  try {
    return createRequire(path.join(TOOLS_DIR, 'node_modules', 'noop.js'))('playwright-core');
  } catch {
    return undefined;
  }
}

/** A page and the worker script, served from 127.0.0.1 (Chromium refuses workers from file: pages). */
function serve(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.url === '/server.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      fs.createReadStream(BUNDLE).pipe(response);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>Provenance browser server</title>');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

test('the browser server bundle checks a piece in a real Web Worker (headless Chromium)', { timeout: 120_000 }, async (t) => {
  const playwright = loadPlaywright();
  const required = process.env.PROVENANCE_REQUIRE_CHROMIUM === '1';
  if (!playwright || !fs.existsSync(CHROMIUM)) {
    const missing = !playwright ? `playwright-core not found under ${TOOLS_DIR}` : `Chromium not found at ${CHROMIUM}`;
    assert.ok(!required, `${missing}, and PROVENANCE_REQUIRE_CHROMIUM=1 says it must run`);
    t.skip(`${missing} (bash .ci/e2e.sh installs both)`);
    return;
  }
  assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: \`npm run build\` makes it`);
  const started = Date.now();
  const site = await serve();
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error: Error) => problems.push(`page error: ${error.message}`));
    let toEditor: (message: unknown) => void = () => {};
    await page.exposeFunction('provenanceToEditor', (message: unknown) => toEditor(message));
    await page.exposeFunction('provenanceWorkerError', (message: string) => problems.push(`worker error: ${message}`));
    await page.goto(site.url);
    await page.evaluate(() => {
      const scope = globalThis as any;
      const worker = new scope.Worker('/server.js', { name: 'provenance-server' });
      worker.onmessage = (event: { data: unknown }) => scope.provenanceToEditor(event.data);
      worker.onerror = (event: { message: string }) => scope.provenanceWorkerError(event.message);
      scope.provenanceWorker = worker;
    });
    const port: Port = {
      post(message) {
        page.evaluate((m: unknown) => (globalThis as any).provenanceWorker.postMessage(m), message).catch((error: Error) => problems.push(`posting to the worker failed: ${error.message}`));
      },
      onMessage(listener) {
        toEditor = listener;
      },
    };
    await checkExample(port);
    assert.deepEqual(problems, [], 'the worker and the page ran without errors');
    t.diagnostic(`Chromium Web Worker run (launch included): ${Date.now() - started} ms`);
  } finally {
    await browser.close();
    await site.close();
  }
});
