/**
 * The one generic fixture runner. Every folder under test/fixtures/rules/ is a
 * workspace (sources/, optional .provenance.yml, pieces *.md). Each piece marks
 * the findings it expects with `<!-- expect: rule/id other/id -->`: on the same
 * line as the finding's start, or alone on the line above it. Every finding
 * must be expected and every expectation met, so unmarked text is a trap
 * the rule must not fire on. Pieces are checked through the CLI (json format).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/repo';
import { cliJson } from './helpers/cli';
import { rules } from '../server/src/engine/rules/index';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'rules');

interface Expectation {
  line: number;
  ruleId: string;
}

function expectationsOf(text: string): Expectation[] {
  const lines = text.split(/\r?\n/);
  const expectations: Expectation[] = [];
  lines.forEach((line, i) => {
    for (const match of line.matchAll(/<!--\s*expect:\s*([^>]*?)\s*-->/g)) {
      const alone = line.trim() === match[0];
      for (const ruleId of match[1].split(/[\s,]+/).filter(Boolean)) expectations.push({ line: alone ? i + 1 : i, ruleId });
    }
  });
  return expectations;
}

function workspaces(): string[] {
  if (!fs.existsSync(FIXTURES)) return [];
  const found: string[] = [];
  const walk = (dir: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.md'))) found.push(dir);
    for (const e of entries) if (e.isDirectory() && e.name !== 'sources') walk(path.join(dir, e.name));
  };
  walk(FIXTURES);
  return found.sort();
}

for (const workspace of workspaces()) {
  const name = path.relative(FIXTURES, workspace);
  test(`fixtures: ${name}`, async () => {
    const pieces = fs.readdirSync(workspace).filter((f) => f.endsWith('.md')).sort();
    const config = fs.existsSync(path.join(workspace, '.provenance.yml')) ? ['--config', '.provenance.yml'] : [];
    const { report, stderr } = await cliJson(['check', ...config, ...pieces], workspace);
    for (const piece of pieces) {
      const text = fs.readFileSync(path.join(workspace, piece), 'utf8');
      const expected = expectationsOf(text).map((e) => `${piece}:${e.line + 1} ${e.ruleId}`).sort();
      const file = report.files.find((f) => f.path === piece);
      const actual = (file?.diagnostics ?? []).map((d) => `${piece}:${d.range.start.line + 1} ${d.code}`).sort();
      const messages = (file?.diagnostics ?? []).map((d) => `  ${d.range.start.line + 1}: ${d.code} ${d.message}`).join('\n');
      assert.deepEqual(actual, expected, `findings of ${name}/${piece} differ from its expect comments.\nActual findings:\n${messages}\n${stderr}`);
    }
  });
}

test('every rule that checks documents has a fixture folder that makes it fire', () => {
  const expectedSomewhere = new Set<string>();
  for (const workspace of workspaces()) {
    for (const piece of fs.readdirSync(workspace).filter((f) => f.endsWith('.md'))) {
      for (const e of expectationsOf(fs.readFileSync(path.join(workspace, piece), 'utf8'))) expectedSomewhere.add(e.ruleId);
    }
  }
  const missing = rules.filter((r) => r.check && !expectedSomewhere.has(r.id)).map((r) => r.id);
  assert.deepEqual(missing, [], `rules without a firing fixture: ${missing.join(', ')}`);
});
