/**
 * The shape of a rule. A rule only reads the analysis and calls `report`;
 * the engine adds severity, the docs link and the `provenance` source, and
 * skips rules that are `off` before they run (markdownlint's model).
 */
import type { JsonSchema } from '../schema';
import type { Fix, RelatedInformation, Severity, Span } from '../types';
import type { Analysis } from '../analysis';

export type RuleCategory = 'quote' | 'citation' | 'claim' | 'style' | 'config' | 'input';

export interface Report {
  span: Span;
  message: string;
  fixes?: Fix[];
  related?: RelatedInformation[];
  data?: Record<string, unknown>;
  /**
   * The block the finding is about (`Quotation.blockIndex`, `TextRange.blockIndex`).
   * A block-scoped rule gives it, so the engine keeps the finding with that
   * block's text; it never reaches the finding itself.
   */
  blockIndex?: number;
}

/**
 * The blocks a block-scoped rule checks this time: those whose findings the
 * engine does not have kept for their text (engine/block-findings.ts).
 */
export interface BlockScope {
  /** Block indices, ascending. */
  readonly indices: readonly number[];
  has(blockIndex: number): boolean;
  /**
   * The findings of this block just read something outside it (a fact about
   * the whole piece), so they are not kept: the block is checked again next time.
   */
  dependsOnPiece(blockIndex: number): void;
}

export interface RuleContext<Options = Record<string, unknown>> {
  readonly analysis: Analysis;
  /** The rule's options with defaults filled in. */
  readonly options: Options;
  report(report: Report): void;
  /**
   * Given to a rule with `scope: 'block'`: check these blocks only, and give
   * each report its `blockIndex`. Absent: check the whole piece.
   */
  readonly blocks?: BlockScope;
}

export interface Rule<Options = Record<string, unknown>> {
  /** Stable id, `category/name`; the file name is the name. */
  id: string;
  category: RuleCategory;
  /** One line, shown in the rule table and the schema. */
  description: string;
  defaultSeverity: Severity;
  /** JSON Schema of the options object (without `severity`). */
  options?: Record<string, JsonSchema>;
  /** Defaults for the options. */
  defaults?: Options;
  /** Markdown docs page body: why, what fires, what does not, options, examples. */
  docs: string;
  /**
   * `block`: the rule's findings in a block depend only on that block — its
   * masked text (`ParsedDocument.masked`), its kind, its quotations with
   * their citations wherever those are, its citations — on the rule's
   * options, and on what it declares below (the sources, the raw text, the
   * text around the block, a key of the whole piece). The engine then keeps
   * each block's findings and checks only the blocks it has none for
   * (`RuleContext.blocks`). A finding that depends on anything else must call
   * `blocks.dependsOnPiece`. Absent: the rule checks the whole piece every time.
   */
  scope?: 'block';
  /** A block-scoped rule's findings depend on the sources too (kept for one state of them). */
  readsSources?: boolean;
  /** A block-scoped rule reads the raw text of its blocks as well (`ParsedDocument.text`, for a fix's place), not only the masked. */
  readsRawText?: boolean;
  /** A block-scoped rule reads this many characters of the masked text before and after each block (the sentences' `SENTENCE_CONTEXT`). */
  readsAround?: { before: number; after: number };
  /**
   * What a block-scoped rule's findings in every block read of the whole
   * piece (claim/unsourced: the names it learns), as a key: its kept
   * findings are used only under the same key. A fact that concerns only
   * some blocks is better told through `blocks.dependsOnPiece`.
   */
  pieceKey?(analysis: Analysis, options: Options): string;
  /** Runs the rule; absent for rules reported outside documents (config/invalid). */
  check?(context: RuleContext<Options>): void;
}

/** Helps a rule file keep its option type while the registry stores plain rules. */
export function defineRule<Options>(rule: Rule<Options>): Rule {
  return rule as unknown as Rule;
}
