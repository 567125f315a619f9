/**
 * The transaction coordinator served (txn_service.ts, txn_router.ts, the transactional APIs and KIP-890's
 * produce verification) through a whole in-process broker core with 2 handlers, so ids, partitions and
 * markers really cross handlers: FindCoordinator creates __transaction_state; a transaction commits and
 * aborts with read_committed reads to match; Produce to a partition not added is refused as Kafka refuses
 * it; a new InitProducerId fences the old producer; Describe/ListTransactions show the ids; after a crash
 * a transaction left open is aborted by its timeout, and one whose PrepareCommit was written but none of its
 * markers is completed with COMMIT markers; markers refused with a storage error are retried; and a call that
 * finds the previous transaction completing waits for it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import { LocalBroker } from "../_local_broker.ts";
import { failed } from "../../../src/replica/local_partition.ts";
import type { PartitionOp } from "../../../src/replica/partition_ops.ts";
import { encodeTxnRecordsBatch, TxnState } from "../../../src/txn/txn_records.ts";
import { javaStringHash } from "../../../src/cluster/offsets_topic.ts";
import { eventually, TxnClient, valuesOf } from "../_txn_client.ts";

const TOPIC = "t";

describe("transaction coordinator service", () => {
  test("commit, abort, verification errors, fencing, describe and list", async () => {
    const broker = await LocalBroker.start({ handlers: 2 });
    try {
      await broker.createTopic(TOPIC, 2);
      const c = new TxnClient(broker);
      assert.equal((await c.init("tx")).errorCode, ErrorCode.NOT_COORDINATOR, "no __transaction_state yet");
      assert.equal(await c.findCoordinator("tx"), ErrorCode.COORDINATOR_NOT_AVAILABLE, "created on first use");
      assert.equal(await c.findCoordinator("tx"), ErrorCode.NONE);
      assert.equal(await c.findCoordinator("tx", 4), ErrorCode.NONE);
      assert.ok(broker.states[0].metadata.byName.get("__transaction_state")?.internal);

      const init = await c.init("tx");
      assert.equal(init.errorCode, ErrorCode.NONE);
      const { producerId: pid, producerEpoch: epoch } = init;

      // KIP-890: a partition not added to the transaction.
      assert.equal((await c.produce("tx", pid, epoch, TOPIC, 0, ["x"], 11)).errorCode, ErrorCode.TRANSACTION_ABORTABLE);
      const old = await c.produce("tx", pid, epoch, TOPIC, 0, ["x"], 9);
      assert.equal(old.errorCode, ErrorCode.INVALID_TXN_STATE);
      assert.equal(old.errorMessage, "Partition was not added to the transaction");
      assert.equal(
        (await c.produce(null, pid, epoch, TOPIC, 0, ["x"])).errorCode,
        ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        "a transactional batch without a transactional id",
      );

      // Transaction 1: committed.
      assert.deepEqual(await c.addPartitions("tx", pid, epoch, TOPIC, [0, 1]), [0, 0]);
      assert.equal((await c.produce("tx", pid, epoch, TOPIC, 0, ["a", "b"])).errorCode, ErrorCode.NONE);
      assert.equal((await c.produce("tx", pid, epoch, TOPIC, 0, ["c"])).errorCode, ErrorCode.NONE);
      assert.equal((await c.produce("tx", pid, epoch, TOPIC, 1, ["d"])).errorCode, ErrorCode.NONE);
      assert.deepEqual(valuesOf((await c.fetch(TOPIC, 0, 1)).records), [], "not committed yet");
      assert.deepEqual(valuesOf((await c.fetch(TOPIC, 0, 0)).records), ["a", "b", "c"]);
      const described = (await c.describe(["tx", "nope"])).transactionStates;
      assert.equal(described[0].transactionState, "Ongoing");
      assert.deepEqual(described[0].topics, [{ topic: TOPIC, partitions: [0, 1] }]);
      assert.equal(described[1].errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
      assert.deepEqual(
        [described[1].producerId, described[1].producerEpoch, described[1].transactionStartTimeMs],
        [0n, 0, 0n],
        "as Kafka 4.4 answers: the schema defaults",
      );
      assert.deepEqual((await c.list(["Ongoing"])).transactionStates.map((t) => t.transactionalId), ["tx"]);
      assert.deepEqual((await c.list(["Bogus"])).unknownStateFilters, ["Bogus"]);

      assert.equal(await c.endTxn("tx", pid, epoch, true), ErrorCode.NONE);
      await eventually(async () => (await c.fetch(TOPIC, 0, 1)).lastStableOffset === 4n);
      assert.deepEqual(valuesOf((await c.fetch(TOPIC, 0, 1)).records), ["a", "b", "c"]);
      await eventually(async () =>
        (await c.describe(["tx"])).transactionStates[0].transactionState === "CompleteCommit"
      );
      assert.equal(await c.endTxn("tx", pid, epoch, true), ErrorCode.NONE, "the same outcome retried");
      assert.equal(await c.endTxn("tx", pid, epoch, false), ErrorCode.INVALID_TXN_STATE);

      // Transaction 2: aborted; its batch needs verification again (a new transaction at the partition).
      assert.equal((await c.produce("tx", pid, epoch, TOPIC, 0, ["late"])).errorCode, ErrorCode.TRANSACTION_ABORTABLE);
      assert.deepEqual(await c.addPartitions("tx", pid, epoch, TOPIC, [0]), [0]);
      assert.equal((await c.produce("tx", pid, epoch, TOPIC, 0, ["e"])).errorCode, ErrorCode.NONE);
      assert.equal(await c.endTxn("tx", pid, epoch, false), ErrorCode.NONE);
      await eventually(async () => (await c.fetch(TOPIC, 0, 1)).lastStableOffset === 6n);
      const committed = await c.fetch(TOPIC, 0, 1);
      assert.deepEqual(committed.abortedTransactions, [{ producerId: pid, firstOffset: 4n }]);
      assert.deepEqual(valuesOf((await c.fetch(TOPIC, 0, 0)).records), ["a", "b", "c", "e"]);

      // A new producer with the same id fences the old one.
      await eventually(async () => (await c.init("tx")).errorCode === ErrorCode.NONE || false);
      const described2 = (await c.describe(["tx"])).transactionStates[0];
      assert.ok(described2.producerEpoch > epoch, "the epoch was bumped");
      assert.equal(await c.addPartitions("tx", pid, epoch, TOPIC, [0]).then((e) => e[0]), ErrorCode.PRODUCER_FENCED);
      assert.equal(
        await c.addPartitions("tx", pid, epoch, TOPIC, [0], 1).then((e) => e[0]),
        ErrorCode.INVALID_PRODUCER_EPOCH,
        "v1 cannot read PRODUCER_FENCED",
      );
      assert.equal(await c.endTxn("tx", pid, epoch, true), ErrorCode.PRODUCER_FENCED);
      assert.equal(await c.endTxn("tx", pid, epoch, true, 1), ErrorCode.INVALID_PRODUCER_EPOCH);
    } finally {
      await broker.stop();
      broker.remove();
    }
  });

  test("a call finding the previous transaction still completing waits for it instead of CONCURRENT_TRANSACTIONS", async () => {
    const broker = await LocalBroker.start({ handlers: 2 });
    try {
      await broker.createTopic(TOPIC, 2);
      const c = new TxnClient(broker);
      await eventually(async () => (await c.findCoordinator("quick")) === ErrorCode.NONE);
      const { producerId: pid, producerEpoch: epoch } = await c.init("quick");
      for (let i = 0; i < 5; i++) {
        // Right after EndTxn's answer the markers are still being written: the next add waits for them.
        assert.deepEqual(await c.addPartitions("quick", pid, epoch, TOPIC, [0, 1]), [0, 0], `transaction ${i}`);
        assert.equal((await c.produce("quick", pid, epoch, TOPIC, i % 2, [`v${i}`])).errorCode, ErrorCode.NONE);
        assert.equal(await c.endTxn("quick", pid, epoch, true), ErrorCode.NONE);
      }
      // InitProducerId on an open transaction aborts it (fencing the producer) and, once that completed, answers
      // the next epoch at once, where Kafka answers CONCURRENT_TRANSACTIONS and lets the client retry.
      assert.deepEqual(await c.addPartitions("quick", pid, epoch, TOPIC, [0]), [0]);
      const fenced = await c.init("quick");
      assert.deepEqual([fenced.errorCode, fenced.producerId, fenced.producerEpoch], [0, pid, epoch + 2]);
      assert.equal((await c.describe(["quick"])).transactionStates[0].transactionState, "Empty");
    } finally {
      await broker.stop();
      broker.remove();
    }
  });

  test("markers that fail with a storage error are retried until written; then the transaction completes", async () => {
    const broker = await LocalBroker.start({ handlers: 2 });
    try {
      await broker.createTopic(TOPIC, 2);
      const c = new TxnClient(broker);
      await eventually(async () => (await c.findCoordinator("retry")) === ErrorCode.NONE);
      const { producerId: pid, producerEpoch: epoch } = await c.init("retry");
      assert.deepEqual(await c.addPartitions("retry", pid, epoch, TOPIC, [0, 1]), [0, 0]);
      for (const p of [0, 1]) assert.equal((await c.produce("retry", pid, epoch, TOPIC, p, ["r"])).errorCode, 0);
      // Each owner fails its first two marker writes, as a partition offline for a moment would.
      let refused = 0;
      for (const replicas of broker.replicas) {
        const execute = replicas.execute.bind(replicas);
        let failures = 2;
        replicas.execute = ((op: PartitionOp) => {
          if (op.op === "writeTxnMarkers" && failures > 0) {
            failures--;
            refused += op.items.length;
            return Promise.resolve(op.items.map(() => failed(ErrorCode.KAFKA_STORAGE_ERROR, "offline for a moment")));
          }
          return execute(op);
        }) as typeof replicas.execute;
      }
      assert.equal(await c.endTxn("retry", pid, epoch, true), ErrorCode.NONE);
      await eventually(async () =>
        (await c.describe(["retry"])).transactionStates[0].transactionState === "CompleteCommit"
      );
      assert.ok(refused >= 2, `markers were refused ${refused} times before they were written`);
      for (const p of [0, 1]) assert.equal((await c.fetch(TOPIC, p, 1)).lastStableOffset, 2n);
    } finally {
      await broker.stop();
      broker.remove();
    }
  });

  test("after a crash, a transaction left open is aborted by its timeout; a fenced InitProducerId retries", async () => {
    const overrides = ["transaction.abort.timed.out.transaction.cleanup.interval.ms=100"];
    let broker = await LocalBroker.start({ handlers: 2, overrides });
    const dir = broker.dir;
    try {
      await broker.createTopic(TOPIC, 1);
      let c = new TxnClient(broker);
      await c.findCoordinator("open");
      const { producerId: pid, producerEpoch: epoch } = await c.init("open", 500);
      assert.deepEqual(await c.addPartitions("open", pid, epoch, TOPIC, [0]), [0]);
      assert.equal((await c.produce("open", pid, epoch, TOPIC, 0, ["lost"])).errorCode, ErrorCode.NONE);
      await broker.stop({ crash: true });

      broker = await LocalBroker.start({ handlers: 2, overrides, dir });
      c = new TxnClient(broker);
      assert.equal((await c.fetch(TOPIC, 0, 1)).lastStableOffset, 0n, "recovery found the open transaction");
      await eventually(async () => (await c.fetch(TOPIC, 0, 1)).lastStableOffset === 2n);
      const read = await c.fetch(TOPIC, 0, 1);
      // read_committed returns the aborted batch with the aborted list, for the consumer to drop it.
      assert.deepEqual(valuesOf(read.records), ["lost"]);
      assert.deepEqual(read.abortedTransactions, [{ producerId: pid, firstOffset: 0n }]);
      const state = (await c.describe(["open"])).transactionStates[0];
      assert.equal(state.transactionState, "CompleteAbort");
      assert.equal(state.producerEpoch, epoch + 1, "the timeout fenced the producer");
      assert.equal(await c.endTxn("open", pid, epoch, true), ErrorCode.PRODUCER_FENCED);
      const again = await c.init("open", 500, 4, pid, epoch);
      assert.equal(again.errorCode, ErrorCode.PRODUCER_FENCED, "KIP-360 from the fenced epoch");
      const fresh = await c.init("open", 500);
      assert.equal(fresh.errorCode, ErrorCode.NONE);
      assert.equal(fresh.producerEpoch, epoch + 2);
    } finally {
      await broker.stop();
      broker.remove();
    }
  });

  test("after a crash between PrepareCommit and the markers, the load writes them and completes the commit", async () => {
    let broker = await LocalBroker.start({ handlers: 2 });
    const dir = broker.dir;
    try {
      await broker.createTopic(TOPIC, 2);
      let c = new TxnClient(broker);
      await eventually(async () => (await c.findCoordinator("crash")) === ErrorCode.NONE);
      const { producerId, producerEpoch } = await c.init("crash");
      assert.deepEqual(await c.addPartitions("crash", producerId, producerEpoch, TOPIC, [0, 1]), [0, 0]);
      assert.equal((await c.produce("crash", producerId, producerEpoch, TOPIC, 0, ["p0"])).errorCode, 0);
      assert.equal((await c.produce("crash", producerId, producerEpoch, TOPIC, 1, ["p1"])).errorCode, 0);
      // The state EndTxn leaves when the process dies right after its PrepareCommit is written.
      const state = broker.states[0].metadata.byName.get("__transaction_state")!;
      const partition = (javaStringHash("crash") & 0x7fffffff) % state.partitions;
      const now = Date.now();
      const prepared = encodeTxnRecordsBatch([{
        transactionalId: "crash",
        value: {
          producerId,
          producerEpoch,
          timeoutMs: 60_000,
          state: TxnState.PrepareCommit,
          partitions: [{ topic: TOPIC, partitions: [0, 1] }],
          lastUpdateTimestampMs: now,
          startTimestampMs: now,
        },
      }], now);
      const [written] = await broker.states[0].partitions.run({
        op: "produce",
        acks: -1,
        items: [{ topicId: state.topicId, partition, topic: "__transaction_state", records: prepared }],
      });
      assert.equal(written.errorCode, ErrorCode.NONE);
      await broker.stop({ crash: true });

      broker = await LocalBroker.start({ handlers: 2, dir });
      c = new TxnClient(broker);
      await eventually(async () =>
        (await c.describe(["crash"])).transactionStates[0].transactionState === "CompleteCommit"
      );
      for (const [p, value] of [[0, "p0"], [1, "p1"]] as const) {
        const read = await c.fetch(TOPIC, p, 1);
        assert.equal(read.lastStableOffset, 2n, `partition ${p}: the COMMIT marker closed the transaction`);
        assert.deepEqual(valuesOf(read.records), [value]);
        assert.deepEqual(read.abortedTransactions, []);
      }
      const next = await c.init("crash");
      assert.equal(next.errorCode, ErrorCode.NONE);
      assert.equal(next.producerEpoch, producerEpoch + 1, "the producer starts over with the next epoch");
    } finally {
      await broker.stop();
      broker.remove();
    }
  });
});
