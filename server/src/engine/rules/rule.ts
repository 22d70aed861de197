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
}

export interface RuleContext<Options = Record<string, unknown>> {
  readonly analysis: Analysis;
  /** The rule's options with defaults filled in. */
  readonly options: Options;
  report(report: Report): void;
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
  /** Runs the rule; absent for rules reported outside documents (config/invalid). */
  check?(context: RuleContext<Options>): void;
}

/** Helps a rule file keep its option type while the registry stores plain rules. */
export function defineRule<Options>(rule: Rule<Options>): Rule {
  return rule as unknown as Rule;
}
