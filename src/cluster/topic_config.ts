/**
 * Kafka's topic-level configs that tsbroker knows: their types and valid
 * values (Kafka's LogConfig), the broker keys that supply their defaults, how
 * a topic's overrides and the broker config merge into a partition's
 * LogConfig, and the config list that CreateTopics v5+ and DescribeConfigs
 * return.
 *
 * Validation answers as Kafka does (INVALID_CONFIG, "Unknown topic config
 * name: x", "Invalid value v for configuration k: …"). Configs that ask for a
 * feature tsbroker lacks are refused rather than silently ignored:
 * broker-side recompression (compression.type other than producer). A few
 * configs that cannot matter on a single node serving only v2 batches are
 * accepted without effect, so that tools that always send them keep working;
 * their documentation says so.
 */
import type { BrokerConfig, ConfigKey } from "../config/keys.ts";
import {
  effectiveFlushMs,
  effectiveRetentionMs,
  effectiveRollJitterMs,
  effectiveRollMs,
} from "../config/log_settings.ts";
import type { LogConfig } from "../log/log_config.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { brokerSynonyms, ConfigSource, type ConfigSynonym, ConfigType } from "../config/describe.ts";

// Defined with the broker keys' description (config/describe.ts); topic code and its tests import them from here.
export { ConfigSource, ConfigType };

type TopicConfigType = "int" | "long" | "double" | "boolean" | "string" | "list";

const TYPE_IDS: Record<TopicConfigType, number> = {
  int: ConfigType.INT,
  long: ConfigType.LONG,
  double: ConfigType.DOUBLE,
  boolean: ConfigType.BOOLEAN,
  string: ConfigType.STRING,
  list: ConfigType.LIST,
};

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;
/** How Kafka prints Long.MAX_VALUE, which tsbroker holds as Number.MAX_SAFE_INTEGER. */
const LONG_MAX_TEXT = "9223372036854775807";

