/** Helpers for the log cleaner tests: keyed batches (any codec), reading a log back, a cleaning context. */
import { buildBatch, type BuildBatchOptions, readBatchHeader } from "../../src/log/record_batch.ts";
import { compress } from "../../src/log/codecs/codec.ts";
import { writeBatchCrc } from "../../src/log/record_batch.ts";
import { parseRecords, recordsSection } from "../../src/log/cleaner/batch_filter.ts";
import { type CleanerContext, cleanLog } from "../../src/log/cleaner/cleaner.ts";
import type { PartitionLog } from "../../src/log/partition_log.ts";
import type { LogConfig } from "../../src/log/log_config.ts";
import { batchesOf, captureLogger, isRecords, partitionDir, T0 } from "./log_helpers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

export interface KV {
  key: string | null;
  value: string | null;
  timestampDelta?: number;
}

/** A batch of keyed records; `codec` compresses the records section as a producer would. */
export function keyed(records: KV[], opts: BuildBatchOptions & { codec?: number } = {}): Uint8Array {
  const plain = buildBatch(
    records.map((r) => ({
      key: r.key === null ? null : enc.encode(r.key),
      value: r.value === null ? null : enc.encode(r.value),
      timestampDelta: r.timestampDelta ?? 0,
    })),
    { baseTimestamp: T0, ...opts },
  );
  const codec = opts.codec ?? 0;
  if (codec === 0) return plain;
  const body = compress(codec, plain.subarray(61));
  const out = new Uint8Array(61 + body.length);
  out.set(plain.subarray(0, 61));
  out.set(body, 61);
  const v = new DataView(out.buffer);
  v.setInt32(8, out.length - 12);
  v.setInt16(21, v.getInt16(21) | codec);
  writeBatchCrc(out, 0, out.length);
  return out;
}

export interface ReadRecord {
  offset: bigint;
  key: string | null;
  value: string | null;
  timestamp: bigint;
}

/** Every record of the log from its start, with batch headers for inspection. */
export function readAll(log: PartitionLog) {
  const records: ReadRecord[] = [];
  const headers = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const bytes = isRecords(log.read(offset, 1 << 20, true));
    if (bytes.length === 0) break;
    for (const b of batchesOf(bytes)) {
      const h = readBatchHeader(b.bytes);
      headers.push(h);
      const section = recordsSection(b.bytes);
      for (const r of parseRecords(section, h.recordsCount, Number(h.baseTimestamp))) {
        const keyEnd = r.keyStart + r.keyLength;
        const value = r.tombstone ? null : dec.decode(section.subarray(r.valueStart, r.valueStart + r.valueLength));
        records.push({
          offset: b.base + BigInt(r.offsetDelta),
          key: r.keyStart >= 0 ? dec.decode(section.subarray(r.keyStart, keyEnd)) : null,
          value,
          timestamp: BigInt(r.timestamp),
        });
      }
      offset = b.last + 1n;
    }
  }
  return { records, headers };
}

/** The latest value per key, as a consumer of the whole log would see it (tombstones remove). */
export function latestByKey(records: ReadRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of records) {
    if (r.key === null) continue;
    if (r.value === null) out.delete(r.key);
    else out.set(r.key, r.value);
  }
  return out;
}

export function context(
  log: PartitionLog,
  cfg: LogConfig,
  extra: Partial<CleanerContext> = {},
): CleanerContext {
  return {
    log,
    dir: partitionDir(log.dir.slice(0, -"/t-0".length)),
    topic: "t",
    partition: 0,
    config: cfg,
    logger: captureLogger().logger,
    now: () => Number(T0) + 1000,
    mapCapacity: 1_000_000,
    producerLastOffsets: () => new Map(),
    pace: () => Promise.resolve(),
    stopped: () => false,
    ...extra,
  };
}

export { cleanLog };
