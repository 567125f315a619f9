/**
 * A sort that gives way (see yielding.ts): a handler Worker asked to sort a
 * million names at once (DescribeTopicPartitions answers in name order, and
 * a request may name that many topics) would stall every other connection
 * and partition op it serves for seconds. Runs of YIELD_EVERY items are
 * sorted with Array.prototype.sort, then merged pairwise; the Pacer yields
 * between runs and every YIELD_EVERY merged items. Stable, like the sort it
 * replaces; the total cost stays O(n log n).
 */
import { Pacer, YIELD_EVERY } from "./yielding.ts";

export async function sortYielding<T>(items: readonly T[], compare: (a: T, b: T) => number): Promise<T[]> {
  const pacer = new Pacer();
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += YIELD_EVERY) {
    runs.push(items.slice(i, i + YIELD_EVERY).sort(compare));
    await pacer.tick(YIELD_EVERY);
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      merged.push(r + 1 < runs.length ? await merge(runs[r], runs[r + 1], compare, pacer) : runs[r]);
    }
    runs = merged;
  }
  return runs[0] ?? [];
}

/** The two sorted runs as one (ties keep `a`'s items first, so the sort stays stable). */
async function merge<T>(a: T[], b: T[], compare: (x: T, y: T) => number, pacer: Pacer): Promise<T[]> {
  const out = new Array<T>(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = compare(b[j], a[i]) < 0 ? b[j++] : a[i++];
    // Awaited only when it yields: an await per item would cost more than the merge.
    const pause = pacer.tick();
    if (pause) await pause;
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
