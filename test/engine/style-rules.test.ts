/**
 * Style rules and team rules through the engine façade: quick fixes, options,
 * config problems at their exact place, docs links, inline control.
 * Positions are found by text, never counted by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine, type Finding, type Fix } from '../../server/src/engine/index';
import { rules } from '../../server/src/engine/rules/index';
import { REPO_ROOT } from '../helpers/repo';

const DOC_URI = 'file:///w/piece.md';

function setup(config?: string) {
  const engine = createEngine({ docsBaseUrl: 'docs/rules/' });
  const configFindings = engine.setConfig(config === undefined ? undefined : 'file:///w/.provenance.yml', config);
  return { engine, configFindings };
}

function findings(config: string | undefined, text: string, prefix: string): Finding[] {
  return setup(config).engine.check({ uri: DOC_URI, text }).filter((f) => f.ruleId.startsWith(prefix));
}

/** What each finding covers, as written: `claimed`, `some experts believe`. */
function covered(text: string, list: Finding[]): string[] {
  return list.map((f) => text.slice(f.span.start, f.span.end));
}

function apply(text: string, fix: Fix): string {
  const edits = [...fix.edits].sort((a, b) => b.span.start - a.span.start);
  let result = text;
  for (const edit of edits) result = result.slice(0, edit.span.start) + edit.newText + result.slice(edit.span.end);
  return result;
}

