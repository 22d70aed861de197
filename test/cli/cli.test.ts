import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { REPO_ROOT, DIST, tempWorkspace } from '../helpers/repo';
import { cli, cliJson } from '../helpers/cli';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'harbour-ferry');

const SOURCE = `Council approves harbour wall

The council approved the new harbour wall on Monday. "It will protect the old town for a hundred years," the engineer said.
`;

test('cli: the bundled example reports each deliberate problem (json)', async () => {
  const { code, report } = await cliJson(['check'], EXAMPLE);
  assert.equal(code, 1);
  assert.equal(report.version, 1);
  const file = report.files.find((f) => f.path === 'analysis.md');
  assert.ok(file, JSON.stringify(report));
  const codes = file.diagnostics.map((d) => d.code).sort();
  assert.deepEqual(codes, ['citation/unknown-source', 'citation/wrong-source', 'claim/unsourced', 'quote/misquote', 'quote/not-found']);
  const unsourced = file.diagnostics.find((d) => d.code === 'claim/unsourced')!;
  assert.match(unsourced.message, /a number .*@ferry-vote, paragraph 4/);
  const misquote = file.diagnostics.find((d) => d.code === 'quote/misquote')!;
  assert.match(misquote.message, /not a cure/);
  assert.equal(misquote.data?.sourceId, 'ferry-vote');
  const wrong = file.diagnostics.find((d) => d.code === 'citation/wrong-source')!;
  assert.match(wrong.message, /harbour-budget/);
});

test('cli: stylish output has path, line:col, severity, message and rule id', async () => {
  const run = await cli(['check', 'analysis.md'], EXAMPLE);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^analysis\.md$/m);
  assert.match(run.stdout, /^ {2}\d+:\d+\s+warning\s+Misquote: .*  quote\/misquote$/m);
  assert.match(run.stdout, /✖ \d+ problems/);
});

test('cli: exit 0 on a clean piece, 1 on errors, 2 on usage errors', async () => {
  const root = tempWorkspace({ 'sources/wall.txt': SOURCE, 'clean.md': 'The wall "will protect the old town for a hundred years" [@wall].\n', 'bad.md': 'It "will protect the new town for ever and ever and ever" [@wall].\n' });
  assert.equal((await cli(['check', 'clean.md'], root)).code, 0);
  assert.equal((await cli(['check', 'bad.md'], root)).code, 1);
  assert.equal((await cli(['check', '--format', 'xml'], root)).code, 2);
  assert.equal((await cli(['lint'], root)).code, 2);
  assert.equal((await cli(['check', 'missing.md'], root)).code, 2);
  assert.equal((await cli(['--help'], root)).code, 0);
});

test('cli: --max-warnings turns too many warnings into exit 1', async () => {
  const root = tempWorkspace({ 'sources/wall.txt': SOURCE, 'p.md': 'It "will protect the old town for a thousand years" [@wall].\n' });
  assert.equal((await cli(['check', 'p.md'], root)).code, 0);
  assert.equal((await cli(['check', 'p.md', '--max-warnings', '0'], root)).code, 1);
  assert.equal((await cli(['check', 'p.md', '--max-warnings', '1'], root)).code, 0);
});

test('cli: the package\'s bin runs as an executable, as npm links it (its #! line)', { skip: process.platform === 'win32' && 'npm runs bins through a .cmd shim on Windows' }, () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
  const bin = path.join(REPO_ROOT, pkg.bin.provenance);
  // The package as npm installs it: package.json, the bin file marked executable, the bundle beside it.
  const installed = tempWorkspace({ 'package.json': JSON.stringify(pkg) });
  const installedBin = path.join(installed, pkg.bin.provenance);
  fs.mkdirSync(path.dirname(installedBin), { recursive: true });
  for (const file of [path.basename(bin), 'cli-main.js']) fs.copyFileSync(path.join(path.dirname(bin), file), path.join(path.dirname(installedBin), file));
  fs.chmodSync(installedBin, 0o755);
  const run = spawnSync(installedBin, ['--version'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), pkg.version);
});

test('cli: every bundle is ASCII, so V8 holds its source in one byte per character (esbuild.mjs asciiOnly)', () => {
  for (const bundle of ['cli.js', 'cli-main.js', 'server.js', 'extension.js', 'browser/server.js', 'browser/extension.js']) {
    const bytes = fs.readFileSync(path.join(DIST, bundle));
    const at = bytes.findIndex((byte) => byte >= 0x80);
    assert.equal(at, -1, `${bundle}: a non-ASCII byte at ${at}: ${bytes.subarray(Math.max(0, at - 40), at + 40).toString('utf8')}`);
  }
});

