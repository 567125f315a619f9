/**
 * Retention and the log start offset. Topics are created with small
 * segment.bytes and retention.bytes / retention.ms overrides (CreateTopics
 * configs, through confluent-kafka-python's AdminClient), the broker checks
 * every 300 ms (log.retention.check.interval.ms) and deletes at once
 * (log.segment.delete.delay.ms=0). Whole old segments must disappear from the
 * partition directory, ListOffsets earliest (kafkajs fetchTopicOffsets) must
 * follow, and a consumer from the beginning must start there. DeleteRecords
 * (kafkajs deleteTopicRecords) moves the log start offset, is a no-op below
 * it, is OFFSET_OUT_OF_RANGE past the end, and lets retention drop the
 * segments wholly below the new start.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, runCommand, startBroker } from "./_broker.ts";
import { adminOps, kcatRead, until } from "./_data_path.ts";

const SEGMENT_BYTES = 4096;
/** How long to wait for the broker's background retention work. */
const WAIT_MS = 15_000;

/** `count` records of 200 bytes into one partition, in batches of 5 (about 1 KB each). */
async function produce(broker: BrokerProcess, topic: string, partition: number, count: number): Promise<void> {
  const input = Array.from({ length: count }, (_, i) => `${topic}-${i}-`.padEnd(200, "r")).join("\n") + "\n";
  const { code, stderr } = await runCommand("kcat", [
    "-P",
    "-b",
    broker.bootstrap,
    "-t",
    topic,
    "-p",
    String(partition),
    "-X",
    "linger.ms=0",
    "-X",
    "batch.num.messages=5",
  ], { input });
  assert.equal(code, 0, stderr);
}

/** Base offsets of the partition's segments, oldest first, and their total size. */
function segments(broker: BrokerProcess, topic: string, partition: number): { bases: number[]; bytes: number } {
  const dir = path.join(broker.dataDir, `${topic}-${partition}`);
  const logs = fs.readdirSync(dir).filter((f) => /^\d{20}\.log$/.test(f)).sort();
  return {
    bases: logs.map((f) => Number(f.slice(0, 20))),
    bytes: logs.reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0),
  };
}

/** First offset kcat reads from the beginning of a partition (-1 if it reads nothing). */
async function firstOffset(broker: BrokerProcess, topic: string, partition: number): Promise<number> {
  const [first] = await kcatRead(broker, topic, { partition, count: 1, format: "%o\\n" });
  return first === undefined ? -1 : Number(first.trim());
}

interface LowLevelCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(q: { nodeId: string }): Promise<{
    deleteRecords(
      r: { topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> },
    ): Promise<unknown>;
  }>;
}

