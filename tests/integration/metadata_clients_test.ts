/**
 * Real clients ask a real broker process for metadata: kcat (librdkafka
 * 2.0), confluent-kafka-python and kafkajs, against the broker under Deno,
 * under Bun and as the compiled single executable. Checks the broker list,
 * controller, cluster id, auto-created topics, and that identities (cluster
 * id, topic ids) survive a restart on the same data directory.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, EXECUTABLE, type Flavour, ROOT, runCommand, startBroker } from "./_broker.ts";

const PYTHON = "/usr/bin/python3";
const flavours: Flavour[] = ["deno", "bun", "exe"];

async function kcatMetadata(bootstrap: string, topic?: string) {
  const args = ["-L", "-J", "-b", bootstrap, "-m", "15"];
  if (topic) args.push("-t", topic);
  const { code, stdout, stderr } = await runCommand("kcat", args);
  assert.equal(code, 0, `kcat failed: ${stderr}`);
  return JSON.parse(stdout);
}

async function pythonMetadata(bootstrap: string, topic?: string) {
  const args = [`${ROOT}/tests/integration/clients/list_topics.py`, bootstrap];
  if (topic) args.push(topic);
  const { code, stdout, stderr } = await runCommand(PYTHON, args);
  assert.equal(code, 0, `confluent-kafka-python failed: ${stderr}`);
  return JSON.parse(stdout);
}

function kafkajs(bootstrap: string) {
  return new Kafka({
    clientId: "tsbroker-test",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
}

for (const flavour of flavours) {
  describe(`metadata from real clients, broker under ${flavour}`, () => {
    let broker: BrokerProcess;

    before(async () => {
      if (flavour === "exe") assert.ok(fs.existsSync(EXECUTABLE), `${EXECUTABLE} missing: run deno task compile:bun`);
      broker = await startBroker(flavour, { overrides: { "num.partitions": 3 } });
    });
    after(async () => {
      assert.equal(await broker.stop(), 0, `broker did not exit cleanly:\n${broker.output.join("\n")}`);
    });

    test("kcat -L lists this node as the only broker", async () => {
      const md = await kcatMetadata(broker.bootstrap);
      assert.deepEqual(md.brokers, [{ id: 1, name: `127.0.0.1:${broker.port}` }]);
      assert.equal(md.controllerid, 1);
      assert.deepEqual(md.topics, []);
    });

    test("kafkajs describeCluster names the broker, controller and cluster id", async () => {
      const admin = kafkajs(broker.bootstrap).admin();
      await admin.connect();
      try {
        const cluster = await admin.describeCluster();
        assert.deepEqual(cluster.brokers, [{ nodeId: 1, host: "127.0.0.1", port: broker.port }]);
        assert.equal(cluster.controller, 1);
        assert.match(cluster.clusterId, /^[A-Za-z0-9_-]{22}$/);
      } finally {
        await admin.disconnect();
      }
    });

    test("a topic auto-created through kcat's metadata request is seen by every client", async () => {
      const created = await kcatMetadata(broker.bootstrap, "orders");
      assert.deepEqual(
        created.topics.map((t: { topic: string; partitions: unknown[] }) => [t.topic, t.partitions.length]),
        [["orders", 3]],
      );
      const admin = kafkajs(broker.bootstrap).admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: ["orders"] });
        assert.equal(topics.length, 1);
        assert.equal(topics[0].name, "orders");
        assert.deepEqual(topics[0].partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort(), [
          [0, 1, [1], [1]],
          [1, 1, [1], [1]],
          [2, 1, [1], [1]],
        ]);
        // kafkajs' admin never asks for auto-creation: Kafka answers UNKNOWN_TOPIC_OR_PARTITION.
        await assert.rejects(admin.fetchTopicMetadata({ topics: ["not-there"] }), /does not host this topic-partition/);
      } finally {
        await admin.disconnect();
      }
      const viaPython = await pythonMetadata(broker.bootstrap);
      assert.deepEqual(Object.keys(viaPython.topics), ["orders"]);
      assert.equal(viaPython.topics.orders.partitions.length, 3);
      assert.deepEqual(viaPython.topics.orders.partitions[2], { id: 2, leader: 1, replicas: [1], isrs: [1] });
    });

    test("confluent-kafka-python list_topics sees the cluster and an unknown topic's error", async () => {
      const md = await pythonMetadata(broker.bootstrap);
      assert.deepEqual(md.brokers, [{ id: 1, host: "127.0.0.1", port: broker.port }]);
      assert.equal(md.controller_id, 1);
      assert.match(md.cluster_id, /^[A-Za-z0-9_-]{22}$/);
      // An invalid topic name is refused, not created.
      const bad = await kcatMetadata(broker.bootstrap, "bad/name");
      assert.equal(bad.topics[0].error, "Broker: Invalid topic");
    });
  });
}

describe("identity survives a restart", () => {
  test("cluster id and topics stay the same on the same data directory", async () => {
    let broker = await startBroker("deno");
    const dataDir = broker.dataDir;
    let clusterId: string;
    try {
      await kcatMetadata(broker.bootstrap, "kept");
      const admin = kafkajs(broker.bootstrap).admin();
      await admin.connect();
      clusterId = (await admin.describeCluster()).clusterId;
      await admin.disconnect();
    } finally {
      assert.equal(await broker.stop(), 0);
    }
    broker = await startBroker("bun", { dataDir });
    try {
      const md = await pythonMetadata(broker.bootstrap);
      assert.equal(md.cluster_id, clusterId);
      assert.deepEqual(Object.keys(md.topics), ["kept"]);
    } finally {
      assert.equal(await broker.stop(), 0);
    }
  });
});
