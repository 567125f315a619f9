/**
 * Time and timers as the processor sees them: the real ones in a Worker, a
 * fake in unit tests, so that idle, read-timeout and write-stall sweeps, the
 * retry of blocked connections and shutdown can be tested step by step
 * without waiting on the wall clock.
 */

/** An opaque timer handle (a number in Deno and browsers, an object in Bun and Node). */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds on a monotonic clock (performance.now()). */
  now(): number;
  setTimeout(run: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(run: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

type Id = ReturnType<typeof setTimeout>;

/** The runtime's clock and timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as Id),
  setInterval: (run, ms) => setInterval(run, ms),
  clearInterval: (handle) => clearInterval(handle as Id),
};
