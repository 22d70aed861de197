/**
 * Claim detection's verdicts per sentence text, across parses and — persisted
 * as a section of the checks cache — across runs, so re-checking an edited
 * piece runs detection only on the sentences that changed (the 2 MB benchmark
 * piece: ~1 s of detection on its thread, for a piece changed in one line).
 *
 * A verdict depends on the sentence's words, the team's triggers and
 * exemptions (both in the key), the code (the build id that stamps a persisted
 * section) and, through `isName`, on the piece and the sources. So it is kept
 * with the name questions detection asked ("is Lavrov a name?") and their
 * answers, and is reused only while the piece and its sources still answer
 * them the same way: asked again once per name epoch, and always for a
 * verdict read back from a file. Spans are kept relative (base 0).
 */
import { PersistedMemo } from '../corpus-memo';
import { contentKey } from '../index-cache';
import { detach } from '../text';
import { detectClaim, type ClaimVerdict, type DetectOptions } from './detect';

/** Section of the checks cache holding the verdicts. */
export const CLAIM_VERDICTS_SECTION = 'claim-verdicts';

/** Sentences run through detection in this process (tests: did a kept verdict answer instead?). */
export const detectionWork = { detected: 0 };

/** What is remembered, and persisted, per sentence. */
interface KeptVerdict {
  verdict: ClaimVerdict;
  asked: string[];
  answers: boolean[];
}

/** What only this process knows about a kept verdict. */
interface VerdictUse {
  /** The name epoch in which `answers` were last given (then they hold without asking again). */
  epoch: number;
  /** The verdict moved to the last two places the sentence was at (an edit before it moves it; undoing the edit moves it back). */
  moved: Array<{ base: number; verdict: ClaimVerdict }>;
}

export class ClaimVerdictStore {
  readonly memo: PersistedMemo<KeptVerdict>;
  private readonly uses = new WeakMap<KeptVerdict, VerdictUse>();

  constructor(buildId?: string) {
    this.memo = new PersistedMemo(CLAIM_VERDICTS_SECTION, isKeptVerdict, buildId);
  }

  /** The verdict on `sentence`, which starts at `base` in its piece; `optionsKey` names the triggers and exemptions in `options`. */
  detect(sentence: string, base: number, options: DetectOptions, optionsKey: string, epoch: number): ClaimVerdict {
    // Hashed: the key is all a section keeps of the sentence (the piece's text need not be in the cache twice).
    const key = contentKey(optionsKey + '\u0000' + sentence);
    const kept = this.memo.lookup(key);
    if (kept) {
      const use = this.uses.get(kept);
      if (use?.epoch === epoch || kept.asked.every((word, i) => options.isName(word) === kept.answers[i])) {
        this.memo.stats.kept++;
        return this.placed(kept, base, epoch, use);
      }
    }
    this.memo.stats.computed++;
    detectionWork.detected++;
    const asked: string[] = [];
    const answers: boolean[] = [];
    const isName = (word: string) => {
      const answer = options.isName(word);
      asked.push(word);
      answers.push(answer);
      return answer;
    };
    // Kept across edits: computed from a copy, so its words do not hold this version of the piece alive.
    const fresh: KeptVerdict = { verdict: detectClaim(detach(sentence), 0, { ...options, isName }), asked, answers };
    this.memo.remember(key, fresh);
    return this.placed(fresh, base, epoch, undefined);
  }

  private placed(kept: KeptVerdict, base: number, epoch: number, use: VerdictUse | undefined): ClaimVerdict {
    if (!use) this.uses.set(kept, (use = { epoch, moved: [] }));
    use.epoch = epoch;
    const recent = use.moved.find((m) => m.base === base);
    if (recent) return recent.verdict;
    const moved = shiftVerdict(kept.verdict, base);
    use.moved = [{ base, verdict: moved }, ...use.moved.slice(0, 1)];
    return moved;
  }
}

/** A verdict with its spans moved by `base` (verdicts differ only there: detection is blind to where a sentence is). */
export function shiftVerdict(verdict: ClaimVerdict, base: number): ClaimVerdict {
  // Without signals (most sentences that are not claims) there is no span to move.
  if (base === 0 || verdict.signals.length === 0) return verdict;
  const signals = verdict.signals.map((s) => ({ kind: s.kind, span: { start: s.span.start + base, end: s.span.end + base }, text: s.text }));
  return verdict.exemption ? { claim: verdict.claim, signals, exemption: verdict.exemption } : { claim: verdict.claim, signals };
}

/** A kept verdict as read back from a file: its shape, so that a damaged one is detected again, not trusted. */
function isKeptVerdict(value: unknown): value is KeptVerdict {
  const kept = value as Partial<KeptVerdict> | null;
  const verdict = kept?.verdict as Partial<ClaimVerdict> | undefined;
  if (!kept || !verdict || typeof verdict.claim !== 'boolean' || !Array.isArray(verdict.signals)) return false;
  if (!Array.isArray(kept.asked) || !Array.isArray(kept.answers) || kept.asked.length !== kept.answers.length) return false;
  if (!kept.asked.every((word) => typeof word === 'string') || !kept.answers.every((answer) => typeof answer === 'boolean')) return false;
  const exemption = verdict.exemption as { kind?: unknown; text?: unknown } | undefined;
  if (exemption !== undefined && (typeof exemption.kind !== 'string' || typeof exemption.text !== 'string')) return false;
  return verdict.signals.every((s: Partial<ClaimVerdict['signals'][number]> | null) => typeof s?.kind === 'string' && typeof s.text === 'string' && typeof s.span?.start === 'number' && typeof s.span.end === 'number');
}
