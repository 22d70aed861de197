/**
 * How one piece's rules are split over two threads when there are fewer
 * pieces than cores. The split follows the corpus products the rules need, so
 * each thread builds only its own: the "sources" group (quotation verdicts,
 * citations checked against sources, claims and their passage index) and the
 * "style" group (house style and actors, which need the entity knowledge, plus
 * every other rule). The two are complements of each other, so every rule runs
 * exactly once whatever rules exist; a rule put in the "wrong" group only
 * costs time, never a finding.
 */
import type { Finding } from '../engine/types';
import { compareFindings } from '../engine/directives';

export type RuleGroup = 'all' | 'sources' | 'style';

/** The groups one piece is checked in: one thread (all rules), or two. */
export const SPLIT_GROUPS: readonly RuleGroup[] = ['sources', 'style'];

function sourcesRule(ruleId: string): boolean {
  return ruleId.startsWith('quote/') || ruleId.startsWith('claim/') || ruleId === 'citation/wrong-source';
}

/** The engine's rule filter for a group (undefined = every rule). */
export function ruleFilter(group: RuleGroup): ((ruleId: string) => boolean) | undefined {
  if (group === 'all') return undefined;
  return group === 'sources' ? sourcesRule : (ruleId) => !sourcesRule(ruleId);
}

/**
 * One check's findings from the findings of its groups, each already in
 * report order: the same list, in the same order, as one check with all rules.
 */
export function mergeFindings(parts: readonly Finding[][]): Finding[] {
  if (parts.length === 1) return parts[0];
  return parts.flat().sort(compareFindings);
}
