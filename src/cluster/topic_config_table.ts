/**
 * The table of Kafka 3.9's topic-level configs (Kafka's LogConfig): each one's
 * type and valid values, the broker keys that supply its default (Kafka's
 * ServerTopicConfigSynonyms), and what it does in tsbroker. Validation,
 * merging and description live in topic_config.ts.
 *
 * Every name Kafka 3.9 accepts is here. Those that cannot matter on a single
 * node without tiered storage (replication throttles, remote storage, a
 * message format for down-conversion) are stored and described, and their
 * documentation says they have no effect. Kafka 4.x removed three of them
 * (message.format.version, message.timestamp.difference.max.ms, and
 * message.downconversion.enable's effect); they stay, as 3.9 has them.
 */
import type { BrokerConfig, ConfigKey } from "../config/keys.ts";
import {
  effectiveFlushMs,
  effectiveRetentionMs,
  effectiveRollJitterMs,
  effectiveRollMs,
} from "../config/log_settings.ts";

export type TopicConfigType = "int" | "long" | "double" | "boolean" | "string" | "list";

/** How Kafka prints Long.MAX_VALUE, which tsbroker holds as Number.MAX_SAFE_INTEGER. */
export const LONG_MAX_TEXT = "9223372036854775807";

export interface TopicConfigSpec {
  readonly type: TopicConfigType;
  /** Kafka's lower bound (ConfigDef atLeast / between), if any. */
  readonly min?: number;
  /** Kafka's upper bound (ConfigDef between), if any. */
  readonly max?: number;
  /** For strings and lists: every value Kafka accepts. */
  readonly kafkaValues?: readonly string[];
  /**
   * Kafka's own validator for values the fields above cannot express: the problem with a parsed value (the
   * trimmed text, or a list's items), or null.
   */
  readonly check?: (value: string, items: readonly string[]) => string | null;
  /** Broker keys that supply the default (Kafka's synonyms), highest precedence first. */
  readonly brokerKeys: readonly ConfigKey[];
  /**
   * Kafka's broker key for a config whose default tsbroker fixes instead: its DEFAULT_CONFIG synonym, which
   * DescribeConfigs lists as Kafka does (its value is the fixed default).
   */
  readonly kafkaBrokerKey?: string;
  /** The default as text: from the broker config, or Kafka's fixed default when tsbroker has no broker key. */
  readonly defaultValue: (cfg: BrokerConfig) => string;
  readonly doc: string;
}

