import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { parseMarkdown, positionAt, offsetAt, type ParsedDocument, type Quotation } from '../../server/src/engine/markdown';
import { lineCharacterOf, spanOf, spanWithin, textAt } from '../helpers/position';

const texts = (doc: ParsedDocument): string[] => doc.quotations.map((q) => q.text);
const only = (doc: ParsedDocument): Quotation => {
  assert.equal(doc.quotations.length, 1, `expected one quotation, got ${JSON.stringify(texts(doc))}`);
  return doc.quotations[0];
};
const keys = (doc: ParsedDocument) => doc.citations.map((c) => [c.kind, c.key]);

/** Invariants every parse keeps, whatever the input. */
function checkInvariants(doc: ParsedDocument): void {
  assert.equal(doc.masked.length, doc.text.length);
  for (let i = 0; i < doc.text.length; i++) {
    const c = doc.text[i];
    if (c === '\n' || c === '\r') assert.equal(doc.masked[i], c, `line break kept at ${i}`);
    else assert.ok(doc.masked[i] === c || doc.masked[i] === ' ', `masked[${i}] is the text or a space`);
  }
  for (const q of doc.quotations) {
    assert.ok(q.span.start <= q.contentSpan.start && q.contentSpan.end <= q.span.end);
    const block = doc.blocks[q.blockIndex];
    assert.ok(block.span.start <= q.span.start && q.span.end <= block.span.end, 'a quotation stays in its block');
  }
}

function parse(text: string): ParsedDocument {
  const doc = parseMarkdown(text);
  checkInvariants(doc);
  return doc;
}

