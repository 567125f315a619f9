/**
 * The processor's periodic sweep, as a judgement on one connection at a
 * time: idle too long (`connections.max.idle.ms`), a request started but
 * not complete within `tsbroker.request.read.timeout.ms` (time the broker
 * itself stopped reading does not count: a paused connection is not judged,
 * and its clock restarts when reading resumes), or, while the broker-wide
 * unsent budget is low, output that has not moved for
 * `tsbroker.connections.max.write.stall.ms`. The processor closes the
 * connection, with a rate-limited log line for the last two.
 */
import type { ClientConnection } from "./client_connection.ts";

export interface SweepLimits {
  idleTimeoutMs: number;
  requestReadTimeoutMs: number;
  writeStallMs: number;
}

export type SweepVerdict =
  | null
  | { kind: "idle" }
  /** Too slow; `key` groups the log lines of one kind for rate limiting. */
  | { kind: "slow"; key: string; why: string };

/**
 * How often to sweep: often enough for the shortest of the bounds (and for a
 * budget freed by readers), between 10 and 250 ms.
 */
export function sweepIntervalMs(limits: SweepLimits): number {
  const shortest = Math.min(limits.idleTimeoutMs, limits.requestReadTimeoutMs, limits.writeStallMs);
  return Math.max(10, Math.min(250, Math.floor(shortest / 4)));
}

/** Whether `conn` is to be closed at `now` (its unsent bytes already settled), and why. */
export function judge(conn: ClientConnection, now: number, limits: SweepLimits, budgetLow: boolean): SweepVerdict {
  if (conn.outstanding.length === 0 && conn.lastActive < now - limits.idleTimeoutMs) return { kind: "idle" };
  const started = conn.reader.startedAt;
  if (!conn.readingPaused && started >= 0 && now - started > limits.requestReadTimeoutMs) {
    return {
      kind: "slow",
      key: "incomplete request",
      why: `request incomplete after ${Math.round(now - started)} ms (${conn.reader.partialBytes} bytes received; ` +
        `tsbroker.request.read.timeout.ms=${limits.requestReadTimeoutMs})`,
    };
  }
  if (budgetLow && conn.charged > 0 && now - conn.lastProgress > limits.writeStallMs) {
    return {
      kind: "slow",
      key: "write stall",
      why: `${conn.charged} response bytes unsent and not read for ${Math.round(now - conn.lastProgress)} ms ` +
        `while the unsent-response budget is low (tsbroker.connections.max.write.stall.ms=${limits.writeStallMs})`,
    };
  }
  return null;
}
