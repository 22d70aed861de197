#!/usr/bin/env node
/**
 * Generates the benchmark workspaces under bench/.work/ (gitignored): the
 * corpus texts are read from ../shared/corpus and never land in the repo.
 *
 *   bench/.work/seed/      sources/lavrov-tsargrad.txt + pieces quoting it
 *   bench/.work/bbc/       sources/<category>/<name>.txt (the 2,095 BBC articles,
 *                          hard-linked when possible) + pieces quoting them
 *   bench/.work/bbc10x/    the BBC articles plus nine generated copies of the
 *                          corpus (word-bigram Markov text with the articles'
 *                          lengths and vocabulary): 10× the words, for index build
 *
 * Pieces are 2 KB, 200 KB and 2 MB of Markdown: headings, paragraphs, lists,
 * blockquotes, links, code spans, footnotes; author prose with names, claims
 * (numbers, dates) and acronyms; and quotations of real source sentences —
 * verbatim, with an ellipsis, with a [bracketed] insertion, with a changed
 * first-letter case or curly quotes, a word changed (misquote), cited to the
 * wrong article, or made up (not found). Everything is drawn from one seeded
 * PRNG: the same inputs give byte-identical pieces.
 *
 * Usage: node bench/generate-pieces.mjs [--force]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');
export const WORK = path.join(HERE, '.work');
export const CORPUS = path.resolve(REPO_ROOT, '..', 'shared', 'corpus');
const BBC = path.join(CORPUS, 'bbc-news', 'news');
const SEED_DIR = path.join(CORPUS, 'seed');

/** Bumped when the generator's output changes, so stale workspaces are rebuilt. */
const GENERATOR_VERSION = 3;

export const PIECE_SIZES = [
  { name: '2kb', bytes: 2 * 1024 },
  { name: '200kb', bytes: 200 * 1024 },
  { name: '2mb', bytes: 2 * 1024 * 1024 },
];

// ── Seeded randomness ───────────────────────────────────────────────────────

/** mulberry32: small, fast, good enough for text generation. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

// ── Reading the corpus ──────────────────────────────────────────────────────

/** BBC articles: { id, category, name, file, title, body }. Ids are file names without extension. */
export function readBbc() {
  const articles = [];
  for (const category of fs.readdirSync(BBC).sort()) {
    const dir = path.join(BBC, category);
    if (!fs.statSync(dir).isDirectory()) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (!name.endsWith('.txt')) continue;
      const file = path.join(dir, name);
      const text = fs.readFileSync(file, 'utf8');
      const newline = text.indexOf('\n');
      articles.push({ id: name.slice(0, -4), category, name, file, title: text.slice(0, newline).trim(), body: text.slice(newline + 1), text });
    }
  }
  return articles;
}

function readSeed() {
  const name = fs.readdirSync(SEED_DIR).find((n) => n.endsWith('.txt'));
  const file = path.join(SEED_DIR, name);
  const text = fs.readFileSync(file, 'utf8');
  return { id: 'lavrov-tsargrad', category: '', name: 'lavrov-tsargrad.txt', file, title: '', body: text.replace(/^\s*date \d{4}-\d{2}-\d{2}\s*/, ''), text };
}

/** Sentences of a body that make good quotations: 8+ words, no inner double quotes or brackets. */
function quotableSentences(article) {
  const out = [];
  for (const paragraph of article.body.split(/\n\s*\n/)) {
    for (const sentence of paragraph.replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s+(?=[A-Z])/)) {
      if (/["“”[\]()*_`<>#@\\|]/.test(sentence)) continue;
      const words = sentence.split(' ');
      if (words.length >= 8 && words.length <= 60) out.push({ article, sentence, words });
    }
  }
  return out;
}

/** Capitalised two-word names that recur in the corpus ("Tony Blair", "Mr Abbas"). */
function learnNames(articles) {
  const counts = new Map();
  const stop = new Set(['The', 'But', 'And', 'In', 'It', 'He', 'She', 'They', 'We', 'A', 'This', 'That', 'On', 'At', 'For', 'If', 'As', 'When', 'Its', 'His', 'Her', 'Last', 'New', 'North', 'South', 'Prime', 'Chief', 'Home', 'Foreign']);
  for (const article of articles) {
    for (const match of article.body.matchAll(/\b([A-Z][a-z]{2,}) ([A-Z][a-z]{2,})\b/g)) {
      if (stop.has(match[1])) continue;
      counts.set(match[0], (counts.get(match[0]) ?? 0) + 1);
    }
  }
  return [...counts].filter(([, n]) => n >= 4).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 400).map(([name]) => name);
}

