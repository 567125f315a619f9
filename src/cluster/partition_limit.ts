/**
 * How many partitions this broker may hold (`tsbroker.max.partitions`), and
 * the check the controller makes before creating any. Every partition holds
 * file descriptors (its active segment's log, index and time index), so a
 * broker allowed more partitions than its descriptor limit accepts them and
 * then fails every restart with EMFILE. Unset, the limit is derived from the
 * process's open-files limit; the message of a refusal names the limit and
 * the key so an operator knows what to raise.
 */
import type { BrokerConfig } from "../config/keys.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { openFilesLimit } from "../util/fd_limit.ts";

/** Descriptors one partition keeps open: the active segment's .log, .index and .timeindex. */
export const FDS_PER_PARTITION = 3;
/** Assumed when the open-files limit cannot be read (not Linux) or is unlimited. */
const ASSUMED_OPEN_FILES = 65536;
/**
 * Descriptors kept for the runtime, as max.connections' default keeps them; of the rest, half go to
 * connections (max.connections) and half to storage, so both defaults together stay within the limit.
 */
const RUNTIME_FDS = 256;
/**
 * Kafka's controller refuses one CreateTopics request asking for more partitions than this
 * (ReplicationControlManager.MAX_PARTITIONS_PER_BATCH), whatever the broker-wide room.
 */
export const MAX_PARTITIONS_PER_REQUEST = 10_000;

/** The configured limit, or the default for an open-files limit: 3 descriptors per partition in storage's half. */
export function maxPartitions(config: BrokerConfig, openFiles: number | null = openFilesLimit()): number {
  const configured = config["tsbroker.max.partitions"];
  if (configured !== null) return configured;
  const storage = ((openFiles ?? ASSUMED_OPEN_FILES) - RUNTIME_FDS) / 2;
  return Math.max(1, Math.floor(storage / FDS_PER_PARTITION));
}

export interface Refusal {
  errorCode: number;
  message: string;
}

/** POLICY_VIOLATION when `adding` partitions to the `existing` ones would pass `limit`; null when they fit. */
export function partitionLimitRefusal(existing: number, adding: number, limit: number): Refusal | null {
  if (existing + adding <= limit) return null;
  return {
    errorCode: ErrorCode.POLICY_VIOLATION,
    message: `Creating ${adding} partition(s) would bring this broker to ${existing + adding}, ` +
      `over its limit of ${limit} (tsbroker.max.partitions; each partition holds file descriptors).`,
  };
}

/** Kafka's refusal of one request creating more than MAX_PARTITIONS_PER_REQUEST partitions. */
export function perRequestRefusal(requested: number): Refusal | null {
  if (requested <= MAX_PARTITIONS_PER_REQUEST) return null;
  return { errorCode: ErrorCode.POLICY_VIOLATION, message: "Excessively large number of partitions per request." };
}
