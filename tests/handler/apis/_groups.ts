/**
 * Helpers for the group API tests (tests/handler/apis/groups_*_test.ts): a broker
 * with group settings that keep tests quick (no initial rebalance delay, a
 * few __consumer_offsets partitions, three handlers so groups and their
 * requests land on different Workers), wire calls of each group API at a
 * given version, and a classic "consumer" member joined and synced through
 * the protocol. Runs under Deno and Bun.
 */
import assert from "node:assert/strict";
import type { LocalBroker, LocalBrokerOptions } from "../_local_broker.ts";
import { withBroker } from "./_helpers.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { Writer } from "../../../src/protocol/io/writer.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";
import {
  decodeJoinGroupResponse,
  defaultJoinGroupRequest,
  encodeJoinGroupRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
} from "../../../src/protocol/generated/join_group.ts";
import {
  decodeSyncGroupResponse,
  defaultSyncGroupRequest,
  encodeSyncGroupRequest,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from "../../../src/protocol/generated/sync_group.ts";
import {
  decodeHeartbeatResponse,
  encodeHeartbeatRequest,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from "../../../src/protocol/generated/heartbeat.ts";
import {
  decodeLeaveGroupResponse,
  encodeLeaveGroupRequest,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
} from "../../../src/protocol/generated/leave_group.ts";
import {
  decodeOffsetCommitResponse,
  defaultOffsetCommitRequest,
  encodeOffsetCommitRequest,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
} from "../../../src/protocol/generated/offset_commit.ts";
import {
  decodeOffsetFetchResponse,
  defaultOffsetFetchRequest,
  encodeOffsetFetchRequest,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from "../../../src/protocol/generated/offset_fetch.ts";
import {
  decodeOffsetDeleteResponse,
  encodeOffsetDeleteRequest,
  type OffsetDeleteRequest,
  type OffsetDeleteResponse,
} from "../../../src/protocol/generated/offset_delete.ts";
import {
  decodeDescribeGroupsResponse,
  type DescribeGroupsRequest,
  type DescribeGroupsResponse,
  encodeDescribeGroupsRequest,
} from "../../../src/protocol/generated/describe_groups.ts";
import {
  decodeListGroupsResponse,
  encodeListGroupsRequest,
  type ListGroupsRequest,
  type ListGroupsResponse,
} from "../../../src/protocol/generated/list_groups.ts";
import {
  decodeDeleteGroupsResponse,
  type DeleteGroupsResponse,
  encodeDeleteGroupsRequest,
} from "../../../src/protocol/generated/delete_groups.ts";
import {
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  decodeConsumerGroupHeartbeatResponse,
  defaultConsumerGroupHeartbeatRequest,
  encodeConsumerGroupHeartbeatRequest,
} from "../../../src/protocol/generated/consumer_group_heartbeat.ts";
import {
  type ConsumerGroupDescribeRequest,
  type ConsumerGroupDescribeResponse,
  decodeConsumerGroupDescribeResponse,
  encodeConsumerGroupDescribeRequest,
} from "../../../src/protocol/generated/consumer_group_describe.ts";
import {
  defaultConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
} from "../../../src/protocol/generated/consumer_protocol_subscription.ts";
import {
  type ConsumerProtocolAssignment,
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from "../../../src/protocol/generated/consumer_protocol_assignment.ts";

/** Settings that keep group tests quick; a test may add its own overrides. */
export const GROUP_OVERRIDES = [
  "group.initial.rebalance.delay.ms=0",
  "offsets.topic.num.partitions=4",
];

/** A broker with three handlers and GROUP_OVERRIDES (plus `overrides`). */
export function withGroupBroker(
  fn: (b: LocalBroker) => Promise<void>,
  opts: LocalBrokerOptions = {},
): Promise<void> {
  return withBroker({ handlers: 3, ...opts, overrides: [...GROUP_OVERRIDES, ...(opts.overrides ?? [])] }, fn);
}

// ---- wire calls, one per API ------------------------------------------------

export const join = (b: LocalBroker, v: number, r: Partial<JoinGroupRequest>, h?: number): Promise<JoinGroupResponse> =>
  b.call(11, v, { ...defaultJoinGroupRequest(), ...r }, encodeJoinGroupRequest, decodeJoinGroupResponse, h);

export const sync = (b: LocalBroker, v: number, r: Partial<SyncGroupRequest>, h?: number): Promise<SyncGroupResponse> =>
  b.call(14, v, { ...defaultSyncGroupRequest(), ...r }, encodeSyncGroupRequest, decodeSyncGroupResponse, h);

export const heartbeat = (b: LocalBroker, v: number, r: HeartbeatRequest, h?: number): Promise<HeartbeatResponse> =>
  b.call(12, v, r, encodeHeartbeatRequest, decodeHeartbeatResponse, h);

export const leave = (b: LocalBroker, v: number, r: LeaveGroupRequest, h?: number): Promise<LeaveGroupResponse> =>
  b.call(13, v, r, encodeLeaveGroupRequest, decodeLeaveGroupResponse, h);

export const commit = (
  b: LocalBroker,
  v: number,
  r: Partial<OffsetCommitRequest>,
  h?: number,
): Promise<OffsetCommitResponse> =>
  b.call(8, v, { ...defaultOffsetCommitRequest(), ...r }, encodeOffsetCommitRequest, decodeOffsetCommitResponse, h);

export const fetchOffsets = (
  b: LocalBroker,
  v: number,
  r: Partial<OffsetFetchRequest>,
  h?: number,
): Promise<OffsetFetchResponse> =>
  b.call(9, v, { ...defaultOffsetFetchRequest(), ...r }, encodeOffsetFetchRequest, decodeOffsetFetchResponse, h);

export const deleteOffsets = (b: LocalBroker, r: OffsetDeleteRequest, h?: number): Promise<OffsetDeleteResponse> =>
  b.call(47, 0, r, encodeOffsetDeleteRequest, decodeOffsetDeleteResponse, h);

export const describeGroups = (
  b: LocalBroker,
  v: number,
  r: DescribeGroupsRequest,
  h?: number,
): Promise<DescribeGroupsResponse> => b.call(15, v, r, encodeDescribeGroupsRequest, decodeDescribeGroupsResponse, h);

export const listGroups = (b: LocalBroker, v: number, r: ListGroupsRequest, h?: number): Promise<ListGroupsResponse> =>
  b.call(16, v, r, encodeListGroupsRequest, decodeListGroupsResponse, h);

export const deleteGroups = (b: LocalBroker, v: number, names: string[], h?: number): Promise<DeleteGroupsResponse> =>
  b.call(42, v, { groupsNames: names }, encodeDeleteGroupsRequest, decodeDeleteGroupsResponse, h);

export const consumerHeartbeat = (
  b: LocalBroker,
  r: Partial<ConsumerGroupHeartbeatRequest>,
  h?: number,
  version = 0,
): Promise<ConsumerGroupHeartbeatResponse> =>
  b.call(
    68,
    version,
    { ...defaultConsumerGroupHeartbeatRequest(), ...r },
    encodeConsumerGroupHeartbeatRequest,
    decodeConsumerGroupHeartbeatResponse,
    h,
  );

export const consumerDescribe = (
  b: LocalBroker,
  r: ConsumerGroupDescribeRequest,
  h?: number,
): Promise<ConsumerGroupDescribeResponse> =>
  b.call(69, 0, r, encodeConsumerGroupDescribeRequest, decodeConsumerGroupDescribeResponse, h);

// ---- the classic "consumer" protocol's embedded bytes ------------------------

/** ConsumerProtocolSubscription v0 bytes (version prefix + struct) for `topics`. */
export function subscription(topics: string[]): Uint8Array {
  const w = new Writer(64);
  w.writeInt16(0);
  encodeConsumerProtocolSubscription(w, 0, { ...defaultConsumerProtocolSubscription(), topics });
  return w.finish().slice();
}

/** ConsumerProtocolAssignment v0 bytes for `partitions` of `topic`. */
export function assignment(topic: string, partitions: number[]): Uint8Array {
  const w = new Writer(64);
  w.writeInt16(0);
  encodeConsumerProtocolAssignment(w, 0, { assignedPartitions: [{ topic, partitions }], userData: null });
  return w.finish().slice();
}

export function readAssignment(bytes: Uint8Array): ConsumerProtocolAssignment {
  const r = new Reader(bytes);
  const version = r.readInt16();
  return decodeConsumerProtocolAssignment(r, version);
}

/** JoinGroup fields of a "consumer" member subscribed to `topics` with the range protocol. */
export function consumerJoin(groupId: string, topics: string[]): Partial<JoinGroupRequest> {
  return {
    groupId,
    sessionTimeoutMs: 30000,
    rebalanceTimeoutMs: 30000,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: subscription(topics) }],
  };
}

/**
 * JoinGroup at `v` as a new member, answering MEMBER_ID_REQUIRED (v4+,
 * dynamic members) with the id it brings; asserts NONE.
 */
export async function joinNew(
  b: LocalBroker,
  v: number,
  r: Partial<JoinGroupRequest>,
  h?: number,
): Promise<JoinGroupResponse> {
  let res = await join(b, v, { ...r, memberId: "" }, h);
  if (res.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
    assert.ok(v >= 4, `MEMBER_ID_REQUIRED at v${v}`);
    assert.notEqual(res.memberId, "");
    res = await join(b, v, { ...r, memberId: res.memberId }, h);
  }
  assert.equal(res.errorCode, ErrorCode.NONE, `join v${v}: error ${res.errorCode}`);
  return res;
}

/** One "consumer" member joins `groupId` alone and syncs its own assignment: the group is Stable. */
export async function stableSingleMember(
  b: LocalBroker,
  groupId: string,
  topic: string,
  partitions: number[],
  instanceId: string | null = null,
): Promise<{ memberId: string; generationId: number }> {
  const joined = await joinNew(b, 9, { ...consumerJoin(groupId, [topic]), groupInstanceId: instanceId });
  assert.equal(joined.leader, joined.memberId);
  const synced = await sync(b, 5, {
    groupId,
    generationId: joined.generationId,
    memberId: joined.memberId,
    groupInstanceId: instanceId,
    protocolType: "consumer",
    protocolName: "range",
    assignments: [{ memberId: joined.memberId, assignment: assignment(topic, partitions) }],
  });
  assert.equal(synced.errorCode, ErrorCode.NONE);
  return { memberId: joined.memberId, generationId: joined.generationId };
}

/** v in [from, to]. */
export function versions(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
