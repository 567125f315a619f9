// Registry of every schema table, in API-key order (read by the codec generator and tests).
import type { ApiSchemaPair, StandaloneSchema } from "../types.ts";
import { ProduceRequestSchema, ProduceResponseSchema } from "./produce.ts";
import { FetchRequestSchema, FetchResponseSchema } from "./fetch.ts";
import { ListOffsetsRequestSchema, ListOffsetsResponseSchema } from "./list_offsets.ts";
import { MetadataRequestSchema, MetadataResponseSchema } from "./metadata.ts";
import { OffsetCommitRequestSchema, OffsetCommitResponseSchema } from "./offset_commit.ts";
import { OffsetFetchRequestSchema, OffsetFetchResponseSchema } from "./offset_fetch.ts";
import { FindCoordinatorRequestSchema, FindCoordinatorResponseSchema } from "./find_coordinator.ts";
import { JoinGroupRequestSchema, JoinGroupResponseSchema } from "./join_group.ts";
import { HeartbeatRequestSchema, HeartbeatResponseSchema } from "./heartbeat.ts";
import { LeaveGroupRequestSchema, LeaveGroupResponseSchema } from "./leave_group.ts";
import { SyncGroupRequestSchema, SyncGroupResponseSchema } from "./sync_group.ts";
import { DescribeGroupsRequestSchema, DescribeGroupsResponseSchema } from "./describe_groups.ts";
import { ListGroupsRequestSchema, ListGroupsResponseSchema } from "./list_groups.ts";
import { SaslHandshakeRequestSchema, SaslHandshakeResponseSchema } from "./sasl_handshake.ts";
import { ApiVersionsRequestSchema, ApiVersionsResponseSchema } from "./api_versions.ts";
import { CreateTopicsRequestSchema, CreateTopicsResponseSchema } from "./create_topics.ts";
import { DeleteTopicsRequestSchema, DeleteTopicsResponseSchema } from "./delete_topics.ts";
import { DeleteRecordsRequestSchema, DeleteRecordsResponseSchema } from "./delete_records.ts";
import { InitProducerIdRequestSchema, InitProducerIdResponseSchema } from "./init_producer_id.ts";
import { OffsetForLeaderEpochRequestSchema, OffsetForLeaderEpochResponseSchema } from "./offset_for_leader_epoch.ts";
import { AddPartitionsToTxnRequestSchema, AddPartitionsToTxnResponseSchema } from "./add_partitions_to_txn.ts";
import { AddOffsetsToTxnRequestSchema, AddOffsetsToTxnResponseSchema } from "./add_offsets_to_txn.ts";
import { EndTxnRequestSchema, EndTxnResponseSchema } from "./end_txn.ts";
import { WriteTxnMarkersRequestSchema, WriteTxnMarkersResponseSchema } from "./write_txn_markers.ts";
import { TxnOffsetCommitRequestSchema, TxnOffsetCommitResponseSchema } from "./txn_offset_commit.ts";
import { DescribeAclsRequestSchema, DescribeAclsResponseSchema } from "./describe_acls.ts";
import { CreateAclsRequestSchema, CreateAclsResponseSchema } from "./create_acls.ts";
import { DeleteAclsRequestSchema, DeleteAclsResponseSchema } from "./delete_acls.ts";
import { DescribeConfigsRequestSchema, DescribeConfigsResponseSchema } from "./describe_configs.ts";
import { AlterConfigsRequestSchema, AlterConfigsResponseSchema } from "./alter_configs.ts";
import { AlterReplicaLogDirsRequestSchema, AlterReplicaLogDirsResponseSchema } from "./alter_replica_log_dirs.ts";
import { DescribeLogDirsRequestSchema, DescribeLogDirsResponseSchema } from "./describe_log_dirs.ts";
import { SaslAuthenticateRequestSchema, SaslAuthenticateResponseSchema } from "./sasl_authenticate.ts";
import { CreatePartitionsRequestSchema, CreatePartitionsResponseSchema } from "./create_partitions.ts";
import { DeleteGroupsRequestSchema, DeleteGroupsResponseSchema } from "./delete_groups.ts";
import { ElectLeadersRequestSchema, ElectLeadersResponseSchema } from "./elect_leaders.ts";
import {
  IncrementalAlterConfigsRequestSchema,
  IncrementalAlterConfigsResponseSchema,
} from "./incremental_alter_configs.ts";
import {
  AlterPartitionReassignmentsRequestSchema,
  AlterPartitionReassignmentsResponseSchema,
} from "./alter_partition_reassignments.ts";
import {
  ListPartitionReassignmentsRequestSchema,
  ListPartitionReassignmentsResponseSchema,
} from "./list_partition_reassignments.ts";
import { OffsetDeleteRequestSchema, OffsetDeleteResponseSchema } from "./offset_delete.ts";
import { DescribeClientQuotasRequestSchema, DescribeClientQuotasResponseSchema } from "./describe_client_quotas.ts";
import { AlterClientQuotasRequestSchema, AlterClientQuotasResponseSchema } from "./alter_client_quotas.ts";
import {
  DescribeUserScramCredentialsRequestSchema,
  DescribeUserScramCredentialsResponseSchema,
} from "./describe_user_scram_credentials.ts";
import {
  AlterUserScramCredentialsRequestSchema,
  AlterUserScramCredentialsResponseSchema,
} from "./alter_user_scram_credentials.ts";
import { DescribeClusterRequestSchema, DescribeClusterResponseSchema } from "./describe_cluster.ts";
import { DescribeProducersRequestSchema, DescribeProducersResponseSchema } from "./describe_producers.ts";
import { DescribeTransactionsRequestSchema, DescribeTransactionsResponseSchema } from "./describe_transactions.ts";
import { ListTransactionsRequestSchema, ListTransactionsResponseSchema } from "./list_transactions.ts";
import {
  ConsumerGroupHeartbeatRequestSchema,
  ConsumerGroupHeartbeatResponseSchema,
} from "./consumer_group_heartbeat.ts";
import { ConsumerGroupDescribeRequestSchema, ConsumerGroupDescribeResponseSchema } from "./consumer_group_describe.ts";
import {
  DescribeTopicPartitionsRequestSchema,
  DescribeTopicPartitionsResponseSchema,
} from "./describe_topic_partitions.ts";
import { RequestHeaderSchema, ResponseHeaderSchema } from "./headers.ts";
import { ConsumerProtocolSubscriptionSchema } from "./consumer_protocol_subscription.ts";
import { ConsumerProtocolAssignmentSchema } from "./consumer_protocol_assignment.ts";

