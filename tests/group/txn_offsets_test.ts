/**
 * Transactional offset commits as Kafka's OffsetMetadataManager keeps them: pending per producer until a
 * COMMIT (materialized unless a later record set the partition) or ABORT (dropped); invisible to
 * OffsetFetch, UNSTABLE_OFFSET_COMMIT per partition with require_stable; tombstones (OffsetDelete,
 * DeleteGroups, expiry) and pending offsets; the TxnOffsetCommit member checks; and one __consumer_offsets
 * partition over an in-memory log: replay of transactional batches and markers, a marker that arrives while
 * its producer's commit is being written, and compaction that keeps pending offsets and their order.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OffsetStore } from "../../src/group/offset_store.ts";
import { decodeGroupLog, encodeGroupRecordsBatch, type TxnProducer } from "../../src/group/offset_records.ts";
import { validateTxnOffsetCommit } from "../../src/group/txn_offsets.ts";
import { ClassicGroup } from "../../src/group/classic_group.ts";
import { type OffsetsLogAccess, OffsetsPartition } from "../../src/group/offsets_partition.ts";
import { TimerTable } from "../../src/group/group_timers.ts";
import type { GroupConfig, GroupEnv, GroupRecord, OffsetCommitValue } from "../../src/group/types.ts";
import type { PartitionLog } from "../../src/log/partition_log.ts";
import { buildMarkerBatch } from "../../src/log/control_record.ts";
import { readBatchHeader } from "../../src/log/record_batch.ts";
import type { ProduceOutcome } from "../../src/replica/partition_ops.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { Logger } from "../../src/util/logger.ts";

const T0 = 1_700_000_000_000;
const RETENTION = 7 * 24 * 3600 * 1000;

const config: GroupConfig = {
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1800000,
  initialRebalanceDelayMs: 0,
  maxSize: 1000,
  offsetsRetentionMs: RETENTION,
  offsetMetadataMaxBytes: 4096,
  consumerSessionTimeoutMs: 45000,
  consumerHeartbeatIntervalMs: 5000,
  consumerMaxSize: 1000,
  consumerAssignors: ["uniform", "range"],
};

type OffsetRecord = Extract<GroupRecord, { kind: "offset" }>;

const value = (offset: bigint, commitTimestamp = BigInt(T0)): OffsetCommitValue => ({
  offset,
  leaderEpoch: 1,
  metadata: `m${offset}`,
  commitTimestamp,
  expireTimestamp: -1n,
});

const rec = (groupId: string, topic: string, partition: number, offset: bigint | null): OffsetRecord => ({
  kind: "offset",
  groupId,
  topic,
  partition,
  value: offset === null ? null : value(offset),
});

const P1: TxnProducer = { producerId: 1001n, producerEpoch: 0 };
const P2: TxnProducer = { producerId: 1002n, producerEpoch: 3 };

function fetchOne(store: OffsetStore, groupId: string, topic: string, partition: number, requireStable = false) {
  return store.fetch(groupId, [{ name: topic, partitions: [partition] }], requireStable)[0].partitions[0];
}

describe("pending offsets in the store", () => {
  test("a pending offset is invisible until COMMIT; ABORT drops it", () => {
    const store = new OffsetStore(config);
    store.apply(rec("g", "t", 0, 5n), 10n);
    store.apply(rec("g", "t", 0, 50n), 11n, P1);
    store.apply(rec("g", "t", 1, 60n), 11n, P2);
    assert.equal(fetchOne(store, "g", "t", 0).offset, 5n);
    assert.equal(fetchOne(store, "g", "t", 1).offset, -1n);
    assert.equal(store.endTxn(P1.producerId, true), 1);
    assert.equal(fetchOne(store, "g", "t", 0).offset, 50n);
    assert.equal(fetchOne(store, "g", "t", 0).metadata, "m50");
    assert.equal(store.endTxn(P2.producerId, false), 0);
    assert.equal(fetchOne(store, "g", "t", 1).offset, -1n);
    assert.equal(store.pending.size, 0);
    assert.equal(store.hasOffsetsOrTransactions("g"), true);
    // A marker of a producer with nothing pending here changes nothing.
    assert.equal(store.endTxn(77n, true), 0);
  });

  test("the later record in the log wins when plain and transactional commits mix", () => {
    const store = new OffsetStore(config);
    store.apply(rec("g", "t", 0, 50n), 20n, P1); // transactional, written first
    store.apply(rec("g", "t", 0, 70n), 21n); // plain commit written after it
    store.apply(rec("g", "t", 1, 10n), 5n); // plain commit written before the transactional one
    store.apply(rec("g", "t", 1, 80n), 22n, P1);
    store.endTxn(P1.producerId, true);
    assert.equal(fetchOne(store, "g", "t", 0).offset, 70n);
    assert.equal(fetchOne(store, "g", "t", 1).offset, 80n);
  });

  test("require_stable: UNSTABLE_OFFSET_COMMIT only on partitions with a pending offset", () => {
    const store = new OffsetStore(config);
    store.apply(rec("g", "t", 0, 5n), 1n);
    store.apply(rec("g", "t", 1, 6n), 2n);
    store.apply(rec("g", "t", 0, 50n), 3n, P1);
    store.apply(rec("g", "u", 0, 9n), 4n, P1);
    const stable = store.fetch("g", [{ name: "t", partitions: [0, 1] }, { name: "u", partitions: [0] }], true);
    assert.deepEqual(stable.map((t) => t.partitions.map((p) => [p.partition, p.offset, p.errorCode])), [
      [[0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT], [1, 6n, ErrorCode.NONE]],
      [[0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT]],
    ]);
    // Without it the committed offsets show and the pending ones do not.
    const plain = store.fetch("g", [{ name: "t", partitions: [0] }, { name: "u", partitions: [0] }]);
    assert.deepEqual(plain.map((t) => [t.partitions[0].offset, t.partitions[0].errorCode]), [[5n, 0], [-1n, 0]]);
    // All offsets: only partitions with a committed offset are listed (u-0 has only a pending one).
    const all = store.fetch("g", null, true);
    assert.deepEqual(all.map((t) => [t.name, t.partitions.map((p) => [p.partition, p.errorCode])]), [
      ["t", [[0, ErrorCode.UNSTABLE_OFFSET_COMMIT], [1, ErrorCode.NONE]]],
    ]);
    // Another group's pending offsets do not make this one unstable.
    assert.equal(fetchOne(store, "h", "t", 0, true).errorCode, ErrorCode.NONE);
  });

  test("a tombstone removes the partition's pending offsets: a later COMMIT brings nothing back", () => {
    const store = new OffsetStore(config);
    store.apply(rec("g", "t", 0, 50n), 1n, P1);
    store.apply(rec("g", "t", 1, 51n), 1n, P1);
    store.apply(rec("g", "t", 0, null), 2n);
    assert.equal(store.pending.has("g", "t", 0), false);
    assert.equal(store.pending.has("g", "t", 1), true);
    store.endTxn(P1.producerId, true);
    assert.equal(fetchOne(store, "g", "t", 0).offset, -1n);
    assert.equal(fetchOne(store, "g", "t", 1).offset, 51n);
  });

  test("OffsetDelete and DeleteGroups write tombstones for pending offsets too", () => {
    const store = new OffsetStore(config);
    store.apply(rec("g", "t", 0, 5n), 1n);
    store.apply(rec("g", "t", 0, 50n), 2n, P1);
    store.apply(rec("g", "t", 1, 51n), 2n, P1);
    store.apply(rec("g", "t", 2, 52n), 3n, P2);
    const del = store.prepareDelete("g", [{ name: "t", partitions: [1, 3] }], () => false);
    assert.deepEqual(del.records, [rec("g", "t", 1, null)]);
    // One tombstone per partition: t-0 has a committed and a pending offset.
    const group = store.deleteGroupRecords("g");
    assert.deepEqual(group, [rec("g", "t", 0, null), rec("g", "t", 1, null), rec("g", "t", 2, null)]);
    for (const r of group) store.apply(r as OffsetRecord, 4n);
    store.endTxn(P1.producerId, true);
    store.endTxn(P2.producerId, true);
    assert.deepEqual(store.fetch("g", null), []);
  });

  test("expiry keeps an offset while its partition has a pending one, and the group while it has a transaction", () => {
    const store = new OffsetStore(config);
    store.apply(rec("g", "t", 0, 5n), 1n);
    store.apply(rec("g", "t", 1, 6n), 2n);
    store.apply(rec("g", "t", 0, 50n), 3n, P1);
    const info = {
      exists: true,
      empty: true,
      stateTimestampMs: -1,
      usesConsumerProtocol: false,
      isSubscribed: () => false,
    };
    const expired = store.expiredRecords(T0 + RETENTION, () => info);
    assert.deepEqual(expired, [rec("g", "t", 1, null)]);
    for (const r of expired) store.apply(r as OffsetRecord, 4n);
    store.apply(rec("g", "t", 0, null), 5n);
    assert.equal(store.hasOffsets("g"), false);
    // The transaction is still open (its marker will come): the group is not removable yet.
    assert.equal(store.hasOffsetsOrTransactions("g"), true);
    store.endTxn(P1.producerId, false);
    assert.equal(store.hasOffsetsOrTransactions("g"), false);
  });

  test("liveEntries lists committed and pending offsets in log order with their producer", () => {
    const store = new OffsetStore(config);
    store.apply(rec("g", "t", 0, 5n), 30n);
    store.apply(rec("g", "t", 0, 50n), 10n, P1);
    store.apply(rec("g", "t", 1, 6n), 20n, P2);
    assert.deepEqual(
      store.liveEntries().map((e) => [e.recordOffset, e.record.partition, e.txn?.producerId ?? null]),
      [[10n, 0, P1.producerId], [20n, 1, P2.producerId], [30n, 0, null]],
    );
  });
});

describe("TxnOffsetCommit member checks", () => {
  const env: GroupEnv = {
    now: () => T0,
    timers: new TimerTable(),
    config,
    topics: { byName: () => undefined, byId: () => undefined, names: () => [] },
    log: new Logger("test"),
    persist: () => Promise.resolve(ErrorCode.NONE),
  };

  test("no member fields: accepted in any live classic state, unlike a plain OffsetCommit", () => {
    for (const state of ["Empty", "PreparingRebalance", "CompletingRebalance", "Stable"] as const) {
      const group = new ClassicGroup("g", env, state);
      assert.equal(validateTxnOffsetCommit(group, "", null, -1), ErrorCode.NONE, state);
    }
    assert.equal(
      new ClassicGroup("g", env, "Stable").validateOffsetCommit("", null, -1, 8),
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      validateTxnOffsetCommit(new ClassicGroup("g", env, "Dead"), "", null, -1),
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
  });

  test("member fields (v3+, KIP-447) are checked: an unknown member is UNKNOWN_MEMBER_ID", () => {
    const group = new ClassicGroup("g", env, "Stable");
    assert.equal(validateTxnOffsetCommit(group, "m-1", null, 3), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(validateTxnOffsetCommit(group, "", "instance-1", -1), ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

/** An in-memory __consumer_offsets partition: appends get offsets, reads return whole batches. */
class FakeOffsetsLog implements OffsetsLogAccess {
  batches: Uint8Array[] = [];
  logStart = 0n;
  next = 0n;
  transactionalAppends = 0;
  /** Appends parked until released (a write awaiting durability). */
  hold: Array<() => void> | null = null;

