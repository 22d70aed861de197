import { defineRule } from '../rule';
import { styleView } from '../../style/view';
import { expansionsIn } from '../../entities/extract';
import { WELL_KNOWN_ACRONYMS } from '../../entities/lexicon';
import type { Span } from '../../types';
import { detach } from '../../text';
import { lowerTextOf, type LowerText } from '../../style/lower-text';
import { adoptedOriginOf } from '../../markdown/edit-support';
import type { BlockSummary } from '../../block-summaries';
import type { Analysis } from '../../analysis';

interface Options {
  exempt: string[];
  allow: string[];
}

/** Two or more capitals (digits and "&" allowed), an optional plural "s": "EAEU", "CIS", "G20", "MPs". */
const ACRONYM = /(?<![\p{L}\p{N}&])(\p{Lu}[\p{Lu}\p{N}&]*\p{Lu}[\p{Lu}\p{N}]*)(s)?(?![\p{L}\p{N}&])/gu;
const ROMAN = /^[IVXLCDM]+$/;

/**
 * A line written in capitals (a shouted heading) has no acronyms to expand.
 * The line is read within its block (`within`): what lies outside it on the
 * line is markup (`#`, `-`, `>`, `|`), which has no letters.
 */
function isShouting(text: string, at: number, within: Span): boolean {
  const start = Math.max(within.start, text.lastIndexOf('\n', at) + 1);
  let end = text.indexOf('\n', at);
  if (end < 0 || end > within.end) end = within.end;
  const line = text.slice(start, end);
  return !/\p{Ll}/u.test(line) && (line.match(/\p{Lu}{2,}/gu)?.length ?? 0) >= 3;
}

interface AcronymMatch {
  /** Offset in the range. */
  index: number;
  /** The acronym with its plural "s", if any. */
  whole: string;
  acronym: string;
}

/**
 * Acronyms per range text (offsets relative to the range), across checks: an
 * edit re-scans only the ranges it touched. The pattern's look-behind sees
 * nothing before a range, so its matches depend on the range text alone.
 * Bounded; cleared when full.
 */
const acronymCache = new Map<string, AcronymMatch[]>();
const MAX_CACHED_RANGES = 50_000;

function acronymsIn(text: string, start: number, end: number): AcronymMatch[] {
  const key = text.slice(start, end);
  let matches = acronymCache.get(key);
  if (!matches) {
    // Kept across edits: matched in a copy, so neither key nor matches hold this version of the piece alive.
    const own = detach(key);
    matches = [...own.matchAll(ACRONYM)].map((m) => ({ index: m.index ?? 0, whole: m[0], acronym: m[1] }));
    if (acronymCache.size >= MAX_CACHED_RANGES) acronymCache.clear();
    acronymCache.set(own, matches);
  }
  return matches;
}

/** An acronym's first use in a block: offsets relative to the block's start. */
interface AcronymUse {
  at: number;
  /** The acronym with its plural "s", if any. */
  whole: string;
  acronym: string;
  /** On a line written in capitals. */
  shouting: boolean;
}

/** What the rule reads of a block: its acronyms' first uses in the prose and headings, and the expansions it writes. */
interface AcronymsOfBlock {
  uses: AcronymUse[];
  written: Array<{ acronym: string; expansion: string; at: number }>;
}

const ACRONYMS_OF_BLOCK: BlockSummary<AcronymsOfBlock> = {
  name: 'acronyms',
  // An expansion's last word looks one character past the block (a final "s'" is a possessive plural).
  readsAfter: 1,
  summarise(parsed, block) {
    const text = parsed.masked;
    const blockStart = block.span.start;
    const uses: AcronymUse[] = [];
    const seen = new Set<string>();
    for (const range of styleView(parsed).rangesIn(['prose', 'heading'], [block.index])) {
      for (const match of acronymsIn(text, range.start, range.end)) {
        if (seen.has(match.acronym)) continue;
        seen.add(match.acronym);
        const at = range.start + match.index;
        uses.push({ at: at - blockStart, whole: match.whole, acronym: match.acronym, shouting: isShouting(text, at, block.span) });
      }
    }
    const written = expansionsIn(text, blockStart, block.span.end).map((w) => ({ acronym: w.acronym, expansion: w.expansion, at: w.acronymSpan.start - blockStart }));
    return { uses, written };
  },
  isSummary: (value): value is AcronymsOfBlock => {
    const summary = value as Partial<AcronymsOfBlock> | null;
    return (
      Array.isArray(summary?.uses) &&
      Array.isArray(summary.written) &&
      summary.uses.every((use: Partial<AcronymUse> | null) => typeof use?.at === 'number' && typeof use.whole === 'string' && typeof use.acronym === 'string' && typeof use.shouting === 'boolean') &&
      summary.written.every((w) => typeof w?.at === 'number' && typeof w.acronym === 'string' && typeof w.expansion === 'string')
    );
  },
};

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
    const exempt = new Set([...options.exempt, ...options.allow]);
    const summaries = analysis.blockSummaries(ACRONYMS_OF_BLOCK);
    // Each acronym's first expansion written in the piece (the blocks are in document order).
    const written = new Map<string, { at: number; expansion: string }>();
    summaries.forEach((summary, index) => {
      const blockStart = parsed.blocks[index].span.start;
      for (const w of summary.written) if (!written.has(w.acronym)) written.set(w.acronym, { at: blockStart + w.at, expansion: w.expansion });
    });
    const seen = new Set<string>();
    let knowledge: ReturnType<typeof analysis.entities> | undefined;
    let lower: LowerText | undefined;
    summaries.forEach((summary, index) => {
      const blockStart = parsed.blocks[index].span.start;
      for (const use of summary.uses) {
        const acronym = use.acronym;
        if (seen.has(acronym)) continue;
        seen.add(acronym);
        if (exempt.has(acronym) || exempt.has(use.whole) || ROMAN.test(acronym) || use.shouting) continue;
        const span: Span = { start: blockStart + use.at, end: blockStart + use.at + acronym.length };
        const first = written.get(acronym);
        if (first && first.at <= span.start) continue;
        knowledge ??= analysis.entities();
        const entity = knowledge.entitiesOfAcronym(acronym)?.[0];
        const expansion = entity?.name ?? first?.expansion;
        if (expansion) {
          lower ??= lowerTextFor(analysis);
          const earlier = lower.lastIndexOf(expansion.toLowerCase(), span.start);
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
    });
  },
});

/**
 * The masked text's lower case, kept for the next run; taken from what the
 * last CLI run kept when this parse was made from its kept parse.
 */
function lowerTextFor(analysis: Analysis): LowerText {
  const store = analysis.workspace.lowerTexts;
  const lower = lowerTextOf(analysis.parsed.masked, store && { store, earlierText: adoptedOriginOf(analysis.parsed)?.masked });
  store?.use(lower);
  return lower;
}
