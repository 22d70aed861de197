/**
 * Findings kept per block (engine/block-findings.ts): a block-scoped rule
 * runs only over the blocks whose text changed, in one engine from version to
 * version and, through the checks cache's sections, from one engine to the
 * next; what it reports is always what a fresh engine reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBelow, randomEdit } from '../helpers/edits';
import { createEngine, ANSWER_SECTIONS, type Engine } from '../../server/src/engine/index';
import { ruleById, rules } from '../../server/src/engine/rules/index';
import { BLOCK_FINDINGS_SECTION, blockRuleGroups, SOURCED_BLOCK_FINDINGS_SECTION } from '../../server/src/engine/block-findings';
import type { Rule } from '../../server/src/engine/rules/rule';

const CONFIG = `sources:
  - sources/*.txt
rules:
  style/banned-term:
    terms:
      - { term: regime, replacement: government, inQuotations: true, inHeadings: true }
      - dictator
`;

const SOURCES: Record<string, string> = {
  'sources/harbour.txt': 'Council approves harbour wall\n\nThe mayor said the wall was "a fair price for a safe harbour". The harbour master said the quay would reopen in May.\n',
  'sources/tolls.txt': 'Tolls rise\n\nTolls on the bridge rose by 12% in 2023, the council said, and will rise again next spring.\n',
  'sources/talks.txt': 'Peace talks\n\nJack Straw spoke on Monday. The conference was a "vital step" towards peace, Mr Straw said. He added: "We will keep talking until there is a deal."\n',
};

const PIECE = `# The regime and the harbour

The mayor called the wall "a fair price for a safe harbour" [@tolls]. Some experts say the regime will fall.

The harbour master said "the quay would reopen in June" [@harbour]. Critics insisted that the dictator had lied.

> Tolls on the bridge rose by 12% in 2023

— the council, in its statement [@harbour]

Nothing here at all. "Invented words that no source has ever printed" [@tolls].[^1]

[^1]: The council "will rise again next spring" [@tolls].

Mahmoud Abbas said the conference was a "vital step" towards peace [@talks]. Mahmoud Abbas said he was tired.

He said "We will keep talking until there is a deal" [@talks].
`;

const BLOCK_RULES = ['style/attribution-verb', 'style/banned-term', 'style/weasel-words', 'quote/not-found', 'quote/misquote', 'quote/misattributed', 'citation/wrong-source', 'claim/unsourced'];

function engineWith(buildId?: string, sources = SOURCES): Engine {
  const engine = createEngine({ buildId });
  engine.setConfig('file:///ws/.provenance.yml', CONFIG);
  for (const [file, text] of Object.entries(sources)) engine.setSource(`file:///ws/${file}`, file, text);
  return engine;
}

/** Records the blocks each block-scoped rule is asked to check (undefined: the whole piece), while `run` runs. */
function blocksChecked<T>(run: () => T): { result: T; checked: Map<string, number[] | undefined> } {
  const checked = new Map<string, number[] | undefined>();
  const originals = BLOCK_RULES.map((id) => [ruleById.get(id)!, ruleById.get(id)!.check!] as const);
  for (const [rule, check] of originals) {
    (rule as Rule).check = (context) => {
      checked.set(rule.id, [...(checked.get(rule.id) ?? []), ...(context.blocks?.indices ?? [-1])]);
      check(context);
    };
  }
  try {
    return { result: run(), checked };
  } finally {
    for (const [rule, check] of originals) (rule as Rule).check = check;
  }
}

const doc = (text: string) => ({ uri: 'file:///ws/piece.md', path: 'piece.md', text });

/** The fixture's block whose quotation quote/misattributed attributes through a pronoun to the block before. */
const pronounBlock = (engine: Engine) => engine.parsed(doc(PIECE)).quotations.find((q) => q.text.startsWith('We will keep talking'))!.blockIndex;
/** Whether a rule's findings are kept with quote/misattributed's (the quotation rules that read the sources). */
const inQuotationGroup = (id: string) => !!ruleById.get(id)!.readsSources && !ruleById.get(id)!.pieceKey;

