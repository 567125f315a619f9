/**
 * Producer-state snapshot files: `<20-digit offset>.snapshot` in a partition
 * directory, as Kafka names them, holding the producer table as it was when
 * the log ended at that offset, so that a restart replays only the log after
 * it. The body is our own binary layout (Kafka's keeps only each producer's
 * last batch; we keep all retained batches so duplicates are still recognised
 * after a restart). Big-endian:
 *
 *   version int16 (1) · crc uint32 (CRC-32C of everything after it) · count int32
 *   per producer: producerId int64 · epoch int16 · coordinatorEpoch int32 ·
 *     lastTimestamp int64 · currentTxnFirstOffset int64 (-1 none) · batchCount int8
 *     per batch (oldest first): firstSeq int32 · lastSeq int32 · firstOffset int64 ·
 *       lastOffsetDelta int32 · timestamp int64
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crc32c } from "./crc32c.ts";
import { NUM_BATCHES_TO_RETAIN, ProducerEntry } from "./producer_entry.ts";

export const SNAPSHOT_VERSION = 1;
export const SNAPSHOT_SUFFIX = ".snapshot";
const HEADER_BYTES = 2 + 4;
const PRODUCER_BYTES = 8 + 2 + 4 + 8 + 8 + 1;
const BATCH_BYTES = 4 + 4 + 8 + 4 + 8;
const SNAPSHOT_NAME = /^(\d{20})\.snapshot$/;

/** A snapshot that cannot be trusted; the caller ignores it and rebuilds from the log. */
export class CorruptSnapshotError extends Error {
  override name = "CorruptSnapshotError";
}

export function snapshotFileName(offset: bigint): string {
  return `${offset.toString().padStart(20, "0")}${SNAPSHOT_SUFFIX}`;
}

/** Snapshot files in `dir`, by ascending offset (temporary files and other names are ignored). */
export function listSnapshots(dir: string): Array<{ offset: bigint; file: string }> {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return [];
    throw e;
  }
  const found: Array<{ offset: bigint; file: string }> = [];
  for (const name of names) {
    const m = SNAPSHOT_NAME.exec(name);
    if (m) found.push({ offset: BigInt(m[1]), file: path.join(dir, name) });
  }
  return found.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
}

export function encodeSnapshot(entries: Iterable<ProducerEntry>): Uint8Array {
  const list = [...entries];
  const size = list.reduce((n, e) => n + PRODUCER_BYTES + e.batches.length * BATCH_BYTES, HEADER_BYTES + 4);
  const buf = new Uint8Array(size);
  const v = new DataView(buf.buffer);
  let p = HEADER_BYTES;
  v.setInt32(p, list.length);
  p += 4;
  for (const e of list) {
    v.setBigInt64(p, e.producerId);
    v.setInt16(p + 8, e.epoch);
    v.setInt32(p + 10, e.coordinatorEpoch);
    v.setBigInt64(p + 14, e.lastTimestamp);
    v.setBigInt64(p + 22, e.currentTxnFirstOffset);
    v.setInt8(p + 30, e.batches.length);
    p += PRODUCER_BYTES;
    for (const b of e.batches) {
      v.setInt32(p, b.firstSeq);
      v.setInt32(p + 4, b.lastSeq);
      v.setBigInt64(p + 8, b.firstOffset);
      v.setInt32(p + 16, b.lastOffsetDelta);
      v.setBigInt64(p + 20, b.timestamp);
      p += BATCH_BYTES;
    }
  }
  v.setInt16(0, SNAPSHOT_VERSION);
  v.setUint32(2, crc32c(buf.subarray(HEADER_BYTES)));
  return buf;
}

/** Decodes a snapshot; throws CorruptSnapshotError for a wrong version, crc or layout. */
export function decodeSnapshot(buf: Uint8Array): ProducerEntry[] {
  if (buf.length < HEADER_BYTES + 4) throw new CorruptSnapshotError(`snapshot of ${buf.length} bytes is too short`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const version = v.getInt16(0);
  if (version !== SNAPSHOT_VERSION) throw new CorruptSnapshotError(`unknown snapshot version ${version}`);
  const stored = v.getUint32(2);
  const computed = crc32c(buf.subarray(HEADER_BYTES));
  if (stored !== computed) throw new CorruptSnapshotError(`crc mismatch (stored ${stored}, computed ${computed})`);
  const count = v.getInt32(HEADER_BYTES);
  let p = HEADER_BYTES + 4;
  if (count < 0) throw new CorruptSnapshotError(`negative producer count ${count}`);
  const entries: ProducerEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + PRODUCER_BYTES > buf.length) throw new CorruptSnapshotError(`snapshot ends inside producer ${i}`);
    const e = new ProducerEntry(
      v.getBigInt64(p),
      v.getInt16(p + 8),
      v.getInt32(p + 10),
      v.getBigInt64(p + 14),
      v.getBigInt64(p + 22),
    );
    const batches = v.getInt8(p + 30);
    p += PRODUCER_BYTES;
    if (batches < 0 || batches > NUM_BATCHES_TO_RETAIN || p + batches * BATCH_BYTES > buf.length) {
      throw new CorruptSnapshotError(`producer ${e.producerId}: bad batch count ${batches}`);
    }
    for (let b = 0; b < batches; b++) {
      e.batches.push({
        firstSeq: v.getInt32(p),
        lastSeq: v.getInt32(p + 4),
        firstOffset: v.getBigInt64(p + 8),
        lastOffsetDelta: v.getInt32(p + 16),
        timestamp: v.getBigInt64(p + 20),
      });
      p += BATCH_BYTES;
    }
    entries.push(e);
  }
  if (p !== buf.length) throw new CorruptSnapshotError(`${buf.length - p} bytes follow the last producer`);
  return entries;
}
