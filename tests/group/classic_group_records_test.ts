/**
 * The classic rebalance protocol's state machine (src/group/classic_group.ts)
 * against Kafka 3.9's behaviour: offset commit checks, the persisted record and
 * its reload, describe, and shutdown. Time is a manual clock and timers are a
 * table the test fires (_classic_group.ts), so nothing depends on real time.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ClassicGroup } from "../../src/group/classic_group.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  bytes,
  DELAY_MS,
  FakeEnv,
  GROUP,
  joinArgs,
  joinNew,
  REBALANCE_MS,
  SESSION_MS,
  sessionKey,
  stableGroup,
  syncArgs,
  track,
  value,
} from "./_classic_group.ts";

describe("classic group: offsets, records, shutdown", () => {
  test("validateOffsetCommit follows Kafka", async () => {
    const env = new FakeEnv();
    const empty = new ClassicGroup(GROUP, env);
    assert.equal(empty.validateOffsetCommit("", null, -1, 8), ErrorCode.NONE);
    assert.equal(empty.validateOffsetCommit("someone", null, 1, 8), ErrorCode.UNKNOWN_MEMBER_ID);

    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    env.advance(DELAY_MS);
    await value(a.join);
    assert.equal(group.stateName(), "CompletingRebalance");
    assert.equal(group.validateOffsetCommit(a.id, null, 1, 8), ErrorCode.REBALANCE_IN_PROGRESS);
    await group.sync(syncArgs(a.id, 1, { assignments: [{ memberId: a.id, assignment: bytes("x") }] }));
    assert.equal(group.validateOffsetCommit(a.id, null, 1, 8), ErrorCode.NONE);
    assert.equal(group.validateOffsetCommit(a.id, null, 0, 8), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(group.validateOffsetCommit("ghost", null, 1, 8), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      group.validateOffsetCommit("", null, -1, 8),
      ErrorCode.UNKNOWN_MEMBER_ID,
      "only members commit to a live group",
    );
    assert.equal(group.validateOffsetFetch(null, -1), ErrorCode.NONE);
    group.shutdown();
    assert.equal(group.validateOffsetCommit(a.id, null, 1, 8), ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });

  test("toRecord / fromRecord round trip: Stable with session timers, which expire into an empty group", async () => {
    const env = new FakeEnv();
    const { group, ids, leader } = await stableGroup(env, 2);
    const record = group.toRecord();
    assert.equal(record.generation, 1);
    assert.equal(record.leader, leader);
    assert.equal(record.currentStateTimestamp, BigInt(group.stateTimestampMs()));

    const env2 = new FakeEnv();
    const loaded = ClassicGroup.fromRecord(GROUP, record, env2);
    assert.equal(loaded.stateName(), "Stable");
    assert.equal(loaded.generation(), 1);
    assert.equal(loaded.leader(), leader);
    assert.equal(loaded.protocolType(), "consumer");
    assert.equal(loaded.stateTimestampMs(), group.stateTimestampMs());
    assert.deepEqual(loaded.toRecord(), record);
    assert.deepEqual(loaded.describe(), group.describe());
    assert.equal(loaded.isSubscribedTo("t1"), true);
    for (const id of ids) assert.ok(env2.table.has(sessionKey(id)), "session timers run after loading");

    // A member syncing after the restart gets its assignment back.
    const s = await loaded.sync(syncArgs(ids[1], 1));
    assert.deepEqual(s.assignment, bytes(`assign-${ids[1]}`));

    // Nobody comes back: sessions expire, the join phase times out, the group is empty.
    env2.advance(REBALANCE_MS + SESSION_MS);
    assert.equal(loaded.stateName(), "Empty");
    assert.equal(env2.lastClassicValue()!.generation, 2);
  });

  test("fromRecord of an empty group, and of a record without a state timestamp", () => {
    const env = new FakeEnv();
    const g = ClassicGroup.fromRecord(GROUP, {
      protocolType: "consumer",
      generation: 7,
      protocol: null,
      leader: null,
      currentStateTimestamp: -1n,
      members: [],
    }, env);
    assert.equal(g.stateName(), "Empty");
    assert.equal(g.generation(), 7);
    assert.equal(g.stateTimestampMs(), -1);
    assert.equal(g.isSubscribedTo("t1"), false);
    assert.equal(env.table.size, 0);
    const other = ClassicGroup.fromRecord(GROUP, {
      protocolType: "",
      generation: 0,
      protocol: null,
      leader: null,
      currentStateTimestamp: 5n,
      members: [],
    }, env);
    assert.equal(other.protocolType(), "");
    assert.equal(other.isSubscribedTo("t1"), undefined);
  });

  test("isSubscribedTo is undefined for other protocol types and unparsable subscriptions", async () => {
    const env = new FakeEnv();
    const connect = new ClassicGroup(GROUP, env);
    const j = track(
      connect.join(
        joinArgs({
          protocolType: "connect",
          requireKnownMemberId: false,
          protocols: [{ name: "v1", metadata: bytes("x") }],
        }),
      ),
    );
    env.advance(DELAY_MS);
    await value(j);
    assert.equal(connect.isSubscribedTo("t1"), undefined);

    const junk = new ClassicGroup(GROUP, env);
    const k = track(
      junk.join(joinArgs({ requireKnownMemberId: false, protocols: [{ name: "range", metadata: bytes("\u0000") }] })),
    );
    env.advance(DELAY_MS);
    await value(k);
    assert.equal(junk.isSubscribedTo("t1"), undefined);
  });

  test("describe shows metadata and the protocol only while Stable", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group, { clientId: "x" });
    env.advance(DELAY_MS);
    await value(a.join);
    const d = group.describe();
    assert.equal(d.groupState, "CompletingRebalance");
    assert.equal(d.protocolData, "");
    assert.equal(d.members[0].memberMetadata.length, 0);
    assert.equal(d.members[0].clientId, "x");
  });

  test("shutdown fails parked JoinGroup and SyncGroup callers with NOT_COORDINATOR and clears timers", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const follower = leader === a.id ? b.id : a.id;
    const fs = track(group.sync(syncArgs(follower, 1)));
    const c = await joinNew(group); // sends the parked sync back and parks c's join
    assert.equal((await value(fs)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    group.shutdown();
    assert.equal((await value(c.join)).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(group.stateName(), "Dead");
    assert.equal(env.table.size, 0, "no timer left");
    assert.equal(
      group.heartbeat({ groupId: GROUP, generationId: 1, memberId: leader, groupInstanceId: null }),
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    assert.equal((await group.join(joinArgs())).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal((await group.sync(syncArgs(leader, 1))).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal((await group.leave({ groupId: GROUP, members: [] })).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(group.validateOffsetFetch(null, -1), ErrorCode.GROUP_ID_NOT_FOUND);
  });

  test("shutdown while a SyncGroup waits for the leader answers it with NOT_COORDINATOR", async () => {
    const env = new FakeEnv();
    const group = new ClassicGroup(GROUP, env);
    const a = await joinNew(group);
    const b = await joinNew(group);
    env.advance(DELAY_MS * 2);
    const leader = (await value(a.join)).leader;
    await value(b.join);
    const fs = track(group.sync(syncArgs(leader === a.id ? b.id : a.id, 1)));
    group.shutdown();
    assert.equal((await value(fs)).errorCode, ErrorCode.NOT_COORDINATOR);
  });
});
