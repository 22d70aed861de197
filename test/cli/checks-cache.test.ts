/**
 * The checks cache file (node/index-cache-file.ts checksCacheFile): the
 * quotation verdicts, claims' supporting passages, claim verdicts and names found per block of a CLI run, kept for
 * the next one, on one thread and on two. A run that re-checks a piece with kept verdicts reports what a run
 * with no cache does, also after a source changed under them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from '../helpers/cli';
import { tempWorkspace } from '../helpers/repo';
import { checksCacheFile, indexCacheFile, readIndexCache, type ChecksHalf } from '../../server/src/node/index-cache-file';
import { checkSectionsOf } from '../../server/src/cli/rule-groups';
import { PARSE_SECTION } from '../../server/src/node/kept-parse';
import { STALE_CACHE_MS } from '../../server/src/node/cache-dir';
import { decodeCache, ByteReader } from '../../server/src/engine/index-cache';
import { VERDICTS_SECTION } from '../../server/src/engine/quotes/verdict-cache';
import { PASSAGE_ANSWERS_SECTION } from '../../server/src/engine/claims/passages';
import { CLAIM_VERDICTS_SECTION } from '../../server/src/engine/claims/verdict-store';
import { ENTITY_HITS_SECTION } from '../../server/src/engine/entities/block-hits';
import { BLOCK_FINDINGS_SECTION, SOURCED_BLOCK_FINDINGS_SECTION } from '../../server/src/engine/block-findings';

const FILES = {
  '.provenance.yml': 'sources:\n  - sources/**/*.txt\ndocuments:\n  - "pieces/*.md"\n',
  'sources/quay.txt': 'The harbour master said the quay would reopen in May after the storm repairs.\n',
  'sources/tolls.txt': 'Tolls on the bridge rose by 12% in 2023, the council said, and will rise again next spring.\n',
  'pieces/quay.md': 'The harbour master said "the quay would reopen in June" [@quay]. The council said "tolls will rise again next spring".\n',
};

const PIECE = 'pieces/quay.md';

/** The sections of one half's file of a piece's kept answers. */
function sectionsOf(cache: string, root: string, piece: string, half: ChecksHalf): Map<string, Uint8Array> {
  const bytes = readIndexCache(checksCacheFile(cache, root, path.join(root, piece), half));
  return (bytes && decodeCache(bytes)) || new Map();
}

/** A piece's kept answers: the sections of both halves' files. */
function keptSections(cache: string, root: string, piece = PIECE): Map<string, Uint8Array> {
  return new Map([...sectionsOf(cache, root, piece, 'style'), ...sectionsOf(cache, root, piece, 'sources')]);
}

/** The quotations whose verdicts the checks file keeps (a key is the cited ids, NUL, the words). */
function keptVerdicts(cache: string, root: string, piece = PIECE): string[] {
  const section = keptSections(cache, root, piece).get(VERDICTS_SECTION);
  return section ? new ByteReader(section).json<{ keys: string[] }>().keys.map((key) => key.slice(key.indexOf('\u0000') + 1)) : [];
}

for (const jobs of ['1', '2']) {
  test(`checks-cache: quotation verdicts are kept for the next run and never outlive their sources (--jobs ${jobs})`, async () => {
    const root = tempWorkspace(FILES);
    const cache = path.join(root, '.cache');
    const run = (...extra: string[]) => cli(['check', '--format', 'json', '--jobs', jobs, '--cache', cache, '--no-results-cache', ...extra], root);
    const fresh = () => cli(['check', '--format', 'json', '--jobs', jobs, '--no-cache'], root);

    const first = await run();
    assert.deepEqual(first, await fresh());
    assert.match(first.stdout, /quote\/misquote/);
    const kept = keptVerdicts(cache, root);
    for (const quotation of ['the quay would reopen in June', 'tolls will rise again next spring']) assert.ok(kept.includes(quotation), quotation);
    assert.ok(!decodeCache(readIndexCache(indexCacheFile(cache, root))!)?.has(VERDICTS_SECTION), 'verdicts are not in the index file');
    // The unsourced claim's passage search is kept beside them.
    const answers = keptSections(cache, root).get(PASSAGE_ANSWERS_SECTION);
    assert.ok(answers && new ByteReader(answers).json<{ keys: string[] }>().keys.some((key) => key.includes('The council said')));
    // So are claim detection's verdicts, one per sentence of the piece.
    const claimVerdicts = keptSections(cache, root).get(CLAIM_VERDICTS_SECTION);
    const sentences = claimVerdicts ? new ByteReader(claimVerdicts).json<{ keys: string[] }>().keys : [];
    assert.equal(sentences.length, 2, 'one per sentence of the piece (the warm-up piece\'s are in the workspace\'s file)');
    // And the names found in each block (written by the thread of the style rules when there are two).
    const hits = keptSections(cache, root).get(ENTITY_HITS_SECTION);
    assert.ok(hits && new ByteReader(hits).json<{ keys: string[] }>().keys.length >= 1);
    // And the findings of block-scoped rules, one entry per block (the piece has one) and group: the style rules' and
    // style/name-variant's in one section, the quotation rules' and claim/unsourced's in the other.
    for (const [section, entries] of [[BLOCK_FINDINGS_SECTION, 2], [SOURCED_BLOCK_FINDINGS_SECTION, 2]] as const) {
      const kept = keptSections(cache, root).get(section);
      assert.equal(kept && new ByteReader(kept).json<{ keys: string[] }>().keys.length, entries, section);
    }
    // Each half's answers are in that half's file, the parse with the style half's: the thread that checks a half writes its file whole.
    for (const half of ['style', 'sources'] as const) {
      const expected = [...checkSectionsOf(half), ...(half === 'style' ? [PARSE_SECTION] : [])].sort();
      assert.deepEqual([...sectionsOf(cache, root, PIECE, half).keys()].sort(), expected, half);
    }
    const indexWritten = fs.statSync(indexCacheFile(cache, root)).mtimeMs;

    // A third quotation: matched, and kept beside the others; the index file is not written again.
    fs.appendFileSync(path.join(root, 'pieces/quay.md'), '\nTolls "rose by 12% in 2023" [@tolls].\n');
    assert.deepEqual(await run(), await fresh());
    assert.ok(keptVerdicts(cache, root).includes('rose by 12% in 2023'));
    assert.equal(keptVerdicts(cache, root).length, kept.length + 1);
    assert.equal(fs.statSync(indexCacheFile(cache, root)).mtimeMs, indexWritten);

    // The source now says June: the kept verdict for "… in June" must not be used.
    fs.writeFileSync(path.join(root, 'sources/quay.txt'), FILES['sources/quay.txt'].replace('May', 'June'));
    const changed = await run();
    assert.deepEqual(changed, await fresh());
    assert.doesNotMatch(changed.stdout, /quote\/misquote.*June|"June"/);
  });
}

