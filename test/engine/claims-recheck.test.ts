/**
 * Re-checking an edited piece reuses claim verdicts per sentence and passage
 * answers per query. None of that may answer for a sentence whose verdict the
 * edit changed: each edit below changes what claim/unsourced reports, and the
 * engine that checked the earlier versions must report exactly what a fresh
 * engine reports for the new text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claims, engineWith, flagged } from '../helpers/claims';

const SOURCES: Record<string, string> = {
  'sources/ferry.txt': `Ferry timetable cut

The island ferry will sail four times a day from March instead of six. The operator said fuel costs had risen by a third.
`,
  'sources/school.txt': `School roof repaired

Builders finished the school roof two weeks early. Pupils returned to their classrooms on Monday.
`,
};

const PIECE = `# Island notes

The ferry will sail less often from March. Fuel costs have risen. The harbour was quiet this week.

Builders finished the school roof early. The children seemed glad to be back.

The island shop is run by Mr Dunmore. Dunmore opened a second till.
`;

test('claims re-check: every edit that changes a verdict or its sourcing is answered afresh, not from the caches', () => {
  const engine = engineWith(SOURCES);
  let text = PIECE;
  const first = claims(engine, text);
  assert.deepEqual(first, claims(engineWith(SOURCES), text));
  assert.ok(flagged(text, first).includes('The ferry will sail less often from March.'));
  assert.ok(!flagged(text, first).some((s) => s.startsWith('The harbour was quiet')), 'no claim in it yet');

  const edits: Array<{ name: string; edit: (t: string) => string; changes: (before: string[], after: string[]) => boolean }> = [
    {
      name: 'a citation added to a claim',
      edit: (t) => t.replace('less often from March.', 'less often from March [@ferry].'),
      changes: (before, after) => before.some((s) => s.startsWith('The ferry will sail')) && !after.some((s) => s.startsWith('The ferry will sail')),
    },
    {
      name: 'a number added to a sentence that was no claim',
      edit: (t) => t.replace('The harbour was quiet this week.', 'The harbour was quiet for 9 days.'),
      changes: (before, after) => !before.some((s) => s.startsWith('The harbour')) && after.some((s) => s.startsWith('The harbour was quiet for 9 days')),
    },
    {
      name: 'the citation removed again',
      edit: (t) => t.replace(' [@ferry]', ''),
      changes: (before, after) => !before.some((s) => s.startsWith('The ferry will sail')) && after.some((s) => s.startsWith('The ferry will sail')),
    },
    {
      name: 'an opinion hedge added to a claim',
      edit: (t) => t.replace('Fuel costs have risen.', 'Fuel costs may have risen.'),
      changes: (before, after) => before.some((s) => s.startsWith('Fuel costs')) && !after.some((s) => s.startsWith('Fuel costs')),
    },
    {
      name: 'a citation that ends the paragraph (covers every sentence of it)',
      edit: (t) => t.replace('quiet for 9 days.', 'quiet for 9 days [@ferry].'),
      changes: (before, after) => before.some((s) => s.startsWith('The ferry will sail')) && !after.some((s) => /^(The ferry|The harbour)/.test(s)),
    },
    {
      name: 'the only mid-sentence use of a name removed (a sentence elsewhere starts with it)',
      edit: (t) => t.replace('The island shop is run by Mr Dunmore.', 'The island shop is run by a family.'),
      changes: (before, after) => before.includes('Dunmore opened a second till.') !== after.includes('Dunmore opened a second till.'),
    },
  ];
  for (const { name, edit, changes } of edits) {
    const before = flagged(text, claims(engine, text));
    const next = edit(text);
    assert.notEqual(next, text, `${name}: the edit applies`);
    const after = claims(engine, next);
    assert.ok(changes(before, flagged(next, after)), `${name}: the flagged sentences change\nbefore: ${before.join(' | ')}\nafter: ${flagged(next, after).join(' | ')}`);
    assert.deepEqual(after, claims(engineWith(SOURCES), next), `${name}: same findings as a fresh engine`);
    text = next;
  }
});

test('claims re-check: a new source or new options change the answers for unchanged sentences', () => {
  const engine = engineWith(SOURCES);
  const text = `${PIECE}\nThe lighthouse keeper counted 40 seals on the rocks.\n`;
  const before = claims(engine, text);
  const seals = before.find((f) => text.slice(f.span.start, f.span.end).startsWith('The lighthouse keeper'))!;
  assert.equal(seals.fixes, undefined, 'no source supports it yet');

  const more = { ...SOURCES, 'sources/seals.txt': 'Seal count\n\nThe lighthouse keeper counted 40 seals on the rocks at dawn.\n' };
  engine.setSource('file:///ws/sources/seals.txt', 'sources/seals.txt', more['sources/seals.txt']);
  const withSource = claims(engine, text);
  assert.deepEqual(withSource, claims(engineWith(more), text));
  assert.equal(withSource.find((f) => f.span.start === seals.span.start)?.fixes?.[0].title, 'Cite @seals');

  const config = 'rules:\n  claim/unsourced:\n    exemptions: [lighthouse keeper]\n';
  engine.setConfig('file:///ws/.provenance.yml', config);
  const exempt = claims(engine, text);
  assert.ok(!exempt.some((f) => f.span.start === seals.span.start), 'the exemption applies to the unchanged sentence');
  assert.deepEqual(exempt, claims(engineWith(more, config), text));
});

test('claims re-check: a source that writes a name in lower case changes the verdict of an unchanged sentence that starts with it', () => {
  const engine = engineWith(SOURCES);
  const sentence = 'Dunmore opened a second till.';
  const before = flagged(PIECE, claims(engine, PIECE));
  assert.ok(before.includes(sentence), 'a name doing something is a claim');
  // Edits that keep the piece's names: the verdicts are reused as they were.
  const edited = PIECE.replace('The harbour was quiet this week.', 'The harbour was calm this week.');
  assert.deepEqual(flagged(edited, claims(engine, edited)), before);

  // Now the sources write "dunmore" in lower case: it is an ordinary word, so the sentence starts with no name.
  const more = { ...SOURCES, 'sources/boats.txt': 'Boat names\n\nThe old dunmore was a flat boat for the harbour.\n' };
  engine.setSource('file:///ws/sources/boats.txt', 'sources/boats.txt', more['sources/boats.txt']);
  const after = claims(engine, edited);
  assert.ok(!flagged(edited, after).includes(sentence), `no longer a claim: ${flagged(edited, after).join(' | ')}`);
  assert.deepEqual(after, claims(engineWith(more), edited));
});

test('claims re-check: removing the only mid-sentence use of a name changes the verdict of an unchanged sentence (same engine, nothing else in between)', () => {
  const engine = engineWith(SOURCES);
  const sentence = 'Dunmore opened a second till.';
  assert.ok(flagged(PIECE, claims(engine, PIECE)).includes(sentence));
  const edited = PIECE.replace('The island shop is run by Mr Dunmore.', 'The island shop is run by a family.');
  const after = claims(engine, edited);
  assert.ok(!flagged(edited, after).includes(sentence), `no name starts it any more: ${flagged(edited, after).join(' | ')}`);
  assert.deepEqual(after, claims(engineWith(SOURCES), edited));
});
