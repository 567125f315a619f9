/**
 * Replay of __transaction_state after a crash: a new coordinator loads the
 * records the old one wrote (through real batches) and rebuilds every id;
 * a transaction caught in PrepareCommit or PrepareAbort is reported for its
 * markers and completes; tombstoned ids stay forgotten.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { decodeTxnRecords } from "../../src/txn/txn_log.ts";
import { encodeTxnRecordsBatch, TxnState } from "../../src/txn/txn_records.ts";
import { Harness } from "./_harness.ts";

/** A restarted coordinator that loaded every partition from the harness's log, through batch bytes. */
function restart(h: Harness, coordinatorEpoch = 1) {
  const next = h.newCoordinator();
  const markers = [];
  for (let p = 0; p < next.config.stateLogPartitions; p++) {
    const records = h.log.get(p) ?? [];
    const bytes = records.length === 0 ? new Uint8Array() : encodeTxnRecordsBatch(records, h.nowMs);
    const decoded = decodeTxnRecords(bytes);
    assert.equal(decoded.skipped, 0);
    markers.push(...next.loadPartition(p, coordinatorEpoch, decoded.records));
  }
  return { next, markers };
}

describe("replay of __transaction_state", () => {
  test("rebuilds Empty, Ongoing and completed ids as they were", async () => {
    const h = new Harness();
    const a = await h.init("a", 20_000);
    const b = await h.begin("b", [0, 4]);
    const c = await h.begin("c", [1]);
    h.finish(h.run(h.coordinator.endTxn("c", c.producerId, c.producerEpoch, false)).markers);
    const { next, markers } = restart(h);
    assert.deepEqual(markers, []);
    const ma = next.metadata("a")!;
    assert.deepEqual([ma.state, ma.producerId, ma.producerEpoch, ma.timeoutMs], [
      TxnState.Empty,
      a.producerId,
      0,
      20_000,
    ]);
    const mb = next.metadata("b")!;
    assert.equal(mb.state, TxnState.Ongoing);
    assert.deepEqual(mb.partitionList(), [{ topic: "t", partition: 0 }, { topic: "t", partition: 4 }]);
    assert.equal(mb.producerId, b.producerId);
    assert.equal(next.metadata("c")!.state, TxnState.CompleteAbort);
    // The producers carry on.
    const end = next.endTxn("b", b.producerId, b.producerEpoch, true);
    assert.equal(end.kind, "persist");
  });

  for (const commit of [true, false]) {
    const state = commit ? "PrepareCommit" : "PrepareAbort";
    test(`a crash in ${state}: the markers are named again and the transaction completes`, async () => {
      const h = new Harness();
      const p = await h.begin("tx", [3]);
      const end = h.run(h.coordinator.endTxn("tx", p.producerId, p.producerEpoch, commit));
      assert.equal(end.answer.errorCode, 0);
      // Crash before the markers' completion is written.
      const { next, markers } = restart(h, 7);
      assert.deepEqual(markers, [{ ...end.markers[0], coordinatorEpoch: 7 }]);
      const meta = next.metadata("tx")!;
      assert.equal(meta.state, commit ? TxnState.PrepareCommit : TxnState.PrepareAbort);
      // Meanwhile the producer's retries wait.
      const retry = h.answerOf(await next.initProducerId({ transactionalId: "tx", timeoutMs: 1000 }));
      assert.equal(retry.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
      const applied = h.run(next.markersWritten(markers[0]));
      assert.equal(applied.answer.errorCode, 0);
      assert.equal(meta.state, commit ? TxnState.CompleteCommit : TxnState.CompleteAbort);
      // And a second restart finds it complete.
      const again = restart(h);
      assert.deepEqual(again.markers, []);
      assert.equal(again.next.metadata("tx")!.state, meta.state);
    });
  }

  test("a crash during a fencing abort replays the bumped epoch", async () => {
    const h = new Harness();
    const p = await h.begin("tx", [0], 1000);
    h.nowMs += 2000;
    h.run(h.coordinator.abortTimedOut()[0]);
    const { next, markers } = restart(h);
    assert.equal(markers.length, 1);
    assert.equal(markers[0].producerEpoch, p.producerEpoch + 1);
    assert.equal(markers[0].commit, false);
    const stale = h.answerOf(next.endTxn("tx", p.producerId, p.producerEpoch, true));
    assert.equal(stale.errorCode, ErrorCode.PRODUCER_FENCED);
  });

  test("tombstoned ids are not rebuilt; an id written after its tombstone is", async () => {
    const h = new Harness({ idExpirationMs: 1000 });
    await h.init("gone");
    h.nowMs += 1000;
    h.run(h.coordinator.expireIds()[0]);
    await h.init("gone"); // a new life
    await h.init("other");
    h.nowMs += 1000;
    for (const s of h.coordinator.expireIds()) h.run(s);
    await h.init("gone");
    const { next } = restart(h);
    assert.equal(next.metadata("other"), undefined);
    assert.equal(next.metadata("gone")!.state, TxnState.Empty);
  });

  test("an id on a partition not loaded is NOT_COORDINATOR; unloading forgets", async () => {
    const h = new Harness();
    await h.init("tx");
    const part = h.coordinator.partitionFor("tx");
    h.coordinator.unloadPartition(part);
    assert.equal(h.coordinator.metadata("tx"), null);
    assert.equal((await h.init("tx")).errorCode, ErrorCode.NOT_COORDINATOR);
  });
});
