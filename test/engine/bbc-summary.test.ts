/**
 * Ground truth from the BBC summary corpus: every summary sentence appears
 * verbatim in its article, so each must be found verbatim there; perturbed
 * copies of the same sentences must not be. Also a seed-article check and a
 * timing print on the 2,095-article bbc-news corpus (printed, not asserted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describeDiff, matchQuotation, SourceIndex } from '../../server/src/engine/quotes';
import { loadSource } from '../../server/src/engine/sources';
import { bbcNewsArticles, corpusDir, list, readText } from '../helpers/corpus';
import { mulberry32 } from '../helpers/random';

interface Sentence {
  articleId: string;
  text: string;
}

function loadSummaryCorpus(dir: string): { index: SourceIndex; sentences: Sentence[] } {
  const index = new SourceIndex();
  const sentences: Sentence[] = [];
  for (const category of list(path.join(dir, 'article'))) {
    for (const file of list(path.join(dir, 'article', category))) {
      const id = `${category}-${file.replace(/\.txt$/, '')}`;
      const source = loadSource(`file:///bbc-summary/${category}/${file}`, `${category}/${file}`, readText(path.join(dir, 'article', category, file)));
      index.add({ ...source, id });
      for (const line of readText(path.join(dir, 'summary', category, file)).split(/\r?\n/)) {
        if (line.trim()) sentences.push({ articleId: id, text: line.trim() });
      }
    }
  }
  return { index, sentences };
}

type PerturbationKind = 'drop' | 'swap' | 'replace' | 'number' | 'not';
const KINDS: PerturbationKind[] = ['drop', 'swap', 'replace', 'number', 'not'];
const REPLACEMENTS = ['purple', 'seventeen', 'quietly', 'elephant', 'yesterday', 'banana', 'northern', 'rarely'];

const hasWord = (w: string) => /[\p{L}\p{N}]/u.test(w);
const core = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * One perturbation of a sentence, on its space-separated words. Changes are
 * kept off the first and last word where dropping them would leave a shorter
 * quotation that is still verbatim.
 */
