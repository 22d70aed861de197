/**
 * quote/misattributed on real BBC politics articles (../shared/corpus/bbc-news/news/politics).
 * The quotations are taken from the articles at test time (nothing copied into
 * the repository); who said each one was read by hand and is written below as
 * (article, first words of the quotation, surname).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED_CORPUS } from '../helpers/repo';
import { createEngine, type Engine } from '../../server/src/engine/index';
import { loadSource } from '../../server/src/engine/sources';
import { quoteContaining, sourceQuotes } from '../../server/src/engine/claims/speakers';

const POLITICS = path.join(SHARED_CORPUS, 'bbc-news', 'news', 'politics');

/** Hand-read attributions: the quotation that starts with these words is the named person's. */
const SPEAKERS: { article: string; opening: string; surname: string; wrong: string }[] = [
  { article: 'abbas-will-not-tolerate-attacks', opening: 'We believe peace', surname: 'Abbas', wrong: 'Jack Straw' },
  { article: 'abbas-will-not-tolerate-attacks', opening: 'We have an opportunity', surname: 'Abbas', wrong: 'Tony Blair' },
  { article: 'abbas-will-not-tolerate-attacks', opening: "It's a high-level", surname: 'Straw', wrong: 'Mahmoud Abbas' },
  { article: 'blair-pledges-unity-to-labour-mps', opening: 'I know from everyone', surname: 'Blair', wrong: 'Gordon Brown' },
  { article: 'blair-pledges-unity-to-labour-mps', opening: 'Those who co-operate', surname: 'Reid', wrong: 'Tony Blair' },
  { article: 'blair-pledges-unity-to-labour-mps', opening: 'It\'s very important that we all', surname: 'Brown', wrong: 'John Reid' },
  { article: 'councils-must-find-gypsy-sites', opening: 'That is why we are consulting', surname: 'Cooper', wrong: 'Andrew Ryder' },
  { article: 'councils-must-find-gypsy-sites', opening: 'New accommodation proposals', surname: 'Ryder', wrong: 'Yvette Cooper' },
];

function politicsEngine(): Engine {
  const engine = createEngine();
  engine.setConfig(undefined, undefined);
  for (const name of fs.readdirSync(POLITICS).sort()) {
    engine.setSource(`file:///w/sources/${name}`, `sources/${name}`, fs.readFileSync(path.join(POLITICS, name), 'utf8'));
  }
  return engine;
}

/** The full quotation of an article that starts with `opening`, read from the corpus. */
function quotationOf(article: string, opening: string): string {
  const text = fs.readFileSync(path.join(POLITICS, `${article}.txt`), 'utf8');
  const source = loadSource(`file:///w/sources/${article}.txt`, `sources/${article}.txt`, text);
  const quote = sourceQuotes(source).find((q) => text.slice(q.content.start, q.content.end).startsWith(opening));
  assert.ok(quote, `${article}: no quotation starting "${opening}"`);
  return text.slice(quote.content.start, quote.content.end).replace(/[.,]$/, '');
}

test('misattributed: the speakers learnt from the articles match the hand-read ones', (t) => {
  if (!fs.existsSync(POLITICS)) return t.skip(`../shared/corpus not found: ${POLITICS}`);
  for (const { article, opening, surname } of SPEAKERS) {
    const text = fs.readFileSync(path.join(POLITICS, `${article}.txt`), 'utf8');
    const source = loadSource(`file:///w/sources/${article}.txt`, `sources/${article}.txt`, text);
    const quote = sourceQuotes(source).find((q) => text.slice(q.content.start, q.content.end).startsWith(opening));
    assert.equal(quote?.speaker?.key, surname.toLowerCase(), `${article}: "${opening}…"`);
  }
});

