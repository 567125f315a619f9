/**
 * The request encoder and response decoder of every API the differential
 * suite sends, by key, and which test file covers which keys.
 */
import type { Reader } from "../../src/protocol/io/reader.ts";
import type { Writer } from "../../src/protocol/io/writer.ts";
import * as produce from "../../src/protocol/generated/produce.ts";
import * as fetch from "../../src/protocol/generated/fetch.ts";
import * as listOffsets from "../../src/protocol/generated/list_offsets.ts";
import * as metadata from "../../src/protocol/generated/metadata.ts";
import * as offsetCommit from "../../src/protocol/generated/offset_commit.ts";
import * as offsetFetch from "../../src/protocol/generated/offset_fetch.ts";
import * as findCoordinator from "../../src/protocol/generated/find_coordinator.ts";
import * as joinGroup from "../../src/protocol/generated/join_group.ts";
import * as heartbeat from "../../src/protocol/generated/heartbeat.ts";
import * as leaveGroup from "../../src/protocol/generated/leave_group.ts";
import * as syncGroup from "../../src/protocol/generated/sync_group.ts";
import * as describeGroups from "../../src/protocol/generated/describe_groups.ts";
import * as listGroups from "../../src/protocol/generated/list_groups.ts";
import * as apiVersions from "../../src/protocol/generated/api_versions.ts";
import * as createTopics from "../../src/protocol/generated/create_topics.ts";
import * as deleteTopics from "../../src/protocol/generated/delete_topics.ts";
import * as deleteRecords from "../../src/protocol/generated/delete_records.ts";
import * as initProducerId from "../../src/protocol/generated/init_producer_id.ts";
import * as describeAcls from "../../src/protocol/generated/describe_acls.ts";
import * as createAcls from "../../src/protocol/generated/create_acls.ts";
import * as deleteAcls from "../../src/protocol/generated/delete_acls.ts";
import * as describeClientQuotas from "../../src/protocol/generated/describe_client_quotas.ts";
import * as alterClientQuotas from "../../src/protocol/generated/alter_client_quotas.ts";
import * as describeConfigs from "../../src/protocol/generated/describe_configs.ts";
import * as alterConfigs from "../../src/protocol/generated/alter_configs.ts";
import * as incrementalAlterConfigs from "../../src/protocol/generated/incremental_alter_configs.ts";
import * as createPartitions from "../../src/protocol/generated/create_partitions.ts";
import * as deleteGroups from "../../src/protocol/generated/delete_groups.ts";
import * as offsetDelete from "../../src/protocol/generated/offset_delete.ts";
import * as consumerGroupHeartbeat from "../../src/protocol/generated/consumer_group_heartbeat.ts";
import * as consumerGroupDescribe from "../../src/protocol/generated/consumer_group_describe.ts";
import * as offsetForLeaderEpoch from "../../src/protocol/generated/offset_for_leader_epoch.ts";
import * as alterReplicaLogDirs from "../../src/protocol/generated/alter_replica_log_dirs.ts";
import * as describeLogDirs from "../../src/protocol/generated/describe_log_dirs.ts";
import * as electLeaders from "../../src/protocol/generated/elect_leaders.ts";
import * as alterPartitionReassignments from "../../src/protocol/generated/alter_partition_reassignments.ts";
import * as listPartitionReassignments from "../../src/protocol/generated/list_partition_reassignments.ts";
import * as describeCluster from "../../src/protocol/generated/describe_cluster.ts";
import * as describeProducers from "../../src/protocol/generated/describe_producers.ts";
import * as describeTopicPartitions from "../../src/protocol/generated/describe_topic_partitions.ts";
import * as addPartitionsToTxn from "../../src/protocol/generated/add_partitions_to_txn.ts";
import * as addOffsetsToTxn from "../../src/protocol/generated/add_offsets_to_txn.ts";
import * as endTxn from "../../src/protocol/generated/end_txn.ts";
import * as writeTxnMarkers from "../../src/protocol/generated/write_txn_markers.ts";
import * as txnOffsetCommit from "../../src/protocol/generated/txn_offset_commit.ts";
import * as describeTransactions from "../../src/protocol/generated/describe_transactions.ts";
import * as listTransactions from "../../src/protocol/generated/list_transactions.ts";
import * as saslHandshake from "../../src/protocol/generated/sasl_handshake.ts";
import * as saslAuthenticate from "../../src/protocol/generated/sasl_authenticate.ts";
import * as describeUserScramCredentials from "../../src/protocol/generated/describe_user_scram_credentials.ts";
import * as alterUserScramCredentials from "../../src/protocol/generated/alter_user_scram_credentials.ts";

/** A decoded answer; scenarios read fields from it freely. */
// deno-lint-ignore no-explicit-any
export type Body = any;

export type Encode = (w: Writer, version: number, m: unknown) => void;
export type Decode = (r: Reader, version: number) => Body;

// deno-lint-ignore no-explicit-any
function codecsOf(module: Record<string, any>, name: string): { name: string; encode: Encode; decode: Decode } {
  return { name, encode: module[`encode${name}Request`], decode: module[`decode${name}Response`] };
}