/** DeleteRecords through kafkajs' Broker layer (its admin drops per-partition errors); the error type or null. */
async function brokerDeleteRecords(broker: BrokerProcess, topic: string, partition: number, offset: string) {
  const kafka = new Kafka({ clientId: "retention-test", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const create = Object.getOwnPropertySymbols(kafka).find((s) => s.description === "private:Kafka:createCluster")!;
  const cluster = (kafka as unknown as Record<symbol, (o: object) => LowLevelCluster>)[create]({});
  await cluster.connect();
  try {
    await cluster.addTargetTopic(topic);
    const [nodeId] = Object.keys(cluster.findLeaderForPartitions(topic, [partition]));
    const leader = await cluster.findBroker({ nodeId });
    await leader.deleteRecords({ topics: [{ topic, partitions: [{ partition, offset }] }] });
    return null;
  } catch (e) {
    return (e as { partitions?: Array<{ error: { type: string } }> }).partitions?.[0]?.error.type ?? String(e);
  } finally {
    await cluster.disconnect();
  }
}

describe("retention and DeleteRecords", () => {
  let broker: BrokerProcess;
  let admin: Admin;
  const offsets = async (topic: string, partition: number) => {
    const o = (await admin.fetchTopicOffsets(topic)).find((x) => x.partition === partition)!;
    return { low: Number(o.low), high: Number(o.high) };
  };

  before(async () => {
    broker = await startBroker("deno", {
      overrides: { "log.retention.check.interval.ms": 300, "log.segment.delete.delay.ms": 0 },
    });
    const created = await adminOps(broker, [
      { op: "create", topic: "ret-bytes", config: { "segment.bytes": `${SEGMENT_BYTES}`, "retention.bytes": "20000" } },
      { op: "create", topic: "ret-time", config: { "segment.bytes": `${SEGMENT_BYTES}`, "retention.ms": "2000" } },
      { op: "create", topic: "ret-dr", partitions: 2, config: { "segment.bytes": `${SEGMENT_BYTES}` } },
    ]);
    assert.deepEqual(created, [{ ok: true }, { ok: true }, { ok: true }]);
    admin = new Kafka({ clientId: "retention-test", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
  });
  after(async () => {
    await admin.disconnect();
    assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.slice(-20).join("\n")}`);
  });

  test("segments roll at segment.bytes", async () => {
    await produce(broker, "ret-dr", 0, 100);
    await produce(broker, "ret-dr", 1, 100);
    const { bases } = segments(broker, "ret-dr", 0);
    assert.ok(bases.length >= 4, `100 × 200 B in ${SEGMENT_BYTES}-byte segments gave ${bases.length} segment(s)`);
    assert.equal(bases[0], 0);
    const dir = path.join(broker.dataDir, "ret-dr-0");
    for (const [i, base] of bases.entries()) {
      const name = String(base).padStart(20, "0");
      assert.ok(fs.statSync(path.join(dir, `${name}.log`)).size <= SEGMENT_BYTES);
      // Kafka creates an index file lazily, at the latest when its segment is rolled.
      if (i === bases.length - 1) continue;
      assert.ok(fs.existsSync(path.join(dir, `${name}.index`)), `${name}.index missing`);
      assert.ok(fs.existsSync(path.join(dir, `${name}.timeindex`)), `${name}.timeindex missing`);
    }
  });

  test("retention.bytes deletes the oldest segments; earliest offset follows", async () => {
    await produce(broker, "ret-bytes", 0, 200);
    await until(
      "ret-bytes is within retention.bytes",
      () => segments(broker, "ret-bytes", 0).bytes <= 20_000 + SEGMENT_BYTES,
      WAIT_MS,
    );
    const { bases, bytes } = segments(broker, "ret-bytes", 0);
    assert.ok(bases[0] > 0, "the first segment should be gone");
    assert.ok(bytes >= 20_000, `retention deleted too much: ${bytes} bytes left`);
    const { low, high } = await offsets("ret-bytes", 0);
    assert.equal(low, bases[0], "ListOffsets earliest is not the first kept segment's base offset");
    assert.equal(high, 200);
    assert.equal(await firstOffset(broker, "ret-bytes", 0), bases[0]);
    const dir = path.join(broker.dataDir, "ret-bytes-0");
    const stale = (f: string) =>
      f.endsWith(".deleted") || (/^\d{20}\.(log|index|timeindex)$/.test(f) && Number(f.slice(0, 20)) < bases[0]);
    await until("deleted segments' files are gone", () => !fs.readdirSync(dir).some(stale), WAIT_MS);
  });

  test("retention.ms deletes every segment once all records are older, the active one too", async () => {
    await produce(broker, "ret-time", 0, 100);
    assert.equal((await offsets("ret-time", 0)).high, 100);
    await until("ret-time is empty", async () => (await offsets("ret-time", 0)).low === 100, WAIT_MS);
    assert.deepEqual(segments(broker, "ret-time", 0).bases, [100]);
    assert.equal(await firstOffset(broker, "ret-time", 0), -1);
    await produce(broker, "ret-time", 0, 1);
    assert.equal(await firstOffset(broker, "ret-time", 0), 100);
  });

  test("DeleteRecords moves the log start offset; retention drops segments wholly below it", async () => {
    await offsets("ret-dr", 0); // loads the topic's metadata into the admin client
    await admin.deleteTopicRecords({ topic: "ret-dr", partitions: [{ partition: 0, offset: "30" }] });
    await admin.deleteTopicRecords({ topic: "ret-dr", partitions: [{ partition: 1, offset: "-1" }] });
    assert.deepEqual(await offsets("ret-dr", 0), { low: 30, high: 100 });
    assert.deepEqual(await offsets("ret-dr", 1), { low: 100, high: 100 }, "offset -1 means the high watermark");
    assert.equal(await firstOffset(broker, "ret-dr", 0), 30);
    assert.equal(await firstOffset(broker, "ret-dr", 1), -1);
    await until("segments below offset 30 are deleted", () => {
      const { bases } = segments(broker, "ret-dr", 0);
      return bases[0] <= 30 && (bases.length === 1 || bases[1] > 30);
    }, WAIT_MS);
  });

  test("DeleteRecords below the start is a no-op; past the end it is OFFSET_OUT_OF_RANGE", async () => {
    await admin.deleteTopicRecords({ topic: "ret-dr", partitions: [{ partition: 0, offset: "10" }] });
    assert.deepEqual(await offsets("ret-dr", 0), { low: 30, high: 100 });
    // kafkajs' admin wraps the partition errors away; its Broker layer keeps them.
    assert.equal(await brokerDeleteRecords(broker, "ret-dr", 0, "500"), "OFFSET_OUT_OF_RANGE");
    assert.deepEqual(await offsets("ret-dr", 0), { low: 30, high: 100 });
  });

  test("the log start offset survives a restart", async () => {
    await admin.disconnect();
    const { dataDir } = broker;
    assert.equal(await broker.stop(), 0);
    broker = await startBroker("deno", {
      dataDir,
      overrides: { "log.retention.check.interval.ms": 300, "log.segment.delete.delay.ms": 0 },
    });
    admin = new Kafka({ clientId: "retention-test", brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    assert.deepEqual(await offsets("ret-dr", 0), { low: 30, high: 100 });
    assert.deepEqual(await offsets("ret-dr", 1), { low: 100, high: 100 });
    assert.equal(await firstOffset(broker, "ret-dr", 0), 30);
  });
});
