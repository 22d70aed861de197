/**
 * The passage search's caches outlive a check (answers by claim, stems by
 * word) and are keyed by text taken from the piece. V8 keeps a substring of
 * 13 or more characters as a view of its parent, so a key that is a slice of
 * the piece holds that whole version alive. Here each edit adds an unsourced
 * claim with a long word no source or earlier version has, so both caches get
 * a new long key per version; the live heap must not grow by the versions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineWithExampleSources, liveHeap } from '../helpers/memory';

/** A word of 16+ letters that differs for every `i` ("harbourmastersab", …). */
function longWord(i: number): string {
  let suffix = '';
  for (let n = i + 26; n > 0; n = Math.floor(n / 26)) suffix += String.fromCharCode(97 + (n % 26));
  return `harbourmasters${suffix}`;
}

test('claims memory: new claim words typed into a long piece do not keep its old versions alive', () => {
  const engine = engineWithExampleSources();
  const paragraphs: string[] = [];
  for (let i = 0; paragraphs.length < 1500; i++) paragraphs.push(`The ferry company reported ${i} late sailings on the island route in March, up from ${i + 3} a year earlier.`);
  let text = `# A long piece\n\n${paragraphs.join('\n\n')}\n`;
  assert.ok(text.length > 150_000, `piece of ${text.length} characters`);

  const onlyClaims = { rules: (id: string) => id === 'claim/unsourced' };
  let version = 1;
  let unsourced = 0;
  const edit = (i: number) => {
    const at = text.indexOf('\n\n', (i * 7919) % (text.length - 200)) + 2;
    text = `${text.slice(0, at)}The ${longWord(i)} reported ${i} delays.\n\n${text.slice(at)}`;
    const findings = engine.check({ uri: 'file:///ws/long.md', text, version: ++version }, undefined, onlyClaims);
    unsourced = findings.length;
  };
  for (let i = 0; i < 10; i++) edit(i);
  const before = liveHeap();
  const edits = 40;
  for (let i = 10; i < 10 + edits; i++) edit(i);
  const grown = liveHeap() - before;
  assert.ok(unsourced > paragraphs.length, `every sentence is an unsourced claim (${unsourced} findings)`);
  assert.ok(
    grown < (edits * text.length) / 4,
    `the live heap grew by ${(grown / 1048576).toFixed(1)} MiB over ${edits} edits of a ${(text.length / 1024).toFixed(0)} KB piece: old versions are being kept`,
  );
});
