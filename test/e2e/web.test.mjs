// End-to-end for the web build (package.json `browser`: dist/browser/extension.js and its
// Web Worker server dist/browser/server.js), as vscode.dev and github.dev run it: the same
// packaged extension, forced into code-server's web worker extension host
// (`remote.extensionKind: ["web"]`), where it has no Node and no disk — the workspace
// is read through vscode.workspace.fs (here the remote's vscode-remote: file system).
// The scenarios are those of vscode.test.mjs, except the desktop-only ones.
//
//   npm run test:e2e                      runs it after vscode.test.mjs
//   E2E_VSIX, E2E_SCENARIOS, E2E_ARTIFACTS as for vscode.test.mjs (artefacts in …/web)
import assert from 'node:assert/strict';
import { defineSuite } from './lib/suite.mjs';
import { example, scenarios } from './scenarios.mjs';
import { piece } from './harbour-ferry.mjs';

const manifest = { publisher: 'provenance', name: 'provenance' };

/** First: the extension must be running in the web worker extension host, with its server in a Web Worker. */
const webHost = {
  name: 'the web build runs in the web worker extension host, its server in a Web Worker',
  trust: 'restricted',
  critical: true,
  async run({ wb, session, shot }) {
    await wb.openFile(piece);
    const output = await wb.waitFor('the Provenance Output channel to say the server runs in a Web Worker',
      () => wb.outputChannel(session.manifest.displayName),
      { timeout: Number(process.env.E2E_ACTIVATION_TIMEOUT) || 45_000, accept: (text) => /provenance \(browser\).*runs in a Web Worker/.test(text), describe: (text) => text.slice(-600) });
    await shot('web-output-channel');
    assert.doesNotMatch(output, /\[error\]|\bUnhandled|\bException\b/i, `the Output channel shows an error:\n${output}`);
  },
};

defineSuite({
  title: `Provenance for the web (dist/browser) in VS Code's web worker extension host, examples/${example}`,
  suite: 'web',
  example,
  settings: { 'remote.extensionKind': { [`${manifest.publisher}.${manifest.name}`]: ['web'] } },
  publishDocs: false,
  scenarios: [webHost, ...scenarios.filter((scenario) => !scenario.desktopOnly)],
});