describe('quotations', () => {
  test('straight double quotes: span covers the marks, contentSpan the words', () => {
    const text = 'Lavrov said "we will not retreat" on Monday.\n';
    const q = only(parse(text));
    assert.equal(q.kind, 'inline');
    assert.deepEqual(q.span, spanOf(text, '"we will not retreat"'));
    assert.deepEqual(q.contentSpan, spanOf(text, 'we will not retreat'));
    assert.equal(q.text, 'we will not retreat');
  });

  test('curly quotes pair by direction; single quotes inside are content', () => {
    const text = 'He called it “a ‘special military operation’ with clear aims” and left.';
    const q = only(parse(text));
    assert.deepEqual(q.span, spanOf(text, '“a ‘special military operation’ with clear aims”'));
    assert.equal(q.text, 'a ‘special military operation’ with clear aims');
  });

  test("straight single quotes nested in a quotation are content; apostrophes are never marks", () => {
    const text = `Russia's minister didn't hedge: "the West's 'rules' don't apply" (he's said it before).`;
    const q = only(parse(text));
    assert.equal(q.text, `the West's 'rules' don't apply`);
    assert.deepEqual(q.span, spanOf(text, `"the West's 'rules' don't apply"`));
  });

  test('a quotation may span soft line breaks; its text collapses them', () => {
    const text = 'He said "we will\nnot retreat,\r\n  whatever happens" at the end.';
    const q = only(parse(text));
    assert.equal(q.text, 'we will not retreat, whatever happens');
    assert.equal(textAt(text, q.span), '"we will\nnot retreat,\r\n  whatever happens"');
  });

  test('quotations never cross blocks', () => {
    const doc = parse('He said "we will\n\nnot retreat" at the end.\n');
    assert.deepEqual(texts(doc), []);
  });

  test('unterminated marks produce nothing and swallow nothing', () => {
    const text = 'He said "we will win. Later "they lost" and “never closed, then "fine" again.\n\n"Next paragraph" works.';
    const doc = parse(text);
    assert.deepEqual(texts(doc), ['they lost', 'fine', 'Next paragraph']);
    assert.deepEqual(doc.quotations[0].span, spanOf(text, '"they lost"'));
  });

  test('a stray closing mark and inch marks do not open quotations', () => {
    const doc = parse('He is 6\' 2" tall” and said "yes".');
    assert.deepEqual(texts(doc), ['yes']);
  });

  test('nested double quotes yield the outer quotation only', () => {
    const doc = parse('She wrote “he said "no" twice” yesterday.');
    assert.deepEqual(texts(doc), ['he said "no" twice']);
  });

  test('straight quotes open after brackets and dashes and close before punctuation', () => {
    const doc = parse('(“one”) —"two", ["three"]; and "four".');
    assert.deepEqual(texts(doc), ['one', 'two', 'three', 'four']);
  });

  test('quotations inside code spans are not quotations, and the code is masked', () => {
    const text = 'Run `say "hello"` or ``a ` "b" ``, then "c".';
    const doc = parse(text);
    assert.deepEqual(texts(doc), ['c']);
    assert.equal(textAt(doc.masked, spanOf(text, '`say "hello"`')).trim(), '');
    assert.equal(textAt(doc.masked, spanOf(text, '``a ` "b" ``')).trim(), '');
  });

  test('an unmatched backtick run is literal text', () => {
    const doc = parse('A ` alone and "quoted" text.');
    assert.deepEqual(texts(doc), ['quoted']);
  });

  test('fenced and indented code blocks are masked', () => {
    const text = 'Intro.\n\n```md\nHe said "fenced".\n```\n\n    He said "indented".\n\n~~~\n"tilde"\n~~~\n';
    const doc = parse(text);
    assert.deepEqual(texts(doc), []);
    assert.equal(doc.masked.trim(), 'Intro.');
  });

  test('HTML comments, inline and as blocks, are masked', () => {
    const text = 'Text <!-- "inline comment" --> and "kept".\n\n<!--\n"block comment"\n-->\n\n<div title="x">\n"html block"\n</div>\n';
    const doc = parse(text);
    assert.deepEqual(texts(doc), ['kept']);
    assert.ok(!doc.masked.includes('comment'));
    assert.ok(!doc.masked.includes('html block'));
  });

  test('inline HTML tags are masked with their attributes', () => {
    const doc = parse('A <span title="not a quote">word</span> and "quote".');
    assert.deepEqual(texts(doc), ['quote']);
    assert.ok(doc.masked.includes('word'));
    assert.ok(!doc.masked.includes('span'));
  });

  test('link destinations and titles are masked; link text stays', () => {
    const text = 'See [the "report"](https://example.com/a?q="x" \'A "titled" one\') and ![an "image"](pic.png "t").';
    const doc = parse(text);
    assert.deepEqual(texts(doc), ['report']);
    assert.ok(doc.masked.includes('the "report"'));
    assert.ok(!doc.masked.includes('example.com'));
    assert.ok(!doc.masked.includes('image'));
    assert.ok(!doc.masked.includes('['));
  });

  test('front matter is masked and reported', () => {
    const text = '---\ntitle: "A quoted title"\nauthor: me@example.com\n---\n\nBody "quote".\n';
    const doc = parse(text);
    assert.deepEqual(texts(doc), ['quote']);
    assert.deepEqual(doc.frontMatter, { start: 0, end: spanOf(text, '---', 1).end });
    assert.ok(!doc.masked.includes('title'));
    assert.deepEqual(doc.citations, []);
  });

  test('a leading thematic break followed by a blank line is not front matter', () => {
    const doc = parse('---\n\nBody "quote".\n\n---\n');
    assert.equal(doc.frontMatter, undefined);
    assert.deepEqual(texts(doc), ['quote']);
  });

  test('what front matter holds never opens a block in the body (the block parser starts after it)', () => {
    // An unclosed fence, a list item and a quote marker inside the front matter; CRLF and a BOM around it.
    const text = '\uFEFF---\r\nnote: |\r\n  ```\r\n- item\r\n> quoted\r\n---\r\nFirst "line" of the body.\r\n\r\n> Said "this" [@a]\r\n';
    const doc = parse(text);
    assert.deepEqual(doc.frontMatter, { start: 1, end: spanOf(text, '---', 1).end });
    assert.deepEqual(
      doc.blocks.map((b) => [b.kind, textAt(text, b.span)]),
      [
        ['paragraph', 'First "line" of the body.'],
        ['blockquote', 'Said "this" [@a]'],
      ],
    );
    assert.deepEqual(texts(doc), ['line', 'Said "this"']);
  });

  test('a NUL in the text is content like any other character', () => {
    const text = 'A\u0000b said "we\u0000 win" [@a].\r\n\r\nNext.';
    const doc = parse(text);
    assert.deepEqual(
      doc.blocks.map((b) => textAt(text, b.span)),
      ['A\u0000b said "we\u0000 win" [@a].', 'Next.'],
    );
    assert.deepEqual(keys(doc), [['pandoc', 'a']]);
  });

  test('empty quotation marks are not quotations', () => {
    assert.deepEqual(texts(parse('Empty "" and “ ” marks.')), []);
  });
});

