/**
 * The classic rebalance protocol through a whole in-process broker core
 * (LocalBroker, three handlers): JoinGroup v0–v9, SyncGroup v0–v5,
 * Heartbeat v0–v4 and LeaveGroup v0–v5 over the wire codecs. Covers a lone
 * member leading generation 1, MEMBER_ID_REQUIRED from v4, a second member
 * forcing a rebalance (REBALANCE_IN_PROGRESS on the first one's heartbeat),
 * a follower's SyncGroup assignments being ignored, static members (v5+)
 * rejoining without a rebalance and fencing their old id, the per-version
 * LeaveGroup answers, and Kafka's errors for bad input after which the group
 * carries on.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LocalBroker } from "../_local_broker.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import type { JoinGroupResponse } from "../../../src/protocol/generated/join_group.ts";
import {
  assignment,
  consumerJoin,
  describeGroups,
  heartbeat,
  join,
  joinNew,
  leave,
  readAssignment,
  stableSingleMember,
  subscription,
  sync,
  versions,
  withGroupBroker,
} from "./_groups.ts";

const TOPIC = "events";

/** Retries `fn` until `done` holds (the other request may still be on its way between handlers). */
async function until<T>(fn: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const t = await fn();
    if (done(t)) return t;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("condition never held");
}

async function stateOf(b: LocalBroker, groupId: string): Promise<string> {
  const res = await describeGroups(b, 5, { groups: [groupId], includeAuthorizedOperations: false });
  return res.groups[0].groupState;
}

