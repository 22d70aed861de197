// The entry point VS Code's extension host calls (--extensionTestsPath): `run()` runs
// the scenarios of scenarios.js one after the other, prints one line per scenario, and
// rejects when any failed (the test run then exits non-zero). No test framework: a
// scenario is { name, timeout?, run(context) }, and a failure is a thrown error.
'use strict';

const { writeFileSync } = require('node:fs');
const { createContext, scenarios } = require('./scenarios');

const DEFAULT_TIMEOUT_MS = 60_000;

function withTimeout(promise, ms, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`"${name}" did not finish within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

exports.run = async function run() {
  const lines = [];
  const say = (line) => {
    lines.push(line);
    console.log(line);
  };
  const only = (process.env.PROVENANCE_SCENARIOS ?? '').split(',').map((word) => word.trim().toLowerCase()).filter(Boolean);
  const selected = scenarios.filter((s) => s.critical || !only.length || only.some((word) => s.name.toLowerCase().includes(word)));
  const failures = [];
  let blockedBy;
  const context = await createContext();
  say(`Provenance through the VS Code API: ${selected.length} scenarios`);
  for (const scenario of selected) {
    if (blockedBy) {
      say(`skip - ${scenario.name} ("${blockedBy}" failed, so this cannot work)`);
      continue;
    }
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(() => scenario.run(context)), scenario.timeout ?? DEFAULT_TIMEOUT_MS, scenario.name);
      say(`ok - ${scenario.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failures.push(scenario.name);
      if (scenario.critical) blockedBy = scenario.name;
      say(`not ok - ${scenario.name} (${Date.now() - started} ms)\n  ${String(error && error.stack ? error.stack : error).replace(/\n/g, '\n  ')}`);
    } finally {
      // Whatever happened, the next scenario starts from the example as it was.
      await context.restore().catch((error) => say(`  could not restore the workspace: ${error.message}`));
    }
  }
  say(`${selected.length - failures.length} passed, ${failures.length} failed`);
  if (process.env.PROVENANCE_TEST_REPORT) writeFileSync(process.env.PROVENANCE_TEST_REPORT, `${lines.join('\n')}\n`);
  if (failures.length) throw new Error(`${failures.length} of ${selected.length} scenarios failed: ${failures.join('; ')}`);
};
