/**
 * Inline scanning of one block, CommonMark-style but only as far as the rules
 * need: what is not prose (code spans, HTML, comments, autolinks, link
 * destinations and titles, emphasis delimiters) is masked; links and comments
 * are reported. Emphasis is never paired, only its delimiter runs are blanked,
 * so nested `*` costs nothing.
 *
 * Linear time: every search for a closing delimiter goes through a `Finder`
 * that remembers its last answer, so thousands of unclosed openers never
 * rescan the rest of the block.
 */
import type { Span } from '../types';
import type { MaskBuffer } from './buffer';
import { BACKSLASH, CR, LF, SPACE, isAsciiPunctuation, isEscaped, isPunctuation, isWhitespace, nextOf } from './chars';

/** Reference definitions: normalised label → raw destination. */
export type ReferenceMap = Map<string, string>;

export interface LinkInfo {
  /** The raw target as written (without `<>`), or the destination of the reference definition. */
  target: string;
  /** Where this block names the target: the destination, or the `[label]` of a reference link. */
  targetSpan: Span;
  /** The whole link, `[` to `)` (or `]`). */
  span: Span;
  /** `<https://…>` rather than `[text](…)`. */
  autolink: boolean;
}

export interface InlineResult {
  links: LinkInfo[];
  comments: Span[];
}

/** What sits at the start of a paragraph before its prose. */
export interface ParagraphStart {
  /** Offset where the prose starts (after reference and footnote definition markers). */
  start: number;
  footnote?: string;
  /** A `[!NOTE]`-style callout marker: the blockquote is a callout, not a quotation. */
  callout: boolean;
  /** Something was read before the prose (a definition, a callout or task marker). */
  read: boolean;
}

const BACKTICK = 0x60;
const LT = 0x3c;
const BANG = 0x21;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const STAR = 0x2a;
const UNDERSCORE = 0x5f;
const TILDE = 0x7e;
/** The characters `scan` acts on; everything else is prose it steps over. */
const INLINE_SPECIAL = /[\\`<!\[\]*_~]/g;

/** Maximum nesting of parentheses in a link destination (as markdown-it): bounds every attempt. */
const MAX_DESTINATION_PARENS = 32;
const MAX_LABEL = 999;

const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\u0000-\u0020]*)>/y;
const EMAIL_AUTOLINK = /<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*>/y;
const OPEN_TAG = /<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^"'=<>`\s]+|'[^']*'|"[^"]*"))?)*\s*\/?>/y;
const CLOSE_TAG = /<\/[A-Za-z][A-Za-z0-9-]*\s*>/y;
const FOOTNOTE_DEFINITION = /\[\^([^\]\s]+)\]:/y;
const CALLOUT = /\[![A-Za-z]+\][+-]?(?=\s|$)/y;
const TASK = /\[[ xX]\](?=[ \t])/y;

/** CommonMark's label matching: case-insensitive, whitespace collapsed. */
export function normalizeLabel(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase().toUpperCase();
}

/** Next occurrence of a needle, remembering the last answer so repeated searches stay linear. */
class Finder {
  private from = -1;
  private at = -1;
  constructor(
    private readonly src: string,
    private readonly needle: string,
  ) {}

  next(from: number): number {
    if (this.from >= 0 && from >= this.from && (this.at < 0 || from <= this.at)) return this.at;
    this.from = from;
    this.at = this.src.indexOf(this.needle, from);
    return this.at;
  }
}

interface Opener {
  pos: number;
  image: boolean;
}

// Shared empty results: most blocks have no links or comments, and allocation is what costs.
const NO_LINKS: LinkInfo[] = [];
const NO_COMMENTS: Span[] = [];

/** One block's source (container prefixes already blanked), scanned in place. */
export class InlineScanner {
  private finders: Map<string, Finder> | undefined;

  /**
   * @param src   the block's text as it stands in `buffer`, from `base`
   * @param base  offset of `src[0]` in the document
   */
  constructor(
    private readonly src: string,
    private readonly base: number,
    private readonly buffer: MaskBuffer,
    private readonly refs: ReferenceMap,
  ) {}

