import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeDiff, matchQuotation, parseQuotation, SourceIndex, tokenize, type QuoteResult } from '../../server/src/engine/quotes';
import { loadSource } from '../../server/src/engine/sources';

// ---------------------------------------------------------------------------
// Tokenizer

const words = (text: string) => tokenize(text).map((token) => token.text);

test('tokenizer: words, apostrophes, numbers, symbols', () => {
  assert.deepEqual(words('Russia’s closest allies'), ["Russia's", 'closest', 'allies']);
  assert.deepEqual(words('profits jumped 76% to $1.13bn (£600m)'), ['profits', 'jumped', '76', '%', 'to', '$', '1.13bn', '£', '600m']);
  assert.deepEqual(words('It lost 464,000 subscribers.'), ['It', 'lost', '464,000', 'subscribers']);
  assert.deepEqual(words('one-off gains—and more – really'), ['one', 'off', 'gains', 'and', 'more', 'really']);
  assert.deepEqual(words('“Quoted” and \'single\' and «guillemets»'), ['Quoted', 'and', 'single', 'and', 'guillemets']);
  assert.deepEqual(words("rock 'n' roll, the allies' ties"), ['rock', 'n', 'roll', 'the', 'allies', 'ties']);
  assert.deepEqual(words('end of sentence. Next, 3. 4'), ['end', 'of', 'sentence', 'Next', '3', '4']);
  assert.deepEqual(words('line\r\nbreak\ttab'), ['line', 'break', 'tab']);
  assert.deepEqual(words('Sergey Lavrov, Сергей Лавров, café, naïve'), ['Sergey', 'Lavrov', 'Сергей', 'Лавров', 'café', 'naïve']);
  assert.deepEqual(words('don`t ʼem'), ["don't", 'em']);
});

test('tokenizer: offsets point into the original text', () => {
  const text = '  “Russia’s allies,” he said — 1,000 times.';
  for (const token of tokenize(text)) {
    assert.equal(token.end - token.start, token.text.length);
    assert.equal(text.slice(token.start, token.end).replace(/’/g, "'"), token.text);
  }
  const decomposed = 'cafe\u0301 au lait';
  assert.deepEqual(words(decomposed), ['cafe\u0301', 'au', 'lait']);
});

test('tokenizer: astral letters and emoji', () => {
  assert.deepEqual(words('𝐀𝐁 and 😀 ok'), ['𝐀𝐁', 'and', 'ok']);
});

// ---------------------------------------------------------------------------
// Quotation parsing

test('quotation parts: omissions, brackets and a bracketed first letter', () => {
  const index = new SourceIndex();
  const parsed = parseQuotation('[T]he West … has been [trying] to pressure. . . allies', index.vocabulary);
  assert.deepEqual(
    parsed.words.map((w) => w.text),
    ['The', 'West', 'has', 'been', 'to', 'pressure', 'allies'],
  );
  assert.deepEqual(
    parsed.parts.map((p) => [p.first, p.end, p.gap]),
    [
      [0, 2, 'start'],
      [2, 4, 'omission'],
      [4, 6, 'bracket'],
      [6, 7, 'omission'],
    ],
  );
  assert.deepEqual(
    parsed.words.map((w) => w.flexibleCase),
    [true, false, true, false, true, false, true],
  );
  assert.equal(parsed.words[0].start, 0, '"[T]he" starts at the bracket');
});

// ---------------------------------------------------------------------------
// Matching

const ARTICLE = [
  'Ad sales boost Time Warner profit',
  '',
  'Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three months to December, from $639m year-earlier.',
  '',
  'The firm, which is now one of the biggest investors in Google, benefited from sales of high-speed internet connections and higher advert sales. TimeWarner said fourth quarter sales rose 2% to $11.1bn from $10.9bn. Its profits were buoyed by one-off gains which offset a profit dip at Warner Bros, and less users for AOL.',
  '',
  'Time Warner said on Friday that it now owns 8% of search-engine Google. But its own internet business, AOL, had has mixed fortunes. It lost 464,000 subscribers in the fourth quarter profits were lower than in the preceding three quarters.',
  '',
  'The company said it was "not yet" ready to comment on the "steady" growth of its film business.',
].join('\n');

