/**
 * The hover card of an actor: name and type, role, expansion, aliases, a
 * one-line description, links, where the sources mention it (with links that
 * open the source at the sentence) and what it is reported to have said.
 * Repository text is escaped (cards are inert); the only links are ones the
 * engine builds itself: source file URIs and validated http(s) registry links.
 */
import type { HoverCard, Source, Span } from '../types';
import { escapeMarkdown, shorten } from '../text';
import type { Entity, SourceMention } from './knowledge';
import type { PieceMention } from './piece';

const MAX_SNIPPETS = 3;
const MAX_STATEMENTS = 3;
const MAX_ALIASES = 6;
const TYPE_LABEL = { person: 'person', organisation: 'organisation', place: 'place', media: 'media outlet' } as const;

/** A URI usable as a Markdown link destination: only file and http(s), brackets and spaces encoded. */
export function linkTarget(uri: string): string | undefined {
  if (!/^(file|https?):/i.test(uri)) return undefined;
  return uri.replace(/[()<>\s\\]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'));
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** "[`@id` line 12](file:///…#L12)": opens the source at the sentence. */
function sourceLink(source: Source, offset: number): string {
  const line = lineOf(source.text, offset);
  const label = `\`@${escapeMarkdown(shorten(source.id, 40))}\` line ${line}`;
  const target = linkTarget(source.uri);
  return target ? `[${label}](${target}#L${line})` : label;
}

/** The sentence with the mention in bold, cut around it. */
function snippet(source: Source, sentence: Span, mention: Span): string {
  const before = source.text.slice(sentence.start, mention.start).replace(/\s+/g, ' ');
  const name = source.text.slice(mention.start, mention.end).replace(/\s+/g, ' ');
  const after = source.text.slice(mention.end, sentence.end).replace(/\s+/g, ' ');
  const lead = before.length > 70 ? '…' + before.slice(before.length - 69).replace(/^\S*\s/, '') : before;
  const tail = after.length > 80 ? after.slice(0, 79).replace(/\s\S*$/, '') + '…' : after;
  return `${escapeMarkdown(lead.trimStart())}**${escapeMarkdown(name)}**${escapeMarkdown(tail.trimEnd())}`;
}

/**
 * Mentions spread over sources and sentences: the first in each source, then
 * the others, one per sentence — so three snippets show as much as they can.
 */
function spread(mentions: readonly SourceMention[]): SourceMention[] {
  const firsts: SourceMention[] = [];
  const rest: SourceMention[] = [];
  const sources = new Set<string>();
  const sentences = new Set<string>();
  for (const m of mentions) {
    const sentence = `${m.sourceId}:${m.sentence.start}`;
    if (sentences.has(sentence)) continue;
    sentences.add(sentence);
    if (sources.has(m.sourceId)) rest.push(m);
    else {
      sources.add(m.sourceId);
      firsts.push(m);
    }
  }
  return [...firsts, ...rest];
}

export function entityCard(entity: Entity, mention: PieceMention, source: (id: string) => Source | undefined): HoverCard {
  const lines: string[] = [];
  const type = entity.type ? ` · ${TYPE_LABEL[entity.type]}` : '';
  const acronym = entity.acronym ? ` (${escapeMarkdown(entity.acronym)})` : '';
  lines.push(`**${escapeMarkdown(entity.name)}**${acronym}${type}`);
  if (mention.kind === 'acronym') lines.push(`*${escapeMarkdown(mention.surface)}* stands for *${escapeMarkdown(entity.name)}*`);
  if (entity.role) {
    const others = entity.roles.map((r) => r.text).filter((r) => r.toLowerCase() !== entity.role!.toLowerCase()).slice(0, 2);
    lines.push(`${escapeMarkdown(entity.role)}${others.length ? ` · *also:* ${others.map((r) => escapeMarkdown(shorten(r, 60))).join('; ')}` : ''}`);
  }
  if (entity.description) lines.push(`_${escapeMarkdown(shorten(entity.description, 200))}_`);
  if (mention.kind === 'variant' && mention.surface !== entity.name) lines.push(`⚠ Written "${escapeMarkdown(mention.surface)}" here; the ${entity.registry ? 'registry' : 'sources'} spell it **${escapeMarkdown(entity.name)}**.`);
  const aliases = entity.aliases.filter((a) => !entity.acronyms.includes(a)).slice(0, MAX_ALIASES);
  if (aliases.length) lines.push(`Also: ${aliases.map(escapeMarkdown).join(' · ')}`);
  if (entity.links.length) lines.push(entity.links.map((l) => `[${escapeMarkdown(l.label)}](${linkTarget(l.url) ?? ''})`).join(' · '));

  const perSource = new Map<string, number>();
  for (const m of entity.mentions) perSource.set(m.sourceId, (perSource.get(m.sourceId) ?? 0) + 1);
  if (entity.mentions.length) {
    const top = [...perSource.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const shown = top.slice(0, 4).map(([id, n]) => `\`@${escapeMarkdown(shorten(id, 40))}\` (${n})`);
    const more = top.length > 4 ? `, +${top.length - 4} more` : '';
    lines.push('', `**${entity.mentions.length} mention${entity.mentions.length === 1 ? '' : 's'}** in ${perSource.size} source${perSource.size === 1 ? '' : 's'}: ${shown.join(', ')}${more}`);
    for (const m of spread(entity.mentions).slice(0, MAX_SNIPPETS)) {
      const src = source(m.sourceId);
      if (!src) continue;
      lines.push(`> ${snippet(src, m.sentence, m.span)} — ${sourceLink(src, m.sentence.start)}`, '>');
    }
    if (lines[lines.length - 1] === '>') lines.pop();
  } else if (entity.registry) {
    lines.push('', '*In the team registry; no source mentions it yet.*');
  }

  // Direct quotations first; a statement whose sentence is already a snippet above adds nothing.
  const shownSentences = new Set(spread(entity.mentions).slice(0, MAX_SNIPPETS).map((m) => `${m.sourceId}:${m.sentence.start}`));
  const statements = [...entity.statements]
    .filter((s) => s.quotes.length > 0 || !shownSentences.has(`${s.sourceId}:${s.sentence.start}`))
    .sort((a, b) => b.quotes.length - a.quotes.length)
    .slice(0, MAX_STATEMENTS);
  if (statements.length) {
    lines.push('', `**Reported statements** (${entity.statements.length})`);
    for (const statement of statements) {
      const src = source(statement.sourceId);
      if (!src) continue;
      const quote = statement.quotes[0];
      const words = quote
        ? `“${escapeMarkdown(shorten(src.text.slice(quote.start, quote.end), 140))}”`
        : escapeMarkdown(shorten(src.text.slice(statement.sentence.start, statement.sentence.end), 140));
      lines.push(`- *${escapeMarkdown(statement.verb)}:* ${words} — ${sourceLink(src, statement.sentence.start)}`);
    }
  }
  return { markdown: lines.join('\n'), span: mention.span };
}
