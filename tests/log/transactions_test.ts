/**
 * Transactions on one partition (a LocalPartition over a real PartitionLog and producer state): the last
 * stable offset with interleaved producers, COMMIT and ABORT markers and their epoch checks, the aborted
 * transactions a read_committed read lists, the `.txnindex` entries, recovery rebuilding them after an
 * unclean stop, and retention deleting them with their segment.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildBatch } from "../../src/log/record_batch.ts";
import { readMarker } from "../../src/log/control_record.ts";
import { type AbortedTxn, TxnIndex } from "../../src/log/txn_index.ts";
import type { LocalPartition, TxnMarkerWrite } from "../../src/replica/local_partition.ts";
import { ErrorCode } from "../../src/protocol/errors.ts";
import { cleanLog, context } from "./cleaner_helpers.ts";
import { NOW, openTxnPartition } from "./txn_partition_helpers.ts";
import { batchesOf, config, partitionDir, removeDir, T0, tempDir } from "./log_helpers.ts";

const READ_COMMITTED = 1;
/** These tests write as a verified producer would; the KIP-890 guard tests turn verification on. */
const open = openTxnPartition;

/** Per producer id, the next sequence. */
const sequences = new Map<bigint, number>();

/** Appends `n` records of producer `pid` (transactional unless told otherwise); returns the base offset. */
function write(part: LocalPartition, pid: bigint, n = 1, transactional = true): bigint {
  const seq = sequences.get(pid) ?? 0;
  // Keyed, so compacted logs take them too.
  const records = Array.from({ length: n }, (_, i) => ({ key: new Uint8Array([i]), value: new Uint8Array([i]) }));
  const out = part.append(
    buildBatch(records, {
      producerId: pid,
      producerEpoch: 0,
      baseSequence: seq,
      isTransactional: transactional,
      baseTimestamp: T0,
    }),
    -1,
    NOW,
  );
  assert.equal(out.errorCode, ErrorCode.NONE, out.errorMessage ?? "");
  sequences.set(pid, seq + n);
  return out.baseOffset;
}

/** A plain (non-idempotent) batch of one record. */
function writePlain(part: LocalPartition): bigint {
  const out = part.append(
    buildBatch([{ key: new Uint8Array(1), value: new Uint8Array(1) }], { baseTimestamp: T0 }),
    -1,
    NOW,
  );
  assert.equal(out.errorCode, ErrorCode.NONE);
  return out.baseOffset;
}

function marker(part: LocalPartition, pid: bigint, commit: boolean, extra: Partial<TxnMarkerWrite> = {}): bigint {
  const out = part.writeTxnMarker({ producerId: pid, producerEpoch: 0, coordinatorEpoch: 0, commit, ...extra }, NOW);
  assert.equal(out.errorCode, ErrorCode.NONE, out.errorMessage ?? "");
  return out.baseOffset;
}

/** Every batch a read at `isolation` returns from `from` on (reads are per segment, so repeated). */
function readAll(part: LocalPartition, from: bigint, isolation = 0) {
  const batches: Array<{ base: bigint; last: bigint }> = [];
  const aborted: Array<{ producerId: bigint; firstOffset: bigint }> = [];
  let offset = from;
  for (;;) {
    const out = part.read(offset, 1 << 20, isolation);
    assert.equal(out.errorCode, ErrorCode.NONE);
    const got = batchesOf(out.records!);
    if (got.length === 0) return { batches, aborted, last: out };
    batches.push(...got.map(({ base, last }) => ({ base, last })));
    // Each read lists every abort overlapping it, so one spanning reads comes again: keep it once.
    for (const a of out.abortedTransactions ?? []) {
      if (!aborted.some((x) => x.producerId === a.producerId && x.firstOffset === a.firstOffset)) aborted.push(a);
    }
    offset = got[got.length - 1].last + 1n;
  }
}

function withDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const dir = tempDir();
    sequences.clear();
    try {
      await fn(dir);
    } finally {
      removeDir(dir);
    }
  };
}

