/**
 * AddPartitionsToTxn (and its verify-only form), AddOffsetsToTxn and EndTxn:
 * every transition and error, the markers to write and the completion.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { offsetsPartitionFor } from "../../src/cluster/offsets_topic.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { fencedErrorForVersion } from "../../src/txn/txn_effects.ts";
import { TxnState } from "../../src/txn/txn_records.ts";
import { Harness } from "./_harness.ts";

const tp = (partition: number, topic = "t") => ({ topic, partition });

describe("AddPartitionsToTxn", () => {
  test("the first add starts the transaction (Ongoing, start time) and stores the partitions", async () => {
    const h = new Harness();
    const p = await h.init("tx");
    h.nowMs += 500;
    const add = h.run(h.coordinator.addPartitions("tx", p.producerId, p.producerEpoch, [tp(0), tp(3, "u")]));
    assert.equal(add.answer.errorCode, 0);
    const v = h.recordsOf("tx").at(-1)!.value!;
    assert.equal(v.state, TxnState.Ongoing);
    assert.equal(v.startTimestampMs, h.nowMs);
    assert.deepEqual(v.partitions, [{ topic: "t", partitions: [0] }, { topic: "u", partitions: [3] }]);
    // A later add keeps the start time and adds to the set.
    const started = h.nowMs;
    h.nowMs += 500;
    h.run(h.coordinator.addPartitions("tx", p.producerId, p.producerEpoch, [tp(1)]));
    const later = h.recordsOf("tx").at(-1)!.value!;
    assert.equal(later.startTimestampMs, started);
    assert.equal(later.lastUpdateTimestampMs, h.nowMs);
    assert.deepEqual(later.partitions, [{ topic: "t", partitions: [0, 1] }, { topic: "u", partitions: [3] }]);
  });

  test("partitions already in the transaction are answered without a write", async () => {
    const h = new Harness();
    const p = await h.begin("tx", [0, 1]);
    assert.equal(h.answerOf(h.coordinator.addPartitions("tx", p.producerId, p.producerEpoch, [tp(1)])).errorCode, 0);
  });

  test("errors: unknown id or producer id, wrong epoch, empty id, not coordinator", async () => {
    const h = new Harness();
    const p = await h.init("tx");
    const add = (id: string, pid: bigint, epoch: number) =>
      h.answerOf(h.coordinator.addPartitions(id, pid, epoch, [tp(0)])).errorCode;
    assert.equal(add("nope", p.producerId, 0), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    assert.equal(add("tx", 1n, 0), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    assert.equal(add("tx", p.producerId, 1), ErrorCode.PRODUCER_FENCED);
    assert.equal(add("", p.producerId, 0), ErrorCode.INVALID_REQUEST);
    h.coordinator.unloadPartition(h.coordinator.partitionFor("tx"));
    assert.equal(add("tx", p.producerId, 0), ErrorCode.NOT_COORDINATOR);
  });

  test("while the transaction ends it is CONCURRENT_TRANSACTIONS", async () => {
    const h = new Harness();
    const p = await h.begin("tx");
    const end = h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true));
    const add = h.answerOf(h.coordinator.addPartitions("tx", p.producerId, p.producerEpoch, [tp(5)]));
    assert.equal(add.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    h.finish(end.markers);
    assert.equal(h.run(h.coordinator.addPartitions("tx", p.producerId, p.producerEpoch, [tp(5)])).answer.errorCode, 0);
  });

  test("a failed write leaves the transaction as it was", async () => {
    const h = new Harness();
    const p = await h.init("tx");
    const r = h.run(
      h.coordinator.addPartitions("tx", p.producerId, p.producerEpoch, [tp(0)]),
      ErrorCode.KAFKA_STORAGE_ERROR,
    );
    assert.equal(r.answer.errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(h.coordinator.metadata("tx")!.state, TxnState.Empty);
    assert.equal(h.coordinator.metadata("tx")!.partitions.size, 0);
  });

  test("verify-only: NONE for partitions in the transaction, TRANSACTION_ABORTABLE for others; nothing written", async () => {
    const h = new Harness();
    const p = await h.begin("tx", [0]);
    const written = h.recordsOf("tx").length;
    const v = h.coordinator.verifyPartitions("tx", p.producerId, p.producerEpoch, [tp(0), tp(1)]);
    assert.equal(v.errorCode, 0);
    assert.deepEqual([...v.partitionErrors!.values()], [0, ErrorCode.TRANSACTION_ABORTABLE]);
    assert.equal(h.recordsOf("tx").length, written);
    assert.equal(h.coordinator.verifyPartitions("tx", p.producerId, 9, [tp(0)]).errorCode, ErrorCode.PRODUCER_FENCED);
    assert.equal(
      h.coordinator.verifyPartitions("tx", 5n, p.producerEpoch, [tp(0)]).errorCode,
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, false));
    assert.equal(
      h.coordinator.verifyPartitions("tx", p.producerId, p.producerEpoch, [tp(0)]).errorCode,
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
  });
});

describe("AddOffsetsToTxn", () => {
  test("adds the group's __consumer_offsets partition", async () => {
    const h = new Harness();
    const p = await h.init("tx");
    assert.equal(h.run(h.coordinator.addOffsets("tx", p.producerId, p.producerEpoch, "group-1")).answer.errorCode, 0);
    const meta = h.coordinator.metadata("tx")!;
    assert.deepEqual(meta.partitionList(), [{
      topic: "__consumer_offsets",
      partition: offsetsPartitionFor("group-1", 50),
    }]);
  });
});

describe("EndTxn", () => {
  for (const commit of [true, false]) {
    const word = commit ? "commit" : "abort";
    test(`${word}: Prepare written and answered, markers named, Complete written after them`, async () => {
      const h = new Harness();
      const p = await h.begin("tx", [2, 0]);
      h.nowMs += 100;
      const end = h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, commit));
      assert.equal(end.answer.errorCode, 0);
      const meta = h.coordinator.metadata("tx")!;
      assert.equal(meta.state, commit ? TxnState.PrepareCommit : TxnState.PrepareAbort);
      assert.deepEqual(end.markers, [{
        transactionalId: "tx",
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        coordinatorEpoch: 0,
        commit,
        partitions: [tp(2), tp(0)],
      }]);
      // Retried while the markers are written: CONCURRENT_TRANSACTIONS for the same outcome, INVALID_TXN_STATE otherwise.
      const same = h.answerOf(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, commit));
      assert.equal(same.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
      const other = h.answerOf(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, !commit));
      assert.equal(other.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, "a pending completion is checked first");
      h.finish(end.markers);
      assert.equal(meta.state, commit ? TxnState.CompleteCommit : TxnState.CompleteAbort);
      const last = h.recordsOf("tx").at(-1)!.value!;
      assert.equal(last.state, meta.state);
      assert.deepEqual(last.partitions, []);
      // Retried after completion: NONE for the same outcome, INVALID_TXN_STATE for the other.
      assert.equal(h.answerOf(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, commit)).errorCode, 0);
      assert.equal(
        h.answerOf(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, !commit)).errorCode,
        ErrorCode.INVALID_TXN_STATE,
      );
    });
  }

  test("the opposite outcome while Prepare is stored (no completion pending) is INVALID_TXN_STATE", async () => {
    const h = new Harness();
    const p = await h.begin("tx");
    h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true));
    // A restart: the Prepare record is replayed, its completion pending again; drop that to see the state rule.
    const meta = h.coordinator.metadata("tx")!;
    meta.drop();
    assert.equal(
      h.answerOf(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, false)).errorCode,
      ErrorCode.INVALID_TXN_STATE,
    );
    assert.equal(
      h.answerOf(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true)).errorCode,
      ErrorCode.CONCURRENT_TRANSACTIONS,
    );
  });

  test("errors: no transaction open, wrong producer id, wrong epoch", async () => {
    const h = new Harness();
    const p = await h.init("tx");
    const end = (pid: bigint, epoch: number) => h.answerOf(h.coordinator.endTxn("tx", pid, epoch, true)).errorCode;
    assert.equal(end(p.producerId, p.producerEpoch), ErrorCode.INVALID_TXN_STATE);
    assert.equal(end(p.producerId + 1n, p.producerEpoch), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    assert.equal(end(p.producerId, p.producerEpoch + 1), ErrorCode.PRODUCER_FENCED);
    assert.equal(
      h.answerOf(h.coordinator.endTxn("nope", 1n, 0, true)).errorCode,
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
  });

  test("a failed Prepare write leaves the transaction Ongoing and names no markers", async () => {
    const h = new Harness();
    const p = await h.begin("tx");
    const end = h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true), ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.deepEqual(end, { answer: { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }, markers: [] });
    assert.equal(h.coordinator.metadata("tx")!.state, TxnState.Ongoing);
  });

  test("a failed Complete write keeps the transaction prepared; reporting the markers again completes it", async () => {
    const h = new Harness();
    const p = await h.begin("tx");
    const end = h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true));
    const failed = h.run(h.coordinator.markersWritten(end.markers[0]), ErrorCode.REQUEST_TIMED_OUT);
    assert.equal(failed.answer.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(h.coordinator.metadata("tx")!.state, TxnState.PrepareCommit);
    h.finish(end.markers);
    assert.equal(h.coordinator.metadata("tx")!.state, TxnState.CompleteCommit);
  });

  test("markers reported twice at once: the second is CONCURRENT_TRANSACTIONS; a stale report INVALID_TXN_STATE", async () => {
    const h = new Harness();
    const p = await h.begin("tx");
    const end = h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true));
    const first = h.coordinator.markersWritten(end.markers[0]);
    assert.equal(h.answerOf(h.coordinator.markersWritten(end.markers[0])).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(h.run(first).answer.errorCode, 0);
    assert.equal(h.answerOf(h.coordinator.markersWritten(end.markers[0])).errorCode, ErrorCode.INVALID_TXN_STATE);
  });

  test("a new transaction after a completed one starts afresh", async () => {
    const h = new Harness();
    const p = await h.begin("tx", [0]);
    h.finish(h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true)).markers);
    h.nowMs += 1000;
    h.run(h.coordinator.addPartitions("tx", p.producerId, p.producerEpoch, [tp(7)]));
    const meta = h.coordinator.metadata("tx")!;
    assert.equal(meta.state, TxnState.Ongoing);
    assert.equal(meta.startTimestampMs, h.nowMs);
    assert.deepEqual(meta.partitionList(), [tp(7)]);
  });
});

describe("fencedErrorForVersion", () => {
  test("older versions get INVALID_PRODUCER_EPOCH instead of PRODUCER_FENCED", () => {
    assert.equal(fencedErrorForVersion(ErrorCode.PRODUCER_FENCED, 22, 3), ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal(fencedErrorForVersion(ErrorCode.PRODUCER_FENCED, 22, 4), ErrorCode.PRODUCER_FENCED);
    assert.equal(fencedErrorForVersion(ErrorCode.PRODUCER_FENCED, 26, 1), ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal(fencedErrorForVersion(ErrorCode.PRODUCER_FENCED, 24, 2), ErrorCode.PRODUCER_FENCED);
    assert.equal(fencedErrorForVersion(ErrorCode.CONCURRENT_TRANSACTIONS, 26, 0), ErrorCode.CONCURRENT_TRANSACTIONS);
  });
});
