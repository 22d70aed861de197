/**
 * The engine's public surface, as the adapters (LSP server, CLI, browser
 * worker) see it. Implemented by `createEngine` in `index.ts`.
 *
 * Architecture invariant: nothing in `server/src/engine/` does I/O. Adapters
 * read files and hand the engine text; the engine hands back plain data.
 */
import type { SectionBytes } from './index-cache';
import type { ParsedDocument } from './markdown';
import type { EditSupport } from './markdown/edit-support';
import type { CompletionEntry, CompletionList, Finding, Fix, HoverCard, Location, Source, Span } from './types';

/** A document being checked: a Markdown piece. */
/** A parse and what its next version is re-parsed from (markdown/edit-support.ts): plain data, reference definitions in a Map. */
export interface ParseState {
  parsed: ParsedDocument;
  support: EditSupport;
}

export interface DocumentInput {
  uri: string;
  /** Path relative to the workspace root, forward slashes (used for messages and doc links). */
  path?: string;
  text: string;
  version?: number;
}

/** What one `check` covers. */
export interface CheckOptions {
  /** Which rules (built-in and team) to run, by id; all when absent. Findings of the rest are not computed. */
  rules?: (ruleId: string) => boolean;
  /**
   * Told how long each step of the check took: `parse` (the piece's parse,
   * when this check made it), then each rule by its id. The clock is the
   * embedder's (`now`), as the engine reads none. A rule's time includes the
   * shared analysis it is the first to ask for (sentences, claim checks,
   * quotation verdicts), as ESLint's TIMING does.
   */
  timing?: { now(): number; add(step: string, time: number): void };
}

/** Lets a long check stop early when a newer version of the document arrived. */
export interface CancellationFlag {
  readonly isCancellationRequested: boolean;
}

/** What the adapters need to know to find files: globs relative to the workspace root. */
export interface FileSelection {
  sources: string[];
  documents: string[];
  /** Registry path relative to the root, or undefined when none is configured. */
  entities?: string;
  /** Whether `entities` was set explicitly (then a missing file is a problem). */
  entitiesExplicit: boolean;
  /** Documents above this many bytes are skipped with one finding. */
  maxFileSize: number;
}

/** An actor named in a piece, for the "Provenance: Show actors" view. */
export interface ActorSummary {
  /** Registry id, else a slug of the canonical name. */
  id: string;
  /** Canonical name. */
  name: string;
  type?: 'person' | 'organisation' | 'place' | 'media';
  role?: string;
  acronym?: string;
  description?: string;
  /** How many times the piece names it (any form: full name, surname, acronym, alias). */
  count: number;
  /** Where the piece names it, in order. */
  spans: Span[];
  /** Mentions in the sources, and in how many sources. */
  sourceMentions: number;
  sources: number;
  inRegistry: boolean;
}

export interface Engine {
  /**
   * Load (or reload) the team configuration. `text === undefined` means there is
   * no config file: defaults apply. Returns findings for the config file itself
   * (`config/invalid`); when the file is broken the engine keeps working on defaults.
   */
  setConfig(uri: string | undefined, text: string | undefined): Finding[];
  /** The globs and limits from the current config. */
  files(): FileSelection;

  /**
   * Add or replace a source article. `contentKey`, when given, is a hash of
   * the file's content the embedder already made (the Node adapters hash the
   * bytes they read, natively): it stands in for the engine's own hash of
   * `text`, which keys this source's entries in the persisted cache, so a warm
   * start does not walk every source's characters again. It must differ
   * whenever the text does; the same text under another key only misses the
   * cache. Problems with the source set are in `sourceProblems()`.
   */
  setSource(uri: string, path: string, text: string, contentKey?: string): void;

  /**
   * Add or replace a source known by the content key of its file (as
   * `setSource`'s), without its text: when the persisted cache holds what
   * loading a file with this key and path found (its id, body and metadata),
   * the source is set from that, and `readText` is called only when a check
   * needs the source's words (most warm checks need none). Returns false
   * when the cache holds no such file: then read it and call `setSource`.
   * `readText` must return the text whose key was given.
   */
  setSourceOnDemand(uri: string, path: string, contentKey: string, readText: () => string): boolean;
  removeSource(uri: string): void;
  /** All sources currently known, by id. */
  sources(): readonly Source[];
  /** Problems with the source set (duplicate ids, …) keyed by source uri. */
  sourceProblems(): Map<string, Finding[]>;
  /**
   * Persisted index cache (engine/index-cache.ts): `importIndexCache` before the
   * sources are set lets unchanged ones skip indexing; `exportIndexCache` gives
   * the bytes to store (undefined when `onlyIfChanged` and nothing changed);
   * with `sections`, only those sections (the others are not built for it);
   * without, every section but the kept answers (`ANSWER_SECTIONS`).
   */
  importIndexCache(bytes: Uint8Array): boolean;
  /**
   * `importIndexCache` for `sections` read only when a check first uses the
   * product they hold: `read` gives a cache container with them (undefined:
   * none; the products are built). Before the sources are set. A product that
   * cannot wait takes its section from `read` at once.
   */
  importIndexCacheOnDemand(sections: readonly string[], read: () => Uint8Array | undefined): void;
  exportIndexCache(onlyIfChanged?: boolean, sections?: readonly string[]): Uint8Array | undefined;
  /** What `exportIndexCache` packs, by section, not packed yet: an embedder adds sections of its own, and packs them (index-cache.ts `encodeCache`, `encodeCacheParts`). */
  exportIndexCacheSections(onlyIfChanged?: boolean, sections?: readonly string[]): Map<string, SectionBytes> | undefined;
  /**
   * The sections `exportIndexCache()` writes, for an embedder that exports
   * them one at a time (`exportIndexCache(false, [section])`) to spread the
   * work; with `onlyIfChanged`, none when none changed since the last import
   * or export (what `exportIndexCache(true)` asks).
   */
  indexCacheSections(onlyIfChanged?: boolean): string[];
  /**
   * From now on, an export of the kept answers (`ANSWER_SECTIONS`) holds only
   * the answers the checks after this call used (imported or computed), not
   * every answer this engine holds: an embedder that keeps each piece's
   * answers in a file of its own (the CLI) calls it before each piece. Without
   * it, an export holds the answers used first, then the others, up to a bound.
   */
  beginAnswerScope(): void;

