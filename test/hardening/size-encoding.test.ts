/**
 * Issue #8, item 2: size and encoding. A configurable size cap; 20 MB of
 * adversarial Markdown through the CLI ends in a report, not a V8 abort; a NUL
 * in the first 8,000 bytes means binary (and only there); invalid UTF-8, a
 * BOM, CRLF and lone CR line ends, emoji, astral characters and combining
 * marks inside quotations all give exact ranges, in every position encoding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { cliJson, type JsonDiagnostic } from '../helpers/cli';
import { DIST, tempWorkspace } from '../helpers/repo';
import { LspClient, type PublishedDiagnostics } from '../helpers/lsp-client';
import { NORMAL_PIECE, since, workspaceWith } from './inputs';

const QUOTE = '"will protect the old town for a thousand years"';

function codesOf(diagnostics: JsonDiagnostic[] | undefined): string[] {
  return (diagnostics ?? []).map((d) => d.code);
}

type Encoding = 'utf-16' | 'utf-8' | 'utf-32';

/** Where `needle` is in `text`, as LSP positions in the given encoding. */
function rangeIn(text: string, needle: string, encoding: Encoding = 'utf-16') {
  const start = text.indexOf(needle);
  assert.ok(start >= 0, `${needle} not in the text`);
  return rangeAt(text, start, needle.length, encoding);
}

/** The range of `length` UTF-16 units at `start`, as LSP positions (lines end at \r\n, \n or \r), counted independently of the server's code. */
function rangeAt(text: string, start: number, length: number, encoding: Encoding = 'utf-16') {
  const at = (offset: number) => {
    const before = text.slice(0, offset);
    const lines = before.split(/\r\n|\r|\n/);
    const line = lines.at(-1)!;
    const character = encoding === 'utf-8' ? Buffer.byteLength(line) : encoding === 'utf-32' ? [...line].length : line.length;
    return { line: lines.length - 1, character };
  };
  return { start: at(start), end: at(start + length) };
}

test('size: the cap is configurable — a piece above maxFileSize gets one too-large finding, one below it is checked', async () => {
  const below = NORMAL_PIECE + 'More prose about the harbour.\n'.repeat(100);
  const above = NORMAL_PIECE + 'More prose about the harbour.\n'.repeat(200);
  assert.ok(Buffer.byteLength(below) < 4096 && Buffer.byteLength(above) > 4096);
  const root = workspaceWith({ '.provenance.yml': 'maxFileSize: 4096\n', 'below.md': below, 'above.md': above });
  const { code, report } = await cliJson(['check', 'below.md', 'above.md'], root);
  const files = new Map(report.files.map((f) => [f.path, f.diagnostics]));
  assert.deepEqual(codesOf(files.get('above.md')), ['input/skipped']);
  assert.equal(files.get('above.md')![0].severity, 'warning');
  assert.match(files.get('above.md')![0].message, /above the 4\.0 KB limit \(maxFileSize\)/);
  assert.ok(codesOf(files.get('below.md')).includes('quote/misquote'));
  assert.equal(code, 0);
});

/** Runs dist/cli.js, reporting its exit, output, wall time and peak memory (maxRSS, via a preloaded exit hook). */
async function runDistCli(args: string[], cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number; maxRssMiB?: number }> {
  const hook = path.join(cwd, '.rss-hook.js');
  fs.writeFileSync(hook, 'process.on("exit", () => process.stderr.write("maxRSS=" + Math.round(process.resourceUsage().maxRSS / 1024) + "\\n"));\n');
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', hook, path.join(DIST, 'cli.js'), ...args], { cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (c, s) => resolve({ code: c, signal: s })));
  const rss = /maxRSS=(\d+)/.exec(stderr)?.[1];
  return { code, signal, stdout, stderr, ms: since(started), maxRssMiB: rss ? Number(rss) : undefined };
}

test('size: 20 MB of adversarial Markdown through dist/cli.js ends in a report — skipped above the default cap, stopped at the budget when the cap is raised; never a V8 abort', { timeout: 120_000 }, async (t) => {
  const adversarial = '[a](b'.repeat(4_000_000);
  assert.equal(adversarial.length, 20_000_000);
  const root = workspaceWith({ 'big.md': adversarial });
  const capped = await runDistCli(['check', 'big.md', '--format', 'json'], root);
  assert.equal(capped.signal, null, capped.stderr);
  assert.equal(capped.code, 0, capped.stderr);
  const cappedReport = JSON.parse(capped.stdout);
  assert.deepEqual(cappedReport.files[0].diagnostics.map((d: JsonDiagnostic) => d.code), ['input/skipped']);
  assert.match(cappedReport.files[0].diagnostics[0].message, /19\.1 MB, above the 1\.0 MB limit/);

  fs.writeFileSync(path.join(root, '.provenance.yml'), 'maxFileSize: 33554432\n');
  const raised = await runDistCli(['check', 'big.md', '--format', 'json'], root);
  assert.equal(raised.signal, null, raised.stderr);
  assert.doesNotMatch(raised.stderr, /FATAL ERROR|Aborted|out of memory/i);
  const diagnostics: JsonDiagnostic[] = JSON.parse(raised.stdout).files[0].diagnostics;
  const stopped = diagnostics.some((d) => d.code === 'input/skipped');
  if (stopped) {
    assert.equal(diagnostics.length, 1);
    assert.deepEqual(diagnostics[0].data, { reason: 'time-budget', budgetMs: 16_000 }, 'a budget grows with the piece up to 8 times, no further');
    assert.equal(raised.code, 2);
  } else {
    assert.ok(raised.code === 0 || raised.code === 1, raised.stderr);
  }
  t.diagnostic(`above the default cap: exit ${capped.code} in ${capped.ms} ms, peak RSS ${capped.maxRssMiB} MiB; cap raised to 32 MB: ${stopped ? 'stopped at its budget (16 s: 2 s per 256 KB, at most 8 times)' : 'checked'}, exit ${raised.code} in ${raised.ms} ms, peak RSS ${raised.maxRssMiB} MiB`);
});