describe('blockquotes', () => {
  test('a blockquote paragraph is one quotation; the trailing citation is excluded and cited', () => {
    const text = '> We will not be moved. Our partners know\n> this very well. [@lavrov-tsargrad]\n';
    const doc = parse(text);
    const q = only(doc);
    assert.equal(q.kind, 'block');
    assert.equal(q.text, 'We will not be moved. Our partners know this very well.');
    assert.deepEqual(q.contentSpan, { start: spanOf(text, 'We').start, end: spanOf(text, 'well.').end });
    assert.deepEqual(q.citedKeys, ['lavrov-tsargrad']);
    assert.equal(q.cites[0], doc.citations[0]);
    assert.ok(!doc.masked.includes('>'));
    assert.equal(doc.blocks[0].kind, 'blockquote');
    assert.equal(doc.blocks[0].inBlockquote, true);
  });

  test('a dash attribution line ends the quotation', () => {
    const text = '> We will not be moved.\n> — Sergey Lavrov, Tsargrad [@lavrov-tsargrad]\n';
    const q = only(parse(text));
    assert.equal(q.text, 'We will not be moved.');
    assert.deepEqual(q.citedKeys, ['lavrov-tsargrad']);
  });

  test('`-- @key` and `— [@key]` at the end of the line are attributions', () => {
    assert.equal(only(parse('> We will not be moved. -- @lavrov\n')).text, 'We will not be moved.');
    const q = only(parse('> We will not be moved — [@lavrov]\n'));
    assert.equal(q.text, 'We will not be moved');
    assert.deepEqual(q.citedKeys, ['lavrov']);
  });

  test('the citation can come in the paragraph after the blockquote', () => {
    const text = '> First paragraph of the quote.\n>\n> Second paragraph.\n\n— Sergey Lavrov [@lavrov-tsargrad]\n\nLater text [@other].\n';
    const doc = parse(text);
    assert.deepEqual(texts(doc), ['First paragraph of the quote.', 'Second paragraph.']);
    for (const q of doc.quotations) assert.deepEqual(q.citedKeys, ['lavrov-tsargrad']);
  });

  test('a paragraph after the blockquote that does not open with a citation or dash gives nothing', () => {
    const doc = parse('> A quote.\n\nThen he talked about trade [@other].\n');
    assert.deepEqual(only(doc).citedKeys, []);
  });

  test('an attribution paragraph inside the blockquote cites the paragraphs above it', () => {
    const doc = parse('> One.\n>\n> Two.\n>\n> — Lavrov [@lavrov]\n');
    assert.deepEqual(texts(doc), ['One.', 'Two.']);
    for (const q of doc.quotations) assert.deepEqual(q.citedKeys, ['lavrov']);
  });

  test('lazy continuation lines belong to the quotation', () => {
    const q = only(parse('> We will\nnot be moved. [@lavrov]\n'));
    assert.equal(q.text, 'We will not be moved.');
  });

  test('inline quotes inside a block quotation are not separate quotations', () => {
    const q = only(parse('> He called it a "special operation" and moved on. [@x]\n'));
    assert.equal(q.kind, 'block');
    assert.equal(q.text, 'He called it a "special operation" and moved on.');
  });

  test('a blockquote already in quotation marks yields the marked quotation', () => {
    const text = '> “We will not be moved,” he said. [@lavrov]\n';
    const q = only(parse(text));
    assert.equal(q.kind, 'inline');
    assert.equal(q.text, 'We will not be moved,');
    assert.deepEqual(q.citedKeys, ['lavrov']);
  });

  test('nested blockquotes and lists inside blockquotes have their markers masked', () => {
    const text = '> > Deep quote line\n> > continues. [@a]\n>\n> - listed quote [@b]\n';
    const doc = parse(text);
    assert.deepEqual(texts(doc), ['Deep quote line continues.', 'listed quote']);
    assert.deepEqual(doc.quotations.map((q) => q.citedKeys), [['a'], ['b']]);
    assert.ok(!/[>-]/.test(doc.masked));
  });

  test('a callout (`> [!NOTE]`) is not a quotation, though quotes inside it are', () => {
    const doc = parse('> [!NOTE]\n> Remember what "they" said.\n');
    assert.deepEqual(texts(doc), ['they']);
    assert.ok(!doc.masked.includes('NOTE'));
  });
});

