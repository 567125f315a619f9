/**
 * The one explicit list of API handlers. It builds both the dispatch table
 * (Kafka's KafkaApis match on the API key) and the ApiVersions answer, so
 * the broker can never advertise a version it does not dispatch.
 */
import type { ApiHandler } from "./api.ts";
import type { ApiVersionRange } from "./018_api_versions.ts";
import { produceHandler } from "./000_produce.ts";
import { fetchHandler } from "./001_fetch.ts";
import { listOffsetsHandler } from "./002_list_offsets.ts";
import { metadataHandler } from "./003_metadata.ts";
import { offsetCommitHandler } from "./008_offset_commit.ts";
import { offsetFetchHandler } from "./009_offset_fetch.ts";
import { findCoordinatorHandler } from "./010_find_coordinator.ts";
import { joinGroupHandler } from "./011_join_group.ts";
import { heartbeatHandler } from "./012_heartbeat.ts";
import { leaveGroupHandler } from "./013_leave_group.ts";
import { syncGroupHandler } from "./014_sync_group.ts";
import { describeGroupsHandler } from "./015_describe_groups.ts";
import { listGroupsHandler } from "./016_list_groups.ts";
import { saslHandshakeHandler } from "./017_sasl_handshake.ts";
import { apiVersionsHandler } from "./018_api_versions.ts";
import { createTopicsHandler } from "./019_create_topics.ts";
import { deleteTopicsHandler } from "./020_delete_topics.ts";
import { deleteRecordsHandler } from "./021_delete_records.ts";
import { initProducerIdHandler } from "./022_init_producer_id.ts";
import { offsetForLeaderEpochHandler } from "./023_offset_for_leader_epoch.ts";
import { txnOffsetCommitHandler } from "./028_txn_offset_commit.ts";
import { describeAclsHandler } from "./029_describe_acls.ts";
import { createAclsHandler } from "./030_create_acls.ts";
import { deleteAclsHandler } from "./031_delete_acls.ts";
import { addPartitionsToTxnHandler } from "./024_add_partitions_to_txn.ts";
import { addOffsetsToTxnHandler } from "./025_add_offsets_to_txn.ts";
import { endTxnHandler } from "./026_end_txn.ts";
import { writeTxnMarkersHandler } from "./027_write_txn_markers.ts";
import { alterReplicaLogDirsHandler } from "./034_alter_replica_log_dirs.ts";
import { describeLogDirsHandler } from "./035_describe_log_dirs.ts";
import { saslAuthenticateHandler } from "./036_sasl_authenticate.ts";
import { describeConfigsHandler } from "./032_describe_configs.ts";
import { alterConfigsHandler } from "./033_alter_configs.ts";
import { createPartitionsHandler } from "./037_create_partitions.ts";
import { deleteGroupsHandler } from "./042_delete_groups.ts";
import { electLeadersHandler } from "./043_elect_leaders.ts";
import { incrementalAlterConfigsHandler } from "./044_incremental_alter_configs.ts";
import { alterPartitionReassignmentsHandler } from "./045_alter_partition_reassignments.ts";
import { listPartitionReassignmentsHandler } from "./046_list_partition_reassignments.ts";
import { offsetDeleteHandler } from "./047_offset_delete.ts";
import { describeClientQuotasHandler } from "./048_describe_client_quotas.ts";
import { alterClientQuotasHandler } from "./049_alter_client_quotas.ts";
import { describeUserScramCredentialsHandler } from "./050_describe_user_scram_credentials.ts";
import { alterUserScramCredentialsHandler } from "./051_alter_user_scram_credentials.ts";
import { describeClusterHandler } from "./060_describe_cluster.ts";
import { describeProducersHandler } from "./061_describe_producers.ts";
import { describeTransactionsHandler } from "./065_describe_transactions.ts";
import { listTransactionsHandler } from "./066_list_transactions.ts";
import { consumerGroupHeartbeatHandler } from "./068_consumer_group_heartbeat.ts";
import { consumerGroupDescribeHandler } from "./069_consumer_group_describe.ts";
import { describeTopicPartitionsHandler } from "./075_describe_topic_partitions.ts";

// deno-lint-ignore no-explicit-any
const HANDLERS: ReadonlyArray<ApiHandler<any, any>> = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  saslHandshakeHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  deleteRecordsHandler,
  initProducerIdHandler,
  offsetForLeaderEpochHandler,
  addPartitionsToTxnHandler,
  addOffsetsToTxnHandler,
  endTxnHandler,
  writeTxnMarkersHandler,
  txnOffsetCommitHandler,
  describeAclsHandler,
  createAclsHandler,
  deleteAclsHandler,
  alterReplicaLogDirsHandler,
  describeLogDirsHandler,
  saslAuthenticateHandler,
  describeConfigsHandler,
  alterConfigsHandler,
  createPartitionsHandler,
  deleteGroupsHandler,
  electLeadersHandler,
  incrementalAlterConfigsHandler,
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
  offsetDeleteHandler,
  describeClientQuotasHandler,
  alterClientQuotasHandler,
  describeUserScramCredentialsHandler,
  alterUserScramCredentialsHandler,
  describeClusterHandler,
  describeProducersHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
  consumerGroupHeartbeatHandler,
  consumerGroupDescribeHandler,
  describeTopicPartitionsHandler,
];

/** A handler of any request and response type: the table holds every API's. */
// deno-lint-ignore no-explicit-any
type AnyApiHandler = ApiHandler<any, any>;

export function dispatchTable(): Map<number, AnyApiHandler> {
  const table = new Map<number, AnyApiHandler>();
  for (const handler of HANDLERS) {
    if (table.has(handler.apiKey)) throw new Error(`API key ${handler.apiKey} is registered twice`);
    table.set(handler.apiKey, handler);
  }
  return table;
}

/** What ApiVersions advertises, sorted by key. */
export function advertisedVersions(): ApiVersionRange[] {
  return HANDLERS
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}
