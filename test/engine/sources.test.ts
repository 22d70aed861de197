import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadSource, quotableSpan, resolveSourceIds } from '../../server/src/engine/sources';
import type { Source } from '../../server/src/engine/types';
import { corpusDir, list, readText } from '../helpers/corpus';

function bodyOf(source: Source): string {
  return source.text.slice(source.body.start, source.body.end);
}

test('id is the file name without extension when there is no front matter', () => {
  const source = loadSource('file:///w/sources/lavrov-tsargrad.txt', 'sources/lavrov-tsargrad.txt', 'Some text.');
  assert.equal(source.id, 'lavrov-tsargrad');
  assert.equal(source.path, 'sources/lavrov-tsargrad.txt');
  assert.equal(bodyOf(source), 'Some text.');
  assert.deepEqual(source.meta, {});
});

test('front matter gives id and metadata, and is not body', () => {
  const text = [
    '---',
    'id: lavrov-2023',
    'title: "Lavrov on allies"',
    'outlet: Tsargrad',
    'author: Staff',
    'date: 2023-05-17',
    'url: https://example.org/a',
    'other: ignored',
    '---',
    '',
    'First paragraph.',
    '',
  ].join('\n');
  const source = loadSource('u', 'sources/a.md', text);
  assert.equal(source.id, 'lavrov-2023');
  assert.deepEqual(source.meta, { title: 'Lavrov on allies', outlet: 'Tsargrad', author: 'Staff', date: '2023-05-17', url: 'https://example.org/a' });
  assert.equal(bodyOf(source), 'First paragraph.');
});

test('malformed front matter is ignored as metadata but still not body', () => {
  const text = '---\nid: [unclosed\ntitle: : :\n---\nBody text here.\n';
  const source = loadSource('u', 'sources/broken.md', text);
  assert.equal(source.id, 'broken');
  assert.deepEqual(source.meta, {});
  assert.equal(bodyOf(source), 'Body text here.');
});

test('front matter that is not a mapping, or unclosed, is handled', () => {
  const list = loadSource('u', 'sources/list.md', '---\n- a\n- b\n---\nBody.');
  assert.equal(list.id, 'list');
  assert.equal(bodyOf(list), 'Body.');
  const unclosed = loadSource('u', 'sources/open.md', '---\nid: x\nBody without closing.');
  assert.equal(unclosed.id, 'open');
  assert.ok(bodyOf(unclosed).includes('Body without closing.'));
});

test('a numeric front-matter id becomes a string', () => {
  const source = loadSource('u', 'sources/n.md', '---\nid: 42\n---\nText.');
  assert.equal(source.id, '42');
});

test('BBC style: a first line followed by a blank line is the title', () => {
  const text = 'Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant TimeWarner jumped 76%.\n';
  const source = loadSource('u', 'business/001.txt', text);
  assert.equal(source.meta.title, 'Ad sales boost Time Warner profit');
  assert.equal(bodyOf(source), 'Quarterly profits at US media giant TimeWarner jumped 76%.');
  // A quotation may still cite the headline: the index covers it.
  const span = quotableSpan(source);
  assert.equal(text.slice(span.start, span.end).split('\n')[0], 'Ad sales boost Time Warner profit');
});

test('a first paragraph that is a sentence is not a title', () => {
  const text = 'The minister spoke on Monday.\n\nHe said more.';
  const source = loadSource('u', 'a.txt', text);
  assert.equal(source.meta.title, undefined);
  assert.equal(bodyOf(source), text);
});

test('a headline ending in an ellipsis is still a title', () => {
  const source = loadSource('u', 'tech/1.txt', 'Rivals of the £400 Apple...\n\nBody.');
  assert.equal(source.meta.title, 'Rivals of the £400 Apple...');
  assert.equal(bodyOf(source), 'Body.');
});

test('seed style: a leading date token is the date, not text', () => {
  const text = ' date 2023-05-17 Recently, in an interview with Tsargrad TV, Lavrov spoke.\n\nSecond paragraph.';
  const source = loadSource('u', 'seed/000_79b4dd4f42351aba.txt', text);
  assert.equal(source.meta.date, '2023-05-17');
  assert.equal(source.meta.title, undefined, 'the rest of the date line is article text, not a title');
  assert.ok(bodyOf(source).startsWith('Recently, in an interview'));
  assert.equal(source.id, '000_79b4dd4f42351aba');
});

