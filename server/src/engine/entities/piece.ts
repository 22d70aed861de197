/**
 * Finding the known actors in a piece: every full name, alias, acronym,
 * surname and "Mr X" that the entity knowledge has, by longest match over the
 * piece's capitalised words (no NLP on the piece: the sources taught us the
 * names). Also spots spelling variants of known names the sources never use
 * ("Sergei Lavrov" for "Sergey Lavrov") so style/name-variant can flag them.
 */
import type { Span } from '../types';
import type { ParsedDocument } from '../markdown';
import { SentenceScanner, type Tokens } from './scan';
import { editDistanceAtMostOne, nameKey, type Entity, type EntityKnowledge, type FormEntry, type FormKind } from './knowledge';
import { HONORIFICS } from './lexicon';
import { detach } from '../text';
import { contentKey } from '../index-cache';
import { blockHitMemoOf, pickedEntries, type KeptHit } from './block-hits';

export interface PieceMention {
  entity: Entity;
  span: Span;
  /** How the piece names it; `variant` also covers near spellings the sources never use. */
  kind: FormKind | 'honorific';
  /** The words as written in the piece. */
  surface: string;
  /** Inside a quotation: style rules leave it alone. */
  inQuotation: boolean;
}

const MAX_FORM_WORDS = 8;
const KIND_ORDER: Record<FormKind, number> = { name: 0, variant: 1, alias: 2, discouraged: 3, acronym: 4, surname: 5 };

/**
 * A known name found in one block, before the choice between the entities it
 * may name (which depends on who the piece named before it). Offsets are
 * relative to the block's start, so an edit elsewhere leaves the block's hits valid.
 */
interface BlockHit {
  start: number;
  end: number;
  /** `honorific`: "Mr X"; `form`: a known form; `variant`: a first name one letter off a known person's. */
  kind: 'honorific' | 'form' | 'variant';
  /** The form entries it may be (honorific and form hits). */
  entries: FormEntry[];
  /** The person it is a variant of (variant hits). */
  variant?: Entity;
  surface: string;
  /** The key the entries were looked up by, and their positions in that form's entries: how a hit is kept across runs (block-hits.ts). */
  form: string;
  picks: number[];
}

/**
 * Hits per block text, per knowledge: re-checking an edited piece scans only
 * the blocks that changed. Bounded; cleared when full.
 */
const blockHitCache = new WeakMap<EntityKnowledge, Map<string, BlockHit[]>>();
const MAX_CACHED_BLOCKS = 50_000;

/**
 * Scans, as `findPieceMentions(parsed, knowledge)` will, the blocks `from` to
 * `to` (indexes): a caller spreads the first scan of a long piece over several
 * steps, and `findPieceMentions` then finds every block scanned.
 */
export function scanBlocksIn(parsed: ParsedDocument, knowledge: EntityKnowledge, from: number, to: number): void {
  const cache = blockHitsOf(knowledge);
  const scanner = new SentenceScanner();
  for (const block of parsed.blocks.slice(from, to)) hitsOfBlock(parsed.masked, block.span, knowledge, cache, scanner);
}

/**
 * Whether a mention of a known actor may cover `offset`: a hit of the block
 * there does (each mention is a block's hit). Reads that block alone, so a
 * hover elsewhere does not resolve the mentions of the whole piece (~60 ms
 * the first time for 200 KB).
 */
export function nameMayBeAt(parsed: ParsedDocument, knowledge: EntityKnowledge, offset: number): boolean {
  const cache = blockHitsOf(knowledge);
  const scanner = new SentenceScanner();
  for (const block of parsed.blocks) {
    const { start, end } = block.span;
    if (offset < start || offset > end) continue;
    const hits = hitsOfBlock(parsed.masked, block.span, knowledge, cache, scanner);
    if (hits.some((hit) => start + hit.start <= offset && offset <= start + hit.end)) return true;
  }
  return false;
}

function blockHitsOf(knowledge: EntityKnowledge): Map<string, BlockHit[]> {
  let cache = blockHitCache.get(knowledge);
  if (!cache) blockHitCache.set(knowledge, (cache = new Map()));
  return cache;
}

