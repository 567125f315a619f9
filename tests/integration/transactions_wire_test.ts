/**
 * Transactions against a broker process (2 handler Workers), in raw requests over a socket: FindCoordinator
 * creates __transaction_state; InitProducerId → AddPartitionsToTxn → transactional Produce → EndTxn commit,
 * after which a read_committed Fetch sees the records; an abort leaves them listed as aborted; a produce to
 * a partition not added is refused (KIP-890); a second InitProducerId fences the first producer; and a
 * transaction left open when the broker is killed (SIGKILL) is aborted by its timeout after the restart; and
 * __transaction_state stays bounded under many transactions (the log cleaner compacts it). On Deno and on Bun.
 */
import { after, before, describe, test } from "node:test";
import * as fs from "node:fs";
import * as path from "node:path";
import assert from "node:assert/strict";
import { type BrokerProcess, type Flavour, startBroker } from "./_broker.ts";
import { wireCaller, WireClient } from "./_wire.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { javaStringHash } from "../../src/cluster/offsets_topic.ts";
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { type Caller, eventually, TxnClient, valuesOf } from "../handler/_txn_client.ts";

const TOPIC = "txn-wire";
const call = wireCaller("transactions-wire");
const OVERRIDES = {
  "transaction.abort.timed.out.transaction.cleanup.interval.ms": 200,
  // Small __transaction_state segments and a quick cleaner: the compaction test sees many segments cleaned.
  "transaction.state.log.segment.bytes": 4096,
  "log.cleaner.backoff.ms": 100,
};

async function connect(broker: BrokerProcess): Promise<{ client: WireClient; txn: TxnClient }> {
  const client = await WireClient.connect(broker.port);
  const caller: Caller = (k, v, r, e, d) => call(client, k, v, r, e, d);
  return { client, txn: new TxnClient(caller) };
}

async function createTopic(txn: TxnClient, name: string, partitions: number): Promise<void> {
  const res = await txn.broker.call(
    19,
    5,
    {
      topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 10_000,
      validateOnly: false,
    },
    encodeCreateTopicsRequest,
    decodeCreateTopicsResponse,
  );
  assert.equal(res.topics[0].errorCode, ErrorCode.NONE);
}

async function findCoordinator(txn: TxnClient, id: string): Promise<void> {
  await eventually(async () => (await txn.findCoordinator(id)) === ErrorCode.NONE, 10_000);
}

