/**
 * A check's findings as JSON, in UTF-8 bytes (`Engine.checkAsJson`), for an
 * embedder that sends them on as bytes: the CLI, from a worker thread to the
 * main thread and into its results cache. The findings a block-scoped rule
 * kept for a block (block-findings.ts) are copied in as the bytes the cache
 * file held them in, offsets relative to their block: neither decoded nor
 * parsed on the way, only by the reader. On the 2 MB bench piece with one
 * line changed, ~11,000 of its 12,600 findings are kept ones, which a worker
 * otherwise decoded, parsed, moved, stringified and encoded again.
 *
 * The JSON is `{"format":2,"severities":{…},"items":[…]}`: each item a
 * finding, or `[blockStart, keptReports]` for a block's kept findings, whose
 * severity is their rule's in `severities` (a kept finding has none of its
 * own: block-findings.ts applies it when a finding is made). Items are in the
 * order the check made them; the reader expands them in that order and sorts
 * as `check` sorts, so it gets the findings `check` gives, in the same order.
 */
import type { Finding, Severity } from './types';
import { compareFindings } from './directives';
import { isKeptReports, moved, type KeptReport } from './block-findings';
import { joinBytes } from './index-cache';

/** 2: UTF-8 bytes, kept findings as the cache file's bytes. */
const FINDINGS_JSON_FORMAT = 2;

/** A block's kept findings as JSON bytes, and where they go among the check's findings: before `findings[at]`. */
export interface KeptJsonRun {
  at: number;
  blockStart: number;
  json: Uint8Array;
}

const SEVERITIES: readonly string[] = ['error', 'warning', 'information', 'hint'] satisfies Severity[];
const encoder = new TextEncoder();
/** Bytes that are not UTF-8 are refused, not read as U+FFFD. */
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The JSON of `findings` with `kept` spliced in where the check made them; `severities` holds every kept finding's rule. */
export function findingsJson(findings: readonly Finding[], kept: readonly KeptJsonRun[] = [], severities: ReadonlyMap<string, Severity> = new Map()): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`{"format":${FINDINGS_JSON_FORMAT},"severities":${JSON.stringify(Object.fromEntries(severities))},"items":[`)];
  let items = 0;
  const add = (part: Uint8Array) => void parts.push(part);
  let from = 0;
  // Runs of findings are stringified together (one call each) and unwrapped from their brackets.
  const flush = (to: number) => {
    if (to > from) add(encoder.encode(`${items++ ? ',' : ''}${JSON.stringify(findings.slice(from, to)).slice(1, -1)}`));
    from = to;
  };
  for (const run of kept) {
    flush(run.at);
    add(encoder.encode(`${items++ ? ',' : ''}[${run.blockStart},`));
    add(run.json);
    add(CLOSE_ITEM);
  }
  flush(findings.length);
  add(CLOSE_ALL);
  return joinBytes(parts);
}

const CLOSE_ITEM = encoder.encode(']');
const CLOSE_ALL = encoder.encode(']}');

/** The findings `findingsJson` wrote, in `check`'s order; throws a RangeError on bytes it did not write (a damaged cache file). */
export function readFindingsJson(bytes: Uint8Array): Finding[] {
  let value: { format?: unknown; severities?: unknown; items?: unknown } | null;
  try {
    value = JSON.parse(decoder.decode(bytes)) as typeof value;
  } catch (err) {
    throw new RangeError(`findings: not JSON (${(err as Error).message})`);
  }
  if (value?.format !== FINDINGS_JSON_FORMAT || !Array.isArray(value.items)) throw new RangeError('findings: not a findings JSON');
  const severities = value.severities;
  if (typeof severities !== 'object' || severities === null || Array.isArray(severities)) throw new RangeError('findings: no severities');
  const severityOf = (ruleId: string): Severity => {
    const severity = (severities as Record<string, unknown>)[ruleId];
    if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) throw new RangeError(`findings: no severity for ${ruleId}`);
    return severity as Severity;
  };
  const findings: Finding[] = [];
  let keptItems = false;
  for (const item of value.items as unknown[]) {
    if (!Array.isArray(item)) {
      if (typeof item !== 'object' || item === null) throw new RangeError('findings: an item is neither a finding nor kept findings');
      findings.push(item as Finding);
      continue;
    }
    const [blockStart, reports] = item as [unknown, unknown];
    if (item.length !== 2 || !Number.isSafeInteger(blockStart) || !isKeptReports(reports)) throw new RangeError('findings: damaged kept findings');
    keptItems = true;
    // As block-findings.ts emits a kept finding: its rule and severity first, then the report moved to its block.
    for (const report of reports as KeptReport[]) findings.push(Object.assign({ ruleId: report.ruleId, severity: severityOf(report.ruleId) }, moved(report, blockStart as number)));
  }
  // With kept findings, the findings are in the order they were made: sorted here as `check` sorts them (stable:
  // findings with equal places keep that order). Without, they are as they were given.
  return keptItems ? findings.sort(compareFindings) : findings;
}

/**
 * The findings of JSONs read one after another (`Engine.checkAsJson`'s parts,
 * then its result), each already read by `readFindingsJson`: their stable sort
 * keeps findings with equal places in the order the check made them. The same
 * joins the groups of a piece checked in two halves (cli/rule-groups.ts), each
 * in report order, into the list one check with all rules gives.
 */
export function joinFindings(parts: readonly Finding[][]): Finding[] {
  return parts.length === 1 ? parts[0] : parts.flat().sort(compareFindings);
}
