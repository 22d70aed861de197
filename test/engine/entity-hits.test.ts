/**
 * The names found in each block, kept across runs (engine/entities/block-hits.ts):
 * an engine of the same build, over the same sources and registry, scans only
 * the blocks it has no hits for, and reports exactly what a fresh engine
 * reports; other sources, another registry, another build or a damaged entry
 * make it scan again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine, Finding } from '../../server/src/engine/index';
import { decodeCache } from '../../server/src/engine/index-cache';
import { ENTITY_HITS_SECTION } from '../../server/src/engine/entities/block-hits';
import { checkedWith, engineWithKept, PIECE_DOC, withDamagedEntry } from '../helpers/answers';
import { blockScanWork, pieceMentionWork } from '../../server/src/engine/entities/piece';
import { BLOCK_FINDINGS_SECTION } from '../../server/src/engine/block-findings';

/** Written for this test in the shapes news uses. */
const SOURCES: Record<string, string> = {
  'sources/port.txt': `Port deal talks resume

Harbour commissioner Anna Berg met the Kellsport Port Authority (KPA) on Monday. Ms Berg said the talks were useful. Tom Reyes, the KPA's chair, said a deal was close.
`,
  'sources/ferry.txt': `Ferry fares to rise

Transport minister Daniel Okafor said fares would rise in May. Mr Okafor told the Kellsport Courier the rise was small.
`,
};

const PIECE = `# The port deal

Anna Berg met the KPA again this week, and Mr Okafor says fares will rise.

Danial Okafor and Tom Reyes did not comment.

Ms Berg said nothing more.
`;
/** The blocks of PIECE: its heading and three paragraphs. */
const BLOCKS = 4;
function engineWith(files: Record<string, string>, buildId: string | undefined, kept?: Uint8Array, registry?: string): Engine {
  return engineWithKept(files, buildId, kept, (engine) => registry !== undefined && engine.setRegistry('file:///ws/entities.yml', registry));
}

/** The engine's findings for `text`, and how many blocks it scanned for names to make them. */
function checked(engine: Engine, text: string): { findings: Finding[]; scanned: number } {
  const { findings, work } = checkedWith(engine, text, () => blockScanWork.scanned);
  return { findings, scanned: work };
}

function keptHits(engine: Engine): Uint8Array {
  return engine.exportIndexCache(false, [ENTITY_HITS_SECTION])!;
}

/** What the engine says about the piece's actors: the findings of the rules that read the mentions, and the actors list. */
function actorsOf(engine: Engine, text: string): unknown {
  return engine.actors({ ...PIECE_DOC, text });
}

test('entity-hits: a run of the same build over the same sources scans only the blocks it has no hits for, and reports what a fresh engine does', () => {
  const first = engineWith(SOURCES, 'build-1');
  const expected = checked(first, PIECE);
  assert.equal(expected.scanned, BLOCKS);
  assert.ok(expected.findings.some((f) => f.ruleId === 'style/name-variant'), JSON.stringify(expected.findings.map((f) => f.ruleId)));

  const second = engineWith(SOURCES, 'build-1', keptHits(first));
  const again = checked(second, PIECE);
  assert.deepEqual(again.findings, expected.findings);
  assert.equal(again.scanned, 0, 'every block had its hits kept');
  assert.deepEqual(actorsOf(second, PIECE), actorsOf(engineWith(SOURCES, undefined), PIECE));

  // One paragraph changed, the others moved: that one is scanned, the rest are kept.
  const edited = PIECE.replace('# The port deal\n', '# The port deal\n\nA new first line.\n').replace('did not comment', 'declined to comment');
  const third = checked(engineWith(SOURCES, 'build-1', keptHits(first)), edited);
  assert.deepEqual(third.findings, checked(engineWith(SOURCES, undefined), edited).findings);
  assert.equal(third.scanned, 2);
});

