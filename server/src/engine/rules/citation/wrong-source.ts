import { defineRule } from '../rule';
import { quoteChecksIn } from '../../analysis';

export default defineRule({
  id: 'citation/wrong-source',
  category: 'citation',
  description: 'A quotation cited to one source that is verbatim in another; the message names it.',
  defaultSeverity: 'warning',
  scope: 'block',
  readsSources: true,
  docs: `A quotation that is verbatim in a source, but not in the source its sentence (or paragraph, or blockquote) cites.

Quotations are matched against the cited sources first, then against all sources; when the words are found only elsewhere, the citation points readers to the wrong article.

**Fix**: the quick fix changes the citation key to the source that has the words.

**Does not fire** when the quotation is verbatim in the cited source as well as elsewhere, or when the quotation cites nothing (uncited quotations are matched against all sources).`,
  check({ analysis, report, blocks }) {
    for (const { quotation, result, citedSourceIds, citations } of quoteChecksIn(analysis, blocks)) {
      if (result.verdict !== 'verbatim' || !citedSourceIds.length) continue;
      if (citedSourceIds.some((id) => result.exactSourceIds.includes(id))) continue;
      const right = result.exactSourceIds[0];
      const source = analysis.source(right);
      const wrong = citations[0];
      const title = source?.meta.title ? ` ("${source.meta.title}")` : '';
      report({
        span: quotation.span,
        blockIndex: quotation.blockIndex,
        message: `Quotation is not in ${citedSourceIds.map((id) => '@' + id).join(', ')}; it is verbatim in @${right}${title}.`,
        fixes: wrong
          ? [{ title: `Cite @${right} instead`, edits: [{ span: { start: wrong.span.start + 1, end: wrong.span.end }, newText: right }], isPreferred: true }]
          : undefined,
        related: source && result.best ? [{ location: { uri: source.uri, span: result.best.passage }, message: `The passage in ${source.path}` }] : undefined,
        data: { cited: citedSourceIds, sourceId: right, sourceUri: source?.uri, passage: result.best?.passage },
      });
    }
  },
});
