/**
 * Inline control: `<!-- provenance-disable-next-line rule/id -->`,
 * `<!-- provenance-disable rule/id -->` … `<!-- provenance-enable rule/id -->`.
 * No id means every rule. Applied after the rules ran, so a rule never needs
 * to know about them.
 */
import type { Directive } from './markdown';
import type { Finding, Fix, Span } from './types';

interface Suppression {
  /** Inclusive line range. */
  fromLine: number;
  toLine: number;
  rules: Set<string> | 'all';
  /** Rules re-enabled inside a disable-all range. */
  except?: Set<string>;
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
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
  const open: { line: number; rules: Set<string> | 'all' }[] = [];
  for (const directive of [...directives].sort((a, b) => a.span.start - b.span.start)) {
    const rules: Set<string> | 'all' = directive.rules.length ? new Set(directive.rules) : 'all';
    const endLine = lineOf(lineStarts, directive.span.end);
    if (directive.kind === 'disable-next-line') {
      result.push({ fromLine: endLine + 1, toLine: endLine + 1, rules });
    } else if (directive.kind === 'disable') {
      open.push({ line: lineOf(lineStarts, directive.span.start), rules });
    } else {
      // An enable closes the matching disables: all of them when it names no rule.
      const line = lineOf(lineStarts, directive.span.start);
      for (let i = open.length - 1; i >= 0; i--) {
        const o = open[i];
        if (rules === 'all') {
          result.push({ fromLine: o.line, toLine: line, rules: o.rules });
          open.splice(i, 1);
        } else if (o.rules === 'all') {
          // Re-enabling some rules inside a disable-all: the rest stay disabled.
          open.splice(i, 1);
          result.push({ fromLine: o.line, toLine: line, rules: 'all' });
          result.push({ fromLine: line + 1, toLine: lastLine, rules: 'all', except: rules });
        } else {
          const overlap = [...o.rules].filter((r) => rules.has(r));
          if (!overlap.length) continue;
          result.push({ fromLine: o.line, toLine: line, rules: new Set(overlap) });
          const rest = [...o.rules].filter((r) => !rules.has(r));
          open.splice(i, 1);
          if (rest.length) open.push({ line: o.line, rules: new Set(rest) });
        }
      }
    }
  }
  for (const o of open) result.push({ fromLine: o.line, toLine: lastLine, rules: o.rules });
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

/** Quick fix: insert `<!-- provenance-disable-next-line id -->` above the finding's line. */
export function disableForLineFix(text: string, lineStarts: readonly number[], finding: Finding): Fix {
  const line = lineOf(lineStarts, finding.span.start);
  const lineStart = lineStarts[line];
  const indent = /^[ \t]*(?:>[ \t]?)*/.exec(text.slice(lineStart, lineStart + 200))?.[0] ?? '';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const at: Span = { start: lineStart, end: lineStart };
  return {
    title: `Disable ${finding.ruleId} for this line`,
    edits: [{ span: at, newText: `${indent}<!-- provenance-disable-next-line ${finding.ruleId} -->${eol}` }],
  };
}
