/**
 * Builds, while the server is idle, what the main thread's requests will
 * need: after a project loads, its corpus-wide products (entity knowledge,
 * passage index); after a check of a piece, that version's parse, quotation
 * verdicts and actor mentions. So a hover or completion finds them built
 * instead of building them while the writer waits.
 *
 * The work comes as steps (`Engine.prepare`) and runs one step per turn of
 * the event loop, each after the requests read since the last one have been
 * answered (see `turn`), so a request that arrives meanwhile waits for at
 * most the step under way, never the plan.
 *
 * Output the writer waits for goes first: while diagnostics are being written
 * to the client (`holdUntil`), no step starts. A 200 KB piece's diagnostics
 * are ~0.7 MB of JSON, which a pipe takes in 64 KB pieces, each needing a
 * turn of the event loop; a warm-up step between two pieces delayed the
 * squiggles by the step's length each time.
 */
/** Turns a step waits at most for other work queued before it (see `Warmer.turn`), so that a stream of it cannot starve the warm-up. */
const MAX_YIELDS = 100;

/** Whether work queued by others is pending: an immediate (this one's own is running, so not counted) or a write under way. */
function othersPending(): boolean {
  return process.getActiveResourcesInfo().some((kind) => kind === 'Immediate' || kind === 'WriteWrap');
}

export class Warmer {
  /** Pending steps per owner (a project); a new plan replaces the owner's old one. */
  private readonly plans = new Map<object, { steps: Array<() => void>; wanted: () => boolean }>();
  private scheduled = false;
  private disposed = false;
  /** Writes in flight; no step starts until they are done. */
  private readonly holds = new Set<Promise<unknown>>();
  /** Callbacks to run in the first turn with no write in flight (`afterWrites`). */
  private waiting: Array<() => void> = [];

  constructor(private readonly log: (message: string) => void) {}

  /**
   * Runs `steps` in idle turns, after dropping whatever `owner` still had
   * pending; the rest of the plan is dropped once `wanted` says no (the piece
   * moved on to a newer version).
   */
  plan(owner: object, steps: Array<() => void>, wanted: () => boolean = () => true): void {
    if (this.disposed) return;
    this.plans.set(owner, { steps: [...steps], wanted });
    this.schedule();
  }

  /**
   * Starts no step until `written` settles (resolved or rejected: a failed
   * write must not stop the warm-up for good).
   */
  holdUntil(written: Promise<unknown>): void {
    if (this.disposed) return;
    const hold = written.then(
      () => undefined,
      () => undefined,
    );
    this.holds.add(hold);
    void hold.then(() => {
      this.holds.delete(hold);
      this.schedule();
    });
  }

  /**
   * Runs `then` in a later turn of the event loop with no write in flight: a
   * write begun by the code that follows this call in the same turn (a check's
   * diagnostics published once it returns) goes first.
   */
  afterWrites(then: () => void): void {
    if (this.disposed) return;
    this.waiting.push(then);
    this.schedule();
  }

  /** Whether any step or callback is still pending (tests). */
  get busy(): boolean {
    return this.plans.size > 0 || this.waiting.length > 0;
  }

  dispose(): void {
    this.disposed = true;
    this.plans.clear();
    this.waiting = [];
  }

  private schedule(): void {
    if (this.scheduled || !this.busy || this.holds.size > 0 || this.disposed) return;
    this.scheduled = true;
    setImmediate(() => this.turn(0));
  }

  private turn(yielded: number): void {
    // A request that arrives during a step goes through a chain of immediates: vscode-jsonrpc reads it in one,
    // handles it in the next, and writes the answer in a third, each queued by the one before. A step run as
    // soon as its own immediate came round went before most of that chain, so a request waited for two steps
    // (measured: ~1 s behind the entity merge and the passage index on a cold start). So while anyone else's
    // immediate or write is pending, the step waits a turn (never more than MAX_YIELDS in a row).
    if (yielded < MAX_YIELDS && othersPending()) {
      setImmediate(() => this.turn(yielded + 1));
      return;
    }
    this.scheduled = false;
    // A write began after this turn was scheduled: its end schedules the turn again.
    if (this.holds.size === 0 && !this.disposed) {
      const waiting = this.waiting;
      this.waiting = [];
      for (const then of waiting) this.attempt(then);
      // A callback may have begun a write of its own.
      if (this.holds.size === 0) this.runOne();
    }
    this.schedule();
  }

  private runOne(): void {
    const next = this.plans.entries().next();
    if (next.done) return; // disposed meanwhile
    const [owner, plan] = next.value;
    if (!plan.wanted()) {
      this.plans.delete(owner);
      return;
    }
    const step = plan.steps.shift();
    if (!plan.steps.length) this.plans.delete(owner);
    if (step) this.attempt(step);
  }

  private attempt(run: () => void): void {
    try {
      run();
    } catch (err) {
      // A failed warm-up costs nothing but time: the request that needs the product builds it (and reports its error).
      this.log(`Preparing ahead of requests failed: ${(err as Error).stack ?? err}`);
    }
  }
}
