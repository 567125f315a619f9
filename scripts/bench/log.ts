/**
 * Partition log throughput: appends of ~1 MiB (16 KiB batches of 1 KiB records, back to back) into a
 * PartitionLog in a temp dir, then tail reads of 1 MiB (a consumer catching up over data still in the
 * page cache), then one flush (fdatasync) of everything. Run under Deno and Bun:
 *   ./node_modules/.bin/deno run -A scripts/bench/log.ts     ./node_modules/.bin/bun scripts/bench/log.ts
 * Optional argument: total MiB to append (default 512).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildBatch } from "../../src/log/record_batch.ts";
import { DEFAULT_LOG_CONFIG } from "../../src/log/log_config.ts";
import { PartitionLog } from "../../src/log/partition_log.ts";
import { Logger } from "../../src/util/logger.ts";

const runtime = "Deno" in globalThis ? "deno" : "bun";
const totalMiB = Number((globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? 512) || 512;
const MiB = 1 << 20;

function appendUnit(logAppendTime: boolean): Uint8Array {
  const value = new Uint8Array(1024).fill(0x61);
  const one = buildBatch(Array.from({ length: 16 }, () => ({ key: null, value })), {
    baseTimestamp: 1_700_000_000_000n,
  });
  const n = Math.floor(MiB / one.length);
  const unit = new Uint8Array(n * one.length);
  for (let i = 0; i < n; i++) unit.set(one, i * one.length);
  void logAppendTime;
  return unit;
}

async function run(label: string, timestampType: "CreateTime" | "LogAppendTime"): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-bench-log-"));
  try {
    const log = PartitionLog.open({
      dir: path.join(root, "bench-0"),
      topic: "bench",
      partition: 0,
      topicId: "AAAAAAAAAAAAAAAAAAAAAA",
      config: { ...DEFAULT_LOG_CONFIG, messageTimestampType: timestampType },
      recoveryPoint: 0n,
      cleanShutdown: true,
      logger: new Logger("bench"),
    });
    const unit = appendUnit(timestampType === "LogAppendTime");
    const appends = Math.ceil((totalMiB * MiB) / unit.length);
    let t = performance.now();
    for (let i = 0; i < appends; i++) log.append(unit, 0, Date.now());
    const appendSec = (performance.now() - t) / 1000;
    const bytes = log.sizeInBytes;

    // Tail reads: 1 MiB at a time from the oldest offset to the LEO, as a consumer catching up.
    t = performance.now();
    let read = 0;
    let reads = 0;
    for (let offset = log.logStartOffset; offset < log.logEndOffset;) {
      const r = log.read(offset, MiB, true);
      if ("error" in r || r.records.length === 0) throw new Error(`read at ${offset} failed`);
      read += r.records.length;
      reads++;
      const v = new DataView(r.records.buffer, r.records.byteOffset, r.records.length);
      // next offset: the last batch's base + lastOffsetDelta + 1 (walk the batch lengths)
      let pos = 0;
      let last = offset;
      while (pos < r.records.length) {
        last = v.getBigInt64(pos) + BigInt(v.getInt32(pos + 23));
        pos += 12 + v.getInt32(pos + 8);
      }
      offset = last + 1n;
    }
    const readSec = (performance.now() - t) / 1000;

    t = performance.now();
    await log.flush();
    const flushSec = (performance.now() - t) / 1000;
    await log.close();
    const mbs = (b: number, s: number) => (b / MiB / s).toFixed(0);
    console.log(
      `${runtime} ${label}: append ${mbs(bytes, appendSec)} MiB/s (${appends} x ${
        (unit.length / 1024).toFixed(0)
      } KiB, ` +
        `${(appends / appendSec).toFixed(0)} appends/s); tail read ${mbs(read, readSec)} MiB/s (${reads} x 1 MiB); ` +
        `fdatasync of ${(bytes / MiB).toFixed(0)} MiB ${flushSec.toFixed(2)} s`,
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

await run("CreateTime", "CreateTime");
await run("LogAppendTime (crc recomputed per batch)", "LogAppendTime");
