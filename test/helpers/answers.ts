/**
 * Helpers for the tests of the answers an engine keeps between runs
 * (engine/corpus-memo.ts and its users): engines of a build given what an
 * earlier one kept, and kept sections with one entry wrong on purpose.
 */
import assert from 'node:assert/strict';
import { createEngine, type Engine, type Finding } from '../../server/src/engine/index';
import { ByteReader, ByteWriter, bytesKey, decodeCache, encodeCache } from '../../server/src/engine/index-cache';

export const PIECE_DOC = { uri: 'file:///ws/piece.md', path: 'piece.md' };

/** An engine of `buildId` that imported `kept` (a cache container) before its sources were set; `setUp` runs first (config, registry). */
export function engineWithKept(files: Record<string, string>, buildId: string | undefined, kept?: Uint8Array, setUp?: (engine: Engine) => void): Engine {
  const engine = createEngine({ docsBaseUrl: 'file:///docs/', buildId });
  setUp?.(engine);
  if (kept) engine.importIndexCache(kept);
  for (const [file, text] of Object.entries(files)) engine.setSource(`file:///ws/${file}`, file, text);
  return engine;
}

/** The engine's findings for `text` (as piece.md), and how much `work()` counted while it checked. */
export function checkedWith(engine: Engine, text: string, work: () => number): { findings: Finding[]; work: number } {
  const before = work();
  const findings = engine.check({ ...PIECE_DOC, text });
  return { findings, work: work() - before };
}

/**
 * A container holding `section` of `kept` with the one entry whose JSON line
 * `find` picks replaced by `damage(line)`, summed as written: an entry a
 * writer of the build got wrong, which costs that entry only. (Bytes damaged
 * after they were written no longer match the section's sum, and cost the
 * section: corpus-memo.test.ts.)
 */
export function withDamagedEntry(kept: Uint8Array, section: string, find: (line: string) => boolean, damage: (line: string) => string): Uint8Array {
  const reader = new ByteReader(decodeCache(kept)!.get(section)!);
  const header = reader.json<{ keys: string[]; sum: string }>();
  const lines = reader.string().split('\n');
  const at = lines.findIndex(find);
  assert.ok(at >= 0, `no entry to damage among:\n${lines.join('\n')}`);
  lines[at] = damage(lines[at]);
  const out = new ByteWriter();
  out.json({ ...header, sum: bytesKey(new TextEncoder().encode(lines.join('\n'))) });
  out.string(lines.join('\n'));
  return encodeCache(new Map([[section, out.finish()]]));
}
