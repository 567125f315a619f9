/**
 * Topic administration through a whole in-process broker core (LocalBroker):
 * CreateTopics v0–v7, DeleteTopics v0–v6 and CreatePartitions v0–v3, each
 * version once with its version-specific fields, then Kafka's refusals
 * (names, duplicates, counts, replication factor, configs), the effect on
 * the handlers (partitions open and writable, directories removed) and
 * delete.topic.enable=false.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalBroker, type LocalBrokerOptions } from "../_local_broker.ts";
import { withBroker as withFreshBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { ZERO_UUID } from "../../../src/protocol/io/uuid.ts";
import { buildBatch } from "../../../src/log/record_batch.ts";
import { decodeProduceResponse, encodeProduceRequest } from "../../../src/protocol/generated/produce.ts";
import {
  type CreatableTopic,
  type CreatableTopicResult,
  decodeCreateTopicsResponse,
  encodeCreateTopicsRequest,
} from "../../../src/protocol/generated/create_topics.ts";
import {
  decodeDeleteTopicsResponse,
  type DeletableTopicResult,
  type DeleteTopicsRequest,
  encodeDeleteTopicsRequest,
} from "../../../src/protocol/generated/delete_topics.ts";
import {
  type CreatePartitionsTopic,
  type CreatePartitionsTopicResult,
  decodeCreatePartitionsResponse,
  encodeCreatePartitionsRequest,
} from "../../../src/protocol/generated/create_partitions.ts";

const TOPIC_CONFIG_SOURCE = 1;
const enc = new TextEncoder();

/** A fresh broker with 3 handlers unless `opts` says otherwise. */
function withBroker(opts: LocalBrokerOptions, fn: (b: LocalBroker) => Promise<void>): Promise<void> {
  return withFreshBroker({ handlers: 3, ...opts }, fn);
}

function creatable(name: string, numPartitions = 1, extra: Partial<CreatableTopic> = {}): CreatableTopic {
  return { name, numPartitions, replicationFactor: 1, assignments: [], configs: [], ...extra };
}

async function createTopics(
  broker: LocalBroker,
  version: number,
  topics: CreatableTopic[],
  validateOnly = false,
): Promise<CreatableTopicResult[]> {
  const res = await broker.call(
    19,
    version,
    { topics, timeoutMs: 5000, validateOnly },
    encodeCreateTopicsRequest,
    decodeCreateTopicsResponse,
  );
  return res.topics;
}

async function deleteTopics(
  broker: LocalBroker,
  version: number,
  req: Partial<DeleteTopicsRequest>,
): Promise<DeletableTopicResult[]> {
  const res = await broker.call(
    20,
    version,
    { topics: [], topicNames: [], timeoutMs: 5000, ...req },
    encodeDeleteTopicsRequest,
    decodeDeleteTopicsResponse,
  );
  return res.responses;
}

async function createPartitions(
  broker: LocalBroker,
  version: number,
  topics: CreatePartitionsTopic[],
  validateOnly = false,
): Promise<CreatePartitionsTopicResult[]> {
  const res = await broker.call(
    37,
    version,
    { topics, timeoutMs: 5000, validateOnly },
    encodeCreatePartitionsRequest,
    decodeCreatePartitionsResponse,
  );
  return res.results;
}

/** Produce one record to each partition; returns [errorCode, baseOffset] per partition. */
async function produceEach(broker: LocalBroker, topic: string, partitions: number[]): Promise<Array<[number, bigint]>> {
  const res = await broker.call(
    0,
    11,
    {
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topicData: [{
        name: topic,
        partitionData: partitions.map((index) => ({
          index,
          records: buildBatch([{ key: null, value: enc.encode("x") }]),
        })),
      }],
    },
    encodeProduceRequest,
    decodeProduceResponse,
  );
  return res.responses[0].partitionResponses.map((p) => [p.errorCode, p.baseOffset]);
}

function partitionDirs(broker: LocalBroker, topic: string): string[] {
  return fs.readdirSync(broker.dir).filter((f) => f.startsWith(`${topic}-`) && /^\d+$/.test(f.slice(topic.length + 1)))
    .sort();
}

/** Every entry in the log dir that belongs to `topic` in any form (live or renamed for deletion). */
function leftovers(broker: LocalBroker, topic: string): string[] {
  return fs.readdirSync(broker.dir).filter((f) => f.startsWith(`${topic}-`));
}

const partitionCount = (broker: LocalBroker, topic: string) =>
  broker.states.map((s) => s.metadata.byName.get(topic)?.partitions ?? 0);

