// One editor session running a list of scenarios through node:test: the restricted-mode
// scenarios first, then the folder is trusted (itself a checked step), then the rest.
// Shared by vscode.test.mjs (the desktop build in the Node extension host) and
// web.test.mjs (the web build in the web worker extension host).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactsDir } from './env.mjs';
import { Session } from './session.mjs';

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

/**
 * @param {{ title: string, suite: string, example: string, scenarios: object[], settings?: object, publishDocs?: boolean }} options
 *   suite: the artefacts sub-directory; settings: user settings on top of the base ones;
 *   publishDocs: false keeps the suite's screenshots out of docs/images/
 */
export function defineSuite({ title, suite, example, scenarios, settings, publishDocs = true }) {
  const artifacts = artifactsDir(suite);
  const only = (process.env.E2E_SCENARIOS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const selected = scenarios.filter((s) => s.critical || only.length === 0 || only.some((word) => s.name.toLowerCase().includes(word)));
  const restricted = selected.filter((s) => s.trust === 'restricted');
  const trusted = selected.filter((s) => s.trust === 'trusted');
  const plan = [...restricted, ...(trusted.length ? [trustStep] : []), ...trusted];

  describe(title, { timeout: 10 * 60_000 }, () => {
    let session;
    let blockedBy = null;
    let shot;

    before(async () => {
      session = await Session.start({ artifacts, example, settings, publishDocs, log: (line) => console.log(line) });
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
}