/** Request encoder and response decoder of every API tsbroker implements, by key. */
export const CODECS: ReadonlyMap<number, { name: string; encode: Encode; decode: Decode }> = new Map([
  [0, codecsOf(produce, "Produce")],
  [1, codecsOf(fetch, "Fetch")],
  [2, codecsOf(listOffsets, "ListOffsets")],
  [3, codecsOf(metadata, "Metadata")],
  [8, codecsOf(offsetCommit, "OffsetCommit")],
  [9, codecsOf(offsetFetch, "OffsetFetch")],
  [10, codecsOf(findCoordinator, "FindCoordinator")],
  [11, codecsOf(joinGroup, "JoinGroup")],
  [12, codecsOf(heartbeat, "Heartbeat")],
  [13, codecsOf(leaveGroup, "LeaveGroup")],
  [14, codecsOf(syncGroup, "SyncGroup")],
  [15, codecsOf(describeGroups, "DescribeGroups")],
  [16, codecsOf(listGroups, "ListGroups")],
  [18, codecsOf(apiVersions, "ApiVersions")],
  [19, codecsOf(createTopics, "CreateTopics")],
  [20, codecsOf(deleteTopics, "DeleteTopics")],
  [21, codecsOf(deleteRecords, "DeleteRecords")],
  [22, codecsOf(initProducerId, "InitProducerId")],
  [32, codecsOf(describeConfigs, "DescribeConfigs")],
  [33, codecsOf(alterConfigs, "AlterConfigs")],
  [37, codecsOf(createPartitions, "CreatePartitions")],
  [42, codecsOf(deleteGroups, "DeleteGroups")],
  [44, codecsOf(incrementalAlterConfigs, "IncrementalAlterConfigs")],
  [47, codecsOf(offsetDelete, "OffsetDelete")],
  [68, codecsOf(consumerGroupHeartbeat, "ConsumerGroupHeartbeat")],
  [69, codecsOf(consumerGroupDescribe, "ConsumerGroupDescribe")],
  [23, codecsOf(offsetForLeaderEpoch, "OffsetForLeaderEpoch")],
  [34, codecsOf(alterReplicaLogDirs, "AlterReplicaLogDirs")],
  [35, codecsOf(describeLogDirs, "DescribeLogDirs")],
  [43, codecsOf(electLeaders, "ElectLeaders")],
  [45, codecsOf(alterPartitionReassignments, "AlterPartitionReassignments")],
  [46, codecsOf(listPartitionReassignments, "ListPartitionReassignments")],
  [60, codecsOf(describeCluster, "DescribeCluster")],
  [61, codecsOf(describeProducers, "DescribeProducers")],
  [75, codecsOf(describeTopicPartitions, "DescribeTopicPartitions")],
  [24, codecsOf(addPartitionsToTxn, "AddPartitionsToTxn")],
  [25, codecsOf(addOffsetsToTxn, "AddOffsetsToTxn")],
  [26, codecsOf(endTxn, "EndTxn")],
  [27, codecsOf(writeTxnMarkers, "WriteTxnMarkers")],
  [28, codecsOf(txnOffsetCommit, "TxnOffsetCommit")],
  [65, codecsOf(describeTransactions, "DescribeTransactions")],
  [66, codecsOf(listTransactions, "ListTransactions")],
  [17, codecsOf(saslHandshake, "SaslHandshake")],
  [36, codecsOf(saslAuthenticate, "SaslAuthenticate")],
  [50, codecsOf(describeUserScramCredentials, "DescribeUserScramCredentials")],
  [51, codecsOf(alterUserScramCredentials, "AlterUserScramCredentials")],
  [29, codecsOf(describeAcls, "DescribeAcls")],
  [30, codecsOf(createAcls, "CreateAcls")],
  [31, codecsOf(deleteAcls, "DeleteAcls")],
  [48, codecsOf(describeClientQuotas, "DescribeClientQuotas")],
  [49, codecsOf(alterClientQuotas, "AlterClientQuotas")],
]);

/**
 * Which test file covers which API keys: each file checks at its end that it
 * sent every version tsbroker advertises of its keys, and api_versions_test
 * checks that together they cover every advertised key.
 */
export const SUITE_COVERAGE: Readonly<Record<string, readonly number[]>> = {
  "api_versions_test.ts": [18],
  "topics_test.ts": [3, 19, 20, 37],
  "data_path_test.ts": [0, 1, 2, 21, 22],
  "groups_test.ts": [8, 9, 10, 11, 12, 13, 14, 15, 16, 42, 47, 68, 69],
  "configs_test.ts": [32],
  "alter_configs_test.ts": [33, 44],
  "log_dirs_test.ts": [23, 34, 35],
  "cluster_admin_test.ts": [43, 45, 46, 60, 61, 75],
  "transactions_test.ts": [24, 25, 26, 27, 28, 65, 66],
  "sasl_test.ts": [17, 36, 50, 51],
  "acls_test.ts": [29, 30, 31],
  "client_quotas_test.ts": [48, 49],
};