  /**
   * Reads what may open a paragraph: a footnote definition marker, reference
   * definitions, a callout marker, a task-list box. Masks them.
   */
  readParagraphStart(options: { callout: boolean; task: boolean }): ParagraphStart {
    const src = this.src;
    let p = this.skipWhitespace(0);
    FOOTNOTE_DEFINITION.lastIndex = p;
    const footnote = FOOTNOTE_DEFINITION.exec(src);
    if (footnote) {
      this.mask(p, FOOTNOTE_DEFINITION.lastIndex);
      return { start: this.base + this.skipWhitespace(FOOTNOTE_DEFINITION.lastIndex), footnote: footnote[1], callout: false, read: true };
    }
    for (let definition = this.referenceDefinition(p); definition; definition = this.referenceDefinition(p)) {
      const label = normalizeLabel(definition.label);
      if (!this.refs.has(label)) this.refs.set(label, definition.target);
      this.mask(p, definition.end);
      p = this.skipWhitespace(definition.end);
    }
    let read = p !== this.skipWhitespace(0);
    let callout = false;
    if (options.callout) {
      CALLOUT.lastIndex = p;
      if (CALLOUT.test(src)) {
        this.mask(p, CALLOUT.lastIndex);
        p = this.skipWhitespace(CALLOUT.lastIndex);
        callout = read = true;
      }
    }
    if (options.task) {
      TASK.lastIndex = p;
      if (TASK.test(src)) {
        this.mask(p, TASK.lastIndex);
        p = this.skipWhitespace(TASK.lastIndex);
        read = true;
      }
    }
    return { start: this.base + p, callout, read };
  }

  /** Masks non-prose inline constructs and collects links and comments. */
  scan(): InlineResult {
    const src = this.src;
    const result: InlineResult = { links: NO_LINKS, comments: NO_COMMENTS };
    const closers = backtickRuns(src);
    const brackets: Opener[] = [];
    // Openers below this stack index are inactive for links (a link may not contain a link).
    let linkFloor = 0;
    let i = 0;
    while (i < src.length) {
      i = nextOf(INLINE_SPECIAL, src, i);
      if (i < 0) break;
      const c = src.charCodeAt(i);
      switch (c) {
        case BACKSLASH:
          i += i + 1 < src.length && isAsciiPunctuation(src.charCodeAt(i + 1)) ? 2 : 1;
          break;
        case BACKTICK: {
          let end = i;
          while (src.charCodeAt(end) === BACKTICK) end++;
          const close = closers.find(end - i, end);
          if (close >= 0) {
            this.mask(i, close + end - i);
            i = close + end - i;
          } else {
            i = end;
          }
          break;
        }
        case LT: {
          const end = this.angle(i, result);
          i = end > 0 ? end : i + 1;
          break;
        }
        case BANG:
          if (src.charCodeAt(i + 1) === OPEN_BRACKET) {
            brackets.push({ pos: i, image: true });
            i += 2;
          } else {
            i++;
          }
          break;
        case OPEN_BRACKET:
          brackets.push({ pos: i, image: false });
          i++;
          break;
        case CLOSE_BRACKET: {
          const opener = brackets.pop();
          const index = brackets.length;
          const active = opener !== undefined && (opener.image || index >= linkFloor);
          // The popped slot is free again: a later opener there is a new, active one.
          linkFloor = Math.min(linkFloor, index);
          const end = active ? this.link(opener, i, result) : -1;
          if (end > 0) {
            if (!opener!.image) linkFloor = brackets.length;
            i = end;
          } else {
            i++;
          }
          break;
        }
        case STAR:
        case UNDERSCORE:
        case TILDE:
          i = this.emphasis(i, c);
          break;
        default:
          i++;
      }
    }
    return result;
  }

  // ── helpers ────────────────────────────────────────────────────────────

  private mask(start: number, end: number): void {
    this.buffer.mask(this.base + start, this.base + end);
  }

  private finder(needle: string): Finder {
    this.finders ??= new Map();
    let finder = this.finders.get(needle);
    if (!finder) this.finders.set(needle, (finder = new Finder(this.src, needle)));
    return finder;
  }

  /** Next occurrence of `needle` not escaped by a backslash, or -1. */
  private nextUnescaped(needle: string, from: number): number {
    const finder = this.finder(needle);
    for (let at = finder.next(from); at >= 0; at = finder.next(at + 1)) {
      if (!isEscaped(this.src, at)) return at;
    }
    return -1;
  }

  private skipWhitespace(p: number): number {
    while (p < this.src.length && isWhitespace(this.src.charCodeAt(p))) p++;
    return p;
  }

  /** `<…>`: comment, autolink, e-mail autolink or HTML tag. Returns the end, or -1. */
  private angle(i: number, result: InlineResult): number {
    const src = this.src;
    const next = src.charCodeAt(i + 1);
    const letter = (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a);
    if (next === BANG) {
      if (!src.startsWith('<!--', i)) return -1;
      let end: number;
      if (src.startsWith('>', i + 4)) end = i + 5;
      else if (src.startsWith('->', i + 4)) end = i + 6;
      else {
        const close = this.finder('-->').next(i + 4);
        if (close < 0) return -1;
        end = close + 3;
      }
      if (result.comments === NO_COMMENTS) result.comments = [];
      result.comments.push({ start: this.base + i, end: this.base + end });
      this.mask(i, end);
      return end;
    }
    if (next === 0x2f /* / */) return this.maskMatch(CLOSE_TAG, i);
    if (!letter && !(next >= 0x30 && next <= 0x39) && !'.!#$%&\'*+=?^_`{|}~-'.includes(src[i + 1] ?? ' ')) return -1;
    AUTOLINK.lastIndex = i;
    const uri = AUTOLINK.exec(src);
    if (uri) {
      const end = AUTOLINK.lastIndex;
      if (result.links === NO_LINKS) result.links = [];
      result.links.push({
        target: uri[1],
        targetSpan: { start: this.base + i + 1, end: this.base + end - 1 },
        span: { start: this.base + i, end: this.base + end },
        autolink: true,
      });
      this.mask(i, end);
      return end;
    }
    const email = this.maskMatch(EMAIL_AUTOLINK, i);
    if (email > 0 || !letter) return email;
    return this.maskMatch(OPEN_TAG, i);
  }