describe("CreateTopics", () => {
  for (let version = 0; version <= 7; version++) {
    test(`v${version} creates a topic with configs and answers its version's fields`, async () => {
      await withBroker({}, async (broker) => {
        const configs = [{ name: "retention.ms", value: "86400000" }, { name: "max.message.bytes", value: "2048" }];
        const [r] = await createTopics(broker, version, [creatable(`made${version}`, 3, { configs })]);
        assert.equal(r.name, `made${version}`);
        assert.equal(r.errorCode, ErrorCode.NONE);
        if (version >= 1) assert.equal(r.errorMessage, null);
        const id = broker.states[0].metadata.byName.get(`made${version}`)?.topicId;
        assert.ok(id);
        assert.equal(r.topicId, version >= 7 ? id : ZERO_UUID);
        if (version >= 5) {
          assert.deepEqual([r.numPartitions, r.replicationFactor], [3, 1]);
          const byName = new Map(r.configs!.map((c) => [c.name, c]));
          assert.deepEqual(
            [byName.get("retention.ms")?.value, byName.get("retention.ms")?.configSource],
            ["86400000", TOPIC_CONFIG_SOURCE],
          );
          assert.equal(byName.get("max.message.bytes")?.value, "2048");
          assert.equal(byName.get("cleanup.policy")?.value, "delete");
          assert.notEqual(byName.get("cleanup.policy")?.configSource, TOPIC_CONFIG_SOURCE);
        } else {
          assert.deepEqual([r.numPartitions, r.replicationFactor], [-1, -1]);
          assert.ok(r.configs === null || r.configs.length === 0);
        }
        // Every handler sees it and the partitions are open and writable.
        assert.deepEqual(partitionCount(broker, `made${version}`), [3, 3, 3]);
        assert.deepEqual(partitionDirs(broker, `made${version}`), [0, 1, 2].map((p) => `made${version}-${p}`));
        assert.deepEqual(await produceEach(broker, `made${version}`, [0, 1, 2]), [[0, 0n], [0, 0n], [0, 0n]]);
      });
    });
  }

  test("validateOnly (v1+) checks and answers as if created, but creates nothing", async () => {
    await withBroker({}, async (broker) => {
      for (const version of [1, 4, 5, 7]) {
        const [r] = await createTopics(broker, version, [creatable("dry", 4)], true);
        assert.equal(r.errorCode, ErrorCode.NONE);
        if (version >= 5) assert.equal(r.numPartitions, 4);
        const [bad] = await createTopics(broker, version, [creatable("dry", 0)], true);
        assert.equal(bad.errorCode, ErrorCode.INVALID_PARTITIONS);
      }
      assert.deepEqual(partitionCount(broker, "dry"), [0, 0, 0]);
      assert.deepEqual(leftovers(broker, "dry"), []);
    });
  });

  test("v4+: numPartitions and replicationFactor -1 take the broker defaults", async () => {
    await withBroker({ overrides: ["num.partitions=5"] }, async (broker) => {
      for (const version of [4, 5, 7]) {
        const [r] = await createTopics(broker, version, [creatable(`dflt${version}`, -1, { replicationFactor: -1 })]);
        assert.equal(r.errorCode, ErrorCode.NONE);
        if (version >= 5) assert.deepEqual([r.numPartitions, r.replicationFactor], [5, 1]);
        assert.deepEqual(partitionCount(broker, `dflt${version}`), [5, 5, 5]);
      }
    });
  });

  test("Kafka's refusals: names, duplicates, existing topics, counts, replication factor, configs", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("exists", 1);
      await broker.createTopic("dotted.name", 1);
      const results = await createTopics(broker, 7, [
        creatable("bad/name"),
        creatable(".."),
        creatable("x".repeat(250)),
        creatable("twice"),
        creatable("twice"),
        creatable("exists"),
        creatable("dotted_name"),
        creatable("zero", 0),
        creatable("negative", -3),
        creatable("three", 1, { replicationFactor: 3 }),
        creatable("rf0", 1, { replicationFactor: 0 }),
        creatable("unknownconf", 1, { configs: [{ name: "no.such.config", value: "1" }] }),
        creatable("badvalue", 1, { configs: [{ name: "retention.ms", value: "soon" }] }),
        creatable("shredded", 1, { configs: [{ name: "cleanup.policy", value: "compact,shred" }] }),
        creatable("fine", 2),
      ]);
      const codes = new Map<string, number[]>();
      for (const r of results) codes.set(r.name, [...(codes.get(r.name) ?? []), r.errorCode]);
      assert.deepEqual(codes.get("bad/name"), [ErrorCode.INVALID_TOPIC_EXCEPTION]);
      assert.deepEqual(codes.get(".."), [ErrorCode.INVALID_TOPIC_EXCEPTION]);
      assert.deepEqual(codes.get("x".repeat(250)), [ErrorCode.INVALID_TOPIC_EXCEPTION]);
      // Kafka answers a duplicated name with INVALID_REQUEST (once in KRaft, per entry in ZooKeeper mode).
      assert.ok(codes.get("twice")!.length >= 1 && codes.get("twice")!.every((c) => c === ErrorCode.INVALID_REQUEST));
      assert.deepEqual(codes.get("exists"), [ErrorCode.TOPIC_ALREADY_EXISTS]);
      assert.deepEqual(codes.get("dotted_name"), [ErrorCode.INVALID_TOPIC_EXCEPTION]);
      assert.deepEqual(codes.get("zero"), [ErrorCode.INVALID_PARTITIONS]);
      assert.deepEqual(codes.get("negative"), [ErrorCode.INVALID_PARTITIONS]);
      assert.deepEqual(codes.get("three"), [ErrorCode.INVALID_REPLICATION_FACTOR]);
      assert.deepEqual(codes.get("rf0"), [ErrorCode.INVALID_REPLICATION_FACTOR]);
      assert.deepEqual(codes.get("unknownconf"), [ErrorCode.INVALID_CONFIG]);
      assert.deepEqual(codes.get("badvalue"), [ErrorCode.INVALID_CONFIG]);
      assert.deepEqual(codes.get("shredded"), [ErrorCode.INVALID_CONFIG]);
      assert.deepEqual(codes.get("fine"), [ErrorCode.NONE]);
      for (const r of results) {
        if (r.errorCode === ErrorCode.NONE) continue;
        assert.equal(typeof r.errorMessage, "string", `${r.name} has an error message`);
        assert.deepEqual([r.topicId, r.numPartitions, r.replicationFactor, r.configs], [ZERO_UUID, -1, -1, []]);
      }
      const created = [...broker.states[0].metadata.byName.keys()].sort();
      assert.deepEqual(created, ["dotted.name", "exists", "fine"]);
    });
  });
});

