/** PartitionLog: appends and reads across rolls, read limits, LogAppendTime, ListOffsets lookups, reopen. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { computeBatchCrc, readBatchHeader } from "../../src/log/record_batch.ts";
import {
  batch,
  batchesOf,
  concat,
  isRecords,
  openLog,
  partitionDir,
  removeDir,
  T0,
  tempDir,
  TOPIC_ID,
} from "./log_helpers.ts";

const OFFSET_OUT_OF_RANGE = 1;
let dir = "";
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe("append and read", () => {
  test("round trip across several segment rolls, read at every offset", async () => {
    const { log } = openLog(dir, { segmentBytes: 1000, indexIntervalBytes: 150 });
    const appended: Uint8Array[] = [];
    let next = 0n;
    for (let i = 0; i < 40; i++) {
      const b = batch(1 + (i % 4), { tag: i });
      const r = log.append(b, 7, 1000 + i);
      assert.equal(r.baseOffset, next);
      assert.equal(r.lastOffset, next + BigInt(i % 4));
      assert.equal(r.logAppendTimeMs, -1n);
      next = r.lastOffset + 1n;
      appended.push(b);
    }
    assert.equal(log.logEndOffset, next);
    assert.equal(log.highWatermark, next);
    assert.ok(log.segmentCount >= 5, `segments: ${log.segmentCount}`);
    assert.equal(log.sizeInBytes, appended.reduce((n, b) => n + b.length, 0));
    const files = fs.readdirSync(partitionDir(dir)).filter((f) => f.endsWith(".log"));
    assert.equal(files.length, log.segmentCount);
    assert.ok(files.every((f) => /^\d{20}\.log$/.test(f)));

    // Every offset: the first batch returned holds it.
    for (let o = 0n; o < next; o++) {
      const got = batchesOf(isRecords(log.read(o, 1 << 20, false)));
      assert.ok(got.length > 0);
      assert.ok(got[0].base <= o && o <= got[0].last, `offset ${o} in ${got[0].base}..${got[0].last}`);
    }
    // Reading forward from 0 returns exactly what was appended (offsets assigned in place).
    const all: Uint8Array[] = [];
    for (let o = 0n; o < next;) {
      const got = batchesOf(isRecords(log.read(o, 1 << 20, false)));
      for (const g of got) all.push(g.bytes);
      o = got[got.length - 1].last + 1n;
    }
    assert.deepEqual(concat(all), concat(appended));
    const h = readBatchHeader(appended[3]);
    assert.equal(h.partitionLeaderEpoch, 7);
    assert.equal(h.crc, computeBatchCrc(appended[3], 0, appended[3].length));
    await log.close();
  });

  test("several batches in one append", async () => {
    const { log } = openLog(dir);
    const two = concat([batch(2), batch(3)]);
    const r = log.append(two, 0, 0);
    assert.deepEqual([r.baseOffset, r.lastOffset], [0n, 4n]);
    const got = batchesOf(isRecords(log.read(3n, 1 << 20, false)));
    assert.equal(got.length, 1); // the batch below offset 3 is not returned
    assert.deepEqual([got[0].base, got[0].last], [2n, 4n]);
    await log.close();
  });

  test("OFFSET_OUT_OF_RANGE at both ends, empty at the LEO", async () => {
    const { log } = openLog(dir, { segmentBytes: 300 });
    for (let i = 0; i < 6; i++) log.append(batch(2), 0, 0);
    assert.deepEqual(log.read(13n, 100, true), { error: OFFSET_OUT_OF_RANGE });
    assert.deepEqual(isRecords(log.read(12n, 100, true)).length, 0);
    assert.deepEqual(log.deleteRecordsBefore(5n), { lowWatermark: 5n });
    assert.deepEqual(log.read(4n, 100, true), { error: OFFSET_OUT_OF_RANGE });
    assert.ok(batchesOf(isRecords(log.read(5n, 1000, false)))[0].base <= 5n);
    assert.deepEqual(log.read(-1n, 100, true), { error: OFFSET_OUT_OF_RANGE });
    await log.close();
  });

  test("maxBytes trims to whole batches; minOneMessage returns one oversized batch", async () => {
    const { log } = openLog(dir);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const b = batch(3, { valueBytes: 50 });
      sizes.push(b.length);
      log.append(b, 0, 0);
    }
    assert.equal(isRecords(log.read(0n, sizes[0] - 1, false)).length, 0);
    assert.equal(isRecords(log.read(0n, sizes[0] - 1, true)).length, sizes[0]);
    assert.equal(isRecords(log.read(0n, 0, true)).length, sizes[0]);
    const twoAndHalf = sizes[0] + sizes[1] + (sizes[2] >> 1);
    assert.equal(isRecords(log.read(0n, twoAndHalf, false)).length, sizes[0] + sizes[1]);
    assert.equal(batchesOf(isRecords(log.read(4n, 1 << 20, false))).length, 3); // from the batch holding 4
    await log.close();
  });

  test("LogAppendTime stamps maxTimestamp and the type bit, and re-signs the batch", async () => {
    const { log } = openLog(dir, { messageTimestampType: "LogAppendTime" });
    const b = batch(3);
    const r = log.append(b, 2, 1_800_000_000_000);
    assert.equal(r.logAppendTimeMs, 1_800_000_000_000n);
    const stored = isRecords(log.read(0n, 1 << 20, false));
    const h = readBatchHeader(stored);
    assert.equal(h.timestampType, "LogAppendTime");
    assert.equal(h.maxTimestamp, 1_800_000_000_000n);
    assert.equal(h.baseTimestamp, T0);
    assert.equal(h.crc, computeBatchCrc(stored, 0, stored.length));
    assert.deepEqual(log.offsetForTimestamp(1_800_000_000_000n), {
      offset: 0n,
      timestamp: 1_800_000_000_000n,
      leaderEpoch: 2,
    });
    await log.close();
  });

  test("partition.metadata as Kafka writes it", async () => {
    const { log } = openLog(dir);
    await log.close();
    assert.equal(
      fs.readFileSync(path.join(partitionDir(dir), "partition.metadata"), "utf8"),
      `version: 0\ntopic_id: ${TOPIC_ID}\n`,
    );
    assert.throws(() => openLog(dir, {}, { topicId: "BBBBBBBBBBBBBBBBBBBBBQ" }), /belongs to topic id/);
  });
});

describe("timestamps", () => {
  /** 30 batches of 4 records; batch i's records at T0 + 100*i + 10*j. */
  function fill(logRef: ReturnType<typeof openLog>["log"]) {
    for (let i = 0; i < 30; i++) logRef.append(batch(4, { baseTimestamp: T0 + BigInt(100 * i), tsStep: 10 }), i, 0);
  }

  test("offsetForTimestamp through the time index, record by record", async () => {
    const { log } = openLog(dir, { segmentBytes: 800, indexIntervalBytes: 100 });
    fill(log);
    assert.ok(log.segmentCount > 3);
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 4; j++) {
        const ts = T0 + BigInt(100 * i + 10 * j);
        assert.deepEqual(log.offsetForTimestamp(ts), { offset: BigInt(4 * i + j), timestamp: ts, leaderEpoch: i });
        // Just above a record's timestamp: the next record.
        const next = j < 3
          ? { o: 4 * i + j + 1, t: ts + 10n, e: i }
          : { o: 4 * i + 4, t: T0 + BigInt(100 * (i + 1)), e: i + 1 };
        const got = log.offsetForTimestamp(ts + 1n);
        if (i === 29 && j === 3) assert.equal(got, null);
        else assert.deepEqual(got, { offset: BigInt(next.o), timestamp: next.t, leaderEpoch: next.e });
      }
    }
    assert.deepEqual(log.offsetForTimestamp(0n), { offset: 0n, timestamp: T0, leaderEpoch: 0 });
    log.deleteRecordsBefore(6n);
    assert.deepEqual(log.offsetForTimestamp(0n), { offset: 6n, timestamp: T0 + 120n, leaderEpoch: 1 });
    await log.close();
  });

  test("maxTimestampAndOffset: largest timestamp, earliest such offset, null when empty", async () => {
    const { log } = openLog(dir, { segmentBytes: 500 });
    assert.equal(log.maxTimestampAndOffset(), null);
    fill(log);
    // A batch in the middle with the largest timestamp on its second record, twice.
    const big = T0 + 1_000_000n;
    const b = batch(3, { baseTimestamp: big - 5n, tsStep: 5 }); // records at big-5, big, big+5
    log.append(b, 31, 0);
    log.append(batch(3, { baseTimestamp: big + 5n, tsStep: 0 }), 32, 0); // ties with big+5: later, not chosen
    fill(log);
    assert.deepEqual(log.maxTimestampAndOffset(), { offset: 122n, timestamp: big + 5n, leaderEpoch: 31 });
    await log.close();
  });
});

