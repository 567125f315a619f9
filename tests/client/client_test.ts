/**
 * The client library (src/client) against tsbroker processes (Deno, Bun, the executable) and against the
 * reference Apache Kafka, the same scenarios on each: produce with each codec and acks setting and consume back, an idempotent retry
 * after a lost answer, the admin operations, offsets for times, and a group of two consumers sharing four
 * partitions.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Admin, ResourceType } from "../../src/client/admin.ts";
import type { CompressionName } from "../../src/client/batch_encoder.ts";
import { Consumer, type ConsumerRecord } from "../../src/client/consumer.ts";
import { KafkaClientError } from "../../src/client/errors.ts";
import { keyedPartition } from "../../src/client/partitioner.ts";
import { Producer } from "../../src/client/producer.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { startBroker } from "../integration/_broker.ts";
import { startLossyProxy } from "./_proxy.ts";

const utf8 = new TextEncoder();
const text = new TextDecoder();

interface Target {
  name: string;
  start(): Promise<{ bootstrap: string; stop(): Promise<unknown> }>;
}

const TARGETS: Target[] = [
  {
    name: "tsbroker (Deno)",
    start: () => startBroker("deno", { overrides: { "group.initial.rebalance.delay.ms": 0 } }),
  },
  {
    name: "tsbroker (Bun)",
    start: () => startBroker("bun", { overrides: { "group.initial.rebalance.delay.ms": 0 } }),
  },
  {
    // dist/tsbroker, which `deno task test` builds before the suite runs.
    name: "tsbroker (executable)",
    start: () => startBroker("exe", { overrides: { "group.initial.rebalance.delay.ms": 0 } }),
  },
  { name: "Apache Kafka", start: () => startReferenceKafka() },
];

/** Polls until `count` records arrived or `timeoutMs` passed. */
async function consumeAll(consumer: Consumer, count: number, timeoutMs = 20_000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) out.push(...await consumer.poll(500));
  return out;
}

/**
 * Creates a topic and waits until its leader serves ListOffsets on every partition: Kafka publishes a new
 * topic in its metadata before its partitions are led, and an acks=0 batch sent in between is lost.
 */
async function createSettled(admin: Admin, name: string, partitions: number): Promise<void> {
  await admin.createTopics([{ name, partitions, replicationFactor: 1 }]);
  await admin.listOffsets(
    Array.from({ length: partitions }, (_, partition) => ({ topic: name, partition, spec: "latest" })),
  );
}

