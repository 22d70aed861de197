import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../server/src/engine/config';

/** 1-based line:column of an offset, for readable assertions. */
function at(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

test('config: no file means defaults', () => {
  const { config, findings } = parseConfig(undefined);
  assert.deepEqual(findings, []);
  assert.deepEqual(config.sources, ['sources/**/*.{md,txt}']);
  assert.equal(config.rules.get('quote/not-found')?.severity, 'error');
});

test('config: severities, options and off', () => {
  const text = 'sources: articles/*.txt\nrules:\n  quote/misquote: error\n  citation/unknown-source: off\n  quote/not-found: { severity: warning, scareQuoteMaxWords: 0 }\n';
  const { config, findings } = parseConfig(text);
  assert.deepEqual(findings, []);
  assert.deepEqual(config.sources, ['articles/*.txt']);
  assert.equal(config.rules.get('quote/misquote')?.severity, 'error');
  assert.equal(config.rules.get('citation/unknown-source')?.severity, 'off');
  assert.equal(config.rules.get('quote/not-found')?.severity, 'warning');
  assert.equal(config.rules.get('quote/not-found')?.options.scareQuoteMaxWords, 0);
});

test('config: not YAML → positioned error, defaults kept', () => {
  const text = 'rules:\n  quote/misquote: [error\n';
  const { config, findings } = parseConfig(text);
  assert.ok(findings.length >= 1);
  assert.equal(findings[0].ruleId, 'config/invalid');
  assert.match(findings[0].message, /not valid YAML/);
  assert.equal(config.rules.get('quote/misquote')?.severity, 'warning');
});

test('config: unknown key and unknown rule are reported at their line with a suggestion', () => {
  const text = 'sorces: x\nrules:\n  quote/misqoute: error\n';
  const { findings } = parseConfig(text);
  const messages = findings.map((f) => `${at(text, f.span.start)} ${f.message}`);
  assert.equal(findings.length, 2, messages.join('\n'));
  assert.match(messages[0], /^1:1 Unknown config key "sorces" \(did you mean "sources"\?\)/);
  assert.match(messages[1], /^3:3 Unknown rule "quote\/misqoute" \(did you mean "quote\/misquote"\?\)/);
});

test('config: wrong types and bad options point at the value', () => {
  const text = 'maxFileSize: big\nrules:\n  quote/not-found:\n    severity: loud\n    scareQuoteMaxWords: -1\n    colour: red\n';
  const { config, findings } = parseConfig(text);
  const messages = findings.map((f) => `${at(text, f.span.start)} ${f.message}`);
  assert.equal(config.maxFileSize, 1024 * 1024);
  assert.ok(messages.some((m) => m.startsWith('1:14') && /maxFileSize.*expected integer/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('4:15') && /severity must be one of/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('5:25') && /at least 0/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('6:5') && /unknown key "colour"/.test(m)), messages.join('\n'));
});

test('config: duplicate keys, empty file, a list instead of a mapping', () => {
  assert.match(parseConfig('rules: {}\nrules: {}\n').findings[0].message, /[Dd]uplicate|unique/);
  assert.deepEqual(parseConfig('').findings, []);
  assert.match(parseConfig('- a\n- b\n').findings[0].message, /must be a mapping/);
});

test('config: JSON config works too', () => {
  const { config, findings } = parseConfig('{ "rules": { "quote/misquote": "hint" } }');
  assert.deepEqual(findings, []);
  assert.equal(config.rules.get('quote/misquote')?.severity, 'hint');
});
