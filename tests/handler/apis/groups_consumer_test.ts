/**
 * KIP-848's consumer protocol through a whole in-process broker core
 * (LocalBroker, three handlers): ConsumerGroupHeartbeat v0 (join with epoch
 * 0, heartbeat, a second member sharing the partitions after the first
 * revokes, leave with epoch -1, Kafka's request checks as INVALID_REQUEST
 * and UNSUPPORTED_ASSIGNOR), ConsumerGroupDescribe v0 (members with topic
 * ids and names, GROUP_ID_NOT_FOUND, INVALID_GROUP_ID, authorized
 * operations), ListGroups' "consumer" type, OffsetCommit v9 / OffsetFetch
 * v9 checked against the member epoch, and DeleteGroups on such a group.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LocalBroker } from "../_local_broker.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import type { ConsumerGroupHeartbeatResponse } from "../../../src/protocol/generated/consumer_group_heartbeat.ts";
import {
  commit,
  consumerDescribe,
  consumerHeartbeat,
  deleteGroups,
  fetchOffsets,
  listGroups,
  withGroupBroker,
} from "./_groups.ts";

const TOPIC = "payments";
const OMITTED = -2147483648;
const ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

type Owned = Array<{ topicId: string; partitions: number[] }>;

function firstHeartbeat(groupId: string, topics = [TOPIC]) {
  return {
    groupId,
    memberId: "",
    memberEpoch: 0,
    rebalanceTimeoutMs: 30000,
    subscribedTopicNames: topics,
    topicPartitions: [],
  };
}

function owned(res: ConsumerGroupHeartbeatResponse): Owned | null {
  return res.assignment === null
    ? null
    : res.assignment.topicPartitions.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions].sort() }));
}

/** A member's view: its id, epoch and what it owns (updated from each answer that carries an assignment). */
interface Member {
  id: string;
  epoch: number;
  owns: Owned;
}

async function joinMember(b: LocalBroker, groupId: string): Promise<Member> {
  const res = await consumerHeartbeat(b, firstHeartbeat(groupId));
  assert.equal(res.errorCode, ErrorCode.NONE, `${res.errorCode} ${res.errorMessage}`);
  assert.ok(res.memberId);
  assert.ok(res.memberEpoch > 0);
  return { id: res.memberId!, epoch: res.memberEpoch, owns: owned(res) ?? [] };
}

async function beat(b: LocalBroker, groupId: string, m: Member): Promise<ConsumerGroupHeartbeatResponse> {
  const res = await consumerHeartbeat(b, {
    groupId,
    memberId: m.id,
    memberEpoch: m.epoch,
    topicPartitions: m.owns,
  });
  assert.equal(res.errorCode, ErrorCode.NONE, `${res.errorCode} ${res.errorMessage}`);
  m.epoch = res.memberEpoch;
  m.owns = owned(res) ?? m.owns;
  return res;
}

const partitionsOf = (m: Member) => m.owns.flatMap((t) => t.partitions);