/** Config changes reach Kafka's DescribeConfigs through its metadata log a moment later: ask until they show. */
async function configsSoon(
  admin: Admin,
  topic: string,
  expected: Record<string, string>,
): Promise<Record<string, string>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const configs = await admin.describeConfigs(ResourceType.TOPIC, topic, Object.keys(expected));
    const got = Object.fromEntries(configs.map((c) => [c.name, c.value ?? ""]));
    if (Object.entries(expected).every(([k, v]) => got[k] === v) || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function readTopic(bootstrap: string, topic: string, partitions: number, count: number) {
  const consumer = new Consumer({ bootstrapServers: [bootstrap] });
  try {
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    await consumer.seekToBeginning();
    return await consumeAll(consumer, count);
  } finally {
    await consumer.close();
  }
}

for (const target of TARGETS) {
  describe(`client library against ${target.name}`, () => {
    let server: { bootstrap: string; stop(): Promise<unknown> };
    let bootstrap: string;
    let admin: Admin;

    before(async () => {
      server = await target.start();
      bootstrap = server.bootstrap;
      admin = new Admin({ bootstrapServers: [bootstrap] });
    });

    after(async () => {
      await admin?.close();
      await server?.stop();
    });

    test("produces with each codec and acks setting, and consumes every record back", async () => {
      const codecs: CompressionName[] = ["none", "gzip", "snappy", "lz4", "zstd"];
      for (const compression of codecs) {
        for (const acks of [0, 1, -1] as const) {
          const topic = `codec-${compression}-acks${acks}`;
          await createSettled(admin, topic, 4);
          const producer = new Producer({ bootstrapServers: [bootstrap], compression, acks, lingerMs: 2 });
          const sent = await Promise.all(
            Array.from(
              { length: 200 },
              (_, i) => producer.send({ topic, key: `key-${i}`, value: `value-${i}`, headers: { n: String(i) } }),
            ),
          );
          await producer.close();
          const records = await readTopic(bootstrap, topic, 4, 200);
          const what = `${compression}, acks=${acks}`;
          assert.equal(records.length, 200, `${what}: every record comes back`);
          const byValue = new Map(records.map((r) => [text.decode(r.value!), r]));
          for (let i = 0; i < 200; i++) {
            const r = byValue.get(`value-${i}`);
            assert.ok(r, `${what}: value-${i} present`);
            assert.equal(text.decode(r.key!), `key-${i}`);
            assert.equal(r.partition, keyedPartition(utf8.encode(`key-${i}`), 4), `${what}: murmur2 partition`);
            assert.deepEqual(r.headers.map(([k, v]) => [k, text.decode(v!)]), [["n", String(i)]]);
            assert.equal(sent[i].partition, r.partition);
            if (acks !== 0) assert.equal(sent[i].offset, r.offset, `${what}: send() reported the offset`);
            else assert.equal(sent[i].offset, -1n, "acks=0 gets no offset");
          }
        }
      }
    });

    test("produce(): records without promises, delivery callbacks in order, flush() rejects with a failure", async () => {
      const topic = "produce-api";
      await createSettled(admin, topic, 2);
      const producer = new Producer({ bootstrapServers: [bootstrap], lingerMs: 2, batchSize: 4096 });
      const reports: Array<{ i: number; partition: number; offset: bigint }> = [];
      for (let i = 0; i < 3000; i++) {
        const record = { topic, partition: i % 2, value: `v-${i}` };
        // Every tenth record asks for a report; the rest cost no callback at all.
        const wait = i % 10 === 0
          ? producer.produce(record, (error, metadata) => {
            assert.equal(error, null);
            reports.push({ i, partition: metadata!.partition, offset: metadata!.offset });
          })
          : producer.produce(record);
        if (wait) await wait;
      }
      await producer.flush();
      assert.equal(reports.length, 300, "each callback ran once, by the time flush() returned");
      for (const p of [0, 1]) {
        const mine = reports.filter((r) => r.partition === p);
        // Record i is the (i >> 1)-th of its partition: its offset says the order was kept.
        for (const r of mine) assert.equal(r.offset, BigInt(r.i >> 1), `record ${r.i}'s offset`);
      }
      const records = await readTopic(bootstrap, topic, 2, 3000);
      assert.equal(records.length, 3000);
      const seen = new Set(records.map((r) => text.decode(r.value!)));
      for (let i = 0; i < 3000; i++) assert.ok(seen.has(`v-${i}`), `v-${i} present`);

      // A record to a partition the topic does not have fails: told to its callback, or to the next flush().
      let told = null as Error | null;
      producer.produce({ topic, partition: 7, value: "x" }, (error) => told = error);
      assert.ok(told instanceof KafkaClientError && told.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      producer.produce({ topic, partition: 9, value: "y" });
      await assert.rejects(
        producer.flush(),
        (e: unknown) => e instanceof KafkaClientError && e.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
      await producer.flush(); // the failure was reported once
      // A new topic's first records wait for its metadata: produce() returns a promise for them.
      const waited = producer.produce({ topic: "produce-api-new", value: "first" });
      assert.ok(waited instanceof Promise, "the topic's metadata was not known yet");
      await waited;
      await producer.close();
      assert.equal((await readTopic(bootstrap, "produce-api-new", 1, 1)).length, 1);
    });

    test("an idempotent producer retries a batch whose answer was lost, and the log holds it once", async () => {
      for (const idempotence of [true, false]) {
        const topic = `lost-answer-${idempotence}`;
        await createSettled(admin, topic, 1);
        const [host, port] = [bootstrap.slice(0, bootstrap.lastIndexOf(":")), Number(bootstrap.split(":").at(-1))];
        const proxy = await startLossyProxy(host, port);
        const producer = new Producer({
          bootstrapServers: [bootstrap],
          idempotence,
          acks: idempotence ? "all" : 1,
          lingerMs: 20,
          brokerAddressMap: () => ({ host: "127.0.0.1", port: proxy.port }),
        });
        try {
          const sent = await Promise.all(
            Array.from({ length: 50 }, (_, i) => producer.send({ topic, value: `v${i}` })),
          );
          assert.equal(proxy.dropped, 1, "the first Produce answer was lost");
          const [end] = await admin.listOffsets([{ topic, partition: 0, spec: "latest" }]);
          const records = await readTopic(bootstrap, topic, 1, Number(end.offset));
          assert.equal(records.length, Number(end.offset));
          if (idempotence) {
            assert.equal(end.offset, 50n, "the retried batch was not written twice");
            assert.deepEqual(sent.map((s) => s.offset), records.map((r) => r.offset));
            assert.deepEqual(records.map((r) => text.decode(r.value!)), sent.map((_, i) => `v${i}`));
          } else {
            // The control: without idempotence the same loss duplicates the batch (so the check above can fail).
            assert.ok(end.offset > 50n, `without idempotence the retry duplicates (${end.offset} records)`);
          }
        } finally {
          await producer.close();
          await proxy.close();
        }
      }
    });

    test("admin: create, describe, configs, offsets, delete records, list and delete topics", async () => {
      await admin.createTopics([{
        name: "admin-t",
        partitions: 3,
        replicationFactor: 1,
        configs: { "retention.ms": "3600000" },
      }]);
      await assert.rejects(
        admin.createTopics([{ name: "admin-t", partitions: 3, replicationFactor: 1 }]),
        (e: KafkaClientError) => e.code === ErrorCode.TOPIC_ALREADY_EXISTS,
      );
      assert.ok((await admin.listTopics()).includes("admin-t"));
      const [info] = await admin.describeTopics(["admin-t"]);
      assert.equal(info.partitions.length, 3);
      assert.ok(info.partitions.every((p) => p.leader >= 0));
      const configs = await admin.describeConfigs(ResourceType.TOPIC, "admin-t", ["retention.ms", "cleanup.policy"]);
      assert.equal(configs.find((c) => c.name === "retention.ms")?.value, "3600000");
      assert.equal(configs.find((c) => c.name === "cleanup.policy")?.value, "delete");
      await admin.alterConfigs(ResourceType.TOPIC, "admin-t", [
        { name: "retention.ms", op: "set", value: "7200000" },
        { name: "max.message.bytes", op: "set", value: "500000" },
      ]);
      const altered = await configsSoon(admin, "admin-t", { "retention.ms": "7200000", "max.message.bytes": "500000" });
      assert.deepEqual(altered, { "retention.ms": "7200000", "max.message.bytes": "500000" });

      const producer = new Producer({ bootstrapServers: [bootstrap] });
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => producer.send({ topic: "admin-t", partition: 1, value: `v${i}` })),
      );
      await producer.close();
      const [end] = await admin.listOffsets([{ topic: "admin-t", partition: 1, spec: "latest" }]);
      assert.equal(end.offset, 10n);
      const [low] = await admin.deleteRecords([{ topic: "admin-t", partition: 1, offset: 4n }]);
      assert.equal(low.lowWatermark, 4n);
      const [start] = await admin.listOffsets([{ topic: "admin-t", partition: 1, spec: "earliest" }]);
      assert.equal(start.offset, 4n);

      await admin.deleteTopics(["admin-t"]);
      const deadline = Date.now() + 10_000;
      while ((await admin.listTopics()).includes("admin-t") && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(!(await admin.listTopics()).includes("admin-t"), "deleted");
    });

    test("offsetsForTimes, seek and seekToEnd on a manually assigned partition", async () => {
      await createSettled(admin, "times", 1);
      const base = Date.now() - 60_000;
      const producer = new Producer({ bootstrapServers: [bootstrap] });
      for (let i = 0; i < 5; i++) await producer.send({ topic: "times", value: `v${i}`, timestamp: base + i * 1000 });
      await producer.close();
      const consumer = new Consumer({ bootstrapServers: [bootstrap] });
      try {
        consumer.assign([{ topic: "times", partition: 0 }]);
        const [hit] = await consumer.offsetsForTimes([{ topic: "times", partition: 0, timestamp: base + 2500 }]);
        assert.equal(hit.offset, 3n);
        assert.equal(hit.timestamp, BigInt(base + 3000));
        const [miss] = await consumer.offsetsForTimes([{ topic: "times", partition: 0, timestamp: base + 10_000 }]);
        assert.equal(miss.offset, -1n);
        consumer.seek({ topic: "times", partition: 0 }, hit.offset);
        const records = await consumeAll(consumer, 2);
        assert.deepEqual(records.map((r) => text.decode(r.value!)), ["v3", "v4"]);
        assert.equal(records[0].timestamp, base + 3000);
        await consumer.seekToEnd();
        assert.equal(await consumer.position({ topic: "times", partition: 0 }), 5n);
      } finally {
        await consumer.close();
      }
    });

    test("a group of two consumers shares four partitions, commits, and is listed and described", async () => {
      await createSettled(admin, "shared", 4);
      const producer = new Producer({ bootstrapServers: [bootstrap] });
      await Promise.all(
        Array.from({ length: 400 }, (_, i) => producer.send({ topic: "shared", key: `k${i}`, value: `v${i}` })),
      );
      await producer.close();
      const make = () =>
        new Consumer({
          bootstrapServers: [bootstrap],
          groupId: "pair",
          autoOffsetReset: "earliest",
          heartbeatIntervalMs: 300,
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 20_000,
        });
      const [a, b] = [make(), make()];
      try {
        a.subscribe(["shared"]);
        b.subscribe(["shared"]);
        const seen = new Map<string, string>();
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          const [ra, rb] = await Promise.all([a.poll(300), b.poll(300)]);
          for (const r of ra) seen.set(`${r.partition}:${r.offset}`, "a");
          for (const r of rb) seen.set(`${r.partition}:${r.offset}`, "b");
          if (seen.size === 400 && a.assignment().length === 2 && b.assignment().length === 2) break;
        }
        assert.equal(seen.size, 400, "the two consumers together read every record");
        const parts = [...a.assignment(), ...b.assignment()].map((tp) => tp.partition).sort();
        assert.deepEqual(parts, [0, 1, 2, 3], "each partition is assigned to exactly one member");
        await a.commit();
        await b.commit();
        const committed = await a.committed([0, 1, 2, 3].map((partition) => ({ topic: "shared", partition })));
        const ends = await admin.listOffsets(
          [0, 1, 2, 3].map((partition) => ({ topic: "shared", partition, spec: "latest" as const })),
        );
        assert.deepEqual(committed.map((c) => c.offset), ends.map((e) => e.offset), "committed at the log end");
        const [group] = await admin.describeGroups(["pair"]);
        assert.equal(group.state, "Stable");
        assert.equal(group.protocolType, "consumer");
        assert.equal(group.members.length, 2);
        assert.equal(group.protocol, "range");
        const described = group.members.flatMap((m) => m.assignment.map((tp) => tp.partition)).sort();
        assert.deepEqual(described, [0, 1, 2, 3], "the members' assignments, as the coordinator reports them");
        assert.ok((await admin.listGroups()).some((g) => g.groupId === "pair"));
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