const OTHER = 'Separately, the minister said the economy showed steady growth in the last quarter and would not slow down.';

function makeIndex(): SourceIndex {
  const index = new SourceIndex();
  index.add(loadSource('file:///s/tw.txt', 'sources/tw.txt', ARTICLE));
  index.add(loadSource('file:///s/other.txt', 'sources/other.txt', OTHER));
  return index;
}

const index = makeIndex();
const match = (quote: string, preferSources?: string[]): QuoteResult => matchQuotation(index, quote, { preferSources });

function assertVerbatim(quote: string, sourceId = 'tw'): QuoteResult {
  const result = match(quote);
  assert.equal(result.verdict, 'verbatim', `${quote} → ${result.verdict} ${result.best ? describeDiff(result.best.diff) : ''}`);
  assert.ok(result.exactSourceIds.includes(sourceId), result.exactSourceIds.join(','));
  assert.equal(result.best?.similarity, 1);
  return result;
}

function assertNear(quote: string, expected: { op: string; quote: string; source: string }[]): QuoteResult {
  const result = match(quote);
  assert.equal(result.verdict, 'near', `${quote} → ${result.verdict}`);
  assert.deepEqual(result.exactSourceIds, []);
  const changes = result.best!.diff.filter((d) => d.op !== 'equal');
  assert.deepEqual(changes, expected, describeDiff(result.best!.diff));
  return result;
}

test('verbatim: exact passage, with the passage span in the source', () => {
  const quote = 'Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn';
  const result = assertVerbatim(quote);
  const best = result.best!;
  assert.equal(best.sourceId, 'tw');
  assert.equal(ARTICLE.slice(best.passage.start, best.passage.end), quote);
  assert.equal(best.sourceWords, quote);
  assert.equal(best.suggestion, quote);
  assert.deepEqual(best.diff, [{ op: 'equal', quote: 'Quarterly profits at US media giant TimeWarner jumped 76 % to $ 1.13bn', source: 'Quarterly profits at US media giant TimeWarner jumped 76 % to $ 1.13bn' }]);
  assert.equal(result.quoteWordCount, 13, 'currency signs and % are words');
});

test('verbatim: curly vs straight quotes, whitespace and line breaks', () => {
  assertVerbatim('it was “not yet” ready');
  assertVerbatim("it was 'not yet'\n   ready to comment");
  assertVerbatim('the ‘steady’ growth of its film business.');
});

test('verbatim: across a link in a Markdown source (destinations, tags and comments are not text)', () => {
  const markdown = new SourceIndex();
  const text = [
    '---',
    'id: md',
    '---',
    'The minister said the [new report](https://example.org/report.pdf "The report") was <em>deeply</em> flawed.',
    '<!-- editor: check this -->',
    'He called it ![a chart](chart.png) a <https://example.org> disgrace.',
    '',
    '[ref]: https://example.org/ref',
  ].join('\n');
  markdown.add(loadSource('u', 'sources/md.md', text));
  assert.equal(matchQuotation(markdown, 'the new report was deeply flawed').verdict, 'verbatim');
  assert.equal(matchQuotation(markdown, 'flawed. He called it a chart a disgrace').verdict, 'verbatim');
  assert.equal(matchQuotation(markdown, 'report pdf').verdict, 'none');
  assert.equal(matchQuotation(markdown, 'editor check this').verdict, 'none');
});

test('verbatim: the headline can be quoted', () => {
  assertVerbatim('Ad sales boost Time Warner profit');
});

test('verbatim: omissions in order, in the same source', () => {
  assertVerbatim('Quarterly profits at US media giant TimeWarner … for the three months to December');
  assertVerbatim('The firm ... benefited from sales of high-speed internet connections . . . It lost 464,000 subscribers');
  assertVerbatim('Quarterly profits [...] jumped 76%');
  assertVerbatim('… its own internet business, AOL, had has mixed fortunes …');
});

