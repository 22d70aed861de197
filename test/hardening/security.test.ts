/**
 * Issue #8, item 7: security. Nothing from the workspace is executed or
 * loaded as code; paths in the config that leave the workspace are refused at
 * their position and what they name is never read or shown; symbolic links
 * out of the workspace are not followed; the CLI and the server never touch
 * the network; hover cards built from repository text are inert.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import MarkdownIt from 'markdown-it';
import { cli, cliJson } from '../helpers/cli';
import { DIST, REPO_ROOT, tempWorkspace } from '../helpers/repo';
import { LspClient, positionOf, rangeOf } from '../helpers/lsp-client';
import { NORMAL_PIECE, SOURCE } from './inputs';

const SECRET = 'SECRET-TOKEN-7f3a9c';

/** JavaScript that leaves a marker file next to itself if anything ever runs it. */
function trap(name: string): string {
  return `require('fs').writeFileSync(require('path').join(__dirname, 'EXECUTED-${name}'), 'ran');\nmodule.exports = {};\n`;
}

test('security: nothing in the workspace is executed or loaded as code — config-looking scripts, plugins, YAML tags and alias bombs', { timeout: 120_000 }, async (t) => {
  const aliasBomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
  const root = tempWorkspace({
    '.provenance.yml': `sources: sources/*.txt\nplugins: [./provenance.config.js]\nextends: ./.provenance.js\nrules:\n  quote/misquote: !!js/function "function () { require('child_process').execSync('touch EXECUTED-yaml') }"\n`,
    '.provenance.js': trap('provenance-js'),
    'provenance.config.js': trap('provenance-config-js'),
    '.provenance.cjs': trap('provenance-cjs'),
    'entities.js': trap('entities-js'),
    'node_modules/provenance-plugin/package.json': '{ "name": "provenance-plugin", "main": "index.js" }',
    'node_modules/provenance-plugin/index.js': trap('plugin'),
    'sources/harbour-wall.txt': SOURCE,
    'sources/script.js': trap('source-js'),
    'piece.md': NORMAL_PIECE + '\n<script src="./provenance.config.js"></script>\n',
    'bomb/.provenance.yml': aliasBomb + '\n',
    'bomb/piece.md': NORMAL_PIECE,
  });
  const run = await cliJson(['check'], root);
  const config = run.report.files.find((f) => f.path === '.provenance.yml')!;
  assert.ok(config.diagnostics.some((d) => /Unknown config key "plugins"/.test(d.message)), JSON.stringify(config.diagnostics));
  assert.ok(config.diagnostics.some((d) => /Unknown config key "extends"/.test(d.message)));
  // The bomb: a few hundred bytes that would expand to 10^8 nodes; bounded by the parser's alias limit.
  const started = performance.now();
  const bomb = await cliJson(['check'], path.join(root, 'bomb'));
  const bombMs = Math.round(performance.now() - started);
  assert.ok(bomb.report.files.find((f) => f.path === '.provenance.yml')!.diagnostics.some((d) => d.code === 'config/invalid'));
  assert.ok(bombMs < 20_000, `the alias bomb took ${bombMs} ms`);

  const client = await LspClient.start({ root, kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('piece.md');
  await client.request('textDocument/diagnostic', { textDocument: { uri } }, 30_000);
  await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(NORMAL_PIECE, 'protect') });
  await client.request('textDocument/completion', { textDocument: { uri }, position: positionOf(NORMAL_PIECE, 'harbour-wall]') });
  client.open('.provenance.yml');
  await client.request('textDocument/diagnostic', { textDocument: { uri: client.open('.provenance.yml') } }, 30_000);

  const executed = fs.readdirSync(root, { recursive: true }).map(String).filter((name) => name.includes('EXECUTED-'));
  assert.deepEqual(executed, [], 'no workspace file was run');
  t.diagnostic(`alias bomb config refused in ${bombMs} ms`);
});

/** A workspace inside a folder that also holds secrets, with config paths and a symlink pointing at them. */
function leakyWorkspace(): { root: string; config: string; secretFile: string } {
  const outer = tempWorkspace({
    'secret.txt': `Leaked memo\n\nThe engineer said "the password is in the drawer" and wrote ${SECRET} on the wall.\n`,
    'secret.yml': `- id: leak\n  name: ${SECRET}\n  type: person\n`,
  });
  const secretFile = path.join(outer, 'secret.txt');
  const config = `sources:\n  - sources/*.txt\n  - ../secret.txt\n  - ${secretFile}\n  - ~/.npmrc\nentities: ../secret.yml\n`;
  const root = path.join(outer, 'analysis');
  fs.mkdirSync(path.join(root, 'sources'), { recursive: true });
  fs.writeFileSync(path.join(root, '.provenance.yml'), config);
  fs.writeFileSync(path.join(root, 'sources', 'harbour-wall.txt'), SOURCE);
  fs.symlinkSync(secretFile, path.join(root, 'sources', 'leak.txt'));
  fs.writeFileSync(path.join(root, 'piece.md'), 'He said "the password is in the drawer" [@secret] [@leak].\n');
  return { root, config, secretFile };
}

