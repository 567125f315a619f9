/**
 * GroupTimers on real timers: one table per __consumer_offsets partition,
 * so unloading a partition (shutdown, topic deleted) cancels every session,
 * rebalance and delay timer of its groups at once.
 */
import type { GroupTimers } from "./types.ts";

export class TimerTable implements GroupTimers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  set(key: string, delayMs: number, fn: () => void): void {
    this.clear(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      fn();
    }, Math.max(0, delayMs));
    this.timers.set(key, timer);
  }

  clear(key: string): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  get size(): number {
    return this.timers.size;
  }
}
