/**
 * zstd (Kafka codec id 4) for v2 batches, through node:zlib, which both
 * runtimes provide natively (Deno 2.x and Bun). Kafka writes one zstd frame
 * per batch (ZstdOutputStream); a reader must also accept several frames in a
 * row, which node's decoder does.
 */
import * as zlib from "node:zlib";

// The zstd functions are newer than some type definitions of node:zlib.
const z = zlib as unknown as {
  zstdCompressSync(data: Uint8Array, options?: { params?: Record<number, number> }): Uint8Array;
  zstdDecompressSync(data: Uint8Array): Uint8Array;
  constants: Record<string, number>;
};

function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Kafka's default level is 3 (compression.zstd.level). */
export function zstdCompress(data: Uint8Array, level = 3): Uint8Array {
  const params = { [z.constants.ZSTD_c_compressionLevel]: level };
  return plain(z.zstdCompressSync(data, { params }));
}

export class ZstdError extends Error {}

/**
 * Throws on a malformed or truncated stream. node's decoder returns what it managed to decode from a truncated
 * frame instead of failing, so the frames' structure is walked first: a batch cut short must never yield records.
 */
export function zstdDecompress(data: Uint8Array): Uint8Array {
  const frames = frameRanges(data);
  if (frames.length === 1) return plain(z.zstdDecompressSync(data.subarray(frames[0][0], frames[0][1])));
  // Deno's decoder stops after the first frame; Kafka's reader (ZstdInputStream) goes on to the next.
  const parts = frames.map(([from, to]) => plain(z.zstdDecompressSync(data.subarray(from, to))));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/**
 * Walks the frames' headers and block headers (RFC 8878 §3.1) without decoding; throws unless they end exactly.
 * Returns where each data frame lies (skippable frames carry no data).
 */
function frameRanges(data: Uint8Array): [number, number][] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const frames: [number, number][] = [];
  let at = 0;
  if (data.length < 4) throw new ZstdError(`zstd data of ${data.length} bytes holds no frame`);
  while (at < data.length) {
    if (at + 4 > data.length) throw new ZstdError(`zstd: truncated frame magic at byte ${at}`);
    const magic = view.getUint32(at, true);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (at + 8 > data.length) throw new ZstdError(`zstd: truncated skippable frame at byte ${at}`);
      at += 8 + view.getUint32(at + 4, true);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new ZstdError(`zstd: bad frame magic at byte ${at}`);
    const end = frameEnd(data, at + 4);
    frames.push([at, end]);
    at = end;
  }
  if (at !== data.length) throw new ZstdError("zstd: truncated frame");
  if (frames.length === 0) throw new ZstdError("zstd: no data frame");
  return frames;
}

function frameEnd(data: Uint8Array, start: number): number {
  if (start >= data.length) throw new ZstdError("zstd: truncated frame header");
  const descriptor = data[start];
  const singleSegment = (descriptor >> 5) & 1;
  const checksum = (descriptor >> 2) & 1;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3];
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][descriptor >> 6];
  let at = start + 1 + (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
  for (;;) {
    if (at + 3 > data.length) throw new ZstdError("zstd: truncated block header");
    const header = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16);
    const last = header & 1;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw new ZstdError("zstd: reserved block type");
    at += 3 + (type === 1 ? 1 : size);
    if (at > data.length) throw new ZstdError("zstd: truncated block");
    if (last) break;
  }
  at += checksum ? 4 : 0;
  if (at > data.length) throw new ZstdError("zstd: truncated checksum");
  return at;
}
