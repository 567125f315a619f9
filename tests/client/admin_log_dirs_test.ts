/**
 * Admin.describeLogDirs and describeTopicSizes against a tsbroker process and the reference Apache Kafka:
 * every broker names its log dirs with the file system's sizes, the replicas in them grow with what is
 * produced, and per-topic sizes are the sum of their partitions' (an empty partition is 0 bytes, a
 * partition that received records is larger than their payload).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Admin } from "../../src/client/admin.ts";
import { Producer } from "../../src/client/producer.ts";
import { startReferenceKafka } from "../../scripts/kafka/reference.ts";
import { startBroker } from "../integration/_broker.ts";

const TARGETS = [
  { name: "tsbroker (Deno)", start: () => startBroker("deno") },
  { name: "Apache Kafka", start: () => startReferenceKafka() },
];

for (const target of TARGETS) {
  describe(`topic sizes against ${target.name}`, () => {
    let server: { bootstrap: string; stop(): Promise<unknown> };
    let admin: Admin;

    before(async () => {
      server = await target.start();
      admin = new Admin({ bootstrapServers: [server.bootstrap] });
    });
    after(async () => {
      await admin?.close();
      await server?.stop();
    });

    test("log dirs per broker; sizes per partition and per topic follow what was produced", async () => {
      await admin.createTopics([{ name: "sized", partitions: 3, replicationFactor: 1 }, {
        name: "empty",
        partitions: 1,
        replicationFactor: 1,
      }]);
      // Kafka publishes a topic before its partitions are led: wait until each answers ListOffsets.
      await admin.listOffsets([0, 1, 2].map((partition) => ({ topic: "sized", partition, spec: "latest" })));
      const producer = new Producer({ bootstrapServers: [server.bootstrap], lingerMs: 0 });
      for (let i = 0; i < 50; i++) await producer.send({ topic: "sized", partition: 2, value: "v".repeat(200) });
      await producer.send({ topic: "sized", partition: 0, value: "one" });
      await producer.close();

      const dirs = await admin.describeLogDirs();
      const cluster = await admin.describeCluster();
      assert.deepEqual([...new Set(dirs.map((d) => d.nodeId))], cluster.brokers.map((b) => b.nodeId));
      for (const d of dirs) {
        assert.match(d.path, /^\//, "an absolute path");
        assert.equal(d.error, 0);
        assert.ok(d.totalBytes > 0n && d.usableBytes > 0n && d.usableBytes <= d.totalBytes, `${d.path}`);
      }
      const sizedReplicas = dirs.flatMap((d) => d.replicas).filter((r) => r.topic === "sized");
      assert.deepEqual(sizedReplicas.map((r) => r.partition).sort(), [0, 1, 2]);

      const sizes = await admin.describeTopicSizes(["sized", "empty", "missing"]);
      assert.deepEqual(sizes.map((t) => t.topic), ["empty", "missing", "sized"]);
      const [empty, missing, sized] = sizes;
      assert.deepEqual(empty.partitions, [{ partition: 0, size: 0n }]);
      assert.deepEqual([missing.size, missing.partitions], [0n, []]);
      const [p0, p1, p2] = sized.partitions;
      assert.equal(p1.size, 0n);
      assert.ok(p0.size > 3n && p0.size < 1000n, `one small record: ${p0.size} bytes`);
      assert.ok(p2.size > 50n * 200n, `50 records of 200 bytes: ${p2.size} bytes`);
      assert.equal(sized.size, p0.size + p1.size + p2.size);

      const all = await admin.describeTopicSizes();
      assert.deepEqual(all.find((t) => t.topic === "sized"), sized);
    });
  });
}
