/**
 * The findings of block-scoped rules (`Rule.scope === 'block'`), kept per
 * block: a re-check of an edited piece runs those rules over the blocks whose
 * text changed only, in the editor from one version to the next and, kept in
 * the checks cache, in the CLI from one run to the next.
 *
 * A block's findings are kept under a key made of everything such a rule may
 * read of it: its kind, its masked text, and its quotations and
 * citations with every offset made relative to the block's start (a
 * quotation's citations may live in another block, so a citation that moves
 * relative to the quotation makes a new key). So an unchanged block keeps its
 * findings wherever it moves, and any change to what it reads makes it be
 * checked again. A rule that reads more says so, and its group's key holds
 * that too: the block's raw text, the masked text around it, a key of what
 * it reads of the whole piece. The key also names the rules and their
 * options; the severity is applied when a finding is made, so a changed
 * severity costs nothing. Rules that read the sources keep theirs in a
 * `CorpusMemo`, valid for one state of the corpus; the others' hold for any.
 *
 * Offsets are kept relative to the block, so a kept finding is moved with it.
 * A finding with related information in the piece itself is not kept (that
 * place may move on its own); nor are a block's findings when its rule said
 * they depend on the rest of the piece (`BlockScope.dependsOnPiece`).
 */
import type { Analysis } from './analysis';
import { quotationsByBlock, type Citation, type ParsedDocument } from './markdown';
import type { BlockScope, Report, Rule } from './rules/rule';
import type { Span } from './types';
import { contentKey, KeyHash } from './index-cache';
import { PersistedMemo } from './corpus-memo';

/** Section of the checks cache with the findings of block-scoped rules that read only the piece. */
export const BLOCK_FINDINGS_SECTION = 'block-findings';
/** Section with those of block-scoped rules that read the sources too (kept for one state of the corpus). */
export const SOURCED_BLOCK_FINDINGS_SECTION = 'block-findings-sourced';

/** The timing step of the lookups of kept findings (`CheckOptions.timing`). */
export const KEPT_BLOCK_FINDINGS_STEP = 'kept block findings';

/** A report as kept: the rule that made it, every offset in the piece relative to its block's start. */
export interface KeptReport extends Omit<Report, 'blockIndex'> {
  ruleId: string;
}

/** One rule as a check runs it: with its options filled in. */
export interface RuleRun {
  rule: Rule;
  options: Record<string, unknown>;
}

/**
 * Block-scoped rules in groups that are kept apart: by whether they read the
 * sources (which memo keeps them), and a rule with a `pieceKey` on its own,
 * so that a change to what it reads of the piece does not re-check the others.
 */
export function blockRuleGroups(runs: readonly RuleRun[]): RuleRun[][] {
  const groups = new Map<string, RuleRun[]>();
  for (const run of runs) {
    const { rule } = run;
    const group = `${rule.readsSources ? 'sources' : 'piece'}\u0000${rule.pieceKey ? rule.id : ''}`;
    const list = groups.get(group);
    if (list) list.push(run);
    else groups.set(group, [run]);
  }
  return [...groups.values()];
}

/**
 * A block's kept findings as the cache file had them: the JSON of a
 * `KeptReport[]` in UTF-8 bytes, offsets relative to the block, which starts
 * at `blockStart` (`Engine.checkAsJson` passes them on unparsed).
 */
export type EmitKeptJson = (blockStart: number, json: Uint8Array) => void;

/** A group of block-scoped rules with the blocks it has no kept findings for (`emitKeptFindings`), for `checkBlocks`. */
export interface BlocksToCheck {
  memo: PersistedMemo<KeptReport[]>;
  runs: readonly RuleRun[];
  /** What the group's findings are kept under: the key of its rules, then each block's. */
  prefix: string;
  keys: readonly string[];
  missing: number[];
}

/**
 * Emits the kept findings of a group of block-scoped rules, block by block,
 * and returns the blocks it has none for, for `checkBlocks`. `emit` gets each
 * kept finding, except those still held as the cache file had them when there
 * is an `emitKeptJson`: that gets those.
 */
