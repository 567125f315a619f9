/**
 * The four codecs of Kafka's record batches behind one switch, for code that
 * must open or rewrite a batch's records (the log cleaner, broker-side
 * recompression, the offsets topic reader). Produce and fetch leave batches
 * compressed as they are, unless the topic's compression.type asks for
 * another codec (src/log/recompress.ts).
 */
import { CompressionType } from "../record_batch.ts";
import { gzipCompress, gzipDecompress } from "./gzip.ts";
import { lz4FrameCompress, lz4FrameDecompress } from "./lz4.ts";
import { snappyCompress, snappyDecompress } from "./snappy.ts";
import { zstdCompress, zstdDecompress } from "./zstd.ts";

export class UnknownCodecError extends Error {}

/** The records section of a batch, decompressed. Throws on bad data or an unknown codec id. */
export function decompress(codec: number, data: Uint8Array): Uint8Array {
  switch (codec) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipDecompress(data);
    case CompressionType.Snappy:
      return snappyDecompress(data);
    case CompressionType.Lz4:
      return lz4FrameDecompress(data);
    case CompressionType.Zstd:
      return zstdDecompress(data);
    default:
      throw new UnknownCodecError(`unknown compression codec id ${codec}`);
  }
}

/** The records section compressed with `codec` (level applies to zstd only so far). */
export function compress(codec: number, data: Uint8Array, level?: number): Uint8Array {
  switch (codec) {
    case CompressionType.None:
      return data;
    case CompressionType.Gzip:
      return gzipCompress(data);
    case CompressionType.Snappy:
      return snappyCompress(data);
    case CompressionType.Lz4:
      return lz4FrameCompress(data);
    case CompressionType.Zstd:
      return zstdCompress(data, level);
    default:
      throw new UnknownCodecError(`unknown compression codec id ${codec}`);
  }
}
