/**
 * The group API files' own translation, over the in-memory transport with a
 * recording stand-in for the group coordinators: what each version sends on
 * (JoinGroup v0's rebalance timeout, requireKnownMemberId from v4, the
 * "/ip" client host, OffsetCommit's per-version timestamp, retention and
 * leader epoch), how results come back per version (JoinGroup's protocol
 * name, LeaveGroup v0–v2's single error, OffsetFetch's group-level error
 * before and after v2), and coordinator failures (ApiError) confined to
 * their group in multi-group requests, or answered as Kafka does
 * (Heartbeat during loading). Results of real groups are covered by
 * groups_*_test.ts over LocalBroker.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeBroker } from "../_in_memory.ts";
import { ApiError } from "../../../src/handler/apis/api.ts";
import { clientHost } from "../../../src/handler/apis/group_common.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import type { GroupAccess, GroupOp, GroupOpResults } from "../../../src/group/group_ops.ts";
import {
  decodeJoinGroupResponse,
  defaultJoinGroupRequest,
  encodeJoinGroupRequest,
} from "../../../src/protocol/generated/join_group.ts";
import { decodeHeartbeatResponse, encodeHeartbeatRequest } from "../../../src/protocol/generated/heartbeat.ts";
import { decodeLeaveGroupResponse, encodeLeaveGroupRequest } from "../../../src/protocol/generated/leave_group.ts";
import {
  decodeOffsetCommitResponse,
  defaultOffsetCommitRequest,
  encodeOffsetCommitRequest,
} from "../../../src/protocol/generated/offset_commit.ts";
import {
  decodeOffsetFetchResponse,
  defaultOffsetFetchRequest,
  encodeOffsetFetchRequest,
} from "../../../src/protocol/generated/offset_fetch.ts";
import {
  decodeDescribeGroupsResponse,
  encodeDescribeGroupsRequest,
} from "../../../src/protocol/generated/describe_groups.ts";
import {
  decodeDeleteGroupsResponse,
  encodeDeleteGroupsRequest,
} from "../../../src/protocol/generated/delete_groups.ts";

type Answer = (op: GroupOp) => unknown;

/** A FakeBroker whose group ops are recorded and answered by `answer` (which may throw an ApiError). */
function brokerWith(answer: Answer): { broker: FakeBroker; ops: GroupOp[] } {
  const broker = new FakeBroker([{ name: "t", partitions: 2 }]);
  const ops: GroupOp[] = [];
  const run = async <O extends GroupOp>(op: O) => {
    ops.push(op);
    // Later groups answer first, so answers arrive out of request order.
    await new Promise((r) => setTimeout(r, 10 - ops.length));
    return answer(op) as GroupOpResults[O["op"]];
  };
  const groups: GroupAccess = {
    run,
    // As the router does: each op's coordinator error becomes its own outcome.
    runEach: <O extends GroupOp>(batch: readonly O[]) =>
      Promise.all(batch.map((op) =>
        run(op).then((ok) => ({ ok }), (e) => {
          if (e instanceof ApiError) return { errorCode: e.errorCode };
          throw e;
        })
      )),
    list: () => Promise.resolve([]),
  };
  broker.state = { ...broker.state, groups };
  return { broker, ops };
}

const joined = {
  errorCode: ErrorCode.NONE,
  generationId: 1,
  protocolType: "consumer",
  protocolName: null,
  leader: "m",
  memberId: "m",
  members: [],
};