function hitsOfBlock(text: string, { start, end }: Span, knowledge: EntityKnowledge, cache: Map<string, BlockHit[]>, scanner: SentenceScanner): BlockHit[] {
  // The character after the block is part of the key: it decides whether a final "s'" is a possessive plural.
  const key = text.slice(start, end + 1);
  let hits = cache.get(key);
  if (!hits) {
    // Found by an earlier run with this knowledge, or scanned now (and then kept for the next run).
    const memo = blockHitMemoOf(knowledge);
    // Hashed: the key is all a section keeps of the block (the piece's text need not be in the cache twice).
    const memoKey = memo && contentKey(key);
    const kept = memoKey !== undefined ? memo!.lookup(memoKey) : undefined;
    hits = kept && restoredHits(kept, text, start, end, knowledge);
    if (hits) {
      memo!.stats.kept++;
    } else {
      hits = scanBlock(text, start, end, knowledge, scanner);
      // Kept across edits: key and surfaces are copies, so they do not hold this version of the piece alive.
      for (const hit of hits) hit.surface = detach(hit.surface);
      if (memo) {
        memo.stats.computed++;
        memo.remember(memoKey!, hits.map(({ start, end, kind, form, picks }): KeptHit => ({ start, end, kind, form, picks })));
      }
    }
    if (cache.size >= MAX_CACHED_BLOCKS) cache.clear();
    cache.set(detach(key), hits);
  }
  return hits;
}

/** Hits kept by an earlier run for the block `text[from, to)`, pointing into `knowledge` again; undefined if one points at an entry it no longer has. */
function restoredHits(kept: readonly KeptHit[], text: string, from: number, to: number, knowledge: EntityKnowledge): BlockHit[] | undefined {
  const hits: BlockHit[] = [];
  for (const hit of kept) {
    const entries = pickedEntries(knowledge, hit);
    if (!entries || from + hit.end > to) return undefined;
    const { start, end, kind, form, picks } = hit;
    const surface = detach(text.slice(from + start, from + end));
    if (kind === 'variant') hits.push({ start, end, kind, entries: [], variant: entries[0].entity, surface, form, picks });
    else hits.push({ start, end, kind, entries, surface, form, picks });
  }
  return hits;
}

/** Pieces whose mentions this process resolved whole (tests: did a rule that needs only some blocks ask for them all?). */
export const pieceMentionWork = { pieces: 0 };

/** Scans the prose blocks of a parsed piece for mentions of known entities, in document order. */
export function findPieceMentions(parsed: ParsedDocument, knowledge: EntityKnowledge): PieceMention[] {
  pieceMentionWork.pieces++;
  const text = parsed.masked;
  const quotations = quotationSpansOf(parsed);
  const inQuotation = (span: Span) => overlapsAny(quotations, span);
  const mentions: PieceMention[] = [];
  /** Entities named in full so far: "Mr Howard" after "Michael Howard" is him, not John Howard. */
  const introduced = new Set<Entity>();
  const choose = (entries: FormEntry[]): FormEntry => {
    const sorted = [...entries].sort(
      (a, b) =>
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        Number(introduced.has(b.entity)) - Number(introduced.has(a.entity)) ||
        b.entity.mentions.length - a.entity.mentions.length,
    );
    return sorted[0];
  };

  const cache = blockHitsOf(knowledge);
  const scanner = new SentenceScanner();
  for (const block of parsed.blocks) {
    const { start } = block.span;
    const hits = hitsOfBlock(text, block.span, knowledge, cache, scanner);
    for (const hit of hits) {
      const span = { start: start + hit.start, end: start + hit.end };
      if (hit.kind === 'variant') {
        mentions.push({ entity: hit.variant!, span, kind: 'variant', surface: hit.surface, inQuotation: inQuotation(span) });
        introduced.add(hit.variant!);
        continue;
      }
      const chosen = choose(hit.entries);
      if (hit.kind === 'form' && chosen.kind === 'name') introduced.add(chosen.entity);
      mentions.push({ entity: chosen.entity, span, kind: hit.kind === 'honorific' ? 'honorific' : chosen.kind, surface: hit.surface, inQuotation: inQuotation(span) });
    }
  }
  return mentions;
}

