/**
 * Per-partition log settings (the topic-level `segment.bytes`, `retention.ms`, … after broker defaults and
 * topic overrides are merged by the caller), with Kafka 3.9's defaults. Kept as plain numbers so a
 * PartitionLog never parses config itself; "never" for the flush settings is Number.MAX_SAFE_INTEGER,
 * standing in for Kafka's Long.MAX_VALUE.
 */
export interface LogConfig {
  /** segment.bytes: roll when the active segment would grow past this. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first append is this old. */
  segmentMs: number;
  /** segment.jitter.ms: subtracted from segmentMs (Kafka draws a random jitter up to this per segment). */
  segmentJitterMs?: number;
  /** retention.ms; -1 = unlimited. */
  retentionMs: number;
  /** retention.bytes; -1 = unlimited. */
  retentionBytes: number;
  /** max.message.bytes (checked by the caller's validation, not here). */
  maxMessageBytes: number;
  messageTimestampType: "CreateTime" | "LogAppendTime";
  /** index.interval.bytes: one offset-index entry per this many bytes appended. */
  indexIntervalBytes: number;
  /** segment.index.bytes: the maximum size of each index file; a full index forces a roll. */
  segmentIndexBytes: number;
  /** flush.messages: flush once this many messages are unflushed (MAX_SAFE_INTEGER = never). */
  flushMessages: number;
  /** flush.ms: flush once the oldest unflushed append is this old (MAX_SAFE_INTEGER = never). */
  flushMs: number;
  /** file.delete.delay.ms: how long a deleted segment's files linger (renamed *.deleted). */
  fileDeleteDelayMs: number;
  /** tsbroker.log.roll.flush.delay.ms: how long after a roll the finished segment is fdatasync'ed (default 30 s). */
  rollFlushDelayMs?: number;
  /** cleanup.policy includes compact: the log cleaner keeps the latest record per key. */
  compact?: boolean;
  /** cleanup.policy includes delete: retention.ms and retention.bytes delete old segments (absent = true). */
  deleteByRetention?: boolean;
  /** delete.retention.ms: how long tombstones survive once the cleaner has passed them. */
  deleteRetentionMs?: number;
  /** min.cleanable.dirty.ratio: the dirty share of the log that makes it due for cleaning. */
  minCleanableDirtyRatio?: number;
  /** min.compaction.lag.ms: records younger than this are not compacted. */
  minCompactionLagMs?: number;
  /** max.compaction.lag.ms: a log with dirty records older than this is due whatever its ratio. */
  maxCompactionLagMs?: number;
}

/** Kafka 3.9's topic-level defaults. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  segmentJitterMs: 0,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: "CreateTime",
  indexIntervalBytes: 4096,
  segmentIndexBytes: 10 * 1024 * 1024,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  fileDeleteDelayMs: 60_000,
  rollFlushDelayMs: 30_000,
  compact: false,
  deleteByRetention: true,
  deleteRetentionMs: 86_400_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
});
