/**
 * Differential: topic administration and metadata — CreateTopics (19),
 * Metadata (3), CreatePartitions (37) and DeleteTopics (20) — at every
 * version tsbroker advertises, against the reference Kafka: success paths
 * (explicit and default partition counts, validateOnly, listing all or some
 * topics, auto-creation) and error paths (existing topic, invalid partition
 * count or replication factor, unknown or invalid config, invalid or
 * duplicate names, unknown topic names and ids, shrinking or unchanged
 * partition counts, bad replica assignments).
 */
import { after, before, describe, test } from "node:test";
import { Oracle, type Side, SUITE_COVERAGE } from "./_oracle.ts";
import {
  type CreatableTopic,
  defaultCreatableTopic,
  defaultCreateTopicsRequest,
} from "../../src/protocol/generated/create_topics.ts";
import { defaultMetadataRequest, defaultMetadataRequestTopic } from "../../src/protocol/generated/metadata.ts";
import {
  defaultCreatePartitionsRequest,
  defaultCreatePartitionsTopic,
} from "../../src/protocol/generated/create_partitions.ts";
import { defaultDeleteTopicsRequest, defaultDeleteTopicState } from "../../src/protocol/generated/delete_topics.ts";
import { ZERO_UUID } from "../../src/protocol/io/uuid.ts";

const topic = (name: string, numPartitions: number, replicationFactor: number, configs: [string, string][] = []) => ({
  ...defaultCreatableTopic(),
  name,
  numPartitions,
  replicationFactor,
  configs: configs.map(([name, value]) => ({ name, value })),
});

const createTopics = (topics: CreatableTopic[], validateOnly = false) => ({
  ...defaultCreateTopicsRequest(),
  topics,
  timeoutMs: 30_000,
  validateOnly,
});

const metadataFor = (names: string[] | null, allowAutoTopicCreation = false) => ({
  ...defaultMetadataRequest(),
  topics: names === null ? null : names.map((name) => ({ ...defaultMetadataRequestTopic(), name })),
  allowAutoTopicCreation,
});

