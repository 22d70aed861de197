/**
 * Issue #8, item 9: CI output at scale. `--format github` with 500 findings
 * emits at most the annotations GitHub shows per step (10 of each kind) plus
 * a summary line, and nothing else that GitHub could read as a workflow
 * command — not even from a hostile file name or quotation. `--format sarif`
 * with 30,000 findings stays valid SARIF 2.1.0, with stable rule ids,
 * relative URIs and fingerprints that survive an unrelated edit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import { cli } from '../helpers/cli';
import { REPO_ROOT, tempWorkspace } from '../helpers/repo';
import { GITHUB_ANNOTATION_LIMIT } from '../../server/src/cli/formatters';
import { rules } from '../../server/src/engine/rules/index';
import { since, SOURCE } from './inputs';

/** File names GitHub would obey if they started a line (every plain line names its file): a command and the legacy syntax. */
const HOSTILE_NAME = '::error file=x::pwned.md';
const LEGACY_NAME = '##[warning]legacy.md';

function piecesWithFindings(count: number): Record<string, string> {
  // Each paragraph: one unknown key (error), one invented quotation (error), one weasel phrase (warning).
  const paragraphs: string[] = [];
  for (let i = 0; paragraphs.length * 3 < count; i++) {
    paragraphs.push(`Some experts believe "a 100% invented line %0A::warning::number ${i}" [@missing-${i % 7}].`);
  }
  return { 'sources/harbour-wall.txt': SOURCE, [HOSTILE_NAME]: paragraphs.join('\n\n') + '\n', [LEGACY_NAME]: paragraphs.slice(0, 10).join('\n\n') + '\n' };
}

test('ci output: --format github with 500 findings gives at most 10 annotations of each kind, escaped, a summary line, and no other line GitHub could take for a command', { timeout: 120_000 }, async (t) => {
  const root = tempWorkspace(piecesWithFindings(500));
  const run = await cli(['check', '--format', 'github', '--time-budget', '30'], root);
  assert.equal(run.code, 1, run.stderr);
  const lines = run.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.filter((line) => line.trimStart().startsWith('##[')), [], 'no line in the legacy command syntax');
  const commands = lines.filter((line) => line.trimStart().startsWith('::'));
  const annotations = commands.filter((line) => /^::(error|warning|notice) file=[^\n]*::/.test(line));
  assert.deepEqual(commands, annotations, 'every line that starts a workflow command is one of our annotations');
  for (const kind of ['error', 'warning', 'notice']) {
    assert.ok(annotations.filter((line) => line.startsWith(`::${kind} `)).length <= GITHUB_ANNOTATION_LIMIT, `too many ${kind} annotations`);
  }
  for (const annotation of annotations) {
    const [, props, message] = /^::\w+ (.*?)::(.*)$/.exec(annotation)!;
    assert.doesNotMatch(message, /%(?!25|0A|0D)/, `unescaped % in ${annotation}`);
    assert.doesNotMatch(props, /%(?!25|0A|0D|3A|2C)|:/, `unescaped property in ${annotation}`);
  }
  const summary = lines.at(-1)!;
  const [, errors, warnings, notices] = /^provenance: (\d+) error\(s\), (\d+) warning\(s\), (\d+) notice\(s\)/.exec(summary) ?? [];
  const total = Number(errors) + Number(warnings) + Number(notices);
  assert.ok(total >= 500, `summary counts ${total}: ${summary}`);
  t.diagnostic(`${total} findings → ${annotations.length} annotations, ${lines.length - annotations.length - 1} plain log lines, 1 summary line`);
});

const SCHEMA_FILE = path.join(REPO_ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

function sarifValidator(): (log: unknown) => unknown[] | undefined {
  const regExp = Object.assign((pattern: string, flags: string) => new RegExp(pattern, flags.replace('u', '')), { code: 'new RegExp' });
  const ajv = new AjvDraft04({ allErrors: false, strict: false, code: { regExp } });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  ajv.addFormat('uri-reference', /^[^\s]*$/);
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')));
  return (log) => (validate(log) ? undefined : (validate.errors ?? ['invalid']));
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }[];
  partialFingerprints: Record<string, string>;
}

test('ci output: --format sarif with 30,000 findings is valid SARIF with stable rule ids, relative URIs and fingerprints that survive an unrelated edit', { timeout: 180_000 }, async (t) => {
  const lines = Array.from({ length: 30_000 }, (_, i) => `Item ${i} [@missing-${i % 50}].`);
  const text = lines.join('\n\n') + '\n';
  const root = tempWorkspace({ 'sources/harbour-wall.txt': SOURCE, 'notes/many.md': text });
  const started = performance.now();
  const run = await cli(['check', '--format', 'sarif', '--time-budget', '60'], root);
  const runMs = since(started);
  const log = JSON.parse(run.stdout);
  const results: SarifResult[] = log.runs[0].results;
  assert.ok(results.length >= 30_000, `${results.length} results`);
  const validated = performance.now();
  assert.equal(sarifValidator()(log), undefined, 'valid SARIF 2.1.0');
  const validateMs = since(validated);

  const ruleIds = log.runs[0].tool.driver.rules.map((rule: { id: string }) => rule.id);
  assert.deepEqual(ruleIds.slice(0, rules.length), rules.map((rule) => rule.id), 'every registered rule, in registry order, whatever was found');
  for (const result of results) {
    assert.equal(ruleIds[result.ruleIndex], result.ruleId);
    const location = result.locations[0].physicalLocation.artifactLocation;
    assert.equal(location.uri, 'notes/many.md');
    assert.equal(location.uriBaseId, '%SRCROOT%');
  }
  const fingerprints = new Set(results.map((result) => result.partialFingerprints['provenance/v1']));
  assert.equal(fingerprints.size, results.length, 'one fingerprint per result');

  // An unrelated edit: a paragraph added at the top moves every finding down.
  fs.writeFileSync(path.join(root, 'notes', 'many.md'), '# Notes\n\nA new introduction with nothing to check.\n\n' + text);
  const after = JSON.parse((await cli(['check', '--format', 'sarif', '--time-budget', '60'], root)).stdout);
  const afterResults: SarifResult[] = after.runs[0].results;
  assert.deepEqual(new Set(afterResults.map((result) => result.partialFingerprints['provenance/v1'])), fingerprints, 'the same fingerprints after the edit');
  assert.deepEqual(after.runs[0].tool.driver.rules.map((rule: { id: string }) => rule.id), ruleIds, 'the same rule list and indexes');
  t.diagnostic(`${results.length} results, ${(run.stdout.length / 1e6).toFixed(1)} MB of SARIF in ${runMs} ms; schema validation ${validateMs} ms`);
});
