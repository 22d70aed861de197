/**
 * Findings kept per block (engine/block-findings.ts): a block-scoped rule
 * runs only over the blocks whose text changed, in one engine from version to
 * version and, through the checks cache's sections, from one engine to the
 * next; what it reports is always what a fresh engine reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, ANSWER_SECTIONS, type Engine } from '../../server/src/engine/index';
import { ruleById } from '../../server/src/engine/rules/index';
import { BLOCK_FINDINGS_SECTION, SOURCED_BLOCK_FINDINGS_SECTION } from '../../server/src/engine/block-findings';
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
};

const PIECE = `# The regime and the harbour

The mayor called the wall "a fair price for a safe harbour" [@tolls]. Some experts say the regime will fall.

The harbour master said "the quay would reopen in June" [@harbour]. Critics insisted that the dictator had lied.

> Tolls on the bridge rose by 12% in 2023

— the council, in its statement [@harbour]

Nothing here at all. "Invented words that no source has ever printed" [@tolls].[^1]

[^1]: The council "will rise again next spring" [@tolls].
`;

const BLOCK_RULES = ['style/attribution-verb', 'style/banned-term', 'style/weasel-words', 'quote/not-found', 'quote/misquote', 'citation/wrong-source'];

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

test('block findings: the rules are block-scoped, and the fixture fires each of them', () => {
  for (const id of BLOCK_RULES) assert.equal(ruleById.get(id)!.scope, 'block', id);
  const findings = engineWith().check(doc(PIECE));
  for (const id of BLOCK_RULES) assert.ok(findings.some((f) => f.ruleId === id), `${id} fires on the fixture`);
});

test('block findings: an edit re-checks only the block it changed; moving blocks re-checks none', () => {
  const engine = engineWith();
  const first = blocksChecked(() => engine.check(doc(PIECE)));
  const blockCount = engine.parsed(doc(PIECE)).blocks.length;
  for (const id of BLOCK_RULES) assert.deepEqual(first.checked.get(id), [...Array(blockCount).keys()], `${id}: every block, the first time`);

  // One word changed in the third block (the harbour master's paragraph).
  const edited = PIECE.replace('Critics insisted', 'Critics claimed');
  const second = blocksChecked(() => engine.check(doc(edited)));
  const changed = engine.parsed(doc(edited)).blocks.findIndex((block) => edited.slice(block.span.start, block.span.end).includes('Critics claimed'));
  for (const id of BLOCK_RULES) assert.deepEqual(second.checked.get(id), [changed], id);
  assert.deepEqual(second.result, engineWith().check(doc(edited)));
  assert.ok(second.result.some((f) => f.ruleId === 'style/attribution-verb' && f.message.startsWith('"claimed"')));

  // Two paragraphs swapped: every block's text is one the engine has kept, at another place.
  const paragraphs = edited.split('\n\n');
  [paragraphs[1], paragraphs[2]] = [paragraphs[2], paragraphs[1]];
  const swapped = paragraphs.join('\n\n');
  const third = blocksChecked(() => engine.check(doc(swapped)));
  for (const id of BLOCK_RULES) assert.equal(third.checked.get(id), undefined, `${id} ran on no block`);
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
  for (const id of BLOCK_RULES) assert.equal(warm.checked.get(id), undefined, `${id} ran on no block`);
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
  for (const id of ['quote/not-found', 'quote/misquote', 'citation/wrong-source']) assert.ok(run.checked.get(id)?.length, id);
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
function random(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const SNIPPETS = ['regime ', 'Some experts say ', ' insisted that', '"', '[@tolls]', '[@harbour]', '[^1]', '\n', '\n\n', '> ', '# ', '- ', 'Ofcom ', ' claims that', '`code` ', '<!-- provenance-disable-next-line -->\n'];

test('block findings: after every random edit, the engine that kept findings from the earlier versions reports what a fresh engine reports', () => {
  const engine = engineWith();
  for (const seed of [11, 12, 13]) {
    const next = random(seed);
    let text = PIECE;
    for (let step = 0; step < 80; step++) {
      const at = next(text.length + 1);
      const kind = next(4);
      if (next(12) === 0) text = PIECE;
      else if (kind === 0) text = text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + next(15)));
      else if (kind === 1) {
        // A line moved elsewhere: blocks split, join and move.
        const start = text.lastIndexOf('\n', at - 1) + 1;
        const end = text.indexOf('\n', at);
        const line = text.slice(start, end < 0 ? text.length : end + 1);
        const rest = text.slice(0, start) + text.slice(start + line.length);
        const to = next(rest.length + 1);
        text = rest.slice(0, to) + line + rest.slice(to);
      } else text = text.slice(0, at) + SNIPPETS[next(SNIPPETS.length)] + text.slice(at);
      assert.deepEqual(engine.check(doc(text)), engineWith().check(doc(text)), `seed ${seed}, step ${step}:\n${text}`);
    }
  }
});
