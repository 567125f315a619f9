/**
 * Turns a producer batch into record-batch bytes: src/log/record_batch.ts's buildBatch writes the v2 batch
 * (the broker's own writer, so client and broker agree on the format by construction), and for a codec other
 * than none the records section is compressed with the broker's codecs (src/log/codecs) and the header's
 * length, attributes and CRC-32C are rewritten.
 */
import { compress } from "../log/codecs/codec.ts";
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  buildBatch,
  type BuildRecord,
  CompressionType,
  LOG_OVERHEAD,
  RECORDS_OFFSET,
  writeBatchCrc,
} from "../log/record_batch.ts";

/** compression.type names, as Kafka's producer spells them. */
export type CompressionName = "none" | "gzip" | "snappy" | "lz4" | "zstd";

export const CODEC_IDS: Record<CompressionName, number> = {
  none: CompressionType.None,
  gzip: CompressionType.Gzip,
  snappy: CompressionType.Snappy,
  lz4: CompressionType.Lz4,
  zstd: CompressionType.Zstd,
};

export interface EncodeOptions {
  codec: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  /** Records' CreateTime in ms, one per record. */
  timestamps: number[];
}

/** One v2 record batch holding `records`. */
export function encodeBatch(records: BuildRecord[], o: EncodeOptions): Uint8Array {
  const base = o.timestamps[0];
  for (let i = 0; i < records.length; i++) records[i].timestampDelta = o.timestamps[i] - base;
  const plain = buildBatch(records, {
    baseTimestamp: BigInt(base),
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: o.baseSequence,
  });
  if (o.codec === CompressionType.None) return plain;
  const payload = compress(o.codec, plain.subarray(RECORDS_OFFSET));
  const out = new Uint8Array(RECORDS_OFFSET + payload.length);
  out.set(plain.subarray(0, RECORDS_OFFSET));
  out.set(payload, RECORDS_OFFSET);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setInt32(BATCH_LENGTH_OFFSET, out.length - LOG_OVERHEAD);
  v.setInt16(ATTRIBUTES_OFFSET, v.getInt16(ATTRIBUTES_OFFSET) | o.codec);
  writeBatchCrc(out, 0, out.length);
  return out;
}
