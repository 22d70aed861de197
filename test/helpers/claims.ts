/** An engine over a few in-memory sources, and the claim/unsourced findings of a piece, for the claim re-check tests. */
import { createEngine, type Engine, type Finding } from '../../server/src/engine/index';

/** An engine with `files` (workspace path → text) as sources, and `config` as `.provenance.yml` (defaults when undefined). */
export function engineWith(files: Record<string, string>, config?: string): Engine {
  const engine = createEngine();
  engine.setConfig(config === undefined ? undefined : 'file:///ws/.provenance.yml', config);
  for (const [file, text] of Object.entries(files)) engine.setSource(`file:///ws/${file}`, file, text);
  return engine;
}

/** The claim/unsourced findings of `text` checked as the piece `file:///ws/piece.md`. */
export function claims(engine: Engine, text: string): Finding[] {
  return engine.check({ uri: 'file:///ws/piece.md', text }).filter((f) => f.ruleId === 'claim/unsourced');
}

/** The text each finding flags. */
export function flagged(text: string, findings: Finding[]): string[] {
  return findings.map((f) => text.slice(f.span.start, f.span.end));
}
