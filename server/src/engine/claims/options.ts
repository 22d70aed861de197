/**
 * Options of `claim/unsourced`, shared by the rule, the analysis (which
 * computes claim verdicts once per check) and the hover card.
 */
import type { ResolvedConfig } from '../config';

export type CitationScope = 'sentence' | 'paragraph';

export interface ClaimOptions {
  /** `paragraph`: a citation at the end of a paragraph covers all its sentences; `sentence`: each sentence needs its own. */
  scope: CitationScope;
  /** Extra words or phrases that make a sentence a claim. */
  triggers: string[];
  /** Extra words or phrases that exempt a sentence (team hedges, house phrases). */
  exemptions: string[];
  /** A source passage is suggested only when it has at least this share (0–1) of the claim's content words. */
  minSimilarity: number;
}

export const CLAIM_RULE_ID = 'claim/unsourced';

export const CLAIM_DEFAULTS: ClaimOptions = { scope: 'paragraph', triggers: [], exemptions: [], minSimilarity: 0.4 };

/** The rule's options as configured, defaults filled in (also when the rule is off). */
export function claimOptions(config: ResolvedConfig): ClaimOptions {
  const configured = config.rules.get(CLAIM_RULE_ID)?.options ?? {};
  return { ...CLAIM_DEFAULTS, ...(configured as Partial<ClaimOptions>) };
}
