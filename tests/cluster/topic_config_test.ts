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
      "Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1",
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

  test("every codec is a valid compression.type; others are refused with Kafka's list", () => {
    for (const type of ["gzip", "snappy", "lz4", "zstd", "uncompressed", "producer"]) {
      assert.equal(validateTopicConfigs({ "compression.type": type }), null, type);
    }
    assert.equal(
      problem({ "compression.type": "brotli" }),
      "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer",
    );
  });

  test("Kafka 3.9's other topic configs are accepted with its validators", () => {
    assert.equal(
      validateTopicConfigs({
        "compression.gzip.level": "-1",
        "compression.lz4.level": "17",
        "compression.zstd.level": "-131072",
        "follower.replication.throttled.replicas": "0:1, 1:1",
        "leader.replication.throttled.replicas": "*",
        "local.retention.bytes": "-2",
        "local.retention.ms": "1000",
        "message.format.version": "2.8.1",
        "message.timestamp.difference.max.ms": "60000",
        "remote.storage.enable": "false",
        "remote.log.copy.disable": "true",
        "remote.log.delete.on.disable": "true",
      }),
      null,
    );
    for (const version of ["0.10.0.1", "0.8.2", "3.0-IV1", "3.9", "4.0-IV1", "1.0"]) {
      assert.equal(validateTopicConfigs({ "message.format.version": version }), null, version);
    }
    assert.equal(
      problem({ "compression.gzip.level": "0" }),
      "Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1",
    );
    assert.equal(
      problem({ "compression.lz4.level": "18" }),
      "Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17",
    );
    assert.equal(
      problem({ "compression.zstd.level": "-131073" }),
      "Invalid value -131073 for configuration compression.zstd.level: Value must be at least -131072",
    );
    assert.equal(
      problem({ "local.retention.ms": "-3" }),
      "Invalid value -3 for configuration local.retention.ms: Value must be at least -2",
    );
    assert.equal(
      problem({ "message.format.version": "4.0" }),
      "Invalid value 4.0 for configuration message.format.version: Version 4.0 is not a valid version",
    );
    assert.equal(
      problem({ "leader.replication.throttled.replicas": "0:1,x" }),
      "Invalid value [0:1, x] for configuration leader.replication.throttled.replicas: " +
        "leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following " +
        "format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
    );
    assert.match(problem({ "remote.log.copy.disable": "maybe" }), /Expected value to be either true or false/);
  });

  test("checks across configs: tiered storage is off, and the compaction lags must be ordered", () => {
    assert.equal(
      problem({ "remote.storage.enable": "true" }),
      "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.",
    );
    assert.equal(
      problem({ "min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5" }),
      "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)",
    );
  });

  test("a list's bad item and a padded number are shown as Kafka parses them", () => {
    assert.equal(
      problem({ "cleanup.policy": "compact,shred" }),
      "Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete",
    );
    assert.equal(
      problem({ "segment.bytes": " 13" }),
      "Invalid value 13 for configuration segment.bytes: Value must be at least 14",
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
      compression: null,
    });
    const topic = resolveAppendPolicy(cfg, { "min.insync.replicas": "1", "message.timestamp.before.max.ms": "10" });
    assert.equal(topic.minInSyncReplicas, 1);
    assert.equal(topic.messageTimestampBeforeMaxMs, 10);
  });
});

describe("resolveAppendPolicy", () => {
  test("compression.type: the topic's codec and level, else the broker's compression.type", () => {
    const cfg = loadConfig();
    assert.equal(resolveAppendPolicy(cfg, {}).compression, null);
    assert.deepEqual(
      [
        resolveAppendPolicy(cfg, { "compression.type": "zstd" }).compression,
        resolveAppendPolicy(cfg, {
          "compression.type": "zstd",
        }).compressionLevel,
      ],
      [4, 3],
    );
    const zstd = resolveAppendPolicy(cfg, { "compression.type": "zstd", "compression.zstd.level": "12" });
    assert.equal(zstd.compressionLevel, 12);
    assert.equal(resolveAppendPolicy(cfg, { "compression.type": "uncompressed" }).compression, 0);
    const gzip = resolveAppendPolicy(cfg, { "compression.type": "gzip" });
    assert.deepEqual([gzip.compression, gzip.compressionLevel], [1, undefined], "-1: zlib's default");
    assert.equal(
      resolveAppendPolicy(cfg, { "compression.type": "gzip", "compression.gzip.level": "2" }).compressionLevel,
      2,
    );
    const broker = loadConfig({ overrides: ["compression.type=lz4"] });
    assert.equal(resolveAppendPolicy(broker, {}).compression, 3);
    assert.equal(resolveAppendPolicy(broker, { "compression.type": "producer" }).compression, null);
  });

  test("message.timestamp.difference.max.ms bounds each side left unset or at Long.MAX_VALUE (Kafka 3.9)", () => {
    const cfg = loadConfig();
    const only = resolveAppendPolicy(cfg, { "message.timestamp.difference.max.ms": "60000" });
    assert.deepEqual([only.messageTimestampBeforeMaxMs, only.messageTimestampAfterMaxMs], [60000, 60000]);
    const withAfter = resolveAppendPolicy(cfg, {
      "message.timestamp.difference.max.ms": "60000",
      "message.timestamp.after.max.ms": "10",
      "message.timestamp.before.max.ms": "9223372036854775807",
    });
    assert.deepEqual([withAfter.messageTimestampBeforeMaxMs, withAfter.messageTimestampAfterMaxMs], [60000, 10]);
    const brokerAfter = resolveAppendPolicy(loadConfig({ overrides: ["log.message.timestamp.after.max.ms=5"] }), {
      "message.timestamp.difference.max.ms": "60000",
    });
    assert.equal(brokerAfter.messageTimestampAfterMaxMs, 5, "a broker key the operator set wins");
    const none = resolveAppendPolicy(cfg, {});
    assert.deepEqual([none.messageTimestampBeforeMaxMs, none.messageTimestampAfterMaxMs], [
      Number.MAX_SAFE_INTEGER,
      3600000,
    ]);
  });
});

