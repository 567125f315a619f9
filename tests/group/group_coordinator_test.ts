/**
 * The group coordinator inside a whole in-process broker core (LocalBroker,
 * real logs, 2–3 handlers): placement of groups on the owner of their
 * __consumer_offsets partition, persistence across restarts (offsets,
 * classic group metadata, deletions), compaction of the internal log, and
 * offset expiry. Group ops go through BrokerState.groups, as API handlers
 * call them, from different handlers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalBroker } from "../handler/_local_broker.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { javaStringHash, OFFSETS_TOPIC, offsetsPartitionFor } from "../../src/cluster/offsets_topic.ts";
import type { CommitOffsetsArgs, JoinGroupArgs } from "../../src/group/group_ops.ts";

function commitArgs(
  groupId: string,
  topic: string,
  partition: number,
  offset: bigint,
  extra: Partial<CommitOffsetsArgs> = {},
): CommitOffsetsArgs {
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1,
    apiVersion: 8,
    topics: [{
      name: topic,
      partitions: [{ partition, offset, leaderEpoch: 3, metadata: `m${offset}`, commitTimestamp: -1n }],
    }],
    ...extra,
  };
}

function joinArgs(groupId: string, memberId = ""): JoinGroupArgs {
  return {
    groupId,
    memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: new Uint8Array([0, 1, 2]) }],
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    clientId: "c1",
    clientHost: "/127.0.0.1",
    requireKnownMemberId: false,
    reason: null,
  };
}

async function fetchOne(b: LocalBroker, h: number, groupId: string, topic: string, partition: number) {
  const res = await b.states[h].groups.run({
    op: "fetchOffsets",
    args: { groupId, topics: [{ name: topic, partitions: [partition] }], memberId: null, memberEpoch: -1 },
  });
  assert.equal(res.errorCode, ErrorCode.NONE);
  return res.topics[0].partitions[0];
}

async function restart(b: LocalBroker, handlers: number, overrides: string[]): Promise<LocalBroker> {
  await b.stop();
  return await LocalBroker.start({ handlers, overrides, dir: b.dir });
}

describe("group placement", () => {
  test("Java's String.hashCode, masked non-negative, picks the partition", () => {
    assert.equal(javaStringHash(""), 0);
    assert.equal(javaStringHash("hello"), 99162322);
    // Overflowing hash: "polygenelubricants".hashCode() == Integer.MIN_VALUE in Java.
    assert.equal(javaStringHash("polygenelubricants"), -2147483648);
    assert.equal(offsetsPartitionFor("polygenelubricants", 50), 0);
    assert.equal(offsetsPartitionFor("hello", 50), 99162322 % 50);
  });

  test("the first group request creates __consumer_offsets; every handler reaches the same coordinator", async () => {
    const b = await LocalBroker.start({ handlers: 3, overrides: ["offsets.topic.num.partitions=7"] });
    try {
      assert.equal(b.states[0].metadata.byName.has(OFFSETS_TOPIC), false);
      await b.createTopic("t", 2);
      const res = await b.states[1].groups.run({ op: "commitOffsets", args: commitArgs("g1", "t", 1, 42n) });
      assert.equal(res.topics[0].partitions[0].errorCode, ErrorCode.NONE);
      const topic = b.states[0].metadata.byName.get(OFFSETS_TOPIC)!;
      assert.equal(topic.partitions, 7);
      assert.equal(topic.internal, true);
      for (let h = 0; h < 3; h++) {
        const p = await fetchOne(b, h, "g1", "t", 1);
        assert.equal(p.offset, 42n);
        assert.equal(p.leaderEpoch, 3);
        assert.equal(p.metadata, "m42");
      }
      const listed = await b.states[2].groups.list({ statesFilter: [], typesFilter: [] });
      assert.deepEqual(listed.map((g) => [g.groupId, g.groupState, g.groupType]), [["g1", "Empty", "classic"]]);
    } finally {
      await b.stop();
      b.remove();
    }
  });
});

describe("persistence", () => {
  test("offsets, a Stable classic group and a deletion survive a restart", async () => {
    const overrides = ["offsets.topic.num.partitions=3", "group.initial.rebalance.delay.ms=0"];
    let b = await LocalBroker.start({ handlers: 2, overrides });
    try {
      await b.createTopic("t", 3);
      const join = await b.states[0].groups.run({ op: "join", args: joinArgs("stable") });
      assert.equal(join.errorCode, ErrorCode.NONE);
      assert.equal(join.leader, join.memberId);
      const sync = await b.states[1].groups.run({
        op: "sync",
        args: {
          groupId: "stable",
          generationId: join.generationId,
          memberId: join.memberId,
          groupInstanceId: null,
          protocolType: "consumer",
          protocolName: "range",
          assignments: [{ memberId: join.memberId, assignment: new Uint8Array([9, 9]) }],
        },
      });
      assert.equal(sync.errorCode, ErrorCode.NONE);
      assert.deepEqual([...sync.assignment], [9, 9]);
      const commit = await b.states[1].groups.run({
        op: "commitOffsets",
        args: commitArgs("stable", "t", 2, 7n, {
          generationIdOrMemberEpoch: join.generationId,
          memberId: join.memberId,
        }),
      });
      assert.equal(commit.topics[0].partitions[0].errorCode, ErrorCode.NONE);
      await b.states[0].groups.run({ op: "commitOffsets", args: commitArgs("doomed", "t", 0, 5n) });
      const deleted = await b.states[0].groups.run({ op: "deleteGroup", groupId: "doomed" });
      assert.equal(deleted.errorCode, ErrorCode.NONE);
      const busy = await b.states[0].groups.run({ op: "deleteGroup", groupId: "stable" });
      assert.equal(busy.errorCode, ErrorCode.NON_EMPTY_GROUP);

      b = await restart(b, 2, overrides);
      assert.equal((await fetchOne(b, 0, "stable", "t", 2)).offset, 7n);
      assert.equal((await fetchOne(b, 1, "doomed", "t", 0)).offset, -1n);
      const described = await b.states[1].groups.run({ op: "describe", groupId: "stable" });
      assert.equal(described.groupState, "Stable");
      assert.equal(described.protocolData, "range");
      assert.deepEqual(described.members.map((m) => m.memberId), [join.memberId]);
      assert.deepEqual([...described.members[0].memberAssignment], [9, 9]);
      const gone = await b.states[0].groups.run({ op: "deleteGroup", groupId: "doomed" });
      assert.equal(gone.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
      // The restored member is known: its heartbeat at the restored generation is accepted.
      const hb = await b.states[0].groups.run({
        op: "heartbeat",
        args: { groupId: "stable", generationId: join.generationId, memberId: join.memberId, groupInstanceId: null },
      });
      assert.equal(hb.errorCode, ErrorCode.NONE);
    } finally {
      await b.stop();
      b.remove();
    }
  });

  test("__consumer_offsets is compacted: the log stays bounded and replays to the latest values", async () => {
    const overrides = ["offsets.topic.num.partitions=1", "offsets.topic.segment.bytes=4096"];
    let b = await LocalBroker.start({ handlers: 2, overrides });
    try {
      await b.createTopic("t", 4);
      for (let i = 1; i <= 600; i++) {
        const res = await b.states[i % 2].groups.run({
          op: "commitOffsets",
          args: commitArgs(`g${i % 3}`, "t", i % 4, BigInt(i)),
        });
        assert.equal(res.topics[0].partitions[0].errorCode, ErrorCode.NONE);
      }
      const dir = path.join(b.dir, `${OFFSETS_TOPIC}-0`);
      const logBytes = () =>
        fs.readdirSync(dir).filter((f) => f.endsWith(".log")).reduce(
          (s, f) => s + fs.statSync(path.join(dir, f)).size,
          0,
        );
      // 600 commits of ~100 bytes each would be ~60 KB; compaction keeps it near the segment size.
      assert.ok(logBytes() < 3 * 4096, `log is ${logBytes()} bytes`);
      const offsetsTopic = b.states[0].metadata.byName.get(OFFSETS_TOPIC)!;
      const earliest = await b.states[0].partitions.run({
        op: "listOffsets",
        items: [{ topicId: offsetsTopic.topicId, partition: 0, timestamp: -2n }],
      });
      assert.ok(earliest[0].offset > 0n, "the log start moved past rewritten records");

      b = await restart(b, 2, overrides);
      // The last commit of group g(i%3) to partition i%4 for each pair (i ≤ 600).
      for (let g = 0; g < 3; g++) {
        for (let p = 0; p < 4; p++) {
          let last = -1;
          for (let i = 1; i <= 600; i++) if (i % 3 === g && i % 4 === p) last = i;
          const got = await fetchOne(b, g % 2, `g${g}`, "t", p);
          assert.equal(got.offset, BigInt(last), `g${g} t-${p}`);
        }
      }
    } finally {
      await b.stop();
      b.remove();
    }
  });

  test("an offset committed with a retention time expires, and its empty group goes with it", async () => {
    const overrides = ["offsets.topic.num.partitions=2", "offsets.retention.check.interval.ms=20"];
    const b = await LocalBroker.start({ handlers: 2, overrides });
    try {
      await b.createTopic("t", 1);
      const res = await b.states[0].groups.run({
        op: "commitOffsets",
        args: commitArgs("short", "t", 0, 11n, { apiVersion: 2, retentionTimeMs: 1 }),
      });
      assert.equal(res.topics[0].partitions[0].errorCode, ErrorCode.NONE);
      await b.states[0].groups.run({ op: "commitOffsets", args: commitArgs("long", "t", 0, 12n) });
      const deadline = Date.now() + 10_000;
      while ((await fetchOne(b, 1, "short", "t", 0)).offset !== -1n) {
        assert.ok(Date.now() < deadline, "offset did not expire");
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal((await fetchOne(b, 1, "long", "t", 0)).offset, 12n);
      const listed = await b.states[1].groups.list({ statesFilter: [], typesFilter: [] });
      assert.deepEqual(listed.map((g) => g.groupId), ["long"]);
    } finally {
      await b.stop();
      b.remove();
    }
  });
});
