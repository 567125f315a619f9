/**
 * The log cleaner and transactions (Kafka's Cleaner with CleanedTransactionMetadata and the LSO bound of
 * LogCleanerManager): records of aborted transactions never replace a committed value and are removed,
 * their markers and aborted-transaction entries stay; a cleaning stops before the earliest open
 * transaction, whose records may still be aborted. A Streams `exactly_once_v2` changelog relies on both.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { PartitionLog } from "../../src/log/partition_log.ts";
import type { LogConfig } from "../../src/log/log_config.ts";
import type { LocalPartition } from "../../src/replica/local_partition.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { cleanLog, context, keyed, latestByKey, readAll } from "./cleaner_helpers.ts";
import { NOW, openTxnPartition } from "./txn_partition_helpers.ts";
import { config, removeDir, tempDir } from "./log_helpers.ts";

const READ_COMMITTED = 1;
const CFG: Partial<LogConfig> = { compact: true, segmentBytes: 300 };
const open = (dir: string, cleanShutdown = true) => openTxnPartition(dir, CFG, cleanShutdown);

function append(part: LocalPartition, key: string, value: string, producerId = -1n, sequence = -1): void {
  const batch = keyed([{ key, value }], {
    producerId,
    producerEpoch: producerId >= 0n ? 0 : -1,
    baseSequence: sequence,
    isTransactional: producerId >= 0n,
  });
  const out = part.append(batch, -1, NOW);
  assert.equal(out.errorCode, ErrorCode.NONE, out.errorMessage ?? "");
}

function marker(part: LocalPartition, producerId: bigint, commit: boolean): void {
  const out = part.writeTxnMarker({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit }, NOW);
  assert.equal(out.errorCode, ErrorCode.NONE, out.errorMessage ?? "");
}

/** Plain records of other keys, enough to roll the segments before them into the cleanable range. */
function filler(part: LocalPartition, n = 8): void {
  for (let i = 0; i < n; i++) append(part, `f${i}`, "x");
}

async function clean(part: LocalPartition, log: PartitionLog, nowMs = NOW + 1000) {
  return await cleanLog(
    context(log, config(CFG), {
      producerLastOffsets: () => part.producers.lastBatchOffsets(),
      firstUnstableOffset: () => part.producers.firstUnstableOffset(),
      now: () => nowMs,
    }),
  );
}

/** Offsets of the COMMIT/ABORT markers left in the log. */
function markerOffsets(log: PartitionLog): bigint[] {
  const { headers } = readAll(log);
  return headers.filter((h) => h.isControl).map((h) => h.baseOffset);
}

/** The values of `key` left in the log, in offset order. */
function valuesOf(log: PartitionLog, key: string): Array<string | null> {
  return readAll(log).records.filter((r) => r.key === key).map((r) => r.value);
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = tempDir();
    try {
      await fn(dir);
    } finally {
      removeDir(dir);
    }
  };
}

describe("the log cleaner and transactions", () => {
  test(
    "an aborted write never replaces the committed value of its key, and is removed",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      append(part, "a", "committed");
      append(part, "a", "aborted", 7n, 0);
      append(part, "b", "aborted too", 7n, 1);
      marker(part, 7n, false);
      append(part, "c", "in a committed transaction", 8n, 0);
      marker(part, 8n, true);
      filler(part);
      const stats = await clean(part, log);
      assert.ok(stats !== null, "a cleaning ran");
      assert.deepEqual(valuesOf(log, "a"), ["committed"]);
      assert.deepEqual(valuesOf(log, "b"), []);
      assert.deepEqual(valuesOf(log, "c"), ["in a committed transaction"]);
      // The ABORT marker's entry stays: a read_committed fetch from the start still lists the transaction.
      assert.deepEqual(part.read(0n, 1 << 20, READ_COMMITTED).abortedTransactions, [{
        producerId: 7n,
        firstOffset: 1n,
      }]);
      assert.equal(latestByKey(readAll(log).records).get("a"), "committed");
      await log.close();
    }),
  );

  test(
    "a marker whose transaction has no record left goes after delete.retention.ms, unless it closes its producer's last",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      append(part, "a", "aborted", 7n, 0);
      marker(part, 7n, false); // offset 1: nothing of its transaction will be left
      append(part, "b", "superseded", 8n, 0);
      marker(part, 8n, true); // offset 3: producer 8's last batch
      append(part, "d", "kept", 7n, 1);
      marker(part, 7n, true); // offset 5: its record stays
      append(part, "b", "newer");
      filler(part);
      assert.ok(await clean(part, log) !== null);
      assert.deepEqual(markerOffsets(log), [1n, 3n, 5n], "the first cleaning only sets the horizon");
      filler(part);
      const retention = config(CFG).deleteRetentionMs ?? 86_400_000;
      assert.ok(await clean(part, log, NOW + 1000 + retention + 1) !== null);
      assert.deepEqual(markerOffsets(log), [3n, 5n]);
      assert.deepEqual(valuesOf(log, "d"), ["kept"]);
      assert.equal(part.lastStableOffset, log.highWatermark, "no transaction left open");
      await log.close();
      // Replayed from the log alone (as after a crash), no transaction is open either.
      const again = open(dir, false);
      assert.equal(again.part.lastStableOffset, again.log.highWatermark);
      assert.equal(again.part.read(0n, 1 << 20, READ_COMMITTED).lastStableOffset, again.log.highWatermark);
      await again.log.close();
    }),
  );

  test(
    "a cleaning stops before an open transaction, so its abort later cannot cost the committed value",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      append(part, "a", "committed");
      append(part, "a", "open", 7n, 0);
      filler(part);
      const stats = await clean(part, log);
      assert.ok(stats === null || stats.endOffset <= 1n, `cleaned up to ${stats?.endOffset}, past the open txn`);
      marker(part, 7n, false);
      filler(part);
      assert.ok(await clean(part, log) !== null, "once the transaction ended, the log is cleaned");
      assert.deepEqual(valuesOf(log, "a"), ["committed"]);
      await log.close();
    }),
  );

  test(
    "without the LSO bound the same log would lose the value (the test can fail)",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      append(part, "a", "committed");
      append(part, "a", "open", 7n, 0);
      filler(part);
      await cleanLog(
        context(log, config(CFG), { producerLastOffsets: () => part.producers.lastBatchOffsets() }),
      );
      marker(part, 7n, false);
      assert.deepEqual(valuesOf(log, "a"), ["open"], "the committed value went: why the bound exists");
      await log.close();
    }),
  );
});
