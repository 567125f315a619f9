/**
 * TxnOffsetCommit (28) v0–v4 over the wire of an in-process broker, with the transaction's end played by
 * writing the COMMIT/ABORT marker at the owner of the group's __consumer_offsets partition and calling the
 * group coordinator's onTxnMarker, as the transaction coordinator's marker path does: offsets stay invisible
 * until COMMIT (OffsetFetch v7+ require_stable: UNSTABLE_OFFSET_COMMIT per partition), ABORT drops them,
 * and pending and committed offsets survive restarts. Plus the request checks: unknown topics first in the
 * answer, empty group id, generation/member checks (v3+), metadata size, leader epochs (v2+). These
 * tests play the transaction coordinator themselves (no AddOffsetsToTxn), so they turn its KIP-890
 * verification off (transaction.partition.verification.enable=false); txn_offsets_wire_test.ts runs the whole
 * path with it on.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LocalBroker } from "../_local_broker.ts";
import {
  deleteGroups,
  deleteOffsets,
  fetchOffsets,
  GROUP_OVERRIDES,
  stableSingleMember,
  versions,
  withGroupBroker,
} from "./_groups.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import {
  decodeTxnOffsetCommitResponse,
  defaultTxnOffsetCommitRequest,
  encodeTxnOffsetCommitRequest,
  type TxnOffsetCommitRequest,
  type TxnOffsetCommitResponse,
} from "../../../src/protocol/generated/txn_offset_commit.ts";
import { OFFSETS_TOPIC, offsetsPartitionFor } from "../../../src/cluster/offsets_topic.ts";
import { ownerOf } from "../../../src/replica/partition_owner.ts";

const TOPIC = "txn-offsets";
const NO_VERIFICATION = "transaction.partition.verification.enable=false";

const txnCommit = (b: LocalBroker, v: number, r: Partial<TxnOffsetCommitRequest>, h?: number) =>
  b.call(
    28,
    v,
    { ...defaultTxnOffsetCommitRequest(), ...r },
    encodeTxnOffsetCommitRequest,
    decodeTxnOffsetCommitResponse,
    h,
  );

function request(
  groupId: string,
  producerId: bigint,
  offsets: Array<[string, number, bigint]>,
  extra: Partial<TxnOffsetCommitRequest> = {},
): Partial<TxnOffsetCommitRequest> {
  const topics: TxnOffsetCommitRequest["topics"] = [];
  for (const [name, partitionIndex, committedOffset] of offsets) {
    let topic = topics.find((t) => t.name === name);
    if (!topic) topics.push(topic = { name, partitions: [] });
    topic.partitions.push({ partitionIndex, committedOffset, committedLeaderEpoch: 4, committedMetadata: "txn" });
  }
  return { transactionalId: `tx-${producerId}`, groupId, producerId, producerEpoch: 0, topics, ...extra };
}

const errors = (res: TxnOffsetCommitResponse) =>
  res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode])]);

/** OffsetFetch v7 (or `v`) of partitions 0..n-1: [offset, leader epoch, error] each. */
async function fetched(b: LocalBroker, groupId: string, n: number, requireStable = false, v = 7) {
  const topics = [{ name: TOPIC, partitionIndexes: [...Array(n).keys()] }];
  const res = await fetchOffsets(
    b,
    v,
    v >= 8
      ? { groups: [{ groupId, topics, memberId: null, memberEpoch: -1 }], requireStable }
      : { groupId, topics, requireStable },
  );
  assert.equal(res.errorCode, ErrorCode.NONE);
  const partitions = v >= 8 ? res.groups[0].topics[0].partitions : res.topics[0].partitions;
  return partitions.map((p: { committedOffset: bigint; committedLeaderEpoch: number; errorCode: number }) => [
    p.committedOffset,
    p.committedLeaderEpoch,
    p.errorCode,
  ]);
}

/** The transaction coordinator's part: the marker at the partition's owner, then the group coordinator's hook. */
function endTxn(b: LocalBroker, groupId: string, producerId: bigint, commit: boolean): void {
  const topic = b.states[0].metadata.byName.get(OFFSETS_TOPIC)!;
  const partition = offsetsPartitionFor(groupId, topic.partitions);
  const owner = ownerOf(topic.topicId, partition, b.cores.length);
  const local = b.replicas[owner].localPartition(topic.topicId, partition)!;
  const written = local.writeTxnMarker({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit }, Date.now());
  assert.equal(written.errorCode, ErrorCode.NONE);
  b.cores[owner].coordinator.onTxnMarker(partition, producerId, commit);
}

