/**
 * The exchanges tests/differential/acls_test.ts sends to the reference Kafka
 * and to tsbroker alike: ACLs created, described and deleted by the super
 * user (User:admin over SASL PLAIN), then requests by alice and bob, whose
 * grants differ (READ only, WRITE only, prefixed grants, a DENY rule), on
 * produce, fetch, metadata, groups, offsets, topic admin and configs. Each
 * answer is reduced to what must match: error codes and messages per
 * resource, names sorted where Kafka's order is a hash set's.
 */
import assert from "node:assert/strict";
import { wireCaller, WireClient } from "../integration/_wire.ts";
import type { Reader } from "../../src/protocol/io/reader.ts";
import type { Writer } from "../../src/protocol/io/writer.ts";
import { buildBatch } from "../../src/log/record_batch.ts";
import * as hs from "../../src/protocol/generated/sasl_handshake.ts";
import * as au from "../../src/protocol/generated/sasl_authenticate.ts";
import * as ca from "../../src/protocol/generated/create_acls.ts";
import * as da from "../../src/protocol/generated/describe_acls.ts";
import * as dl from "../../src/protocol/generated/delete_acls.ts";
import * as pr from "../../src/protocol/generated/produce.ts";
import * as fe from "../../src/protocol/generated/fetch.ts";
import * as md from "../../src/protocol/generated/metadata.ts";
import * as lo from "../../src/protocol/generated/list_offsets.ts";
import * as ct from "../../src/protocol/generated/create_topics.ts";
import * as dt from "../../src/protocol/generated/delete_topics.ts";
import * as cp from "../../src/protocol/generated/create_partitions.ts";
import * as dr from "../../src/protocol/generated/delete_records.ts";
import * as oc from "../../src/protocol/generated/offset_commit.ts";
import * as of from "../../src/protocol/generated/offset_fetch.ts";
import * as fc from "../../src/protocol/generated/find_coordinator.ts";
import * as jg from "../../src/protocol/generated/join_group.ts";
import * as lg from "../../src/protocol/generated/list_groups.ts";
import * as dg from "../../src/protocol/generated/describe_groups.ts";
import * as dgr from "../../src/protocol/generated/delete_groups.ts";
import * as dc from "../../src/protocol/generated/describe_configs.ts";
import * as ia from "../../src/protocol/generated/incremental_alter_configs.ts";
import * as ip from "../../src/protocol/generated/init_producer_id.ts";
import * as ap from "../../src/protocol/generated/add_partitions_to_txn.ts";
import * as ao from "../../src/protocol/generated/add_offsets_to_txn.ts";
import * as et from "../../src/protocol/generated/end_txn.ts";
import * as to from "../../src/protocol/generated/txn_offset_commit.ts";
import * as dtx from "../../src/protocol/generated/describe_transactions.ts";
import * as ltx from "../../src/protocol/generated/list_transactions.ts";
import * as od from "../../src/protocol/generated/offset_delete.ts";
import * as dp from "../../src/protocol/generated/describe_producers.ts";
import * as ole from "../../src/protocol/generated/offset_for_leader_epoch.ts";
import * as dtp from "../../src/protocol/generated/describe_topic_partitions.ts";
import * as dcl from "../../src/protocol/generated/describe_cluster.ts";
import * as aus from "../../src/protocol/generated/alter_user_scram_credentials.ts";
import * as dld from "../../src/protocol/generated/describe_log_dirs.ts";
import * as ald from "../../src/protocol/generated/alter_replica_log_dirs.ts";
import * as el from "../../src/protocol/generated/elect_leaders.ts";
import * as apr from "../../src/protocol/generated/alter_partition_reassignments.ts";
import * as lpr from "../../src/protocol/generated/list_partition_reassignments.ts";
import * as gh from "../../src/protocol/generated/consumer_group_heartbeat.ts";
import * as gd from "../../src/protocol/generated/consumer_group_describe.ts";
import * as ac from "../../src/protocol/generated/alter_configs.ts";

export const USERS_JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required " +
  'user_admin="admin-secret" user_alice="alice-secret" user_bob="bob-secret";';