test('not verbatim: omission parts out of order, or from two sources', () => {
  const swapped = match('for the three months to December … Quarterly profits at US media giant TimeWarner');
  assert.notEqual(swapped.verdict, 'verbatim');
  const twoSources = match('Quarterly profits at US media giant … steady growth in the last quarter');
  assert.notEqual(twoSources.verdict, 'verbatim');
});

test('verbatim: brackets stand for a few source words', () => {
  assertVerbatim('[The company] jumped 76% to $1.13bn');
  assertVerbatim('Quarterly profits at [the] US media giant TimeWarner jumped 76%');
  assertVerbatim('[It] said fourth quarter sales rose 2% to $11.1bn');
  assertVerbatim('Its profits were buoyed by [unspecified] one-off gains');
  assertVerbatim('Quarterly profits at [Time Warner] jumped 76%');
  // More than a bracket can stand for is not verbatim.
  assert.notEqual(match('Quarterly profits [then] in the fourth quarter').verdict, 'verbatim');
});

test('verbatim: changed case of the first letter, and after a mark', () => {
  assertVerbatim('profits at US media giant TimeWarner jumped');
  assertVerbatim('Profits were buoyed by one-off gains');
  assertVerbatim('It lost 464,000 subscribers … Fourth quarter profits were lower');
  assertVerbatim('[T]he firm, which is now one of the biggest investors in Google');
});

test('near: a case change inside the quotation is a misquote', () => {
  const result = assertNear('Quarterly profits at US Media giant TimeWarner jumped', [{ op: 'replace', quote: 'Media', source: 'media' }]);
  assert.equal(result.best!.suggestion, 'Quarterly profits at US media giant TimeWarner jumped');
});

test('near: a dropped word', () => {
  const result = assertNear('Its profits were buoyed by gains which offset a profit dip at Warner Bros', [{ op: 'delete', quote: '', source: 'one off' }]);
  assert.equal(result.best!.sourceWords, 'Its profits were buoyed by one-off gains which offset a profit dip at Warner Bros');
  assert.equal(describeDiff(result.best!.diff), 'missing "one off"');
});

test('near: swapped words', () => {
  const result = assertNear('TimeWarner said fourth quarter rose sales 2% to $11.1bn', [{ op: 'replace', quote: 'rose sales', source: 'sales rose' }]);
  assert.equal(result.best!.suggestion, 'TimeWarner said fourth quarter sales rose 2% to $11.1bn');
});

test('near: words swapped at the edge are a swap, not a word added or lost', () => {
  const result = assertNear('The company said it was "yet not"', [{ op: 'replace', quote: 'yet not', source: 'not yet' }]);
  // Quotation marks inside stay paired, and nested ones become single.
  assert.equal(result.best!.suggestion, 'The company said it was ‘not yet’');
  const start = assertNear('Profits quarterly at US media giant', [{ op: 'replace', quote: 'Profits quarterly', source: 'Quarterly profits' }]);
  assert.equal(start.best!.suggestion, 'Quarterly profits at US media giant');
});

test('near: a replaced word, with the source words and a suggestion', () => {
  const quote = 'the West has been steadily pressuring';
  const seed = new SourceIndex();
  seed.add(loadSource('u', 'seed.txt', ' date 2023-05-17 Lavrov said the West has been consistently pressuring Russia’s allies.'));
  const result = matchQuotation(seed, quote, {});
  assert.equal(result.verdict, 'near');
  assert.equal(describeDiff(result.best!.diff), '"consistently" → "steadily"');
  assert.equal(result.best!.sourceWords, 'the West has been consistently pressuring');
  assert.equal(result.best!.suggestion, 'the West has been consistently pressuring');
});