describe("rolls and flush", () => {
  test("segment.ms rolls on append and through maybeRoll", async () => {
    const { log } = openLog(dir, { segmentMs: 1000 });
    log.append(batch(1), 0, 10_000);
    log.append(batch(1), 0, 11_000); // exactly segment.ms: not yet
    assert.equal(log.segmentCount, 1);
    log.append(batch(1), 0, 11_001);
    assert.equal(log.segmentCount, 2);
    assert.deepEqual(log.segmentBaseOffsets, [0n, 2n]);
    log.maybeRoll(11_500);
    assert.equal(log.segmentCount, 2);
    log.maybeRoll(12_002);
    assert.deepEqual(log.segmentBaseOffsets, [0n, 2n, 3n]);
    log.maybeRoll(20_000); // an empty active segment never rolls
    assert.equal(log.segmentCount, 3);
    await log.close();
  });

  test("a full offset index forces a roll", async () => {
    const { log } = openLog(dir, { segmentIndexBytes: 16, indexIntervalBytes: 1 });
    for (let i = 0; i < 10; i++) log.append(batch(1), 0, 0);
    assert.ok(log.segmentCount >= 3, `segments ${log.segmentCount}`);
    await log.close();
  });

  test("a roll syncs the finished segment after rollFlushDelayMs, then moves the recovery point to the new segment", async () => {
    const { log } = openLog(dir, { segmentBytes: 200, rollFlushDelayMs: 400 });
    const rolledAt = performance.now();
    for (let i = 0; i < 4; i++) log.append(batch(2), 0, 0);
    assert.ok(log.segmentCount >= 2, `segments ${log.segmentCount}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (performance.now() - rolledAt < 400) assert.equal(log.recoveryPoint, 0n, "nothing synced before the delay");
    for (let waited = 0; log.recoveryPoint === 0n && waited < 5000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(performance.now() - rolledAt >= 400, "synced only after the delay");
    const rolledUpTo = log.recoveryPoint;
    assert.ok(
      rolledUpTo > 0n && rolledUpTo < log.logEndOffset,
      `recovery point ${rolledUpTo}: below the active segment`,
    );
    await log.close();
  });

  test("with rollFlushDelayMs 0 the finished segment is synced at once; close cancels waiting roll flushes", async () => {
    const now = openLog(dir, { segmentBytes: 200, rollFlushDelayMs: 0 });
    for (let i = 0; i < 4; i++) now.log.append(batch(2), 0, 0);
    for (let waited = 0; now.log.recoveryPoint === 0n && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(now.log.recoveryPoint > 0n);
    await now.log.close();
    removeDir(dir);
    dir = tempDir();
    const later = openLog(dir, { segmentBytes: 200, rollFlushDelayMs: 60_000 });
    for (let i = 0; i < 4; i++) later.log.append(batch(2), 0, 0);
    await later.log.close(); // flushes everything itself; the pending timer must not keep the process alive
    assert.equal(later.log.recoveryPoint, 8n);
  });

  test("flush advances the recovery point; flushDue follows flush.messages and flush.ms", async () => {
    const { log } = openLog(dir, { flushMessages: 5, flushMs: 1000 });
    assert.equal(log.recoveryPoint, 0n);
    assert.equal(log.flushDue(0), false);
    log.append(batch(3), 0, 100);
    assert.equal(log.flushDue(100), false);
    assert.equal(log.flushDue(1100), true); // oldest unflushed append is 1000 ms old
    log.append(batch(2), 0, 200);
    assert.equal(log.flushDue(200), true); // 5 unflushed messages
    await log.flush();
    assert.equal(log.recoveryPoint, 5n);
    assert.equal(log.flushDue(5000), false);
    await log.close();
  });

  test("concurrent flushes share syncs and cover every append before them", async () => {
    const { log } = openLog(dir);
    log.append(batch(3), 0, 0);
    const a = log.flush();
    const b = log.flush();
    assert.equal(a, b); // the in-flight sync already covers the LEO
    log.append(batch(2), 0, 0);
    const c = log.flush();
    const d = log.flush();
    assert.notEqual(c, a);
    assert.equal(c, d); // both wait for the one sync queued behind the in-flight one
    await a;
    assert.ok(log.recoveryPoint >= 3n);
    await Promise.all([c, d]);
    assert.equal(log.recoveryPoint, 5n);
    await log.flush(); // nothing left to sync
    await log.close();
  });
});

describe("reopen", () => {
  test("after a clean close: same LEO, same data, no recovery", async () => {
    const cfg = { segmentBytes: 600, indexIntervalBytes: 100 };
    const first = openLog(dir, cfg).log;
    for (let i = 0; i < 20; i++) first.append(batch(3, { baseTimestamp: T0 + BigInt(i * 10) }), 1, 0);
    const before = isRecords(first.read(0n, 1 << 20, false));
    const maxTs = first.maxTimestampAndOffset();
    const segments = first.segmentBaseOffsets;
    await first.close();
    const { log, lines } = openLog(dir, cfg, { recoveryPoint: 60n, logStartOffset: 0n });
    assert.equal(log.recovery, null);
    assert.deepEqual(lines, []);
    assert.equal(log.logEndOffset, 60n);
    assert.equal(log.recoveryPoint, 60n);
    assert.deepEqual(log.segmentBaseOffsets, segments);
    assert.deepEqual(isRecords(log.read(0n, 1 << 20, false)), before);
    assert.deepEqual(log.maxTimestampAndOffset(), maxTs);
    assert.equal(log.offsetForTimestamp(T0 + 95n)?.offset, 30n);
    const r = log.append(batch(1), 1, 0);
    assert.equal(r.baseOffset, 60n);
    await log.close();
  });
});
