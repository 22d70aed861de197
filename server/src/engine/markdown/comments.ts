/**
 * Inline control comments: `<!-- provenance-disable-next-line rule/id … -->`,
 * `<!-- provenance-disable rule/id -->`, `<!-- provenance-enable -->`.
 * No id means every rule; ` -- ` starts a free-text reason, as in ESLint.
 */
import type { Span } from '../types';
import type { Directive } from './model';

const DIRECTIVE = /^<!--\s*provenance-(disable-next-line|disable|enable)(?![\w-])([\s\S]*?)-->$/;

export function directiveOf(text: string, span: Span): Directive | undefined {
  const match = DIRECTIVE.exec(text.slice(span.start, span.end));
  if (!match) return undefined;
  const list = match[2].split(/\s--\s/)[0];
  const rules = list.split(/[\s,]+/).filter((id) => id.length > 0);
  return { kind: match[1] as Directive['kind'], rules, span: { ...span } };
}

/** HTML comments inside `[range.start, range.end)` of the original text (an HTML block). */
export function commentsIn(text: string, range: Span): Span[] {
  // Search a copy of the block: `indexOf` on the whole text would run past it.
  const html = text.slice(range.start, range.end);
  const comments: Span[] = [];
  for (let open = html.indexOf('<!--'); open >= 0; open = html.indexOf('<!--', open + 4)) {
    // `<!-->` and `<!--->` are complete (empty) comments.
    const short = html.startsWith('>', open + 4) ? open + 5 : html.startsWith('->', open + 4) ? open + 6 : -1;
    const close = short < 0 ? html.indexOf('-->', open + 4) : -1;
    const end = short >= 0 ? short : close < 0 ? -1 : close + 3;
    if (end < 0) break;
    comments.push({ start: range.start + open, end: range.start + end });
    open = end - 4;
  }
  return comments;
}