export interface TopicConfigSpec {
  readonly type: TopicConfigType;
  /** Kafka's lower bound (ConfigDef atLeast / between), if any. */
  readonly min?: number;
  /** Kafka's upper bound (ConfigDef between), if any. */
  readonly max?: number;
  /** For strings and lists: every value Kafka accepts. */
  readonly kafkaValues?: readonly string[];
  /** For strings and lists: the subset tsbroker supports, and why the rest is refused. */
  readonly supported?: { readonly values: readonly string[]; readonly why: string };
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

const fromKey = (key: ConfigKey) => (cfg: BrokerConfig): string => renderNumber(cfg[key] as number);
const fixed = (value: string) => (): string => value;

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
  "compression.type": {
    type: "string",
    kafkaValues: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"],
    supported: {
      values: ["producer"],
      why:
        "tsbroker stores record batches as the producer compressed them and does not recompress; only producer is supported",
    },
    brokerKeys: [],
    kafkaBrokerKey: "compression.type",
    defaultValue: fixed("producer"),
    doc: "Compression of stored batches: only producer (kept as the producer sent them); tsbroker does not recompress.",
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
  "index.interval.bytes": {
    type: "int",
    min: 0,
    brokerKeys: ["log.index.interval.bytes"],
    defaultValue: fromKey("log.index.interval.bytes"),
    doc: "Bytes of records between two offset-index entries.",
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
    doc: "Largest record batch accepted, in bytes, after compression.",
  },
  "message.downconversion.enable": {
    type: "boolean",
    brokerKeys: [],
    kafkaBrokerKey: "log.message.downconversion.enable",
    defaultValue: fixed("true"),
    doc: "Accepted, no effect: tsbroker serves only v2 record batches, so there is nothing to down-convert.",
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
    doc: "In-sync replicas an acks=all produce needs; this single-node broker has one, so above 1 acks=all fails.",
  },
  "preallocate": {
    type: "boolean",
    brokerKeys: [],
    kafkaBrokerKey: "log.preallocate",
    defaultValue: fixed("false"),
    doc: "Accepted, no effect: tsbroker does not preallocate segment files.",
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
    doc: "Accepted, no effect: a single node has no leader elections.",
  },
};

export const TOPIC_CONFIG_NAMES: readonly string[] = Object.keys(TOPIC_CONFIGS).sort();

export function isTopicConfig(name: string): boolean {
  return Object.hasOwn(TOPIC_CONFIGS, name);
}

export interface TopicConfigError {
  errorCode: number;
  message: string;
}

/**
 * Checks the configs of a CreateTopics (or AlterConfigs) request. Returns the first problem as Kafka reports it,
 * or null when every name is known and every value valid.
 */
export function validateTopicConfigs(configs: Record<string, string | null>): TopicConfigError | null {
  const names = Object.keys(configs);
  const nulls = names.filter((n) => configs[n] === null);
  if (nulls.length > 0) return invalid(`Null value not supported for topic configs: ${nulls.join(",")}`);
  for (const name of names) {
    if (!isTopicConfig(name)) return invalid(`Unknown topic config name: ${name}`);
  }
  for (const name of names) {
    const problem = valueProblem(TOPIC_CONFIGS[name], configs[name] as string);
    if (problem !== null) return invalid(`Invalid value ${configs[name]} for configuration ${name}: ${problem}`);
  }
  return null;
}

function invalid(message: string): TopicConfigError {
  return { errorCode: ErrorCode.INVALID_CONFIG, message };
}

/** Kafka's ConfigDef checks (parse, then validator), then tsbroker's own limits. */
function valueProblem(spec: TopicConfigSpec, raw: string): string | null {
  const text = raw.trim();
  switch (spec.type) {
    case "int":
    case "long": {
      const n = parseInteger(text, spec.type);
      if (n === null) return `Not a number of type ${spec.type.toUpperCase()}`;
      if (spec.min !== undefined && n < BigInt(spec.min)) return `Value must be at least ${spec.min}`;
      return null;
    }
    case "double": {
      // Java's Double.parseDouble: decimal or exponent notation, no hex, no Infinity/NaN worth accepting here.
      const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(text) ? Number(text.replace(/[dDfF]$/, "")) : NaN;
      if (!Number.isFinite(n)) return "Not a number of type DOUBLE";
      if (spec.min !== undefined && spec.max !== undefined && (n < spec.min || n > spec.max)) {
        return `Value must be between ${renderDouble(spec.min)} and ${renderDouble(spec.max)}`;
      }
      return null;
    }
    case "boolean":
      return /^(true|false)$/i.test(text) ? null : "Expected value to be either true or false";
    case "string":
      return choiceProblem(spec, [text]);
    case "list": {
      const items = text === "" ? [] : text.split(/\s*,\s*/);
      // Kafka reads an empty cleanup.policy as "no cleanup at all".
      if (items.length === 0) return spec.supported ? spec.supported.why : null;
      return choiceProblem(spec, items);
    }
  }
}

function choiceProblem(spec: TopicConfigSpec, items: string[]): string | null {
  for (const item of items) {
    if (spec.kafkaValues && !spec.kafkaValues.includes(item)) {
      return `String must be one of: ${spec.kafkaValues.join(", ")}`;
    }
  }
  for (const item of items) {
    if (spec.supported && !spec.supported.values.includes(item)) return spec.supported.why;
  }
  return null;
}

/** Java's Integer/Long.parseLong on trimmed text: optional sign, digits, within the type's range. */
function parseInteger(text: string, type: "int" | "long"): bigint | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const n = BigInt(text);
  const [lo, hi] = type === "int" ? [INT_MIN, INT_MAX] : [LONG_MIN, LONG_MAX];
  return n >= lo && n <= hi ? n : null;
}

/** A validated integer as a JS number; values beyond 2^53−1 (in practice Long.MAX_VALUE, "never") are clamped. */
function toNumber(text: string): number {
  const n = BigInt(text.trim());
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (n < -BigInt(Number.MAX_SAFE_INTEGER)) return -Number.MAX_SAFE_INTEGER;
  return Number(n);
}

