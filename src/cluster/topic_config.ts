/**
 * Kafka's topic-level configs: validation as Kafka answers it
 * (INVALID_CONFIG, "Unknown topic config name: x", "Invalid value v for
 * configuration k: …"), how a topic's overrides and the broker config merge
 * into a partition's LogConfig and append policy, and the config list that
 * CreateTopics v5+ and DescribeConfigs return. The table of configs itself
 * (types, bounds, broker synonyms, documentation) is topic_config_table.ts.
 */
import type { BrokerConfig } from "../config/keys.ts";
import type { LogConfig } from "../log/log_config.ts";
import { CompressionType } from "../log/record_batch.ts";
import { ErrorCode } from "../protocol/errors.ts";
import { brokerKeyIsSet, brokerSynonyms, ConfigSource, type ConfigSynonym, ConfigType } from "../config/describe.ts";
import { renderDouble, TOPIC_CONFIGS, type TopicConfigSpec, type TopicConfigType } from "./topic_config_table.ts";

// Defined with the broker keys' description (config/describe.ts); topic code and its tests import them from here.
export { ConfigSource, ConfigType };
export { TOPIC_CONFIGS, type TopicConfigSpec };

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
 * or null when every name is known and every value valid: names first, then each value (parse, then validator),
 * then the checks across configs that Kafka's controller makes (LogConfig.validate).
 */
export function validateTopicConfigs(configs: Record<string, string | null>): TopicConfigError | null {
  const names = Object.keys(configs);
  const nulls = names.filter((n) => configs[n] === null);
  if (nulls.length > 0) return invalid(`Null value not supported for topic configs: ${nulls.join(",")}`);
  for (const name of names) {
    if (!isTopicConfig(name)) return invalid(`Unknown topic config name: ${name}`);
  }
  for (const name of names) {
    const bad = valueProblem(TOPIC_CONFIGS[name], configs[name] as string);
    if (bad !== null) return invalid(`Invalid value ${bad.shown} for configuration ${name}: ${bad.problem}`);
  }
  return crossProblem(configs as Record<string, string>);
}

function invalid(message: string): TopicConfigError {
  return { errorCode: ErrorCode.INVALID_CONFIG, message };
}

/**
 * Kafka's checks of values against each other. Tiered storage is off in tsbroker as in a Kafka broker with
 * remote.log.storage.system.enable=false, which refuses remote.storage.enable=true. The compaction lags are
 * compared with Kafka's defaults for the one not given (the broker's log.cleaner keys rarely differ from them).
 */
