/**
 * The APIs the client speaks, each as its generated codec pair plus the highest version the client uses.
 * Caps below the codecs' maximum are deliberate: Fetch stops at v12, the last version that names topics
 * (v13+ name them by topic id only, which would tie every fetch to a metadata lookup).
 */
import type { ApiDescriptor } from "../protocol/api_descriptor.ts";
import type { Reader } from "../protocol/io/reader.ts";
import type { Writer } from "../protocol/io/writer.ts";
import * as apiVersions from "../protocol/generated/api_versions.ts";
import * as consumerGroupDescribe from "../protocol/generated/consumer_group_describe.ts";
import * as createTopics from "../protocol/generated/create_topics.ts";
import * as deleteGroups from "../protocol/generated/delete_groups.ts";
import * as deleteRecords from "../protocol/generated/delete_records.ts";
import * as deleteTopics from "../protocol/generated/delete_topics.ts";
import * as describeConfigs from "../protocol/generated/describe_configs.ts";
import * as describeGroups from "../protocol/generated/describe_groups.ts";
import * as fetch from "../protocol/generated/fetch.ts";
import * as findCoordinator from "../protocol/generated/find_coordinator.ts";
import * as heartbeat from "../protocol/generated/heartbeat.ts";
import * as incrementalAlterConfigs from "../protocol/generated/incremental_alter_configs.ts";
import * as initProducerId from "../protocol/generated/init_producer_id.ts";
import * as joinGroup from "../protocol/generated/join_group.ts";
import * as leaveGroup from "../protocol/generated/leave_group.ts";
import * as listGroups from "../protocol/generated/list_groups.ts";
import * as listOffsets from "../protocol/generated/list_offsets.ts";
import * as metadata from "../protocol/generated/metadata.ts";
import * as offsetCommit from "../protocol/generated/offset_commit.ts";
import * as offsetFetch from "../protocol/generated/offset_fetch.ts";
import * as produce from "../protocol/generated/produce.ts";
import * as syncGroup from "../protocol/generated/sync_group.ts";
import * as createAcls from "../protocol/generated/create_acls.ts";
import * as describeAcls from "../protocol/generated/describe_acls.ts";
import * as deleteAcls from "../protocol/generated/delete_acls.ts";
import * as describeScram from "../protocol/generated/describe_user_scram_credentials.ts";
import * as alterScram from "../protocol/generated/alter_user_scram_credentials.ts";
import * as describeLogDirs from "../protocol/generated/describe_log_dirs.ts";

/** One API as the client uses it: request encoder, response decoder, version range it will speak. */
export interface ClientApi<Req, Res> {
  readonly descriptor: ApiDescriptor;
  /** Highest version the client sends (at most the codec's). */
  readonly maxVersion: number;
  encode(w: Writer, version: number, m: Req): void;
  decode(r: Reader, version: number): Res;
}

function api<Req, Res>(
  descriptor: ApiDescriptor,
  encode: (w: Writer, version: number, m: Req) => void,
  decode: (r: Reader, version: number) => Res,
  maxVersion = descriptor.maxVersion,
): ClientApi<Req, Res> {
  return { descriptor, maxVersion: Math.min(maxVersion, descriptor.maxVersion), encode, decode };
}

