/**
 * The classic rebalance protocol's state machine (src/group/classic_group.ts)
 * against Kafka 3.9's behaviour: join/sync rounds, rebalances on leave, session expiry and
 * timeouts, the initial delay and group.max.size. Time is a manual clock and timers are a
 * table the test fires (_classic_group.ts), so nothing depends on real time.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ClassicGroup, NEW_MEMBER_JOIN_TIMEOUT_MS } from "../../src/group/classic_group.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
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
  SESSION_MS,
  sessionKey,
  stableGroup,
  subscription,
  syncArgs,
  track,
  UUID_RE,
  value,
} from "./_classic_group.ts";

describe("classic group: a join/sync round", () => {
  test("three members: MEMBER_ID_REQUIRED, one generation, leader gets the members, assignment persisted before anyone gets it", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    assert.equal(group.stateName(), "Empty");

    const first = await group.join(joinArgs({ clientId: "alpha" }));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.ok(first.memberId.startsWith("alpha-"));
    assert.match(first.memberId.slice("alpha-".length), UUID_RE);
    assert.equal(group.stateName(), "Empty", "a pending member does not start a rebalance");

    const a = track(group.join(joinArgs({ clientId: "alpha", memberId: first.memberId })));
    assert.equal(group.stateName(), "PreparingRebalance");
    const b = await joinNew(group, { clientId: "beta" });
    const c = await joinNew(group, { clientId: "gamma" });
    await flush();
    assert.ok(!a.done && !b.join.done && !c.join.done, "all parked during the initial delay");

    env.advance(DELAY_MS); // new members arrived: the delay is extended once
    await flush();
    assert.ok(!a.done);
    env.advance(DELAY_MS);
    const results = [await value(a), await value(b.join), await value(c.join)];
    assert.equal(group.stateName(), "CompletingRebalance");
    for (const r of results) {
      assert.equal(r.errorCode, ErrorCode.NONE);
      assert.equal(r.generationId, 1);
      assert.equal(r.protocolType, "consumer");
      assert.equal(r.protocolName, "range");
      assert.equal(r.leader, first.memberId);
    }
    assert.deepEqual(results.map((r) => r.members.length), [3, 0, 0]);
    assert.deepEqual(new Set(results[0].members.map((m) => m.memberId)), new Set([first.memberId, b.id, c.id]));
    assert.deepEqual(results[0].members[0].metadata, subscription(["t1"]));

    // Heartbeats are fine while waiting for the assignment.
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: b.id, groupInstanceId: null }), 0);

    env.hold = true;
    const sb = track(group.sync(syncArgs(b.id, 1)));
    const sc = track(group.sync(syncArgs(c.id, 1)));
    const assignments = [first.memberId, b.id, c.id].map((id) => ({ memberId: id, assignment: bytes(`for-${id}`) }));
    const sa = track(group.sync(syncArgs(first.memberId, 1, { assignments })));
    await flush();
    assert.ok(!sa.done && !sb.done && !sc.done, "nobody gets an assignment before it is written");
    const value1 = env.lastClassicValue()!;
    assert.equal(value1.generation, 1);
    assert.equal(value1.protocol, "range");
    assert.equal(value1.leader, first.memberId);
    assert.deepEqual(
      new Map(value1.members.map((m) => [m.memberId, new TextDecoder().decode(m.assignment)])),
      new Map([first.memberId, b.id, c.id].map((id) => [id, `for-${id}`])),
    );
    assert.equal(group.stateName(), "CompletingRebalance");

    env.release();
    for (const [t, id] of [[sa, first.memberId], [sb, b.id], [sc, c.id]] as const) {
      const r = await value(t);
      assert.equal(r.errorCode, ErrorCode.NONE);
      assert.equal(r.protocolType, "consumer");
      assert.equal(r.protocolName, "range");
      assert.deepEqual(r.assignment, bytes(`for-${id}`));
    }
    assert.equal(group.stateName(), "Stable");
    assert.equal(group.heartbeat({ groupId: GROUP, generationId: 1, memberId: c.id, groupInstanceId: null }), 0);

    const d = group.describe();
    assert.equal(d.groupState, "Stable");
    assert.equal(d.protocolType, "consumer");
    assert.equal(d.protocolData, "range");
    assert.equal(d.members.length, 3);
    const described = d.members.find((m) => m.memberId === b.id)!;
    assert.equal(described.clientId, "beta");
    assert.equal(described.clientHost, "/127.0.0.1");
    assert.deepEqual(described.memberMetadata, subscription(["t1"]));
    assert.deepEqual(described.memberAssignment, bytes(`for-${b.id}`));

    assert.equal(group.isSubscribedTo("t1"), true);
    assert.equal(group.isSubscribedTo("t2"), false);
    for (const key of env.table.keys()) assert.ok(key.startsWith(`${GROUP}\u0000`), `timer key ${key} is per group`);
  });

  test("the protocol is chosen by vote among those every member offers", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const p = (...names: string[]) => names.map((name) => ({ name, metadata: subscription(["t1"]) }));
    const a = await joinNew(group, { protocols: p("range", "roundrobin", "sticky") });
    const b = await joinNew(group, { protocols: p("roundrobin", "range") });
    const c = await joinNew(group, { protocols: p("sticky", "roundrobin", "range") });
    env.advance(DELAY_MS * 2);
    for (const t of [a.join, b.join, c.join]) assert.equal((await value(t)).protocolName, "roundrobin");
  });

  test("JoinGroup v0–v3 (no requireKnownMemberId) adds the member at once", async () => {
    const env = new FakeEnv({ initialRebalanceDelayMs: 0 });
    const group = new ClassicGroup(GROUP, env);
    const j = track(group.join(joinArgs({ requireKnownMemberId: false })));
    env.advance(0);
    const r = await value(j);
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.leader, r.memberId);
    assert.equal(r.generationId, 1);
  });

  test("a follower rejoining a Stable group unchanged gets the current generation; the leader rejoining rebalances", async () => {
    const env = new FakeEnv();
    const { group, ids, leader } = await stableGroup(env, 2);
    const follower = ids[1];
    const r = await group.join(joinArgs({ memberId: follower }));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.generationId, 1);
    assert.equal(r.leader, leader);
    assert.deepEqual(r.members, []);
    assert.equal(group.stateName(), "Stable");

    const lj = track(group.join(joinArgs({ memberId: leader })));
    assert.equal(group.stateName(), "PreparingRebalance");
    const fj = track(group.join(joinArgs({ memberId: follower })));
    const [lr, fr] = [await value(lj), await value(fj)];
    assert.equal(lr.generationId, 2);
    assert.equal(fr.generationId, 2);
    assert.equal(lr.members.length, 2);
    assert.equal(group.stateName(), "CompletingRebalance");
  });

  test("a member changing its metadata in a Stable group starts a rebalance", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 2);
    const j = track(
      group.join(joinArgs({ memberId: ids[1], protocols: [{ name: "range", metadata: subscription(["t1", "t2"]) }] })),
    );
    assert.equal(group.stateName(), "PreparingRebalance");
    await flush();
    assert.ok(!j.done);
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: ids[0], groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    const lj = track(group.join(joinArgs({ memberId: ids[0] })));
    assert.equal((await value(j)).generationId, 2);
    assert.equal((await value(lj)).generationId, 2);
  });
});

describe("classic group: leaving, session expiry, timeouts", () => {
  test("a member leaving rebalances the others; the last one leaving empties the group and persists it", async () => {
    const env = new FakeEnv();
    const { group, ids, leader } = await stableGroup(env, 3);
    const [, b, c] = ids;

    const left = await group.leave({
      groupId: GROUP,
      members: [{ memberId: c, groupInstanceId: null, reason: "bye" }, {
        memberId: "nobody",
        groupInstanceId: null,
        reason: null,
      }],
    });
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.deepEqual(left.members.map((m) => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    assert.equal(group.stateName(), "PreparingRebalance");
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: c, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: b, groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    assert.equal((await group.sync(syncArgs(b, 1))).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);

    const ja = track(group.join(joinArgs({ memberId: leader })));
    const jb = track(group.join(joinArgs({ memberId: b })));
    const [ra, rb] = [await value(ja), await value(jb)];
    assert.equal(ra.generationId, 2, "all remaining members rejoined: no need to wait for the timeout");
    assert.equal(ra.members.length, 2);
    assert.equal(rb.leader, leader);

    const before = env.written.length;
    const stamp = group.stateTimestampMs();
    env.clock += 1234;
    const l2 = await group.leave({
      groupId: GROUP,
      members: [{ memberId: leader, groupInstanceId: null, reason: null }, {
        memberId: b,
        groupInstanceId: null,
        reason: null,
      }],
    });
    assert.deepEqual(l2.members.map((m) => m.errorCode), [0, 0]);
    assert.equal(group.stateName(), "Empty");
    assert.ok(group.isEmpty());
    assert.equal(group.stateTimestampMs(), stamp + 1234);
    assert.equal(env.written.length, before + 1);
    const empty = env.lastClassicValue()!;
    assert.equal(empty.generation, 3, "becoming Empty is a generation of its own");
    assert.deepEqual(empty.members, []);
    assert.equal(empty.leader, null);
    assert.equal(empty.protocol, null);
    assert.equal(empty.protocolType, "consumer");
    assert.equal(group.protocolType(), "consumer");
    assert.equal(group.isSubscribedTo("t1"), false);
    assert.equal(group.validateOffsetCommit("", null, -1, 8), ErrorCode.NONE);
  });

  test("a LeaveGroup that empties the group answers with the write's error when it fails", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 1);
    env.persistCode = ErrorCode.NOT_COORDINATOR;
    const r = await group.leave({
      groupId: GROUP,
      members: [{ memberId: ids[0], groupInstanceId: null, reason: null }],
    });
    assert.equal(r.errorCode, ErrorCode.NOT_COORDINATOR);
  });

  test("session expiry removes the member and rebalances; heartbeats keep members alive", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 3);
    const [a, b, c] = ids;
    advanceBeating(env, group, SESSION_MS - 1, [{ id: a }, { id: b }]);
    assert.equal(group.stateName(), "Stable");
    env.advance(1);
    assert.equal(group.stateName(), "PreparingRebalance", "c stopped heartbeating");
    assert.deepEqual(new Set(group.memberIds()), new Set([a, b]));
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: c, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: a, groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    const ja = track(group.join(joinArgs({ memberId: a })));
    const jb = track(group.join(joinArgs({ memberId: b })));
    assert.equal((await value(ja)).generationId, 2);
    assert.equal((await value(jb)).generationId, 2);
  });

  test("members that do not rejoin within the rebalance timeout are removed; the others complete", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 3);
    const [a, b, c] = ids;
    const ja = track(group.join(joinArgs({ memberId: a })));
    // b and c stay alive (heartbeats say REBALANCE_IN_PROGRESS); only b rejoins, late.
    const codes = advanceBeating(env, group, REBALANCE_MS - 1, [{ id: b }, { id: c }]);
    assert.deepEqual(codes, [ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.REBALANCE_IN_PROGRESS]);
    const jb = track(group.join(joinArgs({ memberId: b })));
    await flush();
    assert.ok(!ja.done && !jb.done, "c has not rejoined");
    env.advance(1);
    const ra = await value(ja);
    assert.equal(ra.generationId, 2);
    assert.deepEqual(new Set(ra.members.map((m) => m.memberId)), new Set([a, b]));
    assert.equal((await value(jb)).errorCode, ErrorCode.NONE);
    assert.ok(!group.memberIds().includes(c));
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: c, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  test("members that never send SyncGroup within the rebalance timeout are removed and the group rebalances", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const ra = await value(a.join);
    await value(b.join);
    const leader = ra.leader;
    const follower = leader === a.id ? b.id : a.id;
    const s = track(group.sync(syncArgs(leader, 1, { assignments: [{ memberId: leader, assignment: bytes("x") }] })));
    assert.equal((await value(s)).errorCode, ErrorCode.NONE);
    assert.equal(group.stateName(), "Stable");
    // The follower heartbeats (so its session holds) but never syncs.
    advanceBeating(env, group, REBALANCE_MS - 1, [{ id: leader }, { id: follower }]);
    assert.equal(group.stateName(), "Stable");
    env.advance(1);
    assert.equal(group.stateName(), "PreparingRebalance");
    assert.deepEqual(group.memberIds(), [leader]);
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: follower, groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: leader, groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
  });

  test("a pending member (MEMBER_ID_REQUIRED) that never joins is forgotten after its session timeout", async () => {
    const env = new FakeEnv();
    const { group, ids } = await stableGroup(env, 1);
    const pending = await group.join(joinArgs());
    assert.equal(pending.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    // The leader rejoins: the pending id blocks completion until it expires.
    const j = track(group.join(joinArgs({ memberId: ids[0] })));
    await flush();
    assert.ok(!j.done);
    env.fire(sessionKey(pending.memberId));
    const r = await value(j);
    assert.equal(r.generationId, 2);
    assert.equal(r.members.length, 1);
    const late = await group.join(joinArgs({ memberId: pending.memberId }));
    assert.equal(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test("a new member whose JoinGroup stays parked past the new-member timeout is dropped with UNKNOWN_MEMBER_ID", async () => {
    const env = new FakeEnv();
    const long = NEW_MEMBER_JOIN_TIMEOUT_MS * 2; // a rebalance timeout longer than the new-member timeout
    const { group, ids } = await stableGroup(env, 1, { rebalanceTimeoutMs: long });
    const n = await joinNew(group, { rebalanceTimeoutMs: long });
    assert.equal(group.stateName(), "PreparingRebalance");
    // The leader stays alive but does not rejoin yet.
    advanceBeating(env, group, NEW_MEMBER_JOIN_TIMEOUT_MS, [{ id: ids[0] }]);
    const r = await value(n.join);
    assert.equal(r.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(r.memberId, "");
    assert.deepEqual(group.memberIds(), [ids[0]]);
    const lj = track(group.join(joinArgs({ memberId: ids[0], rebalanceTimeoutMs: long })));
    const lr = await value(lj);
    assert.equal(lr.generationId, 2);
    assert.deepEqual(lr.members.map((m) => m.memberId), [ids[0]]);
  });

  test("group.initial.rebalance.delay.ms: extended by new joins, never beyond the rebalance timeout", async () => {
    const env = new FakeEnv({ initialRebalanceDelayMs: 3000 });
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group, { rebalanceTimeoutMs: 5000 });
    env.advance(1000);
    const b = await joinNew(group, { rebalanceTimeoutMs: 5000 });
    env.advance(3000); // t=4000: the delay was extended at t=3000 by what remains (2000)
    const c = await joinNew(group, { rebalanceTimeoutMs: 5000 });
    env.advance(999);
    await flush();
    assert.ok(!a.join.done && !b.join.done && !c.join.done, "still in the initial delay at t=4999");
    env.advance(1);
    const r = await value(a.join);
    assert.equal(r.generationId, 1);
    assert.equal((await value(c.join)).errorCode, ErrorCode.NONE);
    assert.equal(group.memberIds().length, 3);
  });

  test("group.initial.rebalance.delay.ms: a lone member completes after exactly the delay", async () => {
    const env = new FakeEnv({ initialRebalanceDelayMs: 3000 });
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    env.advance(2999);
    await flush();
    assert.ok(!a.join.done);
    env.advance(1);
    assert.equal((await value(a.join)).generationId, 1);
  });

  test("group.max.size turns away members beyond the limit", async () => {
    const env = new FakeEnv({ maxSize: 2 });
    const { group } = await stableGroup(env, 2);
    const r = await group.join(joinArgs());
    assert.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(r.memberId, "");
    assert.equal(group.stateName(), "Stable");
  });
});
