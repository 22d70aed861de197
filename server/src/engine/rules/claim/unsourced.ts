import { defineRule, type Report } from '../rule';
import type { Analysis } from '../../analysis';
import type { Span } from '../../types';
import { shorten } from '../../text';
import { describeSignal, type ClaimSignal } from '../../claims/detect';
import { CLAIM_DEFAULTS, type ClaimOptions } from '../../claims/options';
import { passageText, type PassageHit } from '../../claims/passages';
import { citeFix, isUnsourcedClaim, supportingPassages } from '../../claims/suggest';
import { claimChecksIn, claimNamesKey, readsNextBlock, SENTENCE_CONTEXT } from '../../claims/analyse';

export default defineRule<ClaimOptions>({
  id: 'claim/unsourced',
  category: 'claim',
  description: "An author's own sentence asserting a checkable fact with no citation; suggests the best supporting source passage.",
  defaultSeverity: 'warning',
  // A sentence's claim check reads its block, the text its sentence splitting looks at around it, the sources and the
  // names the whole piece teaches (the piece key); the fix's place is read from the raw text. A claim ending in ":"
  // may be sourced by the next block's quotation.
  scope: 'block',
  readsSources: true,
  readsRawText: true,
  readsAround: SENTENCE_CONTEXT,
  pieceKey: (analysis) => claimNamesKey(analysis),
  options: {
    scope: {
      type: 'string',
      enum: ['sentence', 'paragraph'],
      description: '`paragraph`: a citation at the end of a paragraph covers all of its sentences. `sentence`: every claim needs a citation of its own.',
    },
    triggers: {
      type: 'array',
      items: { type: 'string' },
      description: 'Extra words or phrases that make a sentence a claim (e.g. "sanctions", "ceasefire").',
    },
    exemptions: {
      type: 'array',
      items: { type: 'string' },
      description: 'Extra words or phrases that make a sentence opinion or speculation, never a claim (e.g. "we suspect").',
    },
    minSimilarity: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      description: "A source passage is suggested only when it contains at least this share of the claim's content words (idf-weighted).",
    },
  },
  defaults: CLAIM_DEFAULTS,
  docs: `A sentence of the author's own prose that asserts something a reader could check, with nothing that tells them where it comes from.

**A sentence is a claim** when it has
- reported speech: "Lavrov **said** …", "the union **warned** …", "**according to** officials …";
- a number, percentage, money amount or date: "612 members", "81%", "£2.4m", "14 March", "last year";
- a named actor doing or being something: "**Vasey Maritime offered** …", "**Aileen Corrie is** …";
- a causal or comparative assertion: "**because**", "**led to**", "**higher than**", "**the largest**", "rose", "doubled";
- one of the team's \`triggers\`.

The message says which of these made it a claim.

**Not claims**: questions; opinion ("in our view", "we think", "should", "deserves"); hedged speculation ("may", "might", "perhaps", "it remains to be seen", "it is not clear whether"); the piece's own framing ("this piece looks at", "below we set out", "in the next section"); and the team's \`exemptions\`. A hedge *after* a reporting verb is the speaker's, not the author's ("she warned that walkouts **could** follow" is still a claim). Headings, quotations themselves, blockquotes, code, front matter and footnote definitions are never checked.

**Sourced** (not reported):
- a citation in the sentence: \`[@id]\`, \`[see @id, p. 3]\`, bare \`@id\`, a footnote \`[^1]\` whose definition cites, a link to a source;
- with \`scope: paragraph\` (default), a citation at the end of the paragraph covers every sentence in it;
- a verified quotation in the sentence (verbatim in a source);
- "according to *The Valley Courier*" or "*The Valley Courier* reported …", where that is a source's \`outlet\` or \`title\`.

A claim that merely *matches* a source you did not cite is still unsourced: the reader cannot see the source.

**Suggestion**: every sentence of every source is ranked against the claim (BM25 over source sentences). When the best passage shares at least \`minSimilarity\` of the claim's content words, the message names it (source id and paragraph) and the quick fix *Cite @id* inserts \` [@id]\` before the sentence's final punctuation. Hover over the sentence to see the top passages with their similarity.

**Options**: \`scope\` (\`paragraph\` | \`sentence\`), \`triggers\`, \`exemptions\` (lists of words or phrases), \`minSimilarity\` (0–1, default 0.4).

\`\`\`yaml
rules:
  claim/unsourced:
    severity: information
    scope: sentence
    triggers: [ceasefire, sanctions]
    exemptions: [we suspect]
\`\`\``,
  check({ analysis, options, report, blocks }) {
    for (const check of blocks ? claimChecksIn(analysis, blocks) : analysis.claimChecks()) {
      if (blocks && readsNextBlock(analysis, check)) blocks.dependsOnPiece(check.sentence.blockIndex);
      if (!isUnsourcedClaim(check)) continue;
      const { span } = check.sentence;
      const hits = supportingPassages(analysis, span);
      const parts = reportParts(analysis, check.verdict.signals, hits, options.minSimilarity);
      report({
        span,
        message: parts.message,
        fixes: parts.citeId !== undefined ? [citeFix(analysis.doc.text, span, parts.citeId)] : undefined,
        related: parts.related,
        // The passage is named by source and span, not copied, and the runners-up are left to the hover (which ranks them
        // again from the cached answer): copied into every diagnostic, they were most of a long piece's publishDiagnostics.
        data: { reasons: parts.reasons, suggestion: parts.suggestion },
        blockIndex: check.sentence.blockIndex,
      });
    }
  },
});