test('block findings: the rules are block-scoped, in four groups kept apart, and the fixture fires each of them', () => {
  for (const id of BLOCK_RULES) assert.equal(ruleById.get(id)!.scope, 'block', id);
  // The quotation rules (the sources), claim/unsourced (the sources and the names the piece teaches), the style rules (the
  // piece alone), style/name-variant (the actors the sources and the registry make: test/engine/entity-hits.test.ts).
  const groups = blockRuleGroups(rules.filter((rule) => rule.scope === 'block').map((rule) => ({ rule, options: {} })));
  assert.deepEqual(groups.map((group) => group.map((run) => run.rule.id)), [['quote/not-found', 'quote/misquote', 'quote/misattributed', 'citation/wrong-source'], ['claim/unsourced'], ['style/attribution-verb', 'style/banned-term', 'style/weasel-words'], ['style/name-variant']]);
  const findings = engineWith().check(doc(PIECE));
  for (const id of BLOCK_RULES) assert.ok(findings.some((f) => f.ruleId === id), `${id} fires on the fixture`);
});

test('block findings: an edit re-checks only the block it changed (and its neighbours, for rules that read around a block); moved blocks keep their findings', () => {
  const engine = engineWith();
  const first = blocksChecked(() => engine.check(doc(PIECE)));
  const blockCount = engine.parsed(doc(PIECE)).blocks.length;
  for (const id of BLOCK_RULES) assert.deepEqual(first.checked.get(id), [...Array(blockCount).keys()], `${id}: every block, the first time`);
  // The same text again: only the block whose findings read the rest of the piece (the pronoun that quote/misattributed
  // resolves to a speaker named in the block before), for the rules kept with it.
  const again = blocksChecked(() => engine.check(doc(PIECE)));
  const always = (id: string) => again.checked.get(id) ?? [];
  const pronoun = pronounBlock(engine);
  for (const id of BLOCK_RULES) assert.deepEqual(always(id), inQuotationGroup(id) ? [pronoun] : [], id);

  // One word changed in the third block (the harbour master's paragraph).
  const edited = PIECE.replace('Critics insisted', 'Critics claimed');
  const second = blocksChecked(() => engine.check(doc(edited)));
  const changed = engine.parsed(doc(edited)).blocks.findIndex((block) => edited.slice(block.span.start, block.span.end).includes('Critics claimed'));
  // Rules that read sentences read the 41 characters before each block too: the block after the edited one is checked
  // again with them.
  for (const id of BLOCK_RULES) {
    const readsAround = inQuotationGroup(id) || id === 'claim/unsourced';
    assert.deepEqual(second.checked.get(id), [...new Set([changed, ...(readsAround ? [changed + 1] : []), ...always(id)])].sort((a, b) => a - b), id);
  }
  assert.deepEqual(second.result, engineWith().check(doc(edited)));
  assert.ok(second.result.some((f) => f.ruleId === 'style/attribution-verb' && f.message.startsWith('"claimed"')));

  // Two paragraphs swapped: every block's text is one the engine has kept, at another place.
  const paragraphs = edited.split('\n\n');
  [paragraphs[1], paragraphs[2]] = [paragraphs[2], paragraphs[1]];
  const swapped = paragraphs.join('\n\n');
  const third = blocksChecked(() => engine.check(doc(swapped)));
  // The style rules read nothing around a block: none is checked. The rules that read sentences read the text around
  // the two paragraphs, which changed: those and their neighbours (the heading before, the blockquote after) are.
  for (const id of BLOCK_RULES) {
    const readsAround = inQuotationGroup(id) || id === 'claim/unsourced';
    assert.deepEqual(third.checked.get(id) ?? [], [...(readsAround ? [0, 1, 2, 3] : []), ...always(id)], id);
  }
  assert.deepEqual(third.result, engineWith().check(doc(swapped)), 'the kept findings moved with their blocks');
});

test('block findings: the rules read only their block, so a changed citation elsewhere re-checks the quotation that cites it', () => {
  const engine = engineWith();
  engine.check(doc(PIECE));
  // The footnote's definition is another block than the quotation that cites through it.
  const retargeted = PIECE.replace('[^1]: The council "will rise again next spring" [@tolls].', '[^1]: The council "will rise again next spring" [@harbour].');
  const run = blocksChecked(() => engine.check(doc(retargeted)));
  assert.deepEqual(run.result, engineWith().check(doc(retargeted)));
  const quoting = engine.parsed(doc(retargeted)).quotations.find((q) => q.text.startsWith('Invented words'))!;
  assert.ok(run.checked.get('quote/not-found')!.includes(quoting.blockIndex), 'the quotation citing through the footnote is checked again');
});

