/**
 * Bytes in and out per second over the last minutes, for the console's
 * overview chart. Sampled from the same Prometheus counters /metrics serves
 * (every processor's bytesIn/bytesOut cell in the shared metrics buffer), so
 * the chart and a Prometheus graph of rate(kafka_network_bytes_*_total) agree.
 */
import { MetricsReader, P } from "../../metrics/layout.ts";

/** One point of the chart: when, and the rates over the interval that ended then. */
export interface ThroughputSample {
  /** Epoch milliseconds at the end of the interval. */
  at: number;
  bytesInPerSec: number;
  bytesOutPerSec: number;
}

/** Counter totals as read at one moment. */
interface Totals {
  at: number;
  bytesIn: number;
  bytesOut: number;
}

export class ThroughputSampler {
  private readonly samples: ThroughputSample[] = [];
  private last: Totals;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly reader: MetricsReader,
    private readonly processorCount: number,
    /** How many samples the chart keeps (15 minutes at 5 s). */
    private readonly keep = 180,
    private readonly now: () => number = Date.now,
  ) {
    this.last = this.read();
  }

  /** Samples every `intervalMs` until stop(). */
  start(intervalMs = 5000): void {
    this.timer ??= setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Adds one sample: the counters' growth since the previous one, per second. */
  sample(): void {
    const current = this.read();
    const seconds = (current.at - this.last.at) / 1000;
    if (seconds <= 0) return;
    this.samples.push({
      at: current.at,
      bytesInPerSec: (current.bytesIn - this.last.bytesIn) / seconds,
      bytesOutPerSec: (current.bytesOut - this.last.bytesOut) / seconds,
    });
    if (this.samples.length > this.keep) this.samples.shift();
    this.last = current;
  }

  /** The samples, oldest first, plus the counters' totals now. */
  snapshot(): { samples: ThroughputSample[]; bytesInTotal: number; bytesOutTotal: number } {
    const totals = this.read();
    return { samples: [...this.samples], bytesInTotal: totals.bytesIn, bytesOutTotal: totals.bytesOut };
  }

  private read(): Totals {
    let bytesIn = 0;
    let bytesOut = 0;
    for (let i = 0; i < this.processorCount; i++) {
      bytesIn += this.reader.processorCell(i, P.bytesIn);
      bytesOut += this.reader.processorCell(i, P.bytesOut);
    }
    return { at: this.now(), bytesIn, bytesOut };
  }
}