test('near: a changed number', () => {
  assertNear('It lost 446,000 subscribers in the fourth quarter', [{ op: 'replace', quote: '446,000', source: '464,000' }]);
  assertNear('TimeWarner jumped 67% to $1.13bn (£600m) for the three months', [{ op: 'replace', quote: '67', source: '76' }]);
  // A changed currency is a change too.
  assertNear('jumped 76% to £1.13bn (£600m) for the three months', [{ op: 'replace', quote: '£', source: '$' }]);
});

test('near: "not" inserted', () => {
  const result = assertNear('Time Warner said on Friday that it does not now own 8% of search-engine Google', [
    { op: 'insert', quote: 'does not', source: '' },
    { op: 'replace', quote: 'own', source: 'owns' },
  ]);
  assert.equal(describeDiff(result.best!.diff), 'added "does not"; "owns" → "own"');
  assert.ok(result.best!.similarity >= 0.6 && result.best!.similarity < 1);
  const simple = assertNear('But its own internet business, AOL, had not has mixed fortunes', [{ op: 'insert', quote: 'not', source: '' }]);
  assert.equal(describeDiff(simple.best!.diff), 'added "not"');
});

test('near: the suggestion keeps the author’s omissions and brackets', () => {
  const result = match('Quarterly profits at US media giant TimeWarner rose … [Its] profits were boosted by one-off gains');
  assert.equal(result.verdict, 'near');
  assert.equal(result.best!.suggestion, 'Quarterly profits at US media giant TimeWarner jumped … [Its] profits were buoyed by one-off gains');
  assert.equal(describeDiff(result.best!.diff), '"jumped" → "rose"; "buoyed" → "boosted"');
  // The bracket stands for "Its": the source words shown are the ones matched.
  assert.equal(result.best!.sourceWords, 'Quarterly profits at US media giant TimeWarner jumped … profits were buoyed by one-off gains');
  assert.equal(ARTICLE.slice(result.best!.passage.start, result.best!.passage.start + 9), 'Quarterly');
});

test('near: inner double quotes in a suggestion become single ones', () => {
  const result = match('The company said it was "not quite" ready to comment');
  assert.equal(result.verdict, 'near');
  assert.equal(result.best!.suggestion, 'The company said it was ‘not yet’ ready to comment');
});

test('none: an invented quotation', () => {
  const result = match('we will never surrender to the purple elephants of the north');
  assert.equal(result.verdict, 'none');
  assert.deepEqual(result.exactSourceIds, []);
  assert.equal(match('').verdict, 'none');
  assert.equal(match('… [sic] —').quoteWordCount, 0);
});

test('none: a loose paraphrase is not a near miss', () => {
  const result = match('TimeWarner profits went up a lot in the months before December');
  assert.equal(result.verdict, 'none');
});

test('short quotations: one or two words', () => {
  assertVerbatim('mixed fortunes');
  assertVerbatim('steady', 'other');
  assertVerbatim('Steady', 'other');
  assert.deepEqual(match('steady').exactSourceIds, ['other', 'tw'], 'in source-id order');
  assert.equal(match('purple').verdict, 'none');
  assert.equal(match('mixed blessings').verdict, 'none');
  // A case change inside a two-word quotation: near, not verbatim.
  const caseChanged = match('mixed Fortunes');
  assert.equal(caseChanged.verdict, 'near');
  assert.equal(describeDiff(caseChanged.best!.diff), '"fortunes" → "Fortunes"');
});

test('several sources: every verbatim source is listed; the preferred one is chosen', () => {
  const twice = new SourceIndex();
  twice.add(loadSource('u1', 'a.txt', 'The economy showed steady growth in the last quarter, officials said.'));
  twice.add(loadSource('u2', 'b.txt', 'Analysts agreed the economy showed steady growth in the last quarter.'));
  const quote = 'the economy showed steady growth in the last quarter';
  const plain = matchQuotation(twice, quote, {});
  assert.deepEqual(plain.exactSourceIds, ['a', 'b']);
  assert.equal(plain.best!.sourceId, 'a');
  const preferB = matchQuotation(twice, quote, { preferSources: ['b'] });
  assert.equal(preferB.best!.sourceId, 'b');
  // Cited to a source that does not have it: it still names where it is verbatim.
  const wrong = matchQuotation(twice, 'Analysts agreed the economy', { preferSources: ['a'] });
  assert.deepEqual(wrong.exactSourceIds, ['b']);
  assert.equal(wrong.best!.sourceId, 'b');
});

