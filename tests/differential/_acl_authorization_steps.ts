/**
 * The authorization half of tests/differential/acls_test.ts: requests by
 * alice and bob (grants in _acl_scenarios.ts GRANTS) on produce, fetch, list
 * offsets, metadata, producer ids, offsets, groups, coordinators, topic admin
 * and configs, each answer reduced to its error codes per resource.
 */
import * as fe from "../../src/protocol/generated/fetch.ts";
import * as of from "../../src/protocol/generated/offset_fetch.ts";
import * as jg from "../../src/protocol/generated/join_group.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import { type Any, C, sorted, type Step, step, type User, ZERO_ID } from "./_acl_scenarios.ts";

function partitionCodes(r: Any, list = "responses", parts = "partitionResponses", name = "name") {
  return sorted(
    r[list].flatMap((t: Any) =>
      t[parts].map((p: Any) => `${t[name]}/${p.partitionIndex ?? p.partition}:${p.errorCode}`)
    ),
  );
}

const produce = (as: User, topic: string) =>
  step(
    `Produce ${topic} as ${as}`,
    as,
    0,
    9,
    {
      transactionalId: null,
      acks: 1,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: buildBatch([{ key: null, value: null }]) }] }],
    },
    C.produce,
    (r) => partitionCodes(r),
  );
const fetch = (as: User, topic: string) => {
  const body = fe.defaultFetchRequest();
  body.maxWaitMs = 0;
  body.maxBytes = 1 << 20;
  body.topics = [{
    ...fe.defaultFetchTopic(),
    topic,
    partitions: [{ ...fe.defaultFetchPartition(), partitionMaxBytes: 1 << 20 }],
  }];
  return step(`Fetch ${topic} as ${as}`, as, 1, 12, body, C.fetch, (r) => ({
    errorCode: r.errorCode,
    partitions: partitionCodes(r, "responses", "partitions", "topic"),
  }));
};
const metadata = (as: User, topics: string[] | null, auto = false) =>
  step(
    `Metadata ${topics?.join(",") ?? "all"}${auto ? " auto-create" : ""} as ${as}`,
    as,
    3,
    12,
    {
      topics: topics?.map((name) => ({ topicId: ZERO_ID, name })) ?? null,
      allowAutoTopicCreation: auto,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
    C.metadata,
    (r) =>
      sorted(
        r.topics
          .filter((t: Any) => topics !== null || !t.name.startsWith("__"))
          .map((t: Any) => `${t.name}:${t.errorCode}:${t.topicId === ZERO_ID ? "no id" : "id"}`),
      ),
  );
const listOffsets = (as: User, topic: string) =>
  step(
    `ListOffsets ${topic} as ${as}`,
    as,
    2,
    7,
    {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{
        name: topic,
        partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }],
      }],
    },
    C.listOffsets,
    (r) => partitionCodes(r, "topics", "partitions"),
  );
const commit = (as: User, group: string, topic: string) =>
  step(
    `OffsetCommit ${group} ${topic} as ${as}`,
    as,
    8,
    8,
    {
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [{
        name: topic,
        partitions: [{
          partitionIndex: 0,
          committedOffset: 0n,
          committedLeaderEpoch: -1,
          committedMetadata: "",
          commitTimestamp: -1n,
        }],
      }],
    },
    C.offsetCommit,
    (r) => partitionCodes(r, "topics", "partitions"),
  );
const offsetFetch = (as: User, group: string, topics: string[] | null, v = 8) =>
  step(
    `OffsetFetch v${v} ${group} ${topics?.join(",") ?? "all"} as ${as}`,
    as,
    9,
    v,
    {
      ...of.defaultOffsetFetchRequest(),
      groupId: v < 8 ? group : "",
      topics: v < 8 ? topics?.map((name) => ({ name, partitionIndexes: [0] })) ?? null : [],
      groups: v >= 8
        ? [{
          groupId: group,
          memberId: null,
          memberEpoch: -1,
          topics: topics?.map((name) => ({ name, partitionIndexes: [0] })) ?? null,
        }]
        : [],
    },
    C.offsetFetch,
    (r) =>
      v < 8
        ? { errorCode: r.errorCode, topics: partitionCodes(r, "topics", "partitions") }
        : r.groups.map((g: Any) => ({
          groupId: g.groupId,
          errorCode: g.errorCode,
          topics: partitionCodes(g, "topics", "partitions"),
        })),
  );
