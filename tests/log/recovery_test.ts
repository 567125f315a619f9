/** Recovery on open: torn tails truncated (garbage, half batch, flipped byte), indexes rebuilt, hooks replayed. */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { BatchHeader } from "../../src/log/record_batch.ts";
import type { ProducerStateHooks } from "../../src/log/partition_log.ts";
import { segmentFileName } from "../../src/log/segment.ts";
import { batch, batchesOf, concat, isRecords, openLog, partitionDir, removeDir, T0, tempDir } from "./log_helpers.ts";

let dir = "";
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

const CFG = { segmentBytes: 800, indexIntervalBytes: 100 };

/** 30 batches of 3 records (offsets 0..89) over several segments; returns the last segment's .log path. */
async function writeLog(): Promise<{ lastLog: string; bases: bigint[]; bytes: Uint8Array }> {
  const { log } = openLog(dir, CFG);
  for (let i = 0; i < 30; i++) log.append(batch(3, { baseTimestamp: T0 + BigInt(i * 10), tag: i }), 0, 0);
  const bases = log.segmentBaseOffsets;
  const bytes = isRecords(log.read(0n, 1 << 24, false));
  await log.close();
  return { lastLog: path.join(partitionDir(dir), segmentFileName(bases[bases.length - 1], ".log")), bases, bytes };
}

/** All bytes from offset 0 to the LEO, reading segment by segment. */
function readAll(log: ReturnType<typeof openLog>["log"]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = log.logStartOffset; o < log.logEndOffset;) {
    const got = batchesOf(isRecords(log.read(o, 1 << 20, false)));
    for (const g of got) out.push(g.bytes);
    o = got[got.length - 1].last + 1n;
  }
  return out;
}

