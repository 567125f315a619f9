/**
 * The transactional APIs at every version they advertise, through a whole in-process broker core:
 * InitProducerId v0–v5 (PRODUCER_FENCED only from v4), AddPartitionsToTxn v0–v3 (one transaction) and v4–v5
 * (batched, verifyOnly answering per partition, TRANSACTION_ABORTABLE for one not added), AddOffsetsToTxn
 * v0–v4, EndTxn v0–v4, DescribeTransactions v0, ListTransactions v0–v1 (the duration filter), and
 * WriteTxnMarkers v0–v1 as Kafka's abortTransaction tool sends it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { withBroker } from "./_helpers.ts";
import { eventually, TxnClient } from "../_txn_client.ts";
import type { LocalBroker } from "../_local_broker.ts";
import {
  decodeAddPartitionsToTxnResponse,
  defaultAddPartitionsToTxnRequest,
  encodeAddPartitionsToTxnRequest,
} from "../../../src/protocol/generated/add_partitions_to_txn.ts";
import {
  decodeAddOffsetsToTxnResponse,
  encodeAddOffsetsToTxnRequest,
} from "../../../src/protocol/generated/add_offsets_to_txn.ts";
import {
  decodeListTransactionsResponse,
  encodeListTransactionsRequest,
} from "../../../src/protocol/generated/list_transactions.ts";

import {
  decodeWriteTxnMarkersResponse,
  encodeWriteTxnMarkersRequest,
} from "../../../src/protocol/generated/write_txn_markers.ts";

const TOPIC = "t";

async function ready(broker: LocalBroker): Promise<TxnClient> {
  await broker.createTopic(TOPIC, 3);
  const c = new TxnClient(broker);
  await eventually(async () => (await c.findCoordinator("x")) === ErrorCode.NONE);
  return c;
}

describe("transactional APIs by version", () => {
  test("InitProducerId v0–v5, AddPartitionsToTxn v0–v3, AddOffsetsToTxn and EndTxn v0–v4", async () => {
    await withBroker({ handlers: 2 }, async (broker) => {
      const c = await ready(broker);
      for (let v = 0; v <= 4; v++) {
        const id = `tx-v${v}`;
        const init = await c.init(id, 60_000, Math.min(v, 5));
        assert.equal(init.errorCode, ErrorCode.NONE, `InitProducerId v${v}`);
        const { producerId, producerEpoch } = init;
        const apv = Math.min(v, 3);
        assert.deepEqual(await c.addPartitions(id, producerId, producerEpoch, TOPIC, [0, 2], apv), [0, 0]);
        const offsets = await broker.call(
          25,
          v,
          { transactionalId: id, producerId, producerEpoch, groupId: "g" },
          encodeAddOffsetsToTxnRequest,
          decodeAddOffsetsToTxnResponse,
        );
        assert.equal(offsets.errorCode, ErrorCode.NONE, `AddOffsetsToTxn v${v}`);
        const fenced = await broker.call(
          25,
          v,
          { transactionalId: id, producerId, producerEpoch: producerEpoch + 1, groupId: "g" },
          encodeAddOffsetsToTxnRequest,
          decodeAddOffsetsToTxnResponse,
        );
        assert.equal(fenced.errorCode, v < 2 ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.PRODUCER_FENCED);
        assert.equal(await c.endTxn(id, producerId, producerEpoch + 1, true, v), fenced.errorCode, `EndTxn v${v}`);
        assert.equal(await c.endTxn(id, producerId, producerEpoch, v % 2 === 0, v), ErrorCode.NONE, `EndTxn v${v}`);
      }
      // InitProducerId v3+ (KIP-360) naming an epoch the id no longer has: fenced, told apart from v4 on.
      const first = await c.init("kip360", 60_000, 5);
      await eventually(async () => (await c.init("kip360", 60_000, 5)).errorCode === ErrorCode.NONE);
      const stale = (v: number) => c.init("kip360", 60_000, v, first.producerId, first.producerEpoch);
      assert.equal((await stale(3)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
      assert.equal((await stale(4)).errorCode, ErrorCode.PRODUCER_FENCED);
      assert.equal((await c.init("kip360", 0)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      assert.equal((await c.init("kip360", 900_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    });
  });

  test("AddPartitionsToTxn v4–v5 batch transactions; verifyOnly writes nothing and answers per partition", async () => {
    await withBroker({ handlers: 2 }, async (broker) => {
      const c = await ready(broker);
      const a = await c.init("a");
      const b = await c.init("b");
      for (const v of [4, 5]) {
        const res = await broker.call(
          24,
          v,
          {
            ...defaultAddPartitionsToTxnRequest(),
            transactions: [
              {
                transactionalId: "a",
                producerId: a.producerId,
                producerEpoch: a.producerEpoch,
                verifyOnly: false,
                topics: [{ name: TOPIC, partitions: [0] }],
              },
              {
                transactionalId: "b",
                producerId: b.producerId,
                producerEpoch: b.producerEpoch,
                verifyOnly: true,
                topics: [{ name: TOPIC, partitions: [1] }],
              },
              {
                transactionalId: "a",
                producerId: a.producerId + 999n,
                producerEpoch: a.producerEpoch,
                verifyOnly: true,
                topics: [{ name: TOPIC, partitions: [0] }, { name: "missing", partitions: [0] }],
              },
            ],
          },
          encodeAddPartitionsToTxnRequest,
          decodeAddPartitionsToTxnResponse,
        );
        assert.equal(res.errorCode, ErrorCode.NONE);
        const codes = res.resultsByTransaction.map((t) =>
          t.topicResults.map((r) => [r.name, r.resultsByPartition.map((p) => p.partitionErrorCode)])
        );
        assert.deepEqual(codes, [
          [[TOPIC, [0]]],
          [[TOPIC, [ErrorCode.TRANSACTION_ABORTABLE]]],
          [[TOPIC, [ErrorCode.OPERATION_NOT_ATTEMPTED]], ["missing", [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
        ], `v${v}`);
      }
      const described = (await c.describe(["a", "b"])).transactionStates;
      assert.deepEqual(described.map((d) => d.transactionState), ["Ongoing", "Empty"], "verifyOnly added nothing");
    });
  });

  test("ListTransactions v1 filters by duration; v0 ignores it", async () => {
    await withBroker({ handlers: 2 }, async (broker) => {
      const c = await ready(broker);
      const a = await c.init("long");
      assert.deepEqual(await c.addPartitions("long", a.producerId, a.producerEpoch, TOPIC, [0]), [0]);
      await new Promise((r) => setTimeout(r, 30));
      const list = (version: number, durationFilter: bigint) =>
        broker.call(
          66,
          version,
          { stateFilters: [], producerIdFilters: [a.producerId], durationFilter },
          encodeListTransactionsRequest,
          decodeListTransactionsResponse,
        );
      assert.deepEqual((await list(1, 10n)).transactionStates.map((t) => t.transactionalId), ["long"]);
      assert.deepEqual((await list(1, 60_000n)).transactionStates, []);
      assert.deepEqual((await list(0, 60_000n)).transactionStates.map((t) => t.transactionState), ["Ongoing"]);
    });
  });

  test("WriteTxnMarkers v0–v1 aborts a producer's open transaction at the named partitions", async () => {
    await withBroker({ handlers: 2 }, async (broker) => {
      const c = await ready(broker);
      for (const v of [0, 1]) {
        const id = `hanging-${v}`;
        const { producerId, producerEpoch } = await c.init(id);
        assert.deepEqual(await c.addPartitions(id, producerId, producerEpoch, TOPIC, [v]), [0]);
        assert.equal((await c.produce(id, producerId, producerEpoch, TOPIC, v, ["h"])).errorCode, ErrorCode.NONE);
        const before = (await c.fetch(TOPIC, v, 1)).lastStableOffset;
        const write = (epoch: number) =>
          broker.call(
            27,
            v,
            {
              markers: [{
                producerId,
                producerEpoch: epoch,
                transactionResult: false,
                topics: [{ name: TOPIC, partitionIndexes: [v] }, { name: "missing", partitionIndexes: [0] }],
                coordinatorEpoch: 0,
              }],
            },
            encodeWriteTxnMarkersRequest,
            decodeWriteTxnMarkersResponse,
          );
        const codes = async (epoch: number) =>
          (await write(epoch)).markers[0].topics.map((t) => [t.name, t.partitions.map((p) => p.errorCode)]);
        assert.deepEqual(await codes(producerEpoch - 1), [
          [TOPIC, [ErrorCode.INVALID_PRODUCER_EPOCH]],
          ["missing", [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
        ]);
        assert.deepEqual(await codes(producerEpoch), [[TOPIC, [0]], ["missing", [
          ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ]]]);
        const after = await c.fetch(TOPIC, v, 1);
        assert.ok(after.lastStableOffset > before, `v${v}: the ABORT marker closed the transaction`);
        assert.deepEqual(after.abortedTransactions, [{ producerId, firstOffset: before }]);
      }
    });
  });
});
