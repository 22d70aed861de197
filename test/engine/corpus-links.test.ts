/** Links to sources resolve through lookup tables exactly as a scan over every source would. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Corpus } from '../../server/src/engine/corpus';
import type { Source } from '../../server/src/engine/types';

/** The rule idForLink implements, written as the plain scan it replaced. */
function scan(sources: Iterable<Source>, target: string): string | undefined {
  const clean = target.replace(/^\.\//, '').replace(/#.*$/, '');
  for (const source of sources) {
    if (source.meta.url && source.meta.url === target) return source.id;
    if (source.path === clean || source.path.endsWith('/' + clean) || clean.endsWith('/' + source.path)) return source.id;
  }
  return undefined;
}

test('corpus: idForLink agrees with a scan over the sources, for urls, suffixes and longer paths', () => {
  const corpus = new Corpus();
  const files: [string, string][] = [
    ['sources/a.txt', 'Alpha\n\nText.\n'],
    ['sources/news/a.txt', 'Alpha again\n\nText.\n'],
    ['sources/news/b.md', '---\nurl: https://example.org/b\n---\n\nBody.\n'],
    ['sources/c.md', '---\nid: cee\nurl: https://example.org/b\n---\n\nAnother with the same url.\n'],
    ['archive/sources/news/d.txt', 'Delta\n\nText.\n'],
  ];
  for (const [path, text] of files) corpus.set(`file:///ws/${path}`, path, text);
  const targets = [
    'https://example.org/b',
    'https://example.org/b#part',
    'a.txt',
    './a.txt',
    'news/a.txt',
    'sources/a.txt',
    '../ws/sources/news/b.md',
    'x/y/archive/sources/news/d.txt',
    'news/d.txt',
    'd.txt#section',
    'missing.txt',
    'sources',
    '',
  ];
  for (const target of targets) assert.equal(corpus.idForLink(target), scan(corpus.sources().values(), target), target);
  assert.ok(corpus.idForLink('news/d.txt'));

  corpus.delete('file:///ws/sources/a.txt');
  for (const target of targets) assert.equal(corpus.idForLink(target), scan(corpus.sources().values(), target), `after a delete: ${target}`);
});