const findCoordinator = (as: User, keys: string[], keyType = 0) =>
  step(
    `FindCoordinator ${keys.join(",")} type ${keyType} as ${as}`,
    as,
    10,
    4,
    {
      key: "",
      keyType,
      coordinatorKeys: keys,
    },
    C.findCoordinator,
    // Kafka's v4 success carries "" where tsbroker sends null (not an authorization matter): compared as null.
    (r) => r.coordinators.map((c: Any) => [c.key, c.errorCode, c.errorCode === 0 ? null : c.errorMessage]),
  );
const join = (as: User, group: string) =>
  step(
    `JoinGroup ${group} as ${as}`,
    as,
    11,
    9,
    {
      ...jg.defaultJoinGroupRequest(),
      groupId: group,
      sessionTimeoutMs: 10000,
      rebalanceTimeoutMs: 10000,
      memberId: "",
      protocolType: "consumer",
      protocols: [{ name: "range", metadata: new Uint8Array(0) }],
    },
    C.joinGroup,
    (r) => ({ errorCode: r.errorCode, memberId: r.errorCode === 79 ? "<member id>" : r.memberId }),
  );
const listGroups = (as: User) =>
  step(`ListGroups as ${as}`, as, 16, 4, { statesFilter: [], typesFilter: [] }, C.listGroups, (r) => ({
    errorCode: r.errorCode,
    groups: sorted(r.groups.map((g: Any) => g.groupId)),
  }));
const describeGroups = (as: User, groups: string[]) =>
  step(
    `DescribeGroups ${groups.join(",")} as ${as}`,
    as,
    15,
    5,
    {
      groups,
      includeAuthorizedOperations: true,
    },
    C.describeGroups,
    (r) => sorted(r.groups.map((g: Any) => [g.groupId, g.errorCode, g.authorizedOperations])),
  );
const deleteGroups = (as: User, groups: string[]) =>
  step(
    `DeleteGroups ${groups.join(",")} as ${as}`,
    as,
    42,
    2,
    { groupsNames: groups },
    C.deleteGroups,
    (r) => sorted(r.results.map((g: Any) => [g.groupId, g.errorCode])),
  );
const createTopics = (as: User, names: string[]) =>
  step(
    `CreateTopics ${names.join(",")} as ${as}`,
    as,
    19,
    7,
    {
      topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 5000,
      validateOnly: true,
    },
    C.createTopics,
    (r) => sorted(r.topics.map((t: Any) => [t.name, t.errorCode, t.errorMessage, t.topicConfigErrorCode])),
  );
const deleteTopics = (as: User, names: string[]) =>
  step(
    `DeleteTopics ${names.join(",")} as ${as}`,
    as,
    20,
    6,
    {
      topicNames: [],
      topics: names.map((name) => ({ name, topicId: ZERO_ID })),
      timeoutMs: 5000,
    },
    C.deleteTopics,
    (r) => sorted(r.responses.map((t: Any) => [t.name, t.errorCode, t.errorMessage])),
  );
const createPartitions = (as: User, topic: string) =>
  step(
    `CreatePartitions ${topic} as ${as}`,
    as,
    37,
    3,
    {
      topics: [{ name: topic, count: 5, assignments: null }],
      timeoutMs: 5000,
      validateOnly: true,
    },
    C.createPartitions,
    (r) => r.results.map((t: Any) => [t.name, t.errorCode, t.errorMessage]),
  );
const deleteRecords = (as: User, topic: string) =>
  step(
    `DeleteRecords ${topic} as ${as}`,
    as,
    21,
    2,
    {
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 0n }] }],
      timeoutMs: 5000,
    },
    C.deleteRecords,
    (r) => partitionCodes(r, "topics", "partitions"),
  );
