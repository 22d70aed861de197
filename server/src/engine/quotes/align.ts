/**
 * Word-level semi-global alignment of a quotation against a window of source
 * words: every quotation word is aligned, the source may start and end
 * anywhere. Unit costs (substitution, quotation word missing from the source,
 * source word missing from the quotation); words compare by case-folded id.
 *
 * Editorial gaps are free jumps forward in the source between two parts: any
 * distance after an omission, up to `maxSkip` words after a bracket. So one
 * dynamic programme places all parts in order in the same window and finds the
 * cheapest edit of each, instead of aligning parts independently and hoping
 * they land in order.
 */
import type { QuotePart } from './quotation';

/** One step of an alignment: a quotation word and/or a source word (window index), -1 for none. */
export interface AlignedPair {
  quote: number;
  source: number;
}

export interface Alignment {
  pairs: AlignedPair[];
  cost: number;
}

/** Above this many DP cells a caller must narrow the window (keeps memory to a few MB). */
export const MAX_ALIGNMENT_CELLS = 4_000_000;

/**
 * Aligns `quote` (folded ids, parts as parsed) against `window` (folded ids).
 * Window indexes in the result are relative to the window.
 */
export function alignWords(quote: Int32Array, parts: readonly QuotePart[], window: Int32Array): Alignment {
  const m = quote.length;
  const n = window.length;
  const width = n + 1;
  const cost = new Int32Array((m + 1) * width); // row 0 = 0: free start

  // Rows after which a part begins: the jump from that row is free (within the gap's reach).
  const gapAfterRow = new Map<number, QuotePart>();
  for (const part of parts) if (part.first > 0 && part.gap !== 'start') gapAfterRow.set(part.first, part);
  const jumped = new Map<number, { best: Int32Array; from: Int32Array }>();

  let previous: Int32Array = cost.subarray(0, width);
  for (let i = 1; i <= m; i++) {
    const row = cost.subarray(i * width, (i + 1) * width);
    const word = quote[i - 1];
    row[0] = previous[0] + 1;
    for (let j = 1; j <= n; j++) {
      const diagonal = previous[j - 1] + (window[j - 1] === word ? 0 : 1);
      const up = previous[j] + 1;
      const left = row[j - 1] + 1;
      row[j] = diagonal < up ? (diagonal < left ? diagonal : left) : up < left ? up : left;
    }
    const gap = gapAfterRow.get(i);
    if (gap && i < m) {
      const jump = jumpRow(row, gap);
      jumped.set(i, jump);
      previous = jump.best;
    } else {
      previous = row;
    }
  }

  // Free end: the cheapest last column of the last row (earliest on ties).
  const last = m * width;
  let end = 0;
  for (let j = 1; j <= n; j++) if (cost[last + j] < cost[last + end]) end = j;
  const total = cost[last + end];

  const pairs: AlignedPair[] = [];
  let i = m;
  let j = end;
  while (i > 0) {
    const here = cost[i * width + j];
    const predecessor = i - 1 > 0 && jumped.has(i - 1) ? jumped.get(i - 1)!.best : cost.subarray((i - 1) * width, i * width);
    if (j > 0 && here === predecessor[j - 1] + (window[j - 1] === quote[i - 1] ? 0 : 1)) {
      pairs.push({ quote: i - 1, source: j - 1 });
      i--;
      j--;
    } else if (here === predecessor[j] + 1) {
      pairs.push({ quote: i - 1, source: -1 });
      i--;
    } else {
      pairs.push({ quote: -1, source: j - 1 });
      j--;
      continue;
    }
    const jump = jumped.get(i);
    if (jump && i > 0) j = jump.from[j];
  }
  pairs.reverse();
  return { pairs, cost: total };
}

/** For each column, the cheapest column reachable by the gap's free jump forward (and where from). */
function jumpRow(row: Int32Array, gap: QuotePart): { best: Int32Array; from: Int32Array } {
  const n = row.length;
  const best = new Int32Array(n);
  const from = new Int32Array(n);
  if (gap.gap === 'omission') {
    let bestCost = row[0];
    let bestFrom = 0;
    for (let j = 0; j < n; j++) {
      if (row[j] <= bestCost) {
        bestCost = row[j];
        bestFrom = j;
      }
      best[j] = bestCost;
      from[j] = bestFrom;
    }
  } else {
    for (let j = 0; j < n; j++) {
      let bestCost = row[j];
      let bestFrom = j;
      for (let k = j - 1; k >= 0 && k >= j - gap.maxSkip; k--) {
        if (row[k] < bestCost) {
          bestCost = row[k];
          bestFrom = k;
        }
      }
      best[j] = bestCost;
      from[j] = bestFrom;
    }
  }
  return { best, from };
}