/** What a report says apart from where it is: the same for the same claim words and the same passage answer. */
interface ReportParts {
  message: string;
  citeId: string | undefined;
  related: Report['related'];
  reasons: Array<{ kind: ClaimSignal['kind']; text: string }>;
  suggestion: { sourceId: string; sourceUri: string; paragraph: number; passage: Span; similarity: number } | undefined;
}

/**
 * Report parts by passage answer (an array the passage index keeps per query
 * for one corpus generation, so the same array means the same passages and
 * sources), then by the claim's signals and minSimilarity: re-checking an
 * edited piece rebuilds the message only for claims whose words or answer
 * changed. Shared objects: findings are read-only.
 */
const partsByAnswer = new WeakMap<readonly PassageHit[], Map<string, ReportParts>>();

function reportParts(analysis: Analysis, signals: readonly ClaimSignal[], hits: readonly PassageHit[], minSimilarity: number): ReportParts {
  let byClaim = partsByAnswer.get(hits);
  if (!byClaim) partsByAnswer.set(hits, (byClaim = new Map()));
  let key = String(minSimilarity);
  for (const signal of signals) key += `\u0000${signal.kind}\u0001${signal.text}`;
  let parts = byClaim.get(key);
  if (parts) return parts;
  const reasons = signals.slice(0, 2).map(describeSignal);
  const best = hits[0] && hits[0].similarity >= minSimilarity ? hits[0] : undefined;
  const source = best ? analysis.source(best.passage.sourceId) : undefined;
  let message = `Unsourced claim: ${reasons.join(' and ')}, but no citation.`;
  if (best && source) {
    message += ` Best supporting passage: @${source.id}, paragraph ${best.passage.paragraph}: "${shorten(passageText(source, best.passage), 140)}" (${Math.round(best.similarity * 100)}% of its content words).`;
  } else {
    message += ' No source passage supports it; add the source, or cite where it comes from.';
  }
  parts = {
    message,
    citeId: best?.passage.sourceId,
    related: best && source ? [{ location: { uri: source.uri, span: best.passage.span }, message: `Best supporting passage in ${source.path}` }] : undefined,
    reasons: signals.map((s) => ({ kind: s.kind, text: s.text })),
    suggestion: best && source ? { sourceId: source.id, sourceUri: source.uri, paragraph: best.passage.paragraph, passage: best.passage.span, similarity: round(best.similarity) } : undefined,
  };
  byClaim.set(key, parts);
  return parts;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