test('security: config paths that leave the workspace are refused at their position, symlinks out are not followed, and what they name is never read or shown', async () => {
  const { root, config, secretFile } = leakyWorkspace();
  const { code, report, stderr } = await cliJson(['check'], root);
  assert.equal(code, 2);
  const refused = report.files.find((f) => f.path === '.provenance.yml')!.diagnostics;
  for (const needle of ['../secret.txt', secretFile, '~/.npmrc', '../secret.yml']) {
    const finding = refused.find((d) => d.range.start.line === rangeOf(config, needle).start.line);
    assert.ok(finding, `no finding at ${needle}: ${JSON.stringify(refused)}`);
    assert.equal(finding.code, 'config/invalid');
    assert.deepEqual(finding.range.start, rangeOf(config, needle).start);
    assert.match(finding.message, /outside the workspace/);
  }
  assert.match(stderr, /sources\/leak\.txt is a symbolic link to a file outside the workspace; it is not read/);
  const piece = report.files.find((f) => f.path === 'piece.md')!.diagnostics;
  assert.deepEqual(piece.filter((d) => d.code === 'citation/unknown-source').length, 2, 'neither @secret nor @leak is a source');
  assert.ok(piece.some((d) => d.code === 'quote/not-found'), 'the quotation is not found: the secret file was never indexed');
  for (const format of ['stylish', 'json', 'sarif', 'github']) {
    const output = await cli(['check', '--format', format], root);
    assert.ok(!(output.stdout + output.stderr).includes(SECRET), `${format} output echoes a file outside the workspace`);
  }
});

test('security: through the server too, nothing outside the workspace reaches a diagnostic, hover, completion or log', { timeout: 60_000 }, async (t) => {
  const { root } = leakyWorkspace();
  const client = await LspClient.start({ root, kind: 'pull' });
  t.after(() => client.stop());
  const text = fs.readFileSync(path.join(root, 'piece.md'), 'utf8');
  const uri = client.open('piece.md');
  const report = await client.request('textDocument/diagnostic', { textDocument: { uri } }, 30_000);
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'leak]') });
  const completion = await client.request('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'secret]') });
  const labels = (Array.isArray(completion) ? completion : completion.items).map((item: { label: string }) => item.label);
  assert.ok(!labels.includes('leak') && !labels.includes('secret'), labels.join(', '));
  assert.match(hover.contents.value, /Unknown source/);
  assert.ok(report.items.some((d: { code: string }) => d.code === 'quote/not-found'), 'the secret file was never indexed');
  const everything = JSON.stringify({ report, hover, completion, notifications: client.notifications });
  assert.ok(!everything.includes(SECRET), 'nothing from the files outside the workspace');
  assert.ok(client.logs().some((line) => /leak\.txt is a symbolic link to a file outside the workspace/.test(line)));
});

/** Records (and refuses) every way Node could reach the network, in every thread. */
const NO_NETWORK_HOOK = `
const fs = require('fs');
const log = process.env.NETWORK_LOG;
const refuse = (what) => function () { fs.appendFileSync(log, what + '\\n'); throw new Error('network access refused by the test: ' + what); };
const net = require('net');
net.Socket.prototype.connect = refuse('net.Socket.connect');
net.connect = net.createConnection = refuse('net.connect');
const dns = require('dns');
for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) dns[name] = refuse('dns.' + name);
for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6']) dns.promises[name] = refuse('dns.promises.' + name);
for (const mod of ['http', 'https']) { const m = require(mod); m.request = refuse(mod + '.request'); m.get = refuse(mod + '.get'); }
require('tls').connect = refuse('tls.connect');
require('dgram').createSocket = refuse('dgram.createSocket');
globalThis.fetch = refuse('fetch');
`;

