/**
 * Actors and organisations: what the sources say about the people,
 * organisations, media outlets and places they name (entities/extract.ts,
 * entities/knowledge.ts), the team registry over it (registry.ts), and the
 * editor features that read it (entities/providers.ts, the style rules).
 *
 * The knowledge is built lazily, once per corpus generation and registry
 * version; a piece's mentions once per parse. Hover, definition, references
 * and completion are then map lookups and a binary search.
 */
import type { Finding, Source } from './types';
import type { Corpus } from './corpus';
import type { ParsedDocument } from './markdown';
import { parseRegistry, type RegistryEntry } from './registry';
import { EntityKnowledge } from './entities/knowledge';
import { findPieceMentions, scanBlocksIn, type PieceMention } from './entities/piece';
import { shareSteps } from './shares';
import { entitiesCacheProduct, EXTRACTION_WORK, registryKeyOf, SourceFactsStore } from './entities/source-facts';
import { contentKey, type CacheProduct } from './index-cache';
import { BlockHitMemo } from './entities/block-hits';

export { EntityKnowledge, nameKey } from './entities/knowledge';
export type { Entity, EntityType, EntityRole, EntityStatement, SourceMention, FormKind } from './entities/knowledge';
export { findPieceMentions, mentionAt, type PieceMention } from './entities/piece';

/** The work (SourceFactsStore.refresh units) of one step of a spread-out build: ~25–30 ms on the benchmark VM. */
const ENTITY_WORK_PER_STEP = 400;

/** Piece text per warm-up step of the actor-mention scan: ~5 ms where no block was scanned before. */
const MENTION_CHARS_PER_STEP = 16_384;

/** How many steps of ENTITY_WORK_PER_STEP the facts of `sources` sources take at most, built from nothing. */
export function entityFactSteps(sources: number): number {
  return Math.ceil((sources * (1 + EXTRACTION_WORK)) / ENTITY_WORK_PER_STEP);
}

/** Holds the registry and the knowledge built from the current corpus. */
export class EntityStore {
  private entries: RegistryEntry[] = [];
  private registryUri: string | undefined;
  private registryVersion = 0;
  private cache: { generation: number; registryVersion: number; knowledge: EntityKnowledge } | undefined;
  private readonly pieces = new WeakMap<ParsedDocument, { knowledge: EntityKnowledge; mentions: PieceMention[] }>();
  /** Per-source facts between builds: a changed source is extracted again, the rest merged as they are. */
  readonly facts: SourceFactsStore;
  /** The names found in each block of the pieces, for the current knowledge; a product of the checks cache. */
  readonly blockHits: BlockHitMemo;

  /** `buildId`: the running code's hash, if the embedder has one (see SourceFactsStore). */
  constructor(buildId?: string) {
    this.facts = new SourceFactsStore(buildId);
    this.blockHits = new BlockHitMemo(buildId);
  }

  /** The facts as a product of the persisted cache (section 'entities'); `corpus` gives the current sources. */
  cacheProduct(corpus: Corpus): CacheProduct {
    return entitiesCacheProduct(this.facts, () => corpus.sources().values());
  }

  /** Loads `entities.yml` (undefined = none). Returns its problems as config/invalid findings. */
  setRegistry(uri: string | undefined, text: string | undefined): Finding[] {
    const result = parseRegistry(text);
    this.entries = result.entries;
    this.registryUri = text === undefined ? undefined : uri;
    this.registryVersion++;
    return result.findings;
  }

  /** The knowledge for the corpus as it is now; rebuilt only when a source or the registry changed. */
  knowledge(corpus: Corpus): EntityKnowledge {
    const generation = corpus.generation;
    if (!this.cache || this.cache.generation !== generation || this.cache.registryVersion !== this.registryVersion) {
      const sources: Source[] = [...corpus.sources().values()];
      const registry = this.entries;
      const registryUri = this.registryUri;
      this.cache = { generation, registryVersion: this.registryVersion, knowledge: this.facts.knowledge(sources, registry, registryUri) };
      // What the knowledge is made from: the sources and the registry (the build id stamps the code).
      // The sources map of now (the corpus replaces it when a source changes), fingerprinted when needed.
      const made = corpus.sources();
      this.blockHits.attach(this.cache.knowledge, () => knowledgeKeyOf(corpus, made, registry, registryUri));
    }
    return this.cache.knowledge;
  }

  /**
   * What the knowledge of `corpus` as it is now is made from — its sources and
   * the registry — as a key, without making the knowledge: a rule whose
   * findings depend on the actors keeps them under it (style/name-variant).
   */
  knowledgeKey(corpus: Corpus): string {
    return knowledgeKeyOf(corpus, corpus.sources(), this.entries, this.registryUri);
  }

  /**
   * Steps that build the knowledge of `corpus` a little at a time (`prepareSome`), enough for a build from
   * nothing; none when it is built already, so a warm-up after every check does not queue dozens of no-ops.
   */
  prepareSteps(corpus: Corpus): Array<() => void> {
    if (this.isCurrent(corpus)) return [];
    return Array.from({ length: entityFactSteps(corpus.sources().size) }, () => () => this.prepareSome(corpus, ENTITY_WORK_PER_STEP));
  }

  private isCurrent(corpus: Corpus): boolean {
    return this.cache !== undefined && this.cache.generation === corpus.generation && this.cache.registryVersion === this.registryVersion;
  }

  /**
   * Part of the work of the next `knowledge` call, up to `budget` (see
   * SourceFactsStore.refresh), and the merge once nothing else is left: a
   * caller preparing ahead of requests spreads a cold build over several
   * short steps.
   */
  prepareSome(corpus: Corpus, budget: number): void {
    if (this.isCurrent(corpus)) return;
    // Once only the merge is left (or the imported knowledge can be taken as it is, the warm start), it is done
    // here, so the steps after this one find the knowledge made and cost nothing.
    if (this.facts.prepareSome([...corpus.sources().values()], this.entries, this.registryUri, budget)) this.knowledge(corpus);
  }

  /**
   * Steps that make `mentions` of a piece a share of its blocks at a time (a first scan of a 200 KB piece
   * took ~60 ms in one go). The count depends only on the length, so a caller can plan before parsing.
   */
  mentionSteps(parsed: () => ParsedDocument, corpus: Corpus, textLength: number): Array<() => void> {
    return shareSteps(textLength, MENTION_CHARS_PER_STEP, (share) => {
      const piece = parsed();
      scanBlocksIn(piece, this.knowledge(corpus), ...share(piece.blocks.length));
    });
  }

  /** Mentions of known actors in a parsed piece, cached per parse and knowledge. */
  mentions(parsed: ParsedDocument, knowledge: EntityKnowledge): PieceMention[] {
    const cached = this.pieces.get(parsed);
    if (cached && cached.knowledge === knowledge) return cached.mentions;
    const mentions = findPieceMentions(parsed, knowledge).sort((a, b) => a.span.start - b.span.start);
    this.pieces.set(parsed, { knowledge, mentions });
    return mentions;
  }
}

/** The key of the knowledge made from `sources` (a state of `corpus`) and the registry. */
function knowledgeKeyOf(corpus: Corpus, sources: ReadonlyMap<string, Source>, registry: readonly RegistryEntry[], registryUri: string | undefined): string {
  return contentKey(`${corpus.fingerprint(sources)}\u0002${registryKeyOf(registry, registryUri)}`);
}
