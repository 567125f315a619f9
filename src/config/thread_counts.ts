/**
 * Processor and handler counts when `num.network.threads` / `num.io.threads`
 * are unset: sized from the CPUs this process may run on.
 *
 * Kafka's fixed 3 + 8 threads share one heap; ours are Workers, and every
 * request crosses from a processor to a handler and back (and to the
 * partition's owner handler), each crossing a thread wake-up. Threads beyond
 * the cores add those hops and context switches without adding parallelism:
 * pinned to one core, Deno did W1 at 516 MB/s with 1 + 1 threads against
 * 371–407 with 2 + 2, and W5's end-to-end p99 fell from ~70 to 21–41 ms
 * (Bun was indifferent). `navigator.hardwareConcurrency` honours the
 * affinity mask (taskset, cgroup cpusets) in both runtimes.
 */
import type { BrokerConfig } from "./keys.ts";

/** The CPUs this process may use (at least 1). */
export function availableCpus(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === "number" && Number.isFinite(n) && n >= 1 ? Math.floor(n) : 1;
}

export interface ThreadCounts {
  /** Processors per listener. */
  network: number;
  /** Handler Workers. */
  io: number;
}

/** Configured counts where set; otherwise derived from `cpus`. */
export function threadCounts(config: BrokerConfig, cpus = availableCpus()): ThreadCounts {
  return {
    network: config["num.network.threads"] ?? Math.min(3, Math.max(1, Math.ceil(cpus / 4))),
    io: config["num.io.threads"] ?? Math.min(8, Math.max(1, cpus)),
  };
}