/** A mention `nameVariantsIn` gives, with the block it is in. */
export interface BlockMention extends PieceMention {
  blockIndex: number;
}

/**
 * The mentions `findPieceMentions` gives of the kinds `variant` and
 * `discouraged` in the blocks `indices`, found in those blocks alone, and the
 * blocks whose such mentions depend on the rest of the piece (then left out).
 * A variant is its block's own; a known form's kind is the first of its
 * entries' kinds, whoever the piece named before — only which of several
 * actors a discouraged form is depends on that (`choose`), and a block with
 * such a form is in `dependent`. So a rule asking only for these kinds need
 * not resolve the mentions of the whole piece (style/name-variant).
 */
export function nameVariantsIn(parsed: ParsedDocument, knowledge: EntityKnowledge, indices: readonly number[]): { mentions: BlockMention[]; dependent: number[] } {
  const quotations = quotationSpansOf(parsed);
  const cache = blockHitsOf(knowledge);
  const scanner = new SentenceScanner();
  const mentions: BlockMention[] = [];
  const dependent: number[] = [];
  for (const blockIndex of indices) {
    const block = parsed.blocks[blockIndex];
    const found: BlockMention[] = [];
    let depends = false;
    for (const hit of hitsOfBlock(parsed.masked, block.span, knowledge, cache, scanner)) {
      const span = { start: block.span.start + hit.start, end: block.span.start + hit.end };
      if (hit.kind === 'variant') {
        found.push({ entity: hit.variant!, span, kind: 'variant', surface: hit.surface, inQuotation: overlapsAny(quotations, span), blockIndex });
        continue;
      }
      if (hit.kind !== 'form') continue;
      const first = Math.min(...hit.entries.map((entry) => KIND_ORDER[entry.kind]));
      if (first !== KIND_ORDER.discouraged) continue;
      const actors = new Set(hit.entries.filter((entry) => entry.kind === 'discouraged').map((entry) => entry.entity));
      if (actors.size > 1) depends = true;
      else found.push({ entity: [...actors][0], span, kind: 'discouraged', surface: hit.surface, inQuotation: overlapsAny(quotations, span), blockIndex });
    }
    if (depends) dependent.push(blockIndex);
    else mentions.push(...found);
  }
  return { mentions, dependent };
}

/** The piece's quotation spans by start, once per parse. */
const quotationSpans = new WeakMap<ParsedDocument, Span[]>();
function quotationSpansOf(parsed: ParsedDocument): Span[] {
  let spans = quotationSpans.get(parsed);
  if (!spans) quotationSpans.set(parsed, (spans = parsed.quotations.map((q) => q.span).sort((a, b) => a.start - b.start)));
  return spans;
}

/** Whether `span` overlaps one of `sorted` (spans by start that do not overlap each other). */
function overlapsAny(sorted: readonly Span[], span: Span): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const q = sorted[mid];
    if (q.end <= span.start) lo = mid + 1;
    else if (q.start >= span.end) hi = mid - 1;
    else return true;
  }
  return false;
}

/** Blocks scanned for names in this process (tests: did kept hits answer instead?). */
export const blockScanWork = { scanned: 0 };