test('near misses favour the cited source', () => {
  const two = new SourceIndex();
  two.add(loadSource('u1', 'a.txt', 'The minister said growth would be steady and strong this year.'));
  two.add(loadSource('u2', 'b.txt', 'The minister said growth would be steady and strong next year.'));
  const quote = 'The minister said growth would be sharp and strong';
  assert.equal(matchQuotation(two, quote, { preferSources: ['b'] }).best!.sourceId, 'b');
  assert.equal(matchQuotation(two, quote, { preferSources: ['a'] }).best!.sourceId, 'a');
});

test('nearThreshold is an option', () => {
  const quote = 'Quarterly profits at US media giant TimeWarner fell sharply to nothing at all';
  assert.equal(matchQuotation(index, quote, { nearThreshold: 0.9 }).verdict, 'none');
  assert.equal(matchQuotation(index, quote, { nearThreshold: 0.4 }).verdict, 'near');
});

test('describeDiff: short, source first, capped', () => {
  assert.equal(
    describeDiff([
      { op: 'equal', quote: 'a', source: 'a' },
      { op: 'replace', quote: 'sharp', source: 'steady' },
      { op: 'delete', quote: '', source: 'not' },
    ]),
    '"steady" → "sharp"; missing "not"',
  );
  const many = ['a', 'b', 'c', 'd', 'e'].map((w) => ({ op: 'insert' as const, quote: w, source: '' }));
  assert.equal(describeDiff(many), 'added "a"; added "b"; added "c"; …');
  assert.equal(describeDiff([{ op: 'equal', quote: 'x', source: 'x' }]), '');
});

// ---------------------------------------------------------------------------
// Index maintenance

test('index: add, remove, replace, has', () => {
  const live = new SourceIndex();
  const quote = 'the economy showed steady growth';
  live.add(loadSource('u1', 'a.txt', 'Officials said the economy showed steady growth.'));
  assert.ok(live.has('a'));
  assert.equal(matchQuotation(live, quote).verdict, 'verbatim');

  live.add(loadSource('u1', 'a.txt', 'Officials said the economy showed weak growth.'));
  assert.equal(live.size, 1);
  assert.equal(matchQuotation(live, quote).verdict, 'near');

  assert.ok(live.remove('a'));
  assert.ok(!live.has('a'));
  assert.ok(!live.remove('a'));
  assert.equal(matchQuotation(live, quote).verdict, 'none');
});

test('index: many single-file edits keep results right and segments few', () => {
  const live = new SourceIndex();
  const texts = (n: number, version: number) => `Article ${n} says the value of item ${n} is ${n * 10 + version} units today.`;
  for (let n = 0; n < 50; n++) live.add(loadSource(`u${n}`, `s/${n}.txt`, texts(n, 0)));
  live.build();
  for (let round = 1; round <= 5; round++) {
    for (let n = 0; n < 50; n += 3) {
      live.add(loadSource(`u${n}`, `s/${n}.txt`, texts(n, round)));
      // Query between edits, as an editor does.
      const result = matchQuotation(live, `the value of item ${n} is ${n * 10 + round} units`);
      assert.deepEqual(result.exactSourceIds, [String(n)]);
    }
  }
  const stale = matchQuotation(live, 'the value of item 3 is 30 units');
  assert.equal(stale.verdict, 'near', 'the old text of an edited source is gone');
  const stats = live.stats();
  assert.equal(stats.sources, 50);
  assert.ok(stats.segments <= 8, `segments: ${stats.segments}`);
  for (let n = 0; n < 50; n++) live.remove(String(n));
  assert.equal(live.stats().typedArrayBytes, 0);
});

