/**
 * DescribeTransactions and ListTransactions over the coordinator's ids: the
 * fields Kafka fills, unknown and expiring ids, and every filter.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { describeTransaction, listTransactions } from "../../src/txn/txn_views.ts";
import { Harness } from "./_harness.ts";

describe("describeTransaction", () => {
  test("an Ongoing transaction: state, timeout, start, producer and partitions by topic", async () => {
    const h = new Harness();
    const p = await h.begin("tx", [1, 0], 45_000);
    const started = h.nowMs;
    h.nowMs += 10;
    h.run(h.coordinator.addPartitions("tx", p.producerId, p.producerEpoch, [{ topic: "u", partition: 2 }]));
    assert.deepEqual(describeTransaction(h.coordinator, "tx"), {
      errorCode: 0,
      transactionalId: "tx",
      transactionState: "Ongoing",
      transactionTimeoutMs: 45_000,
      transactionStartTimeMs: started,
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      topics: [{ topic: "t", partitions: [1, 0] }, { topic: "u", partitions: [2] }],
    });
  });

  test("unknown or expired id: TRANSACTIONAL_ID_NOT_FOUND (shown until its tombstone is written); not loaded: NOT_COORDINATOR", async () => {
    const h = new Harness({ idExpirationMs: 1000 });
    assert.equal(describeTransaction(h.coordinator, "nope").errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    await h.init("tx");
    await h.init("kept");
    h.nowMs += 1000;
    const expiring = h.coordinator.expireIds();
    assert.equal(describeTransaction(h.coordinator, "tx").transactionState, "Empty");
    const all = { states: [], producerIds: [], durationMs: -1 };
    assert.equal(listTransactions(h.coordinator, all, h.nowMs).transactionStates.length, 2);
    for (const s of expiring) h.run(s);
    assert.equal(describeTransaction(h.coordinator, "tx").errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    assert.deepEqual(listTransactions(h.coordinator, all, h.nowMs).transactionStates, []);
    await h.init("kept");
    h.coordinator.unloadPartition(h.coordinator.partitionFor("kept"));
    assert.equal(describeTransaction(h.coordinator, "kept").errorCode, ErrorCode.NOT_COORDINATOR);
  });
});

describe("listTransactions", () => {
  async function three() {
    const h = new Harness();
    const a = await h.init("a");
    h.nowMs += 1000;
    const b = await h.begin("b", [0]);
    h.nowMs += 5000;
    const c = await h.begin("c", [1]);
    h.nowMs += 1000;
    return { h, a, b, c };
  }
  const ids = (r: ReturnType<typeof listTransactions>) => r.transactionStates.map((t) => t.transactionalId).sort();

  test("no filter: every id, with its producer id and state name", async () => {
    const { h, b } = await three();
    const r = listTransactions(h.coordinator, { states: [], producerIds: [], durationMs: -1 }, h.nowMs);
    assert.equal(r.errorCode, 0);
    assert.deepEqual(ids(r), ["a", "b", "c"]);
    assert.deepEqual(r.transactionStates.find((t) => t.transactionalId === "b"), {
      transactionalId: "b",
      producerId: b.producerId,
      transactionState: "Ongoing",
    });
  });

  test("state filter; unknown state names are reported and match nothing", async () => {
    const { h } = await three();
    const r = listTransactions(h.coordinator, { states: ["Empty", "Bogus"], producerIds: [], durationMs: -1 }, h.nowMs);
    assert.deepEqual(ids(r), ["a"]);
    assert.deepEqual(r.unknownStateFilters, ["Bogus"]);
    const none = listTransactions(h.coordinator, { states: ["Bogus"], producerIds: [], durationMs: -1 }, h.nowMs);
    assert.deepEqual(ids(none), []);
  });

  test("producer id filter", async () => {
    const { h, a, c } = await three();
    const r = listTransactions(
      h.coordinator,
      { states: [], producerIds: [a.producerId, c.producerId], durationMs: -1 },
      h.nowMs,
    );
    assert.deepEqual(ids(r), ["a", "c"]);
  });

  test("duration filter (v1): only transactions running longer than the duration", async () => {
    const { h } = await three();
    // b started 6000 ms ago, c 1000 ms ago; a has no transaction (start -1) and, as in Kafka, passes.
    const r = listTransactions(h.coordinator, { states: [], producerIds: [], durationMs: 1000 }, h.nowMs);
    assert.deepEqual(ids(r), ["a", "b"]);
    const ongoing = listTransactions(
      h.coordinator,
      { states: ["Ongoing"], producerIds: [], durationMs: 5999 },
      h.nowMs,
    );
    assert.deepEqual(ids(ongoing), ["b"]);
  });
});