test('security: no network access, ever — dist/cli.js and dist/server.js with every network door recorded', { timeout: 120_000 }, async (t) => {
  const root = tempWorkspace({
    'sources/harbour-wall.md': `---\nid: harbour-wall\ntitle: Council approves harbour wall\nurl: https://news.example.com/harbour-wall\n---\n\n${SOURCE}`,
    'piece.md': `${NORMAL_PIECE}\nSee [the report](https://news.example.com/harbour-wall) and <https://example.org/x>, ![chart](http://tracker.example.net/pixel.png).\n`,
  });
  const hook = path.join(root, '.no-network.js');
  const networkLog = path.join(root, '.network.log');
  fs.writeFileSync(hook, NO_NETWORK_HOOK);
  fs.writeFileSync(networkLog, '');
  const env = { ...process.env, NETWORK_LOG: networkLog, NODE_OPTIONS: `--require ${hook}` };

  for (const format of ['json', 'sarif', 'github']) {
    const child = spawn(process.execPath, [path.join(DIST, 'cli.js'), 'check', '--format', format, '--jobs', '2'], { cwd: root, env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.resume();
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(code === 0 || code === 1, `exit ${code}: ${stderr}`);
  }
  const client = await LspClient.start({ root, kind: 'pull', env: { NETWORK_LOG: networkLog, NODE_OPTIONS: `--require ${hook}` } });
  try {
    const text = fs.readFileSync(path.join(root, 'piece.md'), 'utf8');
    const uri = client.open('piece.md');
    await client.request('textDocument/diagnostic', { textDocument: { uri } }, 30_000);
    await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'protect') });
    await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf(text, 'harbour-wall]') });
    await client.request('textDocument/definition', { textDocument: { uri }, position: positionOf(text, 'harbour-wall]') });
    await client.request('textDocument/completion', { textDocument: { uri }, position: positionOf(text, 'harbour-wall]') });
    await client.request('textDocument/codeAction', { textDocument: { uri }, range: rangeOf(text, 'thousand'), context: { diagnostics: [] } });
  } finally {
    await client.stop();
  }
  assert.equal(fs.readFileSync(networkLog, 'utf8'), '', 'network doors touched');
  t.diagnostic('CLI (json, sarif, github; two workers) and server (diagnostics, hover, definition, completion, code actions): no network call');
});

test('security: hover cards built from repository text are inert — HTML, images, command: links and markup escaped, long text cut', { timeout: 60_000 }, async (t) => {
  const hostile = '<img src=x onerror=alert(1)> [Run](command:workbench.action.terminal.new) ![t](http://tracker.example.net/p.png) <script>alert(2)</script> **loud**';
  const longSentence = 'The engineer said the wall ' + 'would hold and hold again '.repeat(2_000) + 'forever.';
  const source = `---\nid: hostile\ntitle: "${hostile.replace(/"/g, '\\"')}"\nurl: "javascript:alert(3)"\n---\n\nThe engineer said "${hostile} is harmless" on Monday. ${longSentence}\n`;
  const piece = `He said "${hostile} is harmless" [@hostile].\n\nAnd "would hold and hold again would hold and hold again would hold and hold again" [@hostile].\n`;
  const root = tempWorkspace({ 'sources/hostile.md': source, 'piece.md': piece });
  const client = await LspClient.start({ root, kind: 'pull' });
  t.after(() => client.stop());
  const uri = client.open('piece.md');
  const cards: string[] = [];
  // The citation card (title, URL, the source's opening sentence) and a verified quotation's card (title, passage in context).
  for (const at of [positionOf(piece, 'hostile].\n\nAnd'), positionOf(piece, 'would hold and hold again would hold and hold again would hold and hold again"')]) {
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: at });
    assert.ok(hover, 'a card');
    assert.equal(hover.contents.kind, 'markdown');
    cards.push(hover.contents.value);
  }
  // Rendered as permissively as any viewer could (raw HTML on), a card still holds no element, link or image from the repository.
  const render = new MarkdownIt({ html: true, linkify: false });
  for (const card of cards) {
    const html = render.render(card);
    assert.doesNotMatch(html, /<(img|script|a)\b/i, html);
    assert.ok(card.length < 3_000, `a card of ${card.length} characters`);
  }
  assert.ok(cards.some((card) => render.render(card).includes('command:workbench.action.terminal.new')), 'the command link is shown as text');
  // And the client asks VS Code to render them untrusted, without HTML.
  const extension = fs.readFileSync(path.join(REPO_ROOT, 'client', 'src', 'extension.ts'), 'utf8');
  assert.match(extension, /markdown:\s*\{\s*isTrusted:\s*false,\s*supportHtml:\s*false\s*\}/);
  t.diagnostic(`card lengths: ${cards.map((c) => c.length).join(', ')} characters`);
});