describe("group API translation", () => {
  test("JoinGroup: v0 uses the session timeout as rebalance timeout; v4+ requires a known member id; host and client id", async () => {
    for (const v of [0, 1, 3, 4, 5, 8, 9]) {
      const { broker, ops } = brokerWith(() => joined);
      const res = await broker.call(
        11,
        v,
        {
          ...defaultJoinGroupRequest(),
          groupId: "g",
          sessionTimeoutMs: 10000,
          rebalanceTimeoutMs: 20000,
          protocolType: "consumer",
          groupInstanceId: "i",
          reason: "why",
        },
        encodeJoinGroupRequest,
        decodeJoinGroupResponse,
      );
      const op = ops[0] as Extract<GroupOp, { op: "join" }>;
      assert.equal(op.args.rebalanceTimeoutMs, v === 0 ? 10000 : 20000);
      assert.equal(op.args.requireKnownMemberId, v >= 4);
      assert.equal(op.args.groupInstanceId, v >= 5 ? "i" : null);
      assert.equal(op.args.reason, v >= 8 ? "why" : null);
      assert.deepEqual([op.args.clientId, op.args.clientHost], ["in-memory", "/127.0.0.1"]);
      // A null protocol name is "" before v7 and stays null after.
      assert.equal(res.protocolName, v >= 7 ? null : "");
    }
  });

  test("Heartbeat: COORDINATOR_LOAD_IN_PROGRESS is answered NONE, other coordinator errors pass", async () => {
    for (
      const [thrown, expected] of [
        [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.NONE],
        [ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_COORDINATOR],
      ]
    ) {
      const { broker } = brokerWith(() => {
        throw new ApiError(thrown, "test");
      });
      const res = await broker.call(
        12,
        4,
        { groupId: "g", generationId: 1, memberId: "m", groupInstanceId: null },
        encodeHeartbeatRequest,
        decodeHeartbeatResponse,
      );
      assert.equal(res.errorCode, expected);
    }
  });

  test("LeaveGroup v0–v2: the group-level error if any, else the member's", async () => {
    const cases: Array<[number, number, number]> = [
      [ErrorCode.NONE, ErrorCode.FENCED_INSTANCE_ID, ErrorCode.FENCED_INSTANCE_ID],
      [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NONE, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      [ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE],
    ];
    for (const [group, member, expected] of cases) {
      for (const v of [0, 1, 2]) {
        const { broker, ops } = brokerWith(() => ({
          errorCode: group,
          members: [{ memberId: "m", groupInstanceId: null, errorCode: member }],
        }));
        const res = await broker.call(
          13,
          v,
          { groupId: "g", memberId: "m", members: [] },
          encodeLeaveGroupRequest,
          decodeLeaveGroupResponse,
        );
        assert.equal(res.errorCode, expected);
        assert.deepEqual((ops[0] as Extract<GroupOp, { op: "leave" }>).args.members, [
          { memberId: "m", groupInstanceId: null, reason: null },
        ]);
      }
    }
  });

  test("OffsetCommit: v1 timestamp, v2–v4 retention, v6+ leader epoch, v7+ instance id; unknown partitions stay here", async () => {
    for (let v = 0; v <= 9; v++) {
      const { broker, ops } = brokerWith((op) => {
        const args = (op as Extract<GroupOp, { op: "commitOffsets" }>).args;
        return {
          topics: args.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: ErrorCode.NONE })),
          })),
        };
      });
      const res = await broker.call(
        8,
        v,
        {
          ...defaultOffsetCommitRequest(),
          groupId: "g",
          generationIdOrMemberEpoch: 3,
          memberId: "m",
          groupInstanceId: "i",
          retentionTimeMs: 5000n,
          topics: [{
            name: "t",
            partitions: [
              {
                partitionIndex: 1,
                committedOffset: 9n,
                committedLeaderEpoch: 4,
                commitTimestamp: 77n,
                committedMetadata: "x",
              },
              {
                partitionIndex: 2,
                committedOffset: 9n,
                committedLeaderEpoch: 4,
                commitTimestamp: 77n,
                committedMetadata: "x",
              },
            ],
          }],
        },
        encodeOffsetCommitRequest,
        decodeOffsetCommitResponse,
      );
      const args = (ops[0] as Extract<GroupOp, { op: "commitOffsets" }>).args;
      assert.deepEqual(
        [args.generationIdOrMemberEpoch, args.memberId, args.groupInstanceId, args.retentionTimeMs, args.apiVersion],
        [v >= 1 ? 3 : -1, v >= 1 ? "m" : "", v >= 7 ? "i" : null, v >= 2 && v <= 4 ? 5000 : -1, v],
      );
      assert.deepEqual(args.topics, [{
        name: "t",
        partitions: [{
          partition: 1,
          offset: 9n,
          leaderEpoch: v >= 6 ? 4 : -1,
          metadata: "x",
          commitTimestamp: v === 1 ? 77n : -1n,
        }],
      }]);
      assert.deepEqual(res.topics[0].partitions.map((p) => [p.partitionIndex, p.errorCode]), [
        [1, ErrorCode.NONE],
        [2, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
    }
  });

  test("OffsetFetch: a group-level error is on every partition before v2, top-level v2–v7, per group v8+", async () => {
    const topics = [{ name: "t", partitionIndexes: [0, 1] }];
    for (let v = 0; v <= 9; v++) {
      const { broker } = brokerWith(() => ({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] }));
      const res = await broker.call(
        9,
        v,
        {
          ...defaultOffsetFetchRequest(),
          groupId: "g",
          topics,
          groups: [{ groupId: "g", memberId: null, memberEpoch: -1, topics }],
        },
        encodeOffsetFetchRequest,
        decodeOffsetFetchResponse,
      );
      if (v >= 8) {
        assert.deepEqual(res.groups.map((g) => [g.groupId, g.errorCode, g.topics]), [
          ["g", ErrorCode.GROUP_AUTHORIZATION_FAILED, []],
        ]);
      } else if (v >= 2) {
        assert.deepEqual([res.errorCode, res.topics], [ErrorCode.GROUP_AUTHORIZATION_FAILED, []]);
      } else {
        assert.deepEqual(
          res.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode]),
          [[0, -1n, ErrorCode.GROUP_AUTHORIZATION_FAILED], [1, -1n, ErrorCode.GROUP_AUTHORIZATION_FAILED]],
        );
      }
    }
  });

  test("several groups: a coordinator failure stays with its group; answers keep request order", async () => {
    const failing = (id: string) => {
      if (id === "b") throw new ApiError(ErrorCode.NOT_COORDINATOR, "moved");
    };
    const fetch = brokerWith((op) => {
      const args = (op as Extract<GroupOp, { op: "fetchOffsets" }>).args;
      failing(args.groupId);
      return { errorCode: ErrorCode.NONE, topics: [] };
    });
    const fetched = await fetch.broker.call(
      9,
      8,
      {
        ...defaultOffsetFetchRequest(),
        groups: ["a", "b", "c"].map((groupId) => ({ groupId, memberId: null, memberEpoch: -1, topics: null })),
      },
      encodeOffsetFetchRequest,
      decodeOffsetFetchResponse,
    );
    assert.deepEqual(fetched.groups.map((g) => [g.groupId, g.errorCode]), [
      ["a", ErrorCode.NONE],
      ["b", ErrorCode.NOT_COORDINATOR],
      ["c", ErrorCode.NONE],
    ]);

    const describe = brokerWith((op) => {
      const groupId = (op as Extract<GroupOp, { op: "describe" }>).groupId;
      failing(groupId);
      return { errorCode: 0, groupId, groupState: "Empty", protocolType: "", protocolData: "", members: [] };
    });
    const described = await describe.broker.call(
      15,
      5,
      { groups: ["a", "b", "c"], includeAuthorizedOperations: true },
      encodeDescribeGroupsRequest,
      decodeDescribeGroupsResponse,
    );
    assert.deepEqual(described.groups.map((g) => [g.groupId, g.errorCode, g.authorizedOperations !== -2147483648]), [
      ["a", ErrorCode.NONE, true],
      ["b", ErrorCode.NOT_COORDINATOR, false],
      ["c", ErrorCode.NONE, true],
    ]);

    const del = brokerWith((op) => {
      failing((op as Extract<GroupOp, { op: "deleteGroup" }>).groupId);
      return { errorCode: ErrorCode.NONE };
    });
    const deleted = await del.broker.call(
      42,
      2,
      { groupsNames: ["a", "b", "c"] },
      encodeDeleteGroupsRequest,
      decodeDeleteGroupsResponse,
    );
    assert.deepEqual(deleted.results.map((r) => [r.groupId, r.errorCode]), [
      ["a", ErrorCode.NONE],
      ["b", ErrorCode.NOT_COORDINATOR],
      ["c", ErrorCode.NONE],
    ]);
  });

  test('client host as Kafka shows it: "/" + the address, without the port', () => {
    assert.equal(clientHost("127.0.0.1:5000"), "/127.0.0.1");
    assert.equal(clientHost("[::1]:5000"), "/::1");
    assert.equal(clientHost("::1:5000"), "/::1");
    assert.equal(clientHost("::ffff:10.1.2.3:5000"), "/10.1.2.3");
  });
});
