/**
 * Reading a `__transaction_state` partition back for TxnCoordinator.loadPartition:
 * the records of its batches in log order. As with `__consumer_offsets`
 * (group/offset_records.ts), nothing here throws on bad data: what cannot be
 * read (a bad crc, a legacy message set, an unknown codec, a record that does
 * not decode, a key version not ours, a control batch) is skipped and counted,
 * so one damaged batch costs its own records and not the partition.
 */
import {
  BATCH_HEADER_BYTES,
  computeBatchCrc,
  MAGIC_OFFSET,
  MAGIC_V2,
  readBatchHeader,
  RECORDS_OFFSET,
  splitBatches,
} from "../log/record_batch.ts";
import { decompress } from "../log/codecs/codec.ts";
import { Reader } from "../protocol/io/reader.ts";
import { decodeTxnRecord, type TxnRecord } from "./txn_records.ts";

export function decodeTxnRecords(batches: Uint8Array): { records: TxnRecord[]; skipped: number } {
  const records: TxnRecord[] = [];
  const split = splitBatches(batches);
  let skipped = split.error ? 1 : 0;
  for (const { start, end } of split.batches) {
    const batch = batches.subarray(start, end);
    if (batch.length < BATCH_HEADER_BYTES || batch[MAGIC_OFFSET] !== MAGIC_V2) {
      skipped++;
      continue;
    }
    const header = readBatchHeader(batch);
    const count = Math.max(header.recordsCount, 1);
    if (computeBatchCrc(batch, 0, batch.length) !== header.crc || header.isControl) {
      skipped += count;
      continue;
    }
    let body: Uint8Array;
    try {
      body = decompress(header.compression, batch.subarray(RECORDS_OFFSET));
    } catch {
      skipped += count;
      continue;
    }
    skipped += readRecords(body, header.recordsCount, records);
  }
  return { records, skipped };
}

/** Reads `count` v2 records of `body` into `out`; returns how many were skipped. */
function readRecords(body: Uint8Array, count: number, out: TxnRecord[]): number {
  let skipped = 0;
  const r = new Reader(body);
  for (let i = 0; i < count; i++) {
    let length: number;
    try {
      length = r.readVarint();
    } catch {
      return skipped + count - i;
    }
    if (length < 0 || length > r.remaining()) return skipped + count - i;
    const next = r.pos + length;
    try {
      const rec = new Reader(body, r.pos, next);
      rec.readInt8(); // attributes
      rec.readVarlong(); // timestampDelta
      rec.readVarint(); // offsetDelta
      const keyLength = rec.readVarint();
      const key = keyLength < 0 ? null : rec.readRaw(keyLength);
      const valueLength = rec.readVarint();
      const value = valueLength < 0 ? null : rec.readRaw(valueLength);
      const record = key === null ? null : decodeTxnRecord(key, value);
      if (record === null) skipped++;
      else out.push(record);
    } catch {
      skipped++;
    }
    r.pos = next;
  }
  return skipped;
}