describe('citations', () => {
  test('Pandoc bracketed forms', () => {
    const text = 'A [@one]. B [@two, p. 3]. C [see @three]. D [@four; @five, chap. 2]. E [-@six].';
    const doc = parse(text);
    assert.deepEqual(keys(doc), ['one', 'two', 'three', 'four', 'five', 'six'].map((k) => ['pandoc', k]));
    const two = doc.citations[1];
    assert.deepEqual(two.span, spanOf(text, '@two'));
    assert.deepEqual(two.group, spanOf(text, '[@two, p. 3]'));
    assert.equal(doc.citations[3].group.start, doc.citations[4].group.start);
    assert.equal(doc.citations[5].suppressAuthor, true);
    assert.equal(doc.citations[0].suppressAuthor, undefined);
  });

  test('bare keys in prose, with trailing punctuation left out', () => {
    const text = '@start says so, as (@paren) and @lavrov-tsargrad. Also @doe:2020/a+b, and @{https://x.org/a b}.';
    const doc = parse(text);
    assert.deepEqual(keys(doc), [
      ['bare', 'start'],
      ['bare', 'paren'],
      ['bare', 'lavrov-tsargrad'],
      ['bare', 'doe:2020/a+b'],
      ['bare', 'https://x.org/a b'],
    ]);
    assert.deepEqual(doc.citations[2].span, spanOf(text, '@lavrov-tsargrad'));
  });

  test('e-mail addresses, escaped @, URLs and code are not citations', () => {
    const doc = parse('Write to press@mfa.ru or <info@mfa.ru>, not \\@nobody, see https://medium.com/@author and `@code`.\n\n```\n@fenced\n```\n');
    assert.deepEqual(doc.citations, []);
  });

  test('footnote definitions give their citations to the referencing block', () => {
    const text = 'Lavrov said "we will win".[^1] More text.\n\nOther paragraph.\n\n[^1]: Interview with Tsargrad [@lavrov-tsargrad].\n';
    const doc = parse(text);
    const footnote = doc.citations.find((c) => c.kind === 'footnote');
    assert.ok(footnote);
    assert.equal(footnote.key, 'lavrov-tsargrad');
    assert.equal(footnote.blockIndex, 0);
    assert.equal(footnote.footnote, '1');
    assert.deepEqual(footnote.reference, spanOf(text, '[^1]'));
    assert.deepEqual(footnote.span, spanOf(text, '@lavrov-tsargrad'));
    assert.equal(doc.citations.length, 1, 'the definition does not cite a second time');
    assert.deepEqual(only(doc).citedKeys, ['lavrov-tsargrad']);
    const definition = doc.blocks.find((b) => b.footnote === '1');
    assert.ok(definition);
    assert.equal(textAt(text, definition.span), 'Interview with Tsargrad [@lavrov-tsargrad].');
    assert.ok(!doc.masked.includes('[^1]:'));
  });

  test('a footnote definition that looks like a link reference definition still cites', () => {
    const doc = parse('Claim.[^a]\n\n[^a]: [@source-a]\n');
    assert.deepEqual(keys(doc), [['footnote', 'source-a']]);
    assert.equal(doc.citations[0].blockIndex, 0);
  });

  test('a footnote referenced twice cites in both blocks; an unreferenced one cites where it is', () => {
    const doc = parse('One.[^n]\n\nTwo.[^n]\n\n[^n]: @src\n\n[^orphan]: [@lonely]\n');
    assert.deepEqual(doc.citations.map((c) => [c.kind, c.key, c.blockIndex]), [
      ['footnote', 'src', 0],
      ['footnote', 'src', 1],
      ['pandoc', 'lonely', 3],
    ]);
  });

  test('links to URLs and to .md/.txt paths are link citations keyed by their raw target', () => {
    const text = [
      'See [the interview](https://tass.ru/politika/1 "TASS"), [the file](sources/lavrov.txt),',
      '[notes](../notes.md#part), <https://ria.ru/a>, [home](index.html), [mail](mailto:a@b.c)',
      'and [a ref][tass] or [tass].',
      '',
      '[tass]: <https://tass.ru/x> "TASS"',
    ].join('\n');
    const doc = parse(text);
    assert.deepEqual(keys(doc), [
      ['link', 'https://tass.ru/politika/1'],
      ['link', 'sources/lavrov.txt'],
      ['link', '../notes.md#part'],
      ['link', 'https://ria.ru/a'],
      ['link', 'https://tass.ru/x'],
      ['link', 'https://tass.ru/x'],
    ]);
    assert.deepEqual(doc.citations[0].span, spanOf(text, 'https://tass.ru/politika/1'));
    assert.deepEqual(doc.citations[0].group, spanOf(text, '[the interview](https://tass.ru/politika/1 "TASS")'));
    assert.deepEqual(doc.citations[4].span, spanOf(text, '[tass]'));
    assert.ok(!doc.masked.includes('<https'), 'the reference definition is masked');
    assert.equal(doc.blocks.length, 1, 'a paragraph of definitions only is no block');
  });

  test('a quotation cites the keys of its sentence, else of its block', () => {
    const text = 'He said "one" here [@a]. She said "two" there [@b]. Then "three" came.\n\n"Four" alone.';
    const doc = parse(text);
    assert.deepEqual(doc.quotations.map((q) => q.citedKeys), [['a'], ['b'], ['a', 'b'], []]);
  });

  test('a citation inside the quotation’s sentence counts even when the quotation has several sentences', () => {
    const doc = parse('Lavrov said: "We will win. They will lose." [@lavrov] Then it rained [@weather].');
    assert.deepEqual(only(doc).citedKeys, ['lavrov']);
  });
});

