/**
 * LZ4 (Kafka codec id 3): the frame format Kafka uses (Lz4BlockOutputStream / Lz4BlockInputStream), the block
 * format inside it, and xxHash32 for the frame's checksums — all written from the LZ4 frame and block format
 * descriptions and the xxHash specification.
 *
 * Kafka clients writing magic-0 messages computed the frame header checksum over the magic number too
 * (KAFKA-1493), so Kafka ignores that byte for magic 0; `ignoreHeaderChecksum` does the same.
 */

export class Lz4Error extends Error {}

const FRAME_MAGIC = 0x184d2204;
/** Skippable frames (0x184D2A50..5F) may sit between frames and carry no data. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_UNCOMPRESSED = 0x80000000;
/** Kafka's Lz4BlockOutputStream default, and what we emit. */
const BLOCK_64K = 64 * 1024;

const P1 = 2654435761 | 0;
const P2 = 2246822519 | 0;
const P3 = 3266489917 | 0;
const P4 = 668265263;
const P5 = 374761393;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const le32 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
const round = (acc: number, lane: number) => Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);

/** xxHash32 of data[start, end) with `seed`, as an unsigned 32-bit number. */
export function xxhash32(data: Uint8Array, seed = 0, start = 0, end = data.length): number {
  let i = start;
  let h: number;
  if (end - start >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    for (; i + 16 <= end; i += 16) {
      v1 = round(v1, le32(data, i));
      v2 = round(v2, le32(data, i + 4));
      v3 = round(v3, le32(data, i + 8));
      v4 = round(v4, le32(data, i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + (end - start)) | 0;
  for (; i + 4 <= end; i += 4) h = Math.imul(rotl((h + Math.imul(le32(data, i), P3)) | 0, 17), P4);
  for (; i < end; i++) h = Math.imul(rotl((h + Math.imul(data[i], P5)) | 0, 11), P1);
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Decodes one LZ4 block from src[s, end) into dst at `o`; returns the new output position. Matches may reach
 * back to `windowStart` (the start of the frame's output when blocks are linked, else of this block).
 */
function decodeBlock(src: Uint8Array, s: number, end: number, dst: Uint8Array, o: number, windowStart: number): number {
  const limit = dst.length;
  for (;;) {
    if (s >= end) throw new Lz4Error("lz4: block ends before its last literals");
    const token = src[s++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= end) throw new Lz4Error("lz4: truncated literal length");
        b = src[s++];
        lit += b;
      } while (b === 255);
    }
    if (s + lit > end || o + lit > limit) throw new Lz4Error("lz4: literals overrun");
    dst.set(src.subarray(s, s + lit), o);
    s += lit;
    o += lit;
    if (s === end) return o; // the last sequence has literals only
    if (s + 2 > end) throw new Lz4Error("lz4: truncated match offset");
    const offset = src[s] | (src[s + 1] << 8);
    s += 2;
    if (offset === 0 || o - offset < windowStart) throw new Lz4Error("lz4: match offset out of range");
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (s >= end) throw new Lz4Error("lz4: truncated match length");
        b = src[s++];
        len += b;
      } while (b === 255);
    }
    len += 4;
    if (o + len > limit) throw new Lz4Error("lz4: match overruns the block size");
    // Byte by byte: offsets shorter than the match repeat a pattern.
    for (let k = 0; k < len; k++, o++) dst[o] = dst[o - offset];
  }
}

/** Decompresses one raw LZ4 block whose decompressed size is at most `maxSize`. */
export function lz4DecompressBlock(src: Uint8Array, maxSize: number): Uint8Array {
  const dst = new Uint8Array(maxSize);
  return dst.slice(0, decodeBlock(src, 0, src.length, dst, 0, 0));
}

/**
 * Greedy single-probe hash matcher. The end-of-block rules of the format: the last 5 bytes are literals and
 * the last match starts at least 12 bytes before the end.
 */
export function lz4CompressBlock(src: Uint8Array): Uint8Array {
  const n = src.length;
  const out = new Uint8Array(n + Math.ceil(n / 255) + 16);
  let o = 0;
  const writeLength = (len: number) => {
    for (; len >= 255; len -= 255) out[o++] = 255;
    out[o++] = len;
  };
  const emit = (from: number, to: number, offset: number, matchLen: number) => {
    const lit = to - from;
    const m = matchLen - 4;
    out[o++] = (Math.min(lit, 15) << 4) | (matchLen ? Math.min(m, 15) : 0);
    if (lit >= 15) writeLength(lit - 15);
    out.set(src.subarray(from, to), o);
    o += lit;
    if (!matchLen) return;
    out[o++] = offset & 0xff;
    out[o++] = offset >>> 8;
    if (m >= 15) writeLength(m - 15);
  };
  const table = new Int32Array(1 << 14).fill(-1);
  const matchLimit = n - 12;
  const lastLiterals = n - 5;
  let anchor = 0;
  let i = 0;
  while (i < matchLimit) {
    const word = le32(src, i);
    const h = Math.imul(word, P1) >>> 18;
    const ref = table[h];
    table[h] = i;
    if (ref >= 0 && i - ref < 0x10000 && le32(src, ref) === word) {
      let len = 4;
      while (i + len < lastLiterals && src[ref + len] === src[i + len]) len++;
      emit(anchor, i, i - ref, len);
      i += len;
      anchor = i;
    } else {
      i++;
    }
  }
  emit(anchor, n, 0, 0);
  return out.slice(0, o);
}

const BLOCK_MAX_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

/** Growable output, so a frame's size need not be trusted or known in advance. */
class Output {
  buf = new Uint8Array(1024);
  length = 0;
  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

/**
 * Decompresses LZ4 frames (concatenated frames and skippable frames allowed). Supports linked and independent
 * blocks, block and content checksums (verified when present); refuses dictionaries, which Kafka never uses.
 */
export function lz4FrameDecompress(data: Uint8Array, opts: { ignoreHeaderChecksum?: boolean } = {}): Uint8Array {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Output();
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > data.length) throw new Lz4Error(`lz4: truncated ${what}`);
  };
  do {
    need(4, "frame magic");
    const magic = v.getUint32(pos, true);
    if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      need(8, "skippable frame");
      pos += 8 + v.getUint32(pos + 4, true);
      if (pos > data.length) throw new Lz4Error("lz4: truncated skippable frame");
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Lz4Error(`lz4: bad frame magic 0x${magic.toString(16)}`);
    pos += 4;
    need(3, "frame descriptor");
    const flg = data[pos];
    const bd = data[pos + 1];
    if (flg >>> 6 !== 1) throw new Lz4Error(`lz4: unsupported frame version ${flg >>> 6}`);
    if (flg & 0x01) throw new Lz4Error("lz4: dictionaries are not supported");
    const linked = (flg & 0x20) === 0;
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const blockMax = BLOCK_MAX_SIZES[(bd >>> 4) & 7];
    if (blockMax === undefined) throw new Lz4Error(`lz4: bad block maximum size id ${(bd >>> 4) & 7}`);
    const descEnd = pos + 2 + (contentSize ? 8 : 0);
    need(descEnd - pos + 1, "frame descriptor");
    const hc = data[descEnd];
    if (!opts.ignoreHeaderChecksum && hc !== ((xxhash32(data, 0, pos, descEnd) >>> 8) & 0xff)) {
      throw new Lz4Error("lz4: frame header checksum mismatch");
    }
    pos = descEnd + 1;
    const frameOut = out.length;
    for (;;) {
      need(4, "block size");
      const word = v.getUint32(pos, true);
      pos += 4;
      if (word === 0) break;
      const size = word & ~BLOCK_UNCOMPRESSED;
      if (size > blockMax) throw new Lz4Error(`lz4: block of ${size} bytes exceeds the frame's maximum ${blockMax}`);
      need(size + (blockChecksum ? 4 : 0), "block");
      if (blockChecksum && v.getUint32(pos + size, true) !== xxhash32(data, 0, pos, pos + size)) {
        throw new Lz4Error("lz4: block checksum mismatch");
      }
      if (word & BLOCK_UNCOMPRESSED) {
        out.reserve(size);
        out.buf.set(data.subarray(pos, pos + size), out.length);
        out.length += size;
      } else {
        out.reserve(blockMax);
        // decodeBlock bounds writes by its dst length, so hand it a view ending at this block's maximum.
        const dst = out.buf.subarray(0, out.length + blockMax);
        out.length = decodeBlock(data, pos, pos + size, dst, out.length, linked ? frameOut : out.length);
      }
      pos += size + (blockChecksum ? 4 : 0);
    }
    if (contentChecksum) {
      need(4, "content checksum");
      if (v.getUint32(pos, true) !== xxhash32(out.buf, 0, frameOut, out.length)) {
        throw new Lz4Error("lz4: content checksum mismatch");
      }
      pos += 4;
    }
  } while (pos < data.length);
  return out.buf.slice(0, out.length);
}

