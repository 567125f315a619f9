/** "Did you mean" support for unknown keys: typos are the most common config mistake. */

function editDistance(a: string, b: string): number {
  // Classic Levenshtein with a single rolling row; keys are short.
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * The known key closest to `unknown`, or undefined when nothing is close enough
 * to be a plausible typo. A key that is a known key minus its leading segments
 * (e.g. `log.level` for `tsbroker.log.level`) also counts.
 */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  const suffixMatch = known.find((k) => k.endsWith("." + lower));
  if (suffixMatch) return suffixMatch;
  const limit = Math.max(2, Math.ceil(unknown.length / 4));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
