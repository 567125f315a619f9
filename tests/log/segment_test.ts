/** Segment files: index layout on disk (Kafka's entry formats and cadence), index lookups, file names. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { OffsetIndex } from "../../src/log/offset_index.ts";
import { TimeIndex } from "../../src/log/time_index.ts";
import { segmentFileName } from "../../src/log/segment.ts";
import { batch, openLog, partitionDir, removeDir, T0, tempDir } from "./log_helpers.ts";

let dir = "";
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe("index files on disk", () => {
  test("offset and time index entries follow Kafka's per-batch cadence, big-endian", async () => {
    const interval = 200;
    const { log } = openLog(dir, { indexIntervalBytes: interval });
    // Timestamps go up and down so that the time index only grows on a new maximum.
    const tsOf = [0, 50, 20, 80, 80, 10, 300, 90, 400, 5, 410, 420, 100, 500, 30, 30, 700, 1, 2, 3];
    const expectedIdx: Array<[number, number]> = [];
    const expectedTime: Array<[bigint, number]> = [];
    let since = 0;
    let pos = 0;
    let maxTs = -1n;
    let maxRel = 0;
    let rel = 0;
    tsOf.forEach((t, i) => {
      const b = batch(1 + (i % 3), { baseTimestamp: T0 + BigInt(t), valueBytes: 30 });
      log.append(b, 0, 0);
      const lastRel = rel + (i % 3);
      const bts = T0 + BigInt(t) + BigInt(i % 3); // tsStep 1: max = base + n - 1
      if (bts > maxTs) [maxTs, maxRel] = [bts, lastRel];
      if (since > interval) {
        expectedIdx.push([lastRel, pos]);
        if (expectedTime.length === 0 || maxTs > expectedTime[expectedTime.length - 1][0]) {
          expectedTime.push([maxTs, maxRel]);
        }
        since = 0;
      }
      since += b.length;
      pos += b.length;
      rel = lastRel + 1;
    });
    await log.close();
    // close adds the final time entry, as Kafka's onBecomeInactiveSegment / close
    if (maxTs > expectedTime[expectedTime.length - 1][0]) expectedTime.push([maxTs, maxRel]);
    assert.ok(expectedIdx.length >= 5);

    const pdir = partitionDir(dir);
    assert.deepEqual(fs.readdirSync(pdir).sort(), [
      "00000000000000000000.index",
      "00000000000000000000.log",
      "00000000000000000000.timeindex",
      "partition.metadata",
    ]);
    assert.equal(fs.statSync(path.join(pdir, "00000000000000000000.log")).size, pos);
    const idx = fs.readFileSync(path.join(pdir, "00000000000000000000.index"));
    assert.equal(idx.length, expectedIdx.length * 8);
    const iv = new DataView(idx.buffer, idx.byteOffset, idx.length);
    expectedIdx.forEach(([r, p], i) => {
      assert.deepEqual([iv.getInt32(i * 8), iv.getInt32(i * 8 + 4)], [r, p], `index entry ${i}`);
    });
    const time = fs.readFileSync(path.join(pdir, "00000000000000000000.timeindex"));
    assert.equal(time.length, expectedTime.length * 12);
    const tv = new DataView(time.buffer, time.byteOffset, time.length);
    expectedTime.forEach(([t, r], i) => {
      assert.deepEqual([tv.getBigInt64(i * 12), tv.getInt32(i * 12 + 8)], [t, r], `time entry ${i}`);
    });
  });

  test("an entry only once MORE than index.interval.bytes were appended since the last one", async () => {
    const size = batch(1).length;
    const { log } = openLog(dir, { indexIntervalBytes: 2 * size });
    for (let i = 0; i < 10; i++) log.append(batch(1), 0, 0);
    await log.close();
    const idx = fs.readFileSync(path.join(partitionDir(dir), "00000000000000000000.index"));
    const v = new DataView(idx.buffer, idx.byteOffset, idx.length);
    const entries = Array.from({ length: idx.length / 8 }, (_, i) => [v.getInt32(i * 8), v.getInt32(i * 8 + 4)]);
    assert.deepEqual(entries, [[3, 3 * size], [6, 6 * size], [9, 9 * size]]);
  });

  test("a rolled segment's indexes are written with relative offsets; names are 20-digit base offsets", async () => {
    const { log } = openLog(dir, { segmentBytes: 400, indexIntervalBytes: 50 });
    for (let i = 0; i < 12; i++) log.append(batch(2, { valueBytes: 40, baseTimestamp: T0 + BigInt(i) }), 0, 0);
    const bases = log.segmentBaseOffsets;
    assert.ok(bases.length >= 3);
    await log.close();
    const second = bases[1];
    assert.ok(second > 0n);
    const idx = fs.readFileSync(path.join(partitionDir(dir), segmentFileName(second, ".index")));
    const v = new DataView(idx.buffer, idx.byteOffset, idx.length);
    assert.ok(idx.length >= 8);
    assert.equal(v.getInt32(0), 1 + 2); // second batch's last offset, relative to the segment
    assert.equal(segmentFileName(second, ".log"), second.toString().padStart(20, "0") + ".log");
  });
});

describe("in-memory index lookups", () => {
  test("OffsetIndex binary search: last entry <= target", () => {
    const idx = OffsetIndex.empty(path.join(dir, "x.index"), 1024);
    for (let i = 1; i <= 50; i++) idx.append(i * 10, i * 1000);
    assert.equal(idx.lookup(0), 0);
    assert.equal(idx.lookup(9), 0);
    assert.equal(idx.lookup(10), 1000);
    assert.equal(idx.lookup(255), 25000);
    assert.equal(idx.lookup(10_000), 50000);
    assert.throws(() => idx.append(500, 60000), /not above/);
    assert.equal(idx.maxEntries, 128);
  });

  test("TimeIndex: appends only a growing timestamp; lookup last entry <= ts", () => {
    const idx = TimeIndex.empty(path.join(dir, "x.timeindex"), 1200);
    idx.maybeAppend(-1n, 0); // no timestamp: ignored, as Kafka
    idx.maybeAppend(100n, 3);
    idx.maybeAppend(100n, 5);
    idx.maybeAppend(90n, 6);
    idx.maybeAppend(200n, 9);
    assert.equal(idx.entries, 2);
    assert.equal(idx.lookup(99n), -1);
    assert.equal(idx.lookup(100n), 3);
    assert.equal(idx.lookup(199n), 3);
    assert.equal(idx.lookup(5000n), 9);
    assert.equal(idx.maxEntries, 100);
  });

  test("loading rejects bad index files", () => {
    const p = path.join(dir, "y.index");
    fs.writeFileSync(p, new Uint8Array(12));
    assert.match(OffsetIndex.load(p, 1024, 100) as string, /not a multiple/);
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setInt32(0, 5);
    v.setInt32(4, 100);
    v.setInt32(8, 4); // not increasing
    v.setInt32(12, 200);
    fs.writeFileSync(p, b);
    assert.match(OffsetIndex.load(p, 1024, 1000) as string, /relative offset 4 after 5/);
    v.setInt32(8, 6);
    fs.writeFileSync(p, b);
    assert.match(OffsetIndex.load(p, 1024, 150) as string, /position 200/);
    assert.ok(OffsetIndex.load(p, 1024, 1000) instanceof OffsetIndex);
    assert.equal(OffsetIndex.load(path.join(dir, "none.index"), 1024, 1), "missing offset index");
  });
});
