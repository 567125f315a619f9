import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { coerceValue } from "../../src/config/coerce.ts";
import { type BrokerConfig, CONFIG_KEY_NAMES, CONFIG_KEYS, keySpec, REPLACED_KEYS } from "../../src/config/keys.ts";
import { loadConfig } from "../../src/config/load.ts";
import { resolveGroupConfig } from "../../src/config/group_settings.ts";

describe("config key table", () => {
  test("extensions, and only extensions, are prefixed tsbroker.", () => {
    for (const key of CONFIG_KEY_NAMES) {
      assert.equal(keySpec(key).origin === "tsbroker", key.startsWith("tsbroker."), key);
    }
  });

  test("every key has a one-line meaning", () => {
    for (const key of CONFIG_KEY_NAMES) {
      const doc = keySpec(key).doc;
      assert.ok(doc.length > 10 && !doc.includes("\n"), key);
    }
  });

  test("every default is valid for its own spec", () => {
    for (const key of CONFIG_KEY_NAMES) {
      const spec = keySpec(key);
      // null is "unset" (Kafka's null defaults), only allowed for numbers; another key then decides.
      if (spec.default === null) {
        assert.ok(spec.type === "int" || spec.type === "long", key);
        continue;
      }
      const result = coerceValue(spec, spec.default);
      assert.ok(result.ok, `${key}: ${result.ok ? "" : result.problem}`);
    }
  });

  test("loadConfig() with nothing returns exactly the table defaults", () => {
    const cfg = loadConfig();
    assert.deepEqual(Object.keys(cfg).sort(), [...CONFIG_KEY_NAMES].sort());
    for (const key of CONFIG_KEY_NAMES) assert.deepEqual(cfg[key], keySpec(key).default, key);
  });

  test("defaults are the documented ones", () => {
    const expected: BrokerConfig = {
      "node.id": 1,
      "listeners": ["PLAINTEXT://127.0.0.1:9092"],
      "advertised.listeners": [],
      "listener.security.protocol.map": [
        "PLAINTEXT:PLAINTEXT",
        "SSL:SSL",
        "SASL_PLAINTEXT:SASL_PLAINTEXT",
        "SASL_SSL:SASL_SSL",
      ],
      "log.dirs": ["./data"],
      "log.dir": "",
      "num.network.threads": null,
      "num.io.threads": null,
      "queued.max.requests": 500,
      "quota.window.num": 11,
      "quota.window.size.seconds": 1,
      "queued.max.request.bytes": 268435456,
      "socket.request.max.bytes": 104857600,
      "socket.send.buffer.bytes": 102400,
      "socket.receive.buffer.bytes": 102400,
      "connections.max.idle.ms": 600000,
      "tsbroker.request.max.list.entries": 1000000,
      "max.request.partition.size.limit": 2000,
      "tsbroker.request.read.timeout.ms": 30000,
      "tsbroker.queued.max.response.bytes": 268435456,
      "tsbroker.connections.max.write.stall.ms": 10000,
      "tsbroker.request.channel": "auto",
      "max.connections": null,
      "max.connection.creation.rate": 2147483647,
      "max.connections.per.ip": 2147483647,
      "max.connections.per.ip.overrides": "",
      "auto.create.topics.enable": true,
      "tsbroker.max.partitions": null,
      "num.partitions": 1,
      "default.replication.factor": 1,
      "min.insync.replicas": 1,
      "delete.topic.enable": true,
      "message.max.bytes": 1048588,
      "fetch.max.bytes": 57671680,
      "max.incremental.fetch.session.cache.slots": 1000,
      "producer.id.expiration.ms": 86400000,
      "log.segment.bytes": 1073741824,
      "log.roll.ms": null,
      "log.roll.hours": 168,
      "log.roll.jitter.ms": null,
      "log.roll.jitter.hours": 0,
      "log.retention.ms": null,
      "log.retention.minutes": null,
      "log.retention.hours": 168,
      "log.retention.bytes": -1,
      "log.retention.check.interval.ms": 300000,
      "log.segment.delete.delay.ms": 60000,
      "log.index.interval.bytes": 4096,
      "log.index.size.max.bytes": 10485760,
      "log.flush.interval.messages": Number.MAX_SAFE_INTEGER,
      "log.flush.interval.ms": null,
      "log.flush.scheduler.interval.ms": Number.MAX_SAFE_INTEGER,
      "log.flush.offset.checkpoint.interval.ms": 60000,
      "log.flush.start.offset.checkpoint.interval.ms": 60000,
      "log.message.timestamp.type": "CreateTime",
      "log.message.timestamp.before.max.ms": Number.MAX_SAFE_INTEGER,
      "log.message.timestamp.after.max.ms": 3600000,
      "compression.type": "producer",
      "compression.gzip.level": -1,
      "compression.lz4.level": 9,
      "compression.zstd.level": 3,
      "log.local.retention.ms": -2,
      "log.local.retention.bytes": -2,
      "log.cleanup.policy": ["delete"],
      "log.cleaner.enable": true,
      "log.cleaner.threads": 1,
      "log.cleaner.backoff.ms": 15000,
      "log.cleaner.dedupe.buffer.size": 134217728,
      "log.cleaner.io.buffer.size": 524288,
      "log.cleaner.io.buffer.load.factor": 0.9,
      "log.cleaner.io.max.bytes.per.second": 1.7976931348623157e308,
      "log.cleaner.min.cleanable.ratio": 0.5,
      "log.cleaner.delete.retention.ms": 86400000,
      "log.cleaner.min.compaction.lag.ms": 0,
      "log.cleaner.max.compaction.lag.ms": Number.MAX_SAFE_INTEGER,
      "group.min.session.timeout.ms": 6000,
      "group.max.session.timeout.ms": 1800000,
      "group.initial.rebalance.delay.ms": 3000,
      "group.max.size": 2147483647,
      "group.consumer.session.timeout.ms": 45000,
      "group.consumer.heartbeat.interval.ms": 5000,
      "group.consumer.max.size": 2147483647,
      "group.consumer.assignors": ["uniform", "range"],
      "offsets.topic.num.partitions": 50,
      "offsets.topic.segment.bytes": 104857600,
      "offsets.retention.minutes": 10080,
      "offsets.retention.check.interval.ms": 600000,
      "offset.metadata.max.bytes": 4096,
      "transaction.max.timeout.ms": 900000,
      "transactional.id.expiration.ms": 604800000,
      "transaction.abort.timed.out.transaction.cleanup.interval.ms": 10000,
      "transaction.remove.expired.transaction.cleanup.interval.ms": 3600000,
      "transaction.state.log.num.partitions": 50,
      "transaction.state.log.segment.bytes": 104857600,
      "transaction.partition.verification.enable": true,
      "sasl.enabled.mechanisms": ["PLAIN"],
      "sasl.mechanism.inter.broker.protocol": "GSSAPI",
      "sasl.jaas.config": "",
      "sasl.server.max.receive.size": 524288,
      "connection.failed.authentication.delay.ms": 100,
      "connections.max.reauth.ms": 0,
      "ssl.keystore.type": "PEM",
      "ssl.keystore.location": "",
      "ssl.keystore.key": "",
      "ssl.keystore.certificate.chain": "",
      "ssl.keystore.password": "",
      "ssl.key.password": "",
      "ssl.truststore.type": "PEM",
      "ssl.truststore.location": "",
      "ssl.truststore.certificates": "",
      "ssl.truststore.password": "",
      "ssl.client.auth": "none",
      "ssl.enabled.protocols": ["TLSv1.2", "TLSv1.3"],
      "ssl.protocol": "TLSv1.3",
      "ssl.cipher.suites": [],
      "ssl.principal.mapping.rules": "DEFAULT",
      "ssl.endpoint.identification.algorithm": "https",
      "sasl.server.callback.handler.class": "",
      "sasl.oauthbearer.jwks.endpoint.url": "",
      "sasl.oauthbearer.expected.audience": [],
      "sasl.oauthbearer.expected.issuer": "",
      "sasl.oauthbearer.clock.skew.seconds": 30,
      "sasl.oauthbearer.sub.claim.name": "sub",
      "sasl.oauthbearer.scope.claim.name": "scope",
      "authorizer.class.name": "",
      "super.users": "",
      "allow.everyone.if.no.acl.found": false,
      "tsbroker.console.enable": true,
      "tsbroker.console.allow.changes": false,
      "tsbroker.console.allowed.hosts": [],
      "tsbroker.metrics.listener": "127.0.0.1:9464",
      "tsbroker.shutdown.timeout.ms": 10000,
      "tsbroker.log.level": "info",
      "tsbroker.log.roll.flush.delay.ms": 30000,
      "tsbroker.fsync.acks.all": false,
    };
    assert.deepEqual({ ...loadConfig() }, expected);
  });

  test("ranges from the brief", () => {
    assert.equal(CONFIG_KEYS["num.network.threads"].min, 1);
    assert.equal(CONFIG_KEYS["num.network.threads"].max, 64);
    assert.equal(CONFIG_KEYS["num.io.threads"].max, 256);
    assert.equal(CONFIG_KEYS["default.replication.factor"].max, 1);
    assert.deepEqual(CONFIG_KEYS["tsbroker.log.level"].values, ["error", "warn", "info", "debug"]);
  });

  test("broker.id is a replaced key pointing at node.id", () => {
    assert.equal(REPLACED_KEYS["broker.id"]?.use, "node.id");
  });

  test("BrokerConfig gives typed access", () => {
    const cfg = loadConfig();
    // Compile-time checks: these assignments must type-check under deno check.
    const threads: number = cfg["queued.max.requests"];
    const listeners: string[] = cfg["listeners"];
    const level: "error" | "warn" | "info" | "debug" = cfg["tsbroker.log.level"];
    const autoCreate: boolean = cfg["auto.create.topics.enable"];
    // Keys that may be unset are typed number | null, so callers cannot forget the fallback.
    const rollMs: number | null = cfg["log.roll.ms"];
    // @ts-expect-error an unset-able key is not a plain number
    const rollMsNumber: number = cfg["log.roll.ms"];
    const timestampType: "CreateTime" | "LogAppendTime" = cfg["log.message.timestamp.type"];
    // @ts-expect-error a number key is not a string
    const wrong: string = cfg["num.partitions"];
    // @ts-expect-error unknown keys are not part of the type
    cfg["num.netwrk.threads"];
    assert.equal(typeof threads, "number");
    assert.ok(Array.isArray(listeners));
    assert.equal(level, "info");
    assert.equal(autoCreate, true);
    assert.equal(typeof wrong, "number");
    assert.equal(rollMs, null);
    assert.equal(rollMsNumber, null);
    assert.equal(timestampType, "CreateTime");
  });
});

test("group settings: assignor class names resolve, unknown assignors and min > max session timeouts are refused", () => {
  const cfg = loadConfig({
    overrides: ["group.consumer.assignors=org.apache.kafka.coordinator.group.assignor.RangeAssignor,uniform"],
  });
  assert.deepEqual(resolveGroupConfig(cfg).consumerAssignors, ["range", "uniform"]);
  assert.throws(
    () => loadConfig({ overrides: ["group.consumer.assignors=sticky"] }),
    /group\.consumer\.assignors.*unknown assignor "sticky"/s,
  );
  assert.throws(
    () => loadConfig({ overrides: ["group.min.session.timeout.ms=9000", "group.max.session.timeout.ms=8000"] }),
    /group\.min\.session\.timeout\.ms.*must not exceed/s,
  );
});