describe("TxnOffsetCommit", () => {
  test("every version: pending until COMMIT, dropped by ABORT; require_stable answers UNSTABLE_OFFSET_COMMIT", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      for (const v of versions(0, 4)) {
        const groupId = `txn-v${v}`;
        const committed = await txnCommit(b, v, request(groupId, BigInt(500 + v), [[TOPIC, 0, 10n + BigInt(v)]]));
        assert.deepEqual(errors(committed), [[TOPIC, [[0, ErrorCode.NONE]]]], `v${v}`);
        const aborted = await txnCommit(b, v, request(groupId, BigInt(600 + v), [[TOPIC, 1, 99n]]));
        assert.deepEqual(errors(aborted), [[TOPIC, [[1, ErrorCode.NONE]]]], `v${v}`);
        assert.deepEqual(await fetched(b, groupId, 2), [[-1n, -1, 0], [-1n, -1, 0]]);
        const unstable = ErrorCode.UNSTABLE_OFFSET_COMMIT;
        assert.deepEqual(await fetched(b, groupId, 2, true), [[-1n, -1, unstable], [-1n, -1, unstable]]);
        endTxn(b, groupId, BigInt(500 + v), true);
        endTxn(b, groupId, BigInt(600 + v), false);
        // v2+ carry the leader epoch; v0–v1 store none (-1).
        const epoch = v >= 2 ? 4 : -1;
        assert.deepEqual(await fetched(b, groupId, 2, true), [[10n + BigInt(v), epoch, 0], [-1n, -1, 0]]);
      }
    }, { overrides: [NO_VERIFICATION] });
  });

  test("unknown topics are answered first; an empty group id fails only what is left; metadata size", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 2);
      const res = await txnCommit(
        b,
        3,
        request("mixed", 700n, [[TOPIC, 0, 1n], ["missing", 0, 1n], [TOPIC, 9, 1n], [TOPIC, 1, 2n]]),
      );
      // Kafka's response builder: a topic's entry is made where its first refused partition is met.
      assert.deepEqual(errors(res), [
        [TOPIC, [[9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], [0, ErrorCode.NONE], [1, ErrorCode.NONE]]],
        ["missing", [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ]);
      const empty = await txnCommit(b, 3, request("", 701n, [["missing", 0, 1n], [TOPIC, 0, 1n]]));
      assert.deepEqual(errors(empty), [
        ["missing", [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
        [TOPIC, [[0, ErrorCode.INVALID_GROUP_ID]]],
      ]);
      const big = request("big", 702n, [[TOPIC, 0, 1n], [TOPIC, 1, 1n]]);
      big.topics![0].partitions[1].committedMetadata = "x".repeat(5000);
      assert.deepEqual(errors(await txnCommit(b, 4, big)), [
        [TOPIC, [[0, ErrorCode.NONE], [1, ErrorCode.OFFSET_METADATA_TOO_LARGE]]],
      ]);
    }, { overrides: [NO_VERIFICATION] });
  });

  test("v3+ member fields are checked against the group; older versions carry none", async () => {
    await withGroupBroker(async (b) => {
      await b.createTopic(TOPIC, 1);
      // No such group and a generation: ILLEGAL_GENERATION (and no group is created).
      const ghost = await txnCommit(b, 3, request("ghost", 800n, [[TOPIC, 0, 1n]], { generationId: 2, memberId: "m" }));
      assert.deepEqual(errors(ghost), [[TOPIC, [[0, ErrorCode.ILLEGAL_GENERATION]]]]);
      const member = await stableSingleMember(b, "live", TOPIC, [0]);
      const fields = { generationId: member.generationId, memberId: member.memberId };
      const ok = await txnCommit(b, 3, request("live", 801n, [[TOPIC, 0, 5n]], fields));
      assert.deepEqual(errors(ok), [[TOPIC, [[0, ErrorCode.NONE]]]]);
      const stale = { generationId: member.generationId + 1, memberId: member.memberId };
      assert.deepEqual(errors(await txnCommit(b, 4, request("live", 802n, [[TOPIC, 0, 6n]], stale))), [
        [TOPIC, [[0, ErrorCode.ILLEGAL_GENERATION]]],
      ]);
      const unknown = { generationId: member.generationId, memberId: "someone-else" };
      assert.deepEqual(errors(await txnCommit(b, 3, request("live", 803n, [[TOPIC, 0, 6n]], unknown))), [
        [TOPIC, [[0, ErrorCode.UNKNOWN_MEMBER_ID]]],
      ]);
      // v2 has no member fields: accepted while the group has a live member (a plain v1 commit is not).
      assert.deepEqual(errors(await txnCommit(b, 2, request("live", 804n, [[TOPIC, 0, 7n]], stale))), [
        [TOPIC, [[0, ErrorCode.NONE]]],
      ]);
    }, { overrides: [NO_VERIFICATION] });
  });
});