describe("describeTopicConfigs", () => {
  test("Kafka 3.9's full list, with its broker synonyms and honest documentation", () => {
    assert.deepEqual([...TOPIC_CONFIG_NAMES], [
      "cleanup.policy",
      "compression.gzip.level",
      "compression.lz4.level",
      "compression.type",
      "compression.zstd.level",
      "delete.retention.ms",
      "file.delete.delay.ms",
      "flush.messages",
      "flush.ms",
      "follower.replication.throttled.replicas",
      "index.interval.bytes",
      "leader.replication.throttled.replicas",
      "local.retention.bytes",
      "local.retention.ms",
      "max.compaction.lag.ms",
      "max.message.bytes",
      "message.downconversion.enable",
      "message.format.version",
      "message.timestamp.after.max.ms",
      "message.timestamp.before.max.ms",
      "message.timestamp.difference.max.ms",
      "message.timestamp.type",
      "min.cleanable.dirty.ratio",
      "min.compaction.lag.ms",
      "min.insync.replicas",
      "preallocate",
      "remote.log.copy.disable",
      "remote.log.delete.on.disable",
      "remote.storage.enable",
      "retention.bytes",
      "retention.ms",
      "segment.bytes",
      "segment.index.bytes",
      "segment.jitter.ms",
      "segment.ms",
      "unclean.leader.election.enable",
    ]);
    const cfg = loadConfig({ overrides: ["compression.type=zstd"] });
    const byName = new Map(describeTopicConfigs(cfg, { "compression.zstd.level": "9" }).map((d) => [d.name, d]));
    const type = byName.get("compression.type");
    assert.equal(type?.value, "zstd");
    assert.equal(type?.source, ConfigSource.STATIC_BROKER_CONFIG);
    assert.deepEqual(type?.synonyms, [
      { name: "compression.type", value: "zstd", source: ConfigSource.STATIC_BROKER_CONFIG },
      { name: "compression.type", value: "producer", source: ConfigSource.DEFAULT_CONFIG },
    ]);
    assert.deepEqual(byName.get("compression.zstd.level")?.synonyms, [
      { name: "compression.zstd.level", value: "9", source: ConfigSource.TOPIC_CONFIG },
      { name: "compression.zstd.level", value: "3", source: ConfigSource.DEFAULT_CONFIG },
    ]);
    assert.deepEqual(byName.get("local.retention.ms")?.synonyms, [
      { name: "log.local.retention.ms", value: "-2", source: ConfigSource.DEFAULT_CONFIG },
    ]);
    assert.deepEqual(byName.get("message.format.version")?.synonyms, [
      { name: "log.message.format.version", value: "3.0-IV1", source: ConfigSource.DEFAULT_CONFIG },
    ]);
    assert.equal(byName.get("leader.replication.throttled.replicas")?.value, "");
    assert.deepEqual(byName.get("remote.storage.enable")?.synonyms, []);
    for (
      const name of ["leader.replication.throttled.replicas", "min.insync.replicas", "unclean.leader.election.enable"]
    ) {
      assert.match(byName.get(name)?.documentation ?? "", /no effect on a single node/, name);
    }
    for (const name of ["local.retention.ms", "remote.log.copy.disable", "message.format.version"]) {
      assert.match(byName.get(name)?.documentation ?? "", /no effect/, name);
    }
  });

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
