/**
 * NetworkProcessorAvgIdlePercent: the share of wall time a processor spends
 * outside its own work, which its Worker samples every second into its
 * metrics region.
 */
import type { Clock } from "./clock.ts";

export class BusyMeter {
  private busyMs = 0;
  private last: number;

  constructor(private readonly clock: Clock) {
    this.last = clock.now();
  }

  /** Run `work`, counting its time as busy. */
  run(work: () => void): void {
    const start = this.clock.now();
    try {
      work();
    } finally {
      this.busyMs += this.clock.now() - start;
    }
  }

  /** The idle ratio (0–1) since the last sample; starts the next one. */
  sample(): number {
    const now = this.clock.now();
    const ratio = 1 - this.busyMs / Math.max(1, now - this.last);
    this.busyMs = 0;
    this.last = now;
    return Math.max(0, Math.min(1, ratio));
  }
}
