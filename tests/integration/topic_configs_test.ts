/**
 * Topic configs and broker-side recompression through a real client
 * (confluent-kafka-python, librdkafka 2.0): a topic created with every
 * config Kafka 3.9 accepts is described back with the values set; values
 * Kafka refuses are refused with INVALID_CONFIG. Then for each
 * compression.type (zstd, lz4, gzip, snappy, uncompressed) a topic is fed by
 * a producer using another codec: the consumer reads back exactly the
 * acknowledged records, and every batch in the partition's segment files
 * carries the topic's codec and a valid CRC-32C, and decodes (with an
 * independent decoder, clients/decode_log.py) to those same records.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand, startBroker } from "./_broker.ts";
import { computeBatchCrc, readBatchHeader } from "../../src/log/record_batch.ts";

const PYTHON = "/usr/bin/python3";
const CLIENTS = path.join(ROOT, "tests/integration/clients");
const CODEC_IDS: Record<string, number> = { uncompressed: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
const COUNT = 120;
const SIZE = 2048;
const INVALID_CONFIG = 40;
/** librdkafka's ConfigSource for a topic's own override. */
const DYNAMIC_TOPIC_CONFIG = 1;

/** A valid, non-default value for every topic config Kafka 3.9 accepts. */
const EVERY_CONFIG: Record<string, string> = {
  "cleanup.policy": "delete",
  "compression.gzip.level": "5",
  "compression.lz4.level": "3",
  "compression.type": "lz4",
  "compression.zstd.level": "7",
  "delete.retention.ms": "3600000",
  "file.delete.delay.ms": "30000",
  "flush.messages": "100000",
  "flush.ms": "60000",
  "follower.replication.throttled.replicas": "0:1",
  "index.interval.bytes": "8192",
  "leader.replication.throttled.replicas": "*",
  "local.retention.bytes": "-2",
  "local.retention.ms": "-2",
  "max.compaction.lag.ms": "86400000",
  "max.message.bytes": "2000000",
  "message.downconversion.enable": "false",
  "message.format.version": "3.0-IV1",
  "message.timestamp.after.max.ms": "7200000",
  "message.timestamp.before.max.ms": "86400000",
  "message.timestamp.difference.max.ms": "86400000",
  "message.timestamp.type": "CreateTime",
  "min.cleanable.dirty.ratio": "0.25",
  "min.compaction.lag.ms": "1000",
  "min.insync.replicas": "1",
  "preallocate": "true",
  "remote.log.copy.disable": "true",
  "remote.log.delete.on.disable": "true",
  "remote.storage.enable": "false",
  "retention.bytes": "1073741824",
  "retention.ms": "86400000",
  "segment.bytes": "16777216",
  "segment.index.bytes": "1048576",
  "segment.jitter.ms": "1000",
  "segment.ms": "3600000",
  "unclean.leader.election.enable": "true",
};

type Result = { ok: true; configs?: Record<string, { value: string; source: number }> } | {
  ok: false;
  code: number;
  message: string;
};

async function admin(broker: BrokerProcess, ops: unknown[]): Promise<Result[]> {
  const { code, stdout, stderr } = await runCommand(
    PYTHON,
    [path.join(CLIENTS, "topic_configs.py"), broker.bootstrap, JSON.stringify(ops)],
    { timeoutMs: 60_000 },
  );
  assert.equal(code, 0, `topic_configs.py failed: ${stderr}`);
  return JSON.parse(stdout);
}

interface ProduceResult {
  unflushed: number;
  failed: string[];
  acked: Array<[number, number, string, string]>;
  consumed: Array<[number, number, string, string, number]>;
  consumeErrors: string[];
}

async function produceWithCodec(broker: BrokerProcess, topic: string, codec: string): Promise<ProduceResult> {
  const { code, stdout, stderr } = await runCommand(
    PYTHON,
    [path.join(CLIENTS, "produce_codec.py"), broker.bootstrap, topic, codec, String(COUNT), String(SIZE)],
    { timeoutMs: 90_000 },
  );
  assert.equal(code, 0, `produce_codec.py failed: ${stderr}`);
  return JSON.parse(stdout);
}

/** The headers of every batch in the partition's segment files, each checked for its size and CRC-32C. */
function storedBatches(dir: string) {
  const batches = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".log")).sort()) {
    const bytes = fs.readFileSync(path.join(dir, name));
    for (let pos = 0; pos < bytes.length;) {
      const header = readBatchHeader(bytes, pos);
      assert.ok(pos + header.sizeInBytes <= bytes.length, `${name}: batch at ${pos} runs past the end of the file`);
      assert.equal(computeBatchCrc(bytes, pos, pos + header.sizeInBytes), header.crc, `${name}: bad crc at ${pos}`);
      batches.push(header);
      pos += header.sizeInBytes;
    }
  }
  return batches;
}