describe("ConsumerGroupHeartbeat", () => {
  test("a member joins with epoch 0 and gets every partition; heartbeats keep it; epoch -1 leaves", async () => {
    await withGroupBroker(async (b) => {
      const topicId = await b.createTopic(TOPIC, 3);
      const res = await consumerHeartbeat(b, firstHeartbeat("kg"));
      assert.equal(res.errorCode, ErrorCode.NONE);
      assert.equal(res.errorMessage, null);
      assert.equal(res.heartbeatIntervalMs, 5000);
      assert.deepEqual(owned(res), [{ topicId, partitions: [0, 1, 2] }]);
      const m: Member = { id: res.memberId!, epoch: res.memberEpoch, owns: owned(res)! };
      const again = await beat(b, "kg", m);
      assert.equal(again.memberEpoch, res.memberEpoch);
      assert.equal(again.assignment, null, "unchanged assignment is not repeated");
      const left = await consumerHeartbeat(b, { groupId: "kg", memberId: m.id, memberEpoch: -1 });
      assert.equal(left.errorCode, ErrorCode.NONE);
      assert.deepEqual([left.memberId, left.memberEpoch], [m.id, -1]);
      const described = await consumerDescribe(b, { groupIds: ["kg"], includeAuthorizedOperations: false });
      assert.equal(described.groups[0].groupState, "Empty");
    });
  });

  test("a second member: the partitions end up shared, disjoint and complete", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 4);
      const a = await joinMember(b, "shared");
      assert.deepEqual(partitionsOf(a), [0, 1, 2, 3]);
      const c = await joinMember(b, "shared");
      for (let round = 0; round < 20; round++) {
        await beat(b, "shared", a);
        await beat(b, "shared", c);
        const all = [...partitionsOf(a), ...partitionsOf(c)].sort();
        if (partitionsOf(a).length > 0 && partitionsOf(c).length > 0 && all.length === 4) break;
      }
      assert.deepEqual([...partitionsOf(a), ...partitionsOf(c)].sort(), [0, 1, 2, 3]);
      assert.ok(partitionsOf(a).length > 0 && partitionsOf(c).length > 0);
      const described = await consumerDescribe(b, { groupIds: ["shared"], includeAuthorizedOperations: false });
      assert.equal(described.groups[0].groupState, "Stable");
      assert.equal(described.groups[0].members.length, 2);
    });
  });

  test("Kafka's request checks: INVALID_REQUEST with its message, UNSUPPORTED_ASSIGNOR", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const join = firstHeartbeat("checks");
      const cases: Array<[Parameters<typeof consumerHeartbeat>[1], number, string | null]> = [
        [{ ...join, groupId: " " }, ErrorCode.INVALID_REQUEST, "GroupId can't be empty."],
        [{ ...join, instanceId: "" }, ErrorCode.INVALID_REQUEST, "InstanceId can't be empty."],
        [{ ...join, rackId: "  " }, ErrorCode.INVALID_REQUEST, "RackId can't be empty."],
        [
          { ...join, rebalanceTimeoutMs: -1 },
          ErrorCode.INVALID_REQUEST,
          "RebalanceTimeoutMs must be provided in first request.",
        ],
        [
          { ...join, topicPartitions: null },
          ErrorCode.INVALID_REQUEST,
          "TopicPartitions must be empty when (re-)joining.",
        ],
        [
          { ...join, subscribedTopicNames: null },
          ErrorCode.INVALID_REQUEST,
          "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.",
        ],
        [{ ...join, memberEpoch: 3, memberId: "" }, ErrorCode.INVALID_REQUEST, "MemberId can't be empty."],
        [{ ...join, memberEpoch: -2, memberId: "m" }, ErrorCode.INVALID_REQUEST, "InstanceId can't be null."],
        [{ ...join, memberEpoch: -3 }, ErrorCode.INVALID_REQUEST, "MemberEpoch is invalid."],
        [{ ...join, serverAssignor: "sticky" }, ErrorCode.UNSUPPORTED_ASSIGNOR, null],
      ];
      for (const [request, errorCode, message] of cases) {
        const res = await consumerHeartbeat(b, request);
        assert.equal(res.errorCode, errorCode, JSON.stringify(request));
        // Kafka's error answers leave the member epoch at its default 0.
        assert.deepEqual([res.memberId, res.memberEpoch], [null, 0]);
        if (message !== null) assert.equal(res.errorMessage, message);
        else assert.ok(res.errorMessage?.includes("sticky"));
      }
      const ranged = await consumerHeartbeat(b, { ...join, serverAssignor: "range" });
      assert.equal(ranged.errorCode, ErrorCode.NONE);
      const unknown = await consumerHeartbeat(b, { groupId: "checks", memberId: "nobody", memberEpoch: 4 });
      assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
      const noGroup = await consumerHeartbeat(b, { groupId: "checks-none", memberId: "nobody", memberEpoch: 4 });
      assert.deepEqual([noGroup.errorCode, noGroup.memberEpoch], [ErrorCode.GROUP_ID_NOT_FOUND, 0]);
      const fenced = await consumerHeartbeat(b, {
        groupId: "checks",
        memberId: ranged.memberId!,
        memberEpoch: ranged.memberEpoch + 5,
        topicPartitions: [],
      });
      assert.equal(fenced.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    });
  });
});