const TWO_PIECES = {
  '.provenance.yml': FILES['.provenance.yml'],
  'sources/quay.txt': FILES['sources/quay.txt'],
  'sources/tolls.txt': FILES['sources/tolls.txt'],
  'pieces/quay.md': 'The harbour master said "the quay would reopen in June" [@quay].\n',
  'pieces/tolls.md': 'Tolls "rose by 12% in 2023" [@tolls], the council said.\n',
};

for (const jobs of ['1', '2']) {
  test(`checks-cache: each piece's answers are kept in a file of its own, read and written only by the runs that check it (--jobs ${jobs})`, async () => {
    const root = tempWorkspace(TWO_PIECES);
    const cache = path.join(root, '.cache');
    const run = () => cli(['check', '--format', 'json', '--jobs', jobs, '--cache', cache, '--no-results-cache'], root);
    const fresh = () => cli(['check', '--format', 'json', '--jobs', jobs, '--no-cache'], root);
    const fileOf = (piece: string, half: ChecksHalf = 'sources') => checksCacheFile(cache, root, path.join(root, piece), half);
    const verdictsIn = (piece: string) => keptVerdicts(cache, root, piece);

    assert.deepEqual(await run(), await fresh());
    assert.deepEqual(verdictsIn('pieces/quay.md'), ['the quay would reopen in June']);
    assert.deepEqual(verdictsIn('pieces/tolls.md'), ['rose by 12% in 2023']);
    const tollsKept = [fs.readFileSync(fileOf('pieces/tolls.md')), fs.readFileSync(fileOf('pieces/tolls.md', 'style'))];

    // One piece edited: its file gains the new quotation; the other piece's file stays as it was (marked used, not rewritten).
    fs.appendFileSync(path.join(root, 'pieces/quay.md'), '\nIt will reopen "after the storm repairs" [@quay].\n');
    assert.deepEqual(await run(), await fresh());
    assert.deepEqual(verdictsIn('pieces/quay.md').sort(), ['after the storm repairs', 'the quay would reopen in June']);
    assert.deepEqual([fs.readFileSync(fileOf('pieces/tolls.md')), fs.readFileSync(fileOf('pieces/tolls.md', 'style'))], tollsKept);
    // The files replaced are gone by the time the run ends (removed in the background), and nothing staged is left.
    assert.deepEqual(fs.readdirSync(cache).filter((name) => !name.endsWith('.bin')), []);

    // A damaged file costs its piece its kept answers, nothing else, and is written again.
    fs.writeFileSync(fileOf('pieces/tolls.md'), 'not a cache file');
    assert.deepEqual(await run(), await fresh());
    assert.deepEqual(verdictsIn('pieces/tolls.md'), ['rose by 12% in 2023']);

    // A month on: the file of a piece since deleted goes; those of the pieces checked are marked used, another workspace's stay.
    const monthAgo = (Date.now() - STALE_CACHE_MS - 60_000) / 1000;
    const deleted = [fileOf('pieces/deleted.md'), fileOf('pieces/deleted.md', 'style')];
    const otherWorkspace = path.join(cache, 'provenance-checks-0123456789abcdef-0123456789abcdef.bin');
    for (const file of [...deleted, otherWorkspace]) fs.writeFileSync(file, 'x');
    const checked = ['pieces/quay.md', 'pieces/tolls.md'].flatMap((piece) => [fileOf(piece), fileOf(piece, 'style')]);
    for (const file of [...deleted, otherWorkspace, ...checked]) fs.utimesSync(file, monthAgo, monthAgo);
    fs.appendFileSync(path.join(root, 'pieces/tolls.md'), '\nThe council said nothing more.\n');
    await run();
    for (const file of deleted) assert.ok(!fs.existsSync(file), 'the deleted piece\'s answers are pruned');
    assert.ok(fs.existsSync(otherWorkspace), 'not this workspace\'s file: left alone');
    for (const file of checked) assert.ok(Date.now() - fs.statSync(file).mtimeMs < 60_000, `${file}: checked, so marked used`);
  });
}