describe("DeleteTopics", () => {
  for (let version = 0; version <= 6; version++) {
    test(`v${version} deletes topics and their partition directories`, async () => {
      await withBroker({}, async (broker) => {
        const idA = await broker.createTopic("doomed-a", 4);
        const idB = await broker.createTopic("doomed-b", 2);
        await broker.createTopic("kept", 1);
        await produceEach(broker, "doomed-a", [0, 1, 2, 3]);
        assert.equal(partitionDirs(broker, "doomed-a").length, 4);
        const req: Partial<DeleteTopicsRequest> = version >= 6
          ? { topics: [{ name: "doomed-a", topicId: ZERO_UUID }, { name: null, topicId: idB }] }
          : { topicNames: ["doomed-a", "doomed-b"] };
        const results = await deleteTopics(broker, version, req);
        assert.deepEqual(results.map((r) => [r.name, r.errorCode]), [["doomed-a", 0], ["doomed-b", 0]]);
        if (version >= 5) assert.deepEqual(results.map((r) => r.errorMessage), [null, null]);
        assert.deepEqual(results.map((r) => r.topicId), version >= 6 ? [idA, idB] : [ZERO_UUID, ZERO_UUID]);
        assert.deepEqual(leftovers(broker, "doomed-a"), []);
        assert.deepEqual(leftovers(broker, "doomed-b"), []);
        assert.deepEqual(partitionCount(broker, "doomed-a"), [0, 0, 0]);
        assert.deepEqual(partitionDirs(broker, "kept"), ["kept-0"]);
        assert.deepEqual(await produceEach(broker, "doomed-a", [0]), [[ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]]);
        // The name can be used again, for a fresh, empty topic.
        await broker.createTopic("doomed-a", 1);
        assert.deepEqual(await produceEach(broker, "doomed-a", [0]), [[0, 0n]]);
      });
    });
  }

  test("unknown names are UNKNOWN_TOPIC_OR_PARTITION, unknown ids (v6) UNKNOWN_TOPIC_ID, name and id together INVALID_REQUEST", async () => {
    await withBroker({}, async (broker) => {
      const id = await broker.createTopic("real", 1);
      const old = await deleteTopics(broker, 5, { topicNames: ["ghost"] });
      assert.deepEqual(old.map((r) => [r.name, r.errorCode, typeof r.errorMessage]), [["ghost", 3, "string"]]);
      const unknownId = "AAAAAAAAAAAAAAAAAAAAAQ";
      const results = await deleteTopics(broker, 6, {
        topics: [
          { name: "ghost", topicId: ZERO_UUID },
          { name: null, topicId: unknownId },
          { name: "real", topicId: id },
        ],
      });
      assert.deepEqual(results.map((r) => [r.name, r.topicId, r.errorCode]), [
        ["ghost", ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
        ["real", id, ErrorCode.INVALID_REQUEST],
      ]);
      assert.deepEqual(partitionDirs(broker, "real"), ["real-0"]);
    });
  });

  // Kafka (ControllerApis.deleteTopics, KIP-322): TOPIC_DELETION_DISABLED from v3, INVALID_REQUEST before.
  test("delete.topic.enable=false: TOPIC_DELETION_DISABLED (v3+), INVALID_REQUEST (v0–v2); nothing deleted", async () => {
    await withBroker({ overrides: ["delete.topic.enable=false"] }, async (broker) => {
      const id = await broker.createTopic("stays", 2);
      for (let version = 0; version <= 6; version++) {
        const req = version >= 6 ? { topics: [{ name: null, topicId: id }] } : { topicNames: ["stays"] };
        const [r] = await deleteTopics(broker, version, req);
        assert.equal(
          r.errorCode,
          version >= 3 ? ErrorCode.TOPIC_DELETION_DISABLED : ErrorCode.INVALID_REQUEST,
          `v${version}`,
        );
      }
      assert.deepEqual(partitionDirs(broker, "stays"), ["stays-0", "stays-1"]);
    });
  });
});

describe("CreatePartitions", () => {
  for (let version = 0; version <= 3; version++) {
    test(`v${version} grows a topic; the new partitions are open on their owners and writable`, async () => {
      await withBroker({}, async (broker) => {
        await broker.createTopic("grow", 2);
        await produceEach(broker, "grow", [0, 1]);
        const [r] = await createPartitions(broker, version, [{ name: "grow", count: 5, assignments: null }]);
        assert.deepEqual([r.name, r.errorCode, r.errorMessage], ["grow", 0, null]);
        assert.deepEqual(partitionCount(broker, "grow"), [5, 5, 5]);
        assert.deepEqual(partitionDirs(broker, "grow"), [0, 1, 2, 3, 4].map((p) => `grow-${p}`));
        assert.deepEqual(await produceEach(broker, "grow", [0, 1, 2, 3, 4]), [[0, 1n], [0, 1n], [0, 0n], [0, 0n], [
          0,
          0n,
        ]]);
      });
    });
  }

  test("shrinking or keeping the count is INVALID_PARTITIONS, an unknown topic UNKNOWN_TOPIC_OR_PARTITION", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("fixed", 3);
      const results = await createPartitions(broker, 3, [
        { name: "fixed", count: 2, assignments: null },
        { name: "missing", count: 4, assignments: null },
      ]);
      assert.deepEqual(results.map((r) => [r.name, r.errorCode]), [
        ["fixed", ErrorCode.INVALID_PARTITIONS],
        ["missing", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      assert.ok(results.every((r) => typeof r.errorMessage === "string"));
      const [same] = await createPartitions(broker, 1, [{ name: "fixed", count: 3, assignments: null }]);
      assert.equal(same.errorCode, ErrorCode.INVALID_PARTITIONS);
      assert.deepEqual(partitionCount(broker, "fixed"), [3, 3, 3]);
    });
  });

  test("validateOnly changes nothing; a duplicate topic is INVALID_REQUEST; foreign assignments INVALID_REPLICA_ASSIGNMENT", async () => {
    await withBroker({}, async (broker) => {
      await broker.createTopic("check", 1);
      const [dry] = await createPartitions(broker, 2, [{ name: "check", count: 4, assignments: null }], true);
      assert.equal(dry.errorCode, ErrorCode.NONE);
      assert.deepEqual(partitionCount(broker, "check"), [1, 1, 1]);
      const dup = await createPartitions(broker, 2, [
        { name: "check", count: 2, assignments: null },
        { name: "check", count: 3, assignments: null },
      ]);
      assert.ok(dup.length >= 1 && dup.every((r) => r.errorCode === ErrorCode.INVALID_REQUEST));
      const [foreign] = await createPartitions(broker, 2, [{
        name: "check",
        count: 2,
        assignments: [{ brokerIds: [7] }],
      }]);
      assert.equal(foreign.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      const [own] = await createPartitions(broker, 2, [{ name: "check", count: 2, assignments: [{ brokerIds: [1] }] }]);
      assert.equal(own.errorCode, ErrorCode.NONE);
      assert.deepEqual(partitionCount(broker, "check"), [2, 2, 2]);
      assert.ok(fs.existsSync(path.join(broker.dir, "check-1")));
    });
  });
});