for (const flavour of ["deno", "bun"] as Flavour[]) {
  describe(`transactions over the wire (${flavour})`, () => {
    let broker: BrokerProcess;
    let client: WireClient;
    let txn: TxnClient;
    before(async () => {
      broker = await startBroker(flavour, { overrides: OVERRIDES });
      ({ client, txn } = await connect(broker));
      await createTopic(txn, TOPIC, 2);
    });
    after(async () => {
      client?.destroy();
      if (broker?.running) await broker.stop();
    });

    test("commit, abort, an unadded partition, and a fenced producer", async () => {
      await findCoordinator(txn, "wire-tx");
      const { errorCode, producerId: pid, producerEpoch: epoch } = await txn.init("wire-tx");
      assert.equal(errorCode, ErrorCode.NONE);
      assert.equal(
        (await txn.produce("wire-tx", pid, epoch, TOPIC, 0, ["x"])).errorCode,
        ErrorCode.TRANSACTION_ABORTABLE,
      );

      assert.deepEqual(await txn.addPartitions("wire-tx", pid, epoch, TOPIC, [0, 1]), [0, 0]);
      assert.equal((await txn.produce("wire-tx", pid, epoch, TOPIC, 0, ["a", "b"])).errorCode, ErrorCode.NONE);
      assert.equal((await txn.produce("wire-tx", pid, epoch, TOPIC, 1, ["c"])).errorCode, ErrorCode.NONE);
      assert.deepEqual(valuesOf((await txn.fetch(TOPIC, 0, 1)).records), []);
      assert.equal(await txn.endTxn("wire-tx", pid, epoch, true), ErrorCode.NONE);
      await eventually(async () => valuesOf((await txn.fetch(TOPIC, 0, 1)).records).length === 2);
      assert.deepEqual(valuesOf((await txn.fetch(TOPIC, 0, 1)).records), ["a", "b"]);
      await eventually(async () => valuesOf((await txn.fetch(TOPIC, 1, 1)).records).length === 1);

      // The next transaction starts once the previous one completed (CONCURRENT_TRANSACTIONS meanwhile).
      await eventually(async () => (await txn.addPartitions("wire-tx", pid, epoch, TOPIC, [0]))[0] === ErrorCode.NONE);
      assert.equal((await txn.produce("wire-tx", pid, epoch, TOPIC, 0, ["d"])).errorCode, ErrorCode.NONE);
      assert.equal(await txn.endTxn("wire-tx", pid, epoch, false), ErrorCode.NONE);
      await eventually(async () => (await txn.fetch(TOPIC, 0, 1)).lastStableOffset === 5n);
      const aborted = await txn.fetch(TOPIC, 0, 1);
      assert.deepEqual(aborted.abortedTransactions, [{ producerId: pid, firstOffset: 3n }]);

      // A new producer with the same transactional id fences the first.
      await eventually(async () => (await txn.init("wire-tx")).errorCode === ErrorCode.NONE);
      assert.equal(await txn.endTxn("wire-tx", pid, epoch, true), ErrorCode.PRODUCER_FENCED);
      assert.equal((await txn.addPartitions("wire-tx", pid, epoch, TOPIC, [0]))[0], ErrorCode.PRODUCER_FENCED);
      const listed = await txn.list();
      assert.deepEqual(listed.transactionStates.map((t) => t.transactionalId), ["wire-tx"]);
    });

    test("__transaction_state stays bounded: the log cleaner compacts an id's many records", async () => {
      await findCoordinator(txn, "wire-many");
      const { producerId: pid, producerEpoch: epoch } = await txn.init("wire-many");
      for (let i = 0; i < 150; i++) {
        await eventually(async () =>
          (await txn.addPartitions("wire-many", pid, epoch, TOPIC, [0]))[0] === ErrorCode.NONE
        );
        assert.equal(await txn.endTxn("wire-many", pid, epoch, i % 2 === 0), ErrorCode.NONE);
      }
      // 150 transactions write ~450 records (~50 KiB) to the id's partition: a dozen 4 KiB segments uncleaned.
      const dir = path.join(broker.dataDir, `__transaction_state-${(javaStringHash("wire-many") & 0x7fffffff) % 50}`);
      const live = () => fs.readdirSync(dir).filter((f) => f.endsWith(".log"));
      // The cleaner deletes segments while we look: one listed and gone before its stat counts 0.
      const sizeOf = (f: string) => fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0;
      const bytes = () => live().reduce((n, f) => n + sizeOf(f), 0);
      const lastBase = () => Math.max(...live().map((f) => Number(f.slice(0, -4))));
      await eventually(() => Promise.resolve(lastBase() >= 300 && bytes() <= 12 * 1024), 20_000);
      const after = await txn.init("wire-many");
      assert.equal(after.errorCode, ErrorCode.NONE, "the id's state survived compaction");
      assert.equal(after.producerEpoch, epoch + 1);
    });

    test("a transaction open at a SIGKILL is aborted by its timeout after the restart", async () => {
      await findCoordinator(txn, "wire-open");
      const { producerId: pid, producerEpoch: epoch } = await txn.init("wire-open", 1500);
      assert.deepEqual(await txn.addPartitions("wire-open", pid, epoch, TOPIC, [1]), [0]);
      assert.equal((await txn.produce("wire-open", pid, epoch, TOPIC, 1, ["open"])).errorCode, ErrorCode.NONE);
      const lso = (await txn.fetch(TOPIC, 1, 1)).lastStableOffset;
      client.destroy();
      await broker.stop("SIGKILL");

      broker = await startBroker(flavour, { overrides: OVERRIDES, dataDir: broker.dataDir });
      ({ client, txn } = await connect(broker));
      // (The open transaction holds the LSO until then, unless the restart itself outlasted the 1.5 s timeout.)
      await eventually(async () => (await txn.fetch(TOPIC, 1, 1)).lastStableOffset > lso, 15_000);
      const read = await txn.fetch(TOPIC, 1, 1);
      assert.deepEqual(read.abortedTransactions, [{ producerId: pid, firstOffset: lso }]);
      const state = (await txn.describe(["wire-open"])).transactionStates[0];
      assert.equal(state.transactionState, "CompleteAbort");
      assert.equal(await txn.endTxn("wire-open", pid, epoch, true), ErrorCode.PRODUCER_FENCED);
    });
  });
}