export const API_SCHEMAS: readonly ApiSchemaPair[] = [
  { apiKey: 0, name: "Produce", module: "produce", request: ProduceRequestSchema, response: ProduceResponseSchema },
  { apiKey: 1, name: "Fetch", module: "fetch", request: FetchRequestSchema, response: FetchResponseSchema },
  {
    apiKey: 2,
    name: "ListOffsets",
    module: "list_offsets",
    request: ListOffsetsRequestSchema,
    response: ListOffsetsResponseSchema,
  },
  { apiKey: 3, name: "Metadata", module: "metadata", request: MetadataRequestSchema, response: MetadataResponseSchema },
  {
    apiKey: 8,
    name: "OffsetCommit",
    module: "offset_commit",
    request: OffsetCommitRequestSchema,
    response: OffsetCommitResponseSchema,
  },
  {
    apiKey: 9,
    name: "OffsetFetch",
    module: "offset_fetch",
    request: OffsetFetchRequestSchema,
    response: OffsetFetchResponseSchema,
  },
  {
    apiKey: 10,
    name: "FindCoordinator",
    module: "find_coordinator",
    request: FindCoordinatorRequestSchema,
    response: FindCoordinatorResponseSchema,
  },
  {
    apiKey: 11,
    name: "JoinGroup",
    module: "join_group",
    request: JoinGroupRequestSchema,
    response: JoinGroupResponseSchema,
  },
  {
    apiKey: 12,
    name: "Heartbeat",
    module: "heartbeat",
    request: HeartbeatRequestSchema,
    response: HeartbeatResponseSchema,
  },
  {
    apiKey: 13,
    name: "LeaveGroup",
    module: "leave_group",
    request: LeaveGroupRequestSchema,
    response: LeaveGroupResponseSchema,
  },
  {
    apiKey: 14,
    name: "SyncGroup",
    module: "sync_group",
    request: SyncGroupRequestSchema,
    response: SyncGroupResponseSchema,
  },
  {
    apiKey: 15,
    name: "DescribeGroups",
    module: "describe_groups",
    request: DescribeGroupsRequestSchema,
    response: DescribeGroupsResponseSchema,
  },
  {
    apiKey: 16,
    name: "ListGroups",
    module: "list_groups",
    request: ListGroupsRequestSchema,
    response: ListGroupsResponseSchema,
  },
  {
    apiKey: 17,
    name: "SaslHandshake",
    module: "sasl_handshake",
    request: SaslHandshakeRequestSchema,
    response: SaslHandshakeResponseSchema,
  },
  {
    apiKey: 18,
    name: "ApiVersions",
    module: "api_versions",
    request: ApiVersionsRequestSchema,
    response: ApiVersionsResponseSchema,
  },
  {
    apiKey: 19,
    name: "CreateTopics",
    module: "create_topics",
    request: CreateTopicsRequestSchema,
    response: CreateTopicsResponseSchema,
  },
  {
    apiKey: 20,
    name: "DeleteTopics",
    module: "delete_topics",
    request: DeleteTopicsRequestSchema,
    response: DeleteTopicsResponseSchema,
  },
  {
    apiKey: 21,
    name: "DeleteRecords",
    module: "delete_records",
    request: DeleteRecordsRequestSchema,
    response: DeleteRecordsResponseSchema,
  },
  {
    apiKey: 22,
    name: "InitProducerId",
    module: "init_producer_id",
    request: InitProducerIdRequestSchema,
    response: InitProducerIdResponseSchema,
  },
  {
    apiKey: 23,
    name: "OffsetForLeaderEpoch",
    module: "offset_for_leader_epoch",
    request: OffsetForLeaderEpochRequestSchema,
    response: OffsetForLeaderEpochResponseSchema,
  },
  {
    apiKey: 24,
    name: "AddPartitionsToTxn",
    module: "add_partitions_to_txn",
    request: AddPartitionsToTxnRequestSchema,
    response: AddPartitionsToTxnResponseSchema,
  },
  {
    apiKey: 25,
    name: "AddOffsetsToTxn",
    module: "add_offsets_to_txn",
    request: AddOffsetsToTxnRequestSchema,
    response: AddOffsetsToTxnResponseSchema,
  },
  { apiKey: 26, name: "EndTxn", module: "end_txn", request: EndTxnRequestSchema, response: EndTxnResponseSchema },
  {
    apiKey: 27,
    name: "WriteTxnMarkers",
    module: "write_txn_markers",
    request: WriteTxnMarkersRequestSchema,
    response: WriteTxnMarkersResponseSchema,
  },
  {
    apiKey: 28,
    name: "TxnOffsetCommit",
    module: "txn_offset_commit",
    request: TxnOffsetCommitRequestSchema,
    response: TxnOffsetCommitResponseSchema,
  },
  {
    apiKey: 29,
    name: "DescribeAcls",
    module: "describe_acls",
    request: DescribeAclsRequestSchema,
    response: DescribeAclsResponseSchema,
  },
  {
    apiKey: 30,
    name: "CreateAcls",
    module: "create_acls",
    request: CreateAclsRequestSchema,
    response: CreateAclsResponseSchema,
  },
  {
    apiKey: 31,
    name: "DeleteAcls",
    module: "delete_acls",
    request: DeleteAclsRequestSchema,
    response: DeleteAclsResponseSchema,
  },
  {
    apiKey: 32,
    name: "DescribeConfigs",
    module: "describe_configs",
    request: DescribeConfigsRequestSchema,
    response: DescribeConfigsResponseSchema,
  },
  {
    apiKey: 33,
    name: "AlterConfigs",
    module: "alter_configs",
    request: AlterConfigsRequestSchema,
    response: AlterConfigsResponseSchema,
  },
  {
    apiKey: 34,
    name: "AlterReplicaLogDirs",
    module: "alter_replica_log_dirs",
    request: AlterReplicaLogDirsRequestSchema,
    response: AlterReplicaLogDirsResponseSchema,
  },
  {
    apiKey: 35,
    name: "DescribeLogDirs",
    module: "describe_log_dirs",
    request: DescribeLogDirsRequestSchema,
    response: DescribeLogDirsResponseSchema,
  },
  {
    apiKey: 36,
    name: "SaslAuthenticate",
    module: "sasl_authenticate",
    request: SaslAuthenticateRequestSchema,
    response: SaslAuthenticateResponseSchema,
  },
  {
    apiKey: 37,
    name: "CreatePartitions",
    module: "create_partitions",
    request: CreatePartitionsRequestSchema,
    response: CreatePartitionsResponseSchema,
  },
  {
    apiKey: 42,
    name: "DeleteGroups",
    module: "delete_groups",
    request: DeleteGroupsRequestSchema,
    response: DeleteGroupsResponseSchema,
  },
  {
    apiKey: 43,
    name: "ElectLeaders",
    module: "elect_leaders",
    request: ElectLeadersRequestSchema,
    response: ElectLeadersResponseSchema,
  },
  {
    apiKey: 44,
    name: "IncrementalAlterConfigs",
    module: "incremental_alter_configs",
    request: IncrementalAlterConfigsRequestSchema,
    response: IncrementalAlterConfigsResponseSchema,
  },
  {
    apiKey: 45,
    name: "AlterPartitionReassignments",
    module: "alter_partition_reassignments",
    request: AlterPartitionReassignmentsRequestSchema,
    response: AlterPartitionReassignmentsResponseSchema,
  },
  {
    apiKey: 46,
    name: "ListPartitionReassignments",
    module: "list_partition_reassignments",
    request: ListPartitionReassignmentsRequestSchema,
    response: ListPartitionReassignmentsResponseSchema,
  },
  {
    apiKey: 47,
    name: "OffsetDelete",
    module: "offset_delete",
    request: OffsetDeleteRequestSchema,
    response: OffsetDeleteResponseSchema,
  },
  {
    apiKey: 48,
    name: "DescribeClientQuotas",
    module: "describe_client_quotas",
    request: DescribeClientQuotasRequestSchema,
    response: DescribeClientQuotasResponseSchema,
  },
  {
    apiKey: 49,
    name: "AlterClientQuotas",
    module: "alter_client_quotas",
    request: AlterClientQuotasRequestSchema,
    response: AlterClientQuotasResponseSchema,
  },
  {
    apiKey: 50,
    name: "DescribeUserScramCredentials",
    module: "describe_user_scram_credentials",
    request: DescribeUserScramCredentialsRequestSchema,
    response: DescribeUserScramCredentialsResponseSchema,
  },
  {
    apiKey: 51,
    name: "AlterUserScramCredentials",
    module: "alter_user_scram_credentials",
    request: AlterUserScramCredentialsRequestSchema,
    response: AlterUserScramCredentialsResponseSchema,
  },
  {
    apiKey: 60,
    name: "DescribeCluster",
    module: "describe_cluster",
    request: DescribeClusterRequestSchema,
    response: DescribeClusterResponseSchema,
  },
  {
    apiKey: 61,
    name: "DescribeProducers",
    module: "describe_producers",
    request: DescribeProducersRequestSchema,
    response: DescribeProducersResponseSchema,
  },
  {
    apiKey: 65,
    name: "DescribeTransactions",
    module: "describe_transactions",
    request: DescribeTransactionsRequestSchema,
    response: DescribeTransactionsResponseSchema,
  },
  {
    apiKey: 66,
    name: "ListTransactions",
    module: "list_transactions",
    request: ListTransactionsRequestSchema,
    response: ListTransactionsResponseSchema,
  },
  {
    apiKey: 68,
    name: "ConsumerGroupHeartbeat",
    module: "consumer_group_heartbeat",
    request: ConsumerGroupHeartbeatRequestSchema,
    response: ConsumerGroupHeartbeatResponseSchema,
  },
  {
    apiKey: 69,
    name: "ConsumerGroupDescribe",
    module: "consumer_group_describe",
    request: ConsumerGroupDescribeRequestSchema,
    response: ConsumerGroupDescribeResponseSchema,
  },
  {
    apiKey: 75,
    name: "DescribeTopicPartitions",
    module: "describe_topic_partitions",
    request: DescribeTopicPartitionsRequestSchema,
    response: DescribeTopicPartitionsResponseSchema,
  },
];

export const STANDALONE_SCHEMAS: readonly StandaloneSchema[] = [
  { module: "headers", schemas: [RequestHeaderSchema, ResponseHeaderSchema] },
  { module: "consumer_protocol_subscription", schemas: [ConsumerProtocolSubscriptionSchema] },
  { module: "consumer_protocol_assignment", schemas: [ConsumerProtocolAssignmentSchema] },
];