/** Produces with `codec`, reads back, and checks the log holds the records in the topic's `target` codec. */
async function roundTrip(broker: BrokerProcess, topic: string, codec: string, target: string): Promise<void> {
  const result = await produceWithCodec(broker, topic, codec);
  assert.deepEqual(result.failed, []);
  assert.equal(result.unflushed, 0);
  assert.equal(result.acked.length, COUNT);
  assert.deepEqual(result.consumeErrors, []);
  const acked = [...result.acked].sort((a, b) => a[1] - b[1]);
  assert.deepEqual(acked.map((r) => r[1]), Array.from({ length: COUNT }, (_, i) => i), "offsets not contiguous");
  assert.deepEqual(result.consumed.map((r) => r.slice(0, 4)), acked, "consumed records differ from acked ones");

  const dir = path.join(broker.dataDir, `${topic}-0`);
  const batches = storedBatches(dir);
  assert.ok(batches.length > 1 && batches.length < COUNT, `expected multi-record batches, got ${batches.length}`);
  for (const b of batches) {
    assert.equal(b.compression, CODEC_IDS[target], `batch at offset ${b.baseOffset} stored with ${b.compression}`);
  }
  const decoded = await runCommand(PYTHON, [path.join(CLIENTS, "decode_log.py"), dir]);
  assert.equal(decoded.code, 0, `decode_log.py failed: ${decoded.stderr}`);
  assert.deepEqual(JSON.parse(decoded.stdout).records, acked.map(([, offset, key, sha]) => [offset, key, sha]));
}

describe("topic configs and broker-side recompression through confluent-kafka-python", () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker("deno", { overrides: { "num.partitions": 1 } });
  });
  after(async () => {
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
  });

  test("a topic with every Kafka 3.9 config is created, described back, and serves records", async () => {
    const [created, described] = await admin(broker, [
      { op: "create", topic: "tc-every", config: EVERY_CONFIG },
      { op: "describe", topic: "tc-every" },
    ]);
    assert.deepEqual(created, { ok: true });
    assert.ok(described.ok && described.configs);
    for (const [name, value] of Object.entries(EVERY_CONFIG)) {
      assert.equal(described.configs[name]?.value, value, name);
      assert.equal(described.configs[name]?.source, DYNAMIC_TOPIC_CONFIG, name);
    }
    await roundTrip(broker, "tc-every", "gzip", "lz4");
  });

  test("values Kafka refuses are INVALID_CONFIG with Kafka's message, and no topic is created", async () => {
    const results = await admin(broker, [
      { op: "create", topic: "tc-bad-remote", config: { "remote.storage.enable": "true" } },
      { op: "create", topic: "tc-bad-gzip", config: { "compression.gzip.level": "0" } },
      { op: "create", topic: "tc-bad-format", config: { "message.format.version": "9.9" } },
      { op: "create", topic: "tc-bad-lags", config: { "min.compaction.lag.ms": "10", "max.compaction.lag.ms": "5" } },
    ]);
    const messages = [
      /Tiered Storage functionality is disabled in the broker/,
      /Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1/,
      /Version 9.9 is not a valid version/,
      /conflict topic config setting min.compaction.lag.ms \(10\) > max.compaction.lag.ms \(5\)/,
    ];
    results.forEach((r, i) => {
      assert.equal(r.ok, false, JSON.stringify(r));
      if (!r.ok) {
        assert.equal(r.code, INVALID_CONFIG);
        assert.match(r.message, messages[i]);
      }
    });
    assert.ok(!fs.existsSync(path.join(broker.dataDir, "tc-bad-remote-0")));
  });

  // Each target is fed by a producer using another codec, so every batch must be rewritten.
  const PAIRS: Array<[string, string]> = [
    ["zstd", "gzip"],
    ["lz4", "zstd"],
    ["gzip", "snappy"],
    ["snappy", "none"],
    ["uncompressed", "lz4"],
  ];
  for (const [target, producerCodec] of PAIRS) {
    test(`compression.type=${target}: ${producerCodec} batches are stored as ${target}, records intact`, async () => {
      const topic = `tc-${target}`;
      const [created] = await admin(broker, [{ op: "create", topic, config: { "compression.type": target } }]);
      assert.deepEqual(created, { ok: true });
      await roundTrip(broker, topic, producerCodec, target);
    });
  }
});