test('misattributed: fires on quotations the piece gives to someone else, not on correctly attributed ones', (t) => {
  if (!fs.existsSync(POLITICS)) return t.skip(`../shared/corpus not found: ${POLITICS}`);
  const engine = politicsEngine();
  const lines: string[] = ['# Who said what', ''];
  const expected: { line: number; fires: boolean; to?: string }[] = [];
  for (const { article, opening, surname, wrong } of SPEAKERS) {
    const quotation = quotationOf(article, opening);
    // Three ways a piece attributes: "X said: …", "…," X said, and "…," said X.
    expected.push({ line: lines.length, fires: false });
    lines.push(`Mr ${surname} said: "${quotation}" [@${article}].`, '');
    expected.push({ line: lines.length, fires: true, to: surname });
    lines.push(`"${quotation}," ${wrong} said [@${article}].`, '');
    expected.push({ line: lines.length, fires: true, to: surname });
    lines.push(`${wrong} said: "${quotation}" [@${article}].`, '');
  }
  const text = lines.join('\n');
  const findings = engine.check({ uri: 'file:///w/piece.md', path: 'piece.md', text }).filter((f) => f.ruleId === 'quote/misattributed');
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length - 1;
  for (const e of expected) {
    const found = findings.filter((f) => lineOf(f.span.start) === e.line);
    assert.equal(found.length, e.fires ? 1 : 0, `line ${e.line}: ${lines[e.line]}\n${found.map((f) => f.message).join('\n')}`);
    if (e.fires) {
      assert.match(found[0].message, new RegExp(`to [^,]*${e.to}, not `));
      const fix = found[0].fixes?.[0];
      assert.ok(fix && fix.edits[0].newText.endsWith(e.to!), 'the fix names the source speaker');
    }
  }
  assert.equal(findings.length, expected.filter((e) => e.fires).length);
});

test('misattributed: a pronoun resolves to the last named speaker in the piece; anonymous speakers are never compared', (t) => {
  if (!fs.existsSync(POLITICS)) return t.skip(`../shared/corpus not found: ${POLITICS}`);
  const engine = politicsEngine();
  const abbas = quotationOf('abbas-will-not-tolerate-attacks', 'We have an opportunity');
  const spokesman = quotationOf('abbas-will-not-tolerate-attacks', 'a comprehensive');
  const text = [
    `Jack Straw told reporters the talks mattered. He said: "${abbas}" [@abbas-will-not-tolerate-attacks].`,
    '',
    `Mahmoud Abbas told reporters he was hopeful. He said: "${abbas}" [@abbas-will-not-tolerate-attacks].`,
    '',
    `Jack Straw wanted "${spokesman}" [@abbas-will-not-tolerate-attacks].`,
    '',
  ].join('\n');
  const findings = engine.check({ uri: 'file:///w/piece.md', path: 'piece.md', text }).filter((f) => f.ruleId === 'quote/misattributed');
  assert.equal(findings.length, 1, findings.map((f) => f.message).join('\n'));
  assert.ok(findings[0].span.start < text.indexOf('\n'), 'the first paragraph: "He" is Jack Straw');
  assert.match(findings[0].message, /Abbas, not Jack Straw \("He"\)/);
  assert.equal(findings[0].fixes, undefined, 'no fix that would rewrite a pronoun');
});

test('misattributed: asking one paragraph for the quotation that holds a passage agrees with reading the whole article', (t) => {
  if (!fs.existsSync(POLITICS)) return t.skip(`../shared/corpus not found: ${POLITICS}`);
  let compared = 0;
  for (const name of fs.readdirSync(POLITICS).sort()) {
    const text = fs.readFileSync(path.join(POLITICS, name), 'utf8');
    const whole = sourceQuotes(loadSource(`file:///w/sources/${name}`, `sources/${name}`, text));
    // A fresh source object for each question: nothing worked out for another paragraph helps it.
    const fresh = () => loadSource(`file:///w/sources/${name}`, `sources/${name}`, text);
    for (const quote of whole) {
      const { start, end } = quote.content;
      const inner = { start: start + ((end - start) >> 2), end: end - ((end - start) >> 2) };
      for (const passage of [quote.content, inner]) {
        const found = quoteContaining(fresh(), passage);
        assert.deepEqual(found, whole.find((q) => q.content.start <= passage.start && passage.end <= q.content.end), `${name} ${start}`);
        compared++;
      }
    }
    // A passage across two paragraphs, or outside the body, is in no quotation.
    assert.equal(quoteContaining(fresh(), { start: 0, end: text.length }), undefined);
  }
  assert.ok(compared > 1000, `only ${compared} passages compared`);
});