describe("unclean shutdown", () => {
  test("nothing torn: every segment from the recovery point is checked, data kept", async () => {
    const { bases } = await writeLog();
    const { log, lines } = openLog(dir, CFG, { cleanShutdown: false, recoveryPoint: bases[1] });
    assert.ok(log.recovery);
    assert.equal(log.recovery.truncatedBytes, 0);
    assert.equal(log.recovery.segmentsRecovered, bases.length - 1);
    assert.equal(log.logEndOffset, 90n);
    assert.equal(log.recoveryPoint, bases[1]); // recovered bytes are not known to be on disk yet
    assert.match(lines.join("\n"), /Recovered t-0: checked \d+ batches in \d+ segments \(unclean shutdown\), no torn/);
    await log.flush();
    assert.equal(log.recoveryPoint, 90n);
    await log.close();
  });

  test("garbage after the last batch is truncated", async () => {
    const { lastLog } = await writeLog();
    const size = fs.statSync(lastLog).size;
    fs.appendFileSync(lastLog, new Uint8Array(333).fill(0x5a));
    const { log, lines } = openLog(dir, CFG, { cleanShutdown: false, recoveryPoint: 0n });
    assert.ok(log.recovery);
    assert.equal(log.recovery.truncatedBytes, 333);
    assert.equal(fs.statSync(lastLog).size, size);
    assert.equal(log.logEndOffset, 90n);
    assert.match(
      lines.join("\n"),
      /WARN Recovery of t-0 truncated damaged data: .*333 bytes from byte \d+ \(offsets 90 on\) moved to/,
    );
    assert.match(lines.join("\n"), /truncated 333 bytes from offset 90/);
    const aside = fs.readdirSync(partitionDir(dir)).filter((f) => f.endsWith(".corrupt"));
    assert.equal(aside.length, 1);
    assert.deepEqual(
      new Uint8Array(fs.readFileSync(path.join(partitionDir(dir), aside[0]))),
      new Uint8Array(333).fill(0x5a),
    );
    assert.equal(log.append(batch(1), 0, 0).baseOffset, 90n);
    assert.equal(readAll(log).length, 31);
    await log.close();
  });

  test("a half-written batch is cut off and its offsets reused", async () => {
    const { lastLog } = await writeLog();
    const size = fs.statSync(lastLog).size;
    const half = batch(5, { valueBytes: 100 });
    fs.appendFileSync(lastLog, half.subarray(0, half.length >> 1));
    const { log } = openLog(dir, CFG, { cleanShutdown: false, recoveryPoint: 90n });
    assert.equal(log.recovery?.truncatedBytes, half.length >> 1);
    assert.match(log.recovery!.reason, /torn batch/);
    assert.equal(fs.statSync(lastLog).size, size);
    assert.equal(log.logEndOffset, 90n);
    await log.close();
  });

  test("a flipped byte in the last batch fails its CRC: that batch is dropped", async () => {
    const { lastLog } = await writeLog();
    const bytes = fs.readFileSync(lastLog);
    const last = batchesOf(new Uint8Array(bytes)).pop()!;
    const lastPos = bytes.length - last.bytes.length;
    bytes[bytes.length - 3] ^= 0x01;
    fs.writeFileSync(lastLog, bytes);
    const { log } = openLog(dir, CFG, { cleanShutdown: false, recoveryPoint: 0n });
    assert.equal(log.recovery?.truncatedBytes, last.bytes.length);
    assert.match(log.recovery!.reason, /fails its CRC/);
    assert.equal(log.logEndOffset, 87n);
    assert.equal(fs.statSync(lastLog).size, lastPos);
    assert.equal(isRecords(log.read(86n, 1 << 20, false)).length > 0, true);
    await log.close();
  });

  test("corruption in a sealed segment cuts only that segment's tail: later segments are kept", async () => {
    const { bases } = await writeLog();
    const laterFiles = bases.slice(2).map((b) =>
      fs.readFileSync(path.join(partitionDir(dir), segmentFileName(b, ".log")))
    );
    const secondLog = path.join(partitionDir(dir), segmentFileName(bases[1], ".log"));
    const bytes = fs.readFileSync(secondLog);
    bytes[bytes.length - 20] ^= 0xff;
    fs.writeFileSync(secondLog, bytes);
    const { log, lines } = openLog(dir, CFG, { cleanShutdown: false, recoveryPoint: bases[1] });
    assert.equal(log.segmentCount, bases.length);
    assert.equal(log.logEndOffset, 90n);
    const logs = fs.readdirSync(partitionDir(dir)).filter((f) => f.endsWith(".log"));
    assert.equal(logs.length, bases.length);
    assert.ok(log.recovery!.truncatedBytes > 0);
    const error = lines.find((l) => l.startsWith("ERROR "));
    assert.match(
      error ?? "",
      new RegExp(`${segmentFileName(bases[1], ".log")}: batch at byte \\d+ .*fails its CRC; \\d+ bytes`),
    );
    assert.match(error ?? "", new RegExp(`later segment\\(s\\) from offset ${bases[2]} are kept`));
    const aside = fs.readdirSync(partitionDir(dir)).filter((f) => f.endsWith(".corrupt"));
    assert.equal(aside.length, 1);
    // Every batch of the later segments still reads back byte for byte.
    const got: Uint8Array[] = [];
    for (let o = bases[2]; o < log.logEndOffset;) {
      const batches = batchesOf(isRecords(log.read(o, 1 << 20, false)));
      got.push(...batches.map((b) => b.bytes));
      o = batches[batches.length - 1].last + 1n;
    }
    assert.ok(got.length > 0);
    assert.deepEqual(concat(got), concat(laterFiles.map((b) => new Uint8Array(b))));
    await log.close();
  });

  test("a torn tail is found even after a 'clean' shutdown, and start-up still succeeds", async () => {
    const { lastLog } = await writeLog();
    fs.appendFileSync(lastLog, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 90, 0, 0, 0, 200, 1]));
    const { log } = openLog(dir, CFG, { cleanShutdown: true, recoveryPoint: 90n });
    assert.equal(log.recovery?.truncatedBytes, 13);
    assert.equal(log.logEndOffset, 90n);
    await log.close();
  });

  test("a log ending past the recovery point is recovered even after a clean shutdown", async () => {
    const { bases } = await writeLog();
    const { log } = openLog(dir, CFG, { cleanShutdown: true, recoveryPoint: bases[2] });
    assert.ok(log.recovery);
    assert.equal(log.recovery.segmentsRecovered, bases.length - 2);
    assert.match(log.recovery.reason, /past the recovery point/);
    await log.close();
  });
});

