/**
 * TxnOffsetCommit's KIP-890 check with the transaction coordinator: the group's __consumer_offsets
 * partition is what is verified, and the coordinator's answers become what Kafka 4.4's TxnOffsetCommit
 * answers per version (INVALID_TXN_STATE v0–v3 / TRANSACTION_ABORTABLE v4 for a partition not added,
 * INVALID_PRODUCER_EPOCH for a fenced epoch, COORDINATOR_NOT_AVAILABLE while it cannot answer).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { txnOffsetCommitVerifier, txnOffsetVerificationError } from "../../src/group/txn_offset_verification.ts";
import type { TxnAccess } from "../../src/txn/txn_ops.ts";
import type { TxnCall } from "../../src/txn/txn_ops.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";

function fakeTxns(answer: { errorCode: number; partition?: number }, calls: TxnCall[]): TxnAccess {
  return {
    run: (call) => {
      calls.push(call);
      const partitions = call.kind === "addPartitions"
        ? call.partitions.map((tp) => ({ ...tp, errorCode: answer.partition ?? 0 }))
        : [];
      return Promise.resolve({ errorCode: answer.errorCode, partitions } as never);
    },
    list: () => Promise.reject(new Error("not used")),
    ensureTopic: () => Promise.resolve(true),
  };
}

const check = (apiVersion: number) => ({
  transactionalId: "tx",
  producerId: 7n,
  producerEpoch: 2,
  offsetsPartition: 13,
  apiVersion,
});

describe("TxnOffsetCommit verification", () => {
  test("asks verify-only for the group's __consumer_offsets partition with the producer's id and epoch", async () => {
    const calls: TxnCall[] = [];
    const verify = txnOffsetCommitVerifier(() => fakeTxns({ errorCode: 0 }, calls), () => true);
    assert.equal(await verify(check(3)), ErrorCode.NONE);
    assert.deepEqual(calls, [{
      kind: "addPartitions",
      verifyOnly: true,
      transactionalId: "tx",
      producerId: 7n,
      producerEpoch: 2,
      partitions: [{ topic: "__consumer_offsets", partition: 13 }],
    }]);
  });

  test("a partition not added: INVALID_TXN_STATE before v4, TRANSACTION_ABORTABLE at v4", async () => {
    const calls: TxnCall[] = [];
    const verify = txnOffsetCommitVerifier(
      () => fakeTxns({ errorCode: 0, partition: ErrorCode.TRANSACTION_ABORTABLE }, calls),
      () => true,
    );
    for (const v of [0, 1, 2, 3]) assert.equal(await verify(check(v)), ErrorCode.INVALID_TXN_STATE, `v${v}`);
    assert.equal(await verify(check(4)), ErrorCode.TRANSACTION_ABORTABLE);
  });

  test("top-level answers: fenced, unknown producer, coordinator not ready", async () => {
    const answers: Array<[number, number]> = [
      [ErrorCode.PRODUCER_FENCED, ErrorCode.INVALID_PRODUCER_EPOCH],
      [ErrorCode.INVALID_PRODUCER_ID_MAPPING, ErrorCode.INVALID_PRODUCER_ID_MAPPING],
      [ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE],
      [ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.COORDINATOR_NOT_AVAILABLE],
    ];
    for (const [given, answered] of answers) {
      const verify = txnOffsetCommitVerifier(() => fakeTxns({ errorCode: given }, []), () => true);
      assert.equal(await verify(check(4)), answered, `coordinator said ${given}`);
      assert.equal(txnOffsetVerificationError(given, 4), answered);
    }
  });

  test("transaction.partition.verification.enable=false asks nothing", async () => {
    const calls: TxnCall[] = [];
    const verify = txnOffsetCommitVerifier(
      () => fakeTxns({ errorCode: ErrorCode.PRODUCER_FENCED }, calls),
      () => false,
    );
    assert.equal(await verify(check(4)), ErrorCode.NONE);
    assert.deepEqual(calls, []);
  });
});