  /** Load the entity registry (`entities.yml`). Returns findings for the registry file. */
  setRegistry(uri: string | undefined, text: string | undefined): Finding[];

  /**
   * All findings for a Markdown piece; with `options.rules`, only those of the
   * rules it accepts (a CLI splits one piece's rules over two threads).
   */
  check(doc: DocumentInput, cancel?: CancellationFlag, options?: CheckOptions): Finding[];
  /**
   * `check`'s findings as JSON in UTF-8 bytes, for an embedder that sends them
   * on as bytes (engine/findings-json.ts): findings kept per block in the
   * cache are copied in as the bytes they were kept in. `sendPart`, when given,
   * gets the findings made so far as JSONs of their own while the check goes
   * on; those sent, then the one returned, each read by `readFindingsJson` and
   * joined (`joinFindings`), are `check`'s findings in `check`'s order. A
   * cancelled check returns no findings, and the parts it sent are void.
   */
  checkAsJson(doc: DocumentInput, cancel?: CancellationFlag, options?: CheckOptions, sendPart?: (json: Uint8Array) => void): Uint8Array;
  /** Hover card at a UTF-16 offset. */
  hover(doc: DocumentInput, offset: number): HoverCard | undefined;
  /** Go to definition: a quotation → its passage in the source; a citation key → the source file; an actor → its registry entry, else its first source mention. */
  definition(doc: DocumentInput, offset: number): Location[];
  /** Completions at a UTF-16 offset (citation keys after `[@` or `@`; known actor names after a capital letter). */
  complete(doc: DocumentInput, offset: number): CompletionEntry[];
  /** The same completions, filtered by the text typed so far and capped at COMPLETION_LIMIT, saying whether more matched. */
  completion(doc: DocumentInput, offset: number): CompletionList;
  /**
   * What requests will need, built ahead of time: the corpus-wide products
   * (quotation index, entity knowledge, passage index) and, for each piece
   * given, its parse, quotation verdicts, actor mentions and claim checks.
   * Returned as steps to run one at a time (an editor serves requests in
   * between); a step whose product is already built costs next to nothing.
   */
  prepare(docs?: readonly DocumentInput[]): Array<() => void>;
  /** The parse of a piece (cached per text), plain data: a check worker hands it to the main thread's engine. */
  parsed(doc: DocumentInput): ParsedDocument;
  /** Takes a parse made by another engine (another thread) as this engine's parse of `doc`; ignored unless it is of doc's exact text. */
  adoptParse(doc: DocumentInput, parsed: ParsedDocument): void;
  /**
   * The parse of a piece with what its next version is re-parsed from, as
   * plain data an embedder can keep until its next run (the CLI keeps it in
   * the piece's checks file): `adoptEarlierParse` takes it back. Undefined
   * for a parse adopted from another thread, which came without it.
   */
  parseState(doc: DocumentInput): ParseState | undefined;
  /**
   * Takes the parse of an earlier version of `doc` (`parseState`, perhaps from
   * another run of the same build): `doc`'s next parse is made from it when
   * the edit between them stays inside one paragraph or replaces whole
   * paragraphs, else whole. A state of `doc`'s present text is its parse.
   */
  adoptEarlierParse(doc: DocumentInput, state: ParseState): void;
  /**
   * Every mention of the actor at `offset`: its registry entry, this piece, the
   * other open pieces given, and the sources. Empty when no actor is there.
   */
  references(doc: DocumentInput, offset: number, otherDocs?: readonly DocumentInput[]): Location[];
  /** Spans in this piece naming the same actor as the one at `offset`. */
  documentHighlights(doc: DocumentInput, offset: number): Span[];
  /** The actors a piece names, most named first. */
  actors(doc: DocumentInput): ActorSummary[];
  /** Quick fixes for findings that touch `span` (the findings' own fixes plus "disable rule for this line"). */
  codeActions(doc: DocumentInput, span: Span, findings: readonly Finding[]): Fix[];
  /** Docs URL of a rule, for `codeDescription.href`. */
  ruleDocsUrl(ruleId: string): string;
}