  private maskMatch(pattern: RegExp, i: number): number {
    pattern.lastIndex = i;
    if (!pattern.test(this.src)) return -1;
    this.mask(i, pattern.lastIndex);
    return pattern.lastIndex;
  }

  /** `]` at `close` for `opener`: an inline, full, collapsed or shortcut reference link. Returns the end, or -1. */
  private link(opener: Opener, close: number, result: InlineResult): number {
    const src = this.src;
    const textStart = opener.pos + (opener.image ? 2 : 1);
    let end = -1;
    let target = '';
    let targetSpan: Span | undefined;
    if (src.charCodeAt(close + 1) === OPEN_PAREN) {
      const tail = this.inlineTail(close + 2);
      if (tail) {
        end = tail.end;
        target = src.slice(tail.destination.start, tail.destination.end);
        targetSpan = tail.destination;
      }
    } else if (this.refs.size) {
      let labelSpan: Span = { start: textStart, end: close };
      end = close + 1;
      if (src.charCodeAt(close + 1) === OPEN_BRACKET) {
        const labelEnd = this.labelEnd(close + 2);
        if (labelEnd < 0) return -1;
        if (src.slice(close + 2, labelEnd).trim()) labelSpan = { start: close + 2, end: labelEnd };
        end = labelEnd + 1;
      }
      const destination = labelSpan.end - labelSpan.start <= MAX_LABEL ? this.refs.get(normalizeLabel(src.slice(labelSpan.start, labelSpan.end))) : undefined;
      if (destination === undefined) return -1;
      target = destination;
      targetSpan = labelSpan.start === textStart ? { start: opener.pos, end: close + 1 } : { start: labelSpan.start - 1, end: labelSpan.end + 1 };
    }
    if (end < 0 || !targetSpan) return -1;
    if (opener.image) {
      // An image is not prose; its alt text is not checked either.
      this.mask(opener.pos, end);
      return end;
    }
    this.mask(opener.pos, textStart);
    this.mask(close, end);
    if (result.links === NO_LINKS) result.links = [];
    result.links.push({
      target,
      targetSpan: { start: this.base + targetSpan.start, end: this.base + targetSpan.end },
      span: { start: this.base + opener.pos, end: this.base + end },
      autolink: false,
    });
    return end;
  }

  /** End of a `[label]` starting after its `[`: the index of `]`, or -1. */
  private labelEnd(p: number): number {
    const src = this.src;
    for (let k = p; k < src.length && k - p <= MAX_LABEL; k++) {
      const c = src.charCodeAt(k);
      if (c === BACKSLASH) k++;
      else if (c === OPEN_BRACKET) return -1;
      else if (c === CLOSE_BRACKET) return k;
    }
    return -1;
  }

  /** `(destination "title")` after `](`; `p` is just after the `(`. */
  private inlineTail(p: number): { end: number; destination: Span } | undefined {
    const src = this.src;
    p = this.skipWhitespace(p);
    if (src.charCodeAt(p) === CLOSE_PAREN) return { end: p + 1, destination: { start: p, end: p } };
    const destination = this.destination(p);
    if (!destination) return undefined;
    let q = this.skipWhitespace(destination.next);
    if (q > destination.next && isTitleOpener(src.charCodeAt(q))) {
      const titleEnd = this.title(q);
      if (titleEnd < 0) return undefined;
      q = this.skipWhitespace(titleEnd);
    }
    if (src.charCodeAt(q) !== CLOSE_PAREN) return undefined;
    return { end: q + 1, destination: { start: destination.start, end: destination.end } };
  }

