/**
 * A piece's parse kept in its checks file (node/kept-parse.ts): each run over
 * the piece writes the parse of its present text there, the next run starts
 * from it, and every run reports what a run with no cache reports, whatever
 * the edit in between and whatever the kept bytes hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { cli } from '../helpers/cli';
import { tempWorkspace } from '../helpers/repo';
import { checksCacheFile, readIndexCache } from '../../server/src/node/index-cache-file';
import { decodeCache, encodeCache } from '../../server/src/engine/index-cache';
import { decodeKeptParse, PARSE_SECTION } from '../../server/src/node/kept-parse';
import { codeFingerprint } from '../../server/src/node/build-id';

const PIECE = 'pieces/quay.md';

const FILES = {
  '.provenance.yml': 'sources:\n  - sources/**/*.txt\ndocuments:\n  - "pieces/*.md"\n',
  'sources/quay.txt': 'The harbour master said the quay would reopen in May after the storm repairs.\n',
  'sources/tolls.txt': 'Tolls on the bridge rose by 12% in 2023, the council said, and will rise again next spring.\n',
  [PIECE]: [
    '# The quay',
    '',
    'The harbour master said "the quay would reopen in June" [@quay].',
    '',
    'The council said tolls rose by 12% in 2023.[^t]',
    '',
    '[^t]: "will rise again next spring" [@tolls]',
    '',
  ].join('\n'),
};

/** The kept parse's section of the piece's checks file, if any. */
function keptSection(cache: string, root: string): Uint8Array | undefined {
  const bytes = readIndexCache(checksCacheFile(cache, root, path.join(root, PIECE)), [PARSE_SECTION]);
  return bytes && decodeCache(bytes)?.get(PARSE_SECTION);
}

/** The text of the parse kept for the piece, if any (stamped with the running code's id, as the CLI stamps it). */
function keptText(cache: string, root: string): string | undefined {
  const section = keptSection(cache, root);
  return section && decodeKeptParse(section, codeFingerprint())?.parsed.text;
}

/** Whether the kept parse was written packed (node/kept-parse.ts, engine/markdown/packed-parse.ts). */
function keptPacked(cache: string, root: string): boolean | undefined {
  const section = keptSection(cache, root);
  return section && (v8.deserialize(section) as { packed?: boolean }).packed;
}

for (const [jobs, faults] of [['1'], ['2'], ['2', 'no-parse-handover']]) {
  test(`kept parse: each run keeps the piece's parse and the next starts from it, reporting what no cache reports (--jobs ${jobs}${faults ? `, ${faults}: each half parses the piece itself` : ''})`, async () => {
    if (faults) process.env.PROVENANCE_TEST_FAULTS = faults;
    try {
      await editsKeepTheParse(jobs);
    } finally {
      delete process.env.PROVENANCE_TEST_FAULTS;
    }
  });
}

/** Runs the CLI over five kinds of edit of the piece; after each, the output is a fresh run's and the parse kept is the new text's. */
async function editsKeepTheParse(jobs: string): Promise<void> {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const piece = path.join(root, PIECE);
  const run = () => cli(['check', '--format', 'json', '--jobs', jobs, '--cache', cache, '--no-results-cache'], root);
  const fresh = () => cli(['check', '--format', 'json', '--jobs', jobs, '--no-cache'], root);

  assert.deepEqual(await run(), await fresh());
  assert.equal(keptText(cache, root), fs.readFileSync(piece, 'utf8'), 'written by the thread that parses the piece');
  assert.equal(keptPacked(cache, root), true, 'packed');

  const edits: [string, (text: string) => string][] = [
    ['a paragraph added at the end', (text) => text + '\nThe harbour master said "the quay would reopen in May" [@quay].\n'],
    ['and taken away again', (text) => text.slice(0, text.lastIndexOf('\nThe harbour master said'))],
    ['a paragraph added in the middle', (text) => text.replace('The council said', 'Officials said "tolls will rise again next spring" [@tolls].\n\nThe council said')],
    ['a word typed in a paragraph', (text) => text.replace('reopen in June', 'reopen early in June')],
    ['a list added', (text) => text.replace('# The quay\n', '# The quay\n\n- "the storm repairs" [@quay]\n')],
  ];
  for (const [what, edit] of edits) {
    fs.writeFileSync(piece, edit(fs.readFileSync(piece, 'utf8')));
    assert.deepEqual(await run(), await fresh(), what);
    assert.equal(keptText(cache, root), fs.readFileSync(piece, 'utf8'), `${what}: the new parse is kept`);
    assert.equal(keptPacked(cache, root), true, `${what}: packed`);
  }
}

/** A workspace checked once with a cache, whose piece's kept parse a test then damages: `replace` writes a new section. */
async function checkedOnce(): Promise<{ root: string; cache: string; piece: string; sections: Map<string, Uint8Array>; replace: (section: Uint8Array) => void; run: () => Promise<unknown>; fresh: () => Promise<unknown> }> {
  const root = tempWorkspace(FILES);
  const cache = path.join(root, '.cache');
  const piece = path.join(root, PIECE);
  const file = checksCacheFile(cache, root, piece);
  const run = () => cli(['check', '--format', 'json', '--cache', cache, '--no-results-cache'], root);
  const fresh = () => cli(['check', '--format', 'json', '--no-cache'], root);
  await run();
  const sections = decodeCache(readIndexCache(file)!)!;
  const replace = (section: Uint8Array) => fs.writeFileSync(file, encodeCache(new Map([...sections, [PARSE_SECTION, section]])));
  return { root, cache, piece, sections, replace, run, fresh };
}

const ANOTHER_PARAGRAPH = '\nAnother paragraph says "the storm repairs" [@quay].\n';

test('kept parse: damaged or foreign bytes in its section are ignored and replaced; the piece is parsed whole', async () => {
  const { root, cache, piece, sections, replace, run, fresh } = await checkedOnce();
  assert.equal(decodeKeptParse(sections.get(PARSE_SECTION)!, 'another-build'), undefined, 'another build\'s parse is refused');
  for (const bytes of [new Uint8Array([0xff, 0x0d, 0x6f, 0x01]), new TextEncoder().encode('not v8 at all')]) {
    replace(bytes);
    fs.appendFileSync(piece, ANOTHER_PARAGRAPH);
    assert.deepEqual(await run(), await fresh());
    assert.equal(keptText(cache, root), fs.readFileSync(piece, 'utf8'));
  }
});

test('kept parse: a packed parse whose records are damaged is ignored and replaced; the piece is parsed whole', async () => {
  const { root, cache, piece, sections, replace, run, fresh } = await checkedOnce();
  assert.equal(keptPacked(cache, root), true);
  const kept = v8.deserialize(sections.get(PARSE_SECTION)!) as { state: { spans: Int32Array; parsed: { citations: Int32Array } } };
  // Every citation's span made to point past the span table: the packed form no longer holds together.
  for (let at = 3; at < kept.state.parsed.citations.length; at += 6) kept.state.parsed.citations[at] = kept.state.spans.length;
  assert.equal(decodeKeptParse(v8.serialize(kept), codeFingerprint()), undefined, 'the damaged parse is refused');
  replace(v8.serialize(kept));
  fs.appendFileSync(piece, ANOTHER_PARAGRAPH);
  assert.deepEqual(await run(), await fresh());
  assert.equal(keptText(cache, root), fs.readFileSync(piece, 'utf8'), 'a new parse is kept');
});