describe("JoinGroup", () => {
  test("v0–v9: a lone member leads generation 1; v4+ first answers MEMBER_ID_REQUIRED with its id", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      for (const v of versions(0, 9)) {
        const groupId = `join-v${v}`;
        const first = await join(b, v, { ...consumerJoin(groupId, [TOPIC]), memberId: "" });
        let res: JoinGroupResponse = first;
        if (v >= 4) {
          assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED, `v${v}`);
          assert.notEqual(first.memberId, "");
          res = await join(b, v, { ...consumerJoin(groupId, [TOPIC]), memberId: first.memberId });
          assert.equal(res.memberId, first.memberId);
        }
        assert.equal(res.errorCode, ErrorCode.NONE, `v${v}`);
        assert.equal(res.generationId, 1);
        assert.equal(res.leader, res.memberId);
        assert.equal(res.protocolName, "range");
        assert.equal(res.protocolType, v >= 7 ? "consumer" : null);
        assert.equal(res.skipAssignment, false);
        assert.deepEqual(res.members.map((m) => [m.memberId, m.metadata]), [[res.memberId, subscription([TOPIC])]]);
        const synced = await sync(b, Math.min(v, 5), {
          groupId,
          generationId: 1,
          memberId: res.memberId,
          protocolType: "consumer",
          protocolName: "range",
          assignments: [{ memberId: res.memberId, assignment: assignment(TOPIC, [0, 1]) }],
        });
        assert.equal(synced.errorCode, ErrorCode.NONE);
        assert.equal(await stateOf(b, groupId), "Stable");
      }
    });
  });

  test("v0–v3 take a new member at once; a known-but-wrong member id is UNKNOWN_MEMBER_ID", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      for (const v of versions(0, 3)) {
        const res = await join(b, v, { ...consumerJoin(`direct-${v}`, [TOPIC]), memberId: "" });
        assert.equal(res.errorCode, ErrorCode.NONE);
        assert.notEqual(res.memberId, "");
      }
      await stableSingleMember(b, "g", TOPIC, [0]);
      const res = await join(b, 9, { ...consumerJoin("g", [TOPIC]), memberId: "nobody-1234" });
      assert.equal(res.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    });
  });

  test("a second member forces a rebalance; the follower's SyncGroup assignments are ignored", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      const a = await stableSingleMember(b, "g2", TOPIC, [0, 1]);
      const required = await join(b, 9, { ...consumerJoin("g2", [TOPIC]), memberId: "" });
      assert.equal(required.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
      const bJoin = join(b, 9, { ...consumerJoin("g2", [TOPIC]), memberId: required.memberId });
      const hb = { groupId: "g2", generationId: a.generationId, memberId: a.memberId, groupInstanceId: null };
      await until(() => heartbeat(b, 4, hb), (r) => r.errorCode === ErrorCode.REBALANCE_IN_PROGRESS);
      const [aJoined, bJoined] = await Promise.all([
        join(b, 9, { ...consumerJoin("g2", [TOPIC]), memberId: a.memberId }),
        bJoin,
      ]);
      for (const r of [aJoined, bJoined]) {
        assert.equal(r.errorCode, ErrorCode.NONE);
        assert.equal(r.generationId, a.generationId + 1);
        assert.equal(r.leader, a.memberId);
      }
      assert.deepEqual(aJoined.members.map((m) => m.memberId).sort(), [a.memberId, bJoined.memberId].sort());
      assert.deepEqual(bJoined.members, []);
      const gen = aJoined.generationId;
      // The follower tries to hand itself everything: ignored, it gets what the leader assigns.
      const bSync = sync(b, 5, {
        groupId: "g2",
        generationId: gen,
        memberId: bJoined.memberId,
        protocolType: "consumer",
        protocolName: "range",
        assignments: [{ memberId: bJoined.memberId, assignment: assignment(TOPIC, [0, 1]) }],
      });
      const aSync = await sync(b, 5, {
        groupId: "g2",
        generationId: gen,
        memberId: a.memberId,
        protocolType: "consumer",
        protocolName: "range",
        assignments: [
          { memberId: a.memberId, assignment: assignment(TOPIC, [0]) },
          { memberId: bJoined.memberId, assignment: assignment(TOPIC, [1]) },
        ],
      });
      assert.equal(aSync.errorCode, ErrorCode.NONE);
      assert.deepEqual(readAssignment(aSync.assignment).assignedPartitions, [{ topic: TOPIC, partitions: [0] }]);
      const bSynced = await bSync;
      assert.equal(bSynced.errorCode, ErrorCode.NONE);
      assert.deepEqual([bSynced.protocolType, bSynced.protocolName], ["consumer", "range"]);
      assert.deepEqual(readAssignment(bSynced.assignment).assignedPartitions, [{ topic: TOPIC, partitions: [1] }]);
      assert.equal(await stateOf(b, "g2"), "Stable");
      for (const memberId of [a.memberId, bJoined.memberId]) {
        const r = await heartbeat(b, 4, { groupId: "g2", generationId: gen, memberId, groupInstanceId: null });
        assert.equal(r.errorCode, ErrorCode.NONE);
      }
    });
  });

  test("v5–v9 static member: joins without MEMBER_ID_REQUIRED, rejoins under a new id without a rebalance, old id fenced", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      for (const v of versions(5, 9)) {
        const groupId = `static-${v}`;
        const instance = `instance-${v}`;
        const first = await join(b, v, { ...consumerJoin(groupId, [TOPIC]), memberId: "", groupInstanceId: instance });
        assert.equal(first.errorCode, ErrorCode.NONE, `v${v}`);
        assert.deepEqual(first.members.map((m) => m.groupInstanceId), [instance]);
        const synced = await sync(b, 5, {
          groupId,
          generationId: first.generationId,
          memberId: first.memberId,
          groupInstanceId: instance,
          protocolType: "consumer",
          protocolName: "range",
          assignments: [{ memberId: first.memberId, assignment: assignment(TOPIC, [0]) }],
        });
        assert.equal(synced.errorCode, ErrorCode.NONE);
        // The same instance comes back (a restart): new member id, same generation, still Stable.
        const again = await join(b, v, { ...consumerJoin(groupId, [TOPIC]), memberId: "", groupInstanceId: instance });
        assert.equal(again.errorCode, ErrorCode.NONE);
        assert.notEqual(again.memberId, first.memberId);
        assert.equal(again.generationId, first.generationId);
        assert.equal(await stateOf(b, groupId), "Stable");
        const old = await heartbeat(b, 4, {
          groupId,
          generationId: first.generationId,
          memberId: first.memberId,
          groupInstanceId: instance,
        });
        assert.equal(old.errorCode, ErrorCode.FENCED_INSTANCE_ID);
        const cur = await heartbeat(b, 4, {
          groupId,
          generationId: again.generationId,
          memberId: again.memberId,
          groupInstanceId: instance,
        });
        assert.equal(cur.errorCode, ErrorCode.NONE);
        const described = await describeGroups(b, 4, { groups: [groupId], includeAuthorizedOperations: false });
        assert.deepEqual(described.groups[0].members.map((m) => [m.memberId, m.groupInstanceId]), [
          [again.memberId, instance],
        ]);
      }
    });
  });

  test("bad input gets Kafka's errors and the group carries on", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const a = await stableSingleMember(b, "g", TOPIC, [0]);
      const cases: Array<[string, Parameters<typeof join>[2], number]> = [
        [
          "empty protocol type",
          { ...consumerJoin("g", [TOPIC]), protocolType: "" },
          ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        ],
        ["no protocols", { ...consumerJoin("g", [TOPIC]), protocols: [] }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
        [
          "other protocol type",
          { ...consumerJoin("g", [TOPIC]), protocolType: "connect" },
          ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        ],
        [
          "no common protocol",
          { ...consumerJoin("g", [TOPIC]), protocols: [{ name: "roundrobin", metadata: subscription([TOPIC]) }] },
          ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
        ],
        ["empty group id", { ...consumerJoin("", [TOPIC]) }, ErrorCode.INVALID_GROUP_ID],
        [
          "session timeout too small",
          { ...consumerJoin("g", [TOPIC]), sessionTimeoutMs: 1 },
          ErrorCode.INVALID_SESSION_TIMEOUT,
        ],
        [
          "session timeout too large",
          { ...consumerJoin("g", [TOPIC]), sessionTimeoutMs: 2_000_000_000 },
          ErrorCode.INVALID_SESSION_TIMEOUT,
        ],
      ];
      for (const [what, request, expected] of cases) {
        const res = await join(b, 9, { ...request, memberId: "", groupInstanceId: "bad-input" });
        assert.equal(res.errorCode, expected, what);
      }
      // An empty protocol type on a group that does not exist yet is refused as well.
      const fresh = await join(b, 3, { ...consumerJoin("fresh", [TOPIC]), protocolType: "" });
      assert.equal(fresh.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      const hb = { groupId: "g", generationId: a.generationId, memberId: a.memberId, groupInstanceId: null };
      assert.equal((await heartbeat(b, 4, hb)).errorCode, ErrorCode.NONE);
      assert.equal(await stateOf(b, "g"), "Stable");
    });
  });
});

