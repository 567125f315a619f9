/**
 * The classic rebalance protocol's state machine (src/group/classic_group.ts)
 * against Kafka 3.9's behaviour: static membership (KIP-345), and bad input
 * answered with Kafka's errors while the group carries on. Time is a manual clock and timers are a
 * table the test fires (_classic_group.ts), so nothing depends on real time.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ClassicGroup } from "../../src/group/classic_group.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import type { JoinGroupArgs } from "../../src/group/group_ops.ts";
import {
  advanceBeating,
  bytes,
  DELAY_MS,
  FakeEnv,
  flush,
  GROUP,
  joinArgs,
  joinNew,
  REBALANCE_MS,
  stableGroup,
  subscription,
  syncArgs,
  track,
  value,
} from "./_classic_group.ts";

describe("classic group: static membership (KIP-345)", () => {
  async function staticGroup(env: FakeEnv) {
    const group = new ClassicGroup(GROUP, env);
    const j1 = track(group.join(joinArgs({ groupInstanceId: "i1", clientId: "s1" })));
    const j2 = track(group.join(joinArgs({ groupInstanceId: "i2", clientId: "s2" })));
    env.advance(DELAY_MS * 2);
    const [r1, r2] = [await value(j1), await value(j2)];
    assert.equal(r1.errorCode, ErrorCode.NONE, "static members skip MEMBER_ID_REQUIRED");
    assert.ok(r1.memberId.startsWith("i1-"), "static member ids start with the instance id");
    const leader = r1.leader;
    const assignments = [r1, r2].map((r) => ({ memberId: r.memberId, assignment: bytes(`for-${r.memberId}`) }));
    const s1 = track(
      group.sync(syncArgs(leader, 1, { groupInstanceId: leader === r1.memberId ? "i1" : "i2", assignments })),
    );
    const other = leader === r1.memberId ? r2 : r1;
    const s2 = track(group.sync(syncArgs(other.memberId, 1, { groupInstanceId: other === r1 ? "i1" : "i2" })));
    assert.equal((await value(s1)).errorCode, 0);
    assert.equal((await value(s2)).errorCode, 0);
    return { group, m1: r1.memberId, m2: r2.memberId, leader };
  }

  test("a rejoin with a new member id replaces the old one without a rebalance; the old id is fenced", async () => {
    const env = new FakeEnv();
    const { group, m1, leader } = await staticGroup(env);
    const before = env.written.length;
    const r = await group.join(joinArgs({ groupInstanceId: "i1", clientId: "s1" }));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.notEqual(r.memberId, m1);
    assert.equal(r.generationId, 1, "no rebalance");
    assert.equal(r.leader, leader, "the leader as it was");
    assert.deepEqual(r.members, []);
    assert.equal(group.stateName(), "Stable");
    assert.equal(env.written.length, before + 1, "the new member id is persisted");
    assert.ok(env.lastClassicValue()!.members.some((m) => m.memberId === r.memberId && m.groupInstanceId === "i1"));

    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: m1, groupInstanceId: "i1" }),
      ErrorCode.FENCED_INSTANCE_ID,
    );
    assert.equal(
      (await group.sync(syncArgs(m1, 1, { groupInstanceId: "i1" }))).errorCode,
      ErrorCode.FENCED_INSTANCE_ID,
    );
    assert.equal(group.validateOffsetCommit(m1, "i1", 1, 8), ErrorCode.FENCED_INSTANCE_ID);
    const s = await group.sync(syncArgs(r.memberId, 1, { groupInstanceId: "i1" }));
    assert.equal(s.errorCode, ErrorCode.NONE);
    assert.deepEqual(s.assignment, bytes(`for-${m1}`), "the new id keeps the old one's assignment");
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: r.memberId, groupInstanceId: "i1" }), 0);
    assert.equal(group.validateOffsetCommit(r.memberId, "i1", 1, 8), ErrorCode.NONE);
    if (leader === m1) assert.equal(group.leader(), r.memberId, "the replaced leader's role moves to the new id");
  });

  test("when persisting the replacement fails, the old member id stays", async () => {
    const env = new FakeEnv();
    const { group, m1 } = await staticGroup(env);
    env.persistCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const r = await group.join(joinArgs({ groupInstanceId: "i1", clientId: "s1" }));
    assert.equal(r.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(r.memberId, "");
    assert.ok(group.memberIds().includes(m1));
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: m1, groupInstanceId: "i1" }), 0);
  });

  test("a parked old member id is fenced when its instance rejoins during a rebalance", async () => {
    const env = new FakeEnv();
    const { group, m1, m2 } = await staticGroup(env);
    const old = track(
      group.join(
        joinArgs({
          memberId: m1,
          groupInstanceId: "i1",
          protocols: [{ name: "range", metadata: subscription(["t2"]) }],
        }),
      ),
    );
    assert.equal(group.stateName(), "PreparingRebalance");
    const fresh = track(group.join(joinArgs({ groupInstanceId: "i1", clientId: "s1" })));
    const ro = await value(old);
    assert.equal(ro.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const j2 = track(group.join(joinArgs({ memberId: m2, groupInstanceId: "i2" })));
    const [rf, r2] = [await value(fresh), await value(j2)];
    assert.equal(rf.generationId, 2);
    assert.equal(r2.generationId, 2);
    assert.ok(rf.memberId.startsWith("i1-") && rf.memberId !== m1);
  });

  test("a static member that does not rejoin keeps its place at the end of the join phase", async () => {
    const env = new FakeEnv();
    const { group, m1, m2 } = await staticGroup(env);
    const j1 = track(
      group.join(
        joinArgs({
          memberId: m1,
          groupInstanceId: "i1",
          protocols: [{ name: "range", metadata: subscription(["t2"]) }],
        }),
      ),
    );
    // m2 stays alive but does not rejoin: a dynamic member would be dropped here.
    advanceBeating(env, group, REBALANCE_MS, [{ id: m2, instance: "i2" }]);
    const r1 = await value(j1);
    assert.equal(r1.generationId, 2);
    assert.deepEqual(new Set(group.memberIds()), new Set([m1, m2]));
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 2, memberId: m2, groupInstanceId: "i2" }),
      ErrorCode.NONE,
    );
  });

  test("LeaveGroup by instance id removes the static member; a wrong member id for an instance is fenced", async () => {
    const env = new FakeEnv();
    const { group, m1, m2 } = await staticGroup(env);
    const r = await group.leave({
      groupId: GROUP,
      members: [
        { memberId: "", groupInstanceId: "i2", reason: "admin" },
        { memberId: "someone-else", groupInstanceId: "i1", reason: null },
        { memberId: "", groupInstanceId: "i9", reason: null },
      ],
    });
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.deepEqual(r.members.map((m) => m.errorCode), [
      ErrorCode.NONE,
      ErrorCode.FENCED_INSTANCE_ID,
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    assert.deepEqual(r.members.map((m) => m.groupInstanceId), ["i2", "i1", "i9"]);
    assert.deepEqual(group.memberIds(), [m1]);
    assert.ok(!group.memberIds().includes(m2));
    assert.equal(group.stateName(), "PreparingRebalance");
  });
});

describe("classic group: bad input gets Kafka's errors and the group carries on", () => {
  test("heartbeat from an unknown member, stale generation, wrong instance id", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 2);
    const hb = (memberId: string, generationId: number, groupInstanceId: string | null = null) =>
      group.heartbeat({ groupId: GROUP, generationId, memberId, groupInstanceId });
    assert.equal(hb("ghost", 1), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(hb(ids[1], 0), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(hb(ids[1], 2), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(hb(ids[1], 1, "not-static"), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(hb(ids[1], 1), ErrorCode.NONE);
    assert.equal(group.stateName(), "Stable");
  });

  test("SyncGroup: stale generation, unknown member, v5 protocol type or name mismatch", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 2);
    assert.equal((await group.sync(syncArgs(ids[1], 0))).errorCode, ErrorCode.ILLEGAL_GENERATION);
    assert.equal((await group.sync(syncArgs("ghost", 1))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      (await group.sync(syncArgs(ids[1], 1, { protocolType: "connect" }))).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    assert.equal(
      (await group.sync(syncArgs(ids[1], 1, { protocolName: "roundrobin" }))).errorCode,
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    const ok = await group.sync(syncArgs(ids[1], 1, { protocolType: "consumer", protocolName: "range" }));
    assert.equal(ok.errorCode, ErrorCode.NONE);
    assert.deepEqual(ok.assignment, bytes(`assign-${ids[1]}`));
    assert.equal(group.stateName(), "Stable");
  });

  test("a SyncGroup from a non-leader carrying assignments is ignored; the leader's assignment wins", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    const bogus = [{ memberId: follower, assignment: bytes("mine-all-mine") }, {
      memberId: leader,
      assignment: bytes("nothing"),
    }];
    const fs = track(group.sync(syncArgs(follower, 1, { assignments: bogus })));
    await flush();
    assert.ok(!fs.done, "the follower waits for the leader");
    assert.equal(env.written.length, 0, "nothing persisted from a follower");
    assert.equal(group.stateName(), "CompletingRebalance");
    const real = [{ memberId: follower, assignment: bytes("f") }, { memberId: leader, assignment: bytes("l") }];
    const ls = await group.sync(syncArgs(leader, 1, { assignments: real }));
    assert.deepEqual(ls.assignment, bytes("l"));
    assert.deepEqual((await value(fs)).assignment, bytes("f"));
    assert.equal(group.stateName(), "Stable");
    // In Stable, a follower's assignments are ignored too.
    const again = await group.sync(syncArgs(follower, 1, { assignments: bogus }));
    assert.deepEqual(again.assignment, bytes("f"));
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: follower, groupInstanceId: null }), 0);
  });

  test("a member the leader leaves out gets an empty assignment", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    const fs = track(group.sync(syncArgs(follower, 1)));
    await group.sync(syncArgs(leader, 1, { assignments: [{ memberId: leader, assignment: bytes("l") }] }));
    const r = await value(fs);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.assignment.length, 0);
  });

  test("JoinGroup: unsupported protocol type, no common protocol, empty type or protocols, bad session timeout, unknown member", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 2);
    const expectJoin = async (over: Partial<JoinGroupArgs>, code: number) => {
      const r = await group.join(joinArgs(over));
      assert.equal(r.errorCode, code, JSON.stringify(over, (_k, v) => v instanceof Uint8Array ? "bytes" : v));
      return r;
    };
    await expectJoin({ protocolType: "connect" }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    await expectJoin(
      { protocols: [{ name: "roundrobin", metadata: bytes("") }] },
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
    await expectJoin({ memberId: ids[1], protocolType: "connect" }, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    await expectJoin({ sessionTimeoutMs: 5_999 }, ErrorCode.INVALID_SESSION_TIMEOUT);
    await expectJoin({ sessionTimeoutMs: 1_800_001 }, ErrorCode.INVALID_SESSION_TIMEOUT);
    await expectJoin({ memberId: "ghost" }, ErrorCode.UNKNOWN_MEMBER_ID);
    await expectJoin({ memberId: ids[1], groupInstanceId: "nope" }, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(group.stateName(), "Stable");
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: ids[0], groupInstanceId: null }), 0);

    const empty = new ClassicGroup("g2", env);
    for (const over of [{ protocolType: "" }, { protocols: [] }]) {
      const r = await empty.join(joinArgs({ ...over, groupId: "g2" }));
      assert.equal(r.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    assert.equal(empty.stateName(), "Empty");
  });

  test("a failed assignment write answers every SyncGroup with the error and rebalances", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    env.persistCode = ErrorCode.NOT_COORDINATOR;
    const fs = track(group.sync(syncArgs(follower, 1)));
    const ls = await group.sync(syncArgs(leader, 1, { assignments: [{ memberId: leader, assignment: bytes("l") }] }));
    assert.equal(ls.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal((await value(fs)).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(group.stateName(), "PreparingRebalance");
    env.persistCode = ErrorCode.NONE;
    const ja = track(group.join(joinArgs({ memberId: a.id })));
    const jb = track(group.join(joinArgs({ memberId: b.id })));
    assert.equal((await value(ja)).generationId, 2);
    assert.equal((await value(jb)).generationId, 2);
  });

  test("a join during CompletingRebalance sends parked SyncGroups back with REBALANCE_IN_PROGRESS", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    const fs = track(group.sync(syncArgs(follower, 1)));
    const c = await joinNew(group);
    assert.equal((await value(fs)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    assert.equal(group.stateName(), "PreparingRebalance");
    const rejoins = [a.id, b.id].map((id) => track(group.join(joinArgs({ memberId: id }))));
    assert.equal((await value(c.join)).generationId, 2);
    for (const j of rejoins) assert.equal((await value(j)).generationId, 2);
  });
});
