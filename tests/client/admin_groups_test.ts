/**
 * The client operations the CLI added (src/client/admin_groups.ts and a fetcher fix), against a tsbroker
 * process: a consumer assigned partitions and sought to an offset before any metadata lookup still fetches
 * (it waited forever before: the fetcher refreshed only topics already in the cache); a group's committed
 * offsets are listed, altered from outside while the group is empty and refused while it has a member;
 * groups are deleted; groups of either protocol are described by one call; the cluster and the broker's API
 * versions are described.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Admin } from "../../src/client/admin.ts";
import { Consumer } from "../../src/client/consumer.ts";
import { KafkaClientError } from "../../src/client/errors.ts";
import { Producer } from "../../src/client/producer.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { type BrokerProcess, startBroker } from "../integration/_broker.ts";
import { wireCaller, WireClient } from "../integration/_wire.ts";
import {
  decodeConsumerGroupHeartbeatResponse,
  encodeConsumerGroupHeartbeatRequest,
} from "../../src/protocol/generated/consumer_group_heartbeat.ts";

const text = new TextDecoder();

describe("admin group offsets, cluster, and assign-then-seek", () => {
  let broker: BrokerProcess;
  let admin: Admin;
  const opts = () => ({ bootstrapServers: [broker.bootstrap] });

  before(async () => {
    broker = await startBroker("deno", { overrides: { "group.initial.rebalance.delay.ms": 0 } });
    admin = new Admin(opts());
    await admin.createTopics([{ name: "t", partitions: 2 }]);
    const producer = new Producer(opts());
    for (let i = 0; i < 5; i++) await producer.send({ topic: "t", partition: 0, value: `v${i}` });
    await producer.close();
  });
  after(async () => {
    await admin?.close();
    await broker?.stop();
  });

  test("a consumer assigned and sought before any metadata lookup fetches from that offset", async () => {
    const consumer = new Consumer(opts());
    try {
      consumer.assign([{ topic: "t", partition: 0 }]);
      consumer.seek({ topic: "t", partition: 0 }, 3n);
      const records = [];
      const deadline = Date.now() + 10_000;
      while (records.length < 2 && Date.now() < deadline) records.push(...await consumer.poll(500));
      assert.deepEqual(records.map((r) => text.decode(r.value!)), ["v3", "v4"]);
    } finally {
      await consumer.close();
    }
  });

  test("group offsets: listed, altered while empty, refused while a member is in, deleted with the group", async () => {
    const member = new Consumer({ ...opts(), groupId: "g", autoOffsetReset: "earliest", autoCommit: false });
    member.subscribe(["t"]);
    let got = 0;
    const deadline = Date.now() + 20_000;
    while (got < 5 && Date.now() < deadline) got += (await member.poll(500)).length;
    await member.commit([{ topic: "t", partition: 0, offset: 5n }]);
    assert.deepEqual(await admin.listGroupOffsets("g"), [{ topic: "t", partition: 0, offset: 5n }]);

    await assert.rejects(
      admin.alterGroupOffsets("g", [{ topic: "t", partition: 0, offset: 1n }]),
      (e) => e instanceof KafkaClientError && e.code !== ErrorCode.NONE,
    );
    await assert.rejects(
      admin.deleteGroups(["g"]),
      (e) => e instanceof KafkaClientError && e.code === ErrorCode.NON_EMPTY_GROUP,
    );
    const [classic] = await admin.describeGroupsAnyType(["g"]);
    assert.deepEqual([classic.type, classic.state, classic.protocol], ["classic", "Stable", "range"]);
    assert.deepEqual(classic.members[0].assignment.map((tp) => `${tp.topic}-${tp.partition}`).sort(), ["t-0", "t-1"]);
    await member.close();

    await admin.alterGroupOffsets("g", [{ topic: "t", partition: 0, offset: 1n }, {
      topic: "t",
      partition: 1,
      offset: 0n,
    }]);
    assert.deepEqual(await admin.listGroupOffsets("g"), [
      { topic: "t", partition: 0, offset: 1n },
      { topic: "t", partition: 1, offset: 0n },
    ]);
    await admin.deleteGroups(["g"]);
    assert.deepEqual(await admin.listGroupOffsets("g"), []);
    assert.ok(!(await admin.listGroups()).some((g) => g.groupId === "g"));
  });

  test("describeConsumerGroups: a KIP-848 member and its assignment; an unknown group is GROUP_ID_NOT_FOUND", async () => {
    const wire = await WireClient.connect(broker.port);
    try {
      const joined = await wireCaller("kip848")(
        wire,
        68,
        0,
        {
          groupId: "k848",
          memberId: "",
          memberEpoch: 0,
          instanceId: null,
          rackId: null,
          rebalanceTimeoutMs: 30_000,
          subscribedTopicNames: ["t"],
          subscribedTopicRegex: null,
          serverAssignor: "uniform",
          topicPartitions: [],
        },
        encodeConsumerGroupHeartbeatRequest,
        decodeConsumerGroupHeartbeatResponse,
      );
      assert.equal(joined.errorCode, 0);
      const [g] = await admin.describeConsumerGroups(["k848"]);
      assert.equal(g.assignor, "uniform");
      assert.equal(g.members.length, 1);
      assert.equal(g.members[0].memberId, joined.memberId);
      assert.equal(g.members[0].clientId, "kip848");
      assert.deepEqual(g.members[0].assignment.map((tp) => `${tp.topic}-${tp.partition}`).sort(), ["t-0", "t-1"]);
      await assert.rejects(
        admin.describeConsumerGroups(["no-such-group"]),
        (e) => e instanceof KafkaClientError && e.code === ErrorCode.GROUP_ID_NOT_FOUND,
      );
      // One call for both types: the KIP-848 group through ConsumerGroupDescribe, an unknown one as Dead.
      const [any848, unknown] = await admin.describeGroupsAnyType(["k848", "no-such-group"]);
      assert.deepEqual([any848.type, any848.protocol, any848.members[0].memberId], [
        "consumer",
        "uniform",
        joined.memberId,
      ]);
      assert.deepEqual(unknown, {
        groupId: "no-such-group",
        state: "Dead",
        type: "classic",
        protocol: "",
        members: [],
      });
    } finally {
      wire.socket.destroy();
    }
  });

  test("describeCluster and apiVersions", async () => {
    const cluster = await admin.describeCluster();
    assert.equal(cluster.brokers.length, 1);
    assert.equal(cluster.brokers[0].port, broker.port);
    assert.equal(cluster.controllerId, cluster.brokers[0].nodeId);
    assert.match(cluster.clusterId ?? "", /^[\w-]{22}$/);
    const versions = await admin.apiVersions();
    const produce = versions.find((v) => v.apiKey === 0);
    assert.ok(produce && produce.maxVersion >= 9, JSON.stringify(produce));
  });
});

describe("Producer.flush", () => {
  let broker: BrokerProcess;
  before(async () => {
    broker = await startBroker("deno");
  });
  after(async () => {
    await broker?.stop();
  });

  test("waits for records whose send() still waits for the topic's metadata", async () => {
    const admin = new Admin({ bootstrapServers: [broker.bootstrap] });
    await admin.createTopics([{ name: "fresh", partitions: 2 }]);
    const producer = new Producer({ bootstrapServers: [broker.bootstrap] });
    let delivered = 0;
    for (let i = 0; i < 50; i++) producer.send({ topic: "fresh", value: `v${i}` }).then(() => delivered++);
    await producer.flush();
    assert.equal(delivered, 50, "every record sent before flush() is answered when it returns");
    await producer.close();
    const ends = await admin.listOffsets([0, 1].map((partition) => ({ topic: "fresh", partition, spec: "latest" })));
    assert.equal(ends.reduce((n, e) => n + Number(e.offset), 0), 50);
    await admin.close();
  });
});
