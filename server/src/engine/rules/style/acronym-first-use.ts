import { defineRule } from '../rule';
import { styleView } from '../../style/view';
import { expansionsIn } from '../../entities/extract';
import { WELL_KNOWN_ACRONYMS } from '../../entities/lexicon';
import type { Span } from '../../types';

interface Options {
  exempt: string[];
  allow: string[];
}

/** Two or more capitals (digits and "&" allowed), an optional plural "s": "EAEU", "CIS", "G20", "MPs". */
const ACRONYM = /(?<![\p{L}\p{N}&])(\p{Lu}[\p{Lu}\p{N}&]*\p{Lu}[\p{Lu}\p{N}]*)(s)?(?![\p{L}\p{N}&])/gu;
const ROMAN = /^[IVXLCDM]+$/;

/** A line written in capitals (a shouted heading) has no acronyms to expand. */
function isShouting(text: string, at: number): boolean {
  const start = text.lastIndexOf('\n', at) + 1;
  let end = text.indexOf('\n', at);
  if (end < 0) end = text.length;
  const line = text.slice(start, end);
  return !/\p{Ll}/u.test(line) && (line.match(/\p{Lu}{2,}/gu)?.length ?? 0) >= 3;
}

export default defineRule<Options>({
  id: 'style/acronym-first-use',
  category: 'style',
  description: 'An acronym used before it is spelt out in the piece (well-known ones like UK, US, UN, EU, BBC, TV, MP exempt; list configurable).',
  defaultSeverity: 'warning',
  options: {
    exempt: { type: 'array', items: { type: 'string' }, description: 'Acronyms readers know; setting it replaces the built-in list.' },
    allow: { type: 'array', items: { type: 'string' }, description: 'Acronyms added to `exempt` (keeps the built-in list).' },
  },
  defaults: { exempt: [...WELL_KNOWN_ACRONYMS], allow: [] },
  docs: `Spell an acronym out the first time the piece uses it: *the Eurasian Economic Union (EAEU)*, then *the EAEU*.

**Fires on** the first use of an acronym (two or more capitals) that is not spelt out at or before that point: neither as *Full Name (ACR)* / *ACR (Full Name)* nor by its full name written earlier. One finding per acronym.

**Counts as spelt out**: an expansion inside a quotation; the full name anywhere earlier in the piece.

**Does not fire** inside quotations, code, link targets or citations (the first use *outside* them is checked); on the well-known acronyms of \`exempt\` (UK, US, UN, EU, BBC, TV, MP, NHS, …); on Roman numerals; on lines written in capitals.

**Fix**: when the expansion is known — from \`entities.yml\` (\`acronym:\`) or learnt from the sources (*Commonwealth of Independent States (CIS)*) — the quick fix writes it at the first use: \`CIS\` → \`Commonwealth of Independent States (CIS)\`.

**Options**: \`exempt\` replaces the built-in list; \`allow\` adds to it.`,
  check({ analysis, options, report }) {
    const parsed = analysis.parsed;
    const text = parsed.masked;
    const exempt = new Set([...options.exempt, ...options.allow]);
    const written = parsed.blocks.flatMap((block) => expansionsIn(text, block.span.start, block.span.end));
    const seen = new Set<string>();
    let knowledge: ReturnType<typeof analysis.entities> | undefined;
    const lowerText = text.toLowerCase();
    for (const range of styleView(parsed).ranges(['prose', 'heading'])) {
      const slice = text.slice(range.start, range.end);
      for (const match of slice.matchAll(ACRONYM)) {
        const acronym = match[1];
        if (seen.has(acronym)) continue;
        seen.add(acronym);
        if (exempt.has(acronym) || exempt.has(match[0]) || ROMAN.test(acronym)) continue;
        const span: Span = { start: range.start + (match.index ?? 0), end: range.start + (match.index ?? 0) + acronym.length };
        if (isShouting(text, span.start)) continue;
        if (written.some((w) => w.acronym === acronym && w.acronymSpan.start <= span.start)) continue;
        knowledge ??= analysis.entities();
        const entity = knowledge.acronyms.get(acronym)?.[0];
        const expansion = entity?.name ?? written.find((w) => w.acronym === acronym)?.expansion;
        if (expansion) {
          const earlier = lowerText.lastIndexOf(expansion.toLowerCase(), span.start);
          if (earlier >= 0 && earlier + expansion.length <= span.start) continue;
        }
        report({
          span,
          message: expansion
            ? `"${acronym}" is used before it is spelt out: write "${expansion} (${acronym})" at its first use.`
            : `"${acronym}" is used before it is spelt out: give its full name at its first use.`,
          fixes: expansion ? [{ title: `Write "${expansion} (${acronym})"`, edits: [{ span, newText: `${expansion} (${acronym})` }], isPreferred: true }] : undefined,
          data: { acronym, expansion, entityId: entity?.id },
        });
      }
    }
  },
});
