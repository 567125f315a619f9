/**
 * gzip for Kafka messages and batches (codec id 1), through node:zlib, which both runtimes provide natively.
 * Kafka writes a plain gzip stream (Java's GZIPOutputStream) for legacy messages and v2 batches alike.
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** Views a Buffer as a plain Uint8Array, so callers compare and slice it like any other byte array. */
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function gzipCompress(data: Uint8Array): Uint8Array {
  return plain(gzipSync(data));
}

/** Throws on a malformed or truncated stream. */
export function gzipDecompress(data: Uint8Array): Uint8Array {
  return plain(gunzipSync(data));
}
