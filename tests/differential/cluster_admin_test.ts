/**
 * Differential: the admin APIs a single node answers from its metadata,
 * against the reference Kafka at every version tsbroker advertises —
 * DescribeCluster (60) v0–v1 with and without authorized
 * operations and every endpoint type; ElectLeaders (43) v0–v2: preferred and
 * unclean elections (never needed), unknown topics and partitions, a null
 * list, an empty one, a bad election type; AlterPartitionReassignments (45)
 * and ListPartitionReassignments (46): this node, another broker, duplicates,
 * an empty list, a cancel, unknown topics and partitions;
 * DescribeTopicPartitions (75): every topic, named topics, pages cut by the
 * limit and followed by the cursor, cursors past a topic's end or naming a
 * topic not asked for, missing and invalid names; DescribeProducers (61):
 * partitions with idempotent producers, without, unknown ones.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Comparison, Oracle, SUITE_COVERAGE } from "./_oracle.ts";
import { defaultCreatableTopic, defaultCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { buildBatch } from "../../src/log/record_batch.ts";

const TOPICS: Array<[string, number]> = [["ca-a", 3], ["ca-b", 2], ["ca-c", 1]];
const BASE_TIMESTAMP = BigInt(Date.now() - 60_000);
const utf8 = new TextEncoder();

const dtp = (names: string[], limit = 2000, cursor: [string, number] | null = null) => ({
  topics: names.map((name) => ({ name })),
  responsePartitionLimit: limit,
  cursor: cursor && { topicName: cursor[0], partitionIndex: cursor[1] },
});

const produce = (topic: string, partition: number, records: Uint8Array) => ({
  transactionalId: null,
  acks: -1,
  timeoutMs: 10_000,
  topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
});

/** An idempotent batch of `n` records from a producer id neither broker handed out (both accept it as new). */
const idempotent = (producerId: bigint, baseSequence: number, n: number) =>
  buildBatch(
    Array.from({ length: n }, (_, i) => ({ key: null, value: utf8.encode(`p${baseSequence + i}`), timestampDelta: i })),
    { baseTimestamp: BASE_TIMESTAMP + BigInt(baseSequence), producerId, producerEpoch: 2, baseSequence },
  );

