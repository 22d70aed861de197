// End-to-end: the packaged extension in a real VS Code 1.100 (code-server), driven
// through its UI by headless Chromium. Scenarios are in scenarios.mjs.
//
//   npm run test:e2e                      package, install, run every scenario (and web.test.mjs)
//   E2E_VSIX=dist/provenance.vsix …       skip `npm run package`
//   E2E_SCENARIOS=hover,quick …           run only scenarios whose name contains one of these
//   E2E_BREAK=activation …                install a copy whose activate() throws: must fail
//   E2E_UPDATE_DOCS=1 …                   also copy the README screenshots to docs/images/
//   E2E_ARTIFACTS=dir                     screenshots and logs (default .e2e-artifacts/vscode)
import { defineSuite } from './lib/suite.mjs';
import { example, scenarios } from './scenarios.mjs';

defineSuite({ title: `Provenance in VS Code (code-server), examples/${example}`, suite: 'vscode', example, scenarios });
