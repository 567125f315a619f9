/**
 * Long-polling fetches waiting on partitions (Kafka's DelayedFetch purgatory, keyed by partition): a
 * waiter fires true as soon as any of its partitions is woken (data arrived, the log start moved, the
 * partition went offline or closed), or false at its timeout.
 */
interface Waiter {
  keys: string[];
  fire: (fired: boolean) => void;
}

export class PartitionWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>();

  /** Resolves true when one of `keys` is woken, false after `timeoutMs`. */
  wait(keys: string[], timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        keys,
        fire: (fired) => {
          clearTimeout(timer);
          for (const key of keys) this.waiters.get(key)?.delete(waiter);
          resolve(fired);
        },
      };
      const timer = setTimeout(() => waiter.fire(false), Math.max(0, timeoutMs));
      for (const key of keys) {
        let set = this.waiters.get(key);
        if (!set) this.waiters.set(key, set = new Set());
        set.add(waiter);
      }
    });
  }

  wake(key: string): void {
    const set = this.waiters.get(key);
    if (!set || set.size === 0) return;
    for (const waiter of [...set]) waiter.fire(true);
  }

  wakeAll(): void {
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }
}
