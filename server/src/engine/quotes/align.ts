/**
 * Word-level semi-global alignment of a quotation against a window of source
 * words: every quotation word is aligned, the source may start and end
 * anywhere. Words compare by case-folded id.
 *
 * Edits: substitution, a quotation word missing from the source, a source
 * word missing from the quotation, and two adjacent words swapped (one edit,
 * so "to compromise" → "compromise to" is reported as the swap it is, not as
 * an added word at the edge of the passage). The score is lexicographic:
 * fewest edits first, then most words matched, as `edits * (m + 1) - matches`.
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
  /** Number of edits. */
  edits: number;
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
  const edit = m + 1;
  const score = new Int32Array((m + 1) * width); // row 0 = 0: free start

  // Rows after which a part begins: the jump from that row is free (within the gap's reach).
  const gapAfterRow = new Map<number, QuotePart>();
  for (const part of parts) if (part.first > 0 && part.gap !== 'start') gapAfterRow.set(part.first, part);
  const jumped = new Map<number, { best: Int32Array; from: Int32Array }>();
  /** `predecessors[i]`: the row a move out of row `i` starts from (the jumped row when a part begins there). */
  const predecessors: Int32Array[] = [];
  const predecessorRow = (i: number): Int32Array => predecessors[i];
  predecessors.push(score.subarray(0, width));
  /** Whether quotation words `i - 2` and `i - 1` are in one part (a swap must not straddle a mark). */
  const samePart = (i: number): boolean => i >= 2 && !gapAfterRow.has(i - 1);

  for (let i = 1; i <= m; i++) {
    const previous = predecessorRow(i - 1);
    const beforePrevious = samePart(i) ? predecessorRow(i - 2) : undefined;
    const row = score.subarray(i * width, (i + 1) * width);
    const word = quote[i - 1];
    const previousWord = i >= 2 ? quote[i - 2] : -2;
    row[0] = previous[0] + edit;
    for (let j = 1; j <= n; j++) {
      let best = previous[j - 1] + (window[j - 1] === word ? -1 : edit);
      const up = previous[j] + edit;
      if (up < best) best = up;
      const left = row[j - 1] + edit;
      if (left < best) best = left;
      if (beforePrevious && j >= 2 && word !== previousWord && window[j - 2] === word && window[j - 1] === previousWord) {
        const swap = beforePrevious[j - 2] + edit - 2;
        if (swap < best) best = swap;
      }
      row[j] = best;
    }
    const gap = gapAfterRow.get(i);
    if (gap && i < m) {
      const jump = jumpRow(row, gap);
      jumped.set(i, jump);
      predecessors.push(jump.best);
    } else {
      predecessors.push(row);
    }
  }

  // Free end: the best last column of the last row. On ties take the latest:
  // a changed last word then reads as the substitution it is ("cure" →
  // "solution") instead of an added word with the source's word dropped.
  const last = m * width;
  let end = 0;
  for (let j = 1; j <= n; j++) if (score[last + j] <= score[last + end]) end = j;

  const pairs: AlignedPair[] = [];
  let edits = 0;
  let i = m;
  let j = end;
  while (i > 0) {
    const here = score[i * width + j];
    const previous = predecessorRow(i - 1);
    if (j > 0 && here === previous[j - 1] + (window[j - 1] === quote[i - 1] ? -1 : edit)) {
      if (window[j - 1] !== quote[i - 1]) edits++;
      pairs.push({ quote: i - 1, source: j - 1 });
      i--;
      j--;
    } else if (here === previous[j] + edit) {
      edits++;
      pairs.push({ quote: i - 1, source: -1 });
      i--;
    } else if (j > 0 && here === score[i * width + j - 1] + edit) {
      edits++;
      pairs.push({ quote: -1, source: j - 1 });
      j--;
      continue;
    } else {
      // A swap: shown as two substituted words, which the diff merges into one change.
      edits++;
      pairs.push({ quote: i - 1, source: j - 1 }, { quote: i - 2, source: j - 2 });
      i -= 2;
      j -= 2;
    }
    const jump = jumped.get(i);
    if (jump) j = jump.from[j];
  }
  pairs.reverse();
  return { pairs, edits };
}

/** For each column, the best column reachable by the gap's free jump forward (and where from). */
function jumpRow(row: Int32Array, gap: QuotePart): { best: Int32Array; from: Int32Array } {
  const n = row.length;
  const best = new Int32Array(n);
  const from = new Int32Array(n);
  if (gap.gap === 'omission') {
    let bestScore = row[0];
    let bestFrom = 0;
    for (let j = 0; j < n; j++) {
      if (row[j] <= bestScore) {
        bestScore = row[j];
        bestFrom = j;
      }
      best[j] = bestScore;
      from[j] = bestFrom;
    }
  } else {
    for (let j = 0; j < n; j++) {
      let bestScore = row[j];
      let bestFrom = j;
      for (let k = j - 1; k >= 0 && k >= j - gap.maxSkip; k--) {
        if (row[k] < bestScore) {
          bestScore = row[k];
          bestFrom = k;
        }
      }
      best[j] = bestScore;
      from[j] = bestFrom;
    }
  }
  return { best, from };
}