/** The hits of one block `text[from, to)`, offsets relative to `from`. */
function scanBlock(text: string, from: number, to: number, knowledge: EntityKnowledge, scanner: SentenceScanner): BlockHit[] {
  blockScanWork.scanned++;
  const hits: BlockHit[] = [];
  const push = (kind: BlockHit['kind'], start: number, end: number, found: { entries: FormEntry[]; variant?: Entity; form: string; picks: number[] }) =>
    hits.push({ start: start - from, end: end - from, kind, entries: found.entries, variant: found.variant, surface: text.slice(start, end), form: found.form, picks: found.picks });
  scanner.scan(text, from, to, (_sentence, tokens) => {
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (!token.word || !token.cap) continue;
      // "Mr Lavrov", "Ms Rice": the surname (or full name) of a person.
      if (HONORIFICS.has(token.lower) && !token.possessive && tokens[i + 1]?.word && tokens[i + 1].cap) {
        const hit = longestMatch(text, tokens, i + 1, knowledge, (e) => e.entity.type === 'person' && e.kind !== 'acronym');
        if (hit) {
          push('honorific', token.start, tokens[hit.last].baseEnd, hit);
          i = hit.last;
          continue;
        }
      }
      const initial = i === 0 || (!tokens[i - 1].word && /["\u201c(:]/.test(tokens[i - 1].text));
      const hit = longestMatch(text, tokens, i, knowledge, (e, words) => {
        if (e.kind === 'acronym') return words === 1 && e.surface === token.base;
        // A one-word name that is mostly an ordinary word ("Short", "Independent") only counts mid-sentence and capitalised.
        if (words === 1 && (initial || knowledge.stats.isCommonWord(token.base)) && knowledge.stats.lowerCount(token.base) > 0) return false;
        return true;
      });
      if (hit) {
        push('form', token.start, tokens[hit.last].baseEnd, hit);
        i = hit.last;
        continue;
      }
      const variant = firstNameVariant(tokens, i, knowledge);
      if (variant) {
        push('variant', token.start, tokens[i + 1].baseEnd, { entries: [], variant: variant.entity, form: variant.form, picks: [variant.pick] });
        i += 1;
      }
    }
  });
  return hits;
}

/** The longest run of words from `from` that is a known form accepted by `accept`. */
function longestMatch(
  text: string,
  tokens: Tokens,
  from: number,
  knowledge: EntityKnowledge,
  accept: (entry: FormEntry, words: number) => boolean,
): { last: number; entries: FormEntry[]; form: string; picks: number[] } | undefined {
  let best: { last: number; entries: FormEntry[]; form: string; picks: number[] } | undefined;
  for (let j = from; j < tokens.length && j - from < MAX_FORM_WORDS; j++) {
    const token = tokens[j];
    if (!token.word) break;
    // Words must be adjacent, separated by spaces only: "Lavrov, Sergey" is two names.
    if (j > from && /[^\s]/.test(text.slice(tokens[j - 1].end, token.start))) break;
    const form = nameKey(text.slice(tokens[from].start, token.end));
    const entries = knowledge.formsOf(form);
    const words = j - from + 1;
    const picks: number[] = [];
    entries?.forEach((e, index) => {
      if (accept(e, words)) picks.push(index);
    });
    if (picks.length) best = { last: j, entries: picks.map((index) => entries![index]), form, picks };
    if (token.possessive) break;
  }
  return best;
}

/** "Sergei Lavrov" when the sources know "Sergey Lavrov": a first name one letter off, same surname (with the form entry that says so). */
function firstNameVariant(tokens: Tokens, i: number, knowledge: EntityKnowledge): { entity: Entity; form: string; pick: number } | undefined {
  const first = tokens[i];
  const second = tokens[i + 1];
  if (!second?.word || !second.cap || first.possessive || first.base.length < 4 || second.start - first.end > 1) return undefined;
  const form = nameKey(second.base);
  const entries = knowledge.formsOf(form) ?? [];
  for (let pick = 0; pick < entries.length; pick++) {
    const { entity, kind } = entries[pick];
    if ((kind !== 'surname' && kind !== 'name') || entity.type !== 'person') continue;
    const words = entity.name.split(' ');
    if (words.length !== 2 || words[1].toLowerCase() !== second.base.toLowerCase()) continue;
    const known = words[0];
    if (known[0] !== first.base[0] || known.length < 4) continue;
    if (editDistanceAtMostOne(known.toLowerCase(), first.base.toLowerCase())) return { entity, form, pick };
  }
  return undefined;
}

/** The mention covering `offset` (mentions are sorted and disjoint). */
export function mentionAt(mentions: readonly PieceMention[], offset: number): PieceMention | undefined {
  let lo = 0;
  let hi = mentions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = mentions[mid];
    if (m.span.end < offset) lo = mid + 1;
    else if (m.span.start > offset) hi = mid - 1;
    else return m;
  }
  return undefined;
}
