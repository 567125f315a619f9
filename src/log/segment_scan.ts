/**
 * Walks the record batches of a segment file (.log) by their headers, reading the file in large chunks.
 * Used to find a segment's end after loading, to rebuild indexes, and (with `verify`) by recovery, which
 * also checks every batch's CRC-32C. It stops at the first batch that cannot be a valid v2 batch and says
 * why, so the caller can truncate there: a torn tail must never stop the broker from starting.
 */
import * as fs from "node:fs";
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  readBatchHeader,
} from "./record_batch.ts";
import type { BatchHeader } from "./record_batch.ts";
import type { Segment } from "./segment.ts";
import { crc32c } from "./crc32c.ts";

const CHUNK_BYTES = 1 << 20;
const INT32_MAX = 0x7fffffff;

export interface ScanOptions {
  /** Check each batch's CRC (needs whole batches in memory). */
  verify: boolean;
  /** The segment's base offset: batches must lie in [base, base + 2^31). */
  segmentBase: bigint;
  /** The first batch may not start below this offset (later ones must follow their predecessor). */
  minBaseOffset?: bigint;
}

export interface ScanResult {
  /** Bytes from `start` that hold whole, valid batches. */
  validEnd: number;
  batches: number;
  /** Why the walk stopped before the end, or null if it reached it. */
  error: string | null;
}

/**
 * Calls `onBatch(buf, at, position)` for each batch in [start, end) of `fd`; `buf` holds the batch's
 * header at `at` (and, when verifying, the whole batch); `position` is its byte position in the file.
 * The buffer is reused: read what you need before returning.
 */
export function scanBatches(
  fd: number,
  start: number,
  end: number,
  opts: ScanOptions,
  onBatch: (buf: Uint8Array, at: number, position: number, view: DataView) => void,
): ScanResult {
  let buf = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(end - start, BATCH_HEADER_BYTES)));
  let view = new DataView(buf.buffer);
  let bufStart = start; // file position of buf[0]
  let bufLen = 0;
  let pos = start;
  let batches = 0;
  let minBase = opts.minBaseOffset ?? opts.segmentBase;
  const maxLast = opts.segmentBase + BigInt(INT32_MAX);

  /** Makes [pos, pos + need) available in buf; false if the file ends first. */
  const ensure = (need: number): boolean => {
    if (pos + need > end) return false;
    if (pos >= bufStart && pos + need <= bufStart + bufLen) return true;
    if (need > buf.length) {
      buf = new Uint8Array(Math.max(need, buf.length * 2));
      view = new DataView(buf.buffer);
    }
    const want = Math.min(buf.length, end - pos);
    let got = 0;
    while (got < want) {
      const n = fs.readSync(fd, buf, got, want - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    bufStart = pos;
    bufLen = got;
    return got >= need;
  };

  const stop = (error: string): ScanResult => ({ validEnd: pos, batches, error });
  while (pos < end) {
    const remaining = end - pos;
    if (!ensure(Math.min(BATCH_HEADER_BYTES, remaining))) return stop(`read failed at byte ${pos}`);
    if (remaining < BATCH_HEADER_BYTES) {
      return stop(`${remaining} trailing bytes at byte ${pos}, not a whole batch header`);
    }
    const at = pos - bufStart;
    const size = LOG_OVERHEAD + view.getInt32(at + BATCH_LENGTH_OFFSET);
    if (size < BATCH_HEADER_BYTES) return stop(`batch at byte ${pos} declares ${size} bytes, below the v2 minimum`);
    if (size > remaining) return stop(`torn batch at byte ${pos}: declares ${size} bytes, ${remaining} left`);
    const magic = view.getInt8(at + MAGIC_OFFSET);
    if (magic !== MAGIC_V2) return stop(`batch at byte ${pos} has magic ${magic}`);
    const baseOffset = view.getBigInt64(at + BASE_OFFSET_OFFSET);
    const lastOffsetDelta = view.getInt32(at + LAST_OFFSET_DELTA_OFFSET);
    if (lastOffsetDelta < 0) return stop(`batch at byte ${pos} has lastOffsetDelta ${lastOffsetDelta}`);
    const lastOffset = baseOffset + BigInt(lastOffsetDelta);
    if (baseOffset < minBase || lastOffset > maxLast) {
      return stop(`batch at byte ${pos} has offsets ${baseOffset}..${lastOffset}, expected from ${minBase}`);
    }
    let bufAt = at;
    if (opts.verify) {
      if (!ensure(size)) return stop(`read failed at byte ${pos}`);
      bufAt = pos - bufStart;
      const stored = view.getUint32(bufAt + CRC_OFFSET);
      const computed = crc32c(buf.subarray(bufAt + ATTRIBUTES_OFFSET, bufAt + size));
      if (stored !== computed) return stop(`batch at byte ${pos} (offset ${baseOffset}) fails its CRC`);
    }
    onBatch(buf, bufAt, pos, view);
    batches++;
    minBase = lastOffset + 1n;
    pos += size;
  }
  return { validEnd: pos, batches, error: null };
}

/**
 * Calls `onBatch` with the header of every batch at or after offset `from`, through the segments from
 * `firstIndex` on (headers only, no CRC): how producer state catches up from its snapshot to the log end.
 */
export function replayBatchHeaders(
  segments: readonly Segment[],
  firstIndex: number,
  from: bigint,
  onBatch: (header: BatchHeader) => void,
): void {
  for (let i = firstIndex; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.nextOffset <= from) continue;
    const first = seg.findBatch(from);
    if (first === null) continue;
    const options = { verify: false, segmentBase: seg.baseOffset };
    scanBatches(seg.fd, first.position, seg.size, options, (buf, at) => onBatch(readBatchHeader(buf, at)));
  }
}