test('encoding: a NUL in the first 8,000 bytes makes a piece binary (one warning); a NUL after them does not', async () => {
  const prose = 'The harbour wall was finished in May. '.repeat(300);
  const early = prose.slice(0, 7_999) + '\u0000' + prose.slice(7_999);
  const late = prose.slice(0, 8_000) + '\u0000' + prose.slice(8_000);
  const root = workspaceWith({ 'early.md': early, 'late.md': late });
  const { report } = await cliJson(['check', 'early.md', 'late.md'], root);
  const files = new Map(report.files.map((f) => [f.path, f.diagnostics]));
  assert.deepEqual(codesOf(files.get('early.md')), ['input/skipped']);
  assert.equal(files.get('early.md')![0].severity, 'warning');
  assert.match(files.get('early.md')![0].message, /looks binary/);
  assert.ok(!codesOf(files.get('late.md')).includes('input/skipped'), 'a NUL past the first 8,000 bytes is analysed as text');
});

test('encoding: after a BOM, invalid UTF-8, CRLF and a lone CR, ranges are exact — the same from the CLI and the server', async (t) => {
  // What an editor shows: BOM dropped, the invalid byte as U+FFFD, line ends kept.
  const lines = [`He said it ${QUOTE} [@harbour-wall].`, 'Caf\ufffd au lait\r', `Later: ${QUOTE} [@harbour-wall].`, `Last ${QUOTE} [@nope].`];
  const shown = `${lines[0]}\r\n${lines[1]}${lines[2]}\r\n\r\n${lines[3]}\r\n`;
  const bytes = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(`${lines[0]}\r\nCaf`),
    Buffer.from([0xe9]),
    Buffer.from(` au lait\r${lines[2]}\r\n\r\n${lines[3]}\r\n`),
  ]);
  const root = workspaceWith({ 'piece.md': bytes });
  const { report } = await cliJson(['check', 'piece.md'], root);
  const cli = report.files[0].diagnostics.filter((d) => d.code === 'quote/misquote').map((d) => d.range);
  const occurrences: number[] = [];
  for (let i = shown.indexOf(QUOTE); i >= 0; i = shown.indexOf(QUOTE, i + 1)) occurrences.push(i);
  assert.equal(occurrences.length, 3);
  const wanted = occurrences.map((offset) => rangeAt(shown, offset, QUOTE.length));
  assert.deepEqual(cli, wanted, 'CLI ranges');

  const client = await LspClient.start({ root, kind: 'push' });
  t.after(() => client.stop());
  const uri = client.open('piece.md', shown);
  const published: PublishedDiagnostics = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0, { timeoutMs: 30_000 });
  assert.deepEqual(published.diagnostics.filter((d) => d.code === 'quote/misquote').map((d) => d.range), wanted, 'server ranges');
});

test('encoding: emoji, astral characters and combining marks inside a quotation give exact ranges in UTF-16, UTF-8 and UTF-32', async (t) => {
  const source = 'Ferry news\n\nThe captain said "the new ferry 🚢 leaves the cafe\u0301 quay at noon, whatever the weather 🌧️" on Monday.\n';
  const quotation = '"the new ferry 🚢 leaves the cafe\u0301 quay at midnight, whatever the weather 🌧️"';
  const piece = `# 𝔉erry 🌊 notes\n\nAhoy 🌊👍🏽 — the captain said ${quotation} [@ferry].\n`;
  const root = tempWorkspace({ 'sources/ferry.txt': source, 'piece.md': piece });
  const { report } = await cliJson(['check', 'piece.md'], root);
  const quoteFindings = report.files[0].diagnostics.filter((d) => d.code.startsWith('quote/'));
  assert.equal(quoteFindings.length, 1, JSON.stringify(report.files[0].diagnostics));
  assert.deepEqual(quoteFindings[0].range, rangeIn(piece, quotation), 'CLI (UTF-16 columns)');
  t.diagnostic(`the quotation is reported as ${quoteFindings[0].code}`);

  for (const encoding of ['utf-16', 'utf-8', 'utf-32'] as const) {
    const client = await LspClient.start({ root, kind: 'push', capabilities: { general: { positionEncodings: [encoding] } } });
    try {
      assert.equal(client.initializeResult.capabilities.positionEncoding, encoding);
      const uri = client.open('piece.md');
      const published: PublishedDiagnostics = await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0, { timeoutMs: 30_000 });
      const found = published.diagnostics.filter((d) => String(d.code).startsWith('quote/'));
      assert.deepEqual(found.map((d) => d.range), [rangeIn(piece, quotation, encoding)], `server, ${encoding}`);
    } finally {
      await client.stop();
    }
  }
});
