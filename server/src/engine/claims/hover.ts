/**
 * Hover card on a flagged (unsourced) claim: why it is a claim and the top
 * source passages with their similarity. Inert Markdown: every piece of
 * repository text is escaped.
 */
import type { Analysis } from '../analysis';
import type { HoverCard } from '../types';
import { sourceLabel } from '../cards';
import { escapeMarkdown, shorten } from '../text';
import { describeSignal } from './detect';
import { claimOptions, CLAIM_RULE_ID } from './options';
import { passageText } from './passages';
import { isUnsourcedClaim, supportingPassages } from './suggest';

export function unsourcedClaimHover(analysis: Analysis, offset: number): HoverCard | undefined {
  if (analysis.config.rules.get(CLAIM_RULE_ID)?.severity === 'off') return undefined;
  const index = analysis.sentences().findIndex((s) => s.span.start <= offset && offset <= s.span.end);
  if (index < 0) return undefined;
  const check = analysis.claimCheckAt(index);
  const { sentence } = check;
  if (!isUnsourcedClaim(check)) return undefined;
  const minSimilarity = claimOptions(analysis.config).minSimilarity;
  const lines = [`**Unsourced claim**: ${escapeMarkdown(check.verdict.signals.slice(0, 3).map(describeSignal).join('; '))}`, ''];
  const hits = supportingPassages(analysis, sentence.span, 3);
  if (!hits.length) lines.push('No source passage shares its words.');
  else lines.push('Closest source passages:', '');
  hits.forEach((hit, i) => {
    const source = analysis.source(hit.passage.sourceId);
    if (!source) return;
    const label = sourceLabel(source);
    const mark = hit.similarity >= minSimilarity ? '' : ' — too weak to suggest';
    lines.push(`${i + 1}. \`@${escapeMarkdown(source.id)}\`, paragraph ${hit.passage.paragraph} · ${Math.round(hit.similarity * 100)}% similar${mark}${label ? ` · ${label}` : ''}`);
    lines.push(`   > ${escapeMarkdown(shorten(passageText(source, hit.passage), 300))}`);
  });
  return { markdown: lines.join('\n'), span: sentence.span };
}
