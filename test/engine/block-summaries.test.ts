/**
 * Blocks' summaries (engine/block-summaries.ts): the piece-wide style rules
 * (an acronym's first use, a sentence opener that the piece writes as a name
 * elsewhere) fold a summary per block, kept per block, so a re-check
 * summarises only the blocks an edit changed, in one engine from version to
 * version and, through the checks cache, from one engine to the next. What
 * they report is always what an engine that keeps nothing reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBelow, randomEdit } from '../helpers/edits';
import { createEngine, type Engine, type Finding } from '../../server/src/engine/index';
import { BLOCK_SUMMARIES_SECTION, summaryWork } from '../../server/src/engine/block-summaries';

const CONFIG = `sources:
  - sources/*.txt
`;

const SOURCES: Record<string, string> = {
  'sources/trade.txt': 'Trade bloc\n\nThe Eurasian Economic Union (EAEU) met in Minsk. The Commonwealth of Independent States (CIS) sent observers.\n',
};

const PIECE = `# TALKS OF THE EAEU AND CIS IN MINSK

The EAEU met on Monday. Later, the Commonwealth of Independent States (CIS) sent observers.

Delegates from the GCC attended [@trade]. The Gulf Cooperation Council (GCC) had asked to come.

- The WTO was not invited.
- Observers from the CIS stayed.

Lavrov claims that the talks went well. Officials said Lavrov insisted that the date stay.

Critics claimed that the summit was a show. The NDB was not mentioned.
`;

const RULES = new Set(['style/acronym-first-use', 'style/attribution-verb']);

function engineWith(options: { buildId?: string; keepBlockFindings?: boolean } = {}): Engine {
  const engine = createEngine(options);
  engine.setConfig('file:///ws/.provenance.yml', CONFIG);
  for (const [file, text] of Object.entries(SOURCES)) engine.setSource(`file:///ws/${file}`, file, text);
  return engine;
}

const doc = (text: string) => ({ uri: 'file:///ws/piece.md', path: 'piece.md', text });
const folded = (findings: Finding[]) => findings.filter((f) => RULES.has(f.ruleId));

/** The summaries made while `run` runs. */
function made<T>(run: () => T): { result: T; made: number } {
  const before = summaryWork.made;
  const result = run();
  return { result, made: summaryWork.made - before };
}

test('block summaries: the fixture fires both rules that fold them, and a shouted heading is no first use', () => {
  const findings = folded(engineWith().check(doc(PIECE)));
  const acronyms = findings.filter((f) => f.ruleId === 'style/acronym-first-use').map((f) => (f.data as { acronym: string }).acronym);
  // EAEU, CIS: first used in the heading written in capitals, which is not flagged. GCC: used before its expansion,
  // which the fix writes. WTO, NDB: never spelt out.
  assert.deepEqual(acronyms, ['GCC', 'WTO', 'NDB']);
  assert.match(findings.find((f) => (f.data as { acronym?: string }).acronym === 'GCC')!.message, /Gulf Cooperation Council \(GCC\)/);
  // "Lavrov claims …": a sentence opener, but the piece writes Lavrov mid-sentence, so it is a name and "claims" a verb.
  const verbs = findings.filter((f) => f.ruleId === 'style/attribution-verb').map((f) => PIECE.slice(f.span.start, f.span.end));
  assert.deepEqual(verbs, ['claims', 'insisted', 'claimed']);
});

test('block summaries: an edit summarises only the block it changed; a moved block keeps its summaries', () => {
  const engine = engineWith();
  const blockCount = engine.parsed(doc(PIECE)).blocks.length;
  assert.equal(made(() => engine.check(doc(PIECE))).made, 2 * blockCount, 'both kinds, every block, the first time');
  assert.equal(made(() => engine.check(doc(PIECE))).made, 0, 'the same text: none');

  // One acronym spelt out earlier: the first paragraph changes, and the GCC finding goes.
  const edited = PIECE.replace('The EAEU met on Monday.', 'The EAEU met the Gulf Cooperation Council (GCC) on Monday.');
  const run = made(() => engine.check(doc(edited)));
  assert.equal(run.made, 2, 'the changed block, once per kind');
  assert.deepEqual(folded(run.result), folded(engineWith({ keepBlockFindings: false }).check(doc(edited))));
  assert.ok(!run.result.some((f) => (f.data as { acronym?: string } | undefined)?.acronym === 'GCC'), 'GCC is now spelt out before its first use');

  // Two paragraphs swapped: every block is one the engine summarised, at another place.
  const paragraphs = edited.split('\n\n');
  [paragraphs[2], paragraphs[4]] = [paragraphs[4], paragraphs[2]];
  const swapped = paragraphs.join('\n\n');
  const moved = made(() => engine.check(doc(swapped)));
  assert.equal(moved.made, 0);
  assert.deepEqual(folded(moved.result), folded(engineWith({ keepBlockFindings: false }).check(doc(swapped))));
});

test('block summaries: the acronyms read one character past the block, so a change there alone summarises it again', () => {
  const engine = engineWith();
  const open = '# Talks of the Gulf Cooperation Council (GCC)\n\nLater talks.\n';
  // A closing sequence: the heading's text is the same, the character after it a space instead of a line break.
  const closed = open.replace('(GCC)\n', '(GCC) #\n');
  const heading = (text: string) => engine.parsed(doc(text)).blocks[0];
  assert.equal(closed.slice(heading(closed).span.start, heading(closed).span.end), open.slice(heading(open).span.start, heading(open).span.end));
  engine.check(doc(open));
  assert.equal(made(() => engine.check(doc(closed))).made, 1, 'the heading\'s acronyms, for the character after it');
  assert.equal(made(() => engine.check(doc(closed))).made, 0);
});

test('block summaries: kept in the checks cache, they serve the next engine of the same build, and not another build', () => {
  const first = engineWith({ buildId: 'build-1' });
  first.beginAnswerScope();
  const findings = first.check(doc(PIECE));
  const bytes = first.exportIndexCache(false, [BLOCK_SUMMARIES_SECTION]);

  const next = engineWith({ buildId: 'build-1' });
  next.importIndexCache(bytes!);
  const same = made(() => next.check(doc(PIECE)));
  assert.equal(same.made, 0, 'every summary taken from the section');
  assert.deepEqual(same.result, findings);

  const other = engineWith({ buildId: 'build-2' });
  other.importIndexCache(bytes!);
  const blockCount = other.parsed(doc(PIECE)).blocks.length;
  assert.equal(made(() => other.check(doc(PIECE))).made, 2 * blockCount, 'another build makes its own');
});


const SNIPPETS = ['EAEU ', 'the Eurasian Economic Union ', '(NDB) ', 'New Development Bank ', 'Lavrov ', ' claimed that', '"', '[@trade]', '\n', '\n\n', '> ', '# ', '- ', 'WTO', 's\'', '`code` ', '<!-- provenance-disable-next-line -->\n'];

test('block summaries: after every random edit, the engine that kept summaries from the earlier versions reports what an engine that keeps nothing reports', () => {
  const engine = engineWith();
  for (const seed of [21, 22, 23]) {
    const next = randomBelow(seed);
    let text = PIECE;
    for (let step = 0; step < 80; step++) {
      text = randomEdit(text, PIECE, SNIPPETS, next);
      assert.deepEqual(folded(engine.check(doc(text))), folded(engineWith({ keepBlockFindings: false }).check(doc(text))), `seed ${seed}, step ${step}:\n${text}`);
    }
  }
});