/** "Palestinian Authority (PA)" style expansions found in the corpus. */
function learnExpansions(articles) {
  const found = new Map();
  for (const article of articles) {
    for (const match of article.body.matchAll(/\b((?:[A-Z][a-z]+ ){1,4}[A-Z][a-z]+) \(([A-Z]{2,6})\)/g)) {
      const initials = match[1].split(' ').map((w) => w[0]).join('');
      if (initials === match[2] && !found.has(match[2])) found.set(match[2], match[1]);
    }
  }
  return [...found].sort((a, b) => (a[0] < b[0] ? -1 : 1)).slice(0, 200);
}

// ── A word-bigram Markov model: plausible prose that is not the corpus ─────

class Markov {
  constructor(texts) {
    this.next = new Map();
    this.starts = [];
    for (const text of texts) {
      const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
      for (let i = 0; i < words.length; i++) {
        const word = words[i];
        if ((i === 0 || /[.!?]$/.test(words[i - 1])) && /^[A-Z][a-z]/.test(word)) this.starts.push(word);
        if (i + 1 < words.length) {
          let list = this.next.get(word);
          if (!list) this.next.set(word, (list = []));
          if (list.length < 64) list.push(words[i + 1]);
        }
      }
    }
  }

  /** One sentence of `min`–`max` words, ending at a full stop. */
  sentence(rng, min = 8, max = 28) {
    let word = rng.pick(this.starts);
    const out = [word];
    while (out.length < max) {
      const list = this.next.get(word);
      if (!list) break;
      word = rng.pick(list);
      out.push(word);
      if (out.length >= min && /[.!?]$/.test(word)) break;
    }
    let text = out.join(' ').replace(/["“”[\]()*_`<>#@\\|]/g, '');
    if (!/[.!?]$/.test(text)) text = text.replace(/[,;:]$/, '') + '.';
    return text;
  }
}

// ── Pieces ──────────────────────────────────────────────────────────────────

/** A quotation of real source words, in one of the forms a writer produces. */
function makeQuotation(rng, sentences, idsOk, markov) {
  const { article, words } = rng.pick(sentences);
  const length = Math.min(words.length, 6 + rng.int(14));
  const from = rng.int(words.length - length + 1);
  let quoted = words.slice(from, from + length);
  quoted[quoted.length - 1] = quoted[quoted.length - 1].replace(/[.,;:!?]+$/, '');
  let cite = article.id;
  let kind = 'verbatim';
  const roll = rng.next();
  if (roll < 0.5) {
    kind = 'verbatim';
  } else if (roll < 0.6 && quoted.length >= 9) {
    kind = 'ellipsis';
    const cut = 2 + rng.int(quoted.length - 6);
    quoted = [...quoted.slice(0, cut), '...', ...quoted.slice(cut + 2)];
  } else if (roll < 0.68 && quoted.length >= 6) {
    kind = 'bracket';
    const at = 1 + rng.int(quoted.length - 2);
    quoted = [...quoted.slice(0, at), `[${rng.pick(['the', 'new', 'their', 'British'])}]`, ...quoted.slice(at)];
  } else if (roll < 0.74) {
    kind = 'case';
    quoted[0] = quoted[0][0] === quoted[0][0].toUpperCase() ? quoted[0][0].toLowerCase() + quoted[0].slice(1) : quoted[0][0].toUpperCase() + quoted[0].slice(1);
  } else if (roll < 0.85 && quoted.length >= 6) {
    kind = 'misquote';
    const at = 2 + rng.int(quoted.length - 3);
    quoted = [...quoted];
    quoted[at] = rng.pick(['never', 'always', 'entirely', 'largely', 'rarely', 'openly', 'quietly']);
  } else if (roll < 0.92 && idsOk.length > 1) {
    kind = 'wrong-source';
    do cite = rng.pick(idsOk);
    while (cite === article.id);
  } else {
    kind = 'not-found';
    quoted = markov.sentence(rng, 8, 16).replace(/[.!?]$/, '').split(' ');
  }
  return { text: quoted.join(' '), cite, kind };
}

const SAID = ['said', 'told reporters', 'wrote', 'added', 'argued', 'insisted', 'claimed', 'noted', 'warned', 'admitted', 'stated'];
const WEASEL = ['Some experts believe', 'Many observers think', 'Critics say', 'It is widely accepted that', 'Analysts suggest'];
const ORGS = ['the government', 'the company', 'the council', 'the bank', 'the union', 'the commission', 'the ministry', 'the club', 'the regulator'];
const CLAIM_VERBS = ['rose by', 'fell by', 'cut', 'added', 'lost', 'spent', 'raised', 'reported'];
const UNITS = ['%', ' per cent', 'm', 'bn', ' jobs', ' seats', ' points'];

function claimSentence(rng, names) {
  const year = 1998 + rng.int(10);
  const n = 1 + rng.int(950);
  const unit = rng.pick(UNITS);
  const money = unit === 'm' || unit === 'bn' ? rng.pick(['£', '$', '€']) : '';
  const subject = rng.chance(0.5) ? rng.pick(names) : rng.pick(ORGS).replace(/^t/, 'T');
  return `${subject} ${rng.pick(CLAIM_VERBS)} ${money}${n}${unit} in ${year}`;
}

function quotationSentence(rng, q, names) {
  const curly = rng.chance(0.3);
  const [open, close] = curly ? ['“', '”'] : ['"', '"'];
  const cite = rng.chance(0.85) ? ` [@${q.cite}${rng.chance(0.1) ? ', p. ' + (1 + rng.int(9)) : ''}]` : '';
  const speaker = rng.pick(names);
  switch (rng.int(4)) {
    case 0:
      return `${speaker} ${rng.pick(SAID)} ${open}${q.text}${close}${cite}.`;
    case 1:
      return `${open}${q.text},${close} ${speaker} ${rng.pick(SAID)}${cite}.`;
    case 2:
      return `According to ${speaker}, ${open}${q.text}${close}${cite}.`;
    default:
      return `As one account put it, ${open}${q.text}${close}${cite}.`;
  }
}

/**
 * One piece of about `bytes` bytes (UTF-8). `sentences` are quotable source
 * sentences; `ids` the source ids a piece may cite.
 */
export function generatePiece({ seed, bytes, sentences, ids, names, expansions, markov, title }) {
  const rng = prng(seed);
  const out = ['---', `title: ${title}`, 'author: Benchmark', '---', '', `# ${title}`, ''];
  let size = Buffer.byteLength(out.join('\n'));
  let paragraph = 0;
  let footnotes = 0;
  const push = (block) => {
    out.push(block, '');
    size += Buffer.byteLength(block) + 2;
  };
  while (size < bytes) {
    paragraph++;
    if (paragraph % 12 === 0) {
      push(`## ${markov.sentence(rng, 3, 8).replace(/[.!?]$/, '')}`);
      continue;
    }
    const kind = rng.next();
    if (kind < 0.07) {
      const q = makeQuotation(rng, sentences, ids, markov);
      push(`> ${q.text}.\n>\n> — [@${q.cite}]`);
      continue;
    }
    if (kind < 0.14) {
      const items = [];
      for (let i = 0, n = 2 + rng.int(4); i < n; i++) items.push(`- ${rng.chance(0.5) ? claimSentence(rng, names) + '.' : markov.sentence(rng, 5, 14)}`);
      push(items.join('\n'));
      continue;
    }
    const parts = [];
    for (let s = 0, n = 3 + rng.int(4); s < n; s++) {
      const roll = rng.next();
      if (roll < 0.3) parts.push(quotationSentence(rng, makeQuotation(rng, sentences, ids, markov), names));
      else if (roll < 0.45) parts.push(claimSentence(rng, names) + (rng.chance(0.4) ? ` [@${rng.pick(ids)}].` : '.'));
      else if (roll < 0.5) {
        const [acronym, expansion] = rng.pick(expansions);
        parts.push(rng.chance(0.5) ? `The ${expansion} (${acronym}) ${rng.pick(CLAIM_VERBS)} ${1 + rng.int(90)}% in ${1999 + rng.int(8)}.` : `The ${acronym} has not said more.`);
      } else if (roll < 0.53) parts.push(`${rng.pick(WEASEL)} ${markov.sentence(rng, 6, 14).replace(/^\w/, (c) => c.toLowerCase())}`);
      else if (roll < 0.56) parts.push(`See \`${rng.pick(ids)}\` and [the archive](https://example.org/${rng.pick(ids)}) for the background.`);
      else if (roll < 0.58 && footnotes < bytes / 8192) {
        footnotes++;
        parts.push(`${rng.pick(names)} went further.[^n${footnotes}]`);
      } else parts.push(markov.sentence(rng));
    }
    push(parts.join(' '));
  }
  for (let n = 1; n <= footnotes; n++) {
    const q = makeQuotation(rng, sentences, ids, markov);
    out.push(`[^n${n}]: "${q.text}" [@${q.cite}]`);
  }
  return out.join('\n') + '\n';
}

// ── Workspaces ──────────────────────────────────────────────────────────────

function linkOrCopy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

function stampOk(dir) {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(dir, '.stamp.json'), 'utf8'));
    if (stamp.version !== GENERATOR_VERSION) return false;
    // A piece changed since it was made (edited by hand, or a run stopped before it took its toggled line
    // back out) would be measured as if it were the generated one: it is made again.
    return Object.entries(stamp.pieces ?? {}).every(([name, hash]) => hashOf(pieceFile(dir, name)) === hash);
  } catch {
    return false;
  }
}

