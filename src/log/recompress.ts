/**
 * Broker-side recompression of a produced v2 batch (a topic's compression.type
 * other than producer), as Kafka's LogValidator does it: a batch whose codec
 * differs from the topic's is opened, its records checked, and written again
 * in the topic's codec (and level); a batch already in that codec is kept as
 * it is, bytes untouched, so recompression costs nothing then.
 *
 * The rewritten batch keeps everything but the codec: the header fields
 * (base and max timestamps, producer id, epoch and base sequence, the
 * timestamp-type, transactional and control bits, record count and last
 * offset delta) and each record's bytes (offset and timestamp deltas, key,
 * value, headers); its length and CRC-32C are new. Deliberate difference:
 * Kafka's rewrite makes the first record's timestamp the new base timestamp
 * (the same as the producer's in practice); tsbroker keeps the producer's base
 * and deltas, which read back as the same timestamps.
 *
 * The records are checked as validateBatchForAppend checks an uncompressed
 * batch (structure, offset deltas 0..n-1, no trailing bytes), so a compressed
 * batch's records get the checks Kafka makes when it decompresses; a payload
 * that does not decompress is CORRUPT_MESSAGE.
 */
import { gzipSync } from "node:zlib";
import { ErrorCode } from "../protocol/errors.ts";
import { compress, decompress } from "./codecs/codec.ts";
import {
  ATTRIBUTES_OFFSET,
  BATCH_HEADER_BYTES,
  BATCH_LENGTH_OFFSET,
  type BatchError,
  COMPRESSION_MASK,
  CompressionType,
  LOG_OVERHEAD,
  RECORDS_OFFSET,
  validateBatchForAppend,
  writeBatchCrc,
} from "./record_batch.ts";

/** The topic's codec (a CompressionType id) and the level to write it at (undefined: the codec's default). */
export interface RecompressTarget {
  readonly codec: number;
  readonly level?: number;
}

export type RecompressResult = { batch: Uint8Array; recompressed: boolean } | { error: BatchError };

/**
 * `batch` (one whole v2 batch that passed validateBatchForAppend) in the target codec. Returns the same array
 * when its codec is the target already.
 */
export function recompressBatch(batch: Uint8Array, target: RecompressTarget): RecompressResult {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const attributes = view.getInt16(ATTRIBUTES_OFFSET);
  const source = attributes & COMPRESSION_MASK;
  if (source === target.codec) return { batch, recompressed: false };
  const plain = source === CompressionType.None ? batch : openBatch(batch, source, attributes);
  if ("error" in plain) return plain;
  if (target.codec === CompressionType.None) return { batch: plain, recompressed: true };
  const section = plain.subarray(RECORDS_OFFSET);
  let payload: Uint8Array;
  try {
    payload = compressSection(target, section);
  } catch (e) {
    return {
      error: { code: ErrorCode.UNKNOWN_SERVER_ERROR, message: `recompression failed: ${(e as Error).message}` },
    };
  }
  return { batch: assemble(batch, payload, (attributes & ~COMPRESSION_MASK) | target.codec), recompressed: true };
}

/**
 * The uncompressed form of a compressed batch, its records checked: decompressing, then the uncompressed
 * batch's own checks (the header was checked already; this walks the records).
 */
function openBatch(batch: Uint8Array, codec: number, attributes: number): Uint8Array | { error: BatchError } {
  let section: Uint8Array;
  try {
    section = decompress(codec, batch.subarray(RECORDS_OFFSET));
  } catch (e) {
    return {
      error: { code: ErrorCode.CORRUPT_MESSAGE, message: `batch does not decompress: ${(e as Error).message}` },
    };
  }
  const plain = assemble(batch, section, attributes & ~COMPRESSION_MASK);
  const problem = validateBatchForAppend(plain, 0, plain.length, { maxMessageBytes: Number.MAX_SAFE_INTEGER });
  return problem ? { error: problem } : plain;
}

/** A batch with `batch`'s header, `records` as its records section, `attributes`, and its length and CRC set. */
function assemble(batch: Uint8Array, records: Uint8Array, attributes: number): Uint8Array {
  const out = new Uint8Array(BATCH_HEADER_BYTES + records.length);
  out.set(batch.subarray(0, BATCH_HEADER_BYTES));
  out.set(records, RECORDS_OFFSET);
  const v = new DataView(out.buffer);
  v.setInt32(BATCH_LENGTH_OFFSET, out.length - LOG_OVERHEAD);
  v.setInt16(ATTRIBUTES_OFFSET, attributes);
  writeBatchCrc(out, 0, out.length);
  return out;
}

/** The records section in the target codec; gzip takes its level here (the codec module writes zlib's default). */
function compressSection(target: RecompressTarget, section: Uint8Array): Uint8Array {
  if (target.codec === CompressionType.Gzip && target.level !== undefined) {
    const out = gzipSync(section, { level: target.level });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
  return compress(target.codec, section, target.codec === CompressionType.Zstd ? target.level : undefined);
}
