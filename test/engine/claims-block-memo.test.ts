/**
 * The block memo (claims/block-memo.ts) hands an unchanged block its earlier
 * claim checks. Each edit below leaves one block's text exactly as it was but
 * changes what its sentences' checks read elsewhere in the piece — a name
 * learnt in another paragraph, a footnote's definition, the blockquote a
 * sentence ending in ":" introduces, a reference link's target — so the
 * engine that checked the earlier version must report what a fresh engine
 * reports, and differently from before. Edits that change nothing the block
 * reads must take it from the memo: only the edited block is checked again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claims, engineWith, flagged } from '../helpers/claims';
import { claimWork, claimsCarried } from '../../server/src/engine/claims/analyse';

const SOURCES: Record<string, string> = {
  'sources/ferry.txt': `Ferry timetable cut

The island ferry will sail four times a day from March instead of six. The operator said fuel costs had risen by a third.
`,
};

/**
 * Checks `before`, then `after` with the same engine; the `watched` block must be in both, unchanged. The memo
 * is used from a document's second version on, so a version with one more line is checked first: `before`
 * then fills the memo and `after` finds it.
 */
function recheck(before: string, after: string, watched: string) {
  assert.ok(before.includes(watched) && after.includes(watched), 'the watched block is in both versions');
  const engine = engineWith(SOURCES);
  claims(engine, `${before}\n`);
  const first = flagged(before, claims(engine, before));
  const checkedBefore = claimWork.sentencesChecked;
  const findings = claims(engine, after);
  const checked = claimWork.sentencesChecked - checkedBefore;
  return { first, second: flagged(after, findings), findings, fresh: claims(engineWith(SOURCES), after), checked };
}

test('claims block memo: a name learnt in another paragraph changes the verdict of an unchanged one', () => {
  const watched = 'Dunmore opened a second till.';
  // (Not right after the heading: a capitalised word after "Shop" and a blank line would be learnt as a name.)
  const before = `# Shop\n\nThe harbour was quiet.\n\n${watched}\n\nThe island shop is run by Mr Dunmore and his sister.\n`;
  const after = before.replace('run by Mr Dunmore and his sister', 'run by a family');
  const { first, second, findings, fresh } = recheck(before, after, watched);
  assert.ok(first.includes(watched), 'a name doing something is a claim');
  assert.ok(!second.includes(watched), `no name starts it any more: ${second.join(' | ')}`);
  assert.deepEqual(findings, fresh);
});

test('claims block memo: a footnote defined elsewhere decides whether an unchanged sentence is sourced', () => {
  const watched = 'The ferry will sail four times a day from March.[^1]';
  const before = `# Ferry\n\n${watched}\n\nThe harbour was quiet.\n\n[^1]: A note with no source in it.\n`;
  const after = before.replace('A note with no source in it.', 'As reported [@ferry].');
  const { first, second, findings, fresh } = recheck(before, after, watched);
  assert.ok(first.some((s) => s.startsWith('The ferry will sail')), `unsourced at first: ${first.join(' | ')}`);
  assert.ok(!second.some((s) => s.startsWith('The ferry will sail')), `sourced by the footnote: ${second.join(' | ')}`);
  assert.deepEqual(findings, fresh);
});

test('claims block memo: the blockquote after a sentence ending in ":" decides whether it is sourced', () => {
  const watched = 'The operator gave the reason for the cut on 3 March:';
  const before = `# Ferry\n\n${watched}\n\n> Fuel costs had doubled.\n`;
  const after = before.replace('> Fuel costs had doubled.', '> The operator said fuel costs had risen by a third. [@ferry]');
  const { first, second, findings, fresh } = recheck(before, after, watched);
  assert.ok(first.some((s) => s.startsWith('The operator gave')), `the misquoted blockquote sources nothing: ${first.join(' | ')}`);
  assert.ok(!second.some((s) => s.startsWith('The operator gave')), `the verified blockquote sources it: ${second.join(' | ')}`);
  assert.deepEqual(findings, fresh);
});

test('claims block memo: a reference link defined elsewhere decides whether an unchanged sentence cites a source', () => {
  const watched = 'The ferry will sail four times a day from March, [the operator said][notice].';
  const before = `# Ferry\n\n${watched}\n\n[notice]: https://example.com/elsewhere\n`;
  const after = before.replace('https://example.com/elsewhere', 'sources/ferry.txt');
  const { first, second, findings, fresh } = recheck(before, after, watched);
  assert.ok(first.some((s) => s.startsWith('The ferry will sail')), `a link to elsewhere cites nothing: ${first.join(' | ')}`);
  assert.ok(!second.some((s) => s.startsWith('The ferry will sail')), `a link to the source cites it: ${second.join(' | ')}`);
  assert.deepEqual(findings, fresh);
});

test('claims block memo: a piece\'s first check checks every sentence; an edit inside one paragraph re-checks it and the blocks next to it, and carries the rest over', () => {
  const paragraphs = Array.from({ length: 40 }, (_, i) => `The harbour fee rose by ${i + 3} pounds in ${1990 + i}. Ms Alder said boats paid ${i + 20} pounds a week.`);
  const v1 = `# Fees\n\n${paragraphs.join('\n\n')}\n`;
  const v2 = v1.replace('rose by 5 pounds', 'rose by 6 pounds');
  const v3 = v2.replace('rose by 30 pounds', 'rose by 31 pounds');
  const engine = engineWith(SOURCES);
  const counted = (text: string) => {
    const checked = claimWork.sentencesChecked;
    const carried = claimsCarried.sentences;
    claims(engine, text);
    return { checked: claimWork.sentencesChecked - checked, carried: claimsCarried.sentences - carried };
  };
  assert.deepEqual(counted(v1), { checked: 80, carried: 0 });
  // claim/unsourced keeps its findings per block (engine/block-findings.ts), so only the blocks whose key changed are
  // checked: the edited paragraph and the one before it (its sentence splitting reads 44 characters after it, into
  // the edit), two paragraphs of two sentences. The one after reads the 41 characters before it, which did not change.
  assert.deepEqual(counted(v2), { checked: 4, carried: 74 });
  // The block after v2's edit was neither checked nor carried then (its findings were kept), so v3 has two fewer to carry.
  assert.deepEqual(counted(v3), { checked: 4, carried: 72 });
  assert.deepEqual(claims(engine, v3), claims(engineWith(SOURCES), v3));
});

test('claims block memo: an edit elsewhere that changes nothing a block reads leaves it to the memo', () => {
  const paragraphs = Array.from({ length: 40 }, (_, i) => `The council spent ${i + 10} thousand pounds on the pier in ${2000 + i}. Mr Dunmore said the work took ${i + 2} weeks.`);
  const before = `# Pier\n\n${paragraphs.join('\n\n')}\n`;
  // One word changed in one paragraph, and everything after it moved by two characters.
  const after = before.replace('on the pier in 2005.', 'on the old pier in 2005.');
  const { findings, fresh, checked } = recheck(before, after, paragraphs[30]);
  assert.deepEqual(findings, fresh);
  assert.equal(findings.length, 80, 'every sentence is an unsourced claim');
  assert.equal(checked, 2, 'only the edited paragraph’s two sentences were checked again');
});
