/**
 * Ground truth through the real entry point: the 100 BBC articles of
 * bbc-summary as sources, every summary sentence quoted in a Markdown piece
 * (as a cited blockquote and as a cited inline quotation) and checked by the
 * CLI. Verbatim quotations must give no quote/* or citation/* finding;
 * perturbed ones must be flagged; a wrong key must name the right article.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusDir } from '../helpers/corpus';
import { tempWorkspace } from '../helpers/repo';
import { cliJson, type JsonReport } from '../helpers/cli';

interface Article {
  id: string;
  summary: string[];
}

function loadCorpus(dir: string): { files: Record<string, string>; articles: Article[] } {
  const files: Record<string, string> = {};
  const articles: Article[] = [];
  for (const category of fs.readdirSync(path.join(dir, 'article')).sort()) {
    for (const file of fs.readdirSync(path.join(dir, 'article', category)).sort()) {
      const id = `${category}-${file.replace(/\.txt$/, '')}`;
      files[`sources/${id}.txt`] = fs.readFileSync(path.join(dir, 'article', category, file), 'utf8');
      const summary = fs.readFileSync(path.join(dir, 'summary', category, file), 'utf8');
      articles.push({ id, summary: summary.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.split(/\s+/).length >= 3) });
    }
  }
  return { files, articles };
}

/** Inner double quotes become single ones, as a writer nests quotations. */
const nest = (sentence: string) => sentence.replace(/["“”]/g, "'");

function findings(report: JsonReport, prefix: string[]): Map<string, { code: string; message: string; line: number }[]> {
  const byFile = new Map<string, { code: string; message: string; line: number }[]>();
  for (const file of report.files) {
    byFile.set(
      file.path,
      file.diagnostics.filter((d) => prefix.some((p) => d.code.startsWith(p))).map((d) => ({ code: d.code, message: d.message, line: d.range.start.line })),
    );
  }
  return byFile;
}

/** A small seeded generator (mulberry32) so the perturbations are the same every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function perturb(sentence: string, next: () => number): string {
  const words = sentence.split(' ');
  const kind = Math.floor(next() * 5);
  const at = 1 + Math.floor(next() * (words.length - 2));
  const numberAt = words.findIndex((w) => /\d/.test(w));
  if (kind === 0) words.splice(at, 1);
  else if (kind === 1) [words[at], words[at + 1]] = [words[at + 1] ?? words[at - 1], words[at]];
  else if (kind === 2) words[at] = words[at].toLowerCase() === 'today' ? 'yesterday' : 'today';
  else if (kind === 3 && numberAt >= 0) words[numberAt] = words[numberAt].replace(/\d/, (d) => String((Number(d) + 1) % 10));
  else words.splice(at, 0, 'not');
  return words.join(' ');
}

test('bbc-summary through the CLI: every summary sentence quoted verbatim, zero quote/citation findings', async (t) => {
  const dir = corpusDir(t, 'bbc-summary');
  if (!dir) return;
  const { files, articles } = loadCorpus(dir);
  const piece: string[] = ['# Summaries', ''];
  let quotations = 0;
  for (const article of articles) {
    for (const sentence of article.summary) {
      piece.push(`> ${nest(sentence)} [@${article.id}]`, '', `The report said “${nest(sentence)}” [@${article.id}].`, '');
      quotations += 2;
    }
  }
  const root = tempWorkspace({ ...files, 'piece.md': piece.join('\n'), '.provenance.yml': 'maxFileSize: 10000000\n' });
  const { report, stderr } = await cliJson(['check', 'piece.md', '--time-budget', '0'], root);
  const found = findings(report, ['quote/', 'citation/']).get('piece.md') ?? [];
  console.log(`bbc-summary (CLI): ${quotations} quotations of ${articles.length} articles, ${found.length} quote/citation findings`);
  assert.deepEqual(found.slice(0, 5), [], `${found.length} findings, e.g. ${JSON.stringify(found.slice(0, 5))}\n${stderr}`);
});

test('bbc-summary through the CLI: perturbed quotations are flagged (≥ 98%) and wrong keys name the right article', async (t) => {
  const dir = corpusDir(t, 'bbc-summary');
  if (!dir) return;
  const { files, articles } = loadCorpus(dir);
  const next = random(20261128);
  const perturbed: string[] = ['# Perturbed', ''];
  const wrong: string[] = ['# Wrong keys', ''];
  const expectedRight: string[] = [];
  articles.forEach((article, i) => {
    const other = articles[(i + 1) % articles.length].id;
    for (const sentence of article.summary) {
      perturbed.push(`The report said “${nest(perturb(sentence, next))}” [@${article.id}].`, '');
    }
    wrong.push(`The report said “${nest(article.summary[0])}” [@${other}].`, '');
    expectedRight.push(article.id);
  });
  const root = tempWorkspace({ ...files, 'perturbed.md': perturbed.join('\n'), 'wrong.md': wrong.join('\n'), '.provenance.yml': 'maxFileSize: 10000000\n' });
  const { report } = await cliJson(['check', 'perturbed.md', 'wrong.md', '--time-budget', '0'], root);
  const byFile = findings(report, ['quote/', 'citation/']);
  const total = perturbed.filter((l) => l.startsWith('The report')).length;
  const flaggedLines = new Set((byFile.get('perturbed.md') ?? []).filter((f) => f.code === 'quote/misquote' || f.code === 'quote/not-found').map((f) => f.line));
  const rate = flaggedLines.size / total;
  console.log(`bbc-summary (CLI): perturbed quotations flagged ${flaggedLines.size}/${total} = ${(rate * 100).toFixed(1)}%`);
  assert.ok(rate >= 0.98, `only ${(rate * 100).toFixed(1)}% flagged`);

  const wrongFindings = (byFile.get('wrong.md') ?? []).filter((f) => f.code === 'citation/wrong-source');
  // The named article must be the quoted one, or another that holds the same sentence (the corpus has near-duplicate stories).
  const flat = (text: string) => text.replace(/\s+/g, ' ');
  const correct = wrongFindings.filter((f, i) => {
    const named = /verbatim in @([\w-]+)/.exec(f.message)?.[1];
    return named === expectedRight[i] || (named !== undefined && flat(files[`sources/${named}.txt`] ?? '').includes(flat(articles[i].summary[0])));
  }).length;
  console.log(`bbc-summary (CLI): wrong keys flagged as citation/wrong-source ${wrongFindings.length}/${articles.length}, an article holding the sentence named in ${correct}`);
  assert.equal(wrongFindings.length, articles.length);
  assert.equal(correct, articles.length);
});
