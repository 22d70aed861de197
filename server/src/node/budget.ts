/**
 * The time budget of one piece's analysis, shared by the CLI and the server.
 * Checks run in worker threads that can be terminated, so pathological
 * Markdown stops after its budget with one finding instead of freezing an
 * editor or hanging CI.
 */
import * as v8 from 'node:v8';
import type { Engine } from '../engine/api';
import type { Finding } from '../engine/types';

/** Default budget per piece (ms). */
export const DEFAULT_TIME_BUDGET_MS = 2000;

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

/** Builds the engine's lazy indexes for its current corpus (see WARM_UP_PIECE). */
export function warmUp(engine: Engine): void {
  engine.check({ uri: 'provenance-warm-up:piece.md', path: 'warm-up.md', text: WARM_UP_PIECE });
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
export function describeWorkerFailure(err: unknown): string {
  const code = (err as { code?: string } | undefined)?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'it ran out of memory';
  const message = err instanceof Error ? err.message : String(err ?? 'the worker exited');
  return `the checker failed: ${message.split('\n')[0]}`;
}

/**
 * Resource limits of a check worker: the main thread's heap limit, stated
 * explicitly so that a piece exhausting it ends the worker
 * (ERR_WORKER_OUT_OF_MEMORY), never the process.
 */
export function checkWorkerLimits(): { maxOldGenerationSizeMb: number } {
  return { maxOldGenerationSizeMb: Math.max(256, Math.floor(v8.getHeapStatistics().heap_size_limit / (1024 * 1024))) };
}
