/**
 * The last part of tests/differential/acls_test.ts: transactions (grants on
 * transactional ids), the remaining topic and group APIs, authorized
 * operations and the cluster-level APIs, by principals lacking the grant;
 * every error code and authorized-operations field is compared.
 */
import * as ca from "../../src/protocol/generated/create_acls.ts";
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
import * as hb from "../../src/protocol/generated/heartbeat.ts";
import * as lv from "../../src/protocol/generated/leave_group.ts";
import * as sg from "../../src/protocol/generated/sync_group.ts";
import * as wtm from "../../src/protocol/generated/write_txn_markers.ts";
import { binding, C, SETTLE_MS, type Step, step, type User, ZERO_ID } from "./_acl_scenarios.ts";

const MORE = {
  heartbeat: { name: "Heartbeat", encode: hb.encodeHeartbeatRequest, decode: hb.decodeHeartbeatResponse },
  leaveGroup: { name: "LeaveGroup", encode: lv.encodeLeaveGroupRequest, decode: lv.decodeLeaveGroupResponse },
  syncGroup: { name: "SyncGroup", encode: sg.encodeSyncGroupRequest, decode: sg.decodeSyncGroupResponse },
  writeTxnMarkers: {
    name: "WriteTxnMarkers",
    encode: wtm.encodeWriteTxnMarkersRequest,
    decode: wtm.decodeWriteTxnMarkersResponse,
  },
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

type More = keyof typeof MORE;
const m = (title: string, as: User, key: number, version: number, body: unknown, codec: More) =>
  step(`${MORE[codec].name} ${title} as ${as}`, as, key, version, body, MORE[codec], codes);
const tp = (name: string) => [{ name, partitions: [0] }];

/** Transactions: alice may write tx-a, bob describe tx-*; each lacking the other grant. */
function txnSteps(): Step[] {
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
    m("orders", "alice", 27, 1, {
      markers: [{
        producerId: 1n,
        producerEpoch: 0,
        transactionResult: true,
        topics: [{ name: "orders", partitionIndexes: [0] }],
        coordinatorEpoch: 0,
      }],
    }, "writeTxnMarkers"),
  ];
}

/** The remaining topic and group APIs, and authorized operations. */
function topicAndGroupSteps(): Step[] {
  return [
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
    m("v10 with operations", "alice", 3, 10, {
      topics: [{ topicId: ZERO_ID, name: "orders" }, { topicId: ZERO_ID, name: "pay-x" }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: true,
    }, "metadata"),
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
    m(
      "g",
      "bob",
      12,
      4,
      { ...hb.defaultHeartbeatRequest(), groupId: "g", generationId: 1, memberId: "m" },
      "heartbeat",
    ),
    m("g", "bob", 13, 5, {
      ...lv.defaultLeaveGroupRequest(),
      groupId: "g",
      members: [{ memberId: "m", groupInstanceId: null, reason: null }],
    }, "leaveGroup"),
    m("g", "bob", 14, 5, {
      ...sg.defaultSyncGroupRequest(),
      groupId: "g",
      generationId: 1,
      memberId: "m",
      protocolType: "consumer",
      protocolName: "range",
    }, "syncGroup"),
    m(
      "g",
      "bob",
      14,
      5,
      { ...sg.defaultSyncGroupRequest(), groupId: "g", generationId: 1, memberId: "m" },
      "syncGroup",
    ),
  ];
}

/** The cluster-level APIs and configs by principals without cluster grants. */
function clusterSteps(): Step[] {
  return [
    m(
      "with operations",
      "alice",
      60,
      1,
      { includeClusterAuthorizedOperations: true, endpointType: 1 },
      "describeCluster",
    ),
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

/** Transactions, the remaining topic and group APIs, and the cluster-level APIs, by principals lacking the grant. */
export function moreSteps(): Step[] {
  return [...txnSteps(), ...topicAndGroupSteps(), ...clusterSteps()];
}