describe('directives', () => {
  test('the three kinds, with and without rule ids', () => {
    const text = [
      '<!-- provenance-disable-next-line quote/not-found style/banned-term -->',
      'Text.',
      '',
      'Inline <!-- provenance-disable quote/misquote -- intended paraphrase --> here.',
      '',
      '<!-- provenance-enable -->',
      '',
      '<!-- an ordinary comment -->',
      '',
      '```',
      '<!-- provenance-disable -->',
      '```',
    ].join('\n');
    const doc = parse(text);
    assert.deepEqual(doc.directives, [
      { kind: 'disable-next-line', rules: ['quote/not-found', 'style/banned-term'], span: spanOf(text, '<!-- provenance-disable-next-line quote/not-found style/banned-term -->') },
      { kind: 'disable', rules: ['quote/misquote'], span: spanOf(text, '<!-- provenance-disable quote/misquote -- intended paraphrase -->') },
      { kind: 'enable', rules: [], span: spanOf(text, '<!-- provenance-enable -->') },
    ]);
  });
});

describe('structure and offsets', () => {
  test('the empty document', () => {
    const doc = parse('');
    assert.equal(doc.masked, '');
    assert.deepEqual(doc.lineStarts, [0]);
    assert.deepEqual([doc.blocks, doc.quotations, doc.citations, doc.directives, doc.sentences], [[], [], [], [], []]);
  });

  test('CRLF and a BOM: offsets stay exact and positions agree with LSP', () => {
    const text = '\uFEFF# Title "heading"\r\n\r\n> Quoted line\r\n> two [@a]\r\n\r\nHe said "we will win" [@lavrov].\r\n';
    const doc = parse(text);
    assert.deepEqual(doc.blocks.map((b) => [b.kind, textAt(text, b.span)]), [
      ['heading', 'Title "heading"'],
      ['blockquote', 'Quoted line\r\n> two [@a]'],
      ['paragraph', 'He said "we will win" [@lavrov].'],
    ]);
    const q = doc.quotations.find((x) => x.text === 'we will win');
    assert.ok(q);
    assert.deepEqual(q.span, spanOf(text, '"we will win"'));
    assert.deepEqual(positionAt(doc, q.span.start), lineCharacterOf(text, q.span.start));
    assert.equal(offsetAt(doc, positionAt(doc, q.span.end).line, positionAt(doc, q.span.end).character), q.span.end);
    assert.equal(offsetAt(doc, 0, 999), spanOf(text, '\r\n').start, 'offsetAt clamps to the line content');
    assert.deepEqual(doc.citations.map((c) => textAt(text, c.span)), ['@a', '@lavrov']);
    assert.equal(doc.masked[0], ' ');
    assert.equal(doc.blocks[0].level, 1);
  });

  test('lone CR line endings count as line breaks, as in LSP', () => {
    const text = 'One "a".\r\rTwo "b".';
    const doc = parse(text);
    assert.deepEqual(texts(doc), ['a', 'b']);
    assert.deepEqual(doc.lineStarts, [0, 9, 10]);
  });

  test('astral characters before a quotation give correct UTF-16 spans', () => {
    const text = '🇷🇺😀 𝒜 He said "we will 🚀 win" [@a].';
    const q = only(parse(text));
    assert.deepEqual(q.span, spanOf(text, '"we will 🚀 win"'));
    assert.equal(q.text, 'we will 🚀 win');
  });

  test('a lone surrogate survives masking unchanged', () => {
    const text = 'Broken \uD800 text and "quote \uDC00 here" [@a].';
    const doc = parse(text);
    assert.equal(doc.masked, text);
    assert.equal(only(doc).text, 'quote \uDC00 here');
  });

  test('headings (ATX with closing hashes, setext), list items, table rows', () => {
    const text = '## A "heading" ##\n\nSetext "title"\n==============\n\n1. first "item"\n   continued\n2. [ ] task "two"\n\n| "cell" | b |\n|--------|---|\n| c `\\|` | "d" |\n';
    const doc = parse(text);
    assert.deepEqual(doc.blocks.map((b) => [b.kind, textAt(doc.masked, b.span)]), [
      ['heading', 'A "heading"'],
      ['heading', 'Setext "title"'],
      ['listItem', 'first "item"\n   continued'],
      ['listItem', 'task "two"'],
      ['tableRow', '"cell"   b'],
      ['tableRow', 'c        "d"'],
    ]);
    assert.deepEqual(texts(doc), ['heading', 'title', 'item', 'two', 'cell', 'd']);
    assert.deepEqual(doc.blocks.map((b) => b.level), [2, 1, undefined, undefined, undefined, undefined]);
  });

  test('masking covers markers, emphasis delimiters, autolinks and definitions', () => {
    const text = '- **Bold** and _em_ and ~~gone~~ <https://x.org>\n\n[ref]: https://y.org\n';
    const doc = parse(text);
    assert.equal(doc.masked.replace(/\s+/g, ' ').trim(), 'Bold and em and gone');
  });

  test('intraword and free-standing asterisks stay text', () => {
    const doc = parse('snake_case and f***ing and 5 * 3.');
    assert.equal(doc.masked, 'snake_case and f***ing and 5 * 3.');
  });

  test('sentences split on terminal punctuation followed by a capital', () => {
    const text = 'Mr. Smith met J. Doe in the U.S. today. "Really?" She asked. The end';
    const doc = parse(text);
    assert.deepEqual(doc.sentences.map((s) => textAt(text, s.span)), ['Mr. Smith met J. Doe in the U.S. today.', '"Really?"', 'She asked.', 'The end']);
  });

  test('spanWithin helper finds a needle inside a larger one', () => {
    const text = '"a" then "a"';
    assert.deepEqual(spanWithin(text, 'then "a"', 'a'), spanOf(text, 'a', 1));
  });
});