function pieceFile(dir, name) {
  return path.join(dir, 'pieces', `piece-${name}.md`);
}

function hashOf(file) {
  return createHash('sha1').update(fs.readFileSync(file)).digest('hex');
}

/** What `stampOk` checks the pieces against. */
function pieceHashes(pieces) {
  return { pieces: Object.fromEntries(Object.entries(pieces).map(([name, file]) => [name, hashOf(file)])) };
}

function writeStamp(dir, extra = {}) {
  fs.writeFileSync(path.join(dir, '.stamp.json'), JSON.stringify({ version: GENERATOR_VERSION, ...extra }, null, 2));
}

function writePieces(dir, options) {
  const pieces = {};
  fs.mkdirSync(path.join(dir, 'pieces'), { recursive: true });
  for (const [k, size] of PIECE_SIZES.entries()) {
    const text = generatePiece({ ...options, seed: options.seed + k, bytes: size.bytes, title: `${options.titlePrefix} (${size.name})` });
    const file = path.join(dir, 'pieces', `piece-${size.name}.md`);
    fs.writeFileSync(file, text);
    pieces[size.name] = file;
  }
  return pieces;
}

/** The generated 10× corpus: the articles plus nine Markov copies with the same lengths. */
function writeTenfold(dir, articles, markov) {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const article of articles) linkOrCopy(article.file, path.join(dir, 'sources', article.category, article.name));
  for (let copy = 1; copy <= 9; copy++) {
    const rng = prng(0x10f0 + copy);
    for (const [i, article] of articles.entries()) {
      const target = Buffer.byteLength(article.body);
      const paragraphs = [];
      let size = 0;
      while (size < target) {
        const sentences = [];
        for (let s = 0, n = 2 + rng.int(3); s < n; s++) sentences.push(markov.sentence(rng));
        const paragraph = sentences.join(' ');
        paragraphs.push(paragraph);
        size += paragraph.length + 2;
      }
      const title = markov.sentence(rng, 3, 8).replace(/[.!?]$/, '');
      const file = path.join(dir, 'sources', `copy${copy}`, article.category, `${String(i).padStart(4, '0')}-${article.id}.txt`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${title}\n\n${paragraphs.join('\n\n')}\n`);
    }
  }
}

/** Makes (or reuses) every benchmark workspace; returns their paths. */
export function generateAll({ force = false, log = () => {} } = {}) {
  if (!fs.existsSync(BBC)) throw new Error(`corpus not found at ${BBC}`);
  const articles = readBbc();
  const seed = readSeed();
  const result = {
    seed: { root: path.join(WORK, 'seed'), pieces: {}, sources: 1 },
    bbc: { root: path.join(WORK, 'bbc'), pieces: {}, sources: articles.length },
    bbc10x: { root: path.join(WORK, 'bbc10x'), sources: articles.length * 10 },
  };
  const fresh = !force && stampOk(result.seed.root) && stampOk(result.bbc.root) && stampOk(result.bbc10x.root);
  if (fresh) {
    for (const key of ['seed', 'bbc']) {
      for (const size of PIECE_SIZES) result[key].pieces[size.name] = pieceFile(result[key].root, size.name);
    }
    return result;
  }

  log('generating benchmark workspaces in bench/.work/ …');
  const markov = new Markov(articles.map((a) => a.body));
  const names = learnNames(articles);
  const expansions = learnExpansions(articles);
  const counts = new Map();
  for (const a of articles) counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
  // Only cite ids that name one article: a duplicated file name gets a path-qualified id.
  const uniqueIds = articles.filter((a) => counts.get(a.id) === 1).map((a) => a.id);

  fs.rmSync(result.seed.root, { recursive: true, force: true });
  linkOrCopy(seed.file, path.join(result.seed.root, 'sources', 'lavrov-tsargrad.txt'));
  const seedNames = ['Sergey Lavrov', 'Maria Zakharova', 'Vladimir Putin', 'Kassym-Jomart Tokayev', ...names.slice(0, 20)];
  result.seed.pieces = writePieces(result.seed.root, {
    seed: 0x5eed,
    sentences: quotableSentences(seed),
    ids: ['lavrov-tsargrad'],
    names: seedNames,
    expansions: [['EAEU', 'Eurasian Economic Union'], ['CIS', 'Commonwealth of Independent States'], ...expansions.slice(0, 20)],
    markov,
    titlePrefix: 'Lavrov and the allies',
  });
  writeStamp(result.seed.root, pieceHashes(result.seed.pieces));

  fs.rmSync(result.bbc.root, { recursive: true, force: true });
  for (const article of articles) linkOrCopy(article.file, path.join(result.bbc.root, 'sources', article.category, article.name));
  const unique = new Set(uniqueIds);
  result.bbc.pieces = writePieces(result.bbc.root, {
    seed: 0xbbc,
    sentences: articles.filter((a) => unique.has(a.id)).flatMap(quotableSentences),
    ids: uniqueIds,
    names,
    expansions,
    markov,
    titlePrefix: 'A year in the news',
  });
  writeStamp(result.bbc.root, pieceHashes(result.bbc.pieces));

  log('generating the 10× corpus …');
  writeTenfold(result.bbc10x.root, articles, markov);
  writeStamp(result.bbc10x.root);
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const result = generateAll({ force: process.argv.includes('--force'), log: (m) => console.log(m) });
  for (const key of ['seed', 'bbc']) {
    for (const [name, file] of Object.entries(result[key].pieces)) console.log(`${key}/${name}: ${fs.statSync(file).size} bytes`);
  }
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Many pieces for the multi-file row: the 200 KB piece cut at paragraph breaks
 * into `count` pieces of about equal size, in `<root>/many/`. Made from the
 * generated piece (no new text), so it needs no generator version of its own;
 * rewritten only when missing or when the piece changed.
 */
export function ensureManyPieces(root, piece, count = 10) {
  const dir = path.join(root, 'many');
  const text = fs.readFileSync(piece, 'utf8');
  const stamp = path.join(dir, '.from.json');
  const key = JSON.stringify({ bytes: text.length, mtimeMs: fs.statSync(piece).mtimeMs, count });
  const files = Array.from({ length: count }, (_, i) => path.join(dir, `piece-${String(i).padStart(2, '0')}.md`));
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key && files.every((f) => fs.existsSync(f))) return files;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const paragraphs = text.split(/\n{2,}/);
  const target = text.length / count;
  let part = 0;
  let chunk = [];
  let size = 0;
  const flush = () => {
    fs.writeFileSync(files[part], chunk.join('\n\n') + '\n');
    part++;
    chunk = [];
    size = 0;
  };
  for (const paragraph of paragraphs) {
    chunk.push(paragraph);
    size += paragraph.length + 2;
    if (size >= target && part < count - 1) flush();
  }
  flush();
  for (let i = part; i < count; i++) fs.writeFileSync(files[i], '# Empty\n');
  fs.writeFileSync(stamp, key);
  return files;
}
