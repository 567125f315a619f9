/**
 * Group commit for the durable mode (`tsbroker.fsync.acks.all`): an acks=all
 * produce waits for its partition's data to be fdatasync'ed, and every
 * produce that arrives while a sync runs joins the next one, so N producers
 * cost about one sync per round rather than N. A round starts on the next
 * macrotask, after the handler has drained the requests already queued on
 * its ports, and syncs each dirty log once.
 *
 * The round is scheduled with setImmediate, not setTimeout(0): that timer
 * fired ~2 ms late in Deno, as long as the fdatasync itself, and a producer
 * connection waits for each sync before its next request is taken
 * (W2 under Deno, one producer: 151 -> 231 MB/s).
 */
import { setImmediate } from "node:timers";

export interface Flushable {
  flush(): Promise<void>;
}

export class GroupCommit {
  private pending = new Set<Flushable>();
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private running = false;
  private scheduled = false;
  /** Rounds and the waiters they released, for the metrics and the benchmark note. */
  rounds = 0;
  released = 0;

  /** Resolves once everything appended to `log` before this call is on disk. */
  sync(log: Flushable): Promise<void> {
    this.pending.add(log);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.round());
  }

  private async round(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const logs = [...this.pending];
    const waiters = this.waiters;
    this.pending = new Set();
    this.waiters = [];
    try {
      await Promise.all(logs.map((log) => log.flush()));
      this.rounds++;
      this.released += waiters.length;
      for (const w of waiters) w.resolve();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      for (const w of waiters) w.reject(error);
    } finally {
      this.running = false;
      if (this.waiters.length > 0) this.schedule();
    }
  }
}