test('cli: the built dist/cli.js runs as a process', () => {
  const run = spawnSync(process.execPath, [path.join(DIST, 'cli.js'), 'check', '--format', 'json'], { cwd: EXAMPLE, encoding: 'utf8' });
  assert.equal(run.status, 1, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.files[0].path, 'analysis.md');
  assert.ok(report.files[0].diagnostics.length >= 4);
});

test('cli: a reader that closes the pipe early (| head) ends the run quietly, with the check\'s exit code', async () => {
  // Enough findings that the report is larger than a pipe holds: the CLI is still writing when the reader goes.
  const lines = Array.from({ length: 3000 }, (_, i) => `Line ${i}: "words that no source holds, number ${i}" [@wall].\n`).join('\n');
  const root = tempWorkspace({ 'sources/wall.txt': SOURCE, 'piece.md': lines });
  const child = spawn(process.execPath, [path.join(DIST, 'cli.js'), 'check', 'piece.md', '--format', 'json', '--no-cache'], { cwd: root });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let read = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    read += chunk.length;
    child.stdout.destroy();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.ok(read > 0 && read < 1_000_000, `read ${read} bytes before closing`);
  assert.doesNotMatch(stderr, /EPIPE|Error/, stderr);
  assert.equal(code, 1, 'the check found errors (quotations not found): its exit code, not a crash\'s');
});

test('cli: a broken config is reported with its position, checking goes on, exit 2', async () => {
  const root = tempWorkspace({ '.provenance.yml': 'rules:\n  quote/misquote: [error\n', 'sources/wall.txt': SOURCE, 'p.md': 'It "will protect the old town for a thousand years" [@wall].\n' });
  const { code, report } = await cliJson(['check'], root);
  assert.equal(code, 2);
  const config = report.files.find((f) => f.path === '.provenance.yml');
  assert.ok(config && config.diagnostics[0].code === 'config/invalid', JSON.stringify(report));
  // The parser notices the unclosed list at the end of the file; the rule's own line is flagged too.
  assert.ok(config.diagnostics.some((d) => d.range.start.line === 1), JSON.stringify(config.diagnostics));
  const piece = report.files.find((f) => f.path === 'p.md');
  assert.deepEqual(piece?.diagnostics.map((d) => d.code), ['quote/misquote']);
});

test('cli: a config with unknown keys is reported, exit 2', async () => {
  const root = tempWorkspace({ '.provenance.yml': 'sources: sources/*.txt\ncolour: blue\n', 'sources/wall.txt': SOURCE, 'p.md': 'Nothing quoted.\n' });
  const run = await cli(['check'], root);
  assert.equal(run.code, 2);
  assert.match(run.stdout, /2:1\s+error\s+Unknown config key "colour"/);
});

test('cli: bad input never crashes — empty, 5 MB, binary, invalid UTF-8, unterminated quote, a chapter-long quote', async () => {
  const chapter = '"' + 'The council met again and argued about the harbour wall for a very long time. '.repeat(400).trimEnd() + '"';
  const big = 'The harbour wall "will protect the old town for a hundred years" [@wall].\n\n'.repeat(70_000);
  const root = tempWorkspace({
    'sources/wall.txt': SOURCE,
    'empty.md': '',
    'big.md': big,
    'binary.md': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02]),
    'latin1.md': Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9]), Buffer.from(' "will protect the old town for a hundred years" [@wall].\n')]),
    'open.md': 'He said "this never closes and goes on\n\nInto the next paragraph.\n',
    'chapter.md': chapter + '\n',
  });
  const { code, report, stderr } = await cliJson(['check', 'empty.md', 'big.md', 'binary.md', 'latin1.md', 'open.md', 'chapter.md'], root);
  assert.ok(code === 0 || code === 1, `exit ${code}: ${stderr}`);
  const byPath = new Map(report.files.map((f) => [f.path, f.diagnostics]));
  assert.deepEqual(byPath.get('empty.md'), []);
  assert.match(byPath.get('big.md')![0].message, /above the 1\.0 MB limit/);
  assert.equal(byPath.get('big.md')![0].code, 'input/skipped');
  assert.match(byPath.get('binary.md')![0].message, /binary/);
  assert.deepEqual(byPath.get('latin1.md'), []);
  assert.deepEqual(byPath.get('open.md')!.filter((d) => d.code.startsWith('quote/')), [], 'an unterminated quotation mark is no quotation');
  assert.deepEqual(byPath.get('chapter.md')!.map((d) => d.code), ['quote/not-found']);
});