describe("SyncGroup", () => {
  test("v0–v5 hand each member its assignment; v5 answers the protocol type and name", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 3);
      for (const v of versions(0, 5)) {
        const groupId = `sync-v${v}`;
        const joined = await joinNew(b, 9, consumerJoin(groupId, [TOPIC]));
        const res = await sync(b, v, {
          groupId,
          generationId: joined.generationId,
          memberId: joined.memberId,
          protocolType: "consumer",
          protocolName: "range",
          assignments: [{ memberId: joined.memberId, assignment: assignment(TOPIC, [0, 2]) }],
        });
        assert.equal(res.errorCode, ErrorCode.NONE);
        assert.deepEqual(readAssignment(res.assignment).assignedPartitions, [{ topic: TOPIC, partitions: [0, 2] }]);
        assert.deepEqual([res.protocolType, res.protocolName], v >= 5 ? ["consumer", "range"] : [null, null]);
      }
    });
  });

  test("errors: v5 without protocol type or name, wrong protocol, unknown member, stale generation, empty group id", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const a = await stableSingleMember(b, "g", TOPIC, [0]);
      const base = {
        groupId: "g",
        generationId: a.generationId,
        memberId: a.memberId,
        protocolType: "consumer",
        protocolName: "range",
        assignments: [],
      };
      const cases: Array<[string, number, Parameters<typeof sync>[2], number]> = [
        ["v5 null protocol type", 5, { ...base, protocolType: null }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
        ["v5 null protocol name", 5, { ...base, protocolName: null }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
        ["v5 other protocol name", 5, { ...base, protocolName: "roundrobin" }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL],
        ["unknown member", 3, { ...base, memberId: "nobody" }, ErrorCode.UNKNOWN_MEMBER_ID],
        ["stale generation", 3, { ...base, generationId: a.generationId - 1 }, ErrorCode.ILLEGAL_GENERATION],
        ["empty group id", 3, { ...base, groupId: "" }, ErrorCode.INVALID_GROUP_ID],
      ];
      for (const [what, v, request, expected] of cases) {
        assert.equal((await sync(b, v, request)).errorCode, expected, what);
      }
      const hb = { groupId: "g", generationId: a.generationId, memberId: a.memberId, groupInstanceId: null };
      assert.equal((await heartbeat(b, 4, hb)).errorCode, ErrorCode.NONE);
    });
  });
});

