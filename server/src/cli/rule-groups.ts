/**
 * How one piece's rules are split over two threads when there are fewer
 * pieces than cores. The split follows the corpus products the rules need, so
 * each thread builds only its own: the "sources" group (quotation verdicts,
 * citations checked against sources, claims and their passage index) and the
 * "style" group (house style and actors, which need the entity knowledge, plus
 * every other rule). The two are complements of each other, so every rule runs
 * exactly once whatever rules exist; a rule put in the "wrong" group only
 * costs time, never a finding.
 */
import { QUOTES_SECTION, SOURCE_HEADERS_SECTION } from '../engine/corpus';
import { SOURCE_WORDS_SECTION } from '../engine/source-words';
import { ENTITIES_SECTION } from '../engine/entities/source-facts';
import { ANSWER_SECTIONS } from '../engine/index';
import { PASSAGES_SECTION } from '../engine/claims/passages';
import { ENTITY_HITS_SECTION } from '../engine/entities/block-hits';
import { BLOCK_FINDINGS_SECTION } from '../engine/block-findings';
import { BLOCK_SUMMARIES_SECTION } from '../engine/block-summaries';
import { LOWER_TEXT_SECTION } from '../engine/style/lower-text';
import type { ChecksHalf } from '../node/index-cache-file';

export type RuleGroup = 'all' | 'sources' | 'style';

/** The groups one piece is checked in: one thread (all rules), or two. */
export const SPLIT_GROUPS: readonly RuleGroup[] = ['sources', 'style'];

function sourcesRule(ruleId: string): boolean {
  return ruleId.startsWith('quote/') || ruleId.startsWith('claim/') || ruleId === 'citation/wrong-source';
}

/** The engine's rule filter for a group (undefined = every rule). */
export function ruleFilter(group: RuleGroup): ((ruleId: string) => boolean) | undefined {
  if (group === 'all') return undefined;
  return group === 'sources' ? sourcesRule : (ruleId) => !sourcesRule(ruleId);
}

/**
 * The index cache sections a group's thread reads and writes (undefined =
 * all): those of the corpus products its rules use. A thread reads only its
 * own, and writes only its own, so the halves never overwrite each other's.
 * A product missing here is built from the sources when a rule needs it: the
 * same findings, only slower. Both read the sources' headers (engine/corpus.ts),
 * which let a load set unchanged sources without reading them.
 */
export function cacheSectionsOf(group: RuleGroup): readonly string[] | undefined {
  if (group === 'all') return undefined;
  // Both halves set the sources from their headers; the sources half writes them.
  return group === 'sources' ? [SOURCE_HEADERS_SECTION, QUOTES_SECTION, SOURCE_WORDS_SECTION, PASSAGES_SECTION] : [SOURCE_HEADERS_SECTION, ENTITIES_SECTION];
}

/** The index cache sections a group writes once the workspace is loaded (all of its corpus products). */
export function indexSectionsOf(group: RuleGroup): readonly string[] {
  if (group === 'style') return [ENTITIES_SECTION];
  return cacheSectionsOf(group) ?? [SOURCE_HEADERS_SECTION, QUOTES_SECTION, SOURCE_WORDS_SECTION, PASSAGES_SECTION, ENTITIES_SECTION];
}

/**
 * The index cache sections a group's thread reads only when a check first
 * uses their product (`Engine.importIndexCacheOnDemand`): the quotation index
 * (12.5 MB for the 2,095 BBC articles) and the passage index (5.3 MB), which a
 * check that finds its quotations' and claims' answers kept never asks for.
 * `claim/unsourced` asks the sources' lower-case words in every check, but from
 * their own small section (engine/source-words.ts), read at the load.
 */
export function onDemandSectionsOf(group: RuleGroup): readonly string[] {
  return indexSectionsOf(group).filter((section) => section === QUOTES_SECTION || section === PASSAGES_SECTION);
}

/**
 * The sections of the checks cache file (node/index-cache-file.ts
 * checksCacheFile) a group reads, and writes once its pieces are checked:
 * the answers its checks add to. The style half keeps the names found in
 * each block (they depend on the entity knowledge, that half's) and the
 * findings per block of the block-scoped rules that read only the piece
 * (the style rules, that half's), and the blocks' summaries the style rules
 * fold (acronyms, names written mid-sentence), and where acronyms' expansions
 * occur in the piece. Every other kept answer (quotation
 * verdicts, claims' passages and verdicts, speakers, the findings per block
 * of the block-scoped rules that read the sources) is the sources half's, so a new answer section
 * goes there unless it is listed here.
 */
const STYLE_ANSWER_SECTIONS: readonly string[] = [ENTITY_HITS_SECTION, BLOCK_FINDINGS_SECTION, BLOCK_SUMMARIES_SECTION, LOWER_TEXT_SECTION];

export function checkSectionsOf(group: RuleGroup): readonly string[] {
  if (group === 'all') return ANSWER_SECTIONS;
  return ANSWER_SECTIONS.filter((section) => STYLE_ANSWER_SECTIONS.includes(section) === (group === 'style'));
}

/**
 * The halves of each piece's kept answers a group's thread reads, and writes
 * whole once it has checked the piece: each half is a file of its own
 * (node/index-cache-file.ts checksCacheFile), holding `checkSectionsOf` that
 * half (the style half's also the piece's kept parse). A thread checking all
 * rules has both.
 */
export function checkHalvesOf(group: RuleGroup): readonly ChecksHalf[] {
  return group === 'all' ? ['style', 'sources'] : [group];
}
