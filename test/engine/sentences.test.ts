import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitParagraphs, splitSentences } from '../../server/src/engine/sentences';
import { blockSentencesMemo, proseSentences } from '../../server/src/engine/claims/analyse';
import { parseMarkdown } from '../../server/src/engine/markdown';

function sentences(text: string, protect?: { start: number; end: number }[]): string[] {
  return splitSentences(text, 0, text.length, { protect }).map((s) => text.slice(s.start, s.end));
}

test('sentences: ordinary boundaries after . ! ? and …', () => {
  assert.deepEqual(sentences('The port closed. Ships waited! Why? Nobody knew… Then it reopened.'), ['The port closed.', 'Ships waited!', 'Why?', 'Nobody knew…', 'Then it reopened.']);
  assert.deepEqual(sentences('It rose... Then it fell.'), ['It rose...', 'Then it fell.']);
});

test('sentences: titles, references, initials and decimals do not split', () => {
  assert.deepEqual(sentences('Mr. Smith met Dr. Jones and Prof. Lee at 3.5 p.m. today.'), ['Mr. Smith met Dr. Jones and Prof. Lee at 3.5 p.m. today.']);
  assert.deepEqual(sentences('See p. 3 of the report and No. 10 Downing Street. It was clear.'), ['See p. 3 of the report and No. 10 Downing Street.', 'It was clear.']);
  assert.deepEqual(sentences('J. K. Rowling and George W. Bush never met. They might.'), ['J. K. Rowling and George W. Bush never met.', 'They might.']);
  assert.deepEqual(sentences('Growth was 3.2% and debt £1.13bn in 2004.'), ['Growth was 3.2% and debt £1.13bn in 2004.']);
  assert.deepEqual(sentences('Apples, pears, etc. are sold here. Plums too.'), ['Apples, pears, etc. are sold here.', 'Plums too.']);
});

test('sentences: dotted acronyms split only before a typical sentence opener', () => {
  assert.deepEqual(sentences('The U.S. Senate voted. The U.K. did not.'), ['The U.S. Senate voted.', 'The U.K. did not.']);
  assert.deepEqual(sentences('He moved to the U.S. The next year he left.'), ['He moved to the U.S.', 'The next year he left.']);
  assert.deepEqual(sentences('Fruit, e.g. Apples, is cheap.'), ['Fruit, e.g. Apples, is cheap.']);
});

test('sentences: lower-case continuations and exclamations inside names do not split', () => {
  assert.deepEqual(sentences('Shares in Yahoo! rose. Analysts? they shrugged.'), ['Shares in Yahoo! rose.', 'Analysts? they shrugged.']);
});

test('sentences: closing quotes and brackets stay with their sentence; citations after the period too', () => {
  assert.deepEqual(sentences('He said: "No." Then he left.'), ['He said: "No."', 'Then he left.']);
  assert.deepEqual(sentences('Prices rose (by 5%.) Then they fell.'), ['Prices rose (by 5%.)', 'Then they fell.']);
  assert.deepEqual(sentences('Bills rose. [@water] Then they fell.[^2] Again.'), ['Bills rose. [@water]', 'Then they fell.[^2]', 'Again.']);
  assert.deepEqual(sentences('Bills rose. [see @water, p. 2] More.'), ['Bills rose. [see @water, p. 2]', 'More.']);
});

test('sentences: no boundary inside a protected quotation, one at its end', () => {
  const text = 'She said "We will go. We will win." Then she left.';
  const open = text.indexOf('"');
  const close = text.indexOf('"', open + 1) + 1;
  assert.deepEqual(sentences(text, [{ start: open, end: close }]), ['She said "We will go. We will win."', 'Then she left.']);
  assert.deepEqual(sentences(text), ['She said "We will go.', 'We will win."', 'Then she left.']);
});

test('sentences: offsets are absolute, spans trimmed, empty stretches dropped', () => {
  const text = 'xx  One.  Two.  ...  yy';
  const spans = splitSentences(text, 2, text.length - 2);
  assert.deepEqual(spans.map((s) => text.slice(s.start, s.end)), ['One.', 'Two.']);
  assert.equal(spans[0].start, 4);
});

test('sentences: linear on a 400 KB paragraph', () => {
  const text = 'Mr. Vasey said the port handled 1.8 million tonnes in 2004. '.repeat(7000);
  const started = performance.now();
  const spans = splitSentences(text);
  const ms = performance.now() - started;
  assert.equal(spans.length, 7000);
  assert.ok(ms < 1000, `took ${ms} ms`);
});

test('sentences: a quotation ending in ? followed by "said X" is one sentence', () => {
  assert.deepEqual(sentences('"Why target the airlines?" said Ulrich Schulte. He left.'), ['"Why target the airlines?" said Ulrich Schulte.', 'He left.']);
});

test('paragraphs: blank lines separate, list lines start their own block', () => {
  const text = 'Title line\n\nFirst para\nstill first.\n\n- one item\n- two item\n\n  Last.  \n';
  assert.deepEqual(splitParagraphs(text).map((s) => text.slice(s.start, s.end)), ['Title line', 'First para\nstill first.', '- one item', '- two item', 'Last.']);
});

test('prose sentences kept from an earlier run: the next run splits only the blocks whose text or surroundings changed, and finds the same sentences', () => {
  const paragraphs = Array.from({ length: 10 }, (_, i) => `Paragraph ${i} opens here. Mr. Smith said "it is done. Really." on day ${i}. It closed.`);
  const original = paragraphs.join('\n\n');
  const first = blockSentencesMemo('build');
  const parsed = parseMarkdown(original);
  assert.deepEqual(proseSentences(parsed, first), proseSentences(parseMarkdown(original)));
  assert.deepEqual(first.stats, { computed: 10, kept: 0 });

  const next = blockSentencesMemo('build');
  next.importSection(first.exportSection());
  // The fifth paragraph's text changes near its start. A block's splitting reads 44 characters after it, so the fourth is
  // split again too; the sixth reads the 41 before it, the fifth's unchanged end.
  const edited = original.replace('Paragraph 4 opens here.', 'Paragraph 4 opens. Here it is.');
  const sentences = proseSentences(parseMarkdown(edited), next);
  assert.deepEqual(sentences, proseSentences(parseMarkdown(edited)));
  assert.equal(sentences.filter((s) => s.blockIndex === 4).length, 4);
  assert.deepEqual(next.stats, { computed: 2, kept: 8 });

  const other = blockSentencesMemo('another build');
  other.importSection(first.exportSection());
  proseSentences(parseMarkdown(original), other);
  assert.deepEqual(other.stats, { computed: 10, kept: 0 });
});
