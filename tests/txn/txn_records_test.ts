/**
 * __transaction_state records in Kafka's formats: golden bytes written out by
 * hand from TransactionLogKey v0 and TransactionLogValue v0/v1 (and found
 * identical to what Kafka 4.4's generated classes write), round trips,
 * tombstones, tagged fields, and batches read back with damage skipped.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  decodeTxnRecord,
  decodeTxnValue,
  encodeTxnKey,
  encodeTxnRecordsBatch,
  encodeTxnValue,
  type TxnLogValue,
  TxnState,
  txnStateFromName,
  txnStateName,
} from "../../src/txn/txn_records.ts";
import { decodeTxnRecords } from "../../src/txn/txn_log.ts";

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  return Uint8Array.from(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}

const ONGOING: TxnLogValue = {
  producerId: 5n,
  producerEpoch: 1,
  timeoutMs: 60000,
  state: TxnState.Ongoing,
  partitions: [{ topic: "t", partitions: [0, 2] }],
  lastUpdateTimestampMs: 1000,
  startTimestampMs: 900,
};

describe("TransactionLogKey", () => {
  test("is key version 0 and the transactional id as an int16-length string", () => {
    assert.deepEqual(encodeTxnKey("tx"), hex("0000 0002 7478"));
  });

  test("a key version other than 0 is not ours", () => {
    assert.equal(decodeTxnRecord(hex("0001 0002 7478"), null), null);
  });
});

describe("TransactionLogValue", () => {
  test("v0 golden bytes of an Ongoing transaction", () => {
    const expected = hex(
      "0000" + // value version 0
        "0000000000000005" + // producerId
        "0001" + // producerEpoch
        "0000ea60" + // transactionTimeoutMs 60000
        "01" + // status Ongoing
        "00000001" + "0001 74" + "00000002 00000000 00000002" + // [t: 0, 2]
        "00000000000003e8" + // lastUpdate 1000
        "0000000000000384", // start 900
    );
    assert.deepEqual(encodeTxnValue(ONGOING), expected);
    assert.deepEqual(decodeTxnValue(expected), ONGOING);
  });

  test("Empty writes a null partition array; Complete states an empty one", () => {
    const empty = { ...ONGOING, state: TxnState.Empty, partitions: null, startTimestampMs: -1 };
    const bytes = encodeTxnValue(empty)!;
    assert.deepEqual(bytes.subarray(17, 21), hex("ffffffff"));
    assert.deepEqual(decodeTxnValue(bytes), empty);
    const done = { ...ONGOING, state: TxnState.CompleteCommit, partitions: [] };
    const doneBytes = encodeTxnValue(done)!;
    assert.deepEqual(doneBytes.subarray(16, 21), hex("04 00000000"));
    assert.deepEqual(decodeTxnValue(doneBytes), done);
  });

  test("an Empty value with partitions is refused", () => {
    assert.throws(() => encodeTxnValue({ ...ONGOING, state: TxnState.Empty }), RangeError);
  });

  test("v1 golden bytes: compact fields and tagged previousProducerId", () => {
    const v1 = { ...ONGOING, previousProducerId: 7n };
    const expected = hex(
      "0001" + "0000000000000005" + "0001" + "0000ea60" + "01" +
        "02" + "02 74" + "03 00000000 00000002" + "00" + // compact [t: 0, 2], element tags
        "00000000000003e8" + "0000000000000384" +
        "01" + "00 08 0000000000000007", // one tagged field: tag 0, size 8
    );
    assert.deepEqual(encodeTxnValue(v1, 1), expected);
    assert.deepEqual(decodeTxnValue(expected), { ...v1, nextProducerId: -1n, clientTransactionVersion: 0 });
  });

  test("v1 reads all three tags and skips unknown ones; a newer version reads as v1", () => {
    const v1 = { ...ONGOING, previousProducerId: 3n, nextProducerId: 9n, clientTransactionVersion: 2 };
    const bytes = encodeTxnValue(v1, 1)!;
    // Tags in ascending order, each tag + size + value (checked against Kafka 4.4's generated TransactionLogValue).
    assert.deepEqual(
      bytes.subarray(bytes.length - 25),
      hex("03 00 08 0000000000000003 01 08 0000000000000009 02 02 0002"),
    );
    assert.deepEqual(decodeTxnValue(bytes), v1);
    // Append an unknown tag 5 (2 bytes) by rewriting the tag count: 3 → 4.
    const withUnknown = new Uint8Array([...bytes, 0x05, 0x02, 0xab, 0xcd]);
    const countAt = bytes.length - (1 + 1 + 8) - (1 + 1 + 8) - (1 + 1 + 2) - 1;
    assert.equal(withUnknown[countAt], 3);
    withUnknown[countAt] = 4;
    assert.deepEqual(decodeTxnValue(withUnknown), v1);
    const v2 = bytes.slice();
    v2[1] = 2;
    assert.deepEqual(decodeTxnValue(v2), v1);
  });

  test("an unknown status and a negative version are refused", () => {
    const bytes = encodeTxnValue(ONGOING)!;
    bytes[16] = 9;
    assert.throws(() => decodeTxnValue(bytes), RangeError);
    assert.throws(() => decodeTxnValue(hex("ffff")), RangeError);
  });

  test("round trip of every state Kafka stores", () => {
    for (const state of [1, 2, 3, 4, 5] as const) {
      const v = { ...ONGOING, state, producerId: 123456789012n, producerEpoch: 32766 };
      assert.deepEqual(decodeTxnRecord(encodeTxnKey("id-é"), encodeTxnValue(v)), { transactionalId: "id-é", value: v });
    }
  });

  test("state names are Kafka's", () => {
    assert.equal(txnStateName(TxnState.PrepareEpochFence), "PrepareEpochFence");
    assert.equal(txnStateFromName("CompleteAbort"), TxnState.CompleteAbort);
    assert.equal(txnStateFromName("ongoing"), null);
  });
});

describe("decodeTxnRecords", () => {
  test("reads records and tombstones from batches, in order", () => {
    const a = encodeTxnRecordsBatch([{ transactionalId: "a", value: ONGOING }], 1000);
    const b = encodeTxnRecordsBatch(
      [{ transactionalId: "a", value: null }, { transactionalId: "b", value: ONGOING }],
      2000,
    );
    const { records, skipped } = decodeTxnRecords(new Uint8Array([...a, ...b]));
    assert.equal(skipped, 0);
    assert.deepEqual(records, [
      { transactionalId: "a", value: ONGOING },
      { transactionalId: "a", value: null },
      { transactionalId: "b", value: ONGOING },
    ]);
  });

  test("a batch with a bad crc is skipped and counted; the next one is read", () => {
    const a = encodeTxnRecordsBatch([{ transactionalId: "a", value: ONGOING }], 1000);
    const b = encodeTxnRecordsBatch([{ transactionalId: "b", value: ONGOING }], 1000);
    const joined = new Uint8Array([...a, ...b]);
    joined[a.length - 1] ^= 0xff;
    const { records, skipped } = decodeTxnRecords(joined);
    assert.equal(skipped, 1);
    assert.deepEqual(records.map((r) => r.transactionalId), ["b"]);
  });
});
