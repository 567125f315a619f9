/** Retention by time and size, DeleteRecords, log start offset following, delayed file deletion. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import type { ProducerStateHooks } from "../../src/log/partition_log.ts";
import { batch, isRecords, openLog, partitionDir, removeDir, T0, tempDir } from "./log_helpers.ts";

const OFFSET_OUT_OF_RANGE = 1;
let dir = "";
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

const HOUR = 3_600_000;
const NOW = Number(T0) + 100 * HOUR;
const logFiles = () => fs.readdirSync(partitionDir(dir)).filter((f) => f.endsWith(".log")).sort();

/** 20 batches of 2 records; batch i's timestamps are i hours after T0; ~4 batches per segment. */
function fill(log: ReturnType<typeof openLog>["log"]) {
  for (let i = 0; i < 20; i++) log.append(batch(2, { baseTimestamp: T0 + BigInt(i * HOUR), valueBytes: 40 }), 0, NOW);
}

describe("retention", () => {
  test("retention.ms deletes whole segments whose largest timestamp is too old", async () => {
    const starts: bigint[] = [];
    const hooks: ProducerStateHooks = {
      onRecoveredBatch: () => {},
      replayFrom: () => 0n,
      takeSnapshot: () => {},
      onLogStartOffset: (o) => void starts.push(o),
    };
    // The horizon: records older than 90 hours before NOW, i.e. batches 0..9 (timestamps T0..T0+9h).
    const { log } = openLog(dir, { segmentBytes: 700, retentionMs: 90 * HOUR, fileDeleteDelayMs: 0 }, {
      producerState: hooks,
    });
    fill(log);
    const before = log.segmentBaseOffsets;
    assert.ok(before.length >= 4);
    assert.equal(log.enforceRetention(Number(T0) + 90 * HOUR), 0); // nothing older than the horizon yet
    const deleted = log.enforceRetention(NOW - 0);
    const after = log.segmentBaseOffsets;
    assert.equal(deleted, before.length - after.length);
    assert.ok(deleted >= 1);
    // Every remaining segment but the active holds a batch at least 10 hours after T0, and the first
    // remaining one starts no later than offset 20 (batch 10), so nothing younger went.
    assert.ok(after[0] <= 20n, `first segment ${after[0]}`);
    assert.equal(log.logStartOffset, after[0]);
    assert.deepEqual(starts, [after[0]]);
    assert.deepEqual(log.read(after[0] - 1n, 100, true), { error: OFFSET_OUT_OF_RANGE });
    assert.ok(isRecords(log.read(after[0], 100, true)).length > 0);
    assert.equal(logFiles().length, after.length);
    assert.equal(log.offsetForTimestamp(0n)?.offset, after[0]);
    await log.close();
  });

  test("a wholly expired active segment is rolled and deleted; the log continues at its LEO", async () => {
    const { log } = openLog(dir, { retentionMs: HOUR, fileDeleteDelayMs: 0 });
    fill(log);
    assert.equal(log.segmentCount, 1);
    assert.equal(log.enforceRetention(Number(T0) + 21 * HOUR), 1);
    assert.deepEqual(log.segmentBaseOffsets, [40n]);
    assert.equal(log.logStartOffset, 40n);
    assert.equal(log.logEndOffset, 40n);
    assert.equal(log.sizeInBytes, 0);
    assert.equal(log.maxTimestampAndOffset(), null);
    assert.deepEqual(logFiles(), ["00000000000000000040.log"]);
    assert.equal(log.append(batch(1, { baseTimestamp: T0 + BigInt(21 * HOUR) }), 0, NOW).baseOffset, 40n);
    assert.equal(log.enforceRetention(Number(T0) + 21 * HOUR), 0);
    await log.close();
  });

  test("retention.bytes deletes the oldest segments until the rest fits", async () => {
    const { log } = openLog(dir, { segmentBytes: 700, retentionBytes: 1500, fileDeleteDelayMs: 0 });
    fill(log);
    const total = log.sizeInBytes;
    assert.ok(total > 3000);
    const deleted = log.enforceRetention(NOW);
    assert.ok(deleted >= 2);
    assert.ok(log.sizeInBytes <= 1500 + 700, `left ${log.sizeInBytes}`);
    // Deleting one segment fewer would have left more than retention.bytes... so the rule was applied exactly:
    assert.ok(log.sizeInBytes > 1500 - 700);
    assert.equal(log.logStartOffset, log.segmentBaseOffsets[0]);
    assert.equal(log.logEndOffset, 40n);
    await log.close();
  });

  test("deleted segments linger as *.deleted for file.delete.delay.ms", async () => {
    const { log } = openLog(dir, { segmentBytes: 700, retentionMs: HOUR, fileDeleteDelayMs: 60_000 });
    fill(log);
    const n = log.segmentCount;
    const at = Number(T0) + 12.5 * HOUR; // between record timestamps, so a minute later deletes nothing new
    log.enforceRetention(at);
    const names = fs.readdirSync(partitionDir(dir));
    assert.ok(names.some((f) => f.endsWith(".log.deleted")));
    assert.equal(logFiles().length, log.segmentCount);
    assert.ok(log.segmentCount < n);
    log.enforceRetention(at + 59_999);
    assert.ok(fs.readdirSync(partitionDir(dir)).some((f) => f.endsWith(".log.deleted")));
    log.enforceRetention(at + 60_000);
    assert.ok(!fs.readdirSync(partitionDir(dir)).some((f) => f.endsWith(".deleted")));
    await log.close();
  });
});

describe("deleteRecordsBefore", () => {
  test("moves the log start offset and deletes segments entirely below it", async () => {
    const { log } = openLog(dir, { segmentBytes: 700, fileDeleteDelayMs: 0 });
    fill(log);
    const bases = log.segmentBaseOffsets;
    const target = bases[2] + 1n; // inside the third segment
    assert.deepEqual(log.deleteRecordsBefore(target), { lowWatermark: target });
    assert.deepEqual(log.segmentBaseOffsets, bases.slice(2));
    assert.equal(log.logStartOffset, target);
    assert.deepEqual(log.deleteRecordsBefore(2n), { lowWatermark: target }); // never moves back
    assert.deepEqual(log.deleteRecordsBefore(41n), { error: OFFSET_OUT_OF_RANGE });
    assert.deepEqual(log.read(target - 1n, 100, true), { error: OFFSET_OUT_OF_RANGE });
    assert.deepEqual(log.deleteRecordsBefore(-1n), { lowWatermark: 40n }); // -1: up to the high watermark
    assert.equal(log.segmentCount, 1); // the active segment stays
    assert.equal(isRecords(log.read(40n, 100, true)).length, 0);
    await log.close();
    // The start offset is the caller's to checkpoint; reopening with it keeps reads below it refused.
    const { log: again } = openLog(dir, { segmentBytes: 700 }, { logStartOffset: 40n, recoveryPoint: 40n });
    assert.equal(again.logStartOffset, 40n);
    await again.close();
  });
});
