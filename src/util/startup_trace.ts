/**
 * Start-up steps with their time, at debug level (`tsbroker.log.level=debug`):
 * "start-up: <step> +<ms>", the ms counted from the main thread's time origin
 * (about when the runtime started), so the lines of the supervisor and of the
 * Workers (which get the origin in their init) read on one clock.
 * scripts/bench/startup.ts prints them beside its own spawn-relative times.
 * A utility because every thread uses it (supervisor, processors, handlers).
 */

/** The part of a Logger a trace needs. */
export interface DebugLog {
  readonly debugEnabled: boolean;
  debug(message: string): void;
}

/** ms since `origin` (epoch ms, e.g. the main thread's `performance.timeOrigin`), from any thread. */
export function sinceOrigin(origin: number): number {
  return performance.timeOrigin + performance.now() - origin;
}

/** A function that logs one start-up step (nothing unless debug is on). */
export function startupTrace(log: DebugLog, origin = performance.timeOrigin): (step: string) => void {
  return (step) => {
    if (log.debugEnabled) log.debug(`start-up: ${step} +${sinceOrigin(origin).toFixed(1)} ms`);
  };
}