function perturb(text: string, random: () => number): { kind: PerturbationKind; text: string } {
  const words = text.split(/\s+/);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const interior = words.map((_, i) => i).filter((i) => i > 0 && i < words.length - 1 && hasWord(words[i]));
  const numbered = words.map((_, i) => i).filter((i) => /\d/.test(words[i]));
  let kind = pick(KINDS);
  if (kind === 'number' && numbered.length === 0) kind = pick(KINDS.filter((k) => k !== 'number'));

  const swappable = words
    .map((_, i) => i)
    .filter((i) => i + 1 < words.length && hasWord(words[i]) && hasWord(words[i + 1]) && core(words[i]) !== core(words[i + 1]));
  if (kind === 'swap' && swappable.length === 0) kind = 'replace';
  if ((kind === 'drop' || kind === 'replace') && interior.length === 0) kind = 'not';

  const out = [...words];
  switch (kind) {
    case 'drop':
      out.splice(pick(interior), 1);
      break;
    case 'swap': {
      const i = pick(swappable);
      [out[i], out[i + 1]] = [out[i + 1], out[i]];
      break;
    }
    case 'replace': {
      const i = pick(interior);
      const replacement = pick(REPLACEMENTS.filter((r) => r !== core(words[i])));
      out[i] = words[i].replace(/[\p{L}\p{N}'’]+/u, replacement);
      break;
    }
    case 'number': {
      const i = pick(numbered);
      const digits = [...words[i]].map((c, k) => (/\d/.test(c) ? k : -1)).filter((k) => k >= 0);
      const at = pick(digits);
      const chars = [...words[i]];
      chars[at] = String((Number(chars[at]) + 1 + Math.floor(random() * 8)) % 10);
      out[i] = chars.join('');
      break;
    }
    case 'not':
      out.splice(1 + Math.floor(random() * Math.max(1, words.length - 1)), 0, 'not');
      break;
  }
  return { kind, text: out.join(' ') };
}

test('bbc-summary: every summary sentence is verbatim in its article', (t) => {
  const dir = corpusDir(t, 'bbc-summary');
  if (!dir) return;
  const { index, sentences } = loadSummaryCorpus(dir);
  assert.equal(index.size, 100, 'all 100 articles of the 5 categories');

  const failures: string[] = [];
  for (const sentence of sentences) {
    const result = matchQuotation(index, sentence.text, { preferSources: [sentence.articleId] });
    if (result.verdict !== 'verbatim' || !result.exactSourceIds.includes(sentence.articleId) || result.best?.sourceId !== sentence.articleId) {
      failures.push(`${sentence.articleId}: ${result.verdict} [${result.exactSourceIds.join(',')}] ${sentence.text}`);
    }
  }
  const verbatim = sentences.length - failures.length;
  console.log(`bbc-summary: ${verbatim}/${sentences.length} summary sentences verbatim in their article`);
  assert.deepEqual(failures, []);
  assert.ok(sentences.length > 700, `${sentences.length} sentences`);
});

test('bbc-summary: perturbed sentences are not verbatim (≥ 98%)', (t) => {
  const dir = corpusDir(t, 'bbc-summary');
  if (!dir) return;
  const { index, sentences } = loadSummaryCorpus(dir);
  const random = mulberry32(20261128);

  const byKind = new Map<PerturbationKind, { total: number; flagged: number }>();
  let flagged = 0;
  let near = 0;
  let nearRightArticle = 0;
  const missed: string[] = [];
  for (const sentence of sentences) {
    const { kind, text } = perturb(sentence.text, random);
    const result = matchQuotation(index, text, { preferSources: [sentence.articleId] });
    const stats = byKind.get(kind) ?? { total: 0, flagged: 0 };
    stats.total++;
    if (result.verdict !== 'verbatim') {
      flagged++;
      stats.flagged++;
    } else {
      missed.push(`${kind}: ${text}`);
    }
    if (result.verdict === 'near') {
      near++;
      if (result.best?.sourceId === sentence.articleId) nearRightArticle++;
      assert.notEqual(describeDiff(result.best!.diff), '', `a near miss names its differences: ${text}`);
      // The quick fix must produce a verbatim quotation.
      const fixed = matchQuotation(index, result.best!.suggestion, { preferSources: [result.best!.sourceId] });
      assert.equal(fixed.verdict, 'verbatim', `suggestion for ${text}: ${result.best!.suggestion}`);
    }
    byKind.set(kind, stats);
  }
  const rate = (100 * flagged) / sentences.length;
  const kinds = [...byKind].map(([kind, s]) => `${kind} ${s.flagged}/${s.total}`).join(', ');
  console.log(
    `bbc-summary: perturbed flagged ${flagged}/${sentences.length} = ${rate.toFixed(1)}% (near ${near}, of which ${nearRightArticle} in the right article); ${kinds}`,
  );
  if (missed.length > 0) console.log(`bbc-summary: still verbatim after perturbation:\n  ${missed.slice(0, 10).join('\n  ')}`);
  assert.ok(rate >= 98, `${rate.toFixed(1)}% flagged`);
  assert.ok(nearRightArticle >= 0.95 * near, `${nearRightArticle}/${near} near misses point at the right article`);
});

test('bbc-summary: random passages with editorial marks never throw, and every fix verifies', (t) => {
  const dir = corpusDir(t, 'bbc-summary');
  if (!dir) return;
  const { index } = loadSummaryCorpus(dir);
  const articles = [...index.entries()].map((entry) => entry.source);
  const marks = [' … ', ' ... ', ' [he] ', '[T]', ' [...] ', '“', '”', '"', ' – ', ' not ', '\n', '[', ']', '. . .', '’'];
  const random = mulberry32(99);
  const verdicts = { verbatim: 0, near: 0, none: 0 };
  for (let k = 0; k < 1500; k++) {
    const text = articles[Math.floor(random() * articles.length)].text;
    const at = Math.floor(random() * text.length);
    let quote = text.slice(at, at + Math.floor(random() * (random() < 0.1 ? 2000 : 200)));
    for (let e = Math.floor(random() * 4); e > 0; e--) {
      const p = Math.floor(random() * (quote.length + 1));
      quote = quote.slice(0, p) + marks[Math.floor(random() * marks.length)] + quote.slice(p);
    }
    const result = matchQuotation(index, quote);
    verdicts[result.verdict]++;
    if (result.verdict === 'verbatim') assert.equal(result.best!.similarity, 1);
    if (result.verdict === 'near') {
      assert.ok(result.best!.diff.some((d) => d.op !== 'equal'), quote);
      const fixed = matchQuotation(index, result.best!.suggestion, { preferSources: [result.best!.sourceId] });
      assert.equal(fixed.verdict, 'verbatim', `${JSON.stringify(quote)} → ${JSON.stringify(result.best!.suggestion)}`);
    }
  }
  console.log(`bbc-summary: random marked passages: ${JSON.stringify(verdicts)}`);
});

test('bbc-summary: a sentence cited to the wrong article still names the right one', (t) => {
  const dir = corpusDir(t, 'bbc-summary');
  if (!dir) return;
  const { index, sentences } = loadSummaryCorpus(dir);
  let checked = 0;
  for (let k = 0; k < sentences.length; k += 7) {
    const sentence = sentences[k];
    const wrong = sentence.articleId === 'sport-001' ? 'tech-001' : 'sport-001';
    const result = matchQuotation(index, sentence.text, { preferSources: [wrong] });
    assert.equal(result.verdict, 'verbatim');
    assert.ok(result.exactSourceIds.includes(sentence.articleId), sentence.text);
    assert.ok(!result.exactSourceIds.includes(wrong), sentence.text);
    assert.equal(result.best!.sourceId, sentence.articleId);
    checked++;
  }
  assert.ok(checked > 100);
});

test('seed article: verbatim, omissions and brackets verify; altered quotations do not', (t) => {
  const dir = corpusDir(t, 'seed');
  if (!dir) return;
  const file = list(dir).find((name) => name.endsWith('.txt'));
  assert.ok(file, 'a seed article');
  const source = loadSource(`file:///seed/${file}`, `seed/${file}`, readText(path.join(dir, file)));
  const index = new SourceIndex();
  index.add(source);
  const id = source.id;
  const verify = (quote: string) => matchQuotation(index, quote, { preferSources: [id] });

  const verbatim = [
    "the West has been consistently pressuring Russia's allies",
    'the West has been consistently pressuring Russia’s allies, pushing them to align their actions with Western interests',
    'Recently, in an interview with Tsargrad TV',
    'He criticised this approach, referring to it as interference in internal affairs',
    // Omissions in order.
    'Lavrov underscored the substantial evidence … pushing them to align their actions with Western interests',
    'Russia’s allies find themselves in a dilemma... they also face increasing economic engagement with Western countries',
    // Brackets: replacement and insertion; a changed first letter.
    '[Lavrov] criticised this approach',
    'the [Eurasian] integration processes within the post-Soviet space',
    '[T]he foreign minister pointed out that Russia’s allies find themselves in a dilemma',
    'Western countries attempting to place Russia’s closest allies and strategic partners in a precarious position',
  ];
  for (const quote of verbatim) {
    const result = verify(quote);
    assert.equal(result.verdict, 'verbatim', `${quote} → ${result.verdict} ${result.best ? describeDiff(result.best.diff) : ''}`);
    assert.deepEqual(result.exactSourceIds, [id]);
  }

  const altered: [string, RegExp][] = [
    ['the West has been steadily pressuring Russia’s allies', /"consistently" → "steadily"/],
    ['Western countries attempting to place Russia’s closest allies and strategic partners in a dangerous position', /"precarious" → "dangerous"/],
    ['He praised this approach, referring to it as interference in internal affairs', /"criticised" → "praised"/],
    ['Lavrov dismissed the notion of a crisis in the integration processes', /missing "deep"/],
    ['Russia’s allies do not find themselves in a dilemma', /added "do not"/],
  ];
  for (const [quote, change] of altered) {
    const result = verify(quote);
    assert.equal(result.verdict, 'near', `${quote} → ${result.verdict}`);
    assert.match(describeDiff(result.best!.diff), change);
    assert.equal(result.best!.sourceId, id);
  }
  assert.equal(verify('Lavrov announced that Russia would leave the Eurasian Economic Union next year').verdict, 'none');
});

test('timing: index the bbc-news corpus and look quotations up (printed, not asserted)', (t) => {
  const files = bbcNewsArticles(t);
  if (!files) return;
  const bytes = files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const started = process.hrtime.bigint();
  const index = new SourceIndex();
  const sources = files.map((f) => loadSource(`file:///news/${f.path}`, f.path, f.text));
  for (const source of sources) index.add({ ...source, id: source.path.replace(/\.txt$/, '') });
  index.build();
  const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
  gc?.();
  const after = process.memoryUsage();
  const addedMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1048576;
  const stats = index.stats();

  // Quotations: whole sentences from random articles, and the same with one word changed.
  const random = mulberry32(7);
  const quotes: string[] = [];
  while (quotes.length < 1000) {
    const source = sources[Math.floor(random() * sources.length)];
    const sentences = source.text.slice(source.body.start, source.body.end).split(/(?<=[.!?])\s+/).filter((s) => s.split(' ').length >= 4);
    if (sentences.length > 0) quotes.push(sentences[Math.floor(random() * sentences.length)]);
  }
  const time = (list: string[]) => {
    const times: number[] = [];
    let verbatim = 0;
    for (const quote of list) {
      const t0 = process.hrtime.bigint();
      if (matchQuotation(index, quote).verdict === 'verbatim') verbatim++;
      times.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    times.sort((a, b) => a - b);
    return { verbatim, median: times[times.length >> 1], p95: times[Math.floor(times.length * 0.95)] };
  };
  time(quotes.slice(0, 100)); // warm up
  const exact = time(quotes);
  const altered = time(quotes.map((q) => perturb(q, random).text));
  console.log(
    `bbc-news: ${stats.sources} articles, ${(bytes / 1048576).toFixed(1)} MB, ${stats.words} words: indexed in ${buildMs.toFixed(0)} ms, ` +
      `+${addedMb.toFixed(1)} MB (typed arrays ${(stats.typedArrayBytes / 1048576).toFixed(1)} MB${gc ? '' : ', no --expose-gc: rough'}); ` +
      `lookup verbatim median ${exact.median.toFixed(0)} µs p95 ${exact.p95.toFixed(0)} µs (${exact.verbatim}/${quotes.length}), ` +
      `perturbed median ${altered.median.toFixed(0)} µs p95 ${altered.p95.toFixed(0)} µs`,
  );
  assert.equal(exact.verbatim, quotes.length);
});