/** Java's Double.toString for the values configs hold: whole numbers keep a ".0". */
function renderDouble(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

function renderNumber(n: number): string {
  return n === Number.MAX_SAFE_INTEGER ? LONG_MAX_TEXT : String(n);
}

/** The topic's value if set, else the broker's effective default, as a number. */
function numeric(cfg: BrokerConfig, topicConfigs: Record<string, string>, name: string): number {
  const own = topicConfigs[name];
  return toNumber(own !== undefined ? own : TOPIC_CONFIGS[name].defaultValue(cfg));
}

/**
 * A partition's LogConfig: the topic's overrides over the broker's settings (with Kafka's precedence between
 * log.retention.ms/minutes/hours, log.roll.ms/hours, log.flush.interval.ms/scheduler). `topicConfigs` must have
 * passed validateTopicConfigs.
 */
export function resolveLogConfig(cfg: BrokerConfig, topicConfigs: Record<string, string>): LogConfig {
  const num = (name: string) => numeric(cfg, topicConfigs, name);
  const timestampType = topicConfigs["message.timestamp.type"]?.trim() ?? cfg["log.message.timestamp.type"];
  const retentionMs = num("retention.ms");
  const retentionBytes = num("retention.bytes");
  const policy = (topicConfigs["cleanup.policy"] ?? TOPIC_CONFIGS["cleanup.policy"].defaultValue(cfg))
    .split(",").map((p) => p.trim());
  return {
    compact: policy.includes("compact"),
    deleteByRetention: policy.includes("delete"),
    deleteRetentionMs: num("delete.retention.ms"),
    minCleanableDirtyRatio: Number(topicConfigs["min.cleanable.dirty.ratio"] ?? cfg["log.cleaner.min.cleanable.ratio"]),
    minCompactionLagMs: num("min.compaction.lag.ms"),
    maxCompactionLagMs: num("max.compaction.lag.ms"),
    segmentBytes: num("segment.bytes"),
    segmentMs: num("segment.ms"),
    segmentJitterMs: num("segment.jitter.ms"),
    // Kafka treats every negative retention as unlimited.
    retentionMs: retentionMs < 0 ? -1 : retentionMs,
    retentionBytes: retentionBytes < 0 ? -1 : retentionBytes,
    maxMessageBytes: num("max.message.bytes"),
    messageTimestampType: timestampType === "LogAppendTime" ? "LogAppendTime" : "CreateTime",
    indexIntervalBytes: num("index.interval.bytes"),
    segmentIndexBytes: num("segment.index.bytes"),
    flushMessages: num("flush.messages"),
    flushMs: num("flush.ms"),
    fileDeleteDelayMs: num("file.delete.delay.ms"),
    rollFlushDelayMs: cfg["tsbroker.log.roll.flush.delay.ms"],
  };
}

/** Topic settings checked on produce rather than by the log (not part of LogConfig). */
export interface AppendPolicy {
  /**
   * Kafka 3.7+ caps the required in-sync count at the replica count (KAFKA-15583), so with one
   * replica acks=all never fails for it; kept for DescribeConfigs and a replicated future.
   */
  minInSyncReplicas: number;
  /** With CreateTime: batches whose timestamps lie further before / after the broker's clock get INVALID_TIMESTAMP. */
  messageTimestampBeforeMaxMs: number;
  messageTimestampAfterMaxMs: number;
}

export function resolveAppendPolicy(cfg: BrokerConfig, topicConfigs: Record<string, string>): AppendPolicy {
  return {
    minInSyncReplicas: numeric(cfg, topicConfigs, "min.insync.replicas"),
    messageTimestampBeforeMaxMs: numeric(cfg, topicConfigs, "message.timestamp.before.max.ms"),
    messageTimestampAfterMaxMs: numeric(cfg, topicConfigs, "message.timestamp.after.max.ms"),
  };
}

export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** ConfigSource: TOPIC_CONFIG, STATIC_BROKER_CONFIG or DEFAULT_CONFIG (the first synonym's). */
  source: number;
  isSensitive: boolean;
  /** Kafka's order: the topic's override, then its broker keys' (config/describe.ts). */
  synonyms: ConfigSynonym[];
  documentation: string;
  /** ConfigType id (DescribeConfigs v3+). */
  type: number;
}

/**
 * Every topic config with its effective value, where it comes from and its synonyms, sorted by name: what
 * CreateTopics v5+ returns for a new topic and DescribeConfigs for a topic. As in Kafka's ConfigHelper, the source
 * is the first synonym's: the topic's override, else a broker key the operator set (STATIC_BROKER_CONFIG), else
 * DEFAULT_CONFIG — including when only a lower-precedence key is set (log.retention.hours for retention.ms), since
 * Kafka drops the synonyms before the first one named like the topic config's own broker key.
 */
export function describeTopicConfigs(cfg: BrokerConfig, topicConfigs: Record<string, string>): DescribedConfig[] {
  return TOPIC_CONFIG_NAMES.map((name) => {
    const spec = TOPIC_CONFIGS[name];
    const own = topicConfigs[name];
    const synonyms: ConfigSynonym[] = own !== undefined
      ? [{ name, value: own, source: ConfigSource.TOPIC_CONFIG }]
      : [];
    if (spec.brokerKeys.length > 0) synonyms.push(...brokerSynonyms(cfg, spec.brokerKeys[0], spec.brokerKeys));
    else if (spec.kafkaBrokerKey) {
      synonyms.push({ name: spec.kafkaBrokerKey, value: spec.defaultValue(cfg), source: ConfigSource.DEFAULT_CONFIG });
    }
    return {
      name,
      value: own !== undefined ? own : spec.defaultValue(cfg),
      readOnly: false,
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: false,
      synonyms,
      documentation: spec.doc,
      type: TYPE_IDS[spec.type],
    };
  });
}
