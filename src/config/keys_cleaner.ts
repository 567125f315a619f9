/**
 * The key table's log-cleaner keys (compaction of topics whose cleanup.policy
 * includes compact): Kafka's names and meanings, spread into CONFIG_KEYS in
 * keys.ts after the log keys.
 */
import { type KeySpec, LONG_MAX, LONG_MAX_NOTE } from "./key_spec.ts";

export const CLEANER_KEYS = {
  "log.cleanup.policy": {
    type: "list",
    default: ["delete"],
    minItems: 0,
    format: "delete|compact",
    origin: "kafka",
    doc:
      "Default cleanup of old segments: delete (by retention), compact (keep the latest record per key), or both (topic-level: cleanup.policy).",
  },
  "log.cleaner.enable": {
    type: "boolean",
    default: true,
    origin: "kafka",
    doc:
      "Run the log cleaner, which compacts topics with cleanup.policy compact; without it those topics grow without bound.",
  },
  "log.cleaner.threads": {
    type: "int",
    default: 1,
    min: 0,
    origin: "kafka",
    doc:
      "Partitions cleaned at the same time per handler Worker (each Worker cleans the partitions it owns, in slices between requests); 0 = none.",
  },
  "log.cleaner.backoff.ms": {
    type: "long",
    default: 15000,
    min: 0,
    origin: "kafka",
    doc: "Pause between checks for partitions to clean when none is due, in milliseconds.",
  },
  "log.cleaner.dedupe.buffer.size": {
    type: "long",
    default: 134217728,
    min: 0,
    origin: "kafka",
    doc:
      "Memory for the key → latest offset map, in bytes, counted as Kafka counts it (24 bytes per key), shared by the cleaner threads of all handler Workers; a cleaning covers as many dirty records as fit.",
  },
  "log.cleaner.io.buffer.size": {
    type: "int",
    default: 524288,
    min: 0,
    origin: "kafka",
    doc:
      "How much the cleaner reads between two yields to other work: a quarter of this per cleaner thread, in bytes (128 KiB by default, at least 4 KiB).",
  },
  "log.cleaner.io.buffer.load.factor": {
    type: "double",
    default: 0.9,
    origin: "kafka",
    doc: "How full the dedupe map may get before a cleaning stops taking more dirty records.",
  },
  "log.cleaner.io.max.bytes.per.second": {
    type: "double",
    default: 1.7976931348623157e308,
    origin: "kafka",
    kafkaDefault: "Double.MAX_VALUE (unthrottled)",
    doc:
      "Bytes per second the cleaner may read, all cleaner threads of all handler Workers together (each Worker an equal share); the default is unthrottled. Whatever this is, while requests wait a cleaning takes at most 5% of its Worker's time.",
  },
  "log.cleaner.min.cleanable.ratio": {
    type: "double",
    default: 0.5,
    min: 0,
    max: 1,
    origin: "kafka",
    doc:
      "Share of a log that must be dirty (written since the last cleaning) before it is cleaned (topic-level: min.cleanable.dirty.ratio).",
  },
  "log.cleaner.delete.retention.ms": {
    type: "long",
    default: 86400000,
    min: 0,
    origin: "kafka",
    doc:
      "How long tombstones (null values) are kept after a cleaning reaches them, in milliseconds (topic-level: delete.retention.ms).",
  },
  "log.cleaner.min.compaction.lag.ms": {
    type: "long",
    default: 0,
    min: 0,
    origin: "kafka",
    doc:
      "Least time a record stays uncompacted after it is written, in milliseconds (topic-level: min.compaction.lag.ms).",
  },
  "log.cleaner.max.compaction.lag.ms": {
    type: "long",
    default: LONG_MAX,
    min: 1,
    origin: "kafka",
    kafkaDefault: LONG_MAX_NOTE,
    doc:
      "Longest time a record may stay uncompacted, in milliseconds: a log with older dirty records is cleaned whatever its dirty ratio (topic-level: max.compaction.lag.ms).",
  },
} as const satisfies Record<string, KeySpec>;
