/**
 * The "writeTxnMarkers" partition op, sent through the router to whichever handler owns each partition:
 * markers close the producer's transaction (the LSO moves), a marker of an older producer epoch is refused
 * without writing, a partition not hosted answers UNKNOWN_TOPIC_OR_PARTITION, and each written marker reaches
 * the owner's hook (the group coordinator's, for __consumer_offsets).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildBatch } from "../../src/log/record_batch.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import type { TxnMarkerItem } from "../../src/replica/partition_ops.ts";
import { LocalBroker } from "../handler/_local_broker.ts";

test("writeTxnMarkers writes markers at each owner, moves the LSO, refuses stale epochs and calls the hook", async () => {
  const broker = await LocalBroker.start({
    handlers: 2,
    overrides: ["transaction.partition.verification.enable=false"],
  });
  try {
    const topicId = await broker.createTopic("t", 2);
    const seen: TxnMarkerItem[] = [];
    for (const r of broker.replicas) r.onTxnMarker = (item) => seen.push(item);
    const router = broker.states[0].partitions;
    const produced = await router.run({
      op: "produce",
      acks: -1,
      items: [0, 1].map((partition) => ({
        topicId,
        partition,
        topic: "t",
        records: buildBatch([{ key: null, value: new Uint8Array([1]) }], {
          producerId: 5n,
          producerEpoch: 3,
          baseSequence: 0,
          isTransactional: true,
        }),
      })),
    });
    assert.deepEqual(produced.map((o) => o.errorCode), [0, 0]);
    const lso = async () =>
      (await router.run({
        op: "listOffsets",
        items: [0, 1].map((partition) => ({ topicId, partition, timestamp: -1n, isolationLevel: 1 })),
      })).map((a) => a.offset);
    assert.deepEqual(await lso(), [0n, 0n], "open transactions hold the LSO");
    const marker = (partition: number, producerEpoch: number): TxnMarkerItem => ({
      topicId,
      partition,
      topic: "t",
      producerId: 5n,
      producerEpoch,
      coordinatorEpoch: 0,
      commit: true,
    });
    const stale = await router.run({ op: "writeTxnMarkers", items: [marker(0, 2)] });
    assert.equal(stale[0].errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal(seen.length, 0, "a refused marker is not reported");
    const written = await router.run({
      op: "writeTxnMarkers",
      items: [marker(0, 3), marker(1, 3), { ...marker(0, 3), topicId: "AAAAAAAAAAAAAAAAAAAAAA" }],
    });
    assert.deepEqual(written.map((o) => o.errorCode), [0, 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    assert.deepEqual(written.slice(0, 2).map((o) => o.baseOffset), [1n, 1n]);
    assert.deepEqual(await lso(), [2n, 2n], "the markers closed the transactions");
    assert.deepEqual(seen.map((m) => m.partition).sort(), [0, 1]);
  } finally {
    await broker.stop();
    broker.remove();
  }
});