describe("differential: topics and metadata", () => {
  let o: Oracle;
  before(async () => {
    o = await Oracle.start("topics_test.ts");
  });
  after(async () => {
    o?.report();
    await o?.stop();
  });

  test("Metadata: all topics, some topics, unknown, invalid, auto-creation, by topic id", async () => {
    const names = ["md-a", "md-b"];
    await o.compare({
      title: "create",
      apiKey: 19,
      version: 7,
      request: createTopics(names.map((n) => topic(n, 2, 1))),
    });
    await o.settle(names);
    for (const v of o.advertised(3)) {
      const allowAuto = v >= 4 ? false : true;
      await o.compare({ title: "all topics", apiKey: 3, version: v, request: metadataFor(v === 0 ? [] : null) });
      await o.compare({ title: "named topics", apiKey: 3, version: v, request: metadataFor(["md-b", "md-a"]) });
      if (v >= 4) {
        await o.compare({ title: "unknown topic", apiKey: 3, version: v, request: metadataFor(["md-none"], false) });
      }
      await o.compare({
        title: "invalid topic name",
        apiKey: 3,
        version: v,
        request: metadataFor(["bad/name"], allowAuto),
      });
      await o.compare({ title: "auto-creation", apiKey: 3, version: v, request: metadataFor([`md-auto${v}`], true) });
      await o.settle([`md-auto${v}`]);
      await o.compare({ title: "auto-created topic", apiKey: 3, version: v, request: metadataFor([`md-auto${v}`]) });
      if (v >= 8 && v <= 10) {
        await o.compare({
          title: "authorized operations",
          apiKey: 3,
          version: v,
          request: {
            ...metadataFor(["md-a"]),
            includeClusterAuthorizedOperations: true,
            includeTopicAuthorizedOperations: true,
          },
        });
      } else if (v >= 11) {
        await o.compare({
          title: "topic authorized operations",
          apiKey: 3,
          version: v,
          request: { ...metadataFor(["md-a"]), includeTopicAuthorizedOperations: true },
        });
      }
      if (v >= 10) {
        await o.compare({
          title: "by topic id",
          apiKey: 3,
          version: v,
          request: async (s: Side) => ({
            ...defaultMetadataRequest(),
            topics: [{ topicId: await s.topicId("md-a"), name: null }],
          }),
        });
        await o.compare({
          title: "unknown topic id",
          apiKey: 3,
          version: v,
          request: { ...defaultMetadataRequest(), topics: [{ topicId: "AAAAAAAAAAAAAAAAAAAAAQ", name: null }] },
        });
      }
    }
    o.assertNoDifferences();
  });

  // Runs after the Metadata test: at the versions Kafka 4 removed, only tsbroker creates the topics.
  test("CreateTopics: success, defaults, validateOnly and every error path", async () => {
    for (const v of o.advertised(19)) {
      const p = `ct${v}`;
      const ok = await o.compare({
        title: "create",
        apiKey: 19,
        version: v,
        request: createTopics([topic(`${p}-a`, 3, 1), topic(`${p}-b`, 1, 1, [["retention.ms", "3600000"]])]),
      });
      if (ok.kafka === undefined) continue; // a version Kafka 4 removed (the allowed difference was checked)
      await o.settle([`${p}-a`, `${p}-b`]);
      const cases: [string, CreatableTopic[], boolean?][] = [
        ["existing topic", [topic(`${p}-a`, 3, 1)]],
        ["compacted topic", [topic(`${p}-compact`, 1, 1, [["cleanup.policy", "compact"]])]],
        ["zero partitions", [topic(`${p}-zero`, 0, 1)]],
        ["negative partitions", [topic(`${p}-neg`, -2, 1)]],
        ["replication factor 0", [topic(`${p}-rf0`, 1, 0)]],
        ["replication factor above the broker count", [topic(`${p}-rf3`, 1, 3)]],
        ["unknown config", [topic(`${p}-cfg1`, 1, 1, [["no.such.config", "1"]])]],
        ["invalid config value", [topic(`${p}-cfg2`, 1, 1, [["retention.ms", "soon"]])]],
        ["invalid cleanup policy", [topic(`${p}-cfg3`, 1, 1, [["cleanup.policy", "shred"]])]],
        ["invalid name", [topic(`${p}/bad`, 1, 1)]],
        ["name too long", [topic(`${p}-${"x".repeat(250)}`, 1, 1)]],
        ["empty name", [topic("", 1, 1)]],
        ["duplicate name in one request", [topic(`${p}-dup`, 1, 1), topic(`${p}-dup`, 1, 1)]],
        ["manual assignment", [{
          ...topic(`${p}-asg`, -1, -1),
          assignments: [{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 1, brokerIds: [1] }],
        }]],
        ["assignment naming an unknown broker", [{
          ...topic(`${p}-asg2`, -1, -1),
          assignments: [{ partitionIndex: 0, brokerIds: [7] }],
        }]],
      ];
      if (v >= 1) cases.push(["validateOnly", [topic(`${p}-vo`, 2, 1)], true]);
      if (v >= 1) cases.push(["validateOnly with an invalid config", [topic(`${p}-vo2`, 2, 1, [["x.y", "z"]])], true]);
      if (v >= 4) cases.push(["broker defaults (-1, -1)", [topic(`${p}-def`, -1, -1)]]);
      for (const [title, topics, validateOnly] of cases) {
        await o.compare({ title, apiKey: 19, version: v, request: createTopics(topics, validateOnly) });
      }
    }
    o.assertNoDifferences();
  });

  test("CreatePartitions: growth, unchanged or smaller counts, unknown topics, assignments, validateOnly", async () => {
    for (const v of o.advertised(37)) {
      const t = `cp${v}`;
      await o.compare({ title: "create", apiKey: 19, version: 7, request: createTopics([topic(t, 2, 1)]) });
      await o.settle([t]);
      const cases: [
        string,
        { name: string; count: number; assignments: { brokerIds: number[] }[] | null }[],
        boolean,
      ][] = [
        ["validateOnly growth", [{ name: t, count: 5, assignments: null }], true],
        ["growth", [{ name: t, count: 3, assignments: null }], false],
        ["same count", [{ name: t, count: 3, assignments: null }], false],
        ["smaller count", [{ name: t, count: 1, assignments: null }], false],
        ["unknown topic", [{ name: `${t}-none`, count: 4, assignments: null }], false],
        ["growth with an assignment", [{ name: t, count: 4, assignments: [{ brokerIds: [1] }] }], false],
        ["assignment of the wrong size", [{ name: t, count: 6, assignments: [{ brokerIds: [1] }] }], false],
        ["assignment naming an unknown broker", [{ name: t, count: 5, assignments: [{ brokerIds: [9] }] }], false],
        ["duplicate topic in one request", [
          { name: t, count: 7, assignments: null },
          { name: t, count: 8, assignments: null },
        ], false],
      ];
      for (const [title, topics, validateOnly] of cases) {
        await o.compare({
          title,
          apiKey: 37,
          version: v,
          request: {
            ...defaultCreatePartitionsRequest(),
            topics: topics.map((x) => ({ ...defaultCreatePartitionsTopic(), ...x })),
            timeoutMs: 30_000,
            validateOnly,
          },
        });
      }
      await o.settle([t]);
      await o.compare({ title: "partitions after growth", apiKey: 3, version: 12, request: metadataFor([t]) });
    }
    o.assertNoDifferences();
  });

  test("DeleteTopics: by name, unknown names, by topic id, unknown ids", async () => {
    for (const v of o.advertised(20)) {
      const t = `dt${v}`;
      await o.compare({ title: "create", apiKey: 19, version: 7, request: createTopics([topic(t, 1, 1)]) });
      await o.settle([t]);
      const byName = (names: string[]) => ({
        ...defaultDeleteTopicsRequest(),
        topicNames: names,
        topics: names.map((name) => ({ ...defaultDeleteTopicState(), name })),
        timeoutMs: 30_000,
      });
      if (v >= 6) {
        await o.compare({
          title: "by topic id",
          apiKey: 20,
          version: v,
          request: async (s: Side) => ({
            ...defaultDeleteTopicsRequest(),
            topics: [{ name: null, topicId: await s.topicId(t) }],
            timeoutMs: 30_000,
          }),
        });
        await o.compare({
          title: "unknown topic id",
          apiKey: 20,
          version: v,
          request: {
            ...defaultDeleteTopicsRequest(),
            topics: [{ name: null, topicId: "AAAAAAAAAAAAAAAAAAAAAQ" }],
            timeoutMs: 30_000,
          },
        });
        await o.compare({
          title: "zero topic id",
          apiKey: 20,
          version: v,
          request: { ...defaultDeleteTopicsRequest(), topics: [{ name: null, topicId: ZERO_UUID }], timeoutMs: 30_000 },
        });
      } else {
        const c = await o.compare({ title: "by name", apiKey: 20, version: v, request: byName([t]) });
        if (c.kafka === undefined) continue;
      }
      await o.compare({ title: "unknown topic", apiKey: 20, version: v, request: byName([`${t}-none`]) });
      await o.compare({ title: "invalid name", apiKey: 20, version: v, request: byName(["bad/name"]) });
      await o.settleDeleted([t]);
      await o.compare({ title: "deleted topic is unknown", apiKey: 3, version: 12, request: metadataFor([t]) });
    }
    o.assertNoDifferences();
  });

  test("covers every advertised version of its APIs", () => {
    o.assertCovered(SUITE_COVERAGE["topics_test.ts"]);
  });
});
