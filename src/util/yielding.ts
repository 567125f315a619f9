/**
 * Long work inside a handler Worker gives way: a Worker serves every
 * connection routed to it and every peer op for the partitions and groups
 * it owns, so a loop over a million entries of one request would stall all
 * of them. Awaiting a macrotask (setImmediate: queued behind pending I/O and
 * messages, unlike a resolved promise) every few thousand entries lets them
 * through; the loop's own cost stays the same.
 */
import { setImmediate } from "node:timers";

/** Entries a loop handles between two yields: ~1 ms of simple per-entry work. */
export const YIELD_EVERY = 4096;

/** Resolves after the event loop has had a turn. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Counts work and yields every YIELD_EVERY units: `await pacer.tick()` inside a loop. */
export class Pacer {
  private since = 0;

  constructor(private readonly every = YIELD_EVERY) {}

  /** Adds `units` of work; resolves at once, or after a macrotask once `every` units have built up. */
  tick(units = 1): Promise<void> | void {
    this.since += units;
    if (this.since < this.every) return;
    this.since = 0;
    return macrotask();
  }
}

/** `items.map(fn)` that yields every YIELD_EVERY items. */
export async function mapYielding<T, R>(items: readonly T[], fn: (item: T, index: number) => R): Promise<R[]> {
  const out = new Array<R>(items.length);
  const pacer = new Pacer();
  for (let i = 0; i < items.length; i++) {
    out[i] = fn(items[i], i);
    await pacer.tick();
  }
  return out;
}

/** The items without repeats (the first of each key kept, in order), yielding every YIELD_EVERY items. */
export async function distinctYielding<T>(items: readonly T[], keyOf: (item: T) => unknown = (x) => x): Promise<T[]> {
  const seen = new Set<unknown>();
  const out: T[] = [];
  const pacer = new Pacer();
  for (const item of items) {
    const key = keyOf(item);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
    await pacer.tick();
  }
  return out;
}
