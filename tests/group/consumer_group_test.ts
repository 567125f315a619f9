/**
 * KIP-848 consumer groups: ConsumerGroupHeartbeat joins, reconciliation
 * (revoke before assign), leaves, session and rebalance timeouts, static
 * membership, topic changes, errors and the epoch writes — against a fake
 * GroupEnv (manual clock, timers fired by the test, persist recording).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConsumerGroup } from "../../src/group/consumer_group.ts";
import type { ConsumerHeartbeatArgs } from "../../src/group/group_ops.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import {
  assertNoDoubleOwnership,
  beatArgs,
  Client,
  count,
  FakeEnv,
  HEARTBEAT_MS,
  joinArgs,
  ok,
  REBALANCE_MS,
  SESSION_MS,
  setup,
} from "./_consumer_group.ts";

describe("ConsumerGroup: joining and reconciliation", () => {
  test("one member joins and gets every partition", async () => {
    const { env, t, group } = setup(4);
    assert.equal(group.stateName(), "Empty");
    const r = ok(await group.heartbeat(joinArgs()));
    assert.ok(r.memberId && r.memberId.length > 0, "the coordinator generates the member id");
    assert.equal(r.memberEpoch, 1);
    assert.equal(r.heartbeatIntervalMs, HEARTBEAT_MS);
    assert.deepEqual(r.assignment, [{ topicId: t.topicId, partitions: [0, 1, 2, 3] }]);
    assert.deepEqual(env.epochsWritten(), [1]);
    assert.equal(group.stateName(), "Stable");
    assert.equal(group.protocolType(), "consumer");
    assert.ok(group.isSubscribedTo("t"));
    assert.ok(!group.isSubscribedTo("other"));

    const again = ok(await group.heartbeat(beatArgs(r.memberId!, 1, r.assignment)));
    assert.equal(again.memberEpoch, 1);
    assert.equal(again.assignment, null, "unchanged assignment is not sent again");
    assert.deepEqual(env.epochsWritten(), [1], "nothing written when the epoch does not move");
  });

  test("a second member: the first revokes half, the second gets them only once released", async () => {
    const { env, group } = setup(4);
    const a = new Client(group);
    await a.join();
    const b = new Client(group);
    const rb = await b.join();
    assert.equal(rb.memberEpoch, 2);
    assert.equal(count(rb.assignment), 0, "a still owns everything: nothing to give yet");
    assert.equal(group.stateName(), "Reconciling");
    assert.deepEqual(env.epochsWritten(), [1, 2]);

    // a learns it must give up two partitions; it keeps its epoch until it acknowledges.
    const ra = await a.beat();
    assert.equal(ra.memberEpoch, 1);
    assert.equal(count(ra.assignment), 2);
    assert.equal(count(a.owned), 2);
    assertNoDoubleOwnership(group);
    const stillNothing = await b.beat();
    assert.equal(stillNothing.assignment, null);

    // a acknowledges (its heartbeat lists only what it kept): it moves to epoch 2.
    const acked = await a.beat();
    assert.equal(acked.memberEpoch, 2);
    const rb2 = await b.beat();
    assert.equal(count(rb2.assignment), 2);
    assertNoDoubleOwnership(group);
    assert.equal(group.stateName(), "Stable");
    const all = [...a.owned, ...b.owned].flatMap((tp) => tp.partitions).sort();
    assert.deepEqual(all, [0, 1, 2, 3]);
  });

  test("a member that never reports its owned partitions is not assumed to have revoked", async () => {
    const { group } = setup(2);
    const a = new Client(group);
    await a.join();
    const b = new Client(group);
    await b.join();
    await a.beat(); // asked to revoke
    const r = ok(await group.heartbeat(beatArgs(a.memberId, a.epoch, null)));
    assert.equal(r.memberEpoch, 1, "owned partitions unknown: still waiting");
    assert.equal(count((await b.beat()).assignment), 0);
  });

  test("a member leaves: the rest take its partitions", async () => {
    const { env, group } = setup(4);
    const a = new Client(group);
    const b = new Client(group);
    await a.join();
    await b.join();
    for (let i = 0; i < 3; i++) (await a.beat(), await b.beat());
    assert.equal(group.stateName(), "Stable");

    const left = ok(await group.heartbeat(beatArgs(b.memberId, -1, null)));
    assert.equal(left.memberEpoch, -1);
    assert.equal(left.memberId, b.memberId);
    assert.equal(group.stateName(), "Assigning");
    assert.equal(env.epochsWritten().at(-1), 3);

    const r = await a.beat();
    assert.equal(r.memberEpoch, 3);
    assert.equal(count(a.owned), 4);
    assert.equal(group.stateName(), "Stable");
  });

  test("the last member leaving empties the group", async () => {
    const { env, group } = setup(2);
    const a = new Client(group);
    await a.join();
    env.clock += 10;
    ok(await group.heartbeat(beatArgs(a.memberId, -1, null)));
    assert.equal(group.stateName(), "Empty");
    assert.ok(group.isEmpty());
    assert.equal(group.stateTimestampMs(), env.clock);
    assert.ok(!group.isSubscribedTo("t"));
  });

  test("new partitions: the group epoch moves and the members share them", async () => {
    const { env, t, group } = setup(2);
    const a = new Client(group);
    const b = new Client(group);
    await a.join();
    await b.join();
    for (let i = 0; i < 3; i++) (await a.beat(), await b.beat());
    const epoch = group.describe().groupEpoch;

    env.topicTable.set("t", { ...t, partitions: 6 });
    group.onTopicsChanged();
    await group.settled();
    assert.equal(group.describe().groupEpoch, epoch + 1);
    assert.equal(env.epochsWritten().at(-1), epoch + 1);
    assert.equal(group.stateName(), "Assigning");

    for (let i = 0; i < 2; i++) (await a.beat(), await b.beat());
    assert.equal(count(a.owned), 3);
    assert.equal(count(b.owned), 3);
    assert.equal(group.stateName(), "Stable");
  });

  test("a topic change seen only by a heartbeat (or whose epoch write failed) still rebalances", async () => {
    const { env, t, group } = setup(2);
    const a = new Client(group);
    await a.join();
    env.topicTable.set("t", { ...t, partitions: 3 });
    env.failNextPersist = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    group.onTopicsChanged();
    await group.settled();
    assert.equal(group.describe().groupEpoch, 1, "the failed write is rolled back");
    const r = await a.beat();
    assert.equal(r.memberEpoch, 2);
    assert.equal(count(a.owned), 3);
    assert.deepEqual(env.epochsWritten(), [1, 2]);
  });

  test("a subscribed topic created later gets assigned; unrelated topic changes bump nothing", async () => {
    const env = new FakeEnv();
    const group = new ConsumerGroup("g", env);
    const a = new Client(group, { subscribedTopicNames: ["later"] });
    const r = await a.join();
    assert.equal(count(r.assignment), 0);
    env.topic("unrelated", 3);
    group.onTopicsChanged();
    await group.settled();
    assert.equal(group.describe().groupEpoch, 1);
    const later = env.topic("later", 2);
    group.onTopicsChanged();
    await group.settled();
    const r2 = await a.beat();
    assert.deepEqual(r2.assignment, [{ topicId: later.topicId, partitions: [0, 1] }]);
    assert.equal(r2.memberEpoch, 2);
  });

  test("changing the subscription bumps the epoch and reassigns", async () => {
    const { env, group } = setup(2);
    const u = env.topic("u", 2);
    const a = new Client(group);
    await a.join();
    const r = ok(await group.heartbeat(beatArgs(a.memberId, a.epoch, a.owned, { subscribedTopicNames: ["u"] })));
    assert.equal(r.memberEpoch, 1, "must first revoke t");
    assert.equal(count(r.assignment), 0);
    const r2 = ok(await group.heartbeat(beatArgs(a.memberId, 1, [])));
    assert.equal(r2.memberEpoch, 2);
    assert.deepEqual(r2.assignment, [{ topicId: u.topicId, partitions: [0, 1] }]);
  });
});

describe("ConsumerGroup: timeouts", () => {
  test("a silent member is removed after the session timeout", async () => {
    const { env, group } = setup(4);
    const a = new Client(group);
    const b = new Client(group);
    await a.join();
    await b.join();
    for (let i = 0; i < 3; i++) (await a.beat(), await b.beat());
    // a keeps heartbeating, b goes silent.
    for (let elapsed = 0; elapsed < SESSION_MS + HEARTBEAT_MS; elapsed += HEARTBEAT_MS) {
      env.advance(HEARTBEAT_MS);
      await group.settled();
      await a.beat();
    }
    assert.equal(group.describe().members.length, 1);
    assert.equal(count(a.owned), 4);
    const r = await group.heartbeat(beatArgs(b.memberId, b.epoch, b.owned));
    assert.equal(r.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test("a member that does not revoke within its rebalance timeout is fenced", async () => {
    const { env, group } = setup(2);
    const a = new Client(group);
    await a.join();
    const stubborn = [...a.owned];
    const b = new Client(group);
    await b.join();
    // a heartbeats but keeps reporting both partitions.
    for (let elapsed = 0; elapsed <= REBALANCE_MS; elapsed += HEARTBEAT_MS) {
      const r = await group.heartbeat(beatArgs(a.memberId, 1, stubborn));
      if (r.errorCode !== ErrorCode.NONE) break;
      env.advance(HEARTBEAT_MS);
      await group.settled();
      await b.beat();
    }
    assert.deepEqual(group.describe().members.map((m) => m.memberId), [b.memberId]);
    await b.beat();
    assert.equal(count(b.owned), 2);
    const fenced = await group.heartbeat(beatArgs(a.memberId, 1, stubborn));
    assert.equal(fenced.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe("ConsumerGroup: epochs and errors", () => {
  test("a bigger or stale epoch is fenced; the previous epoch with owned ⊆ assigned is accepted", async () => {
    const { group } = setup(4);
    const a = new Client(group);
    await a.join();
    const b = new Client(group);
    await b.join();
    await a.beat(); // revoke
    await a.beat(); // ack → epoch 2, previous 1
    assert.equal(a.epoch, 2);

    const ahead = await group.heartbeat(beatArgs(a.memberId, 3, a.owned));
    assert.equal(ahead.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    assert.ok(ahead.errorMessage);
    assert.equal(ahead.memberId, null);

    const lostResponse = ok(await group.heartbeat(beatArgs(a.memberId, 1, a.owned)));
    assert.equal(lostResponse.memberEpoch, 2);

    const allFour = [{ topicId: a.owned[0].topicId, partitions: [0, 1, 2, 3] }];
    const stale = await group.heartbeat(beatArgs(a.memberId, 1, allFour));
    assert.equal(stale.errorCode, ErrorCode.FENCED_MEMBER_EPOCH, "previous epoch but owns partitions it lost");
    const older = await group.heartbeat(beatArgs(b.memberId, 1, []));
    assert.equal(older.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  });

  test("unknown members", async () => {
    const { group } = setup(2);
    await new Client(group).join();
    const r = await group.heartbeat(beatArgs("nobody", 1, []));
    assert.equal(r.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.ok(r.errorMessage);
    const leave = await group.heartbeat(beatArgs("nobody", -1, null));
    assert.equal(leave.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(group.describe().members.length, 1);
  });

  test("invalid requests get INVALID_REQUEST with Kafka's message", async () => {
    const { group } = setup(2);
    const cases: Array<[Partial<ConsumerHeartbeatArgs>, string]> = [
      [
        { subscribedTopicNames: null },
        "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.",
      ],
      [{ apiVersion: 1, memberId: "" }, "MemberId can't be empty."],
      [{ rebalanceTimeoutMs: -1 }, "RebalanceTimeoutMs must be provided in first request."],
      [{ topicPartitions: [{ topicId: "x", partitions: [0] }] }, "TopicPartitions must be empty when (re-)joining."],
      [{ topicPartitions: null }, "TopicPartitions must be empty when (re-)joining."],
      [{ memberEpoch: 5, memberId: "" }, "MemberId can't be empty."],
      [{ memberEpoch: -2, memberId: "m" }, "InstanceId can't be null."],
      [{ memberEpoch: -3 }, "MemberEpoch is invalid."],
      [{ groupId: " " }, "GroupId can't be empty."],
      [{ instanceId: "" }, "InstanceId can't be empty."],
      [{ rackId: "" }, "RackId can't be empty."],
    ];
    for (const [over, message] of cases) {
      const r = await group.heartbeat(joinArgs(over));
      assert.equal(r.errorCode, ErrorCode.INVALID_REQUEST, message);
      assert.equal(r.errorMessage, message);
    }
    assert.ok(group.isEmpty());
  });

  test("unsupported assignor; a requested assignor is used", async () => {
    const { env, t, group } = setup(4);
    const bad = await group.heartbeat(joinArgs({ serverAssignor: "sticky" }));
    assert.equal(bad.errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
    assert.match(bad.errorMessage!, /sticky/);
    assert.ok(group.isEmpty());

    env.topicTable.set("t", { ...t, partitions: 3 });
    const a = ok(await group.heartbeat(joinArgs({ serverAssignor: "range", memberId: "a" })));
    const b = ok(await group.heartbeat(joinArgs({ serverAssignor: "range", memberId: "b" })));
    assert.equal(group.describe().assignorName, "range");
    // range: "a" sorts first and gets the contiguous [0, 1]; "b" waits for 2.
    assert.equal(count(a.assignment), 3);
    assert.equal(count(b.assignment), 0);
    const ra = ok(await group.heartbeat(beatArgs("a", 1, a.assignment)));
    assert.deepEqual(ra.assignment, [{ topicId: t.topicId, partitions: [0, 1] }]);
  });

  test("group.consumer.max.size", async () => {
    const { env, group } = setup(2);
    env.config.consumerMaxSize = 1;
    const a = new Client(group);
    await a.join();
    const r = await group.heartbeat(joinArgs());
    assert.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    await a.beat();
  });

  test("a failed epoch write answers its error and leaves the group as it was", async () => {
    const { env, group } = setup(2);
    env.failNextPersist = ErrorCode.NOT_COORDINATOR;
    const r = await group.heartbeat(joinArgs());
    assert.equal(r.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.ok(group.isEmpty());
    assert.equal(group.describe().groupEpoch, 0);
    const a = new Client(group);
    const r2 = await a.join();
    assert.equal(r2.memberEpoch, 1);
    assert.deepEqual(env.epochsWritten(), [1]);
  });

  test("after a restart the epoch is kept and members must rejoin", async () => {
    const env = new FakeEnv();
    env.topic("t", 2);
    const group = ConsumerGroup.fromRecord("g", { epoch: 7 }, env);
    assert.equal(group.stateName(), "Empty");
    assert.equal(group.describe().groupEpoch, 7);
    const r = await group.heartbeat(beatArgs("old-member", 6, []));
    assert.equal(r.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const a = new Client(group);
    assert.equal((await a.join()).memberEpoch, 8);
    assert.deepEqual(env.epochsWritten(), [8]);
  });

  test("shutdown: Dead, timers cancelled, NOT_COORDINATOR", async () => {
    const { env, group } = setup(2);
    await new Client(group).join();
    assert.ok(env.timerTable.size > 0);
    group.shutdown();
    assert.equal(group.stateName(), "Dead");
    assert.equal(env.timerTable.size, 0);
    assert.equal((await group.heartbeat(joinArgs())).errorCode, ErrorCode.NOT_COORDINATOR);
  });
});

describe("ConsumerGroup: static membership", () => {
  test("epoch -2 keeps the partitions; the instance rejoins with a new member id and gets them back", async () => {
    const { env, group } = setup(4);
    const s = new Client(group, { instanceId: "i1" });
    const d = new Client(group);
    await s.join();
    await d.join();
    for (let i = 0; i < 3; i++) (await s.beat(), await d.beat());
    const sOwned = s.owned;
    const epoch = group.describe().groupEpoch;
    const writes = env.written.length;

    const away = ok(await group.heartbeat(beatArgs(s.memberId, -2, null, { instanceId: "i1" })));
    assert.equal(away.memberEpoch, -2);
    assert.equal(group.describe().groupEpoch, epoch, "a temporary leave does not rebalance");
    await d.beat();
    assert.equal(count(d.owned), 2, "nobody takes the static member's partitions");

    const stale = await group.heartbeat(beatArgs(s.memberId, s.epoch, sOwned, { instanceId: "i1" }));
    assert.equal(stale.errorCode, ErrorCode.FENCED_MEMBER_EPOCH, "away: only a rejoin (epoch 0) brings it back");

    const back = ok(await group.heartbeat(joinArgs({ instanceId: "i1" })));
    assert.notEqual(back.memberId, s.memberId);
    assert.equal(back.memberEpoch, epoch);
    assert.deepEqual(back.assignment, sOwned);
    const ids = group.describe().members.map((m) => m.memberId).sort();
    assert.deepEqual(ids, [back.memberId, d.memberId].sort());
    assert.equal(group.describe().groupEpoch, epoch, "same subscription: no rebalance");
    assert.equal(env.written.length, writes, "nothing to write");
    assert.equal(group.stateName(), "Stable");
  });

  test("UNRELEASED_INSTANCE_ID while the instance is in use; FENCED_INSTANCE_ID for another member id", async () => {
    const { group } = setup(2);
    const s = new Client(group, { instanceId: "i1" });
    await s.join();
    const dup = await group.heartbeat(joinArgs({ instanceId: "i1" }));
    assert.equal(dup.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);
    const wrong = await group.heartbeat(beatArgs("someone-else", s.epoch, [], { instanceId: "i1" }));
    assert.equal(wrong.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const unknown = await group.heartbeat(beatArgs(s.memberId, s.epoch, [], { instanceId: "i9" }));
    assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    await s.beat();
  });

  test("a static member away for longer than the session timeout is removed", async () => {
    const { env, group } = setup(2);
    const s = new Client(group, { instanceId: "i1" });
    const d = new Client(group);
    await s.join();
    await d.join();
    for (let i = 0; i < 3; i++) (await s.beat(), await d.beat());
    ok(await group.heartbeat(beatArgs(s.memberId, -2, null, { instanceId: "i1" })));
    for (let elapsed = 0; elapsed <= SESSION_MS; elapsed += HEARTBEAT_MS) {
      env.advance(HEARTBEAT_MS);
      await group.settled();
      await d.beat();
    }
    await d.beat();
    assert.equal(group.describe().members.length, 1);
    assert.equal(count(d.owned), 2);
  });

  test("a static member leaving with -1 is removed at once", async () => {
    const { group } = setup(2);
    const s = new Client(group, { instanceId: "i1" });
    await s.join();
    const r = ok(await group.heartbeat(beatArgs(s.memberId, -1, null, { instanceId: "i1" })));
    assert.equal(r.memberEpoch, -1);
    assert.ok(group.isEmpty());
    const again = ok(await group.heartbeat(joinArgs({ instanceId: "i1" })));
    assert.equal(count(again.assignment), 2);
  });
});

describe("ConsumerGroup: describe and offsets", () => {
  test("describe shows members, assignments and target assignments with topic names", async () => {
    const { t, group } = setup(2);
    const a = new Client(group, { clientId: "app", instanceId: "i1", rackId: "r1" });
    await a.join();
    const b = new Client(group);
    await b.join();
    const d = group.describe();
    assert.equal(d.errorCode, ErrorCode.NONE);
    assert.equal(d.groupId, "g");
    assert.equal(d.groupState, "Reconciling");
    assert.equal(d.groupEpoch, 2);
    assert.equal(d.assignmentEpoch, 2);
    assert.equal(d.assignorName, "uniform");
    const ma = d.members.find((m) => m.memberId === a.memberId)!;
    assert.equal(ma.clientId, "app");
    assert.equal(ma.instanceId, "i1");
    assert.equal(ma.rackId, "r1");
    assert.equal(ma.memberEpoch, 1);
    assert.deepEqual(ma.subscribedTopicNames, ["t"]);
    assert.deepEqual(ma.assignment, [{ topicId: t.topicId, topicName: "t", partitions: [0, 1] }]);
    assert.equal(ma.targetAssignment[0].partitions.length, 1);
    const mb = d.members.find((m) => m.memberId === b.memberId)!;
    assert.deepEqual(mb.assignment, []);
    assert.equal(mb.targetAssignment[0].topicName, "t");
  });

  test("validateOffsetCommit: Kafka's checks for KIP-848 groups", async () => {
    const { group } = setup(2);
    assert.equal(group.validateOffsetCommit("", null, -1, 2), ErrorCode.NONE, "simple commit to an empty group");
    const a = new Client(group);
    await a.join();
    assert.equal(group.validateOffsetCommit("", null, -1, 9), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(group.validateOffsetCommit("nobody", null, 1, 9), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(group.validateOffsetCommit(a.memberId, null, a.epoch, 9), ErrorCode.NONE);
    assert.equal(group.validateOffsetCommit(a.memberId, null, a.epoch - 1, 9), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(group.validateOffsetCommit(a.memberId, null, a.epoch, 8), ErrorCode.UNSUPPORTED_VERSION);
  });

  test("validateOffsetFetch", async () => {
    const { group } = setup(2);
    const a = new Client(group);
    await a.join();
    assert.equal(group.validateOffsetFetch(null, -1), ErrorCode.NONE);
    assert.equal(group.validateOffsetFetch(a.memberId, a.epoch), ErrorCode.NONE);
    assert.equal(group.validateOffsetFetch(a.memberId, a.epoch + 1), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(group.validateOffsetFetch("nobody", 1), ErrorCode.UNKNOWN_MEMBER_ID);
  });
});