  append(_t: string, _p: number, batch: Uint8Array, opts?: { transactional?: boolean }): Promise<ProduceOutcome> {
    const copy = batch.slice();
    new DataView(copy.buffer).setBigInt64(0, this.next);
    const baseOffset = this.next;
    this.next += BigInt(readBatchHeader(copy).lastOffsetDelta) + 1n;
    this.batches.push(copy);
    if (opts?.transactional) this.transactionalAppends++;
    const outcome: ProduceOutcome = {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      baseOffset,
      logAppendTimeMs: -1n,
      logStartOffset: this.logStart,
      recordErrors: [],
    };
    if (this.hold) return new Promise((resolve) => this.hold!.push(() => resolve(outcome)));
    return Promise.resolve(outcome);
  }

  marker(producerId: bigint, commit: boolean): void {
    const batch = buildMarkerBatch({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit, timestamp: 0n });
    new DataView(batch.buffer).setBigInt64(0, this.next++);
    this.batches.push(batch);
  }

  read(_t: string, _p: number, offset: bigint) {
    const parts = this.batches.filter((b) => readBatchHeader(b).baseOffset >= offset);
    const records = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
    parts.reduce((pos, b) => (records.set(b, pos), pos + b.length), 0);
    return Promise.resolve({
      errorCode: ErrorCode.NONE,
      highWatermark: this.next,
      lastStableOffset: this.next,
      logStartOffset: this.logStart,
      records,
    });
  }

