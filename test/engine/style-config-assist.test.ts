/** Completion and hover in .provenance.yml from the config schema (cursor marked with `|`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configCompletions, configHover } from '../../server/src/engine/config-assist';

function complete(marked: string): string[] {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return configCompletions(text, offset).map((c) => c.label);
}

function hover(marked: string): string | undefined {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return configHover(text, offset)?.markdown;
}

test('config completion: top-level keys, minus those already written', () => {
  const labels = complete('sources: [a]\n|\n');
  assert.ok(labels.includes('rules') && labels.includes('teamRules') && labels.includes('documents'), labels.join(', '));
  assert.ok(!labels.includes('sources'));
});

test('config completion: rule ids under rules, options under a rule, severities as values', () => {
  const ids = complete('rules:\n  style/|\n');
  assert.ok(ids.includes('style/banned-term') && ids.includes('quote/misquote'), ids.join(', '));
  assert.ok(!ids.includes('config/invalid'), 'config/invalid cannot be configured');
  assert.deepEqual(complete('rules:\n  style/banned-term:\n    |\n').sort(), ['severity', 'terms']);
  assert.deepEqual(complete('rules:\n  quote/misquote: w|\n'), ['off', 'error', 'warning', 'information', 'hint']);
  assert.deepEqual(complete('rules:\n  style/weasel-words:\n    severity: |\n'), ['off', 'error', 'warning', 'information', 'hint']);
});

test('config completion: inside list items and team rules', () => {
  const termKeys = complete('rules:\n  style/banned-term:\n    terms:\n      - term: regime\n        |\n');
  assert.deepEqual(termKeys.sort(), ['ignoreCase', 'inHeadings', 'inQuotations', 'message', 'replacement']);
  assert.deepEqual(complete('rules:\n  style/banned-term:\n    terms:\n      - { term: a }\n      - inQuotations: |\n'), ['true', 'false']);
  const teamKeys = complete('teamRules:\n  no-hedging:\n    kind: existence\n    |\n');
  assert.ok(teamKeys.includes('tokens') && teamKeys.includes('scope') && !teamKeys.includes('kind'), teamKeys.join(', '));
  assert.deepEqual(complete('teamRules:\n  no-hedging:\n    kind: |\n'), ['existence', 'substitution']);
  assert.deepEqual(complete('teamRules:\n  no-hedging:\n    scope:\n      - |\n'), ['prose', 'heading', 'quotation']);
  assert.deepEqual(complete('teamRules:\n  no-hedging:\n    scope: [prose, |]\n'), ['prose', 'heading', 'quotation']);
});

test('config hover: keys explain themselves from the schema', () => {
  assert.match(hover('rules:\n  style/banned-|term: warning\n') ?? '', /team banned[\s\S]*Default severity: `warning`/);
  assert.match(hover('teamRules:\n  x:\n    sc|ope: heading\n') ?? '', /Where the rule looks[\s\S]*Values: `prose`, `heading`, `quotation`/);
  assert.match(hover('rules:\n  style/banned-term:\n    terms:\n      - inQuo|tations: true\n') ?? '', /inside quotations/);
  assert.equal(hover('rules:\n  style/banned-term: warn|ing\n'), undefined, 'values have no hover');
  assert.equal(hover('rules:\n  made/up|-rule: off\n'), undefined);
});