describe("one producer, many commits", () => {
  test("commits twice per transaction, over several transactions and a restart: every batch is written", async () => {
    const overrides = [...GROUP_OVERRIDES, NO_VERIFICATION];
    let b = await LocalBroker.start({ handlers: 2, overrides });
    try {
      await b.createTopic(TOPIC, 2);
      const pid = 4242n;
      let offset = 0n;
      for (let round = 0; round < 3; round++) {
        if (round === 2) {
          await b.stop();
          b = await LocalBroker.start({ handlers: 2, overrides, dir: b.dir });
        }
        for (const p of [0, 1]) {
          offset += 10n;
          const res = await txnCommit(b, 3, request("loop", pid, [[TOPIC, p, offset]]));
          assert.deepEqual(errors(res), [[TOPIC, [[p, ErrorCode.NONE]]]], `round ${round} partition ${p}`);
        }
        endTxn(b, "loop", pid, true);
        assert.deepEqual(await fetched(b, "loop", 2, true), [[offset - 10n, 4, 0], [offset, 4, 0]], `round ${round}`);
      }
      // A new epoch starts its sequence over; the older epoch is then refused by the log, which leaves the new
      // one undisturbed.
      const bumped = await txnCommit(b, 3, request("loop", pid, [[TOPIC, 0, 500n]], { producerEpoch: 1 }));
      assert.deepEqual(errors(bumped), [[TOPIC, [[0, ErrorCode.NONE]]]]);
      const zombie = await txnCommit(b, 3, request("loop", pid, [[TOPIC, 0, 1n]], { producerEpoch: 0 }));
      assert.deepEqual(errors(zombie), [[TOPIC, [[0, ErrorCode.INVALID_PRODUCER_EPOCH]]]]);
      const again = await txnCommit(b, 3, request("loop", pid, [[TOPIC, 1, 501n]], { producerEpoch: 1 }));
      assert.deepEqual(errors(again), [[TOPIC, [[1, ErrorCode.NONE]]]]);
    } finally {
      await b.stop();
      b.remove();
    }
  });
});

describe("transactional offsets across restarts", () => {
  for (const crash of [false, true]) {
    test(`committed, aborted and still pending offsets after a ${crash ? "crash" : "clean"} restart`, async () => {
      const overrides = [...GROUP_OVERRIDES, NO_VERIFICATION];
      let b = await LocalBroker.start({ handlers: 2, overrides });
      try {
        await b.createTopic(TOPIC, 3);
        for (const [p, pid] of [[0, 900n], [1, 901n], [2, 902n]] as const) {
          const res = await txnCommit(b, 4, request("g", pid, [[TOPIC, p, 100n + BigInt(p)]]));
          assert.deepEqual(errors(res), [[TOPIC, [[p, ErrorCode.NONE]]]]);
        }
        endTxn(b, "g", 900n, true);
        endTxn(b, "g", 901n, false);
        await b.stop({ crash });
        b = await LocalBroker.start({ handlers: 2, overrides, dir: b.dir });
        const unstable = ErrorCode.UNSTABLE_OFFSET_COMMIT;
        assert.deepEqual(await fetched(b, "g", 3, true), [[100n, 4, 0], [-1n, -1, 0], [-1n, -1, unstable]]);
        endTxn(b, "g", 902n, true);
        assert.deepEqual(await fetched(b, "g", 3, true), [[100n, 4, 0], [-1n, -1, 0], [102n, 4, 0]]);
        await b.stop();
        b = await LocalBroker.start({ handlers: 2, overrides, dir: b.dir });
        assert.deepEqual(await fetched(b, "g", 3, true, 9), [[100n, 4, 0], [-1n, -1, 0], [102n, 4, 0]]);
      } finally {
        await b.stop();
        b.remove();
      }
    });
  }
});