/** Java's Double.toString for the values configs hold: whole numbers keep a ".0". */
export function renderDouble(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

export function renderNumber(n: number): string {
  return n === Number.MAX_SAFE_INTEGER ? LONG_MAX_TEXT : String(n);
}

const fromKey = (key: ConfigKey) => (cfg: BrokerConfig): string => renderNumber(cfg[key] as number);
const fixed = (value: string) => (): string => value;

/** Kafka 3.9's message format (inter-broker protocol) versions, as MetadataVersion names them. */
const FORMAT_RELEASES_WITHOUT_IV = ["0.8.0", "0.8.1", "0.8.2", "0.9.0"];
const FORMAT_IVS: ReadonlyArray<[string, number]> = [
  ["0.10.0", 2],
  ["0.10.1", 3],
  ["0.10.2", 1],
  ["0.11.0", 3],
  ["1.0", 1],
  ["1.1", 1],
  ["2.0", 2],
  ["2.1", 3],
  ["2.2", 2],
  ["2.3", 2],
  ["2.4", 2],
  ["2.5", 1],
  ["2.6", 1],
  ["2.7", 3],
  ["2.8", 2],
  ["3.0", 2],
  ["3.1", 1],
  ["3.2", 1],
  ["3.3", 4],
  ["3.4", 1],
  ["3.5", 3],
  ["3.6", 3],
  ["3.7", 5],
  ["3.8", 1],
  ["3.9", 1],
  ["4.0", 2],
];
/** Every version string Kafka 3.9 maps to a version: each "x.y-IVn", and each release up to 3.9 on its own. */
const FORMAT_VERSIONS: ReadonlySet<string> = new Set([
  ...FORMAT_RELEASES_WITHOUT_IV,
  ...FORMAT_IVS.flatMap(([release, n]) => Array.from({ length: n }, (_, i) => `${release}-IV${i}`)),
  ...FORMAT_IVS.filter(([release]) => release !== "4.0").map(([release]) => release),
]);

/**
 * Kafka 3.9's MetadataVersion.fromVersionString: the first three dot-separated parts of a "0.x" version, the
 * first two of any other, must name a version ("2.8.1" is 2.8, "0.10.0.1" is 0.10.0).
 */
function formatVersionProblem(value: string): string | null {
  const parts = value.split(".");
  // Java's String.split drops trailing empty parts ("3.0." is two parts, and then not a version).
  while (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  const keep = value.startsWith("0.") ? 3 : 2;
  const key = parts.length <= keep ? value : parts.slice(0, keep).join(".");
  return FORMAT_VERSIONS.has(key) ? null : `Version ${value} is not a valid version`;
}

/** Kafka's ThrottledReplicaListValidator: "*" or partition:broker pairs (empty items allowed). */
function throttledReplicasProblem(name: string) {
  return (_value: string, items: readonly string[]): string | null =>
    items.every((i) => /^(\d+:\d+)?$/.test(i.trim())) || items.map((i) => i.trim()).join("") === "*"
      ? null
      : `${name} must be the literal '*' or a list of replicas in the following format: ` +
        "[partitionId]:[brokerId],[partitionId]:[brokerId],...";
}

const SINGLE_NODE = "Accepted, no effect on a single node:";
const NO_TIERED_STORAGE = "Accepted, no effect: tsbroker has no tiered storage.";

/** The table, in Kafka's names; DescribeConfigs lists these sorted by name. */
export const TOPIC_CONFIGS: Readonly<Record<string, TopicConfigSpec>> = {
  "cleanup.policy": {
    type: "list",
    kafkaValues: ["compact", "delete"],
    brokerKeys: ["log.cleanup.policy"],
    defaultValue: (cfg) => cfg["log.cleanup.policy"].join(","),
    doc:
      "How old records are cleaned up: delete (whole segments, by retention.ms and retention.bytes), compact (the log cleaner keeps the latest record per key), or both; empty = neither.",
  },
  "compression.gzip.level": {
    type: "int",
    check: (value) => {
      const n = Number(value);
      return n > 9 || (n < 1 && n !== -1) ? "Value must be between 1 and 9 or equal to -1" : null;
    },
    brokerKeys: ["compression.gzip.level"],
    defaultValue: fromKey("compression.gzip.level"),
    doc: "Level of gzip when the broker recompresses to gzip (compression.type=gzip): 1-9, or -1 for zlib's default.",
  },
  "compression.lz4.level": {
    type: "int",
    min: 1,
    max: 17,
    brokerKeys: ["compression.lz4.level"],
    defaultValue: fromKey("compression.lz4.level"),
    doc:
      "Level of lz4 when the broker recompresses to lz4. Accepted and stored; tsbroker's lz4 writer has a single (fast) level, so it does not change the output.",
  },
  "compression.type": {
    type: "string",
    kafkaValues: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"],
    brokerKeys: ["compression.type"],
    defaultValue: (cfg) => cfg["compression.type"],
    doc:
      "Codec of stored batches: producer keeps each batch as the producer compressed it; uncompressed, gzip, snappy, lz4 or zstd makes the broker rewrite every produced batch in another codec into that one (at the compression.*.level), as Kafka's LogValidator does.",
  },
  "compression.zstd.level": {
    type: "int",
    min: -131072,
    max: 22,
    brokerKeys: ["compression.zstd.level"],
    defaultValue: fromKey("compression.zstd.level"),
    doc: "Level of zstd when the broker recompresses to zstd (compression.type=zstd), -131072 to 22.",
  },
  "delete.retention.ms": {
    type: "long",
    min: 0,
    brokerKeys: ["log.cleaner.delete.retention.ms"],
    defaultValue: fromKey("log.cleaner.delete.retention.ms"),
    doc: "How long a compacted topic keeps tombstones (null values) after the cleaner reaches them, in milliseconds.",
  },
  "file.delete.delay.ms": {
    type: "long",
    min: 0,
    brokerKeys: ["log.segment.delete.delay.ms"],
    defaultValue: fromKey("log.segment.delete.delay.ms"),
    doc: "Time a deleted segment's files stay on disk before removal, in milliseconds.",
  },
  "flush.messages": {
    type: "long",
    min: 1,
    brokerKeys: ["log.flush.interval.messages"],
    defaultValue: fromKey("log.flush.interval.messages"),
    doc: "Records appended before the partition is fsync'ed.",
  },
  "flush.ms": {
    type: "long",
    min: 0,
    brokerKeys: ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
    defaultValue: (cfg) => renderNumber(effectiveFlushMs(cfg)),
    doc: "Longest time appended records stay unflushed, in milliseconds.",
  },
  "follower.replication.throttled.replicas": {
    type: "list",
    check: throttledReplicasProblem("follower.replication.throttled.replicas"),
    brokerKeys: [],
    defaultValue: fixed(""),
    doc: `${SINGLE_NODE} replicas whose replication by followers is throttled ('*' or partition:broker pairs).`,
  },
  "index.interval.bytes": {
    type: "int",
    min: 0,
    brokerKeys: ["log.index.interval.bytes"],
    defaultValue: fromKey("log.index.interval.bytes"),
    doc: "Bytes of records between two offset-index entries.",
  },
  "leader.replication.throttled.replicas": {
    type: "list",
    check: throttledReplicasProblem("leader.replication.throttled.replicas"),
    brokerKeys: [],
    defaultValue: fixed(""),
    doc: `${SINGLE_NODE} replicas whose replication from the leader is throttled ('*' or partition:broker pairs).`,
  },
  "local.retention.bytes": {
    type: "long",
    min: -2,
    brokerKeys: ["log.local.retention.bytes"],
    defaultValue: fromKey("log.local.retention.bytes"),
    doc: `${NO_TIERED_STORAGE} Size of the local part of a tiered log (-2 = retention.bytes).`,
  },
  "local.retention.ms": {
    type: "long",
    min: -2,
    brokerKeys: ["log.local.retention.ms"],
    defaultValue: fromKey("log.local.retention.ms"),
    doc: `${NO_TIERED_STORAGE} Age of the local part of a tiered log (-2 = retention.ms).`,
  },
  "max.compaction.lag.ms": {
    type: "long",
    min: 1,
    brokerKeys: ["log.cleaner.max.compaction.lag.ms"],
    defaultValue: fromKey("log.cleaner.max.compaction.lag.ms"),
    doc: "Longest time a record stays uncompacted in a compacted topic, in milliseconds, whatever the dirty ratio.",
  },
  "max.message.bytes": {
    type: "int",
    min: 0,
    brokerKeys: ["message.max.bytes"],
    defaultValue: fromKey("message.max.bytes"),
    doc: "Largest record batch accepted, in bytes, after compression (the broker's, when it recompresses).",
  },
  "message.downconversion.enable": {
    type: "boolean",
    brokerKeys: [],
    kafkaBrokerKey: "log.message.downconversion.enable",
    defaultValue: fixed("true"),
    doc:
      "Accepted, no effect: deprecated in Kafka 3.9 (removed in 4.0); tsbroker serves only v2 record batches, so there is nothing to down-convert.",
  },
  "message.format.version": {
    type: "string",
    check: formatVersionProblem,
    brokerKeys: [],
    kafkaBrokerKey: "log.message.format.version",
    defaultValue: fixed("3.0-IV1"),
    doc:
      "Accepted, no effect: deprecated in Kafka 3.x (removed in 4.0), which also ignores it from protocol 3.0 on; batches are always stored as v2.",
  },
  "message.timestamp.after.max.ms": {
    type: "long",
    min: 0,
    brokerKeys: ["log.message.timestamp.after.max.ms"],
    defaultValue: fromKey("log.message.timestamp.after.max.ms"),
    doc: "With CreateTime, how far a timestamp may lie after the broker's clock, in milliseconds.",
  },
  "message.timestamp.before.max.ms": {
    type: "long",
    min: 0,
    brokerKeys: ["log.message.timestamp.before.max.ms"],
    defaultValue: fromKey("log.message.timestamp.before.max.ms"),
    doc: "With CreateTime, how far a timestamp may lie before the broker's clock, in milliseconds.",
  },
  "message.timestamp.difference.max.ms": {
    type: "long",
    min: 0,
    brokerKeys: [],
    kafkaBrokerKey: "log.message.timestamp.difference.max.ms",
    defaultValue: fixed(LONG_MAX_TEXT),
    doc:
      "Deprecated in Kafka 3.6 (removed in 4.0): with CreateTime, how far a timestamp may lie from the broker's clock, either way, in milliseconds; it bounds each side whose message.timestamp.before/after.max.ms is unset or Long.MAX_VALUE, as in Kafka 3.9.",
  },
  "message.timestamp.type": {
    type: "string",
    kafkaValues: ["CreateTime", "LogAppendTime"],
    brokerKeys: ["log.message.timestamp.type"],
    defaultValue: (cfg) => cfg["log.message.timestamp.type"],
    doc: "Timestamp stored with records: CreateTime (the producer's) or LogAppendTime (the broker's).",
  },
  "min.cleanable.dirty.ratio": {
    type: "double",
    min: 0,
    max: 1,
    brokerKeys: ["log.cleaner.min.cleanable.ratio"],
    defaultValue: (cfg) => renderDouble(cfg["log.cleaner.min.cleanable.ratio"]),
    doc: "Share of a compacted log written since its last cleaning that makes it due for cleaning.",
  },
  "min.compaction.lag.ms": {
    type: "long",
    min: 0,
    brokerKeys: ["log.cleaner.min.compaction.lag.ms"],
    defaultValue: fromKey("log.cleaner.min.compaction.lag.ms"),
    doc: "Least time a record stays uncompacted in a compacted topic, in milliseconds.",
  },
  "min.insync.replicas": {
    type: "int",
    min: 1,
    brokerKeys: ["min.insync.replicas"],
    defaultValue: fromKey("min.insync.replicas"),
    doc:
      "Accepted, no effect on a single node: in-sync replicas an acks=all produce needs; as in Kafka 3.7+, the requirement is capped at the replica count, which is one here.",
  },
  "preallocate": {
    type: "boolean",
    brokerKeys: [],
    kafkaBrokerKey: "log.preallocate",
    defaultValue: fixed("false"),
    doc: "Accepted, no effect: tsbroker does not preallocate segment files.",
  },
  "remote.log.copy.disable": {
    type: "boolean",
    brokerKeys: [],
    defaultValue: fixed("false"),
    doc: `${NO_TIERED_STORAGE} Stops copying segments of a tiered topic to remote storage.`,
  },
  "remote.log.delete.on.disable": {
    type: "boolean",
    brokerKeys: [],
    defaultValue: fixed("false"),
    doc: `${NO_TIERED_STORAGE} Deletes a tiered topic's remote data when its tiering is turned off.`,
  },
  "remote.storage.enable": {
    type: "boolean",
    brokerKeys: [],
    defaultValue: fixed("false"),
    doc:
      "Tiered storage for the topic: only false, as in a Kafka broker whose tiered storage is disabled (true is refused with Kafka's message).",
  },
  "retention.bytes": {
    type: "long",
    brokerKeys: ["log.retention.bytes"],
    defaultValue: fromKey("log.retention.bytes"),
    doc: "Largest size of a partition's log before its oldest segments are deleted; negative = no limit.",
  },
  "retention.ms": {
    type: "long",
    min: -1,
    brokerKeys: ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
    defaultValue: (cfg) => renderNumber(effectiveRetentionMs(cfg)),
    doc: "Time a segment is kept after its newest record, in milliseconds; -1 = no limit.",
  },
  "segment.bytes": {
    type: "int",
    min: 14,
    brokerKeys: ["log.segment.bytes"],
    defaultValue: fromKey("log.segment.bytes"),
    doc: "Largest size of one segment file.",
  },
  "segment.index.bytes": {
    type: "int",
    min: 4,
    brokerKeys: ["log.index.size.max.bytes"],
    defaultValue: fromKey("log.index.size.max.bytes"),
    doc: "Largest size of a segment's offset index.",
  },
  "segment.jitter.ms": {
    type: "long",
    min: 0,
    brokerKeys: ["log.roll.jitter.ms", "log.roll.jitter.hours"],
    defaultValue: (cfg) => renderNumber(effectiveRollJitterMs(cfg)),
    doc: "Largest random time subtracted from segment.ms, in milliseconds.",
  },
  "segment.ms": {
    type: "long",
    min: 1,
    brokerKeys: ["log.roll.ms", "log.roll.hours"],
    defaultValue: (cfg) => renderNumber(effectiveRollMs(cfg)),
    doc: "Age after which the active segment is rolled, in milliseconds.",
  },
  "unclean.leader.election.enable": {
    type: "boolean",
    brokerKeys: [],
    kafkaBrokerKey: "unclean.leader.election.enable",
    defaultValue: fixed("false"),
    doc: "Accepted, no effect on a single node: it has no leader elections.",
  },
};