test('entity-hits: other sources, another registry, another build or a damaged entry: those blocks are scanned again', () => {
  const first = engineWith(SOURCES, 'build-1');
  const expected = checked(first, PIECE).findings;
  const kept = keptHits(first);

  // A source added: the knowledge changed, so every block is scanned, and the findings are a fresh engine's.
  const more = { ...SOURCES, 'sources/chair.txt': 'New chair\n\nTom Reyes, the KPA chair, was replaced by Tomas Reyes.\n' };
  const afterSource = checked(engineWith(more, 'build-1', kept), PIECE);
  assert.equal(afterSource.scanned, BLOCKS);
  assert.deepEqual(afterSource.findings, checked(engineWith(more, undefined), PIECE).findings);

  // The registry names an alias: scanned again.
  const registry = '- id: okafor\n  name: Daniel Okafor\n  aliases: [Danial Okafor]\n';
  const withRegistry = checked(engineWith(SOURCES, 'build-1', kept, registry), PIECE);
  assert.equal(withRegistry.scanned, BLOCKS);
  assert.deepEqual(withRegistry.findings, checked(engineWith(SOURCES, undefined, undefined, registry), PIECE).findings);
  assert.notDeepEqual(withRegistry.findings, expected, 'the registry changes what is reported');

  assert.equal(checked(engineWith(SOURCES, 'build-2', kept), PIECE).scanned, BLOCKS);
  assert.equal(checked(engineWith(SOURCES, undefined, kept), PIECE).scanned, BLOCKS);

  // One entry damaged (a pick past the end of its form's entries): that block alone is scanned again.
  const broken = withDamagedEntry(kept, ENTITY_HITS_SECTION, (line) => line.includes('"kind":"variant"'), (line) => line.replace(/"picks":\[\d+\]/, '"picks":[999]'));
  const damaged = checked(engineWith(SOURCES, 'build-1', broken), PIECE);
  assert.deepEqual(damaged.findings, expected);
  assert.equal(damaged.scanned, 1);
});

test('entity-hits: an engine that checked no piece writes the hits it was given back as they were', () => {
  const first = engineWith(SOURCES, 'build-1');
  checked(first, PIECE);
  const kept = keptHits(first);
  const idle = engineWith(SOURCES, 'build-1', kept);
  const written = idle.exportIndexCache(false, [ENTITY_HITS_SECTION])!;
  assert.deepEqual(decodeCache(written)!.get(ENTITY_HITS_SECTION), decodeCache(kept)!.get(ENTITY_HITS_SECTION));
  assert.equal(checked(engineWith(SOURCES, 'build-1', written), PIECE).scanned, 0);
});

/** The kept answers style/name-variant's next run takes: the blocks' names and its findings per block. */
function keptAnswers(engine: Engine): Uint8Array {
  return engine.exportIndexCache(false, [ENTITY_HITS_SECTION, BLOCK_FINDINGS_SECTION])!;
}

test('entity-hits: style/name-variant keeps its findings per block, so a run over an edited piece does not resolve the actors of the whole piece', () => {
  const first = engineWith(SOURCES, 'build-1');
  checked(first, PIECE);
  const edited = PIECE.replace('# The port deal\n', '# The port deal\n\nA new first line.\n').replace('Ms Berg said nothing more.', 'Ms Berg said nothing more, and Danial Okafor agreed.');
  const before = pieceMentionWork.pieces;
  const next = checked(engineWith(SOURCES, 'build-1', keptAnswers(first)), edited);
  assert.equal(pieceMentionWork.pieces, before, 'no whole-piece mentions');
  const fresh = checked(engineWith(SOURCES, undefined), edited).findings;
  assert.deepEqual(next.findings, fresh);
  assert.equal(fresh.filter((f) => f.ruleId === 'style/name-variant').length, 2, 'the kept variant and the new one');
  // Other sources: the kept findings are not used (they are kept under what the actors are made from).
  const more = { ...SOURCES, 'sources/chair.txt': 'New chair\n\nDanial Okafor is the new chair, the KPA said.\n' };
  assert.deepEqual(checked(engineWith(more, 'build-1', keptAnswers(first)), PIECE).findings, checked(engineWith(more, undefined), PIECE).findings);
});

test('entity-hits: a discouraged form two actors share is resolved against the piece, and its block is checked every time', () => {
  const registry = [
    '- id: berg',
    '  name: Anna Berg',
    '  aliases:',
    '    - { name: The Commissioner, discouraged: true }',
    '- id: okafor',
    '  name: Daniel Okafor',
    '  aliases:',
    '    - { name: The Commissioner, discouraged: true }',
    '',
  ].join('\n');
  const piece = `${PIECE}\nThe Commissioner said the talks went well.\n`;
  const first = engineWith(SOURCES, 'build-1', undefined, registry);
  const expected = checked(first, piece).findings;
  const shared = expected.filter((f) => f.ruleId === 'style/name-variant' && piece.slice(f.span.start, f.span.end) === 'The Commissioner');
  assert.equal(shared.length, 1, JSON.stringify(expected.filter((f) => f.ruleId === 'style/name-variant')));
  assert.deepEqual(expected, checked(engineWith(SOURCES, undefined, undefined, registry), piece).findings);
  // Kept: the other blocks' findings are taken, that block's are made again from the whole piece's mentions.
  const before = pieceMentionWork.pieces;
  assert.deepEqual(checked(engineWith(SOURCES, 'build-1', keptAnswers(first), registry), piece).findings, expected);
  assert.equal(pieceMentionWork.pieces, before + 1, 'the piece is resolved for that block');
});
