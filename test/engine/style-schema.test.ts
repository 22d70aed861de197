/**
 * The generated JSON Schema is what VS Code uses for completion, hover and
 * squiggles in .provenance.yml: it must accept every config the engine
 * accepts (the fixtures' and the README's) and reject what the engine reports
 * as config/invalid — checked with a real JSON Schema validator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { parseConfig } from '../../server/src/engine/config';
import { REPO_ROOT } from '../helpers/repo';
import { TEAM_CONFIG } from '../helpers/team-scenario';

const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'schemas', 'provenance.schema.json'), 'utf8'));
// markdownDescription is VS Code's extension of JSON Schema; everything else is standard draft-07.
const ajv = new Ajv({ allErrors: true, strict: true, keywords: ['markdownDescription'] });
const validateSchema = ajv.compile(schema);

function schemaErrors(yamlText: string): string[] {
  return validateSchema(parse(yamlText) ?? {}) ? [] : (validateSchema.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function engineErrors(yamlText: string): string[] {
  return parseConfig(yamlText).findings.filter((f) => f.severity === 'error').map((f) => f.message);
}

function fixtureConfigs(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (entry.name === '.provenance.yml') found.push(path.join(dir, entry.name));
    }
  };
  walk(path.join(REPO_ROOT, 'test', 'fixtures', 'rules'));
  return found;
}

test('schema: the fixtures’ configs, the team scenario and the README examples are valid for the engine and the schema alike', () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const teamDoc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'rules', 'team.md'), 'utf8');
  examples.push(...[...teamDoc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]));
  assert.ok(examples.length >= 2, 'README and team.md show config examples');
  const configs = [...fixtureConfigs().map((file) => fs.readFileSync(file, 'utf8')), TEAM_CONFIG, ...examples];
  for (const config of configs) {
    assert.deepEqual(engineErrors(config), [], config);
    assert.deepEqual(schemaErrors(config), [], config);
  }
});

test('schema: what the engine rejects, the editor squiggles too', () => {
  const invalid = [
    'rules:\n  style/weasel-word: off\n',
    'rules:\n  style/banned-term: { terms: [{ term: regime, replacment: government }] }\n',
    'rules:\n  style/attribution-verb: { verbs: [{ suggestion: say }] }\n',
    'teamRules:\n  Bad_Name: { kind: existence, tokens: [x] }\n',
    'teamRules:\n  no-x: { kind: exists, tokens: [x] }\n',
    'teamRules:\n  no-x: { kind: existence, tokens: [x], scope: footnote }\n',
    'teamRules:\n  no-x: { kind: substitution, swap: { a: 1 } }\n',
    'teamRules:\n  no-x: { kind: existence, tokens: [x], colour: red }\n',
  ];
  for (const config of invalid) {
    assert.notDeepEqual(engineErrors(config), [], `engine accepts:\n${config}`);
    assert.notDeepEqual(schemaErrors(config), [], `schema accepts:\n${config}`);
  }
});