/** The settings both brokers get (User:ANONYMOUS is Kafka's own inter-broker and controller principal). */
export const ACL_SETTINGS: Record<string, string> = {
  "sasl.enabled.mechanisms": "PLAIN",
  "listener.name.sasl_plaintext.plain.sasl.jaas.config": USERS_JAAS,
  "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
  "super.users": "User:admin;User:ANONYMOUS",
  "num.partitions": "1",
  "auto.create.topics.enable": "true",
};

const SETTLE_MS = 1000;
const ZERO_ID = "AAAAAAAAAAAAAAAAAAAAAA";
type User = "admin" | "alice" | "bob";

// deno-lint-ignore no-explicit-any
type Any = any;
interface Step {
  title: string;
  as: User;
  key: number;
  version: number;
  body: unknown;
  encode: (w: Writer, v: number, m: Any) => void;
  decode: (r: Reader, v: number) => Any;
  outcome: (res: Any) => unknown;
  /** Kafka's broker applies an ACL change a moment after the controller answers: wait this long after the step. */
  settleMs?: number;
}

const call = wireCaller("acl-differential");

/** One SASL PLAIN connection per user. */
export class Sessions {
  private readonly clients = new Map<User, WireClient>();
  constructor(private readonly saslPort: number) {}

  async of(user: User): Promise<WireClient> {
    let client = this.clients.get(user);
    if (client && !client.closed) return client;
    client = await WireClient.connect(this.saslPort);
    const h = await call(
      client,
      17,
      1,
      { mechanism: "PLAIN" },
      hs.encodeSaslHandshakeRequest,
      hs.decodeSaslHandshakeResponse,
    );
    assert.equal(h.errorCode, 0);
    const a = await call(
      client,
      36,
      2,
      { authBytes: new TextEncoder().encode(`\0${user}\0${user}-secret`) },
      au.encodeSaslAuthenticateRequest,
      au.decodeSaslAuthenticateResponse,
    );
    assert.equal(a.errorCode, 0, `login of ${user}`);
    this.clients.set(user, client);
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
  }
}

/**
 * Over the PLAINTEXT port (User:ANONYMOUS, a super user on both): the topics orders, payments and pay-x, and
 * waits until the group coordinator and producer ids answer (Kafka creates __consumer_offsets and fetches its first
 * producer-id block in the background), so the steps see only authorization outcomes.
 */
