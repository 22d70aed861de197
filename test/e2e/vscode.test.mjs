// End-to-end: the packaged extension in a real VS Code 1.100 (code-server), driven
// through its UI by headless Chromium. Scenarios are in scenarios.mjs.
//
//   npm run test:e2e                      package, install, run every scenario
//   E2E_VSIX=dist/provenance.vsix …       skip `npm run package`
//   E2E_SCENARIOS=hover,quick …           run only scenarios whose name contains one of these
//   E2E_BREAK=activation …                install a copy whose activate() throws: must fail
//   E2E_UPDATE_DOCS=1 …                   also copy the README screenshots to docs/images/
//   E2E_ARTIFACTS=dir                     screenshots and logs (default .e2e-artifacts/vscode)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactsDir } from './lib/env.mjs';
import { Session } from './lib/session.mjs';
import { example, scenarios } from './scenarios.mjs';

const artifacts = artifactsDir('vscode');
const only = (process.env.E2E_SCENARIOS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
const selected = scenarios.filter((s) => s.critical || only.length === 0 || only.some((word) => s.name.toLowerCase().includes(word)));
const restricted = selected.filter((s) => s.trust === 'restricted');
const trusted = selected.filter((s) => s.trust === 'trusted');

/** The step between the phases is itself checked: trusting the folder must not lose anything. */
const trustStep = {
  name: 'trusting the folder leaves Restricted Mode and the extension keeps working',
  trust: 'restricted',
  critical: true,
  async run({ wb, shot }) {
    await wb.trustWorkspace();
    await shot('trusted');
  },
};
const plan = [...restricted, ...(trusted.length ? [trustStep] : []), ...trusted];

describe(`Provenance in VS Code (code-server), examples/${example}`, { timeout: 10 * 60_000 }, () => {
  let session;
  let blockedBy = null;
  let shot;

  before(async () => {
    session = await Session.start({ artifacts, example, log: (line) => console.log(line) });
  }, { timeout: 5 * 60_000 });

  after(async () => {
    await session?.close();
    console.log(`screenshots and logs: ${artifacts}`);
  });

  for (const scenario of plan) {
    test(scenario.name, { timeout: scenario.timeout ?? 3 * 60_000 }, async (t) => {
      if (blockedBy) {
        t.skip(`"${blockedBy}" failed, so this cannot work`);
        return;
      }
      const wb = session.workbench;
      const slug = scenario.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
      shot = (name) => wb.screenshot(`${slug}--${name}`);
      const wantRestricted = scenario.trust === 'restricted';
      assert.equal(await wb.isRestricted(), wantRestricted,
        `precondition: the workspace should ${wantRestricted ? '' : 'not '}be in Restricted Mode for this scenario`);
      try {
        await scenario.run({ wb, session, shot });
      } catch (error) {
        await wb.screenshot(`${slug}--FAILED`).catch(() => {});
        if (scenario.critical) blockedBy = scenario.name;
        throw error;
      } finally {
        // Whatever happened, the next scenario starts from the example as committed.
        await wb.revertDirtyEditors().catch((error) => t.diagnostic(`could not revert editors: ${error.message}`));
        const restored = session.restoreWorkspace();
        if (restored.length) t.diagnostic(`restored ${restored.join(', ')} after "${scenario.name}"`);
      }
    });
  }
});