  earliest() {
    return Promise.resolve({ errorCode: ErrorCode.NONE, offset: this.logStart, timestamp: -1n, leaderEpoch: 0 });
  }

  deleteBefore(_t: string, _p: number, offset: bigint): Promise<number> {
    this.batches = this.batches.filter((b) => readBatchHeader(b).baseOffset >= offset);
    this.logStart = offset;
    return Promise.resolve(ErrorCode.NONE);
  }

  log(): PartitionLog {
    const size = () => this.batches.reduce((n, b) => n + b.length, 0);
    const end = () => this.next;
    // Only what compaction reads of a PartitionLog.
    return {
      get sizeInBytes() {
        return size();
      },
      get logEndOffset() {
        return end();
      },
      rollIfNotEmpty() {},
    } as unknown as PartitionLog;
  }
}

function partitionOn(logs: FakeOffsetsLog, segmentBytes = 1 << 30): OffsetsPartition {
  return new OffsetsPartition({
    topicId: "offsets-id",
    partition: 0,
    config,
    segmentBytes,
    logs,
    topics: { byName: () => undefined, byId: () => undefined, names: () => [] },
    log: new Logger("test"),
    now: () => T0,
  });
}

describe("a __consumer_offsets partition with transactions", () => {
  test("decodeGroupLog gives records with their offsets and producer, and markers", () => {
    const plain = encodeGroupRecordsBatch([rec("g", "t", 0, 1n)], T0);
    const txn = encodeGroupRecordsBatch([rec("g", "t", 0, 2n), rec("g", "t", 1, 3n)], T0, P2);
    const header = readBatchHeader(txn);
    assert.equal(header.isTransactional, true);
    assert.equal(header.producerId, P2.producerId);
    assert.equal(header.producerEpoch, P2.producerEpoch);
    assert.equal(header.baseSequence, -1);
    const logs = new FakeOffsetsLog();
    logs.append("", 0, plain);
    logs.append("", 0, txn);
    logs.marker(P2.producerId, true);
    const all = new Uint8Array(logs.batches.reduce((n, b) => n + b.length, 0));
    logs.batches.reduce((pos, b) => (all.set(b, pos), pos + b.length), 0);
    const { entries, skipped } = decodeGroupLog(all);
    assert.equal(skipped, 0);
    assert.deepEqual(
      entries.map((e) => e.type === "marker" ? ["marker", e.offset, e.producerId, e.commit] : [e.offset, e.txn]),
      [[0n, null], [1n, P2], [2n, P2], ["marker", 3n, P2.producerId, true]],
    );
  });

  test("persist with a producer writes one transactional batch; the marker commits it; replay agrees", async () => {
    const logs = new FakeOffsetsLog();
    const state = partitionOn(logs);
    await state.load();
    assert.equal(await state.persist([rec("g", "t", 0, 7n)]), ErrorCode.NONE);
    assert.equal(await state.persist([rec("g", "t", 0, 40n), rec("g", "t", 1, 41n)], P1), ErrorCode.NONE);
    assert.equal(await state.persist([rec("g", "t", 2, 42n)], P2), ErrorCode.NONE);
    assert.equal(logs.transactionalAppends, 2);
    assert.equal(fetchOne(state.offsets, "g", "t", 0).offset, 7n);
    logs.marker(P1.producerId, true);
    state.onTxnMarker(P1.producerId, true);
    assert.equal(fetchOne(state.offsets, "g", "t", 0).offset, 40n);
    assert.equal(fetchOne(state.offsets, "g", "t", 1).offset, 41n);
    // P2 stays pending, across a reload too.
    const reloaded = partitionOn(logs);
    await reloaded.load();
    assert.equal(fetchOne(reloaded.offsets, "g", "t", 0).offset, 40n);
    assert.equal(fetchOne(reloaded.offsets, "g", "t", 2).offset, -1n);
    assert.equal(fetchOne(reloaded.offsets, "g", "t", 2, true).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
    assert.ok(reloaded.groups.has("g"));
    logs.marker(P2.producerId, false);
    reloaded.onTxnMarker(P2.producerId, false);
    assert.equal(fetchOne(reloaded.offsets, "g", "t", 2, true).errorCode, ErrorCode.NONE);
    assert.equal(fetchOne(reloaded.offsets, "g", "t", 2).offset, -1n);
    const again = partitionOn(logs);
    await again.load();
    assert.equal(fetchOne(again.offsets, "g", "t", 2, true).offset, -1n);
    assert.equal(again.offsets.pending.size, 0);
  });

  test("a marker that comes while its producer's commit is being written applies after it", async () => {
    const logs = new FakeOffsetsLog();
    const state = partitionOn(logs);
    await state.load();
    logs.hold = [];
    const writing = state.persist([rec("g", "t", 0, 9n)], P1);
    logs.marker(P1.producerId, true);
    state.onTxnMarker(P1.producerId, true);
    assert.equal(fetchOne(state.offsets, "g", "t", 0).offset, -1n);
    for (const release of logs.hold) release();
    logs.hold = null;
    assert.equal(await writing, ErrorCode.NONE);
    assert.equal(fetchOne(state.offsets, "g", "t", 0).offset, 9n);
    assert.equal(state.offsets.pending.size, 0);
  });

  test("compaction keeps pending offsets (as their producer's batches) and which commit came later", async () => {
    const logs = new FakeOffsetsLog();
    const state = partitionOn(logs, 1);
    await state.load();
    // Commits of one partition, plain and transactional, in a known log order; then enough overwritten plain
    // commits that the log is worth compacting.
    logs.hold = [];
    const writes: Promise<number>[] = [];
    writes.push(state.persist([rec("g", "t", 0, 1n)]));
    writes.push(state.persist([rec("g", "t", 0, 50n)], P1)); // pending, before the plain commit below
    writes.push(state.persist([rec("g", "t", 0, 60n)])); // plain, after it: still wins at P1's COMMIT
    writes.push(state.persist([rec("g", "t", 4, 3n)]));
    writes.push(state.persist([rec("g", "t", 4, 95n)], P1)); // pending, after the plain one: wins at COMMIT
    writes.push(state.persist([rec("g", "t", 1, 2n)]));
    writes.push(state.persist([rec("g", "t", 1, 70n), rec("g", "t", 2, 80n)], P2)); // aborted later
    for (let i = 0; i < 20; i++) writes.push(state.persist([rec("h", "t", 0, BigInt(i))]));
    const transactionalBefore = logs.transactionalAppends;
    for (const release of logs.hold) release();
    logs.hold = null;
    assert.deepEqual(await Promise.all(writes), writes.map(() => ErrorCode.NONE));
    // Compaction starts once the last write is applied: the live records are rewritten, older ones dropped.
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(logs.logStart > 0n, "compacted");
    // P1's two pending offsets are not next to each other in log order, so they take two batches; P2's one.
    assert.equal(logs.transactionalAppends - transactionalBefore, 3);
    const reloaded = partitionOn(logs, 1);
    await reloaded.load();
    assert.equal(fetchOne(reloaded.offsets, "g", "t", 4, true).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT);
    logs.marker(P1.producerId, true);
    logs.marker(P2.producerId, false);
    for (const s of [state, reloaded]) {
      s.onTxnMarker(P1.producerId, true);
      s.onTxnMarker(P2.producerId, false);
    }
    const final = partitionOn(logs, 1);
    await final.load();
    for (const s of [state, reloaded, final]) {
      assert.deepEqual(
        s.offsets.fetch("g", null).map((t) => t.partitions.map((p) => [p.partition, p.offset])),
        [[[0, 60n], [1, 2n], [4, 95n]]],
      );
      assert.equal(fetchOne(s.offsets, "h", "t", 0).offset, 19n);
      assert.equal(s.offsets.pending.size, 0);
    }
  });
});
