import { defineRule } from '../rule';
import type { Analysis } from '../../analysis';
import type { Quotation } from '../../markdown';
import type { Span } from '../../types';
import { shorten } from '../../text';
import { ANONYMOUS, attributionOf, fullestName, lastNamedResolver } from '../../claims/speakers';
import { SENTENCE_CONTEXT } from '../../claims/analyse';
import { quoteChecksIn } from '../../analysis';

export default defineRule({
  id: 'quote/misattributed',
  category: 'quote',
  description: 'A verified quotation that the piece attributes to someone other than the speaker the source gives it to.',
  defaultSeverity: 'warning',
  // A quotation's finding reads its block, the text its sentence splitting looks at around it and the sources; a
  // blockquote's introducing sentence and the speaker a pronoun stands for may lie before the block (`dependsOnPiece`).
  scope: 'block',
  readsSources: true,
  readsAround: SENTENCE_CONTEXT,
  docs: `A quotation that is verbatim in a source, but which the piece puts in the mouth of someone the source does not.

Who said what is learnt from the source's own wording around its quotation marks:
- \`Jack Straw said: "…"\`, \`Mr Abbas said such attacks were "…"\`;
- \`"…," Mr Straw said.\`, \`"…," said Mr Straw.\`, \`"…", Mr Abbas added.\` at the end of the sentence;
- \`"…" he added\` and \`He said: "…"\`: a pronoun stands for the last named speaker before it;
- a quotation with no attribution of its own right after another one continues its speaker.

The piece's attribution is read the same way, also from \`According to Mr Straw, …\`, and for a \`>\` blockquote from the sentence that introduces it (\`Mr Abbas said:\`). Names compare by surname, so "Mr Straw", "Jack Straw" and "British foreign minister Jack Straw" are one speaker.

**Fires on** \`Mahmoud Abbas said the conference was a "vital step" in renewing the peace process\` when the source has \`The conference was a "vital step" …, Mr Straw said.\`

**Does not fire** when either side names no one (an anonymous "a spokesman for …", "officials", a pronoun with no named speaker before it), or when the words are not a quotation in the source (the outlet's own narrative).

**Fix**: the quick fix replaces the name in the piece with the source's speaker.`,
  check({ analysis, report, blocks }) {
    const text = analysis.parsed.masked;
    const lastNamedInPiece = lastNamedResolver(text, 0, text.length);
    for (const { quotation, result } of quoteChecksIn(analysis, blocks)) {
      if (result.verdict !== 'verbatim' || !result.best) continue;
      const source = analysis.source(result.best.sourceId);
      const said = source ? analysis.workspace.speakerOf(source.id, result.best.passage) : undefined;
      if (!source || !said) continue;
      // What the attribution reads outside the quotation's block: a blockquote's introducing sentence, and the last
      // speaker named before a pronoun unless that speaker is named in the block itself.
      let readsPiece = quotation.kind === 'block';
      const blockStart = analysis.parsed.blocks[quotation.blockIndex].span.start;
      const lastNamed = (before: number) => {
        const speaker = lastNamedInPiece(before);
        if (!speaker || speaker.span.start < blockStart) readsPiece = true;
        return speaker;
      };
      const written = attributionOf(text, quotation.span, attributionSpan(analysis, quotation), lastNamed);
      if (readsPiece) blocks?.dependsOnPiece(quotation.blockIndex);
      if (!written || written === ANONYMOUS || written.key === said.key) continue;
      const sourceName = fullestName(source, said.key) ?? said.name;
      report({
        span: quotation.span,
        message: `Misattributed: @${source.id} gives "${shorten(quotation.text, 60)}" to ${sourceName}, not ${written.name}${written.pronoun ? ` ("${text.slice(written.span.start, written.span.end)}")` : ''}.`,
        fixes: written.pronoun ? undefined : [{ title: `Attribute to ${sourceName}`, edits: [{ span: written.span, newText: sourceName }], isPreferred: true }],
        related: [{ location: { uri: source.uri, span: said.span }, message: `${sourceName} in ${source.path}` }],
        data: { sourceId: source.id, sourceSpeaker: sourceName, pieceSpeaker: written.name, passage: result.best.passage },
        blockIndex: quotation.blockIndex,
      });
    }
  },
});

/**
 * Where the piece may name the speaker: an inline quotation's sentence; for a
 * blockquote, the sentence that introduces it ("Mr Abbas said:") up to the quote.
 */
function attributionSpan(analysis: Analysis, quotation: Quotation): Span {
  // Sentences are in document order and do not overlap, so both lookups are binary searches (a 2 MB piece has ~6,000 quotations and ~20,000 sentences).
  const sentences = analysis.sentences();
  if (quotation.kind === 'inline') {
    const candidate = sentences[lastIndexWhere(sentences, (s) => s.span.start <= quotation.span.start)];
    const sentence = candidate && quotation.span.end <= candidate.span.end ? candidate : undefined;
    return sentence?.span ?? analysis.parsed.blocks[quotation.blockIndex].span;
  }
  const last = sentences[lastIndexWhere(sentences, (s) => s.span.end <= quotation.span.start)];
  if (!last || !/:\s*$/.test(analysis.parsed.masked.slice(last.span.start, last.span.end))) return { start: quotation.span.start, end: quotation.span.end };
  return { start: last.span.start, end: quotation.span.end };
}

/** Index of the last item for which `holds` is true, where it holds for a prefix of the list; -1 when for none. */
function lastIndexWhere<T>(items: readonly T[], holds: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (holds(items[mid])) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}