test('block findings: a sentence-opening name asks the whole piece, so its block is checked every time and follows the rest of the piece', () => {
  const engine = engineWith();
  // "Ofcom claims that" is an attribution only if Ofcom is a name: the piece must write it capitalised mid-sentence.
  const without = 'Ofcom claims that prices rose.\n\nThe report was late.\n';
  const withName = 'Ofcom claims that prices rose.\n\nThe report by Ofcom was late.\n';
  const verbs = (findings: ReturnType<Engine['check']>) => findings.filter((f) => f.ruleId === 'style/attribution-verb').length;
  assert.equal(verbs(engine.check(doc(without))), 0);
  const run = blocksChecked(() => engine.check(doc(withName)));
  assert.equal(verbs(run.result), 1);
  assert.deepEqual(run.checked.get('style/attribution-verb'), [0, 1], 'the opener\'s block is checked again with the changed one');
  assert.equal(verbs(engine.check(doc(without))), 0);
  assert.deepEqual(engine.check(doc(withName)), engineWith().check(doc(withName)));
});

test('block findings: kept in the checks cache, they serve the next engine of the same build; the quotation rules\' only for the same sources', () => {
  const writer = engineWith('build-1');
  writer.check(doc(PIECE));
  const bytes = writer.exportIndexCache(false, ANSWER_SECTIONS);
  assert.ok(bytes);

  const reader = engineWith('build-1');
  reader.importIndexCache(bytes);
  const warm = blocksChecked(() => reader.check(doc(PIECE)));
  for (const id of BLOCK_RULES) assert.deepEqual(warm.checked.get(id) ?? [], inQuotationGroup(id) ? [pronounBlock(reader)] : [], `${id} ran on no block but the one read from the piece`);
  assert.deepEqual(warm.result, engineWith().check(doc(PIECE)));

  const otherBuild = engineWith('build-2');
  otherBuild.importIndexCache(bytes);
  const rebuilt = blocksChecked(() => otherBuild.check(doc(PIECE)));
  for (const id of BLOCK_RULES) assert.ok(rebuilt.checked.get(id)?.length, `${id}: another build's findings are not used`);

  // One source changed: the style rules' findings still hold, the quotation rules' do not.
  const changedSources = { ...SOURCES, 'sources/harbour.txt': SOURCES['sources/harbour.txt'].replace('May', 'June') };
  const changed = engineWith('build-1', changedSources);
  changed.importIndexCache(bytes);
  const run = blocksChecked(() => changed.check(doc(PIECE)));
  for (const id of ['style/attribution-verb', 'style/banned-term', 'style/weasel-words']) assert.equal(run.checked.get(id), undefined, id);
  for (const id of ['quote/not-found', 'quote/misquote', 'quote/misattributed', 'citation/wrong-source', 'claim/unsourced']) assert.ok(run.checked.get(id)?.length, id);
  assert.deepEqual(run.result, engineWith(undefined, changedSources).check(doc(PIECE)));
  assert.ok(!run.result.some((f) => f.ruleId === 'quote/misquote' && f.message.includes('June')), 'the source now says June');
  for (const section of [BLOCK_FINDINGS_SECTION, SOURCED_BLOCK_FINDINGS_SECTION]) assert.ok(ANSWER_SECTIONS.includes(section));
});

test('block findings: options are part of the key, severity is not', () => {
  const engine = engineWith();
  engine.check(doc(PIECE));
  engine.setConfig('file:///ws/.provenance.yml', CONFIG.replace('      - dictator\n', '      - dictator\n  style/weasel-words:\n    severity: error\n'));
  const severity = blocksChecked(() => engine.check(doc(PIECE)));
  assert.equal(severity.checked.get('style/weasel-words'), undefined, 'a new severity re-checks nothing');
  assert.ok(severity.result.some((f) => f.ruleId === 'style/weasel-words' && f.severity === 'error'));
  engine.setConfig('file:///ws/.provenance.yml', CONFIG.replace('      - dictator\n', '      - lied\n'));
  const options = blocksChecked(() => engine.check(doc(PIECE)));
  assert.ok(options.checked.get('style/banned-term')?.length, 'new options re-check the blocks');
  assert.ok(options.result.some((f) => f.ruleId === 'style/banned-term' && f.message.includes('"lied"')));
  assert.ok(!options.result.some((f) => f.ruleId === 'style/banned-term' && f.message.includes('"dictator"')));
});

/** Deterministic, so a failure can be replayed. */

const SNIPPETS = ['regime ', 'Some experts say ', ' insisted that', '"', '[@tolls]', '[@harbour]', '[^1]', '\n', '\n\n', '> ', '# ', '- ', 'Ofcom ', ' claims that', '`code` ', '<!-- provenance-disable-next-line -->\n'];

