import { defineRule } from '../rule';
import { quoteChecksIn } from '../../analysis';
import { describeDiff } from '../../quotes';
import { shorten } from '../../text';

export default defineRule({
  id: 'quote/misquote',
  category: 'quote',
  description: "A quotation that nearly matches a source passage; the message shows the source's words.",
  defaultSeverity: 'warning',
  scope: 'block',
  readsSources: true,
  docs: `A quotation that is close to a passage of a source but not the same: a word dropped, added, swapped or replaced, a number changed, a "not" slipped in.

The message names the source, gives its exact words and lists the words that differ. Related information points at the passage in the source file, and *Go to Definition* on the quotation opens it.

**Fix**: the quick fix *Replace with the source's words* rewrites the quotation with the source's text, keeping your \`…\` omissions.

**Does not fire on** allowed editorial marks: \`...\`/\`…\` omissions (in order), \`[bracketed]\` insertions or replacements, a changed first-letter case, straight vs curly quotes, whitespace and line breaks.`,
  check({ analysis, report, blocks }) {
    for (const { quotation, result } of quoteChecksIn(analysis, blocks)) {
      if (result.verdict !== 'near' || !result.best) continue;
      const best = result.best;
      const source = analysis.source(best.sourceId);
      report({
        span: quotation.span,
        blockIndex: quotation.blockIndex,
        message: `Misquote: @${best.sourceId} has "${shorten(best.sourceWords, 160)}"; this quotation differs (source → quotation): ${describeDiff(best.diff)}.`,
        fixes: [
          {
            title: "Replace with the source's words",
            edits: [{ span: quotation.contentSpan, newText: best.suggestion }],
            isPreferred: true,
          },
        ],
        related: source ? [{ location: { uri: source.uri, span: best.passage }, message: `The passage in ${source.path}` }] : undefined,
        data: {
          sourceId: best.sourceId,
          sourceUri: source?.uri,
          passage: best.passage,
          sourceWords: best.sourceWords,
          similarity: Math.round(best.similarity * 1000) / 1000,
          replacement: best.suggestion,
        },
      });
    }
  },
});
