/**
 * Transactions that time out are aborted by the coordinator with a fencing
 * epoch bump; ids idle for transactional.id.expiration.ms are tombstoned and
 * forgotten. A fake clock drives both.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { TxnState } from "../../src/txn/txn_records.ts";
import { Harness } from "./_harness.ts";

describe("transaction timeouts", () => {
  test("a transaction open longer than its timeout is aborted with a bumped epoch", async () => {
    const h = new Harness();
    const p = await h.begin("tx", [0], 10_000);
    h.nowMs += 10_000;
    assert.deepEqual(h.coordinator.abortTimedOut(), [], "not yet: the timeout must be exceeded");
    h.nowMs += 1;
    const steps = h.coordinator.abortTimedOut();
    assert.equal(steps.length, 1);
    const applied = h.run(steps[0]);
    assert.equal(applied.answer.errorCode, 0);
    const meta = h.coordinator.metadata("tx")!;
    assert.equal(meta.state, TxnState.PrepareAbort);
    assert.equal(meta.producerEpoch, p.producerEpoch + 1);
    assert.equal(h.recordsOf("tx").at(-1)!.value!.producerEpoch, p.producerEpoch + 1);
    assert.equal(applied.markers[0].commit, false);
    assert.equal(applied.markers[0].producerEpoch, p.producerEpoch + 1);
    // The producer, still at its old epoch, is fenced.
    const end = h.answerOf(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true));
    assert.equal(end.errorCode, ErrorCode.PRODUCER_FENCED);
    h.finish(applied.markers);
    assert.equal(meta.state, TxnState.CompleteAbort);
    assert.deepEqual(h.coordinator.abortTimedOut(), []);
  });

  test("only Ongoing transactions without a pending write time out", async () => {
    const h = new Harness();
    await h.init("idle", 1000);
    const p = await h.begin("busy", [0], 1000);
    const pending = h.coordinator.addPartitions("busy", p.producerId, p.producerEpoch, [{ topic: "t", partition: 9 }]);
    h.nowMs += 5000;
    assert.deepEqual(h.coordinator.abortTimedOut(), []);
    h.run(pending);
    assert.equal(h.coordinator.abortTimedOut().length, 1);
  });

  test("a timed-out abort whose write fails is tried again with the same bump", async () => {
    const h = new Harness();
    const p = await h.begin("tx", [0], 1000);
    h.nowMs += 2000;
    h.run(h.coordinator.abortTimedOut()[0], ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.equal(h.coordinator.metadata("tx")!.state, TxnState.Ongoing);
    const again = h.run(h.coordinator.abortTimedOut()[0]);
    assert.equal(again.markers[0].producerEpoch, p.producerEpoch + 1);
  });
});

describe("transactional.id.expiration.ms", () => {
  test("an idle id with no open transaction is tombstoned, then unknown", async () => {
    const h = new Harness({ idExpirationMs: 60_000 });
    const p = await h.init("tx");
    h.nowMs += 59_999;
    assert.deepEqual(h.coordinator.expireIds(), []);
    h.nowMs += 1;
    const steps = h.coordinator.expireIds();
    assert.equal(steps.length, 1);
    const step = steps[0];
    assert.equal(step.kind, "persist");
    // While the tombstone is written, the id is busy.
    assert.equal((await h.init("tx")).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.deepEqual(h.run(step).answer, { expired: ["tx"] });
    assert.deepEqual(h.recordsOf("tx").at(-1), { transactionalId: "tx", value: null });
    assert.equal(h.coordinator.metadata("tx"), undefined);
    // The id is new again: a new producer id.
    assert.notEqual((await h.init("tx")).producerId, p.producerId);
  });

  test("an open transaction never expires; a completed one does", async () => {
    const h = new Harness({ idExpirationMs: 1000, maxTimeoutMs: 900_000 });
    const p = await h.begin("tx", [0], 900_000);
    h.nowMs += 5000;
    assert.deepEqual(h.coordinator.expireIds(), []);
    h.finish(h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, true)).markers);
    h.nowMs += 1000;
    assert.deepEqual(h.run(h.coordinator.expireIds()[0]).answer, { expired: ["tx"] });
  });

  test("a failed tombstone write keeps the id", async () => {
    const h = new Harness({ idExpirationMs: 1000 });
    await h.init("tx");
    h.nowMs += 1000;
    assert.deepEqual(h.run(h.coordinator.expireIds()[0], ErrorCode.KAFKA_STORAGE_ERROR).answer, { expired: [] });
    assert.equal(h.coordinator.metadata("tx")!.state, TxnState.Empty);
    assert.equal((await h.init("tx")).producerEpoch, 1);
  });
});
