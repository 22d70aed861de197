/**
 * Claim detection's verdicts kept across runs (engine/claims/verdict-store.ts):
 * an engine of the same build that imports them detects only the sentences it
 * has no verdict for, and reports exactly what a fresh engine reports, also
 * when a kept verdict's name questions now answer otherwise, when an entry is
 * damaged, and when the team's triggers change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine, Finding } from '../../server/src/engine/index';
import { CLAIM_VERDICTS_SECTION, detectionWork } from '../../server/src/engine/claims/verdict-store';
import { checkedWith, engineWithKept, withDamagedEntry } from '../helpers/answers';

const SOURCES: Record<string, string> = {
  'sources/ferry.txt': 'Ferry timetable cut\n\nThe island ferry will sail four times a day from March instead of six. The operator said fuel costs had risen by a third.\n',
  'sources/school.txt': 'School roof repaired\n\nBuilders finished the school roof two weeks early. Pupils returned to their classrooms on Monday.\n',
};

const PIECE = `# Island notes

The ferry will sail less often from March. Fuel costs have risen by a third. The harbour was quiet this week.

Builders finished the school roof early. The children seemed glad to be back.

The island shop is run by Mr Dunmore. Dunmore opened a second till.
`;
/** Sentences of PIECE (the heading is not prose). */
const SENTENCES = 7;
function engineWith(files: Record<string, string>, buildId: string | undefined, kept?: Uint8Array, config?: string): Engine {
  return engineWithKept(files, buildId, kept, (engine) => config !== undefined && engine.setConfig('file:///ws/.provenance.yml', config));
}

/** The engine's findings for `text`, and how many sentences it ran detection on to make them. */
function checked(engine: Engine, text: string): { findings: Finding[]; detected: number } {
  const { findings, work } = checkedWith(engine, text, () => detectionWork.detected);
  return { findings, detected: work };
}

function keptVerdicts(engine: Engine): Uint8Array {
  return engine.exportIndexCache(false, [CLAIM_VERDICTS_SECTION])!;
}

test('claim-verdicts: a run of the same build detects only the sentences it has no verdict for, and reports what a fresh engine does', () => {
  const first = engineWith(SOURCES, 'build-1');
  const expected = checked(first, PIECE);
  assert.equal(expected.detected, SENTENCES);
  assert.ok(expected.findings.some((f) => f.ruleId === 'claim/unsourced'), JSON.stringify(expected.findings));

  const second = checked(engineWith(SOURCES, 'build-1', keptVerdicts(first)), PIECE);
  assert.deepEqual(second.findings, expected.findings);
  assert.equal(second.detected, 0, 'every verdict was kept');

  // One sentence changed, one added, and the rest moved: those two are detected, the others are kept (at their new offsets).
  const edited = `# Island notes\n\nA new first paragraph says 40 boats came in 2024.\n\n${PIECE.slice('# Island notes\n\n'.length).replace('The harbour was quiet this week.', 'The harbour was calm this week.')}`;
  const third = checked(engineWith(SOURCES, 'build-1', keptVerdicts(first)), edited);
  assert.deepEqual(third.findings, checked(engineWith(SOURCES, undefined), edited).findings);
  assert.equal(third.detected, 2);
});

test('claim-verdicts: a kept verdict whose name question now answers otherwise is detected again', () => {
  const first = engineWith(SOURCES, 'build-1');
  const before = checked(first, PIECE).findings.filter((f) => f.ruleId === 'claim/unsourced').map((f) => PIECE.slice(f.span.start, f.span.end));
  assert.ok(before.includes('Dunmore opened a second till.'), 'a name doing something is a claim');
  // The next run's sources write "dunmore" in lower case: an ordinary word, so the sentence starts with no name.
  const more = { ...SOURCES, 'sources/boats.txt': 'Boat names\n\nThe old dunmore was a flat boat for the harbour.\n' };
  const next = checked(engineWith(more, 'build-1', keptVerdicts(first)), PIECE);
  const fresh = checked(engineWith(more, undefined), PIECE);
  assert.deepEqual(next.findings, fresh.findings);
  assert.ok(!next.findings.some((f) => PIECE.slice(f.span.start, f.span.end) === 'Dunmore opened a second till.'));
  assert.ok(next.detected >= 1 && next.detected < SENTENCES, `only the sentences that asked about a name whose answer changed: ${next.detected}`);
});

test('claim-verdicts: another build, other triggers, no build id or a damaged entry: those verdicts are detected again', () => {
  const first = engineWith(SOURCES, 'build-1');
  const expected = checked(first, PIECE).findings;
  const kept = keptVerdicts(first);

  assert.equal(checked(engineWith(SOURCES, 'build-2', kept), PIECE).detected, SENTENCES);
  assert.equal(checked(engineWith(SOURCES, undefined, kept), PIECE).detected, SENTENCES);
  const noBuild = engineWith(SOURCES, undefined);
  checked(noBuild, PIECE);
  assert.equal(noBuild.exportIndexCache(true, [CLAIM_VERDICTS_SECTION]), undefined, 'without a build id nothing is written');

  // A team trigger makes "quiet" a claim word: the kept verdicts were made without it.
  const config = 'rules:\n  claim/unsourced:\n    triggers: [quiet]\n';
  const triggered = checked(engineWith(SOURCES, 'build-1', kept, config), PIECE);
  assert.equal(triggered.detected, SENTENCES);
  assert.deepEqual(triggered.findings, checked(engineWith(SOURCES, undefined, undefined, config), PIECE).findings);
  assert.ok(triggered.findings.some((f) => PIECE.slice(f.span.start, f.span.end) === 'The harbour was quiet this week.'));

  // One entry damaged: that sentence alone is detected again. (Keys are hashes of the sentences: the entry is found by its verdict's words.)
  const broken = withDamagedEntry(kept, CLAIM_VERDICTS_SECTION, (line) => line.includes('"text":"Dunmore opened"'), () => '{"verdict": {"claim": "yes"}}');
  const damaged = checked(engineWith(SOURCES, 'build-1', broken), PIECE);
  assert.deepEqual(damaged.findings, expected);
  assert.equal(damaged.detected, 1);
});