describe("deletions and pending offsets", () => {
  test("OffsetDelete and DeleteGroups drop pending offsets: a later COMMIT brings nothing back, across a restart", async () => {
    const overrides = [...GROUP_OVERRIDES, NO_VERIFICATION];
    let b = await LocalBroker.start({ handlers: 2, overrides });
    try {
      await b.createTopic(TOPIC, 2);
      // "od": t-0 only pending, t-1 committed and then pending again; OffsetDelete of t-0.
      await txnCommit(b, 3, request("od", 1n, [[TOPIC, 1, 11n]]));
      endTxn(b, "od", 1n, true);
      await txnCommit(b, 3, request("od", 2n, [[TOPIC, 0, 20n], [TOPIC, 1, 21n]]));
      const deleted = await deleteOffsets(b, {
        groupId: "od",
        topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }],
      });
      assert.deepEqual([deleted.errorCode, deleted.topics[0].partitions[0].errorCode], [0, 0]);
      assert.deepEqual(await fetched(b, "od", 2, true), [[-1n, -1, 0], [-1n, -1, ErrorCode.UNSTABLE_OFFSET_COMMIT]]);
      // "dg": only pending offsets; the group is empty, so DeleteGroups removes it with them.
      await txnCommit(b, 3, request("dg", 3n, [[TOPIC, 0, 30n]]));
      const dg = await deleteGroups(b, 2, ["dg"]);
      assert.equal(dg.results[0].errorCode, ErrorCode.NONE);
      endTxn(b, "od", 2n, true);
      endTxn(b, "dg", 3n, true);
      const expected = { od: [[-1n, -1, 0], [21n, 4, 0]], dg: [[-1n, -1, 0], [-1n, -1, 0]] };
      assert.deepEqual(await fetched(b, "od", 2, true), expected.od);
      assert.deepEqual(await fetched(b, "dg", 2, true), expected.dg);
      await b.stop();
      b = await LocalBroker.start({ handlers: 2, overrides, dir: b.dir });
      assert.deepEqual(await fetched(b, "od", 2, true), expected.od);
      assert.deepEqual(await fetched(b, "dg", 2, true), expected.dg);
    } finally {
      await b.stop();
      b.remove();
    }
  });
});

describe("compaction of __consumer_offsets with transactions open", () => {
  test("pending offsets survive rewrites and restarts, aborted ones stay gone, the later commit still wins", async () => {
    const overrides = [
      ...GROUP_OVERRIDES,
      NO_VERIFICATION,
      "offsets.topic.num.partitions=1",
      "offsets.topic.segment.bytes=4096",
    ];
    let b = await LocalBroker.start({ handlers: 2, overrides });
    const plain = async (groupId: string, partition: number, offset: bigint) => {
      const res = await b.states[0].groups.run({
        op: "commitOffsets",
        args: {
          groupId,
          generationIdOrMemberEpoch: -1,
          memberId: "",
          groupInstanceId: null,
          retentionTimeMs: -1,
          apiVersion: 9,
          topics: [{
            name: TOPIC,
            partitions: [{ partition, offset, leaderEpoch: 4, metadata: "txn", commitTimestamp: -1n }],
          }],
        },
      });
      assert.equal(res.topics[0].partitions[0].errorCode, ErrorCode.NONE);
    };
    const txn = async (pid: bigint, partition: number, offset: bigint) =>
      assert.deepEqual(errors(await txnCommit(b, 4, request("g", pid, [[TOPIC, partition, offset]]))), [
        [TOPIC, [[partition, ErrorCode.NONE]]],
      ]);
    try {
      await b.createTopic(TOPIC, 4);
      await txn(1n, 0, 1000n); // pending through every compaction below
      await plain("g", 0, 5n); // written after it: still the committed offset after its COMMIT
      await txn(2n, 1, 2000n);
      endTxn(b, "g", 2n, false);
      for (let i = 0; i < 300; i++) await plain("filler", i % 4, BigInt(i));
      const offsetsTopic = b.states[0].metadata.byName.get(OFFSETS_TOPIC)!;
      const earliest = await b.states[0].partitions.run({
        op: "listOffsets",
        items: [{ topicId: offsetsTopic.topicId, partition: 0, timestamp: -2n }],
      });
      assert.ok(earliest[0].offset > 0n, "compacted");
      await txn(1n, 2, 3000n); // the producer's next batch follows its rewritten one
      b = await restartBroker(b, overrides);
      await txn(1n, 3, 4000n);
      const unstable = ErrorCode.UNSTABLE_OFFSET_COMMIT;
      assert.deepEqual(await fetched(b, "g", 4, true), [[-1n, -1, unstable], [-1n, -1, 0], [-1n, -1, unstable], [
        -1n,
        -1,
        unstable,
      ]]);
      assert.deepEqual((await fetched(b, "g", 1))[0], [5n, 4, 0]);
      endTxn(b, "g", 1n, true);
      const expected = [[5n, 4, 0], [-1n, -1, 0], [3000n, 4, 0], [4000n, 4, 0]];
      assert.deepEqual(await fetched(b, "g", 4, true), expected);
      b = await restartBroker(b, overrides);
      assert.deepEqual(await fetched(b, "g", 4, true), expected);
      assert.deepEqual((await fetched(b, "filler", 4)).map(([o]) => o), [296n, 297n, 298n, 299n]);
    } finally {
      await b.stop();
      b.remove();
    }
  });
});

async function restartBroker(b: LocalBroker, overrides: string[]): Promise<LocalBroker> {
  await b.stop();
  return await LocalBroker.start({ handlers: 2, overrides, dir: b.dir });
}
