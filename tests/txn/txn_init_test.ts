/**
 * InitProducerId with a transactional id: the first epoch, bumps, the
 * timeout bound, KIP-360 recovery and fencing, fencing an open transaction
 * (PrepareEpochFence), epoch exhaustion, failed writes and concurrency.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { TxnState } from "../../src/txn/txn_records.ts";
import { Harness } from "./_harness.ts";

describe("InitProducerId", () => {
  test("a new id gets a new producer id at epoch 0, stored as Empty", async () => {
    const h = new Harness();
    const a = await h.init("tx", 30_000);
    assert.deepEqual(a, { errorCode: 0, producerId: 1000n, producerEpoch: 0 });
    const [rec] = h.recordsOf("tx");
    assert.deepEqual(rec.value, {
      producerId: 1000n,
      producerEpoch: 0,
      timeoutMs: 30_000,
      state: TxnState.Empty,
      partitions: null,
      lastUpdateTimestampMs: h.nowMs,
      startTimestampMs: -1,
    });
  });

  test("each later InitProducerId bumps the epoch and keeps the producer id", async () => {
    const h = new Harness();
    await h.init("tx");
    assert.deepEqual(await h.init("tx", 10_000), { errorCode: 0, producerId: 1000n, producerEpoch: 1 });
    assert.deepEqual(await h.init("tx"), { errorCode: 0, producerId: 1000n, producerEpoch: 2 });
    assert.equal(h.coordinator.metadata("tx")!.timeoutMs, 60_000);
  });

  test("a timeout of 0 or above transaction.max.timeout.ms is INVALID_TRANSACTION_TIMEOUT", async () => {
    const h = new Harness({ maxTimeoutMs: 60_000 });
    assert.equal((await h.init("tx", 60_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    assert.equal((await h.init("tx", 0)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    assert.equal((await h.init("tx", 60_000)).errorCode, 0);
    assert.equal(h.recordsOf("tx").length, 1);
  });

  test("an empty transactional id, or a producer id without an epoch (or the reverse), is INVALID_REQUEST", async () => {
    const h = new Harness();
    assert.equal((await h.init("")).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal((await h.init("tx", 60_000, 5n, -1)).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal((await h.init("tx", 60_000, -1n, 0)).errorCode, ErrorCode.INVALID_REQUEST);
    assert.deepEqual(h.recordsOf("tx"), []);
  });

  test("an id whose partition is not loaded here is NOT_COORDINATOR", async () => {
    const h = new Harness({}, false);
    assert.equal((await h.init("tx")).errorCode, ErrorCode.NOT_COORDINATOR);
  });

  test("KIP-360: the current producer recovers with a bump; a retry of that bump gets the same epoch", async () => {
    const h = new Harness();
    const first = await h.init("tx");
    const bumped = await h.init("tx", 60_000, first.producerId, first.producerEpoch);
    assert.deepEqual(bumped, { errorCode: 0, producerId: 1000n, producerEpoch: 1 });
    // The answer was lost: the producer asks again with its old epoch.
    assert.deepEqual(await h.init("tx", 60_000, first.producerId, first.producerEpoch), bumped);
  });

  test("KIP-360: a producer naming another producer id, or a stale epoch, is PRODUCER_FENCED", async () => {
    const h = new Harness();
    const first = await h.init("tx");
    await h.init("tx"); // another producer took over (epoch 1, no previous epoch kept)
    assert.equal(
      (await h.init("tx", 60_000, first.producerId, first.producerEpoch)).errorCode,
      ErrorCode.PRODUCER_FENCED,
    );
    assert.equal((await h.init("tx", 60_000, 77n, 1)).errorCode, ErrorCode.PRODUCER_FENCED);
  });

  test("KIP-360: a producer recovering with an unknown id gets the new id (no epoch yet)", async () => {
    const h = new Harness();
    assert.deepEqual(await h.init("tx", 60_000, 55n, 3), { errorCode: 0, producerId: 1000n, producerEpoch: 0 });
  });

  test("an exhausted epoch rotates to a new producer id at epoch 0", async () => {
    const h = new Harness();
    await h.init("tx");
    h.coordinator.metadata("tx")!.producerEpoch = 32766;
    assert.deepEqual(await h.init("tx"), { errorCode: 0, producerId: 1001n, producerEpoch: 0 });
  });

  test("KIP-360 after a rotation: the old producer's retry gets the rotated id again", async () => {
    const h = new Harness();
    await h.init("tx");
    h.coordinator.metadata("tx")!.producerEpoch = 32766;
    const rotated = await h.init("tx", 60_000, 1000n, 32766);
    assert.deepEqual(rotated, { errorCode: 0, producerId: 1001n, producerEpoch: 0 });
    assert.deepEqual(await h.init("tx", 60_000, 1000n, 32766), rotated);
  });

  test("KIP-360 after a rotation and a new transaction: the old producer's retry fences the transaction", async () => {
    const h = new Harness();
    await h.init("tx");
    h.coordinator.metadata("tx")!.producerEpoch = 32766;
    const rotated = await h.init("tx", 60_000, 1000n, 32766);
    const add = h.coordinator.addPartitions("tx", rotated.producerId, 0, [{ topic: "t", partition: 0 }]);
    assert.equal(h.run(add).answer.errorCode, 0);
    const retry = h.run(
      await h.coordinator.initProducerId({
        transactionalId: "tx",
        timeoutMs: 60_000,
        producerId: 1000n,
        producerEpoch: 32766,
      }),
    );
    assert.equal(retry.answer.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(h.coordinator.metadata("tx")!.state, TxnState.PrepareAbort);
  });

  test("on an Ongoing transaction: the producer is fenced, the transaction aborted, CONCURRENT_TRANSACTIONS", async () => {
    const h = new Harness();
    const old = await h.begin("tx");
    const step = await h.coordinator.initProducerId({ transactionalId: "tx", timeoutMs: 60_000 });
    assert.equal(step.kind, "persist");
    const applied = h.run(step);
    assert.equal(applied.answer.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    const meta = h.coordinator.metadata("tx")!;
    assert.equal(meta.state, TxnState.PrepareAbort);
    assert.equal(meta.producerEpoch, old.producerEpoch + 1);
    assert.equal(h.recordsOf("tx").at(-1)!.value!.state, TxnState.PrepareAbort);
    assert.deepEqual(applied.markers, [{
      transactionalId: "tx",
      producerId: old.producerId,
      producerEpoch: old.producerEpoch + 1,
      coordinatorEpoch: 0,
      commit: false,
      partitions: [{ topic: "t", partition: 0 }, { topic: "t", partition: 1 }],
    }]);
    // The old producer is fenced from now on.
    const end = h.answerOf(h.coordinator.endTxn("tx", old.producerId, old.producerEpoch, true));
    assert.equal(end.errorCode, ErrorCode.PRODUCER_FENCED);
    // Until the markers are written the retry is told to wait; then it gets one more bump.
    assert.equal((await h.init("tx")).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    h.finish(applied.markers);
    assert.equal(meta.state, TxnState.CompleteAbort);
    assert.deepEqual(await h.init("tx"), { errorCode: 0, producerId: old.producerId, producerEpoch: 2 });
  });

  test("a fence whose PrepareAbort write fails keeps its bump and does not bump again", async () => {
    const h = new Harness();
    const old = await h.begin("tx");
    const failed = h.run(await h.coordinator.initProducerId({ transactionalId: "tx", timeoutMs: 60_000 }), 7);
    assert.equal(failed.answer.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const meta = h.coordinator.metadata("tx")!;
    assert.equal(meta.state, TxnState.Ongoing);
    assert.equal(meta.producerEpoch, old.producerEpoch + 1);
    const again = h.run(await h.coordinator.initProducerId({ transactionalId: "tx", timeoutMs: 60_000 }));
    assert.equal(again.answer.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(again.markers[0].producerEpoch, old.producerEpoch + 1);
  });

  test("a failed write keeps the old epoch and maps the error for the client", async () => {
    const h = new Harness();
    await h.init("tx");
    const step = await h.coordinator.initProducerId({ transactionalId: "tx", timeoutMs: 60_000 });
    assert.deepEqual(h.run(step, ErrorCode.NOT_LEADER_OR_FOLLOWER).answer, {
      errorCode: ErrorCode.NOT_COORDINATOR,
      producerId: -1n,
      producerEpoch: -1,
    });
    assert.equal(h.coordinator.metadata("tx")!.producerEpoch, 0);
    assert.equal((await h.init("tx")).producerEpoch, 1);
  });

  test("while a write is pending, another InitProducerId is CONCURRENT_TRANSACTIONS", async () => {
    const h = new Harness();
    await h.init("tx");
    const pending = await h.coordinator.initProducerId({ transactionalId: "tx", timeoutMs: 60_000 });
    assert.equal((await h.init("tx")).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(h.run(pending).answer.producerEpoch, 1);
  });
});
