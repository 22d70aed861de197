/**
 * Supporting passages for an unsourced claim, and the quick fix that cites
 * the best one. Shared by the rule and the hover card.
 */
import type { Analysis } from '../analysis';
import type { Fix, Span } from '../types';
import type { PassageHit } from './passages';
import { shareSteps } from '../shares';
import type { ClaimCheck } from './analyse';

/** A claim with no citation: what `claim/unsourced` reports, the hover card explains, and the warm-up looks up passages for. */
export function isUnsourcedClaim(check: ClaimCheck): boolean {
  return check.verdict.claim && !check.sourcing;
}

/**
 * Steps that look up the passages of every unsourced claim of the piece, as `claim/unsourced` and the claim
 * hover card will (same limit, so the same memo entries), a share of the claims each: warm-up steps, so that
 * they are found, and kept, ahead. In one step a 200 KB piece's took ~90 ms. The count depends only on the
 * length, so a caller can plan before parsing.
 */
export function supportingPassageSteps(analysis: () => Analysis, textLength: number): Array<() => void> {
  return shareSteps(textLength, PASSAGE_CHARS_PER_STEP, (share) => {
    const a = analysis();
    const checks = a.claimChecks();
    const [from, to] = share(checks.length);
    for (let i = from; i < to; i++) if (isUnsourcedClaim(checks[i])) supportingPassages(a, checks[i].sentence.span);
  });
}

/** Piece text per warm-up step of passage lookups: ~15 ms where none was looked up before. */
const PASSAGE_CHARS_PER_STEP = 32_768;

/** The best source passages for a sentence of the piece, best first. */
export function supportingPassages(analysis: Analysis, span: Span, limit = 3): PassageHit[] {
  if (analysis.corpus.sources().size === 0) return [];
  return analysis.workspace.searchPassages(analysis.parsed.masked, span.start, span.end, limit);
}

/**
 * Where ` [@id]` goes: before the sentence's final punctuation ("… rose." →
 * "… rose [@id]."); a sentence ending in a closing quotation mark that holds
 * the period gets it after the mark ("… sorry." [@id]").
 */
export function citationInsertionPoint(text: string, sentence: Span): number {
  let end = sentence.end;
  // A citation written after the period already belongs to the sentence; cite before it.
  while (end > sentence.start && /[\s\]]/.test(text[end - 1])) {
    const open = text.lastIndexOf('[', end - 1);
    if (text[end - 1] !== ']' || open < sentence.start) break;
    end = open;
    while (end > sentence.start && /\s/.test(text[end - 1])) end--;
  }
  let at = end;
  while (at > sentence.start && /[.!?…]/.test(text[at - 1])) at--;
  return at;
}

export function citeFix(text: string, sentence: Span, sourceId: string): Fix {
  const at = citationInsertionPoint(text, sentence);
  return { title: `Cite @${sourceId}`, edits: [{ span: { start: at, end: at }, newText: ` [@${sourceId}]` }], isPreferred: true };
}
