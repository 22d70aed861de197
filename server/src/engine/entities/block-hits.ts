/**
 * The known names found in each block of a piece, kept across runs as a
 * section of the checks cache: a CLI run over a piece changed in one line
 * scans that line's block only (the 2 MB benchmark piece: ~0.9 s of scanning
 * on its thread).
 *
 * Hits point into the entity knowledge (its form entries), so they are kept
 * as the form each was looked up by and the positions of the entries chosen
 * in that form's list. They hold for the knowledge they were found with: a
 * section is stamped with a fingerprint of it (the sources and the registry
 * it was made from; the build id stamps the code) and taken only for the
 * same one. A hit that no longer points at an entry is scanned again.
 */
import { PersistedMemo } from '../corpus-memo';
import type { EntityKnowledge, FormEntry } from './knowledge';

/** Section of the checks cache holding the hits. */
export const ENTITY_HITS_SECTION = 'entity-hits';

/**
 * A hit as kept: offsets relative to its block, the form it was found by and
 * which of that form's entries it may be. Its words are the block's, which
 * the run that takes it has.
 */
export interface KeptHit {
  start: number;
  end: number;
  kind: 'honorific' | 'form' | 'variant';
  /** The key `knowledge.formsOf` was asked with. */
  form: string;
  /** Positions in `formsOf(form)`: the entries it may be (honorific and form hits), or the person it is a variant of. */
  picks: number[];
}

/** Hits by block text for one knowledge; persisted under that knowledge's fingerprint. */
export class BlockHitMemo extends PersistedMemo<KeptHit[]> {
  private knowledge: EntityKnowledge | undefined;
  private fingerprintOf: (() => string) | undefined;
  private fingerprint: string | undefined;

  constructor(buildId?: string) {
    super(ENTITY_HITS_SECTION, isKeptHits, buildId);
  }

  /** The hits from now on are for `knowledge`, whose fingerprint `fingerprintOf` makes (only when a section is taken or written). */
  attach(knowledge: EntityKnowledge, fingerprintOf: () => string): void {
    if (knowledge === this.knowledge) return;
    memoOfKnowledge.set(knowledge, this);
    this.knowledge = knowledge;
    this.fingerprintOf = fingerprintOf;
    this.fingerprint = undefined;
    this.clearEntries();
    this.takePending();
  }

  /** The memo's knowledge, unless another was attached since. */
  isFor(knowledge: EntityKnowledge): boolean {
    return knowledge === this.knowledge;
  }

  override exportSectionParts(): Uint8Array[] {
    // No knowledge made in this process: what was imported is written back as it was.
    const pending = this.pending;
    if (!this.knowledge && pending) return this.sectionOf(pending.stamp, pending.keys, pending.values);
    return super.exportSectionParts();
  }

  protected override stamp(): string {
    return (this.fingerprint ??= this.fingerprintOf?.() ?? '');
  }

  /** Imported hits are taken when a knowledge is attached: before, nothing could say whether they hold. */
  protected override refresh(): void {
    if (this.knowledge) super.refresh();
  }
}

/** The memo a knowledge was attached to (piece.ts finds it from the knowledge it scans with). */
const memoOfKnowledge = new WeakMap<EntityKnowledge, BlockHitMemo>();

/** The memo that keeps the hits found with `knowledge`, if an engine attached one. */
export function blockHitMemoOf(knowledge: EntityKnowledge): BlockHitMemo | undefined {
  const memo = memoOfKnowledge.get(knowledge);
  return memo?.isFor(knowledge) ? memo : undefined;
}

/** The entries a kept hit's picks point at; undefined when one no longer exists. */
export function pickedEntries(knowledge: EntityKnowledge, hit: KeptHit): FormEntry[] | undefined {
  const entries = knowledge.formsOf(hit.form);
  if (!entries) return undefined;
  const picked: FormEntry[] = [];
  for (const pick of hit.picks) {
    const entry = entries[pick];
    if (!entry) return undefined;
    picked.push(entry);
  }
  return picked;
}

function isKeptHits(value: unknown): value is KeptHit[] {
  return (
    Array.isArray(value) &&
    value.every(
      (hit: Partial<KeptHit> | null) =>
        typeof hit?.start === 'number' &&
        typeof hit.end === 'number' &&
        (hit.kind === 'honorific' || hit.kind === 'form' || hit.kind === 'variant') &&
        typeof hit.form === 'string' &&
        Array.isArray(hit.picks) &&
        hit.picks.length > 0 &&
        hit.picks.every((pick) => Number.isInteger(pick) && pick >= 0) &&
        hit.start >= 0 &&
        hit.end >= hit.start,
    )
  );
}
