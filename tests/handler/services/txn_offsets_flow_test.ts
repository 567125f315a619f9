/**
 * A producer's sendOffsetsToTransaction through a whole in-process broker core (2 handlers): AddOffsetsToTxn
 * adds the group's __consumer_offsets partition to the transaction, TxnOffsetCommit writes the offsets there
 * (pending), and the transaction coordinator's marker on that partition makes them committed (COMMIT) or
 * drops them (ABORT): what the markers op's hook into the group coordinator is for.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { LocalBroker } from "../_local_broker.ts";
import { eventually, TxnClient } from "../_txn_client.ts";
import {
  decodeAddOffsetsToTxnResponse,
  encodeAddOffsetsToTxnRequest,
} from "../../../src/protocol/generated/add_offsets_to_txn.ts";
import {
  decodeTxnOffsetCommitResponse,
  defaultTxnOffsetCommitRequest,
  encodeTxnOffsetCommitRequest,
} from "../../../src/protocol/generated/txn_offset_commit.ts";
import {
  decodeOffsetFetchResponse,
  defaultOffsetFetchRequest,
  encodeOffsetFetchRequest,
} from "../../../src/protocol/generated/offset_fetch.ts";

const TOPIC = "in";
const GROUP = "g";

test("offsets sent to a transaction are committed by its COMMIT marker and dropped by an ABORT", async () => {
  const broker = await LocalBroker.start({ handlers: 2 });
  try {
    await broker.createTopic(TOPIC, 1);
    const c = new TxnClient(broker);
    await eventually(async () => (await c.findCoordinator("eos")) === ErrorCode.NONE);
    const { producerId, producerEpoch } = await c.init("eos");
    const send = async (offset: bigint) => {
      const added = await broker.call(
        25,
        3,
        { transactionalId: "eos", producerId, producerEpoch, groupId: GROUP },
        encodeAddOffsetsToTxnRequest,
        decodeAddOffsetsToTxnResponse,
      );
      assert.equal(added.errorCode, ErrorCode.NONE);
      const committed = await broker.call(
        28,
        3,
        {
          ...defaultTxnOffsetCommitRequest(),
          transactionalId: "eos",
          groupId: GROUP,
          producerId,
          producerEpoch,
          topics: [{
            name: TOPIC,
            partitions: [{
              partitionIndex: 0,
              committedOffset: offset,
              committedLeaderEpoch: -1,
              committedMetadata: "",
            }],
          }],
        },
        encodeTxnOffsetCommitRequest,
        decodeTxnOffsetCommitResponse,
      );
      assert.equal(committed.topics[0].partitions[0].errorCode, ErrorCode.NONE);
    };
    const fetched = async () => {
      const res = await broker.call(
        9,
        7,
        { ...defaultOffsetFetchRequest(), groupId: GROUP, topics: [{ name: TOPIC, partitionIndexes: [0] }] },
        encodeOffsetFetchRequest,
        decodeOffsetFetchResponse,
      );
      return res.topics[0].partitions[0].committedOffset;
    };

    await send(42n);
    assert.equal(await fetched(), -1n, "pending until the transaction commits");
    assert.equal(await c.endTxn("eos", producerId, producerEpoch, true), ErrorCode.NONE);
    await eventually(async () => (await fetched()) === 42n);

    await eventually(async () =>
      (await c.describe(["eos"])).transactionStates[0].transactionState === "CompleteCommit"
    );
    await send(50n);
    assert.equal(await c.endTxn("eos", producerId, producerEpoch, false), ErrorCode.NONE);
    await eventually(async () => (await c.describe(["eos"])).transactionStates[0].transactionState === "CompleteAbort");
    assert.equal(await fetched(), 42n, "the aborted transaction's offsets are dropped");
  } finally {
    await broker.stop();
    broker.remove();
  }
});