export function emitKeptFindings(analysis: Analysis, memo: PersistedMemo<KeptReport[]>, runs: readonly RuleRun[], emit: (ruleId: string, report: Report) => void, timed?: (step: string) => void, emitKeptJson?: EmitKeptJson): BlocksToCheck {
  const blocks = analysis.parsed.blocks;
  // The rules, their options and what they read of the whole piece, so nothing else ever reads these findings.
  const prefix = contentKey(JSON.stringify(runs.map(({ rule, options }) => [rule.id, options, rule.pieceKey?.(analysis, options) ?? null])));
  const keys = blockKeys(analysis.parsed, variantOf(runs));
  const missing: number[] = [];
  for (let index = 0; index < blocks.length; index++) {
    const json = emitKeptJson && memo.lookupJson(prefix + keys[index]);
    if (json !== undefined) {
      emitKeptJson!(blocks[index].span.start, json);
      continue;
    }
    const kept = memo.lookup(prefix + keys[index]);
    if (!kept) {
      missing.push(index);
      continue;
    }
    const start = blocks[index].span.start;
    for (const report of kept) emit(report.ruleId, moved(report, start));
  }
  timed?.(KEPT_BLOCK_FINDINGS_STEP);
  return { memo, runs, prefix, keys, missing };
}

/** Runs a group of block-scoped rules over the blocks `emitKeptFindings` found no kept findings for, and keeps theirs; `emit` gets each finding. */
export function checkBlocks(analysis: Analysis, { memo, runs, prefix, keys, missing }: BlocksToCheck, emit: (ruleId: string, report: Report) => void, timed?: (step: string) => void): void {
  if (!missing.length) return;
  const blocks = analysis.parsed.blocks;
  const uri = analysis.doc.uri;

  const found = new Map<number, KeptReport[]>(missing.map((index) => [index, []]));
  const notKept = new Set<number>();
  const scope: BlockScope = {
    indices: missing,
    has: (index) => found.has(index),
    dependsOnPiece: (index) => void notKept.add(index),
  };
  for (const run of runs) {
    run.rule.check?.({
      analysis,
      options: run.options,
      blocks: scope,
      report: ({ blockIndex, ...report }: Report) => {
        const bucket = blockIndex === undefined ? undefined : found.get(blockIndex);
        if (!bucket || blockIndex === undefined || report.related?.some((related) => related.location.uri === uri)) {
          // A report for no block being checked cannot be kept with one (then nothing is kept this time), nor one
          // that points at another place in the piece.
          if (blockIndex === undefined || !bucket) for (const index of missing) notKept.add(index);
          else notKept.add(blockIndex);
          emit(run.rule.id, report);
          return;
        }
        // Kept as a copy in the form a kept finding is read back in (a message or a fix may hold a slice of this
        // version of the piece), and reported from it, so a finding is the same whether it was kept or not.
        const start = blocks[blockIndex].span.start;
        const kept = JSON.parse(JSON.stringify({ ruleId: run.rule.id, ...moved(report, -start) })) as KeptReport;
        bucket.push(kept);
        emit(run.rule.id, moved(kept, start));
      },
    });
    timed?.(run.rule.id);
  }
  for (const [index, reports] of found) if (!notKept.has(index)) memo.remember(prefix + keys[index], reports);
}

/** `report` with its offsets in the piece moved by `by` (its related places are in other files). */
export function moved<R extends Report | KeptReport>(report: R, by: number): R {
  const shift = (span: Span): Span => ({ start: span.start + by, end: span.end + by });
  const copy = { ...report, span: shift(report.span) };
  if (report.fixes) copy.fixes = report.fixes.map((fix) => ({ ...fix, edits: fix.edits.map((edit) => ({ ...edit, span: shift(edit.span) })) }));
  return copy;
}

/** Block keys per parse (a parse is shared by every check of its text), and those of the variants below, by variant. */
const keysOfParse = new WeakMap<ParsedDocument, string[]>();
const variantKeysOfParse = new WeakMap<ParsedDocument, Map<string, string[]>>();

/** What a group's rules read beyond the block's masked text and parse: its raw text, the masked text around it. */
export interface KeyVariant {
  raw?: boolean;
  around?: { before: number; after: number };
}

/** The variant a group of rules needs: everything any of them reads. */
function variantOf(runs: readonly RuleRun[]): KeyVariant {
  const around = { before: 0, after: 0 };
  for (const { rule } of runs) {
    around.before = Math.max(around.before, rule.readsAround?.before ?? 0);
    around.after = Math.max(around.after, rule.readsAround?.after ?? 0);
  }
  return { raw: runs.some((run) => run.rule.readsRawText), around };
}

/**
 * Each block's key: a hash of everything a block-scoped rule may read of it,
 * offsets relative to its start; a variant adds its raw text, or the masked
 * text around it.
 */