test('block findings: after every random edit, the engine that kept findings from the earlier versions reports what a fresh engine reports', () => {
  const engine = engineWith();
  for (const seed of [11, 12, 13]) {
    const next = randomBelow(seed);
    let text = PIECE;
    for (let step = 0; step < 80; step++) {
      text = randomEdit(text, PIECE, SNIPPETS, next);
      assert.deepEqual(engine.check(doc(text)), engineWith().check(doc(text)), `seed ${seed}, step ${step}:\n${text}`);
    }
  }
});

test('block findings: claim/unsourced keeps its findings under the names the piece teaches, so a name taught elsewhere re-checks every block', () => {
  const engine = engineWith();
  // "Ofcom raised prices." is a claim only once Ofcom is a name: the piece must write it capitalised mid-sentence.
  const before = 'Ofcom raised prices.\n\nThe report was late.\n';
  const after = 'Ofcom raised prices.\n\nThe report by Ofcom was late.\n';
  const unsourced = (findings: ReturnType<Engine['check']>) => findings.filter((f) => f.ruleId === 'claim/unsourced').map((f) => f.span.start);
  assert.deepEqual(unsourced(engine.check(doc(before))), []);
  const run = blocksChecked(() => engine.check(doc(after)));
  assert.ok(unsourced(run.result).includes(0), 'the unchanged first block now holds a claim');
  assert.deepEqual(run.checked.get('claim/unsourced'), [0, 1], 'new names: every block checked again');
  assert.deepEqual(run.checked.get('style/weasel-words'), [1], 'the other rules re-check the changed block only');
  assert.deepEqual(run.result, engineWith().check(doc(after)));
});

test('block findings: a claim ending in ":" follows the blockquote after it, so its block is checked every time', () => {
  const engine = engineWith();
  const intro = 'The council said on Monday that tolls rose by 12%:\n\n';
  const verified = `${intro}> Tolls on the bridge rose by 12% in 2023\n`;
  const invented = `${intro}> Tolls on the bridge fell sharply in 2023\n`;
  const unsourcedAt0 = (findings: ReturnType<Engine['check']>) => findings.some((f) => f.ruleId === 'claim/unsourced' && f.span.start === 0);
  assert.equal(unsourcedAt0(engine.check(doc(verified))), false, 'sourced by the verified blockquote');
  const run = blocksChecked(() => engine.check(doc(invented)));
  assert.equal(unsourcedAt0(run.result), true, 'the blockquote is no longer in a source');
  assert.ok(run.checked.get('claim/unsourced')!.includes(0), 'the introducing block is checked again');
  assert.deepEqual(run.result, engineWith().check(doc(invented)));
  assert.equal(unsourcedAt0(engine.check(doc(verified))), false);
});

test("block findings: a pronoun's speaker named in an earlier block is read from the piece, so the quotation's block is checked every time", () => {
  const engine = engineWith();
  // A paragraph between, so the pronoun's block reads none of the changed name through the text around it.
  const named = (who: string) => `${who} said he was tired.\n\nThe weather was mild and the hall in the old town was full.\n\nHe said "We will keep talking until there is a deal" [@talks].\n`;
  const misattributed = (findings: ReturnType<Engine['check']>) => findings.filter((f) => f.ruleId === 'quote/misattributed').map((f) => f.message);
  assert.equal(misattributed(engine.check(doc(named('Mahmoud Abbas')))).length, 1, 'he is Abbas, the source says Straw');
  const run = blocksChecked(() => engine.check(doc(named('Jack Straw'))));
  assert.deepEqual(misattributed(run.result), [], 'he is Straw now, though his block did not change');
  assert.ok(run.checked.get('quote/misattributed')!.includes(2), "the pronoun's block is checked again");
  assert.deepEqual(run.result, engineWith().check(doc(named('Jack Straw'))));
});

test('block findings: an engine that keeps none runs the block-scoped rules over the whole piece, and reports the same', () => {
  const keeping = engineWith();
  const once = createEngine({ keepBlockFindings: false });
  once.setConfig('file:///ws/.provenance.yml', CONFIG);
  for (const [file, text] of Object.entries(SOURCES)) once.setSource(`file:///ws/${file}`, file, text);
  for (const text of [PIECE, PIECE.replace('Critics insisted', 'Critics claimed'), PIECE.split('\n\n').reverse().join('\n\n')]) {
    const run = blocksChecked(() => once.check(doc(text)));
    for (const id of BLOCK_RULES) assert.deepEqual(run.checked.get(id), [-1], `${id} is given no blocks`);
    // As the adapters serialise them (a kept finding has no keys left undefined).
    assert.equal(JSON.stringify(run.result), JSON.stringify(keeping.check(doc(text))));
  }
});