export async function prepare(plainPort: number): Promise<void> {
  const client = await WireClient.connect(plainPort);
  try {
    const created = await call(
      client,
      19,
      7,
      {
        topics: ["orders", "payments", "pay-x"].map((name) => ({
          name,
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [],
        })),
        timeoutMs: 5000,
        validateOnly: false,
      },
      ct.encodeCreateTopicsRequest,
      ct.decodeCreateTopicsResponse,
    );
    assert.deepEqual(created.topics.map((t) => t.errorCode), [0, 0, 0]);
    const until = async (what: string, ok: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (!(await ok())) {
        assert.ok(Date.now() < deadline, `${what} not ready within 60 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await until("the group coordinator", async () => {
      const r = await call(
        client,
        10,
        4,
        { key: "", keyType: 0, coordinatorKeys: ["g"] },
        C.findCoordinator.encode,
        C.findCoordinator.decode,
      );
      return r.coordinators[0].errorCode === 0;
    });
    await until("producer ids", async () => {
      const r = await call(
        client,
        22,
        4,
        {
          transactionalId: null,
          transactionTimeoutMs: 60000,
          producerId: -1n,
          producerEpoch: -1,
        },
        C.initProducerId.encode,
        C.initProducerId.decode,
      );
      return r.errorCode === 0;
    });
  } finally {
    client.destroy();
  }
}

/** Runs the steps in order; each outcome is "title: <json>", or "title: closed". */
export async function runSteps(sessions: Sessions, steps: Step[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of steps) {
    const client = await sessions.of(s.as);
    let line: string;
    try {
      const res = await call(client, s.key, s.version, s.body, s.encode, s.decode);
      line = JSON.stringify(s.outcome(res));
    } catch (e) {
      if (!client.closed && !String(e).includes("closed the connection")) throw e;
      client.destroy();
      line = "closed";
    }
    out.push(`${s.title}: ${line}`);
    if (s.settleMs) await new Promise((r) => setTimeout(r, s.settleMs));
  }
  return out;
}

function step(
  title: string,
  as: User,
  key: number,
  version: number,
  body: unknown,
  codec: { encode: Step["encode"]; decode: Step["decode"] },
  outcome: Step["outcome"],
): Step {
  return { title, as, key, version, body, ...codec, outcome };
}

const C = {
  createAcls: { encode: ca.encodeCreateAclsRequest, decode: ca.decodeCreateAclsResponse },
  describeAcls: { encode: da.encodeDescribeAclsRequest, decode: da.decodeDescribeAclsResponse },
  deleteAcls: { encode: dl.encodeDeleteAclsRequest, decode: dl.decodeDeleteAclsResponse },
  produce: { encode: pr.encodeProduceRequest, decode: pr.decodeProduceResponse },
  fetch: { encode: fe.encodeFetchRequest, decode: fe.decodeFetchResponse },
  metadata: { encode: md.encodeMetadataRequest, decode: md.decodeMetadataResponse },
  listOffsets: { encode: lo.encodeListOffsetsRequest, decode: lo.decodeListOffsetsResponse },
  createTopics: { encode: ct.encodeCreateTopicsRequest, decode: ct.decodeCreateTopicsResponse },
  deleteTopics: { encode: dt.encodeDeleteTopicsRequest, decode: dt.decodeDeleteTopicsResponse },
  createPartitions: { encode: cp.encodeCreatePartitionsRequest, decode: cp.decodeCreatePartitionsResponse },
  deleteRecords: { encode: dr.encodeDeleteRecordsRequest, decode: dr.decodeDeleteRecordsResponse },
  offsetCommit: { encode: oc.encodeOffsetCommitRequest, decode: oc.decodeOffsetCommitResponse },
  offsetFetch: { encode: of.encodeOffsetFetchRequest, decode: of.decodeOffsetFetchResponse },
  findCoordinator: { encode: fc.encodeFindCoordinatorRequest, decode: fc.decodeFindCoordinatorResponse },
  joinGroup: { encode: jg.encodeJoinGroupRequest, decode: jg.decodeJoinGroupResponse },
  listGroups: { encode: lg.encodeListGroupsRequest, decode: lg.decodeListGroupsResponse },
  describeGroups: { encode: dg.encodeDescribeGroupsRequest, decode: dg.decodeDescribeGroupsResponse },
  deleteGroups: { encode: dgr.encodeDeleteGroupsRequest, decode: dgr.decodeDeleteGroupsResponse },
  describeConfigs: { encode: dc.encodeDescribeConfigsRequest, decode: dc.decodeDescribeConfigsResponse },
  alterConfigs: { encode: ia.encodeIncrementalAlterConfigsRequest, decode: ia.decodeIncrementalAlterConfigsResponse },
  initProducerId: { encode: ip.encodeInitProducerIdRequest, decode: ip.decodeInitProducerIdResponse },
};

const MORE = {
  initProducerId: { name: "InitProducerId", ...C.initProducerId },
  addPartitions: {
    name: "AddPartitionsToTxn",
    encode: ap.encodeAddPartitionsToTxnRequest,
    decode: ap.decodeAddPartitionsToTxnResponse,
  },
  addOffsets: {
    name: "AddOffsetsToTxn",
    encode: ao.encodeAddOffsetsToTxnRequest,
    decode: ao.decodeAddOffsetsToTxnResponse,
  },
  endTxn: { name: "EndTxn", encode: et.encodeEndTxnRequest, decode: et.decodeEndTxnResponse },
  txnOffsetCommit: {
    name: "TxnOffsetCommit",
    encode: to.encodeTxnOffsetCommitRequest,
    decode: to.decodeTxnOffsetCommitResponse,
  },
  describeTxns: {
    name: "DescribeTransactions",
    encode: dtx.encodeDescribeTransactionsRequest,
    decode: dtx.decodeDescribeTransactionsResponse,
  },
  listTxns: {
    name: "ListTransactions",
    encode: ltx.encodeListTransactionsRequest,
    decode: ltx.decodeListTransactionsResponse,
  },
  offsetDelete: { name: "OffsetDelete", encode: od.encodeOffsetDeleteRequest, decode: od.decodeOffsetDeleteResponse },
  describeProducers: {
    name: "DescribeProducers",
    encode: dp.encodeDescribeProducersRequest,
    decode: dp.decodeDescribeProducersResponse,
  },
  epoch: {
    name: "OffsetForLeaderEpoch",
    encode: ole.encodeOffsetForLeaderEpochRequest,
    decode: ole.decodeOffsetForLeaderEpochResponse,
  },
  topicPartitions: {
    name: "DescribeTopicPartitions",
    encode: dtp.encodeDescribeTopicPartitionsRequest,
    decode: dtp.decodeDescribeTopicPartitionsResponse,
  },
  describeCluster: {
    name: "DescribeCluster",
    encode: dcl.encodeDescribeClusterRequest,
    decode: dcl.decodeDescribeClusterResponse,
  },
  metadata: { name: "Metadata", ...C.metadata },
  alterScram: {
    name: "AlterUserScramCredentials",
    encode: aus.encodeAlterUserScramCredentialsRequest,
    decode: aus.decodeAlterUserScramCredentialsResponse,
  },
  describeLogDirs: {
    name: "DescribeLogDirs",
    encode: dld.encodeDescribeLogDirsRequest,
    decode: dld.decodeDescribeLogDirsResponse,
  },
  alterLogDirs: {
    name: "AlterReplicaLogDirs",
    encode: ald.encodeAlterReplicaLogDirsRequest,
    decode: ald.decodeAlterReplicaLogDirsResponse,
  },
  electLeaders: { name: "ElectLeaders", encode: el.encodeElectLeadersRequest, decode: el.decodeElectLeadersResponse },
  alterReassignments: {
    name: "AlterPartitionReassignments",
    encode: apr.encodeAlterPartitionReassignmentsRequest,
    decode: apr.decodeAlterPartitionReassignmentsResponse,
  },
  listReassignments: {
    name: "ListPartitionReassignments",
    encode: lpr.encodeListPartitionReassignmentsRequest,
    decode: lpr.decodeListPartitionReassignmentsResponse,
  },
  groupHeartbeat: {
    name: "ConsumerGroupHeartbeat",
    encode: gh.encodeConsumerGroupHeartbeatRequest,
    decode: gh.decodeConsumerGroupHeartbeatResponse,
  },
  groupDescribe: {
    name: "ConsumerGroupDescribe",
    encode: gd.encodeConsumerGroupDescribeRequest,
    decode: gd.decodeConsumerGroupDescribeResponse,
  },
  alterConfigs: { name: "AlterConfigs", encode: ac.encodeAlterConfigsRequest, decode: ac.decodeAlterConfigsResponse },
};

function binding(o: Partial<ca.AclCreation>): ca.AclCreation {
  return {
    resourceType: 2,
    resourceName: "orders",
    resourcePatternType: 3,
    principal: "User:alice",
    host: "*",
    operation: 3,
    permissionType: 3,
    ...o,
  };
}

const ANY_FILTER = {
  resourceTypeFilter: 1,
  resourceNameFilter: null,
  patternTypeFilter: 1,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
};

/**
 * Kafka's CLUSTER_AUTHORIZATION_FAILED message on the ACL APIs prints its internal request object
 * ("Request Request(processor=0, connectionId=...) needs ALTER permission."): only the code is compared.
 */
function unrequest<T extends { errorCode: number; errorMessage: string | null }>(r: T): T {
  return r.errorCode === 31 ? { ...r, errorMessage: "<not compared>" } : r;
}

const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();

/** What alice and bob may do (alice: READ on orders and group g, ALL on topics pay*, DENY WRITE payments; bob: WRITE on orders, CREATE on topics bob-*). */
export const GRANTS: ca.AclCreation[] = [
  binding({}),
  binding({ resourceType: 3, resourceName: "g" }),
  binding({ resourceName: "pay", resourcePatternType: 4, operation: 2 }),
  binding({ resourceName: "payments", operation: 4, permissionType: 2 }),
  binding({ principal: "User:bob", operation: 4 }),
  binding({ principal: "User:bob", resourceName: "bob-", resourcePatternType: 4, operation: 5 }),
];

/** The ACL APIs themselves: what admin creates, lists and deletes, and what the others may not. */
export function aclApiSteps(): Step[] {
  const creations = (title: string, list: ca.AclCreation[], v = 3, as: User = "admin"): Step => ({
    ...step(`CreateAcls v${v} ${title}`, as, 30, v, { creations: list }, C.createAcls, (r) => r.results.map(unrequest)),
    settleMs: SETTLE_MS,
  });
  const describe = (title: string, filter: Partial<da.DescribeAclsRequest>, v = 3, as: User = "admin") =>
    step(`DescribeAcls v${v} ${title}`, as, 29, v, { ...ANY_FILTER, ...filter }, C.describeAcls, (r) => ({
      errorCode: r.errorCode,
      errorMessage: r.errorCode === 0 ? r.errorMessage : "",
      resources: sorted(r.resources.map((x: Any) => ({ ...x, acls: sorted(x.acls) }))),
    }));
  const del = (title: string, filters: Array<Partial<dl.DeleteAclsFilter>>, v = 3, as: User = "admin"): Step => ({
    settleMs: SETTLE_MS,
    ...step(
      `DeleteAcls v${v} ${title}`,
      as,
      31,
      v,
      { filters: filters.map((f) => ({ ...ANY_FILTER, ...f })) },
      C.deleteAcls,
      (r) => r.filterResults.map((f: Any) => ({ ...unrequest(f), matchingAcls: sorted(f.matchingAcls) })),
    ),
  });
  return [
    creations("the grants", GRANTS),
    creations("again (no change)", GRANTS.slice(0, 1)),
    creations("v1", [binding({ principal: "User:carol" })], 1),
    creations("v2", [binding({ principal: "User:dave" })], 2),
    creations("a cluster not named kafka-cluster", [binding({ resourceType: 4, resourceName: "c" })]),
    creations("an empty name", [binding({ resourceName: "" })]),
    creations("an unknown operation", [binding({ operation: 42 })]),
    creations("an unknown resource type", [binding({ resourceType: 12 })]),
    creations("a principal without a type", [binding({ principal: "carol" })]),
    creations("an empty host", [binding({ host: "" })]),
    creations("a prefixed wildcard", [binding({ resourceName: "*", resourcePatternType: 4, principal: "User:eve" })]),
    creations("resource type ANY", [binding({ principal: "User:eve" }), binding({ resourceType: 1 })]),
    creations("operation ANY", [binding({ operation: 1 })]),
    creations("pattern MATCH", [binding({ resourcePatternType: 2 })]),
    creations("operation UNKNOWN", [binding({ operation: 0 })]),
    describe("everything", {}),
    describe("everything at v1", {}, 1),
    describe("everything at v2", {}, 2),
    describe("topics matching orders", { resourceTypeFilter: 2, resourceNameFilter: "orders", patternTypeFilter: 2 }),
    describe("topics matching payments", {
      resourceTypeFilter: 2,
      resourceNameFilter: "payments",
      patternTypeFilter: 2,
    }),
    describe("prefixed only", { patternTypeFilter: 4 }),
    describe("bob's", { principalFilter: "User:bob" }),
    describe("DENY", { permissionType: 2 }),
    describe("an unknown operation", { operation: 42 }),
    describe("as alice", {}, 3, "alice"),
    describe("resource type UNKNOWN", { resourceTypeFilter: 0 }),
    creations("as alice", [binding({ principal: "User:alice", operation: 2 })], 3, "alice"),
    del("as alice", [{ principalFilter: "User:carol" }], 3, "alice"),
    del("carol's and dave's", [{ principalFilter: "User:carol" }, { principalFilter: "User:dave" }]),
    del("an unknown entry", [{ operation: 42 }]),
    del("an unknown pattern", [{ resourceTypeFilter: 12 }]),
    del("nothing matching", [{ resourceNameFilter: "nope" }], 2),
    del("eve's, at v1", [{ principalFilter: "User:eve" }], 1),
    describe("what is left", {}),
  ];
}

function partitionCodes(r: Any, list = "responses", parts = "partitionResponses", name = "name") {
  return sorted(
    r[list].flatMap((t: Any) =>
      t[parts].map((p: Any) => `${t[name]}/${p.partitionIndex ?? p.partition}:${p.errorCode}`)
    ),
  );
}

/** Requests by alice and bob after the grants. */
export function authorizationSteps(): Step[] {
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

/** Every error code and authorized-operations field of an answer, by path (array items named by their name or id). */
function codes(r: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        const o = item as Record<string, unknown>;
        const label = o && typeof o === "object"
          ? o.name ?? o.topic ?? o.groupId ?? o.transactionalId ?? o.user ?? o.key ?? o.partitionIndex ?? o.partition ??
            i
          : i;
        walk(item, `${path}[${label}]`);
      });
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (/rrorCode$|uthorizedOperations$/.test(k) && typeof x === "number") out.push(`${path}.${k}=${x}`);
        else if (typeof x === "object") walk(x, `${path}.${k}`);
      }
    }
  };
  walk(r, "");
  return out.sort();
}

/** Grants for the transaction steps: alice WRITE on transactional id tx-a, bob DESCRIBE on ids tx-*. */
export const TXN_GRANTS: ca.AclCreation[] = [
  binding({ resourceType: 5, resourceName: "tx-a", operation: 4 }),
  binding({ principal: "User:bob", resourceType: 5, resourceName: "tx-", resourcePatternType: 4, operation: 8 }),
];

/** Transactions, the remaining topic and group APIs, and the cluster-level APIs, by principals lacking the grant. */
export function moreSteps(): Step[] {
  const m = (title: string, as: User, key: number, version: number, body: unknown, codec: keyof typeof MORE) =>
    step(`${MORE[codec].name} ${title} as ${as}`, as, key, version, body, MORE[codec], codes);
  const tp = (name: string) => [{ name, partitions: [0] }];
  return [
    {
      ...step(
        "CreateAcls v3 transactional grants",
        "admin",
        30,
        3,
        { creations: TXN_GRANTS },
        C.createAcls,
        (r) => r.results,
      ),
      settleMs: SETTLE_MS,
    },
    m("tx-a idempotent", "bob", 22, 4, {
      transactionalId: "tx-a",
      transactionTimeoutMs: 60000,
      producerId: -1n,
      producerEpoch: -1,
    }, "initProducerId"),
    m("v3 tx-a orders", "bob", 24, 3, {
      ...ap.defaultAddPartitionsToTxnRequest(),
      v3AndBelowTransactionalId: "tx-a",
      v3AndBelowTopics: tp("orders"),
    }, "addPartitions"),
    m("v3 tx-a orders,pay-x", "alice", 24, 3, {
      ...ap.defaultAddPartitionsToTxnRequest(),
      v3AndBelowTransactionalId: "tx-a",
      v3AndBelowTopics: [...tp("orders"), ...tp("pay-x")],
    }, "addPartitions"),
    m("v4", "alice", 24, 4, {
      ...ap.defaultAddPartitionsToTxnRequest(),
      transactions: [{
        transactionalId: "tx-a",
        producerId: 1n,
        producerEpoch: 0,
        verifyOnly: true,
        topics: tp("pay-x"),
      }],
    }, "addPartitions"),
    m(
      "tx-a g",
      "bob",
      25,
      3,
      { transactionalId: "tx-a", producerId: 1n, producerEpoch: 0, groupId: "g" },
      "addOffsets",
    ),
    m(
      "tx-a h",
      "alice",
      25,
      3,
      { transactionalId: "tx-a", producerId: 1n, producerEpoch: 0, groupId: "h" },
      "addOffsets",
    ),
    m("tx-a", "bob", 26, 3, { transactionalId: "tx-a", producerId: 1n, producerEpoch: 0, committed: true }, "endTxn"),
    m("tx-a g orders", "bob", 28, 3, {
      ...to.defaultTxnOffsetCommitRequest(),
      transactionalId: "tx-a",
      groupId: "g",
      topics: [{
        name: "orders",
        partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: "" }],
      }],
    }, "txnOffsetCommit"),
    m("tx-a h orders", "alice", 28, 3, {
      ...to.defaultTxnOffsetCommitRequest(),
      transactionalId: "tx-a",
      groupId: "h",
      topics: [{
        name: "orders",
        partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: "" }],
      }],
    }, "txnOffsetCommit"),
    m("tx-a g bob-new", "alice", 28, 3, {
      ...to.defaultTxnOffsetCommitRequest(),
      transactionalId: "tx-a",
      groupId: "g",
      topics: [{
        name: "bob-new",
        partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: "" }],
      }],
    }, "txnOffsetCommit"),
    m("other", "bob", 65, 0, { transactionalIds: ["other"] }, "describeTxns"),
    m("all", "bob", 66, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1n }, "listTxns"),
    m(
      "g orders",
      "bob",
      47,
      0,
      { groupId: "g", topics: [{ name: "orders", partitions: [{ partitionIndex: 0 }] }] },
      "offsetDelete",
    ),
    m("orders", "bob", 61, 0, { topics: [{ name: "orders", partitionIndexes: [0] }] }, "describeProducers"),
    m("orders", "alice", 61, 0, { topics: [{ name: "orders", partitionIndexes: [0] }] }, "describeProducers"),
    m("pay-x", "bob", 23, 4, {
      replicaId: -2,
      topics: [{ topic: "pay-x", partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    }, "epoch"),
    m("orders,payments,secret", "bob", 75, 0, {
      topics: [{ name: "secret" }, { name: "orders" }, { name: "payments" }],
      responsePartitionLimit: 100,
      cursor: null,
    }, "topicPartitions"),
    m("all", "alice", 75, 0, { topics: [], responsePartitionLimit: 100, cursor: null }, "topicPartitions"),
    m(
      "with operations",
      "alice",
      60,
      1,
      { includeClusterAuthorizedOperations: true, endpointType: 1 },
      "describeCluster",
    ),
    m("v10 with operations", "alice", 3, 10, {
      topics: [{ topicId: ZERO_ID, name: "orders" }, { topicId: ZERO_ID, name: "pay-x" }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: true,
    }, "metadata"),
    // Not DescribeUserScramCredentials by alice: Kafka 4.4 never answers it (tsbroker: CLUSTER_AUTHORIZATION_FAILED).
    m("alice", "alice", 51, 0, { deletions: [{ name: "alice", mechanism: 1 }], upsertions: [] }, "alterScram"),
    m("all", "alice", 35, 4, { topics: null }, "describeLogDirs"),
    m(
      "orders",
      "alice",
      34,
      2,
      { dirs: [{ path: "/tmp", topics: [{ name: "orders", partitions: [0] }] }] },
      "alterLogDirs",
    ),
    m("orders", "alice", 43, 2, {
      electionType: 0,
      topicPartitions: [{ topic: "orders", partitions: [0] }],
      timeoutMs: 5000,
    }, "electLeaders"),
    m("orders", "alice", 45, 0, {
      timeoutMs: 5000,
      topics: [{ name: "orders", partitions: [{ partitionIndex: 0, replicas: [1] }] }],
    }, "alterReassignments"),
    m("all", "alice", 46, 0, { timeoutMs: 5000, topics: null }, "listReassignments"),
    m("g", "bob", 68, 0, {
      ...gh.defaultConsumerGroupHeartbeatRequest(),
      groupId: "g",
      memberId: "m",
      memberEpoch: 0,
      rebalanceTimeoutMs: 10000,
      subscribedTopicNames: ["orders"],
      serverAssignor: null,
      topicPartitions: [],
    }, "groupHeartbeat"),
    m("g", "bob", 69, 0, { groupIds: ["g"], includeAuthorizedOperations: false }, "groupDescribe"),
    m("orders and broker", "bob", 33, 2, {
      resources: [{ resourceType: 2, resourceName: "orders", configs: [{ name: "retention.ms", value: "100000" }] }, {
        resourceType: 4,
        resourceName: "",
        configs: [{ name: "log.retention.ms", value: "100000" }],
      }],
      validateOnly: true,
    }, "alterConfigs"),
  ];
}