  /** A link destination at `p`: `<…>` or a run without spaces and with balanced parentheses. */
  private destination(p: number): { start: number; end: number; next: number } | undefined {
    const src = this.src;
    if (src.charCodeAt(p) === LT) {
      for (let k = p + 1; k < src.length; k++) {
        const c = src.charCodeAt(k);
        if (c === LF || c === CR || c === LT) return undefined;
        if (c === BACKSLASH) k++;
        else if (c === 0x3e) return { start: p + 1, end: k, next: k + 1 };
      }
      return undefined;
    }
    let depth = 0;
    let k = p;
    for (; k < src.length; k++) {
      const c = src.charCodeAt(k);
      if (c <= SPACE || c === 0x7f) break;
      if (c === BACKSLASH && isAsciiPunctuation(src.charCodeAt(k + 1))) k++;
      else if (c === OPEN_PAREN) {
        if (++depth > MAX_DESTINATION_PARENS) return undefined;
      } else if (c === CLOSE_PAREN) {
        if (depth === 0) break;
        depth--;
      }
    }
    if (depth !== 0 || k === p) return undefined;
    return { start: p, end: k, next: k };
  }

  /** A link title at `p` (`"…"`, `'…'` or `(…)`); returns the offset after it, or -1. */
  private title(p: number): number {
    const open = this.src[p];
    const close = open === '(' ? ')' : open;
    const end = this.nextUnescaped(close, p + 1);
    if (end < 0) return -1;
    if (open === '(') {
      const nested = this.nextUnescaped('(', p + 1);
      if (nested >= 0 && nested < end) return -1;
    }
    return end + 1;
  }

  /** `[label]: destination "title"` at `p`, ending at a line end. */
  private referenceDefinition(p: number): { end: number; label: string; target: string } | undefined {
    const src = this.src;
    if (src.charCodeAt(p) !== OPEN_BRACKET || src.charCodeAt(p + 1) === 0x5e /* ^ */) return undefined;
    const close = this.labelEnd(p + 1);
    if (close < 0 || src.charCodeAt(close + 1) !== 0x3a /* : */) return undefined;
    const label = src.slice(p + 1, close);
    if (!label.trim()) return undefined;
    const destination = this.destination(this.skipWhitespace(close + 2));
    if (!destination) return undefined;
    const target = src.slice(destination.start, destination.end);
    const afterDestination = this.lineEndAt(destination.next);
    const q = this.skipWhitespace(destination.next);
    if (q > destination.next && isTitleOpener(src.charCodeAt(q))) {
      const titleEnd = this.title(q);
      const end = titleEnd < 0 ? -1 : this.lineEndAt(titleEnd);
      if (end >= 0) return { end, label, target };
    }
    return afterDestination >= 0 ? { end: afterDestination, label, target } : undefined;
  }

  /** `p` after trailing blanks if only blanks remain on the line, else -1. */
  private lineEndAt(p: number): number {
    const src = this.src;
    while (p < src.length && (src.charCodeAt(p) === SPACE || src.charCodeAt(p) === 0x09)) p++;
    return p === src.length || src.charCodeAt(p) === LF || src.charCodeAt(p) === CR ? p : -1;
  }

  /**
   * Blanks an emphasis or strikethrough delimiter run that can only open or
   * only close (CommonMark's flanking rules). Runs that could do both, like
   * `f***ing` or `snake_case`, stay text.
   */
  private emphasis(i: number, c: number): number {
    const src = this.src;
    let end = i;
    while (src.charCodeAt(end) === c) end++;
    if (c === TILDE && end - i !== 2) return end;
    const before = i > 0 ? src.charCodeAt(i - 1) : SPACE;
    const after = end < src.length ? src.charCodeAt(end) : SPACE;
    const beforeSpace = isWhitespace(before);
    const afterSpace = isWhitespace(after);
    const left = !afterSpace && (!isPunctuation(after) || beforeSpace || isPunctuation(before));
    const right = !beforeSpace && (!isPunctuation(before) || afterSpace || isPunctuation(after));
    if (left !== right) this.mask(i, end);
    return end;
  }
}

function isTitleOpener(c: number): boolean {
  return c === 0x22 || c === 0x27 || c === OPEN_PAREN;
}

/**
 * Closing candidates for code spans: every maximal backtick run, by length.
 * Openers arrive in increasing order, so each length's cursor only moves forward.
 */
const NO_BACKTICKS = { find: () => -1 };

function backtickRuns(src: string): { find(length: number, after: number): number } {
  const first = src.indexOf('`');
  if (first < 0) return NO_BACKTICKS;
  const byLength = new Map<number, number[]>();
  for (let i = first; i >= 0; i = src.indexOf('`', i)) {
    let end = i;
    while (src.charCodeAt(end) === BACKTICK) end++;
    const list = byLength.get(end - i);
    if (list) list.push(i);
    else byLength.set(end - i, [i]);
    i = end;
  }
  const cursors = new Map<number, number>();
  return {
    find(length: number, after: number): number {
      const list = byLength.get(length);
      if (!list) return -1;
      let cursor = cursors.get(length) ?? 0;
      while (cursor < list.length && list[cursor] < after) cursor++;
      cursors.set(length, cursor);
      return cursor < list.length ? list[cursor] : -1;
    },
  };
}
