import { defineRule } from '../rule';
import { quoteChecksIn } from '../../analysis';
import { shorten } from '../../text';

interface Options {
  /** Quotations of at most this many words that match nothing are taken for scare quotes. */
  scareQuoteMaxWords: number;
}

export default defineRule<Options>({
  id: 'quote/not-found',
  category: 'quote',
  description: 'A quotation that matches no passage in any source.',
  defaultSeverity: 'error',
  scope: 'block',
  readsSources: true,
  options: {
    scareQuoteMaxWords: {
      type: 'integer',
      minimum: 0,
      description: 'Quotations of at most this many words that match no source are treated as scare quotes and not reported. 0 checks every quotation.',
    },
  },
  defaults: { scareQuoteMaxWords: 2 },
  docs: `A quotation in the piece — inline between double quotes or a \`>\` blockquote — whose words appear in no source article, not even approximately.

An invented or badly remembered quotation is the most damaging error an analysis can make, so this rule is an error by default.

**Fires on** \`"We will never negotiate"\` when no source contains those words in that order.

**Does not fire on**
- verbatim quotations, including allowed editorial marks: \`...\`/\`…\` omissions (in order), \`[bracketed]\` insertions, a changed first letter, straight or curly quotes, line breaks;
- near misses: those are \`quote/misquote\`;
- short scare quotes (up to \`scareQuoteMaxWords\` words, default 2), such as calling a policy "reform";
- anything inside code, HTML comments, link destinations or front matter.

**Fix**: find the real words in the source and quote them, or paraphrase without quotation marks.`,
  check({ analysis, options, report, blocks }) {
    for (const { quotation, result, citedSourceIds } of quoteChecksIn(analysis, blocks)) {
      if (result.verdict !== 'none') continue;
      if (result.quoteWordCount === 0 || result.quoteWordCount <= options.scareQuoteMaxWords) continue;
      const where = citedSourceIds.length ? `${citedSourceIds.map((id) => '@' + id).join(', ')} or any other source` : 'any source';
      report({
        span: quotation.span,
        blockIndex: quotation.blockIndex,
        message: `Quotation not found in ${where}: "${shorten(quotation.text, 80)}".`,
        data: { quotation: quotation.text, cited: citedSourceIds },
      });
    }
  },
});
