/** `--format github`: workflow annotations, escaped so a message can never start a command of its own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempWorkspace } from '../helpers/repo';
import { cli, cliJson } from '../helpers/cli';
import { formatters, GITHUB_ANNOTATION_LIMIT } from '../../server/src/cli/formatters';

const SOURCE = `Market hall roof to be replaced

The market hall roof will be replaced next spring. "We have patched it for the last time," the market manager said.
`;

/** A file name with the characters workflow command properties must escape. */
const ODD_NAME = 'notes, part 1: 100%.md';

test('github: one annotation per finding with file, line, col, end and rule id as title; properties and data escaped', async () => {
  const root = tempWorkspace({
    'sources/hall.txt': SOURCE,
    [ODD_NAME]: 'The manager said "we have repaired it for the last time" [@hall].\n\nAnd "a quotation nobody ever said, spread over\ntwo lines" [@hall].\n',
  });
  const run = await cli(['check', ODD_NAME, '--format', 'github'], root);
  const { report } = await cliJson(['check', ODD_NAME], root);
  const diagnostics = report.files[0].diagnostics;
  assert.ok(diagnostics.length >= 2, JSON.stringify(diagnostics));
  const annotations = run.stdout.split('\n').filter((line) => line.startsWith('::'));
  assert.equal(annotations.length, diagnostics.length);

  for (const line of annotations) {
    const match = /^::(error|warning|notice) ([^:]*)::(.*)$/.exec(line);
    assert.ok(match, line);
    const props = Object.fromEntries(match[2].split(',').map((p) => p.split('=') as [string, string]));
    assert.equal(props.file, 'notes%2C part 1%3A 100%25.md');
    assert.match(props.line, /^\d+$/);
    assert.match(props.col, /^\d+$/);
    assert.match(props.title, /^[a-z]+\/[a-z-]+$/);
    assert.ok(!match[3].includes('\n'));
  }
  // Positions agree with the JSON report (1-based there, 0-based in JSON); errors come first.
  const order = ['error', 'warning', 'information', 'hint'];
  const sorted = [...diagnostics].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  annotations.forEach((line, i) => {
    const d = sorted[i];
    assert.ok(line.includes(`line=${d.range.start.line + 1},col=${d.range.start.character + 1},endLine=${d.range.end.line + 1}`), `${line} vs ${JSON.stringify(d.range)}`);
    assert.ok(line.includes(`title=${d.code}`), line);
  });
  assert.match(run.stdout.trim().split('\n').at(-1)!, /^provenance: \d+ error\(s\), \d+ warning\(s\), \d+ notice\(s\)$/);
});

test('github: a message with newlines, % and a fake command stays inside its annotation', () => {
  const text = 'one line\n';
  const out = formatters.github(
    [{ path: 'p.md', text, findings: [{ ruleId: 'quote/not-found', severity: 'error', message: '50% wrong\n::error file=x::injected\r\nend', span: { start: 0, end: 3 } }] }],
    { ruleDocsUrl: () => '', webDocsUrl: () => '', informationUri: '', version: '0' },
  );
  const lines = out.trimEnd().split('\n');
  assert.equal(lines.length, 2, out);
  assert.equal(lines[0], '::error file=p.md,line=1,col=1,endLine=1,endColumn=4,title=quote/not-found::50%25 wrong%0A::error file=x::injected%0D%0Aend');
});

test('github: past the per-kind limit, findings become plain log lines and the summary says so', async () => {
  const quotes = Array.from({ length: GITHUB_ANNOTATION_LIMIT + 5 }, (_, i) => `Line ${i}: "an invented sentence number ${i} for the test" [@hall].`).join('\n\n');
  const root = tempWorkspace({ 'sources/hall.txt': SOURCE, 'many.md': quotes + '\n' });
  const run = await cli(['check', 'many.md', '--format', 'github'], root);
  assert.equal(run.code, 1);
  const lines = run.stdout.trimEnd().split('\n');
  const errors = lines.filter((line) => line.startsWith('::error '));
  assert.equal(errors.length, GITHUB_ANNOTATION_LIMIT);
  const plain = lines.filter((line) => /^many\.md:\d+:\d+: error /.test(line));
  assert.equal(plain.length, 5);
  assert.match(lines.at(-1)!, new RegExp(`^provenance: ${GITHUB_ANNOTATION_LIMIT + 5} error\\(s\\), \\d+ warning\\(s\\), \\d+ notice\\(s\\); 5 shown above as log lines`));
});
