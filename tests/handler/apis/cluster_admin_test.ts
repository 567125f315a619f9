/**
 * The admin APIs a single node answers from its metadata, through a whole
 * in-process broker core (LocalBroker, two handlers): DescribeCluster v0–v1
 * (endpoint types, authorized operations), ElectLeaders v0–v2 (never needed,
 * unknown partitions, a null list, a bad election type),
 * AlterPartitionReassignments and ListPartitionReassignments (nothing ever
 * in progress; only this node is a valid assignment), DescribeTopicPartitions
 * (a walk with the cursor through every partition, the broker's limit),
 * DescribeProducers (idempotent producers on partitions owned by both
 * handlers) and the finalized features of ApiVersions v3/v4.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LocalBroker } from "../_local_broker.ts";
import { produceRecords, withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";
import { ownerOf } from "../../../src/replica/partition_owner.ts";
import * as dc from "../../../src/protocol/generated/describe_cluster.ts";
import * as el from "../../../src/protocol/generated/elect_leaders.ts";
import * as apr from "../../../src/protocol/generated/alter_partition_reassignments.ts";
import * as lpr from "../../../src/protocol/generated/list_partition_reassignments.ts";
import * as dtp from "../../../src/protocol/generated/describe_topic_partitions.ts";
import * as dp from "../../../src/protocol/generated/describe_producers.ts";
import * as av from "../../../src/protocol/generated/api_versions.ts";

const describeCluster = (b: LocalBroker, version: number, endpointType = 1, includeOps = false) =>
  b.call(
    60,
    version,
    { includeClusterAuthorizedOperations: includeOps, endpointType },
    dc.encodeDescribeClusterRequest,
    dc.decodeDescribeClusterResponse,
  );

const elect = (b: LocalBroker, version: number, electionType: number, topicPartitions: el.TopicPartitions[] | null) =>
  b.call(
    43,
    version,
    { electionType, topicPartitions, timeoutMs: 1000 },
    el.encodeElectLeadersRequest,
    el.decodeElectLeadersResponse,
  );

const reassign = (b: LocalBroker, topics: apr.ReassignableTopic[]) =>
  b.call(
    45,
    0,
    { timeoutMs: 1000, topics },
    apr.encodeAlterPartitionReassignmentsRequest,
    apr.decodeAlterPartitionReassignmentsResponse,
  );

const describePartitions = (
  b: LocalBroker,
  names: string[],
  limit: number,
  cursor: dtp.DescribeTopicPartitionsRequestCursor | null,
) =>
  b.call(
    75,
    0,
    { topics: names.map((name) => ({ name })), responsePartitionLimit: limit, cursor },
    dtp.encodeDescribeTopicPartitionsRequest,
    dtp.decodeDescribeTopicPartitionsResponse,
  );

describe("admin APIs answered from the metadata of one node", () => {
  test("DescribeCluster v0–v1: this node as broker and controller; endpoint type 2 and others refused", async () => {
    await withBroker({}, async (b) => {
      for (const version of [0, 1]) {
        const r = await describeCluster(b, version);
        assert.equal(r.errorCode, ErrorCode.NONE);
        assert.equal(r.clusterId, "TG9jYWxCcm9rZXJUZXN0Lg");
        assert.equal(r.controllerId, 1);
        assert.deepEqual(r.brokers, [{ brokerId: 1, host: "127.0.0.1", port: 9092, rack: null }]);
        assert.equal(r.clusterAuthorizedOperations, -2147483648, "not requested");
        assert.equal((await describeCluster(b, version, 1, true)).clusterAuthorizedOperations, 8096);
      }
      const controllers = await describeCluster(b, 1, 2);
      assert.equal(controllers.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE);
      assert.deepEqual([controllers.clusterId, controllers.controllerId, controllers.brokers], ["", -1, []]);
      const other = await describeCluster(b, 1, 3);
      assert.equal(other.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
      assert.equal(other.errorMessage, "Unsupported endpoint type 3");
    });
  });

  test("ElectLeaders v0–v2: never needed; unknown topics and partitions; null = every topic; bad type", async () => {
    await withBroker({}, async (b) => {
      await b.createTopic("el-a", 2);
      await b.createTopic("el-b", 1);
      for (const version of [0, 1, 2]) {
        for (const type of version === 0 ? [0] : [0, 1]) {
          const r = await elect(b, version, type, [{ topic: "el-a", partitions: [1, 0, 5, -1] }, {
            topic: "nope",
            partitions: [0],
          }]);
          assert.equal(r.errorCode, ErrorCode.NONE);
          const codes = r.replicaElectionResults.map((t) =>
            `${t.topic}:${t.partitionResult.map((p) => `${p.partitionId}=${p.errorCode}`).join(",")}`
          );
          assert.deepEqual(codes, ["el-a:1=84,0=84,5=3,-1=3", "nope:0=3"]);
          assert.equal(r.replicaElectionResults[0].partitionResult[3].errorMessage, "No such partition as el-a--1");
          assert.equal(r.replicaElectionResults[1].partitionResult[0].errorMessage, "No such topic as nope");
          const all = await elect(b, version, type, null);
          assert.deepEqual(
            all.replicaElectionResults.map((t) => [t.topic, t.partitionResult.length]).sort(),
            [["el-a", 0], ["el-b", 0]],
          );
        }
      }
      const bad = await elect(b, 2, 2, [{ topic: "el-a", partitions: [0] }]);
      assert.equal(bad.errorCode, ErrorCode.INVALID_REQUEST);
      assert.equal(bad.replicaElectionResults[0].partitionResult[0].errorMessage, "Unknown election type 2");
      assert.deepEqual((await elect(b, 2, 2, null)).replicaElectionResults, []);
      assert.equal((await elect(b, 2, 2, [])).errorCode, ErrorCode.NONE, "an empty list is answered empty");
    });
  });

  test("partition reassignments: none in progress, only this node is a valid replica set", async () => {
    await withBroker({}, async (b) => {
      await b.createTopic("re-a", 2);
      const r = await reassign(b, [{
        name: "re-a",
        partitions: [
          { partitionIndex: 0, replicas: [1] },
          { partitionIndex: 1, replicas: [3, 2] },
          { partitionIndex: 1, replicas: [1, 1] },
          { partitionIndex: 1, replicas: [] },
          { partitionIndex: 0, replicas: null },
          { partitionIndex: 7, replicas: [1] },
        ],
      }, { name: "nope", partitions: [{ partitionIndex: 0, replicas: [1] }] }]);
      assert.equal(r.errorCode, ErrorCode.NONE);
      assert.deepEqual(r.responses[0].partitions.map((p) => [p.errorCode, p.errorMessage]), [
        [ErrorCode.NONE, null],
        [
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          "The manual partition assignment includes broker 2, but no such broker is registered.",
        ],
        [ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes the broker 1 more than once."],
        [ErrorCode.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes an empty replica list."],
        [ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, null],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "Unable to find partition re-a:7."],
      ]);
      assert.deepEqual(r.responses[1].partitions[0].errorMessage, "Unable to find a topic named nope.");
      assert.equal((await reassign(b, [])).errorMessage, "", "Kafka's empty answer has an empty message");
      for (const topics of [null, [{ name: "re-a", partitionIndexes: [0] }]]) {
        const listed = await b.call(
          46,
          0,
          { timeoutMs: 1000, topics },
          lpr.encodeListPartitionReassignmentsRequest,
          lpr.decodeListPartitionReassignmentsResponse,
        );
        assert.deepEqual([listed.errorCode, listed.topics], [ErrorCode.NONE, []]);
      }
    });
  });

  test("DescribeTopicPartitions: the cursor walks every partition once, in pages of the limit", async () => {
    await withBroker({ overrides: ["max.request.partition.size.limit=4"] }, async (b) => {
      await b.createTopic("dt-b", 5);
      await b.createTopic("dt-a", 3);
      await b.createTopic("dt-c", 1);
      for (const names of [[], ["dt-c", "dt-a", "dt-b", "dt-missing"]]) {
        const seen: string[] = [];
        let cursor: dtp.DescribeTopicPartitionsRequestCursor | null = null;
        let pages = 0;
        do {
          // Asks for 100: the broker's limit (4) wins.
          const r = await describePartitions(b, names, 100, cursor);
          pages++;
          for (const t of r.topics) {
            if (t.errorCode !== ErrorCode.NONE) seen.push(`${t.name}!${t.errorCode}`);
            for (const p of t.partitions) {
              assert.deepEqual([p.leaderId, p.replicaNodes, p.isrNodes, p.eligibleLeaderReplicas], [1, [1], [1], []]);
              seen.push(`${t.name}-${p.partitionIndex}`);
            }
          }
          assert.ok(r.topics.reduce((n, t) => n + t.partitions.length, 0) <= 4);
          cursor = r.nextCursor;
        } while (cursor !== null && pages < 10);
        const missing = names.length > 0 ? ["dt-missing!3"] : [];
        assert.deepEqual(seen.filter((s) => !s.startsWith("dt-missing")), [
          "dt-a-0",
          "dt-a-1",
          "dt-a-2",
          "dt-b-0",
          "dt-b-1",
          "dt-b-2",
          "dt-b-3",
          "dt-b-4",
          "dt-c-0",
        ]);
        assert.deepEqual(seen.filter((s) => s.startsWith("dt-missing")), missing);
        assert.equal(pages, 3);
      }
      const first = await describePartitions(b, ["dt-a"], 0, null);
      assert.deepEqual(first.nextCursor, { topicName: "dt-a", partitionIndex: 1 }, "a limit below 1 counts as 1");
      const refused = await describePartitions(b, ["dt-a"], 10, { topicName: "dt-b", partitionIndex: 0 });
      assert.deepEqual(refused.topics.map((t) => [t.name, t.errorCode]), [["dt-a", ErrorCode.INVALID_REQUEST]]);
    });
  });

  test("DescribeProducers: each partition's idempotent producers, from whichever handler owns it", async () => {
    await withBroker({}, async (b) => {
      const topicId = await b.createTopic("dp-a", 2);
      assert.notEqual(ownerOf(topicId, 0, 2), ownerOf(topicId, 1, 2), "the two partitions live on both handlers");
      const enc = new TextEncoder();
      const stamp = 1_700_000_000_000n;
      for (const partition of [0, 1]) {
        for (let seq = 0; seq < 4; seq += 2) {
          const batch = buildBatch([{ key: null, value: enc.encode("a") }, { key: null, value: enc.encode("b") }], {
            producerId: 40n + BigInt(partition),
            producerEpoch: 3,
            baseSequence: seq,
            baseTimestamp: stamp + BigInt(seq),
          });
          await produceRecords(b, "dp-a", partition, batch);
        }
      }
      await produceRecords(b, "dp-a", 0, buildBatch([{ key: null, value: enc.encode("plain") }]));
      for (const h of [0, 1]) {
        const r = await b.call(
          61,
          0,
          { topics: [{ name: "dp-a", partitionIndexes: [0, 1, 2] }, { name: "nope", partitionIndexes: [0] }] },
          dp.encodeDescribeProducersRequest,
          dp.decodeDescribeProducersResponse,
          h,
        );
        const [p0, p1, p2] = r.topics[0].partitions;
        assert.deepEqual(p0.activeProducers, [{
          producerId: 40n,
          producerEpoch: 3,
          lastSequence: 3,
          lastTimestamp: stamp + 2n,
          coordinatorEpoch: -1,
          currentTxnStartOffset: -1n,
        }]);
        assert.deepEqual(p1.activeProducers.map((p) => p.producerId), [41n]);
        assert.deepEqual([p2.errorCode, p2.errorMessage], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null]);
        const nope = r.topics[1].partitions[0];
        assert.deepEqual(
          [nope.errorCode, nope.errorMessage],
          [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition."],
        );
      }
    });
  });

  test("ApiVersions v3–v4 list the features tsbroker implements; v3 leaves out ranges from 0", async () => {
    await withBroker({}, async (b) => {
      const ask = (version: number) =>
        b.call(
          18,
          version,
          { clientSoftwareName: "t", clientSoftwareVersion: "1" },
          av.encodeApiVersionsRequest,
          av.decodeApiVersionsResponse,
        );
      const v4 = await ask(4);
      assert.deepEqual(v4.supportedFeatures, [
        { name: "metadata.version", minVersion: 21, maxVersion: 21 },
        { name: "group.version", minVersion: 0, maxVersion: 1 },
      ]);
      assert.deepEqual(v4.finalizedFeatures, [
        { name: "metadata.version", maxVersionLevel: 21, minVersionLevel: 21 },
        { name: "group.version", maxVersionLevel: 1, minVersionLevel: 1 },
      ]);
      assert.equal(v4.finalizedFeaturesEpoch, 0n);
      const v3 = await ask(3);
      assert.deepEqual(v3.supportedFeatures.map((f) => f.name), ["metadata.version"]);
      assert.deepEqual(v3.finalizedFeatures, v4.finalizedFeatures);
      const keys = new Set(v4.apiKeys.map((k) => k.apiKey));
      for (const key of [43, 45, 46, 60, 61, 75]) assert.ok(keys.has(key), `api ${key} advertised`);
    });
  });
});
