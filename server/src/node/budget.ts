/**
 * The time budget of one piece's analysis, shared by the CLI and the server.
 * Checks run in worker threads that can be terminated, so pathological
 * Markdown stops after its budget with one finding instead of freezing an
 * editor or hanging CI.
 */
import fs = require('node:fs');
import v8 = require('node:v8');
import type { Engine } from '../engine/api';
import type { Finding } from '../engine/types';

/** Default budget per piece (ms), for a piece of up to BUDGET_UNIT_CHARS. */
export const DEFAULT_TIME_BUDGET_MS = 2000;
/**
 * The text one budget covers. A check's cost grows with the piece's length,
 * so a fixed budget stopped long ordinary pieces as if they were
 * pathological: the 2 MB benchmark piece needs ~4–5 s of CPU per thread when
 * no answers are kept from an earlier run. Pathological Markdown is slow for
 * its size, not because of it, so the budget scales with the length.
 */
export const BUDGET_UNIT_CHARS = 256 * 1024;
/**
 * The most a piece's budget grows (8 × 256 KB = 2 MB): past that, a piece is
 * stopped at 8 budgets (16 s by default), so a huge file of adversarial
 * syntax, let in by a raised `maxFileSize`, cannot hold a run for minutes.
 */
export const MAX_BUDGET_UNITS = 8;

/** The budget (ms) of a piece of `length` characters (or bytes): `budgetMs` per BUDGET_UNIT_CHARS, between 1 and MAX_BUDGET_UNITS budgets; 0 (no budget) stays 0. */
export function pieceBudgetMs(budgetMs: number, length: number): number {
  if (budgetMs <= 0) return budgetMs;
  return Math.round(budgetMs * Math.min(MAX_BUDGET_UNITS, Math.max(1, length / BUDGET_UNIT_CHARS)));
}
/**
 * The budget counts the checking thread's CPU time where the system tells it
 * (Linux), so a machine busy with other work does not stop ordinary pieces;
 * wall time past this multiple of the budget stops a check all the same.
 */
export const WALL_CLOCK_FACTOR = 10;

/**
 * Where any thread of this process can read the calling thread's CPU time
 * (`/proc/<pid>/task/<tid>/stat`); undefined where there is no such file.
 */
export function threadClock(): string | undefined {
  try {
    const clock = `/proc/${fs.readlinkSync('/proc/thread-self')}/stat`;
    return threadCpuMs(clock) === undefined ? undefined : clock;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system, ms) of the thread behind `clock`. */
export function threadCpuMs(clock: string): number | undefined {
  try {
    const stat = fs.readFileSync(clock, 'utf8');
    // The fields after the command name (which may hold spaces) start after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** A check the main thread is timing: where it runs and what that thread had used when it began. */
export interface TimedCheck {
  /** Main thread's clock (ms) when the check began. */
  startedAt: number;
  /** The worker thread's CPU clock, and its reading when the check began. */
  clock?: string;
  cpuAtStart?: number;
}

/** Whether a check has used up its budget: CPU time where known, else wall time; wall time past WALL_CLOCK_FACTOR × budget always. */
export function overBudget(check: TimedCheck, budgetMs: number, now: number): boolean {
  if (budgetMs <= 0) return false;
  const wall = now - check.startedAt;
  if (wall > budgetMs * WALL_CLOCK_FACTOR) return true;
  const cpu = check.clock !== undefined && check.cpuAtStart !== undefined ? threadCpuMs(check.clock) : undefined;
  return cpu !== undefined ? cpu - check.cpuAtStart! > budgetMs : wall > budgetMs;
}

/**
 * A piece that touches every lazily built part of the engine (quotation index,
 * entity knowledge, passage index): checked once after a worker loads a
 * workspace, so that building them is not charged to the first real piece's budget.
 */
const WARM_UP_PIECE = `# Warm-up

The harbour master, Ada Example, said "the ferry will sail on time" [@provenance-warm-up].

The council spent 4 million pounds on the harbour in 2024, officials said.

Critics say the EU claimed the UN admitted it.
`;

/** Builds the engine's lazy indexes for its current corpus (see WARM_UP_PIECE); only those `rules` need, when given. */
export function warmUp(engine: Engine, rules?: (ruleId: string) => boolean): void {
  engine.check({ uri: 'provenance-warm-up:piece.md', path: 'warm-up.md', text: WARM_UP_PIECE }, undefined, { rules });
}

/** How a budget reads in messages: "2 s", "0.5 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms % 1000 === 0 ? 0 : ms < 1000 ? 2 : 1))} s`;
}

/** The one finding of a piece whose analysis ran past its budget. */
export function overBudgetFinding(name: string, budgetMs: number): Finding {
  return {
    ruleId: 'input/skipped',
    severity: 'information',
    message: `Analysis of ${name} stopped after ${formatSeconds(budgetMs)} (its time budget), so it was not checked: the Markdown is probably pathological (deeply nested or unclosed syntax).`,
    span: { start: 0, end: 0 },
    data: { reason: 'time-budget', budgetMs },
  };
}

/** The one finding of a piece whose analysis killed its worker (out of memory, crash). */
export function crashedFinding(name: string, reason: string): Finding {
  return {
    ruleId: 'input/skipped',
    severity: 'warning',
    message: `Analysis of ${name} stopped (${reason}), so it was not checked.`,
    span: { start: 0, end: 0 },
    data: { reason: 'crashed' },
  };
}

/** A worker's failure in words, for messages (out of memory is the common one). */
export function describeWorkerFailure(err: unknown, exitCode?: number): string {
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'it ran out of memory';
  if (err === undefined) return `the checker stopped unexpectedly${exitCode !== undefined ? ` (exit code ${exitCode})` : ''}`;
  const message = err instanceof Error ? err.message : String(err);
  return `the checker failed: ${message.split('\n')[0]}`;
}

/**
 * Resource limits of a check worker: the main thread's heap limit, stated
 * explicitly so that a piece exhausting it ends the worker
 * (ERR_WORKER_OUT_OF_MEMORY), never the process. `youngGenerationMb` caps
 * the nursery (see CLI_YOUNG_GENERATION_MB).
 */
export function checkWorkerLimits(youngGenerationMb?: number): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb?: number } {
  const limits = { maxOldGenerationSizeMb: Math.max(256, Math.floor(v8.getHeapStatistics().heap_size_limit / (1024 * 1024))) };
  return youngGenerationMb === undefined ? limits : { ...limits, maxYoungGenerationSizeMb: youngGenerationMb };
}

/**
 * The nursery of a CLI worker, which lives for one run. V8 grows it to ~48 MB
 * under a check's garbage, and every page of it is new memory the kernel must
 * map on first touch — on our benchmark VM ~3.6 ms per MiB, a cost a
 * short-lived process pays in full. A small nursery is reused at once. On the
 * 200 KB bench piece with the 2,095 articles (alternating runs): with a warm
 * cache 3, 6 and 8 MB all cut page faults by ~20% and wall time by ~10%;
 * cold, 8 MB gained ~5% where 3 MB gained ~1% (the entity merge's garbage
 * then outgrows the nursery more often). Findings are unchanged. The
 * server's worker lives long enough to reuse a large nursery, so it keeps
 * V8's default.
 */
export const CLI_YOUNG_GENERATION_MB = 8;
