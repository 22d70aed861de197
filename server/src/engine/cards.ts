/**
 * Hover cards: compact Markdown built from repository text. Everything taken
 * from a file is escaped, so a card is inert (no links, HTML or commands the
 * repository could smuggle in) — adapters also send it untrusted.
 */
import type { Analysis, QuoteCheck } from './analysis';
import type { Citation } from './markdown';
import type { HoverCard, Source, Span } from './types';
import { describeDiff } from './quotes';
import { escapeMarkdown, shorten } from './text';

const CONTEXT_CHARS = 220;

/** "*Title* — Outlet, 2023-05-17" for a source, escaped. */
export function sourceLabel(source: Source): string {
  const parts: string[] = [];
  if (source.meta.title) parts.push(`*${escapeMarkdown(shorten(source.meta.title, 120))}*`);
  const tail = [source.meta.outlet, source.meta.author, source.meta.date].filter(Boolean).map((s) => escapeMarkdown(shorten(String(s), 60)));
  if (tail.length) parts.push(tail.join(', '));
  return parts.join(' — ');
}

/** The source sentence(s) around a passage, with the passage in bold. */
export function passageInContext(source: Source, passage: Span): string {
  const text = source.text;
  let start = passage.start;
  const floor = Math.max(source.body.start, passage.start - CONTEXT_CHARS);
  while (start > floor && !/[.!?\n]/.test(text[start - 1])) start--;
  let end = passage.end;
  const ceiling = Math.min(source.body.end, passage.end + CONTEXT_CHARS);
  while (end < ceiling && !/[.!?\n]/.test(text[end])) end++;
  if (end < ceiling) end++;
  const before = text.slice(start, passage.start).replace(/\s+/g, ' ').trimStart();
  const quoted = text.slice(passage.start, passage.end).replace(/\s+/g, ' ');
  const after = text.slice(passage.end, end).replace(/\s+/g, ' ').trimEnd();
  const lead = start > floor || start === source.body.start ? '' : '…';
  const trail = end < ceiling || end === source.body.end ? '' : '…';
  return `${lead}${escapeMarkdown(before)}**${escapeMarkdown(shorten(quoted, 400))}**${escapeMarkdown(after)}${trail}`;
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export function quotationCard(check: QuoteCheck, analysis: Analysis): HoverCard {
  const { quotation, result } = check;
  const lines: string[] = [];
  const best = result.best;
  const source = best ? analysis.source(best.sourceId) : undefined;
  if (result.verdict === 'verbatim' && best && source) {
    const others = result.exactSourceIds.filter((id) => id !== best.sourceId);
    lines.push(`**✓ Quotation verified** in \`@${escapeMarkdown(source.id)}\``);
    const label = sourceLabel(source);
    if (label) lines.push(label);
    lines.push('', `> ${passageInContext(source, best.passage)}`, '');
    lines.push(`\`${escapeMarkdown(source.path)}\`, line ${lineOfOffset(source.text, best.passage.start)}${others.length ? ` · also in ${others.map((id) => '`@' + escapeMarkdown(id) + '`').join(', ')}` : ''}`);
  } else if (result.verdict === 'near' && best && source) {
    lines.push(`**⚠ Misquote** of \`@${escapeMarkdown(source.id)}\` (${Math.round(best.similarity * 100)}% of words match)`);
    const label = sourceLabel(source);
    if (label) lines.push(label);
    lines.push('', `Source: > ${escapeMarkdown(shorten(best.sourceWords, 400))}`, '');
    lines.push(`Differences: ${escapeMarkdown(describeDiff(best.diff))}`);
    lines.push('', `\`${escapeMarkdown(source.path)}\`, line ${lineOfOffset(source.text, best.passage.start)}`);
  } else {
    lines.push('**✗ Quotation not found** in any source');
    if (check.citedSourceIds.length) lines.push(`Cited: ${check.citedSourceIds.map((id) => '`@' + escapeMarkdown(id) + '`').join(', ')}`);
    lines.push('', `"${escapeMarkdown(shorten(quotation.text, 200))}"`);
  }
  return { markdown: lines.join('\n'), span: quotation.span };
}

export function citationCard(citation: Citation, source: Source | undefined): HoverCard {
  if (!source) {
    return { markdown: `**Unknown source** \`@${escapeMarkdown(citation.key)}\`: no source has this id.`, span: citation.span };
  }
  const lines = [`**\`@${escapeMarkdown(source.id)}\`** — ${sourceLabel(source) || escapeMarkdown(source.path)}`];
  if (source.meta.url) lines.push(`URL: \`${escapeMarkdown(source.meta.url)}\``);
  lines.push(`File: \`${escapeMarkdown(source.path)}\``);
  const opening = source.text.slice(source.body.start, Math.min(source.body.end, source.body.start + 600));
  const first = /^[\s\S]*?[.!?](?=\s|$)/.exec(opening.trim())?.[0] ?? opening;
  lines.push('', `> ${escapeMarkdown(shorten(first, 240))}`);
  return { markdown: lines.join('\n'), span: citation.span };
}