export function blockKeys(parsed: ParsedDocument, variant: KeyVariant = {}): string[] {
  const before = variant.around?.before ?? 0;
  const after = variant.around?.after ?? 0;
  if (variant.raw || before || after) {
    const name = `${variant.raw ? 1 : 0}:${before}:${after}`;
    let variants = variantKeysOfParse.get(parsed);
    if (!variants) variantKeysOfParse.set(parsed, (variants = new Map()));
    let keys = variants.get(name);
    if (!keys) {
      const plain = blockKeys(parsed);
      const { text, masked } = parsed;
      keys = parsed.blocks.map(({ span }, index) => {
        const key = new KeyHash().text(plain[index]).number(variant.raw ? 1 : 0);
        if (variant.raw) key.text(text, span.start, span.end);
        // Near the piece's start or end there is less around: the slices' lengths tell those apart.
        if (before || after) key.number(1).text(masked, Math.max(0, span.start - before), span.start).text(masked, span.end, Math.min(masked.length, span.end + after));
        else key.number(0);
        return key.finish();
      });
      variants.set(name, keys);
    }
    return keys;
  }
  let keys = keysOfParse.get(parsed);
  if (keys) return keys;
  const quotations = quotationsByBlock(parsed);
  const citations = new Map<number, Citation[]>();
  for (const citation of parsed.citations) {
    const list = citations.get(citation.blockIndex);
    if (list) list.push(citation);
    else citations.set(citation.blockIndex, [citation]);
  }
  // Each part goes into the key as it is met (KeyHash), not joined into a string first: most blocks are plain
  // paragraphs, whose key is a few fields and their text.
  keys = parsed.blocks.map((block) => {
    const { start, end } = block.span;
    const key = new KeyHash();
    // Offsets relative to the block; a part that reaches outside it adds its text (the block's own is hashed whole).
    // A quotation's `text` and `citedKeys` follow from its masked content and its citations, so they are not written.
    const rel = (span: Span | undefined) => (span ? key.number(1).number(span.start - start).number(span.end - start) : key.number(0));
    const outside = (span: Span) => (span.start < start || span.end > end ? key.text(parsed.masked, span.start, span.end) : key.text(''));
    // Each citation written out once, after the rest, and named by its number: a footnotes paragraph's quotations may each cite dozens.
    let numbers: Map<Citation, number> | undefined;
    const cited: Citation[] = [];
    const cite = (c: Citation) => {
      numbers ??= new Map();
      let number = numbers.get(c);
      if (number === undefined) {
        numbers.set(c, (number = cited.length));
        cited.push(c);
      }
      key.number(number);
    };
    key.text(block.kind).number(block.inBlockquote ? 1 : 0).number(block.level ?? 0).text(block.footnote ?? '');
    const quoted = quotations.get(block.index) ?? [];
    key.number(quoted.length);
    for (const q of quoted) {
      key.text(q.kind);
      rel(q.span);
      rel(q.contentSpan);
      outside(q.contentSpan);
      key.number(q.cites.length);
      q.cites.forEach(cite);
    }
    const own = citations.get(block.index) ?? [];
    key.number(own.length);
    own.forEach(cite);
    key.number(cited.length);
    for (const c of cited) {
      key.text(c.kind).text(c.key);
      rel(c.span);
      rel(c.group);
      key.number(c.blockIndex - block.index).number(c.suppressAuthor ? 1 : 0).text(c.footnote ?? '');
      rel(c.reference);
    }
    // The masked text, not the raw: rules read only the masked text (code, comments and link targets blanked), and
    // hashing both cost twice as much.
    return key.text(parsed.masked, start, end).finish();
  });
  keysOfParse.set(parsed, keys);
  return keys;
}

/** A kept section's entry as read back from a file (a damaged one is checked again). */
export function isKeptReports(value: unknown): value is KeptReport[] {
  const isSpan = (span: Partial<Span> | undefined) => typeof span?.start === 'number' && typeof span.end === 'number' && span.end >= span.start;
  return (
    Array.isArray(value) &&
    value.every(
      (report: Partial<KeptReport> | null) =>
        typeof report?.ruleId === 'string' &&
        typeof report.message === 'string' &&
        isSpan(report.span) &&
        (report.fixes === undefined || (Array.isArray(report.fixes) && report.fixes.every((fix) => typeof fix?.title === 'string' && Array.isArray(fix.edits) && fix.edits.every((edit) => isSpan(edit?.span) && typeof edit.newText === 'string')))) &&
        (report.related === undefined || (Array.isArray(report.related) && report.related.every((related) => typeof related?.message === 'string' && typeof related.location?.uri === 'string' && isSpan(related.location.span)))) &&
        (report.data === undefined || (typeof report.data === 'object' && report.data !== null)),
    )
  );
}
