import { defineRule } from '../rule';
import { styleView } from '../../style/view';
import type { Span } from '../../types';
import { nameVariantsIn, type BlockMention, type PieceMention } from '../../entities/piece';
import { lowerBoundBy } from '../../sorted';

interface Options {
  ignore: string[];
}

/** True when `span` lies in the prose or a heading (not in a quotation, citation or URL). */
function inProse(ranges: readonly Span[], span: Span): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid];
    if (r.end < span.end) lo = mid + 1;
    else if (r.start > span.start) hi = mid - 1;
    else return true;
  }
  return false;
}

export default defineRule<Options>({
  id: 'style/name-variant',
  category: 'style',
  description: 'A spelling of an actor\'s name other than the canonical one ("Sergei" for "Sergey", a discouraged registry alias).',
  defaultSeverity: 'warning',
  options: {
    ignore: { type: 'array', items: { type: 'string' }, description: 'Spellings never to flag (exactly as written in the piece).' },
  },
  defaults: { ignore: [] },
  docs: `A piece should spell each actor one way, the way the team (or, without a registry entry, the sources) spells it.

**Fires on**
- a first name one letter off a known person's, with the same surname: *Sergei Lavrov* when the sources (or \`entities.yml\`) have *Sergey Lavrov*;
- a spelling the sources use less often than the canonical one, when both occur in the sources;
- an alias that \`entities.yml\` marks as discouraged:

\`\`\`yaml
- id: kyiv
  name: Kyiv
  type: place
  aliases:
    - { name: Kiev, discouraged: true }
\`\`\`

The canonical spelling is the registry's \`name\`, else the one most sources use.

**Does not fire** inside quotations (a quotation keeps its source's spelling), code, link targets or citations; on surnames, acronyms and aliases the registry accepts.

**Fix**: the quick fix replaces the spelling with the canonical one.

**Options**: \`ignore\` — spellings to accept as they are.`,
  // Kept per block, under what the actors known are made from: a block's variants are found in it alone (the
  // character after it decides a possessive), so a re-check does not resolve the actors of the whole piece.
  scope: 'block',
  readsAround: { before: 0, after: 1 },
  pieceKey: (analysis) => analysis.entitiesKey(),
  check({ analysis, options, report, blocks }) {
    const ranges = styleView(analysis.parsed).spans(['prose', 'heading']);
    const ignore = new Set(options.ignore);
    let mentions: readonly (PieceMention & { blockIndex?: number })[];
    if (blocks) {
      const found = nameVariantsIn(analysis.parsed, analysis.entities(), blocks.indices);
      // Which of several actors a discouraged form names depends on who the piece named before it: those blocks take
      // the whole piece's mentions (in document order), and are checked every time.
      const fromPiece: BlockMention[] = [];
      const all = found.dependent.length ? analysis.entityMentions() : [];
      for (const index of found.dependent) {
        blocks.dependsOnPiece(index);
        const { start, end } = analysis.parsed.blocks[index].span;
        for (let at = lowerBoundBy(all, start, (mention) => mention.span.start); at < all.length && all[at].span.start < end; at++) fromPiece.push({ ...all[at], blockIndex: index });
      }
      mentions = [...found.mentions, ...fromPiece];
    } else mentions = analysis.entityMentions();
    for (const mention of mentions) {
      if (mention.inQuotation || ignore.has(mention.surface)) continue;
      if (mention.kind !== 'variant' && mention.kind !== 'discouraged') continue;
      const entity = mention.entity;
      if (mention.surface === entity.name || !inProse(ranges, mention.span)) continue;
      const authority = entity.registry ? 'the entity registry' : 'the sources';
      const message =
        mention.kind === 'discouraged'
          ? `"${mention.surface}" is a discouraged spelling in the entity registry; write "${entity.name}".`
          : `"${mention.surface}": ${authority} spell this name "${entity.name}".`;
      report({
        blockIndex: mention.blockIndex,
        span: mention.span,
        message,
        fixes: [{ title: `Change to "${entity.name}"`, edits: [{ span: mention.span, newText: entity.name }], isPreferred: true }],
        related: entity.registry ? [{ location: entity.registry, message: `${entity.name} in the entity registry` }] : undefined,
        data: { entityId: entity.id, canonical: entity.name, written: mention.surface, discouraged: mention.kind === 'discouraged' },
      });
    }
  },
});
