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
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { DIST } from '../helpers/repo';
import { exampleFiles, FakeEditor, type Port } from './fake-editor';
import { checkExample, loadExpectations, VIRTUAL_FOLDER } from './scenario';

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

/**
 * A worker script that loads the server, then, once the editor has said something (so that the log
 * reaches it), throws outside any request handler and leaves a rejection unhandled.
 */
const FAULTY_WORKER = `importScripts('/server.js');
self.addEventListener('message', function fault() {
  self.removeEventListener('message', fault);
  setTimeout(() => { throw new Error('injected fault: an exception no handler caught'); }, 0);
  setTimeout(() => { Promise.reject(new Error('injected fault: a rejection nobody handled')); }, 0);
});
`;

/** A page and the worker scripts, served from 127.0.0.1 (Chromium refuses workers from file: pages). */
function serve(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.url === '/server.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      fs.createReadStream(BUNDLE).pipe(response);
    } else if (request.url === '/faulty-server.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(FAULTY_WORKER);
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

/**
 * Starts `script` as a Web Worker in headless Chromium and gives `body` a port to it, and the list of
 * errors the page saw (page errors, the Worker's own 'error' events, failed posts). Skips the test
 * when the tools are missing, unless PROVENANCE_REQUIRE_CHROMIUM=1.
 */
async function inChromiumWorker(t: TestContext, script: string, body: (port: Port, problems: string[]) => Promise<void>): Promise<void> {
  const playwright = loadPlaywright();
  const required = process.env.PROVENANCE_REQUIRE_CHROMIUM === '1';
  if (!playwright || !fs.existsSync(CHROMIUM)) {
    const missing = !playwright ? `playwright-core not found under ${TOOLS_DIR}` : `Chromium not found at ${CHROMIUM}`;
    assert.ok(!required, `${missing}, and PROVENANCE_REQUIRE_CHROMIUM=1 says it must run`);
    t.skip(`${missing} (bash .ci/e2e.sh installs both)`);
    return;
  }
  assert.ok(fs.existsSync(BUNDLE), `${BUNDLE} is missing: \`npm run build\` makes it`);
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
    await page.evaluate((url: string) => {
      const scope = globalThis as any;
      const worker = new scope.Worker(url, { name: 'provenance-server' });
      worker.onmessage = (event: { data: unknown }) => scope.provenanceToEditor(event.data);
      worker.onerror = (event: { message: string }) => scope.provenanceWorkerError(event.message);
      scope.provenanceWorker = worker;
    }, script);
    const port: Port = {
      post(message) {
        page.evaluate((m: unknown) => (globalThis as any).provenanceWorker.postMessage(m), message).catch((error: Error) => problems.push(`posting to the worker failed: ${error.message}`));
      },
      onMessage(listener) {
        toEditor = listener;
      },
    };
    await body(port, problems);
  } finally {
    await browser.close();
    await site.close();
  }
}

test('the browser server bundle checks a piece in a real Web Worker (headless Chromium)', { timeout: 120_000 }, async (t) => {
  const started = Date.now();
  await inChromiumWorker(t, '/server.js', async (port, problems) => {
    await checkExample(port);
    assert.deepEqual(problems, [], 'the worker and the page ran without errors');
    t.diagnostic(`Chromium Web Worker run (launch included): ${Date.now() - started} ms`);
  });
});

test('an exception no handler caught is logged inside the worker and goes no further: the server keeps checking', { timeout: 120_000 }, async (t) => {
  await inChromiumWorker(t, '/faulty-server.js', async (port, problems) => {
    const x = await loadExpectations();
    const editor = new FakeEditor(port, { folder: VIRTUAL_FOLDER, files: exampleFiles(x.example) });
    try {
      await editor.initialize();
      await waitUntil('the server to log both injected faults', () => editor.log.filter((line) => /injected fault/.test(line)).length === 2, () => editor.log.join('\n'));
      assert.ok(editor.log.some((line) => /^Uncaught exception: .*an exception no handler caught/.test(line)), editor.log.join('\n'));
      assert.ok(editor.log.some((line) => /^Unhandled rejection: .*a rejection nobody handled/.test(line)), editor.log.join('\n'));
      // The extension host's Worker object saw no 'error' event (the language client would stop the server on one).
      assert.deepEqual(problems, [], 'nothing reached the page');
      await editor.open(x.piece);
      const first = x.expectedFindings[0];
      const line = editor.positionOf(x.piece, first.at).line;
      await editor.waitForDiagnostics(x.piece, `${first.code} on line ${line + 1}`, (diagnostics) => diagnostics.some((d) => d.code === first.code && d.range.start.line === line));
    } finally {
      await editor.stop();
    }
  });
});

/** Polls `probe` every 20 ms for up to 30 s; fails with `describe()` of what was there. */
async function waitUntil(what: string, probe: () => boolean, describe: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; saw:\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