describe("differential: cluster admin APIs", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("cluster_admin_test.ts");
    // Created on both sides without comparing: CreateTopics is topics_test's subject.
    const create = {
      ...defaultCreateTopicsRequest(),
      timeoutMs: 30_000,
      topics: TOPICS.map(([name, numPartitions]) => ({
        ...defaultCreatableTopic(),
        name,
        numPartitions,
        replicationFactor: 1,
      })),
    };
    for (const side of o.sides()) {
      const out = await side.send(19, 7, create);
      assert.ok(
        out.kind === "answer" && out.body.topics.every((t: { errorCode: number }) => t.errorCode === 0),
        `${side.name}: creating the topics failed`,
      );
    }
    await o.settle(TOPICS.map(([name]) => name));
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("DescribeCluster: this node, authorized operations, endpoint types", async () => {
    for (const version of o.advertised(60)) {
      for (const includeClusterAuthorizedOperations of [false, true]) {
        for (const endpointType of version >= 1 ? [1, 2, 3, 0] : [1]) {
          await o.compare({
            title: `endpoint type ${endpointType}`,
            apiKey: 60,
            version,
            request: { includeClusterAuthorizedOperations, endpointType },
          });
        }
      }
    }
    o.assertNoDifferences();
  });

  test("ElectLeaders: never needed on one node; unknown topics and partitions; null and empty lists; bad type", async () => {
    for (const version of o.advertised(43)) {
      for (const electionType of version >= 1 ? [0, 1, 2, 5] : [0]) {
        const ask = (title: string, topicPartitions: unknown) =>
          o.compare({
            title: `type ${electionType}: ${title}`,
            apiKey: 43,
            version,
            request: { electionType, timeoutMs: 10_000, topicPartitions },
          });
        await ask("named", [
          { topic: "ca-a", partitions: [0, 2, 7, -1, 0] },
          { topic: "ca-nope", partitions: [0] },
          { topic: "bad name!", partitions: [1] },
          { topic: "ca-b", partitions: [] },
          { topic: "ca-a", partitions: [1] },
        ]);
        await ask("every partition", null);
        await ask("none", []);
      }
    }
    o.assertNoDifferences();
  });

  test("AlterPartitionReassignments and ListPartitionReassignments: nothing ever in progress", async () => {
    const cases: Array<[string, unknown]> = [
      ["this node", [{ name: "ca-a", partitions: [{ partitionIndex: 0, replicas: [1] }] }]],
      ["another broker", [{ name: "ca-a", partitions: [{ partitionIndex: 0, replicas: [2] }] }]],
      ["ids checked in order", [{ name: "ca-a", partitions: [{ partitionIndex: 1, replicas: [3, 2] }] }]],
      ["this node and another", [{ name: "ca-a", partitions: [{ partitionIndex: 0, replicas: [1, 2] }] }]],
      ["this node twice", [{ name: "ca-a", partitions: [{ partitionIndex: 0, replicas: [1, 1, 5] }] }]],
      ["a negative id", [{ name: "ca-a", partitions: [{ partitionIndex: 0, replicas: [1, -1] }] }]],
      ["no replicas", [{ name: "ca-a", partitions: [{ partitionIndex: 0, replicas: [] }] }]],
      ["cancel", [{ name: "ca-b", partitions: [{ partitionIndex: 1, replicas: null }] }]],
      ["unknown partitions", [{
        name: "ca-a",
        partitions: [
          { partitionIndex: 9, replicas: [1] },
          { partitionIndex: 9, replicas: null },
          { partitionIndex: -1, replicas: [1] },
        ],
      }]],
      ["unknown topic", [{ name: "ca-nope", partitions: [{ partitionIndex: 0, replicas: [1] }] }]],
      ["invalid name", [{ name: "bad name!", partitions: [{ partitionIndex: 0, replicas: null }] }]],
      ["mixed", [
        { name: "ca-a", partitions: [{ partitionIndex: 0, replicas: [1] }, { partitionIndex: 0, replicas: [2] }] },
        { name: "ca-c", partitions: [{ partitionIndex: 0, replicas: [1] }] },
      ]],
      ["none", []],
    ];
    for (const version of o.advertised(45)) {
      for (const [title, topics] of cases) {
        await o.compare({ title, apiKey: 45, version, request: { timeoutMs: 10_000, topics } });
      }
    }
    for (const version of o.advertised(46)) {
      for (
        const [title, topics] of [
          ["all", null],
          ["named", [{ name: "ca-a", partitionIndexes: [0, 5] }, { name: "ca-nope", partitionIndexes: [0] }]],
          ["none", []],
        ] as const
      ) {
        await o.compare({ title, apiKey: 46, version, request: { timeoutMs: 10_000, topics } });
      }
    }
    o.assertNoDifferences();
  });

  test("DescribeTopicPartitions: every topic, named ones, pages and cursors, missing and invalid names", async () => {
    const cases: Array<[string, ReturnType<typeof dtp>]> = [
      ["every topic", dtp([])],
      ["named, with a missing one", dtp(["ca-b", "ca-nope", "ca-a"])],
      ["missing names sort among the others", dtp(["zz", "ca-a", "a"], 10)],
      ["invalid names", dtp(["bad name!", ".", "ca-c"])],
      ["an empty name", dtp(["", "ca-c"])],
      ["internal names that do not exist", dtp(["__transaction_state", "ca-c"])],
      ["a name twice", dtp(["ca-a", "ca-a"])],
      ["limit cuts a topic", dtp(["ca-a", "ca-b", "ca-c"], 2)],
      ["limit ends at a topic's end", dtp(["ca-a", "ca-b", "ca-c"], 3)],
      ["limit ends before a missing topic", dtp(["ca-a", "ca-b", "zz"], 5)],
      ["limit ends at the last topic's end", dtp(["ca-a", "ca-b", "ca-c"], 6)],
      ["limit 0 counts as 1", dtp(["ca-a"], 0)],
      ["a negative limit", dtp(["ca-a"], -5)],
      ["every topic, limit 2", dtp([], 2)],
      ["cursor inside a topic", dtp(["ca-a", "ca-b", "ca-c"], 2, ["ca-a", 1])],
      ["cursor at a topic's start", dtp(["ca-a", "ca-b", "ca-c"], 2, ["ca-b", 0])],
      ["cursor past a topic's end", dtp(["ca-a", "ca-b"], 1, ["ca-a", 3])],
      ["cursor on a missing topic asked for", dtp(["ca-nope", "ca-a"], 10, ["ca-nope", 0])],
      ["cursor skips names before it", dtp(["ca-nope", "ca-a", "ca-b", "zz"], 10, ["ca-b", 0])],
      ["every topic from a cursor", dtp([], 3, ["ca-b", 1])],
      ["every topic from a name between two", dtp([], 10, ["ca-bb", 0])],
      ["every topic from a name after all", dtp([], 10, ["zzz", 0])],
      ["every topic, negative cursor partition", dtp([], 10, ["ca-a", -1])],
      ["cursor topic not asked for", dtp(["ca-a", "ca-c"], 10, ["ca-b", 0])],
      ["cursor topic that does not exist", dtp(["ca-a", "ca-b"], 10, ["ca-nope", 0])],
      ["negative cursor partition", dtp(["ca-a", "ca-b"], 10, ["ca-a", -1])],
    ];
    for (const version of o.advertised(75)) {
      for (const [title, request] of cases) await o.compare({ title, apiKey: 75, version, request });
      // A client's walk: follow each answer's cursor to the end.
      let cursor: [string, number] | null = null;
      for (let page = 0; page < 10; page++) {
        const c: Comparison = await o.compare({
          title: `walk page ${page}`,
          apiKey: 75,
          version,
          request: dtp([], 2, cursor),
        });
        const next: { topicName: string; partitionIndex: number } | null = c.kafka?.nextCursor ?? null;
        if (!next) break;
        cursor = [next.topicName, next.partitionIndex];
      }
    }
    o.assertNoDifferences();
  });

  test("DescribeProducers: idempotent producers per partition, none, unknown partitions", async () => {
    await o.compare({
      title: "produce p1",
      apiKey: 0,
      version: 9,
      request: produce("ca-b", 0, idempotent(7001n, 0, 3)),
    });
    await o.compare({
      title: "produce p1",
      apiKey: 0,
      version: 9,
      request: produce("ca-b", 0, idempotent(7001n, 3, 2)),
    });
    await o.compare({
      title: "produce p2",
      apiKey: 0,
      version: 9,
      request: produce("ca-b", 0, idempotent(7002n, 0, 1)),
    });
    await o.compare({
      title: "produce gap",
      apiKey: 0,
      version: 9,
      request: produce("ca-b", 0, idempotent(7002n, 9, 1)),
    });
    await o.compare({
      title: "produce p3",
      apiKey: 0,
      version: 9,
      request: produce("ca-a", 2, idempotent(7003n, 0, 4)),
    });
    const plain = buildBatch([{ key: null, value: utf8.encode("plain") }], { baseTimestamp: BASE_TIMESTAMP });
    await o.compare({ title: "produce plain", apiKey: 0, version: 9, request: produce("ca-c", 0, plain) });
    for (const version of o.advertised(61)) {
      const ask = (title: string, topics: unknown) => o.compare({ title, apiKey: 61, version, request: { topics } });
      await ask("producers", [
        { name: "ca-b", partitionIndexes: [0, 1] },
        { name: "ca-a", partitionIndexes: [2, 0] },
        { name: "ca-c", partitionIndexes: [0] },
      ]);
      await ask("unknown partitions and topics", [
        { name: "ca-a", partitionIndexes: [3, -1, 1, 1] },
        { name: "ca-nope", partitionIndexes: [0] },
        { name: "bad name!", partitionIndexes: [0] },
        { name: "", partitionIndexes: [0] },
        { name: "ca-b", partitionIndexes: [] },
      ]);
      await ask("none", []);
    }
    // DeleteRecords past every batch of a producer: Kafka keeps its state until it expires, tsbroker forgets it.
    await o.compare({
      title: "produce p4",
      apiKey: 0,
      version: 9,
      request: produce("ca-c", 0, idempotent(7004n, 0, 2)),
    });
    await o.compare({
      title: "delete records",
      apiKey: 21,
      version: 2,
      request: { topics: [{ name: "ca-c", partitions: [{ partitionIndex: 0, offset: -1n }] }], timeoutMs: 10_000 },
    });
    await o.compare({
      title: "producers below the log start",
      apiKey: 61,
      version: 0,
      request: { topics: [{ name: "ca-c", partitionIndexes: [0] }] },
    });
    o.assertNoDifferences();
  });

  test("every advertised version of the file's APIs was compared", () => {
    o.assertCovered(SUITE_COVERAGE["cluster_admin_test.ts"]);
  });
});