test('a date line on its own, then a title line', () => {
  const source = loadSource('u', 'a.txt', 'date 2024-01-02\nA headline\n\nBody text.');
  assert.equal(source.meta.date, '2024-01-02');
  assert.equal(source.meta.title, 'A headline');
  assert.equal(bodyOf(source), 'Body text.');
});

test('CRLF and BOM: offsets stay in the text as read', () => {
  const text = '\uFEFF---\r\nid: crlf\r\ntitle: T\r\n---\r\nLine one.\r\nLine two.\r\n';
  const source = loadSource('u', 'sources/c.md', text);
  assert.equal(source.id, 'crlf');
  assert.equal(source.meta.title, 'T');
  assert.equal(source.text, text);
  assert.equal(bodyOf(source), 'Line one.\r\nLine two.');

  const bbc = loadSource('u', 'x.txt', '\uFEFFHeadline here\r\n\r\nBody one.\r\n');
  assert.equal(bbc.meta.title, 'Headline here');
  assert.equal(bodyOf(bbc), 'Body one.');
});

test('Markdown: a leading heading is the title', () => {
  const source = loadSource('u', 'sources/m.md', '# The headline\n\nBody of the article.');
  assert.equal(source.meta.title, 'The headline');
  assert.equal(bodyOf(source), 'Body of the article.');
});

test('colliding ids get the path without extension, and are reported', () => {
  const a = loadSource('u1', 'business/001.txt', 'A\n\nText a.');
  const b = loadSource('u2', 'sport/001.txt', 'B\n\nText b.');
  const c = loadSource('u3', 'sport/002.txt', 'C\n\nText c.');
  const resolved = resolveSourceIds([b, a, c]);
  assert.deepEqual(
    resolved.sources.map((s) => s.id),
    ['sport/001', 'business/001', '002'],
  );
  assert.equal(resolved.collisions.length, 1);
  assert.equal(resolved.collisions[0].id, '001');
  assert.deepEqual(
    resolved.collisions[0].sources.map((s) => s.id),
    ['business/001', 'sport/001'],
  );
  // Inputs are not mutated.
  assert.equal(a.id, '001');
  // Same answer whatever the order.
  assert.deepEqual(
    resolveSourceIds([a, c, b]).sources.map((s) => s.id),
    ['business/001', '002', 'sport/001'],
  );
});

test('unique ids are kept as they are: the same sources, no collision', () => {
  const sources = [loadSource('u1', 'business/001.txt', 'A\n\nText a.'), loadSource('u2', 'sport/002.txt', 'B\n\nText b.'), loadSource('u3', 'notes\\003.md', '# C\n\nText c.')];
  const resolved = resolveSourceIds(sources);
  assert.deepEqual(
    resolved.sources.map((s) => s.id),
    ['001', '002', '003'],
  );
  resolved.sources.forEach((source, i) => assert.equal(source, sources[i]));
  assert.notEqual(resolved.sources, sources, 'a new array: the caller may keep its own');
  assert.deepEqual(resolved.collisions, []);
});

test('a disambiguated id never collides with an existing one', () => {
  const x = loadSource('u1', 'a/x.txt', 'x');
  const y = loadSource('u2', 'b/x.txt', 'y');
  const squatter = loadSource('u3', 'other.md', '---\nid: a/x\n---\nz');
  const ids = resolveSourceIds([x, y, squatter]).sources.map((s) => s.id);
  assert.equal(new Set(ids).size, 3, ids.join(', '));
  assert.ok(ids.includes('a/x'));
});

test('corpus: every bbc-summary article loads with a title and a non-empty body', (t) => {
  const dir = corpusDir(t, 'bbc-summary', 'article');
  if (!dir) return;
  let count = 0;
  for (const category of list(dir)) {
    for (const file of list(path.join(dir, category))) {
      const source = loadSource('u', `${category}/${file}`, readText(path.join(dir, category, file)));
      assert.ok(source.meta.title, `${category}/${file} has a title`);
      assert.ok(source.body.end > source.body.start, `${category}/${file} has a body`);
      count++;
    }
  }
  assert.equal(count, 100);
});

test('corpus: the seed article has its date and starts with text', (t) => {
  const dir = corpusDir(t, 'seed');
  if (!dir) return;
  for (const file of list(dir)) {
    const source = loadSource('u', `seed/${file}`, readText(path.join(dir, file)));
    assert.match(source.meta.date ?? '', /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(/^\p{L}/u.test(bodyOf(source)), bodyOf(source).slice(0, 40));
  }
});
