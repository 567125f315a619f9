/**
 * Errors the client raises: a broker's error code carried as a KafkaClientError, and which codes are worth a
 * retry. Kafka's clients mark each error class retriable or not; the list below is the subset a producer,
 * consumer or admin call can meet, with the same classification.
 */
import { ErrorCode, errorName } from "../protocol/errors.ts";

/** A broker answered with a non-zero error code, or the client gave up (timeout, closed connection). */
export class KafkaClientError extends Error {
  /** The Kafka error code (NETWORK_EXCEPTION / REQUEST_TIMED_OUT for the client's own failures). */
  readonly code: number;
  /** Whether trying again (after a metadata refresh) may succeed. */
  readonly retriable: boolean;
  /** An error for `code`; `retriable` defaults to Kafka's classification of the code. */
  constructor(code: number, message?: string, retriable = isRetriable(code)) {
    super(message ? `${errorName(code)}: ${message}` : errorName(code));
    this.name = "KafkaClientError";
    this.code = code;
    this.retriable = retriable;
  }
}

const RETRIABLE = new Set<number>([
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
  ErrorCode.INVALID_FETCH_SESSION_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.OFFSET_NOT_AVAILABLE,
  ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.THROTTLING_QUOTA_EXCEEDED,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.INCONSISTENT_TOPIC_ID,
]);

/** Codes after which the client should refresh its metadata before retrying (the leader may have moved). */
const STALE_METADATA = new Set<number>([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.INCONSISTENT_TOPIC_ID,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.REPLICA_NOT_AVAILABLE,
]);

/** Whether a request that failed with `code` may succeed when sent again. */
export function isRetriable(code: number): boolean {
  return RETRIABLE.has(code);
}

/** Whether `code` means the client's view of leaders is out of date. */
export function needsMetadataRefresh(code: number): boolean {
  return STALE_METADATA.has(code);
}

/** Throws a KafkaClientError for a non-zero code. */
export function throwIfError(code: number, message?: string | null): void {
  if (code !== ErrorCode.NONE) throw new KafkaClientError(code, message ?? undefined);
}
