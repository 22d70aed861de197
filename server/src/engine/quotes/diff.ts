/**
 * Word differences between a quotation and its source passage, as data and as
 * the short phrase a diagnostic message shows.
 */

/**
 * One run of words. `equal`: same words; `replace`: the source has `source`
 * where the quotation has `quote` (a case change counts); `insert`: words only
 * in the quotation; `delete`: source words the quotation left out (without an
 * omission mark).
 */
export interface WordDiff {
  op: 'equal' | 'replace' | 'insert' | 'delete';
  quote: string;
  source: string;
}

/** Changes shown before "…". */
const MAX_SHOWN_CHANGES = 3;

/**
 * A short human description of the changes, source first:
 * `"steady" → "sharp"; missing "not"; added "very"`. Empty when nothing differs.
 */
export function describeDiff(diff: readonly WordDiff[], maxChanges = MAX_SHOWN_CHANGES): string {
  const changes = diff.filter((d) => d.op !== 'equal');
  const shown = changes.slice(0, maxChanges).map((d) => {
    switch (d.op) {
      case 'replace':
        return `"${d.source}" → "${d.quote}"`;
      case 'delete':
        return `missing "${d.source}"`;
      default:
        return `added "${d.quote}"`;
    }
  });
  if (changes.length > maxChanges) shown.push('…');
  return shown.join('; ');
}
