/**
 * A connection-creation rate (KIP-612), kept in shared memory so every
 * processor Worker of the broker counts against the same one.
 *
 * What Kafka promises: over the rate, accepting waits (its acceptor blocks
 * for a delay) instead of refusing; after a quiet spell a burst passes at
 * once. Kafka derives the delay from a sampled Rate sensor (`quota.window.num`
 * windows of `quota.window.size.seconds`): measured over at least
 * samples − 1 windows, so quota × (samples − 1) × window connections pass at
 * once, and then each waits (rate − quota) / quota × window, capped at one
 * window. Simulated with a client that connects as fast as it is let in,
 * that measurement lets the whole burst through again each time its sample
 * expires (every ~11 s by default) and accepts 10% over the quota across a
 * minute. tsbroker keeps the promise with a smooth limiter instead (virtual
 * scheduling, GCRA): connections are spaced 1 / quota apart, with the same
 * burst as Kafka's after a quiet spell (quota × (samples − 1) windows,
 * refilling at the quota), so the accepted rate holds the quota at every
 * scale.
 *
 * The state is one time, the theoretical arrival time of the next connection
 * (in ms on a clock every Worker shares: wall time, as Kafka's; each Worker's
 * performance.now() has its own origin). Workers update it under a spin lock
 * (a compare-and-swap on the first int), since Atomics cannot swap a double.
 */

/** Doubles: the lock (its first int), the theoretical arrival time. */
const METER_DOUBLES = 2;
const LOCK = 0;
const TAT = 1;
/** Spins before sleeping 1 ms while another Worker holds the meter (preempted by the OS). */
const SPINS_BEFORE_WAIT = 1000;

export interface RateWindow {
  /** `quota.window.num`. */
  samples: number;
  /** `quota.window.size.seconds` in milliseconds. */
  windowMs: number;
}

/** Bytes one meter takes. */
export function rateMeterBytes(): number {
  return METER_DOUBLES * 8;
}

/** One rate meter over a region of a SharedArrayBuffer (zeroed: quiet for ever). */
export class SharedRate {
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;

  constructor(buffer: SharedArrayBuffer, byteOffset: number, private readonly window: RateWindow) {
    this.f64 = new Float64Array(buffer, byteOffset, METER_DOUBLES);
    this.i32 = new Int32Array(buffer, byteOffset, 2);
  }

  /**
   * Records one connection at `nowMs` under `quota` connections per second
   * and answers how long it waits before it is accepted: 0 within the burst.
   */
  record(nowMs: number, quota: number): number {
    // Kafka's measure never meets a quota of 0, and its cap makes every connection wait one window.
    if (quota <= 0) return this.window.windowMs;
    const spacingMs = 1000 / quota;
    // Connections that pass at once after a quiet spell: Kafka's minimum measuring window at the quota.
    const burst = Math.max(1, quota * (this.window.samples - 1) * this.window.windowMs / 1000);
    const toleranceMs = (burst - 1) * spacingMs;
    this.lock();
    try {
      const tat = Math.max(this.f64[TAT], nowMs);
      const acceptAt = Math.max(nowMs, tat - toleranceMs);
      this.f64[TAT] = tat + spacingMs;
      return Math.round(acceptAt - nowMs);
    } finally {
      this.unlock();
    }
  }

  private lock(): void {
    let spins = 0;
    while (Atomics.compareExchange(this.i32, LOCK, 0, 1) !== 0) {
      if (++spins % SPINS_BEFORE_WAIT === 0) Atomics.wait(this.i32, LOCK, 1, 1);
    }
  }

  private unlock(): void {
    Atomics.store(this.i32, LOCK, 0);
    Atomics.notify(this.i32, LOCK, 1);
  }
}