function crossProblem(configs: Record<string, string>): TopicConfigError | null {
  if (/^true$/i.test(configs["remote.storage.enable"]?.trim() ?? "")) {
    return invalid(
      "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.",
    );
  }
  const minLag = BigInt(configs["min.compaction.lag.ms"]?.trim() ?? "0");
  const maxLag = BigInt(configs["max.compaction.lag.ms"]?.trim() ?? LONG_MAX.toString());
  if (minLag > maxLag) {
    return invalid(
      `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
    );
  }
  return null;
}

/**
 * Kafka's ConfigDef checks (parse, then validator) of one value: the problem, and the value as Kafka's
 * ConfigException shows it (the parsed value: a number as Java prints it, a list's offending item or the list).
 */
function valueProblem(spec: TopicConfigSpec, raw: string): { shown: string; problem: string } | null {
  const text = raw.trim();
  const bad = (problem: string, shown = raw) => ({ shown, problem });
  switch (spec.type) {
    case "int":
    case "long": {
      const n = parseInteger(text, spec.type);
      if (n === null) return bad(`Not a number of type ${spec.type.toUpperCase()}`);
      if (spec.min !== undefined && n < BigInt(spec.min)) return bad(`Value must be at least ${spec.min}`, `${n}`);
      if (spec.max !== undefined && n > BigInt(spec.max)) return bad(`Value must be no more than ${spec.max}`, `${n}`);
      const problem = spec.check?.(`${n}`, []);
      return problem ? bad(problem, `${n}`) : null;
    }
    case "double": {
      // Java's Double.parseDouble: decimal or exponent notation, no hex, no Infinity/NaN worth accepting here.
      const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(text) ? Number(text.replace(/[dDfF]$/, "")) : NaN;
      if (!Number.isFinite(n)) return bad("Not a number of type DOUBLE");
      if (spec.min !== undefined && n < spec.min) return bad(`Value must be at least ${spec.min}`, renderDouble(n));
      if (spec.max !== undefined && n > spec.max) return bad(`Value must be no more than ${spec.max}`, renderDouble(n));
      return null;
    }
    case "boolean":
      return /^(true|false)$/i.test(text) ? null : bad("Expected value to be either true or false");
    case "string": {
      const problem = choiceProblem(spec, text) ?? spec.check?.(text, []);
      return problem ? bad(problem, text) : null;
    }
    case "list": {
      // Kafka reads an empty list as no items (an empty cleanup.policy is "no cleanup at all").
      const items = text === "" ? [] : text.split(/\s*,\s*/);
      for (const item of items) {
        const problem = choiceProblem(spec, item);
        if (problem) return bad(problem, item);
      }
      const problem = spec.check?.(text, items);
      return problem ? bad(problem, `[${items.join(", ")}]`) : null;
    }
  }
}

function choiceProblem(spec: TopicConfigSpec, item: string): string | null {
  return spec.kafkaValues && !spec.kafkaValues.includes(item)
    ? `String must be one of: ${spec.kafkaValues.join(", ")}`
    : null;
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
  /** compression.type as a codec id (CompressionType), or null for producer: batches are stored as they come. */
  compression: number | null;
  /** The compression.*.level of that codec, when it has one tsbroker applies (gzip, zstd); undefined = the codec's default. */
  compressionLevel?: number;
}

const CODECS: Readonly<Record<string, number | null>> = {
  producer: null,
  uncompressed: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export function resolveAppendPolicy(cfg: BrokerConfig, topicConfigs: Record<string, string>): AppendPolicy {
  const type = (topicConfigs["compression.type"] ?? TOPIC_CONFIGS["compression.type"].defaultValue(cfg)).trim();
  const compression = CODECS[type] ?? null;
  let compressionLevel: number | undefined;
  if (compression === CompressionType.Zstd) compressionLevel = numeric(cfg, topicConfigs, "compression.zstd.level");
  if (compression === CompressionType.Gzip) {
    const level = numeric(cfg, topicConfigs, "compression.gzip.level");
    if (level !== -1) compressionLevel = level;
  }
  return {
    minInSyncReplicas: numeric(cfg, topicConfigs, "min.insync.replicas"),
    messageTimestampBeforeMaxMs: timestampBound(cfg, topicConfigs, "message.timestamp.before.max.ms"),
    messageTimestampAfterMaxMs: timestampBound(cfg, topicConfigs, "message.timestamp.after.max.ms"),
    compression,
    ...(compressionLevel !== undefined ? { compressionLevel } : {}),
  };
}

/**
 * Kafka 3.9's rule for the deprecated message.timestamp.difference.max.ms: a side (before or after) at
 * Long.MAX_VALUE takes the difference instead. tsbroker's log.message.timestamp.after.max.ms defaults to one
 * hour (Kafka 4.0's default) where 3.9's was Long.MAX_VALUE, so a side set nowhere (neither on the topic nor on
 * the broker) also takes it: a topic with only difference.max.ms gets that bound both ways, as on Kafka 3.9.
 */
function timestampBound(cfg: BrokerConfig, topicConfigs: Record<string, string>, name: string): number {
  const value = numeric(cfg, topicConfigs, name);
  const difference = numeric(cfg, topicConfigs, "message.timestamp.difference.max.ms");
  if (difference >= Number.MAX_SAFE_INTEGER) return value;
  const brokerKey = TOPIC_CONFIGS[name].brokerKeys[0];
  const set = topicConfigs[name] !== undefined || brokerKeyIsSet(cfg, brokerKey);
  return !set || value >= Number.MAX_SAFE_INTEGER ? difference : value;
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