/**
 * One LZ4 frame as Kafka's Lz4BlockOutputStream writes it: version 1, independent blocks, 64 KiB maximum,
 * no size or checksums beyond the header's; a block that does not shrink is stored uncompressed.
 */
export function lz4FrameCompress(data: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = [];
  const raw: boolean[] = [];
  for (let pos = 0; pos < data.length; pos += BLOCK_64K) {
    const chunk = data.subarray(pos, Math.min(data.length, pos + BLOCK_64K));
    const packed = lz4CompressBlock(chunk);
    const keepRaw = packed.length >= chunk.length;
    blocks.push(keepRaw ? chunk : packed);
    raw.push(keepRaw);
  }
  const out = new Uint8Array(7 + blocks.reduce((sum, b) => sum + 4 + b.length, 0) + 4);
  const v = new DataView(out.buffer);
  v.setUint32(0, FRAME_MAGIC, true);
  out[4] = 0x60; // version 01, independent blocks
  out[5] = 0x40; // 64 KiB blocks
  out[6] = (xxhash32(out, 0, 4, 6) >>> 8) & 0xff;
  let o = 7;
  blocks.forEach((b, k) => {
    v.setUint32(o, (b.length | (raw[k] ? BLOCK_UNCOMPRESSED : 0)) >>> 0, true);
    out.set(b, o + 4);
    o += 4 + b.length;
  });
  v.setUint32(o, 0, true); // end mark
  return out;
}