describe("ConsumerGroupHeartbeat v1 (Kafka 4.0)", () => {
  test("a regex subscription with a member id the client made; describe shows the regex", async () => {
    await withGroupBroker(async (b) => {
      const a = await b.createTopic("pay-eu", 2);
      const c = await b.createTopic("pay-us", 1);
      await b.createTopic("payroll", 1);
      const join = { ...firstHeartbeat("rx"), memberId: "made-by-client", subscribedTopicNames: null };
      const res = await consumerHeartbeat(b, { ...join, subscribedTopicRegex: "pay-[a-z]+" }, undefined, 1);
      assert.equal(res.errorCode, ErrorCode.NONE, `${res.errorCode} ${res.errorMessage}`);
      assert.equal(res.memberId, "made-by-client");
      const expected = [{ topicId: a, partitions: [0, 1] }, { topicId: c, partitions: [0] }]
        .sort((x, y) => x.topicId.localeCompare(y.topicId));
      assert.deepEqual(owned(res)!.sort((x, y) => x.topicId.localeCompare(y.topicId)), expected);
      const described = await consumerDescribe(b, { groupIds: ["rx"], includeAuthorizedOperations: false });
      assert.equal(described.groups[0].members[0].subscribedTopicRegex, "pay-[a-z]+");

      const bad = await consumerHeartbeat(b, { ...join, groupId: "rx2", subscribedTopicRegex: "pay-(" }, undefined, 1);
      assert.equal(bad.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
      const noId = await consumerHeartbeat(b, { ...firstHeartbeat("rx3"), memberId: "" }, undefined, 1);
      assert.deepEqual([noId.errorCode, noId.errorMessage], [ErrorCode.INVALID_REQUEST, "MemberId can't be empty."]);
    });
  });
});

describe("ConsumerGroupDescribe", () => {
  test("v0: members with assignments by topic id and name; unknown and empty group ids; in request order", async () => {
    await withGroupBroker(async (b) => {
      const topicId = await b.createTopic(TOPIC, 2);
      const m = await joinMember(b, "kd");
      for (const include of [false, true]) {
        const res = await consumerDescribe(b, {
          groupIds: ["missing", "kd", ""],
          includeAuthorizedOperations: include,
        });
        assert.deepEqual(res.groups.map((g) => [g.groupId, g.errorCode]), [
          ["missing", ErrorCode.GROUP_ID_NOT_FOUND],
          ["kd", ErrorCode.NONE],
          ["", ErrorCode.INVALID_GROUP_ID],
        ]);
        assert.deepEqual(res.groups.map((g) => g.authorizedOperations), [
          OMITTED,
          include ? ALL_GROUP_OPERATIONS : OMITTED,
          OMITTED,
        ]);
        // As Kafka, a group it cannot describe has only its id and error; the rest keeps the schema defaults.
        const missing = res.groups[0];
        assert.deepEqual(
          [missing.groupState, missing.groupEpoch, missing.assignmentEpoch, missing.assignorName, missing.members],
          ["", 0, 0, "", []],
        );
        const g = res.groups[1];
        assert.equal(g.groupState, "Stable");
        assert.ok(g.groupEpoch >= 1);
        assert.equal(g.assignmentEpoch, g.groupEpoch);
        assert.equal(g.assignorName, "uniform");
        assert.equal(g.members.length, 1);
        const member = g.members[0];
        assert.deepEqual(
          [
            member.memberId,
            member.memberEpoch,
            member.clientId,
            member.clientHost,
            member.subscribedTopicNames,
            member.subscribedTopicRegex,
          ],
          [m.id, m.epoch, "local-broker", "/127.0.0.1", [TOPIC], ""],
        );
        const byTopic = (a: { topicPartitions: Array<{ topicId: string; topicName: string; partitions: number[] }> }) =>
          a.topicPartitions.map((t) => [t.topicId, t.topicName, [...t.partitions].sort()]);
        assert.deepEqual(byTopic(member.assignment), [[topicId, TOPIC, [0, 1]]]);
        assert.deepEqual(byTopic(member.targetAssignment), [[topicId, TOPIC, [0, 1]]]);
      }
      const listed = await listGroups(b, 5, { statesFilter: [], typesFilter: ["consumer"] });
      assert.deepEqual(listed.groups.map((g) => [g.groupId, g.protocolType, g.groupState, g.groupType]), [
        ["kd", "consumer", "Stable", "consumer"],
      ]);
    });
  });
});

describe("offsets of a KIP-848 group", () => {
  test("OffsetCommit v9 and OffsetFetch v9 are checked against the member epoch", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const m = await joinMember(b, "ko");
      const topics = [{
        name: TOPIC,
        partitions: [{
          partitionIndex: 0,
          committedOffset: 17n,
          committedLeaderEpoch: -1,
          commitTimestamp: -1n,
          committedMetadata: "",
        }],
      }];
      const commitError = async (v: number, memberId: string, epoch: number) =>
        (await commit(b, v, { groupId: "ko", memberId, generationIdOrMemberEpoch: epoch, topics })).topics[0]
          .partitions[0].errorCode;
      assert.equal(await commitError(9, m.id, m.epoch), ErrorCode.NONE);
      assert.equal(await commitError(9, m.id, m.epoch + 1), ErrorCode.STALE_MEMBER_EPOCH);
      assert.equal(await commitError(9, "nobody", m.epoch), ErrorCode.UNKNOWN_MEMBER_ID);
      assert.equal(await commitError(8, m.id, m.epoch), ErrorCode.UNSUPPORTED_VERSION);
      const fetchWith = (memberId: string | null, memberEpoch: number) =>
        fetchOffsets(b, 9, { groups: [{ groupId: "ko", memberId, memberEpoch, topics: null }] });
      const ok = await fetchWith(m.id, m.epoch);
      assert.equal(ok.groups[0].errorCode, ErrorCode.NONE);
      assert.deepEqual(ok.groups[0].topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)]), [
        [TOPIC, [17n]],
      ]);
      const stale = await fetchWith(m.id, m.epoch + 1);
      assert.deepEqual([stale.groups[0].errorCode, stale.groups[0].topics], [ErrorCode.STALE_MEMBER_EPOCH, []]);
      const admin = await fetchWith(null, -1);
      assert.equal(admin.groups[0].errorCode, ErrorCode.NONE);
    });
  });

  test("DeleteGroups: NON_EMPTY_GROUP while a member is in, deleted once it left", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const m = await joinMember(b, "kx");
      assert.deepEqual((await deleteGroups(b, 2, ["kx"])).results.map((r) => r.errorCode), [ErrorCode.NON_EMPTY_GROUP]);
      const left = await consumerHeartbeat(b, { groupId: "kx", memberId: m.id, memberEpoch: -1 });
      assert.equal(left.errorCode, ErrorCode.NONE);
      assert.deepEqual((await deleteGroups(b, 2, ["kx"])).results.map((r) => r.errorCode), [ErrorCode.NONE]);
      const gone = await consumerDescribe(b, { groupIds: ["kx"], includeAuthorizedOperations: false });
      assert.equal(gone.groups[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    });
  });
});