export const Apis = {
  Produce: api(produce.PRODUCE_API, produce.encodeProduceRequest, produce.decodeProduceResponse),
  Fetch: api(fetch.FETCH_API, fetch.encodeFetchRequest, fetch.decodeFetchResponse, 12),
  ListOffsets: api(
    listOffsets.LIST_OFFSETS_API,
    listOffsets.encodeListOffsetsRequest,
    listOffsets.decodeListOffsetsResponse,
  ),
  Metadata: api(metadata.METADATA_API, metadata.encodeMetadataRequest, metadata.decodeMetadataResponse),
  OffsetCommit: api(
    offsetCommit.OFFSET_COMMIT_API,
    offsetCommit.encodeOffsetCommitRequest,
    offsetCommit.decodeOffsetCommitResponse,
  ),
  OffsetFetch: api(
    offsetFetch.OFFSET_FETCH_API,
    offsetFetch.encodeOffsetFetchRequest,
    offsetFetch.decodeOffsetFetchResponse,
  ),
  FindCoordinator: api(
    findCoordinator.FIND_COORDINATOR_API,
    findCoordinator.encodeFindCoordinatorRequest,
    findCoordinator.decodeFindCoordinatorResponse,
  ),
  JoinGroup: api(joinGroup.JOIN_GROUP_API, joinGroup.encodeJoinGroupRequest, joinGroup.decodeJoinGroupResponse),
  Heartbeat: api(heartbeat.HEARTBEAT_API, heartbeat.encodeHeartbeatRequest, heartbeat.decodeHeartbeatResponse),
  LeaveGroup: api(leaveGroup.LEAVE_GROUP_API, leaveGroup.encodeLeaveGroupRequest, leaveGroup.decodeLeaveGroupResponse),
  SyncGroup: api(syncGroup.SYNC_GROUP_API, syncGroup.encodeSyncGroupRequest, syncGroup.decodeSyncGroupResponse),
  DescribeGroups: api(
    describeGroups.DESCRIBE_GROUPS_API,
    describeGroups.encodeDescribeGroupsRequest,
    describeGroups.decodeDescribeGroupsResponse,
  ),
  ListGroups: api(listGroups.LIST_GROUPS_API, listGroups.encodeListGroupsRequest, listGroups.decodeListGroupsResponse),
  ApiVersions: api(
    apiVersions.API_VERSIONS_API,
    apiVersions.encodeApiVersionsRequest,
    apiVersions.decodeApiVersionsResponse,
  ),
  CreateTopics: api(
    createTopics.CREATE_TOPICS_API,
    createTopics.encodeCreateTopicsRequest,
    createTopics.decodeCreateTopicsResponse,
  ),
  DeleteTopics: api(
    deleteTopics.DELETE_TOPICS_API,
    deleteTopics.encodeDeleteTopicsRequest,
    deleteTopics.decodeDeleteTopicsResponse,
  ),
  DeleteRecords: api(
    deleteRecords.DELETE_RECORDS_API,
    deleteRecords.encodeDeleteRecordsRequest,
    deleteRecords.decodeDeleteRecordsResponse,
  ),
  InitProducerId: api(
    initProducerId.INIT_PRODUCER_ID_API,
    initProducerId.encodeInitProducerIdRequest,
    initProducerId.decodeInitProducerIdResponse,
  ),
  DescribeConfigs: api(
    describeConfigs.DESCRIBE_CONFIGS_API,
    describeConfigs.encodeDescribeConfigsRequest,
    describeConfigs.decodeDescribeConfigsResponse,
  ),
  IncrementalAlterConfigs: api(
    incrementalAlterConfigs.INCREMENTAL_ALTER_CONFIGS_API,
    incrementalAlterConfigs.encodeIncrementalAlterConfigsRequest,
    incrementalAlterConfigs.decodeIncrementalAlterConfigsResponse,
  ),
  DeleteGroups: api(
    deleteGroups.DELETE_GROUPS_API,
    deleteGroups.encodeDeleteGroupsRequest,
    deleteGroups.decodeDeleteGroupsResponse,
  ),
  ConsumerGroupDescribe: api(
    consumerGroupDescribe.CONSUMER_GROUP_DESCRIBE_API,
    consumerGroupDescribe.encodeConsumerGroupDescribeRequest,
    consumerGroupDescribe.decodeConsumerGroupDescribeResponse,
  ),
  DescribeAcls: api(
    describeAcls.DESCRIBE_ACLS_API,
    describeAcls.encodeDescribeAclsRequest,
    describeAcls.decodeDescribeAclsResponse,
  ),
  CreateAcls: api(createAcls.CREATE_ACLS_API, createAcls.encodeCreateAclsRequest, createAcls.decodeCreateAclsResponse),
  DeleteAcls: api(deleteAcls.DELETE_ACLS_API, deleteAcls.encodeDeleteAclsRequest, deleteAcls.decodeDeleteAclsResponse),
  DescribeUserScramCredentials: api(
    describeScram.DESCRIBE_USER_SCRAM_CREDENTIALS_API,
    describeScram.encodeDescribeUserScramCredentialsRequest,
    describeScram.decodeDescribeUserScramCredentialsResponse,
  ),
  AlterUserScramCredentials: api(
    alterScram.ALTER_USER_SCRAM_CREDENTIALS_API,
    alterScram.encodeAlterUserScramCredentialsRequest,
    alterScram.decodeAlterUserScramCredentialsResponse,
  ),
  DescribeLogDirs: api(
    describeLogDirs.DESCRIBE_LOG_DIRS_API,
    describeLogDirs.encodeDescribeLogDirsRequest,
    describeLogDirs.decodeDescribeLogDirsResponse,
  ),
} as const;