describe("indexes", () => {
  test("missing and corrupt index files are rebuilt identical to the originals", async () => {
    const { bases, bytes } = await writeLog();
    const pdir = partitionDir(dir);
    const idx0 = path.join(pdir, segmentFileName(bases[0], ".index"));
    const time1 = path.join(pdir, segmentFileName(bases[1], ".timeindex"));
    const origIdx = fs.readFileSync(idx0);
    const origTime = fs.readFileSync(time1);
    assert.ok(origIdx.length > 0 && origTime.length > 0);
    fs.rmSync(idx0);
    fs.writeFileSync(time1, origTime.subarray(0, origTime.length - 5));
    const { log, lines } = openLog(dir, CFG, { cleanShutdown: true, recoveryPoint: 90n });
    assert.ok(log.recovery);
    assert.equal(log.recovery.indexesRebuilt, 2);
    assert.equal(log.recovery.segmentsRecovered, 0);
    assert.match(lines[0], /rebuilt 2 segment indexes/);
    assert.deepEqual(fs.readFileSync(idx0), origIdx);
    assert.deepEqual(fs.readFileSync(time1), origTime);
    assert.deepEqual(isRecords(log.read(0n, 1 << 24, false)), bytes);
    for (let o = 0n; o < 90n; o++) {
      const first = batchesOf(isRecords(log.read(o, 100, true)))[0];
      assert.ok(first.base <= o && o <= first.last);
    }
    assert.equal(log.offsetForTimestamp(T0 + 150n)?.offset, 45n);
    await log.close();
  });

  test("leftover *.deleted files and orphan indexes are removed on open", async () => {
    const { bases } = await writeLog();
    const pdir = partitionDir(dir);
    fs.writeFileSync(path.join(pdir, segmentFileName(999n, ".log.deleted")), "x");
    fs.writeFileSync(path.join(pdir, segmentFileName(999n, ".index")), "");
    fs.writeFileSync(path.join(pdir, "other.snapshot"), "kept");
    const { log } = openLog(dir, CFG, { recoveryPoint: 90n });
    const names = fs.readdirSync(pdir);
    assert.ok(!names.some((n) => n.startsWith(segmentFileName(999n, ""))));
    assert.ok(names.includes("other.snapshot"));
    assert.equal(log.segmentCount, bases.length);
    await log.close();
  });
});

describe("producer-state hooks", () => {
  test("headers after replayFrom are replayed; snapshots on roll and close", async () => {
    await writeLog();
    const seen: Array<[bigint, number]> = [];
    const snapshots: bigint[] = [];
    const hooks: ProducerStateHooks = {
      onRecoveredBatch: (h: BatchHeader, base: bigint) => void seen.push([base, h.recordsCount]),
      replayFrom: () => 81n,
      takeSnapshot: (leo: bigint) => void snapshots.push(leo),
      onLogStartOffset: () => {},
    };
    const { log } = openLog(dir, CFG, { cleanShutdown: false, recoveryPoint: 0n, producerState: hooks });
    assert.deepEqual(seen, [[81n, 3], [84n, 3], [87n, 3]]);
    const segments = log.segmentCount;
    for (let i = 0; i < 10; i++) log.append(batch(3), 0, 0);
    assert.ok(log.segmentCount > segments);
    assert.ok(snapshots.length >= 1 && snapshots.every((s) => s >= 90n && s <= 120n));
    assert.equal(snapshots[0], log.segmentBaseOffsets[segments]);
    await log.close();
    assert.equal(snapshots[snapshots.length - 1], 120n);
  });
});
