/**
 * The default of `max.connections`, derived from the open-files limit.
 *
 * Every connection holds a file descriptor, and at the limit Deno panics
 * (EMFILE in its signal or HTTP machinery) instead of failing one call, so
 * connections must never be what uses the last descriptors. Unset, the
 * limit is (nofile − 256) / 2: 256 descriptors stay for the runtime itself
 * (Worker and event-loop descriptors, the metrics server, checkpoint and
 * metadata files, pipes), and of the rest half goes to connections and half
 * to storage (segment, index and time-index files of the partitions). With
 * an open-files limit of 1024 that is 384 connections; 20,000 gives 9,872;
 * 1,048,576 gives 524,160. Where the limit cannot be read (no /proc), 1024
 * is assumed.
 */
import { openFilesLimit } from "../util/fd_limit.ts";

export const RUNTIME_RESERVED_FDS = 256;
const ASSUMED_LIMIT = 1024;
const MIN_CONNECTIONS = 16;

export interface ConnectionLimit {
  maxConnections: number;
  /** Why this value: "configured" or how it was derived. */
  source: string;
}

export function defaultMaxConnections(nofile: number | null): number {
  const limit = nofile ?? ASSUMED_LIMIT;
  return Math.max(MIN_CONNECTIONS, Math.floor((limit - RUNTIME_RESERVED_FDS) / 2));
}

/** `max.connections` as configured, or derived from this process's open-files limit when unset. */
export function effectiveMaxConnections(configured: number | null, nofile = openFilesLimit()): ConnectionLimit {
  if (configured !== null) return { maxConnections: configured, source: "configured" };
  return {
    maxConnections: defaultMaxConnections(nofile),
    source: `derived: (open-files limit ${
      nofile ?? `unknown, assumed ${ASSUMED_LIMIT}`
    } - ${RUNTIME_RESERVED_FDS}) / 2`,
  };
}
