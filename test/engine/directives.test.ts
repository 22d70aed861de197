import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDirectives, compareFindings, disableForLineFix, lineStartsOf } from '../../server/src/engine/directives';
import { parseMarkdown } from '../../server/src/engine/markdown';
import type { Finding } from '../../server/src/engine/types';

function findingOn(text: string, needle: string, ruleId: string): Finding {
  const start = text.indexOf(needle);
  assert.ok(start >= 0, `"${needle}" not in text`);
  return { ruleId, severity: 'warning', message: 'm', span: { start, end: start + needle.length } };
}

function kept(text: string, findings: Finding[]): string[] {
  const parsed = parseMarkdown(text);
  return applyDirectives(findings, parsed.directives, lineStartsOf(text)).map((f) => `${text.slice(f.span.start, f.span.end)} ${f.ruleId}`);
}

test('directives: disable-next-line with and without ids', () => {
  const text = '<!-- provenance-disable-next-line quote/misquote -->\nalpha beta\n\n<!-- provenance-disable-next-line -->\ngamma\n\ndelta\n';
  const findings = [findingOn(text, 'alpha', 'quote/misquote'), findingOn(text, 'beta', 'quote/not-found'), findingOn(text, 'gamma', 'quote/not-found'), findingOn(text, 'delta', 'quote/not-found')];
  assert.deepEqual(kept(text, findings), ['beta quote/not-found', 'delta quote/not-found']);
});

test('directives: disable … enable ranges', () => {
  const text = 'one\n\n<!-- provenance-disable quote/misquote -->\n\ntwo\n\n<!-- provenance-enable quote/misquote -->\n\nthree\n\n<!-- provenance-disable -->\n\nfour\n';
  const findings = ['one', 'two', 'three', 'four'].map((w) => findingOn(text, w, 'quote/misquote'));
  assert.deepEqual(kept(text, findings), ['one quote/misquote', 'three quote/misquote']);
});

test('directives: the quick fix inserts a comment that silences the finding', () => {
  const text = 'intro\n\n  - item with a problem\n';
  const finding = findingOn(text, 'problem', 'style/banned-term');
  const fix = disableForLineFix(text, lineStartsOf(text), finding);
  const edit = fix.edits[0];
  const fixed = text.slice(0, edit.span.start) + edit.newText + text.slice(edit.span.end);
  assert.equal(fixed, 'intro\n\n  <!-- provenance-disable-next-line style/banned-term -->\n  - item with a problem\n');
  assert.deepEqual(kept(fixed, [findingOn(fixed, 'problem', 'style/banned-term')]), []);
});

test('directives: findings are ordered by position, then by rule id in code-unit order whatever the locale', () => {
  const at = (start: number, end: number, ruleId: string): Finding => ({ ruleId, severity: 'warning', span: { start, end }, message: ruleId });
  const findings = [at(5, 9, 'team/alpha'), at(5, 9, 'team/Zeta'), at(5, 9, 'style/name-variant'), at(5, 7, 'quote/not-found'), at(0, 3, 'team/_local'), at(0, 3, 'team/Beta')];
  // localeCompare would put "team/alpha" before "team/Zeta" and "team/_local" before "team/Beta".
  assert.deepEqual(
    [...findings].sort(compareFindings).map((f) => `${f.span.start}-${f.span.end} ${f.ruleId}`),
    ['0-3 team/Beta', '0-3 team/_local', '5-7 quote/not-found', '5-9 style/name-variant', '5-9 team/Zeta', '5-9 team/alpha'],
  );
});