test('several sources, none cited: the same one is chosen whatever order the sources were added in', () => {
  const sentence = 'The harbour board said the new pier would open before the summer season began.';
  const texts: Record<string, string> = {
    'zeta-gazette': `Harbour news\n\n${sentence} Traders welcomed it.\n`,
    'alpha-courier': `Pier plans\n\nLocal reporters heard that ${sentence}\n`,
    'mid-herald': `Summer works\n\n${sentence} More on page two.\n`,
  };
  const results = (order: string[], quote: string) => {
    const index = new SourceIndex();
    for (const id of order) index.add(loadSource(`file:///ws/sources/${id}.txt`, `sources/${id}.txt`, texts[id]));
    const result = matchQuotation(index, quote);
    return { verdict: result.verdict, best: result.best?.sourceId, sources: result.exactSourceIds };
  };
  const orders = [
    ['zeta-gazette', 'alpha-courier', 'mid-herald'],
    ['mid-herald', 'zeta-gazette', 'alpha-courier'],
    ['alpha-courier', 'mid-herald', 'zeta-gazette'],
  ];
  const verbatim = orders.map((order) => results(order, 'the new pier would open before the summer season began'));
  assert.deepEqual(verbatim[0], { verdict: 'verbatim', best: 'alpha-courier', sources: ['alpha-courier', 'mid-herald', 'zeta-gazette'] });
  for (const other of verbatim) assert.deepEqual(other, verbatim[0]);
  const near = orders.map((order) => results(order, 'the new pier would open after the summer season began'));
  assert.equal(near[0].verdict, 'near');
  assert.equal(near[0].best, 'alpha-courier');
  for (const other of near) assert.deepEqual(other, near[0]);
});

test('source words: containsWord says whether a live source writes the word exactly so, after edits and from a snapshot', () => {
  const index = new SourceIndex();
  const add = (id: string, text: string) => index.add(loadSource(`file:///ws/${id}.txt`, `${id}.txt`, text));
  add('a', 'Headline\n\nGrowth slowed. Ministers said growth would return.');
  add('b', 'Headline\n\nLavrov spoke. The BBC asked LAVROV again.');
  // Every surface the vocabulary holds (keys such as "lavrov" included), against a scan of every live source's words.
  const scanned = () => {
    const seen = new Set<number>();
    for (const entry of index.entries()) for (const id of entry.words) seen.add(id);
    return seen;
  };
  const agrees = (which: SourceIndex) => {
    const seen = scanned();
    for (let id = 0; id < which.vocabulary.size; id++) {
      const surface = which.vocabulary.surfaces[id];
      assert.equal(which.containsWord(surface), seen.has(index.vocabulary.lookup(surface)), surface);
    }
  };
  index.build();
  assert.equal(index.containsWord('growth'), true);
  assert.equal(index.containsWord('lavrov'), false, 'a folded key, not a word any source writes');
  assert.equal(index.containsWord('nowhere'), false);
  agrees(index);

  index.remove('a');
  assert.equal(index.containsWord('growth'), false, 'the only lower-case "growth" was in the removed source');
  add('c', 'Headline\n\nGrowth is back.');
  index.build();
  assert.equal(index.containsWord('growth'), false);
  assert.equal(index.containsWord('Growth'), true);
  agrees(index);

  const restored = new SourceIndex();
  assert.ok(restored.restore(index.snapshot()) > 0);
  assert.equal(restored.containsWord('Lavrov'), false, 'restored, not yet adopted');
  restored.add(loadSource('file:///ws/b.txt', 'b.txt', 'Headline\n\nLavrov spoke. The BBC asked LAVROV again.'));
  assert.equal(restored.containsWord('Lavrov'), true, 'from an adopted source');
  assert.equal(restored.containsWord('Growth'), false, 'source c was not adopted: it is gone');
});