describe("Heartbeat", () => {
  test("v0–v4: NONE for the member, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, INVALID_GROUP_ID", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      const a = await stableSingleMember(b, "g", TOPIC, [0]);
      const ok = { groupId: "g", generationId: a.generationId, memberId: a.memberId, groupInstanceId: null };
      for (const v of versions(0, 4)) {
        assert.equal((await heartbeat(b, v, ok)).errorCode, ErrorCode.NONE, `v${v}`);
        assert.equal((await heartbeat(b, v, { ...ok, memberId: "nobody" })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
        assert.equal(
          (await heartbeat(b, v, { ...ok, generationId: a.generationId + 1 })).errorCode,
          ErrorCode.ILLEGAL_GENERATION,
        );
        assert.equal((await heartbeat(b, v, { ...ok, groupId: "" })).errorCode, ErrorCode.INVALID_GROUP_ID);
        assert.equal((await heartbeat(b, v, { ...ok, groupId: "nope" })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
      }
      assert.equal(await stateOf(b, "g"), "Stable");
    });
  });
});

describe("LeaveGroup", () => {
  test("v0–v2: one member id, one error code (the member's)", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      for (const v of versions(0, 2)) {
        const groupId = `leave-v${v}`;
        const a = await stableSingleMember(b, groupId, TOPIC, [0]);
        const unknown = await leave(b, v, { groupId, memberId: "nobody", members: [] });
        assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
        assert.deepEqual(unknown.members, []);
        const res = await leave(b, v, { groupId, memberId: a.memberId, members: [] });
        assert.equal(res.errorCode, ErrorCode.NONE);
        assert.equal(await stateOf(b, groupId), "Empty");
        const noGroup = await leave(b, v, { groupId: "no-such-group", memberId: "m", members: [] });
        assert.equal(noGroup.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
        const empty = await leave(b, v, { groupId: "", memberId: "m", members: [] });
        assert.equal(empty.errorCode, ErrorCode.INVALID_GROUP_ID);
      }
    });
  });

  test("v3–v5: a batch, answered per member; static members leave by instance id", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      for (const v of versions(3, 5)) {
        const groupId = `leave-v${v}`;
        const a = await stableSingleMember(b, groupId, TOPIC, [0], `inst-${v}`);
        const res = await leave(b, v, {
          groupId,
          memberId: "",
          members: [
            { memberId: "", groupInstanceId: `inst-${v}`, reason: "shutting down" },
            { memberId: "nobody", groupInstanceId: null, reason: null },
          ],
        });
        assert.equal(res.errorCode, ErrorCode.NONE);
        assert.deepEqual(res.members.map((m) => [m.memberId, m.groupInstanceId, m.errorCode]), [
          ["", `inst-${v}`, ErrorCode.NONE],
          ["nobody", null, ErrorCode.UNKNOWN_MEMBER_ID],
        ]);
        assert.equal(await stateOf(b, groupId), "Empty");
        assert.ok(a.memberId);
        const noGroup = await leave(b, v, {
          groupId: "no-such-group",
          memberId: "",
          members: [{ memberId: "m", groupInstanceId: null, reason: null }],
        });
        assert.equal(noGroup.errorCode, ErrorCode.NONE);
        assert.deepEqual(noGroup.members.map((m) => m.errorCode), [ErrorCode.UNKNOWN_MEMBER_ID]);
      }
    });
  });
});
