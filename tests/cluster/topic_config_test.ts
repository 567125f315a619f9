/** Topic-level configs: Kafka's validation wording, refusal of unsupported features, merging with broker defaults. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import {
  ConfigSource,
  ConfigType,
  describeTopicConfigs,
  resolveAppendPolicy,
  resolveLogConfig,
  TOPIC_CONFIG_NAMES,
  validateTopicConfigs,
} from "../../src/cluster/topic_config.ts";
import { DEFAULT_LOG_CONFIG } from "../../src/log/log_config.ts";

const INVALID_CONFIG = 40;
const HOUR = 3_600_000;

function problem(configs: Record<string, string | null>): string {
  const error = validateTopicConfigs(configs);
  assert.ok(error, `expected ${JSON.stringify(configs)} to be refused`);
  assert.equal(error.errorCode, INVALID_CONFIG);
  return error.message;
}

describe("validateTopicConfigs", () => {
  test("valid configs, including Kafka's Long.MAX_VALUE and padded values, pass", () => {
    assert.equal(validateTopicConfigs({}), null);
    assert.equal(
      validateTopicConfigs({
        "retention.ms": "-1",
        "retention.bytes": "-5",
        "segment.bytes": " 1048576 ",
        "segment.ms": "+60000",
        "flush.messages": "9223372036854775807",
        "message.timestamp.type": "LogAppendTime",
        "cleanup.policy": "delete",
        "compression.type": "producer",
        "preallocate": "TRUE",
        "unclean.leader.election.enable": "false",
        "message.downconversion.enable": "true",
        "min.insync.replicas": "3",
      }),
      null,
    );
  });

  test("unknown names and null values are refused as Kafka words it", () => {
    assert.equal(problem({ "retention.mss": "1" }), "Unknown topic config name: retention.mss");
    assert.equal(
      problem({ "retention.ms": null, "segment.ms": null }),
      "Null value not supported for topic configs: retention.ms,segment.ms",
    );
  });

  test("bad values name the value and the config", () => {
    assert.equal(
      problem({ "segment.bytes": "abc" }),
      "Invalid value abc for configuration segment.bytes: Not a number of type INT",
    );
    assert.equal(
      problem({ "segment.bytes": "2147483648" }),
      "Invalid value 2147483648 for configuration segment.bytes: Not a number of type INT",
    );
    assert.equal(
      problem({ "segment.bytes": "13" }),
      "Invalid value 13 for configuration segment.bytes: Value must be at least 14",
    );
    assert.equal(
      problem({ "retention.ms": "-2" }),
      "Invalid value -2 for configuration retention.ms: Value must be at least -1",
    );
    assert.equal(
      problem({ "segment.ms": "1.5" }),
      "Invalid value 1.5 for configuration segment.ms: Not a number of type LONG",
    );
    assert.equal(
      problem({ "flush.messages": "9223372036854775808" }),
      "Invalid value 9223372036854775808 for configuration flush.messages: Not a number of type LONG",
    );
    assert.equal(
      problem({ "preallocate": "yes" }),
      "Invalid value yes for configuration preallocate: Expected value to be either true or false",
    );
    assert.equal(
      problem({ "message.timestamp.type": "createtime" }),
      "Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime",
    );
    assert.equal(
      problem({ "min.insync.replicas": "0" }),
      "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1",
    );
  });

  test("cleanup.policy takes compact, delete, both or neither; compaction settings are checked", () => {
    for (const policy of ["compact", "delete,compact", "compact, delete", ""]) {
      assert.equal(validateTopicConfigs({ "cleanup.policy": policy }), null, policy);
    }
    assert.match(problem({ "cleanup.policy": "shred" }), /String must be one of: compact, delete/);
    assert.equal(validateTopicConfigs({ "min.cleanable.dirty.ratio": "0.01" }), null);
    assert.equal(
      problem({ "min.cleanable.dirty.ratio": "1.5" }),
      "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be between 0.0 and 1.0",
    );
    assert.match(problem({ "min.cleanable.dirty.ratio": "half" }), /Not a number of type DOUBLE/);
    assert.match(problem({ "max.compaction.lag.ms": "0" }), /Value must be at least 1/);
    assert.match(problem({ "delete.retention.ms": "-1" }), /Value must be at least 0/);
  });

  test("a compacted topic's LogConfig carries the cleaner's settings", () => {
    const cfg = loadConfig();
    const plain = resolveLogConfig(cfg, {});
    assert.deepEqual([plain.compact, plain.deleteByRetention, plain.deleteRetentionMs], [false, true, 86_400_000]);
    const both = resolveLogConfig(cfg, {
      "cleanup.policy": "compact,delete",
      "min.cleanable.dirty.ratio": "0.1",
      "min.compaction.lag.ms": "5",
      "max.compaction.lag.ms": "60000",
      "delete.retention.ms": "100",
    });
    assert.deepEqual(
      [both.compact, both.deleteByRetention, both.minCleanableDirtyRatio, both.minCompactionLagMs],
      [true, true, 0.1, 5],
    );
    assert.deepEqual([both.maxCompactionLagMs, both.deleteRetentionMs], [60000, 100]);
    const neither = resolveLogConfig(cfg, { "cleanup.policy": "" });
    assert.deepEqual([neither.compact, neither.deleteByRetention], [false, false]);
  });

  test("recompression is refused, not ignored", () => {
    for (const type of ["gzip", "snappy", "lz4", "zstd", "uncompressed"]) {
      assert.match(problem({ "compression.type": type }), /does not recompress; only producer is supported/);
    }
    assert.match(
      problem({ "compression.type": "brotli" }),
      /String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer/,
    );
  });
});

describe("resolveLogConfig", () => {
  test("broker defaults give Kafka 3.9's topic defaults", () => {
    assert.deepEqual(resolveLogConfig(loadConfig(), {}), DEFAULT_LOG_CONFIG);
  });

  test("broker keys with Kafka's precedence, then topic overrides", () => {
    const cfg = loadConfig({
      overrides: [
        "log.retention.hours=1",
        "log.retention.minutes=30",
        "log.roll.hours=2",
        "log.roll.jitter.hours=1",
        "log.flush.scheduler.interval.ms=1000",
        "log.segment.bytes=1000000",
        "message.max.bytes=2000",
        "log.message.timestamp.type=LogAppendTime",
      ],
    });
    const broker = resolveLogConfig(cfg, {});
    assert.equal(broker.retentionMs, 30 * 60_000);
    assert.equal(broker.segmentMs, 2 * HOUR);
    assert.equal(broker.segmentJitterMs, HOUR);
    assert.equal(broker.flushMs, 1000);
    assert.equal(broker.segmentBytes, 1000000);
    assert.equal(broker.maxMessageBytes, 2000);
    assert.equal(broker.messageTimestampType, "LogAppendTime");

    const topic = resolveLogConfig(cfg, {
      "retention.ms": "5000",
      "segment.ms": "100",
      "flush.ms": "0",
      "segment.bytes": "4096",
      "max.message.bytes": "100",
      "message.timestamp.type": "CreateTime",
      "retention.bytes": "-7",
      "flush.messages": "9223372036854775807",
    });
    assert.equal(topic.retentionMs, 5000);
    assert.equal(topic.segmentMs, 100);
    assert.equal(topic.flushMs, 0);
    assert.equal(topic.segmentBytes, 4096);
    assert.equal(topic.maxMessageBytes, 100);
    assert.equal(topic.messageTimestampType, "CreateTime");
    assert.equal(topic.retentionBytes, -1, "any negative retention.bytes means unlimited");
    assert.equal(topic.flushMessages, Number.MAX_SAFE_INTEGER, "Long.MAX_VALUE is held as 2^53-1");
  });

  test("append policy: min.insync.replicas and timestamp bounds", () => {
    const cfg = loadConfig({ overrides: ["min.insync.replicas=2", "log.message.timestamp.after.max.ms=3600000"] });
    assert.deepEqual(resolveAppendPolicy(cfg, {}), {
      minInSyncReplicas: 2,
      messageTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
      messageTimestampAfterMaxMs: 3600000,
    });
    const topic = resolveAppendPolicy(cfg, { "min.insync.replicas": "1", "message.timestamp.before.max.ms": "10" });
    assert.equal(topic.minInSyncReplicas, 1);
    assert.equal(topic.messageTimestampBeforeMaxMs, 10);
  });
});

describe("describeTopicConfigs", () => {
  test("every known config, sorted, with value, source and type", () => {
    const cfg = loadConfig({ overrides: ["log.retention.hours=1"] });
    const described = describeTopicConfigs(cfg, { "segment.bytes": "4096" });
    assert.deepEqual(described.map((d) => d.name), [...TOPIC_CONFIG_NAMES]);
    assert.deepEqual([...TOPIC_CONFIG_NAMES], [...TOPIC_CONFIG_NAMES].sort());
    const byName = new Map(described.map((d) => [d.name, d]));
    assert.deepEqual(
      { ...byName.get("segment.bytes"), documentation: undefined },
      {
        name: "segment.bytes",
        value: "4096",
        readOnly: false,
        source: ConfigSource.TOPIC_CONFIG,
        isSensitive: false,
        synonyms: [
          { name: "segment.bytes", value: "4096", source: ConfigSource.TOPIC_CONFIG },
          { name: "log.segment.bytes", value: "1073741824", source: ConfigSource.DEFAULT_CONFIG },
        ],
        documentation: undefined,
        type: ConfigType.INT,
      },
    );
    const retention = byName.get("retention.ms");
    assert.equal(retention?.value, String(HOUR));
    // Kafka's ConfigHelper drops synonyms before the first named log.retention.ms, which is unset: none are left.
    assert.equal(retention?.source, ConfigSource.DEFAULT_CONFIG);
    assert.deepEqual(retention?.synonyms, []);
    assert.equal(retention?.type, ConfigType.LONG);
    assert.equal(byName.get("segment.ms")?.source, ConfigSource.DEFAULT_CONFIG);
    assert.equal(byName.get("segment.ms")?.value, String(168 * HOUR));
    assert.equal(byName.get("flush.messages")?.value, "9223372036854775807");
    assert.equal(byName.get("cleanup.policy")?.value, "delete");
    assert.equal(byName.get("cleanup.policy")?.type, ConfigType.LIST);
    assert.equal(byName.get("compression.type")?.value, "producer");
    assert.equal(byName.get("preallocate")?.type, ConfigType.BOOLEAN);
    assert.match(byName.get("preallocate")?.documentation ?? "", /no effect/);
  });

  test("a broker key the operator set is the source, before its default (Kafka's synonym order)", () => {
    const described = describeTopicConfigs(loadConfig({ overrides: ["log.retention.ms=5000"] }), {});
    const retention = described.find((d) => d.name === "retention.ms");
    assert.equal(retention?.value, "5000");
    assert.equal(retention?.source, ConfigSource.STATIC_BROKER_CONFIG);
    assert.deepEqual(retention?.synonyms, [
      { name: "log.retention.ms", value: "5000", source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: "log.retention.hours", value: "168", source: ConfigSource.DEFAULT_CONFIG },
    ]);
  });

  test("every described default passes validation (what DescribeConfigs shows can be set back)", () => {
    const described = describeTopicConfigs(loadConfig(), {});
    const configs = Object.fromEntries(described.map((d) => [d.name, d.value]));
    assert.equal(validateTopicConfigs(configs), null);
  });
});