const entry = (producerId: bigint, firstOffset: bigint, lastOffset: bigint, lastStableOffset: bigint): AbortedTxn => ({
  producerId,
  firstOffset,
  lastOffset,
  lastStableOffset,
});

function txnIndexAt(dir: string, base: bigint): string {
  return path.join(partitionDir(dir), `${base.toString().padStart(20, "0")}.txnindex`);
}

describe("transactions on a partition", () => {
  test(
    "the LSO is the earliest open transaction's first offset; read_committed stops there",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      assert.equal(write(part, 1n, 2), 0n); // producer 1's transaction opens at 0
      assert.equal(writePlain(part), 2n);
      assert.equal(write(part, 2n), 3n); // producer 2's opens at 3
      assert.equal(part.lastStableOffset, 0n);
      assert.equal(log.highWatermark, 4n);
      const early = part.read(0n, 1 << 20, READ_COMMITTED);
      assert.equal(early.lastStableOffset, 0n);
      assert.equal(early.highWatermark, 4n);
      assert.equal(early.records!.length, 0, "nothing below the LSO yet");
      assert.deepEqual(early.abortedTransactions, []);
      assert.equal(part.read(0n, 1 << 20).records!.length > 0, true, "read_uncommitted reads to the high watermark");
      assert.equal(part.listOffset(-1n, READ_COMMITTED).offset, 0n);
      assert.equal(part.listOffset(-1n).offset, 4n);
      // Look-ups by timestamp (and max timestamp) answer only offsets below the LSO to read_committed.
      assert.equal(part.listOffset(T0, READ_COMMITTED).offset, -1n);
      assert.equal(part.listOffset(-3n, READ_COMMITTED).offset, -1n);
      assert.equal(part.listOffset(T0).offset, 0n);

      assert.equal(marker(part, 1n, true), 4n); // COMMIT: the LSO moves to producer 2's first offset
      assert.equal(part.lastStableOffset, 3n);
      const committed = readAll(part, 0n, READ_COMMITTED);
      assert.deepEqual(committed.batches.map((b) => b.base), [0n, 2n]);
      assert.equal(part.listOffset(-1n, READ_COMMITTED).offset, 3n);
      assert.equal(part.listOffset(T0, READ_COMMITTED).offset, 0n);

      assert.equal(marker(part, 2n, false), 5n); // ABORT: nothing open, LSO = HW
      assert.equal(part.lastStableOffset, 6n);
      const all = readAll(part, 0n, READ_COMMITTED);
      assert.deepEqual(all.batches.map((b) => b.base), [0n, 2n, 3n, 4n, 5n]);
      assert.deepEqual(all.aborted, [{ producerId: 2n, firstOffset: 3n }]);
      assert.equal(readAll(part, 0n).aborted.length, 0, "read_uncommitted lists none");
      assert.deepEqual(new TxnIndex(txnIndexAt(dir, 0n)).entries, [entry(2n, 3n, 5n, 6n)]);
      // The markers are control batches the log keeps with their type.
      const markerBatch = part.read(5n, 1 << 20).records!;
      assert.deepEqual(readMarker(markerBatch), { commit: false, coordinatorEpoch: 0 });
      await log.close();
    }),
  );

  test(
    "an abort's index entry records the LSO then, bounded by another open transaction",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      write(part, 1n); // 0: producer 1 open
      write(part, 2n); // 1: producer 2 open
      marker(part, 2n, false); // 2: producer 2 aborts while 1 is open → LSO 0
      write(part, 3n); // 3
      marker(part, 1n, false); // 4: producer 1 aborts; producer 3 still open → LSO 3
      marker(part, 3n, true); // 5
      assert.deepEqual(new TxnIndex(txnIndexAt(dir, 0n)).entries, [entry(2n, 1n, 2n, 0n), entry(1n, 0n, 4n, 3n)]);
      // A fetch from 3 overlaps producer 1's aborted range (0..4), not producer 2's (1..2).
      assert.deepEqual(readAll(part, 3n, READ_COMMITTED).aborted, [{ producerId: 1n, firstOffset: 0n }]);
      // An abort with no data here still gets its entry (Kafka writes one for every ABORT).
      marker(part, 9n, false); // 6
      assert.deepEqual(new TxnIndex(txnIndexAt(dir, 0n)).entries.at(-1), entry(9n, 6n, 6n, 7n));
      await log.close();
    }),
  );

  test(
    "markers and writes are checked as Kafka's ProducerAppendInfo checks them",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      write(part, 1n);
      const nonTxn = part.append(
        buildBatch([{ key: null, value: null }], {
          producerId: 1n,
          producerEpoch: 0,
          baseSequence: sequences.get(1n)!,
          baseTimestamp: T0,
        }),
        -1,
        NOW,
      );
      assert.equal(nonTxn.errorCode, ErrorCode.INVALID_TXN_STATE, "a non-transactional write inside a transaction");
      marker(part, 1n, true, { producerEpoch: 1, coordinatorEpoch: 5 });
      const oldEpoch = part.writeTxnMarker(
        { producerId: 1n, producerEpoch: 0, coordinatorEpoch: 5, commit: true },
        NOW,
      );
      assert.equal(oldEpoch.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
      const oldCoordinator = part.writeTxnMarker(
        { producerId: 1n, producerEpoch: 1, coordinatorEpoch: 4, commit: false },
        NOW,
      );
      assert.equal(oldCoordinator.errorCode, ErrorCode.TRANSACTION_COORDINATOR_FENCED);
      assert.equal(log.highWatermark, 2n, "refused markers write nothing");
      await log.close();
    }),
  );

  test(
    "KIP-890: a transactional batch opening a transaction needs the guard handed out, which a marker clears",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      part.verifyTxns = true;
      const batch = (seq: number, epoch = 0) =>
        buildBatch([{ key: new Uint8Array(1), value: null }], {
          producerId: 7n,
          producerEpoch: epoch,
          baseSequence: seq,
          isTransactional: true,
          baseTimestamp: T0,
        });
      const first = part.append(batch(0), -1, NOW);
      assert.equal(first.errorCode, ErrorCode.INVALID_TXN_STATE);
      const guard = first.verificationGuard!;
      assert.equal(typeof guard, "number", "a guard is handed out");
      assert.equal(part.append(batch(0), -1, NOW).verificationGuard, guard, "the same guard while it waits");
      const wrong = part.append(batch(0), -1, NOW, guard + 1000);
      assert.equal(wrong.errorCode, ErrorCode.INVALID_TXN_STATE);
      assert.equal(wrong.verificationGuard, undefined, "a wrong guard is refused, not re-verified");
      assert.equal(part.append(batch(0), -1, NOW, guard).errorCode, ErrorCode.NONE);
      assert.equal(part.append(batch(1), -1, NOW).errorCode, ErrorCode.NONE, "its transaction is open here now");
      marker(part, 7n, true); // 2
      // A new transaction needs a new guard; one handed out before a marker is worthless after it.
      const next = part.append(batch(2), -1, NOW);
      assert.notEqual(next.verificationGuard, undefined);
      part.writeTxnMarker({ producerId: 7n, producerEpoch: 1, coordinatorEpoch: 0, commit: false }, NOW); // 3
      const late = part.append(batch(2), -1, NOW, next.verificationGuard);
      assert.equal(late.errorCode, ErrorCode.INVALID_TXN_STATE, "the guard was cleared by the abort marker");
      assert.equal(part.append(batch(0, 1), -1, NOW, "trusted").errorCode, ErrorCode.NONE, "a coordinator's own write");
      assert.equal(log.highWatermark, 5n);
      part.verifyTxns = false;
      assert.equal(part.append(batch(0, 2), -1, NOW).errorCode, ErrorCode.NONE, "verification off: appended");
      await log.close();
    }),
  );

  test(
    "KIP-890: a partition the coordinator admitted to the transaction takes its batches without a guard until the marker",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      part.verifyTxns = true;
      const batch = (seq: number, epoch = 0) =>
        buildBatch([{ key: new Uint8Array(1), value: null }], {
          producerId: 8n,
          producerEpoch: epoch,
          baseSequence: seq,
          isTransactional: true,
          baseTimestamp: T0,
        });
      part.admitTxn(8n, 0);
      assert.equal(part.append(batch(0, 1), -1, NOW).verificationGuard !== undefined, true, "another epoch verifies");
      const admitted = part.append(batch(0), -1, NOW);
      assert.equal(admitted.errorCode, ErrorCode.NONE, admitted.errorMessage ?? "");
      marker(part, 8n, false);
      const after = part.append(batch(1), -1, NOW);
      assert.equal(after.errorCode, ErrorCode.INVALID_TXN_STATE, "the marker ended the admission");
      assert.notEqual(after.verificationGuard, undefined);
      await log.close();
    }),
  );

  test(
    "after an unclean stop the LSO and the aborted-transaction indexes are rebuilt from the log",
    withDir(async (dir) => {
      const cfg = { segmentBytes: 200 };
      const first = open(dir, cfg);
      write(first.part, 1n, 3); // 0..2
      write(first.part, 2n); // 3
      marker(first.part, 1n, false); // 4: abort of 0..4 while producer 2 is open from 3
      write(first.part, 4n); // 5
      marker(first.part, 4n, false); // 6
      write(first.part, 5n); // 7: left open by the crash
      const bases = first.log.segmentBaseOffsets;
      assert.ok(bases.length >= 3, `segments rolled (${bases})`);
      const before = bases.map((b) => new TxnIndex(txnIndexAt(dir, b)).entries);
      assert.deepEqual(before.flat(), [entry(1n, 0n, 4n, 3n), entry(4n, 5n, 6n, 3n)]);
      assert.equal(first.part.lastStableOffset, 3n);
      first.log.abandon(); // a kill: no snapshot, no clean close
      // Lose one index and tear another, as a crash before the page cache was written could.
      const files = bases.map((b) => txnIndexAt(dir, b)).filter((f) => fs.existsSync(f));
      assert.equal(files.length, 2);
      fs.rmSync(files[0]);
      fs.writeFileSync(files[1], new Uint8Array(20));

      const second = open(dir, cfg, false);
      assert.deepEqual(bases.map((b) => new TxnIndex(txnIndexAt(dir, b)).entries), before);
      assert.equal(second.part.lastStableOffset, 3n, "producer 2's transaction is still open");
      marker(second.part, 2n, true);
      assert.equal(second.part.lastStableOffset, 7n, "then producer 5's");
      const got = readAll(second.part, 0n, READ_COMMITTED);
      assert.deepEqual(got.aborted, [{ producerId: 1n, firstOffset: 0n }, { producerId: 4n, firstOffset: 5n }]);
      assert.equal(got.batches.at(-1)!.base, 6n, "stops below the open transaction at 7");
      await second.log.close();
    }),
  );

  test(
    "the LSO never falls below the log start (an open transaction's first batches deleted)",
    withDir(async (dir) => {
      const { part, log } = open(dir);
      write(part, 1n); // 0: open
      writePlain(part);
      writePlain(part);
      assert.equal(part.lastStableOffset, 0n);
      log.deleteRecordsBefore(2n);
      assert.equal(part.lastStableOffset, 2n);
      assert.deepEqual(readAll(part, 2n, READ_COMMITTED).batches, [], "still nothing stable past the open transaction");
      await log.close();
    }),
  );

  test(
    "retention deletes a segment's txn index with it",
    withDir(async (dir) => {
      const { part, log } = open(dir, { segmentBytes: 200, fileDeleteDelayMs: 0 });
      write(part, 1n, 3);
      marker(part, 1n, false);
      for (let i = 0; i < 4; i++) writePlain(part);
      const bases = log.segmentBaseOffsets;
      const withIndex = bases.find((b) => fs.existsSync(txnIndexAt(dir, b)))!;
      assert.notEqual(withIndex, undefined);
      const after = bases[bases.indexOf(withIndex) + 1];
      log.deleteRecordsBefore(after);
      log.enforceRetention(NOW);
      const left = fs.readdirSync(partitionDir(dir)).filter((f) => f.includes(".txnindex"));
      assert.deepEqual(left, [], "neither the index nor a .deleted copy is left");
      assert.deepEqual(readAll(part, after, READ_COMMITTED).aborted, []);
      await log.close();
    }),
  );

  test(
    "the log cleaner's rewrite keeps the aborted-transaction entries of the segments it merges",
    withDir(async (dir) => {
      const cfg = { compact: true, segmentBytes: 200 };
      const { part, log } = open(dir, cfg);
      write(part, 1n, 2);
      write(part, 2n);
      marker(part, 1n, false);
      marker(part, 2n, false);
      for (let i = 0; i < 6; i++) writePlain(part);
      const entries = () => log.segmentBaseOffsets.flatMap((b) => new TxnIndex(txnIndexAt(dir, b)).entries);
      const before = entries();
      assert.equal(before.length, 2);
      const segmentsBefore = log.segmentCount;
      await cleanLog(
        context(log, config({ ...cfg, segmentBytes: 4096 }), {
          producerLastOffsets: () => part.producers.lastBatchOffsets(),
        }),
      );
      assert.ok(log.segmentCount < segmentsBefore, `segments merged (${segmentsBefore} → ${log.segmentCount})`);
      assert.deepEqual(entries(), before);
      assert.deepEqual(readAll(part, 0n, READ_COMMITTED).aborted, [
        { producerId: 1n, firstOffset: 0n },
        { producerId: 2n, firstOffset: 2n },
      ]);
      await log.close();
    }),
  );

  test(
    "the transactions a Java producer ran on Kafka 4.4 give the same .txnindex bytes and read_committed answers",
    withDir(async (dir) => {
      // Observed on the reference Kafka 4.4 (scripts/kafka/reference.ts): producer 0 sends 1 and 2 records and
      // aborts (marker at 3), sends 2 and commits (marker at 6), then leaves 1 record open at 7. Its
      // 00000000000000000000.txnindex was these 34 bytes, and a read_committed Fetch from 0 answered batches
      // 0, 1, 3, 4, 6 with HW 8, LSO 7 and aborted [(0, 0)]; from 4, no aborted transactions.
      const kafkaTxnIndex = [
        ...[0, 0], // version 0
        ...[0, 0, 0, 0, 0, 0, 0, 0], // producer id 0
        ...[0, 0, 0, 0, 0, 0, 0, 0], // first offset 0
        ...[0, 0, 0, 0, 0, 0, 0, 3], // last offset: the ABORT marker at 3
        ...[0, 0, 0, 0, 0, 0, 0, 4], // the LSO after it
      ];
      const { part, log } = open(dir);
      write(part, 0n, 1);
      write(part, 0n, 2);
      marker(part, 0n, false);
      write(part, 0n, 2);
      marker(part, 0n, true);
      write(part, 0n, 1);
      assert.deepEqual([...fs.readFileSync(txnIndexAt(dir, 0n))], kafkaTxnIndex);
      const out = part.read(0n, 1 << 20, READ_COMMITTED);
      assert.deepEqual(batchesOf(out.records!).map((b) => b.base), [0n, 1n, 3n, 4n, 6n]);
      assert.equal(out.highWatermark, 8n);
      assert.equal(out.lastStableOffset, 7n);
      assert.deepEqual(out.abortedTransactions, [{ producerId: 0n, firstOffset: 0n }]);
      assert.deepEqual(part.read(4n, 1 << 20, READ_COMMITTED).abortedTransactions, []);
      assert.deepEqual(part.read(2n, 1 << 20, READ_COMMITTED).abortedTransactions, [{
        producerId: 0n,
        firstOffset: 0n,
      }]);
      assert.equal(part.listOffset(-1n, READ_COMMITTED).offset, 7n);
      await log.close();
    }),
  );
});
