import { defineRule } from '../rule';
import { closestName } from '../../schema';

export default defineRule({
  id: 'citation/unknown-source',
  category: 'citation',
  description: 'A citation key that no source has.',
  defaultSeverity: 'error',
  docs: `A Pandoc citation (\`[@key]\`, \`[see @key, p. 3]\`, \`[@a; @b]\`, a bare \`@key\`, or a footnote that cites) whose key is not the id of any source.

A source's id is its front-matter \`id\`, else its file name without extension (\`sources/lavrov-tsargrad.txt\` → \`@lavrov-tsargrad\`).

**Fix**: when a source id is close to the key, the quick fix changes the key to it; otherwise add the source file under the configured \`sources\` globs.

Links are not checked by this rule: a link that points at no source is simply not a citation.`,
  check({ analysis, report }) {
    const ids = [...analysis.corpus.sources().keys()];
    // The same unknown key is often cited many times: look for its neighbour once.
    const closestByKey = new Map<string, string | undefined>();
    const reported = new Set<number>();
    for (const citation of analysis.parsed.citations) {
      if (citation.kind === 'link') continue;
      // A footnote referenced twice yields two citations of the same key span: report it once.
      if (reported.has(citation.span.start)) continue;
      reported.add(citation.span.start);
      if (analysis.sourceIdOf(citation)) continue;
      if (!closestByKey.has(citation.key)) closestByKey.set(citation.key, closestName(citation.key, ids));
      const closest = closestByKey.get(citation.key);
      report({
        span: citation.span,
        message: `Unknown source @${citation.key}: no source has this id${closest ? ` (did you mean "${closest}"?)` : ''}.`,
        fixes: closest
          ? [{ title: `Change to @${closest}`, edits: [{ span: { start: citation.span.start + 1, end: citation.span.end }, newText: closest }], isPreferred: true }]
          : undefined,
        data: { key: citation.key, suggestion: closest },
      });
    }
  },
});