const describeConfigs = (as: User) =>
  step(
    `DescribeConfigs orders and broker as ${as}`,
    as,
    32,
    4,
    {
      resources: [
        { resourceType: 2, resourceName: "orders", configurationKeys: ["cleanup.policy"] },
        { resourceType: 4, resourceName: "1", configurationKeys: ["log.retention.ms"] },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    },
    C.describeConfigs,
    (r) =>
      // Kafka answers success with "" (tsbroker: null) whatever the ACLs: compared as null.
      sorted(r.results.map((x: Any) => [x.resourceName, x.errorCode, x.errorCode === 0 ? null : x.errorMessage])),
  );
const alterConfigs = (as: User) =>
  step(
    `IncrementalAlterConfigs orders and broker as ${as}`,
    as,
    44,
    1,
    {
      resources: [
        {
          resourceType: 2,
          resourceName: "orders",
          configs: [{ name: "retention.ms", configOperation: 0, value: "100000" }],
        },
        {
          resourceType: 4,
          resourceName: "",
          configs: [{ name: "log.retention.ms", configOperation: 0, value: "100000" }],
        },
      ],
      validateOnly: true,
    },
    C.alterConfigs,
    (r) => sorted(r.responses.map((x: Any) => [x.resourceName, x.errorCode, x.errorMessage])),
  );
const initProducerId = (as: User, transactionalId: string | null) =>
  step(
    `InitProducerId ${transactionalId ?? "idempotent"} as ${as}`,
    as,
    22,
    4,
    {
      transactionalId,
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    },
    C.initProducerId,
    (r) => r.errorCode,
  );

/** Produce, fetch, offsets, metadata (listing and auto-creation) and producer ids. */
function dataSteps(): Step[] {
  return [
    produce("alice", "orders"),
    produce("bob", "orders"),
    produce("alice", "payments"),
    produce("alice", "pay-x"),
    produce("bob", "payments"),
    produce("alice", "missing"),
    fetch("alice", "orders"),
    fetch("bob", "orders"),
    fetch("alice", "payments"),
    fetch("bob", "pay-x"),
    listOffsets("alice", "orders"),
    listOffsets("bob", "pay-x"),
    metadata("alice", null),
    metadata("bob", null),
    metadata("admin", null),
    metadata("bob", ["orders", "payments", "missing"]),
    metadata("bob", ["bob-new"], true),
    metadata("bob", ["other-new"], true),
    metadata("bob", ["bob-new-2"], false),
    initProducerId("bob", null),
    initProducerId("alice", null),
    initProducerId("alice", "tx"),
  ];
}

/** Offsets, coordinators and groups. */
function groupSteps(): Step[] {
  return [
    commit("alice", "g", "orders"),
    commit("alice", "h", "orders"),
    commit("bob", "g", "orders"),
    commit("alice", "g", "pay-x"),
    commit("alice", "g", "bob-new"),
    offsetFetch("alice", "g", ["orders", "pay-x", "bob-new"]),
    offsetFetch("alice", "g", null),
    offsetFetch("bob", "g", ["orders"]),
    offsetFetch("alice", "g", ["orders", "bob-new"], 7),
    offsetFetch("bob", "g", ["orders"], 7),
    findCoordinator("alice", ["g", "h"]),
    findCoordinator("bob", ["tx"], 1),
    join("bob", "g"),
    listGroups("alice"),
    listGroups("bob"),
    listGroups("admin"),
    describeGroups("alice", ["g", "h"]),
    deleteGroups("bob", ["g", "h"]),
  ];
}

/** Topic admin and configs. */
function adminSteps(): Step[] {
  return [
    createTopics("bob", ["bob-t", "other-t"]),
    createTopics("alice", ["pay-t"]),
    deleteTopics("bob", ["orders", "missing"]),
    createPartitions("bob", "orders"),
    createPartitions("alice", "pay-x"),
    deleteRecords("bob", "orders"),
    deleteRecords("alice", "pay-x"),
    describeConfigs("alice"),
    describeConfigs("admin"),
    alterConfigs("bob"),
    alterConfigs("alice"),
  ];
}

/** Requests by alice and bob after the grants. */
export function authorizationSteps(): Step[] {
  return [...dataSteps(), ...groupSteps(), ...adminSteps()];
}
