/** Generated artefacts (schema, rule docs, README rule table) must match the registry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/repo';
import { generatedFiles } from '../server/src/generate/artefacts';
import { rules } from '../server/src/engine/rules/index';

test('generated files are up to date (run `npm run generate` when this fails)', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const stale: string[] = [];
  for (const [file, expected] of generatedFiles(readme)) {
    const target = path.join(REPO_ROOT, file);
    const actual = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
    if (actual !== expected) stale.push(file);
  }
  assert.deepEqual(stale, [], `stale generated files: ${stale.join(', ')}`);
});

test('every rule has an id matching its file, docs, a description and a schema entry', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas', 'provenance.schema.json'), 'utf8'));
  for (const rule of rules) {
    assert.match(rule.id, /^[a-z]+\/[a-z-]+$/);
    assert.ok(fs.existsSync(path.join(REPO_ROOT, 'server', 'src', 'engine', 'rules', `${rule.id}.ts`)), `${rule.id}: no file rules/${rule.id}.ts`);
    assert.ok(rule.docs.length > 100, `${rule.id}: docs too short`);
    assert.ok(rule.description.length > 10, `${rule.id}: no description`);
    if (rule.category !== 'config') assert.ok(schema.properties.rules.properties[rule.id], `${rule.id}: missing from the schema`);
  }
});