describe('performance', () => {
  // This machine's speed varies a lot with load, so the guard scales with
  // markdown-it's own block parse of the same text, timed in the same run:
  // a quadratic blow-up is far beyond 10×, ordinary noise is not.
  const GUARD_MS = 5000;
  const GUARD_RATIO = 10;
  const blockParser = new MarkdownIt({ html: true });
  blockParser.core.ruler.enableOnly(['normalize', 'block']);

  function elapsed(run: () => void): number {
    const started = performance.now();
    run();
    return performance.now() - started;
  }

  function timed(name: string, text: string): ParsedDocument {
    // Warm both parsers up on a sample, so neither pays for the JIT in the timing.
    parseMarkdown(text.slice(0, 100_000));
    blockParser.parse(text.slice(0, 100_000), {});
    let doc: ParsedDocument | undefined;
    const ours = elapsed(() => (doc = parseMarkdown(text)));
    const baseline = elapsed(() => blockParser.parse(text, {}));
    console.log(`# ${name}: ${(text.length / 1e6).toFixed(2)} M chars in ${ours.toFixed(0)} ms (markdown-it blocks alone: ${baseline.toFixed(0)} ms)`);
    assert.ok(ours < Math.max(GUARD_MS, GUARD_RATIO * baseline), `${name} took ${ours.toFixed(0)} ms`);
    assert.equal(doc!.masked.length, text.length);
    return doc!;
  }

  test('a 2 MB piece parses well under a second', () => {
    const paragraph = [
      'Russian Foreign Minister Sergey Lavrov said "we will not retreat from our positions" in an interview [@lavrov-tsargrad, p. 3].',
      'The remarks, reported by [TASS](https://tass.ru/politika/123 "TASS"), follow `code` and *emphasis* and a footnote.[^1]',
      'Critics called it “a ‘special’ case” — @bare-key agreed; write to press@mfa.ru.',
    ].join('\n');
    const sections: string[] = ['---\ntitle: Generated\n---\n'];
    let n = 0;
    for (let size = 0; size < 2_000_000; n++) {
      const section = [`## Section ${n}`, paragraph, '> We will not be moved.\n> It is over. [@lavrov]', '- item "one" [@a]\n- item "two"', '```\n"code"\n```'];
      sections.push(...section);
      size += section.join('\n\n').length + 2;
    }
    sections.push('[^1]: Footnote citing [@fn].');
    const text = sections.join('\n\n');
    const doc = timed('2 MB piece', text);
    assert.equal(doc.quotations.length, n * 5);
    assert.equal(doc.citations.filter((c) => c.kind === 'footnote').length, n);
  });

  const pathological: Record<string, () => string> = {
    '60,000 nested *': () => '*'.repeat(60_000) + 'a' + '*'.repeat(60_000),
    '50,000 nested >': () => '> '.repeat(50_000) + '"a"\n',
    '2,000 lines of 200 nested >': () => ('> '.repeat(200) + 'a "b\n').repeat(2_000),
    '30,000 [a](b': () => '[a](b'.repeat(30_000),
    '30,000 [a](b (': () => '[a](b ('.repeat(30_000),
    "30,000 [a](b '": () => "[a](b '".repeat(30_000),
    '400,000 <': () => '<'.repeat(400_000),
    '100,000 <a x="': () => '<a x="'.repeat(100_000),
    '100,000 <!--': () => '<!--'.repeat(100_000),
    '20,000 nested [': () => '['.repeat(20_000) + 'a' + ']'.repeat(20_000),
    '20,000 [ then links': () => '['.repeat(20_000) + '[a](b)'.repeat(20_000),
    '100,000 backtick runs of growing length': () => Array.from({ length: 2_000 }, (_, i) => '`'.repeat(i + 1)).join('a'),
    '200,000 unclosed quotes': () => ' "a'.repeat(200_000),
    '100,000 @': () => '[@'.repeat(100_000) + ' @a'.repeat(100_000),
    '2 MB without spaces': () => 'a'.repeat(2_000_000),
    '2 MB of list markers': () => '- '.repeat(1_000_000),
    '100,000 footnote references': () => '[^1]'.repeat(100_000) + '\n\n[^1]: [@x]',
    '2 MB single paragraph of quotations and citations': () => 'He said "we will win" [@a]. Then “they lost” @b!\n'.repeat(40_000),
    '2 MB single blockquote': () => '> He said "we will win" [@a]. Then “they lost” @b!\n'.repeat(40_000),
    '2 MB of one-line paragraphs': () => 'A "b" [@c].\n\n'.repeat(150_000),
    '100,000 paragraphs then one @, <!--, | and }': () => 'Plain [text] here.\n\n'.repeat(100_000) + '<div>\n\n'.repeat(20_000) + '@{x @y <!-- z --> |',
    '100,000 unclosed @{': () => '@{a '.repeat(100_000),
  };
  for (const [name, make] of Object.entries(pathological)) {
    test(`pathological input stays fast: ${name}`, () => {
      timed(name, make());
    });
  }
});
