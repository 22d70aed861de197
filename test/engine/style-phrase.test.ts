/** The style rules' shared matching: tokens, phrase syntax, leftmost-longest matching, case transfer, inflection. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePhrase, fillMessage, matchCase, phraseProblem, PhraseMatcher, tokenize } from '../../server/src/engine/style/phrase';
import { inflect, verbForms } from '../../server/src/engine/style/inflect';

/** The texts a list of phrases finds in `text`, as written. */
function found(text: string, phrases: string[], ignoreCase = true): string[] {
  const matcher = new PhraseMatcher(phrases.map((p) => ({ phrase: compilePhrase(p, ignoreCase)!, data: p })));
  return matcher.matches(tokenize(text)).map((m) => text.slice(m.start, m.stop));
}

test('phrase: whole words only, across line breaks and emphasis, not across punctuation', () => {
  assert.deepEqual(found('They reclaim it. A claim.', ['claim']), ['claim']);
  assert.deepEqual(found('some *experts*\nbelieve it', ['some experts believe']), ['some *experts*\nbelieve']);
  assert.deepEqual(found('some experts, believe it or not', ['some experts believe']), []);
  assert.deepEqual(found('the regimen and the Regime', ['regime']), ['Regime']);
});

test('phrase: hyphens and apostrophes separate words; curly apostrophes equal straight ones', () => {
  assert.deepEqual(found("pro-Kremlin outlets and the Kremlin’s line", ['Kremlin']), ['Kremlin', 'Kremlin']);
  assert.deepEqual(found('a so-called reform, a so called reform', ['(so-called|so called)']), ['so-called', 'so called']);
  assert.deepEqual(found('it’s said and it\'s said', ["it's said"]), ['it’s said', "it's said"]);
});

test('phrase: alternatives, optional groups, longest match wins, no overlaps', () => {
  const weasel = '(some|many|a number of) (western)? (experts|observers) (say|believe)';
  assert.deepEqual(found('Many western observers believe. A number of experts say so.', [weasel]), ['Many western observers believe', 'A number of experts say']);
  assert.deepEqual(found('a so-called reform', ['called', 'so-called']), ['so-called']);
  assert.deepEqual(found('many of the critics say', ['many (of the)? critics say']), ['many of the critics say']);
  assert.deepEqual(found('many critics say', ['many (of the)? critics say']), ['many critics say']);
});

test('phrase: case-sensitive phrases and literal parentheses', () => {
  assert.deepEqual(found('Kiev, kiev', ['Kiev'], false), ['Kiev']);
  assert.deepEqual(found('the Islamic State (IS) said', ['State (IS)']), ['State (IS)']);
});

test('phrase: problems a config author gets told about', () => {
  assert.equal(phraseProblem('regime'), undefined);
  assert.match(phraseProblem('  ') ?? '', /empty/);
  assert.match(phraseProblem('(a|b)?') ?? '', /no required word/);
  assert.equal(compilePhrase('(a|b)?'), undefined);
});

test('matchCase and messages', () => {
  assert.equal(matchCase('Regime', 'government'), 'Government');
  assert.equal(matchCase('REGIME', 'government'), 'GOVERNMENT');
  assert.equal(matchCase('regime', 'Government'), 'Government');
  assert.equal(matchCase('regime', 'government'), 'government');
  assert.equal(fillMessage('Use "{replacement}", not "{match}".', { match: 'Kiev', replacement: 'Kyiv' }), 'Use "Kyiv", not "Kiev".');
  assert.equal(fillMessage('Avoid {match} ({replacement})', { match: 'x' }), 'Avoid x ({replacement})');
});

test('inflect: regular, doubled and irregular forms', () => {
  assert.deepEqual([...verbForms('claim').keys()].sort(), ['claim', 'claimed', 'claiming', 'claims']);
  assert.ok(verbForms('admit').has('admitted') && verbForms('admit').has('admitting') && verbForms('admit').has('admits'));
  assert.ok(verbForms('concede').has('conceded') && verbForms('concede').has('conceding'));
  assert.ok(verbForms('confess').has('confesses'));
  assert.equal(inflect('say', 'past'), 'said');
  assert.equal(inflect('say', 'third'), 'says');
  assert.equal(inflect('say', 'gerund'), 'saying');
  assert.equal(inflect('reply', 'past'), 'replied');
  assert.equal(inflect('reply', 'third'), 'replies');
  assert.equal(inflect('admit', 'past'), 'admitted');
  assert.equal(inflect('visit', 'past'), 'visited');
  assert.equal(inflect('stop', 'gerund'), 'stopping');
  assert.equal(inflect('write', 'participle'), 'written');
  assert.equal(inflect('lash out', 'past'), 'lashed out');
});