/** 1-based line:column of an offset. */
function at(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

test('attribution-verb: the fix puts the neutral verb in the same form', () => {
  const text = [
    'Barta claimed that the budget balanced.',
    'They claim that it is late.',
    'The operator, confessing that the boats were old, asked for money.',
    'The mayor has insisted that the ferry is safe.',
    'Insisted, the ferry runs.',
    'She admitted to having moved the money.',
  ].join('\n\n');
  const list = findings(undefined, text, 'style/attribution-verb');
  assert.deepEqual(covered(text, list), ['claimed', 'claim', 'confessing', 'insisted', 'Insisted', 'admitted']);
  const fixed = list.map((f) => (f.fixes?.[0] ? apply(text, f.fixes[0]).slice(f.span.start, f.span.start + 12) : 'no fix'));
  assert.deepEqual(fixed, ['said that th', 'say that it ', 'saying that ', 'said that th', 'Said, the fe', 'no fix']);
  assert.match(list[0].message, /^"claimed" casts doubt on the speaker; "said" is neutral\.$/);
  assert.equal(list[0].severity, 'information');
});

test('attribution-verb: options replace, extend and trim the verb list', () => {
  const text = 'He screamed that the plan was late, and she claimed that it was late. He admitted that.';
  const config = 'rules:\n  style/attribution-verb:\n    additionalVerbs:\n      - { verb: scream, suggestion: write, reason: is melodrama }\n    allow: [admit]\n';
  const list = findings(config, text, 'style/attribution-verb');
  assert.deepEqual(covered(text, list), ['screamed', 'claimed']);
  assert.equal(list[0].message, '"screamed" is melodrama; "wrote" is neutral.');
  const only = findings('rules:\n  style/attribution-verb: { verbs: [admit] }\n', text, 'style/attribution-verb');
  assert.deepEqual(covered(text, only), ['admitted']);
});

test('banned-term: replacements keep the capitalisation; several replacements give several fixes; quotations get no fix', () => {
  const config = [
    'rules:',
    '  style/banned-term:',
    '    terms:',
    '      - { term: regime, replacement: [government, administration] }',
    '      - { term: junta, inQuotations: true, message: "Say who: {match} is vague ({replacement})." }',
  ].join('\n');
  const text = 'Regime officials met. The REGIME fell. A junta is not "a junta of colonels" here.';
  const list = findings(config, text, 'style/banned-term');
  assert.deepEqual(covered(text, list), ['Regime', 'REGIME', 'junta', 'junta']);
  assert.deepEqual(list[0].fixes?.map((f) => f.edits[0].newText), ['Government', 'Administration']);
  assert.equal(list[0].fixes?.[0].isPreferred, true);
  assert.deepEqual(list[1].fixes?.map((f) => f.edits[0].newText), ['GOVERNMENT', 'ADMINISTRATION']);
  assert.equal(list[2].message, 'Say who: junta is vague ({replacement}).');
  assert.equal(list[3].fixes, undefined);
  assert.match(list[3].message, /Inside a quotation/);
});

test('banned-term: a string entry, a case-sensitive entry, bad options reported at their line', () => {
  const text = 'Kiev and kiev; the pundit spoke.';
  const good = 'rules:\n  style/banned-term:\n    terms: [pundit, { term: Kiev, replacement: Kyiv, ignoreCase: false }]\n';
  assert.deepEqual(covered(text, findings(good, text, 'style/banned-term')), ['Kiev', 'pundit']);
  const bad = 'rules:\n  style/banned-term:\n    terms:\n      - { term: regime, replacment: government }\n      - 42\n';
  const { configFindings } = setup(bad);
  const where = configFindings.map((f) => `${at(bad, f.span.start)} ${f.message}`);
  assert.ok(where.some((w) => w.startsWith('4:25') && /unknown key "replacment" \(did you mean "replacement"\?\)/.test(w)), where.join('\n'));
  assert.ok(where.some((w) => w.startsWith('5:9')), where.join('\n'));
});

test('weasel-words: built-in phrases, added phrases and allowed phrases', () => {
  const text = 'Some experts believe it. Most historians agree. Insiders close to the mayor say no. Critics say yes.';
  assert.deepEqual(covered(text, findings(undefined, text, 'style/weasel-words')), ['Some experts believe', 'Most historians agree', 'Critics say']);
  const config = 'rules:\n  style/weasel-words:\n    additionalPhrases: ["(insiders|sources) close to"]\n    allow: ["most historians agree"]\n';
  assert.deepEqual(covered(text, findings(config, text, 'style/weasel-words')), ['Some experts believe', 'Insiders close to', 'Critics say']);
});

test('style rules stay out of quotations, headings, code, comments, link targets, citations and front matter', () => {
  const config = 'rules:\n  style/banned-term: { terms: [regime] }\n';
  const text = [
    '---',
    'title: the regime claimed that',
    '---',
    '# The regime claimed that critics say',
    '',
    'He quoted "the regime claimed that critics say" [@regime-paper], `regime`, <!-- regime -->, [link](https://x.org/regime) and https://x.org/regime.',
    '',
    '```',
    'regime claimed that; critics say',
    '```',
  ].join('\n');
  assert.deepEqual(covered(text, findings(config, text, 'style/')), []);
});

test('team rules: existence with tokens and RE2 patterns, substitution with a fix, scopes', () => {
  const config = [
    'teamRules:',
    '  no-hedging:',
    '    kind: existence',
    '    tokens: [arguably]',
    "    patterns: ['\\b\\d+ ?per ?cent\\b']",
    '    message: Cut "{match}".',
    '    severity: error',
    '  spellings:',
    '    kind: substitution',
    '    swap: { Kiev: Kyiv, "e-mail": [email, mail] }',
    '    scope: [heading, quotation]',
  ].join('\n');
  const { engine, configFindings } = setup(config);
  assert.deepEqual(configFindings, []);
  const text = '# From Kiev\n\nArguably 12 per cent of trips; Kiev in prose is fine, and "an e-mail from Kiev" is quoted.\n';
  const list = engine.check({ uri: DOC_URI, text }).filter((f) => f.ruleId.startsWith('team/'));
  assert.deepEqual(
    list.map((f) => `${f.ruleId} ${f.severity} ${text.slice(f.span.start, f.span.end)}`),
    ['team/spellings warning Kiev', 'team/no-hedging error Arguably', 'team/no-hedging error 12 per cent', 'team/spellings warning e-mail', 'team/spellings warning Kiev'],
  );
  assert.equal(list[1].message, 'Cut "Arguably".');
  assert.equal(list[0].message, 'Use "Kyiv" instead of "Kiev".');
  assert.equal(list[0].fixes?.[0].edits[0].newText, 'Kyiv');
  assert.equal(list[3].fixes, undefined, 'a quotation cannot be reworded');
  assert.equal(engine.ruleDocsUrl('team/spellings'), 'docs/rules/team.md');
});

test('team rules: problems are reported at their exact line; the other rules keep working', () => {
  const config = [
    'teamRules:',
    '  lookbehind:',
    '    kind: existence',
    "    patterns: ['(?<=the )regime']",
    '  backref:',
    '    kind: existence',
    "    patterns: ['(\\w+) \\1']",
    '  Bad_Name:',
    '    kind: existence',
    '    tokens: [x]',
    '  mixed:',
    '    kind: existence',
    '    swap: { a: b }',
    '  unknown-key:',
    '    kind: substitution',
    '    swap: { a: b }',
    '    colour: red',
    '  broken-regex:',
    '    kind: existence',
    "    patterns: ['(unclosed']",
    '  fine:',
    '    kind: existence',
    '    tokens: [arguably]',
    'rules:',
    '  team/fine: error',
  ].join('\n');
  const { engine, configFindings } = setup(config);
  const where = configFindings.map((f) => `${at(config, f.span.start)} ${f.ruleId} ${f.message}`);
  const expect = (prefix: string, pattern: RegExp) => assert.ok(where.some((w) => w.startsWith(prefix) && pattern.test(w)), `${prefix} ${pattern}\n${where.join('\n')}`);
  expect('4:16 config/invalid', /lookbehind/);
  expect('7:16 config/invalid', /backreference/);
  expect('8:3 config/invalid', /lower-case words joined by hyphens/);
  expect('13:5 config/invalid', /"swap" belongs to substitution rules/);
  expect('17:5 config/invalid', /unknown key "colour"/);
  expect('20:16 config/invalid', /not a valid RE2 regular expression/);
  expect('25:3 config/invalid', /team rule: set its severity in teamRules\.fine\.severity/);
  assert.ok(configFindings.every((f) => f.severity === 'error'));
  const found = engine.check({ uri: DOC_URI, text: 'Arguably the regime regime.' }).filter((f) => f.ruleId.startsWith('team/'));
  assert.deepEqual(found.map((f) => f.ruleId), ['team/fine']);
});

test('team rules: ^ and $ anchor at lines; case follows ignoreCase', () => {
  const config = "teamRules:\n  openers:\n    kind: existence\n    patterns: ['^So,', 'etc\\.$']\n    ignoreCase: false\n";
  const { engine, configFindings } = setup(config);
  assert.deepEqual(configFindings, []);
  const text = 'So, the first line ends with etc.\nso, a second line of the same paragraph, etc.\n\n- So, a list item.\n';
  const found = engine.check({ uri: DOC_URI, text }).filter((f) => f.ruleId === 'team/openers');
  assert.deepEqual(found.map((f) => `${at(text, f.span.start)} ${text.slice(f.span.start, f.span.end)}`), ['1:1 So,', '1:30 etc.', '2:42 etc.']);
});

test('team rules: a pattern that would backtrack forever runs in linear time', () => {
  const config = "teamRules:\n  slow:\n    kind: existence\n    patterns: ['(a+)+$']\n";
  const { engine, configFindings } = setup(config);
  assert.deepEqual(configFindings, []);
  const text = 'a'.repeat(50_000) + 'b\n';
  const started = performance.now();
  engine.check({ uri: DOC_URI, text });
  assert.ok(performance.now() - started < 5_000, 'the check should not hang');
});

test('inline control silences style and team rules by id, and all rules without one', () => {
  const config = 'rules:\n  style/banned-term: { terms: [regime] }\nteamRules:\n  hedges: { kind: existence, tokens: [arguably] }\n';
  const text = [
    '<!-- provenance-disable-next-line style/banned-term -->',
    'The regime, arguably.',
    '',
    '<!-- provenance-disable team/hedges -->',
    'The regime, arguably.',
    '<!-- provenance-enable team/hedges -->',
    '',
    '<!-- provenance-disable -->',
    'The regime, arguably.',
    '',
    '<!-- provenance-enable style/banned-term -->',
    '',
    'The regime, arguably.',
    '',
    '<!-- provenance-enable -->',
    '',
    'The regime, arguably.',
  ].join('\n');
  const list = setup(config).engine.check({ uri: DOC_URI, text });
  assert.deepEqual(
    list.map((f) => `${at(text, f.span.start).split(':')[0]} ${f.ruleId}`),
    ['2 team/hedges', '5 style/banned-term', '13 style/banned-term', '17 style/banned-term', '17 team/hedges'],
  );
});

test('"Disable rule for this line" keeps a paragraph whole and silences the finding', () => {
  const config = 'rules:\n  style/banned-term: { terms: [regime] }\n';
  const { engine } = setup(config);
  const text = 'Intro.\n\n- first line of an item\n  and the regime on its second line  \n  and a third.\n';
  const finding = engine.check({ uri: DOC_URI, text }).find((f) => f.ruleId === 'style/banned-term')!;
  const fixes = engine.codeActions({ uri: DOC_URI, text }, finding.span, [finding]);
  const disable = fixes.find((f) => f.title === 'Disable style/banned-term for this line')!;
  const fixed = apply(text, disable);
  assert.equal(fixed, 'Intro.\n\n- first line of an item <!-- provenance-disable-next-line style/banned-term -->\n  and the regime on its second line  \n  and a third.\n');
  assert.deepEqual(engine.check({ uri: DOC_URI, text: fixed }).filter((f) => f.ruleId === 'style/banned-term'), []);
  const firstLine = 'The regime.\n';
  const onFirst = engine.check({ uri: DOC_URI, text: firstLine })[0];
  const above = apply(firstLine, engine.codeActions({ uri: DOC_URI, text: firstLine }, onFirst.span, [onFirst]).find((f) => f.title.startsWith('Disable'))!);
  assert.equal(above, '<!-- provenance-disable-next-line style/banned-term -->\nThe regime.\n');
  assert.deepEqual(engine.check({ uri: DOC_URI, text: above }), []);
});

test('"Disable rule" in a table wraps the table, which a comment line between rows would end', () => {
  const config = 'rules:\n  style/banned-term: { terms: [regime] }\n';
  const { engine } = setup(config);
  const text = 'Before.\n\n| who | what |\n|-----|------|\n| mayor | fine |\n| council | the regime |\n| port | fine |\n\nAfter the regime.\n';
  const findings = engine.check({ uri: DOC_URI, text }).filter((f) => f.ruleId === 'style/banned-term');
  assert.equal(findings.length, 2);
  const fix = engine.codeActions({ uri: DOC_URI, text }, findings[0].span, [findings[0]]).find((f) => f.title.startsWith('Disable'))!;
  assert.equal(fix.title, 'Disable style/banned-term for this table');
  const fixed = apply(text, fix);
  assert.equal(
    fixed,
    'Before.\n\n<!-- provenance-disable style/banned-term -->\n\n| who | what |\n|-----|------|\n| mayor | fine |\n| council | the regime |\n| port | fine |\n\n<!-- provenance-enable style/banned-term -->\n\nAfter the regime.\n',
  );
  const after = engine.check({ uri: DOC_URI, text: fixed }).filter((f) => f.ruleId === 'style/banned-term');
  assert.deepEqual(after.map((f) => fixed.slice(f.span.start - 10, f.span.end)), ['After the regime']);
});

test('every rule id and every team rule id links to a docs page that exists', () => {
  const engine = createEngine({ docsBaseUrl: 'docs/rules/' });
  for (const id of [...rules.map((r) => r.id), 'team/anything']) {
    const href = engine.ruleDocsUrl(id);
    assert.ok(fs.existsSync(path.join(REPO_ROOT, href)), `${id} → ${href} does not exist`);
  }
});

test('style rules on a large piece stay fast', () => {
  const config = 'rules:\n  style/banned-term: { terms: [regime, "so-called", "(e-mail|e mail)"] }\nteamRules:\n  hedges: { kind: existence, tokens: [arguably], patterns: ["\\\\b\\\\d+ per cent\\\\b"] }\n';
  const paragraph =
    'Mayor Barta claimed that the regime would keep the ferry, and some experts believe her; critics say the *so-called* plan costs 12 per cent more, arguably. "We will run all winter," she said. See `code` and [a link](https://example.org).\n\n';
  const text = paragraph.repeat(Math.ceil(2_000_000 / paragraph.length));
  const { engine } = setup(config);
  const started = performance.now();
  const list = engine.check({ uri: DOC_URI, text }).filter((f) => f.ruleId.startsWith('style/') || f.ruleId.startsWith('team/'));
  const ms = performance.now() - started;
  console.log(`style+team rules on ${(text.length / 1e6).toFixed(1)} MB: ${list.length} findings, whole check ${Math.round(ms)} ms`);
  assert.ok(list.length > 1000);
});
