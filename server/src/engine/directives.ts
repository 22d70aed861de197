/**
 * Inline control: `<!-- provenance-disable-next-line rule/id -->`,
 * `<!-- provenance-disable rule/id -->` … `<!-- provenance-enable rule/id -->`.
 * No id means every rule. Applied after the rules ran, so a rule never needs
 * to know about them.
 */
import { computeLineStarts, type Directive } from './markdown';
import type { Finding, Fix, Span } from './types';

interface Suppression {
  /** Inclusive line range. */
  fromLine: number;
  toLine: number;
  rules: Set<string> | 'all';
  /** Rules re-enabled inside a disable-all range. */
  except?: Set<string>;
}

/**
 * The order findings are reported in: by position, then rule id. Stable sorts
 * with it keep one rule's findings on one span in the order the rule reported
 * them, so findings checked in parts (rules split over threads) merge to the
 * same list as one check.
 */
export function compareFindings(a: Finding, b: Finding): number {
  // Rule ids by UTF-16 code units, not localeCompare: the same order in every locale, and a fresh
  // thread's first localeCompare sets up ICU's collator (~9 ms, once per CLI worker).
  return a.span.start - b.span.start || a.span.end - b.span.end || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}

export function lineStartsOf(text: string): number[] {
  return computeLineStarts(text);
}

/** 0-based line of an offset (binary search over line starts). */
export function lineOf(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lineStarts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

function suppressions(directives: readonly Directive[], lineStarts: readonly number[]): Suppression[] {
  const result: Suppression[] = [];
  const lastLine = lineStarts.length - 1;
  let open: { line: number; rules: Set<string> | 'all'; except?: Set<string> }[] = [];
  for (const directive of [...directives].sort((a, b) => a.span.start - b.span.start)) {
    const rules: Set<string> | 'all' = directive.rules.length ? new Set(directive.rules) : 'all';
    const endLine = lineOf(lineStarts, directive.span.end);
    if (directive.kind === 'disable-next-line') {
      result.push({ fromLine: endLine + 1, toLine: endLine + 1, rules });
      continue;
    }
    const line = lineOf(lineStarts, directive.span.start);
    if (directive.kind === 'disable') {
      open.push({ line, rules });
      continue;
    }
    // An enable closes the ranges it names; one without ids closes them all.
    const stillOpen: typeof open = [];
    for (const o of open) {
      if (rules === 'all') {
        result.push({ fromLine: o.line, toLine: line, rules: o.rules, except: o.except });
      } else if (o.rules === 'all') {
        // Re-enabling some rules inside a disable-all: the rest stay disabled, and a later enable still closes them.
        result.push({ fromLine: o.line, toLine: line, rules: 'all', except: o.except });
        stillOpen.push({ line: line + 1, rules: 'all', except: new Set([...(o.except ?? []), ...rules]) });
      } else {
        const overlap = [...o.rules].filter((r) => rules.has(r));
        if (!overlap.length) {
          stillOpen.push(o);
          continue;
        }
        result.push({ fromLine: o.line, toLine: line, rules: new Set(overlap) });
        const rest = [...o.rules].filter((r) => !rules.has(r));
        if (rest.length) stillOpen.push({ line: o.line, rules: new Set(rest) });
      }
    }
    open = stillOpen;
  }
  for (const o of open) result.push({ fromLine: o.line, toLine: lastLine, rules: o.rules, except: o.except });
  return result;
}

/** Drops findings silenced by inline comments. */
export function applyDirectives(findings: Finding[], directives: readonly Directive[], lineStarts: readonly number[]): Finding[] {
  if (!directives.length) return findings;
  const active = suppressions(directives, lineStarts);
  return findings.filter((finding) => {
    const line = lineOf(lineStarts, finding.span.start);
    return !active.some((s) => {
      if (line < s.fromLine || line > s.toLine) return false;
      if (s.rules === 'all') return !s.except?.has(finding.ruleId);
      return s.rules.has(finding.ruleId);
    });
  });
}

/**
 * Quick fix: `<!-- provenance-disable-next-line id -->` on the line before the
 * finding. Above a block's first line it goes on a line of its own; inside a
 * paragraph that started on an earlier line it is appended to the previous
 * line, because a comment line there would split the paragraph in two (and
 * end a list or a quotation). A comment line inside a table would end the
 * table, so in a table the rule is disabled around the whole table instead.
 */
export function disableForLineFix(text: string, lineStarts: readonly number[], finding: Finding, blocks: readonly { span: Span; kind?: string }[] = []): Fix {
  const line = lineOf(lineStarts, finding.span.start);
  const lineStart = lineStarts[line];
  const title = `Disable ${finding.ruleId} for this line`;
  const comment = `<!-- provenance-disable-next-line ${finding.ruleId} -->`;
  const index = blocks.findIndex((b) => b.span.start <= finding.span.start && finding.span.start < Math.max(b.span.end, b.span.start + 1));
  const inBlock = blocks[index];
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (inBlock?.kind === 'tableRow') {
    // Rows are consecutive blocks; the delimiter row between header and body is not one, hence "two lines apart".
    const near = (a: { span: Span }, b: { span: Span }) => lineOf(lineStarts, b.span.start) - lineOf(lineStarts, a.span.end) <= 2;
    let first = index;
    while (first > 0 && blocks[first - 1].kind === 'tableRow' && near(blocks[first - 1], blocks[first])) first--;
    let last = index;
    while (last + 1 < blocks.length && blocks[last + 1].kind === 'tableRow' && near(blocks[last], blocks[last + 1])) last++;
    const top = lineStarts[lineOf(lineStarts, blocks[first].span.start)];
    const bottomLine = lineOf(lineStarts, blocks[last].span.end);
    const bottom = bottomLine + 1 < lineStarts.length ? lineStarts[bottomLine + 1] : text.length;
    const indent = /^[ \t]*(?:>[ \t]?)*/.exec(text.slice(top, top + 200))?.[0] ?? '';
    const closeBefore = bottom === text.length && !text.endsWith('\n') ? eol : '';
    return {
      title: `Disable ${finding.ruleId} for this table`,
      edits: [
        { span: { start: top, end: top }, newText: `${indent}<!-- provenance-disable ${finding.ruleId} -->${eol}${eol}` },
        { span: { start: bottom, end: bottom }, newText: `${closeBefore}${eol}${indent}<!-- provenance-enable ${finding.ruleId} -->${eol}` },
      ],
    };
  }
  if (line > 0 && inBlock && inBlock.span.start < lineStart) {
    const previous = text.slice(lineStarts[line - 1], lineStart).replace(/\r?\n$/, '');
    // Before trailing spaces or a backslash: they are a hard line break and must stay last.
    const keep = /(?: {2,}|\\)$/.exec(previous)?.[0] ?? '';
    const at = lineStarts[line - 1] + previous.length - keep.length;
    const space = /[ \t]/.test(text[at - 1] ?? '') ? '' : ' ';
    return { title, edits: [{ span: { start: at, end: at }, newText: `${space}${comment}` }] };
  }
  const indent = /^[ \t]*(?:>[ \t]?)*/.exec(text.slice(lineStart, lineStart + 200))?.[0] ?? '';
  const at: Span = { start: lineStart, end: lineStart };
  return { title, edits: [{ span: at, newText: `${indent}${comment}${eol}` }] };
}
