/**
 * The key table's log keys (segments, retention, flushing, timestamps): Kafka's
 * names and meanings, spread into CONFIG_KEYS in keys.ts, whose order they keep.
 */
import { type KeySpec, LONG_MAX, LONG_MAX_NOTE } from "./key_spec.ts";

export const LOG_KEYS = {
  "log.segment.bytes": {
    type: "int",
    default: 1073741824,
    min: 14,
    origin: "kafka",
    doc:
      "Largest size of one segment file; a batch that would grow the active segment beyond it rolls a new one (topic-level: segment.bytes).",
  },
  "log.roll.ms": {
    type: "long",
    default: null,
    min: 1,
    origin: "kafka",
    doc:
      "Age of the active segment's first record after which a new segment is rolled, in milliseconds; unset = log.roll.hours applies (topic-level: segment.ms).",
  },
  "log.roll.hours": {
    type: "int",
    default: 168,
    min: 1,
    origin: "kafka",
    doc: "As log.roll.ms, in hours; used only when log.roll.ms is unset.",
  },
  "log.roll.jitter.ms": {
    type: "long",
    default: null,
    min: 0,
    origin: "kafka",
    doc:
      "Largest random time subtracted from the roll time so that partitions do not all roll at once, in milliseconds; unset = log.roll.jitter.hours applies (topic-level: segment.jitter.ms).",
  },
  "log.roll.jitter.hours": {
    type: "int",
    default: 0,
    min: 0,
    origin: "kafka",
    doc: "As log.roll.jitter.ms, in hours; used only when log.roll.jitter.ms is unset.",
  },
  "log.retention.ms": {
    type: "long",
    default: null,
    min: 0,
    special: [{ value: -1, meaning: "no time limit" }],
    origin: "kafka",
    doc:
      "Time a segment is kept after its newest record, in milliseconds; unset = log.retention.minutes, then log.retention.hours applies (topic-level: retention.ms).",
  },
  "log.retention.minutes": {
    type: "int",
    default: null,
    min: 0,
    special: [{ value: -1, meaning: "no time limit" }],
    origin: "kafka",
    doc: "As log.retention.ms, in minutes; used only when log.retention.ms is unset.",
  },
  "log.retention.hours": {
    type: "int",
    default: 168,
    min: 0,
    special: [{ value: -1, meaning: "no time limit" }],
    origin: "kafka",
    doc: "As log.retention.ms, in hours; used only when log.retention.ms and log.retention.minutes are unset.",
  },
  "log.retention.bytes": {
    type: "long",
    default: -1,
    min: 0,
    special: [{ value: -1, meaning: "no size limit" }],
    origin: "kafka",
    doc:
      "Largest size of a partition's log; the oldest segments are deleted to stay under it (topic-level: retention.bytes).",
  },
  "log.retention.check.interval.ms": {
    type: "long",
    default: 300000,
    min: 1,
    origin: "kafka",
    doc: "How often partitions are checked for segments to delete by retention, in milliseconds.",
  },
  "log.segment.delete.delay.ms": {
    type: "long",
    default: 60000,
    min: 0,
    origin: "kafka",
    doc:
      "Time a deleted segment's files stay on disk (renamed .deleted) before removal, so reads in progress can finish (topic-level: file.delete.delay.ms).",
  },
  "log.index.interval.bytes": {
    type: "int",
    default: 4096,
    min: 0,
    origin: "kafka",
    doc:
      "Bytes of records between two entries of the sparse offset and time indexes (topic-level: index.interval.bytes).",
  },
  "log.index.size.max.bytes": {
    type: "int",
    default: 10485760,
    min: 4,
    origin: "kafka",
    doc:
      "Largest size of a segment's offset index; a full index rolls a new segment (topic-level: segment.index.bytes).",
  },
  "log.flush.interval.messages": {
    type: "long",
    default: LONG_MAX,
    min: 1,
    origin: "kafka",
    kafkaDefault: LONG_MAX_NOTE,
    doc:
      "Records appended to a partition before it is fsync'ed; the default leaves flushing to the OS, as Kafka does (topic-level: flush.messages).",
  },
  "log.flush.interval.ms": {
    type: "long",
    default: null,
    min: 0,
    origin: "kafka",
    doc:
      "Longest time appended records stay unflushed, in milliseconds; unset = log.flush.scheduler.interval.ms applies (topic-level: flush.ms).",
  },
  "log.flush.scheduler.interval.ms": {
    type: "long",
    default: LONG_MAX,
    min: 1,
    origin: "kafka",
    kafkaDefault: LONG_MAX_NOTE,
    doc: "How often partitions are checked against their flush.ms, in milliseconds; the default means never.",
  },
  "log.flush.offset.checkpoint.interval.ms": {
    type: "int",
    default: 60000,
    min: 0,
    origin: "kafka",
    doc: "How often the recovery points are written to recovery-point-offset-checkpoint, in milliseconds.",
  },
  "log.flush.start.offset.checkpoint.interval.ms": {
    type: "int",
    default: 60000,
    min: 0,
    origin: "kafka",
    doc: "How often the log start offsets are written to log-start-offset-checkpoint, in milliseconds.",
  },
  "log.message.timestamp.type": {
    type: "enum",
    default: "CreateTime",
    values: ["CreateTime", "LogAppendTime"],
    origin: "kafka",
    doc:
      "Timestamp stored with records: the producer's (CreateTime) or the broker's at append (LogAppendTime) (topic-level: message.timestamp.type).",
  },
  "log.message.timestamp.before.max.ms": {
    type: "long",
    default: LONG_MAX,
    min: 0,
    origin: "kafka",
    kafkaDefault: LONG_MAX_NOTE,
    doc:
      "With CreateTime, how far a record's timestamp may lie before the broker's clock, in milliseconds; older batches get INVALID_TIMESTAMP (topic-level: message.timestamp.before.max.ms).",
  },
  "log.message.timestamp.after.max.ms": {
    type: "long",
    default: 3600000,
    min: 0,
    origin: "kafka",
    doc:
      "With CreateTime, how far a record's timestamp may lie after the broker's clock, in milliseconds; later batches get INVALID_TIMESTAMP (topic-level: message.timestamp.after.max.ms). One hour, as since Kafka 4.0 (KIP-1030; Kafka 3.x: unbounded).",
  },
  "compression.type": {
    type: "enum",
    default: "producer",
    values: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"],
    origin: "kafka",
    doc:
      "Codec of stored batches: producer keeps each batch as the producer compressed it; any other codec makes the broker recompress produced batches in another codec into it (topic-level: compression.type).",
  },
  "compression.gzip.level": {
    type: "int",
    default: -1,
    min: 1,
    max: 9,
    special: [{ value: -1, meaning: "zlib's default level" }],
    origin: "kafka",
    doc: "gzip level of broker-side recompression to gzip (topic-level: compression.gzip.level).",
  },
  "compression.lz4.level": {
    type: "int",
    default: 9,
    min: 1,
    max: 17,
    origin: "kafka",
    doc:
      "lz4 level of broker-side recompression to lz4; accepted, but tsbroker's lz4 writer has a single (fast) level (topic-level: compression.lz4.level).",
  },
  "compression.zstd.level": {
    type: "int",
    default: 3,
    min: -131072,
    max: 22,
    origin: "kafka",
    doc: "zstd level of broker-side recompression to zstd (topic-level: compression.zstd.level).",
  },
  "log.local.retention.ms": {
    type: "long",
    default: -2,
    min: -2,
    origin: "kafka",
    doc:
      "Accepted, no effect: tsbroker has no tiered storage. Age of the local part of a tiered log; -2 = the retention time (topic-level: local.retention.ms).",
  },
  "log.local.retention.bytes": {
    type: "long",
    default: -2,
    min: -2,
    origin: "kafka",
    doc:
      "Accepted, no effect: tsbroker has no tiered storage. Size of the local part of a tiered log; -2 = the retention size (topic-level: local.retention.bytes).",
  },
} as const satisfies Record<string, KeySpec>;
