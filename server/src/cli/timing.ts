/**
 * `provenance check --timing`: where a run's time went, printed to stderr
 * after the report (stdout stays the report alone). Each rule's time, and
 * the parse's, summed over the pieces and threads that checked them; the
 * slowest pieces, when there are several; then the run's phases. ESLint's
 * TIMING=1 does the first part for its rules.
 */
import type { CheckOptions } from '../engine/api';

/** Milliseconds by step: a rule id, `parse`, or a phase of the run. */
export type Timings = Record<string, number>;

/**
 * Milliseconds since the process started, on every thread (a worker's
 * `performance.now()` counts from the worker's own start): only differences
 * and the main thread's start-up are read. Not `performance`: its first use
 * loads perf_hooks (~2-4 ms of a fresh thread's start), which a run that
 * times nothing need not pay.
 */
export function sinceStartMs(): number {
  return process.uptime() * 1000;
}

/** A clock for `Engine.check` that adds each step's time to `into`. */
export function stepClock(into: Timings): NonNullable<CheckOptions['timing']> {
  return { now: sinceStartMs, add: (step, ms) => addTime(into, step, ms) };
}

export function addTime(into: Timings, step: string, ms: number): void {
  into[step] = (into[step] ?? 0) + ms;
}

export function addTimings(into: Timings, from: Timings | undefined): void {
  if (from) for (const [step, ms] of Object.entries(from)) addTime(into, step, ms);
}

/** The run's phases, in the order they are printed (each optional: a run may not have it). */
export interface RunPhases {
  /** From the process's start to the CLI's first line (Node, the bundle). */
  startUp?: number;
  /** The main thread listing and reading the sources for the workers. */
  readSources?: number;
  /** The workers loading the workspace: config, sources, cache files (summed over workers). */
  load?: number;
  /** The workers building or restoring the corpus products before their first piece (summed over workers). */
  warmUp?: number;
  /** The whole run, as the main thread saw it. */
  total?: number;
  /** Source files the workers read (summed over workers), of `sources` listed: the others were set from the cache without reading them. */
  sourcesRead?: number;
  sources?: number;
}

export interface TimingReport {
  /** By rule id, and `parse`. */
  steps: Timings;
  phases: RunPhases;
  /** Pieces checked, and pieces whose findings came from the results cache. */
  checked: number;
  reused: number;
  /** Each checked piece's name and its checking time (its rules and parse, both halves of a split piece). */
  pieces: [string, number][];
}

/** How many of the slowest pieces are listed: which pieces make a run over an archive slow. */
export const SLOWEST_PIECES = 5;

const PHASE_LABELS: [Exclude<keyof RunPhases, 'sourcesRead' | 'sources'>, string][] = [
  ['startUp', 'start-up, to the CLI\'s first line'],
  ['readSources', 'the sources for the workers (main thread)'],
  ['load', 'loading the workspace (workers)'],
  ['warmUp', 'corpus products (workers)'],
  ['total', 'whole run'],
];

/** The table `--timing` prints. */
export function formatTiming(report: TimingReport): string {
  const steps = Object.entries(report.steps).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const checking = steps.reduce((sum, [, ms]) => sum + ms, 0);
  const width = Math.max(26, ...steps.map(([step]) => step.length), ...PHASE_LABELS.map(([, label]) => label.length));
  const ms = (value: number) => value.toFixed(1).padStart(9);
  const lines = [`Timing, in milliseconds: ${report.checked} piece${report.checked === 1 ? '' : 's'} checked, ${report.reused} from the results cache.`];
  if (steps.length) {
    lines.push("A rule's time includes any shared analysis it is the first to ask for (sentences, claim checks, quotation verdicts).");
    lines.push(`${'Rule'.padEnd(width)} ${'Time'.padStart(9)}  Share`);
    for (const [step, value] of steps) lines.push(`${step.padEnd(width)} ${ms(value)}  ${((100 * value) / (checking || 1)).toFixed(1).padStart(5)}%`);
    lines.push(`${'checking, all of the above'.padEnd(width)} ${ms(checking)}`);
  }
  if (report.pieces.length > 1) {
    const slowest = [...report.pieces].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, SLOWEST_PIECES);
    lines.push(`Slowest piece${slowest.length === 1 ? '' : 's'} (checking time):`);
    for (const [name, value] of slowest) lines.push(`${name.padEnd(width)} ${ms(value)}`);
  }
  lines.push('Phases (they overlap: the workers start while the main thread reads; worker times are summed over workers):');
  for (const [key, label] of PHASE_LABELS) {
    const value = report.phases[key];
    if (value !== undefined) lines.push(`${label.padEnd(width)} ${ms(value)}`);
  }
  const { sourcesRead, sources } = report.phases;
  if (sourcesRead !== undefined && sources !== undefined) lines.push(`Source files read by the workers: ${sourcesRead} of ${sources} (the others were set from the cache without reading them).`);
  return lines.join('\n') + '\n';
}
