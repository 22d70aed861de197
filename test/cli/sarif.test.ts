/**
 * `--format sarif` is valid SARIF 2.1.0: validated with ajv against the
 * OASIS schema as shipped in @microsoft/jest-sarif (loaded from node_modules;
 * its licence is the TC's, so it is not copied into the repository).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { REPO_ROOT, tempWorkspace } from '../helpers/repo';
import { cli, cliJson } from '../helpers/cli';
import { rules } from '../../server/src/engine/rules/index';

const SCHEMA_FILE = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

function sarifValidator() {
  // The schema is draft-04 and its `language` pattern is only valid without the `u` flag (as the TC wrote it).
  const regExp = Object.assign((pattern: string, flags: string) => new RegExp(pattern, flags.replace('u', '')), { code: 'new RegExp' });
  const ajv = new AjvDraft04({ allErrors: true, strict: false, code: { regExp } });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  ajv.addFormat('uri-reference', /^[^\s]*$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));
  // A plain boolean (not a type guard), so the log keeps its type after an assertion.
  const check = (log: unknown): boolean => validate(log) === true;
  return Object.assign(check, { get errors() { return validate.errors; } });
}

const SOURCE = `Library reopens after flood repairs

The central library reopened on Saturday after eight months of repairs. "Every book that could be dried has come back to the shelves," the head librarian said. The council spent 2.1 million on the work.
`;

const PIECE = `# The library is back

The head librarian said "every book that could be dried has come back to the shelves" [@library].

She added that "every single book came back, dry and whole" [@library].

She also said "nothing was lost in the flood" [@flood-report].

A second line with a quotation that was "changed by one word" [@library], and "Every book that could be saved has come back to the shelves" [@library].
`;

test('sarif: output validates against the SARIF 2.1.0 schema, with findings and with none', async () => {
  const validate = sarifValidator();
  const root = tempWorkspace({ 'sources/library.txt': SOURCE, 'piece.md': PIECE, 'clean.md': '# Nothing quoted\n\nJust prose.\n' });

  const run = await cli(['check', 'piece.md', '--format', 'sarif'], root);
  assert.equal(run.code, 1, run.stderr);
  const log: any = JSON.parse(run.stdout);
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  assert.equal(log.version, '2.1.0');
  assert.ok(log.runs[0].results.length >= 3, 'the piece has several deliberate problems');

  const empty = await cli(['check', 'clean.md', '--format', 'sarif'], root);
  const emptyLog: any = JSON.parse(empty.stdout);
  assert.ok(validate(emptyLog), JSON.stringify(validate.errors, null, 2));
  assert.deepEqual(emptyLog.runs[0].results, []);
});

test('sarif: the validator used above rejects what the schema forbids (it can fail)', () => {
  const validate = sarifValidator();
  assert.equal(validate({ runs: [] }), false, 'version is required');
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x', rules: [{ id: 'a', helpUri: 'not a uri' }] } } }] }), false);
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }), false);
});

test('sarif: every rule is described with a web help URI; results point at the same places as --format json', async () => {
  const root = tempWorkspace({ 'sources/library.txt': SOURCE, 'piece.md': PIECE });
  const log = JSON.parse((await cli(['check', 'piece.md', '--format', 'sarif'], root)).stdout);
  const driver = log.runs[0].tool.driver;
  assert.deepEqual(
    driver.rules.map((r: { id: string }) => r.id),
    rules.map((r) => r.id),
  );
  for (const rule of driver.rules) {
    assert.match(rule.helpUri, /^https:\/\/.+\/docs\/rules\/[a-z]+\/[a-z-]+\.md$/, rule.id);
    assert.ok(rule.shortDescription.text.length > 10, rule.id);
  }
  assert.equal(log.runs[0].columnKind, 'utf16CodeUnits');

  const { report } = await cliJson(['check', 'piece.md'], root);
  const json = report.files.find((f) => f.path === 'piece.md')!.diagnostics;
  const results = log.runs[0].results;
  assert.equal(results.length, json.length);
  results.forEach((result: any, i: number) => {
    const d = json[i];
    assert.equal(result.ruleId, d.code);
    assert.equal(driver.rules[result.ruleIndex].id, result.ruleId);
    assert.equal(result.level, { error: 'error', warning: 'warning', information: 'note', hint: 'note' }[d.severity]);
    const region = result.locations[0].physicalLocation.region;
    assert.deepEqual(
      [region.startLine, region.startColumn, region.endLine, region.endColumn],
      [d.range.start.line + 1, d.range.start.character + 1, d.range.end.line + 1, d.range.end.character + 1],
    );
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'piece.md');
  });
  const fingerprints = results.map((r: any) => r.partialFingerprints['provenance/v1']);
  assert.equal(new Set(fingerprints).size, fingerprints.length, 'fingerprints are unique within a run');
});

test('sarif: fingerprints survive an unrelated edit above the finding, and differ per finding', async () => {
  const original = tempWorkspace({ 'sources/library.txt': SOURCE, 'piece.md': PIECE });
  const edited = tempWorkspace({ 'sources/library.txt': SOURCE, 'piece.md': `# A new first section\n\nSome new words.\n\n${PIECE}` });
  const before = JSON.parse((await cli(['check', 'piece.md', '--format', 'sarif'], original)).stdout).runs[0].results;
  const after = JSON.parse((await cli(['check', 'piece.md', '--format', 'sarif'], edited)).stdout).runs[0].results;
  assert.ok(before.length >= 3);
  assert.equal(after.length, before.length);
  after.forEach((result: any, i: number) => {
    assert.equal(result.locations[0].physicalLocation.region.startLine, before[i].locations[0].physicalLocation.region.startLine + 4);
    assert.equal(result.partialFingerprints['provenance/v1'], before[i].partialFingerprints['provenance/v1']);
  });
});
