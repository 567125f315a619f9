/**
 * Snappy (Kafka codec id 2), written from the format description
 * (https://github.com/google/snappy/blob/main/format_description.txt).
 *
 * Kafka's Java side wraps snappy in snappy-java's SnappyOutputStream for legacy messages and v2 batches alike,
 * so what Kafka stores is the "xerial" framing: a 16-byte header, then [int32 BE length][raw block] chunks.
 * Readers (SnappyInputStream, librdkafka) also accept a bare raw block, which some clients send, so
 * decompression takes either; compression writes xerial framing, as Kafka does.
 */

export class SnappyError extends Error {}

/** 0x82 "SNAPPY" 0x00: the start of a xerial stream; a raw block cannot plausibly begin this way. */
const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_BYTES = 16;
/** snappy-java's default block size; it also keeps every copy offset well inside snappy's 64 KiB window. */
const XERIAL_BLOCK = 32 * 1024;

/** The largest output a raw block of `n` bytes can honestly declare (a 3-byte copy yields at most 64 bytes). */
const maxExpansion = (n: number) => Math.ceil(n * 64 / 3) + 64;

/** Decompresses one raw snappy block (varint length, then literal and copy elements). */
export function snappyDecompressBlock(src: Uint8Array): Uint8Array {
  let s = 0;
  let length = 0;
  for (let shift = 0;; shift += 7) {
    if (s >= src.length || shift > 28) throw new SnappyError("snappy: bad length preamble");
    const b = src[s++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  // Refuse lengths the input cannot produce before allocating them (a tiny block could claim 4 GiB).
  if (length > 0xffffffff || length > maxExpansion(src.length)) {
    throw new SnappyError(`snappy: declared length ${length} is impossible for ${src.length} input bytes`);
  }
  const out = new Uint8Array(length);
  let o = 0;
  while (s < src.length) {
    const tag = src[s++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        // 60..63: the length-1 follows in 1..4 little-endian bytes.
        const nb = len - 59;
        if (s + nb > src.length) throw new SnappyError("snappy: truncated literal length");
        len = 0;
        for (let i = 0; i < nb; i++) len += src[s + i] * 2 ** (8 * i);
        s += nb;
      }
      len += 1;
      if (s + len > src.length || o + len > length) throw new SnappyError("snappy: literal overruns its bounds");
      out.set(src.subarray(s, s + len), o);
      s += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (s + 1 > src.length) throw new SnappyError("snappy: truncated copy");
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[s++];
    } else if (kind === 2) {
      if (s + 2 > src.length) throw new SnappyError("snappy: truncated copy");
      len = (tag >>> 2) + 1;
      offset = src[s] | (src[s + 1] << 8);
      s += 2;
    } else {
      if (s + 4 > src.length) throw new SnappyError("snappy: truncated copy");
      len = (tag >>> 2) + 1;
      offset = (src[s] | (src[s + 1] << 8) | (src[s + 2] << 16) | (src[s + 3] << 24)) >>> 0;
      s += 4;
    }
    if (offset === 0 || offset > o || o + len > length) throw new SnappyError("snappy: copy out of bounds");
    // Byte by byte: a copy may overlap its own output (offset < len repeats a pattern).
    for (let i = 0; i < len; i++, o++) out[o] = out[o - offset];
  }
  if (o !== length) throw new SnappyError(`snappy: produced ${o} bytes, block declares ${length}`);
  return out;
}

/** Greedy single-probe hash matcher: simple, and within a small factor of the reference compressor's ratio. */
export function snappyCompressBlock(src: Uint8Array): Uint8Array {
  const n = src.length;
  // Bound: each copy costs no more than it covers, so only literal tags (at most 5 bytes per run of 61+, 1 per
  // shorter run that a copy then pays for) and the preamble add to the input size.
  const out = new Uint8Array(n + Math.ceil(n / 15) + 32);
  let o = writeLengthPreamble(out, n);
  const table = new Int32Array(1 << 14).fill(-1);
  let anchor = 0;
  let i = 0;
  while (i + 4 <= n) {
    const word = read32(src, i);
    const h = Math.imul(word, 0x1e35a7bd) >>> 18;
    const ref = table[h];
    table[h] = i;
    if (ref >= 0 && i - ref < 0x10000 && read32(src, ref) === word) {
      let len = 4;
      while (i + len < n && src[ref + len] === src[i + len]) len++;
      o = emitLiteral(out, o, src, anchor, i);
      o = emitCopy(out, o, i - ref, len);
      i += len;
      anchor = i;
    } else {
      i++;
    }
  }
  o = emitLiteral(out, o, src, anchor, n);
  return out.slice(0, o);
}

// The emitters below write at `o` and return where the next element goes: module-level functions keep the
// write position in a local the JIT can hold in a register, where closures over one shared `o` could not.

function read32(src: Uint8Array, i: number): number {
  return src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24);
}

/** The block's uncompressed length as a little-endian base-128 varint. */
function writeLengthPreamble(out: Uint8Array, n: number): number {
  let o = 0;
  for (let v = n;; v = Math.floor(v / 128)) {
    if (v < 128) {
      out[o++] = v;
      return o;
    }
    out[o++] = (v & 0x7f) | 0x80;
  }
}

/** A literal element: a tag carrying length-1 (inline below 60, else in 1..4 following bytes), then the bytes. */
function emitLiteral(out: Uint8Array, o: number, src: Uint8Array, from: number, to: number): number {
  const len = to - from;
  if (len === 0) return o;
  const m = len - 1;
  if (m < 60) out[o++] = m << 2;
  else if (m < 0x100) {
    out[o++] = 60 << 2;
    out[o++] = m;
  } else if (m < 0x10000) {
    out[o++] = 61 << 2;
    out[o++] = m & 0xff;
    out[o++] = m >>> 8;
  } else if (m < 0x1000000) {
    out[o++] = 62 << 2;
    out[o++] = m & 0xff;
    out[o++] = (m >>> 8) & 0xff;
    out[o++] = m >>> 16;
  } else {
    out[o++] = 63 << 2;
    out[o++] = m & 0xff;
    out[o++] = (m >>> 8) & 0xff;
    out[o++] = (m >>> 16) & 0xff;
    out[o++] = m >>> 24;
  }
  out.set(src.subarray(from, to), o);
  return o + len;
}

/** Copy elements for `len` bytes `offset` back: 1-byte-offset form when it fits, else 2-byte-offset pieces. */
function emitCopy(out: Uint8Array, o: number, offset: number, len: number): number {
  // A 2-byte-offset copy carries at most 64 bytes; leave at least 4 for the last piece.
  while (len >= 68) {
    out[o++] = (63 << 2) | 2;
    out[o++] = offset & 0xff;
    out[o++] = offset >>> 8;
    len -= 64;
  }
  if (len > 64) {
    out[o++] = (59 << 2) | 2;
    out[o++] = offset & 0xff;
    out[o++] = offset >>> 8;
    len -= 60;
  }
  if (len <= 11 && offset < 2048) {
    out[o++] = ((offset >>> 8) << 5) | ((len - 4) << 2) | 1;
    out[o++] = offset & 0xff;
  } else {
    out[o++] = ((len - 1) << 2) | 2;
    out[o++] = offset & 0xff;
    out[o++] = offset >>> 8;
  }
  return o;
}

function isXerial(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_BYTES) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** Decompresses what a Kafka client or broker wrote: xerial-framed chunks or one raw block. */
export function snappyDecompress(data: Uint8Array): Uint8Array {
  if (!isXerial(data)) return snappyDecompressBlock(data);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const parts: Uint8Array[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_BYTES;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new SnappyError("snappy: truncated xerial chunk length");
    const len = v.getInt32(pos);
    pos += 4;
    if (len < 0 || pos + len > data.length) throw new SnappyError(`snappy: xerial chunk of ${len} bytes overruns`);
    const part = snappyDecompressBlock(data.subarray(pos, pos + len));
    parts.push(part);
    total += part.length;
    pos += len;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Compresses into xerial framing (header version 1, compatible version 1), as snappy-java and so Kafka write. */
export function snappyCompress(data: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK) {
    blocks.push(snappyCompressBlock(data.subarray(pos, Math.min(data.length, pos + XERIAL_BLOCK))));
  }
  const out = new Uint8Array(XERIAL_HEADER_BYTES + blocks.reduce((sum, b) => sum + 4 + b.length, 0));
  const v = new DataView(out.buffer);
  out.set(XERIAL_MAGIC, 0);
  v.setInt32(8, 1);
  v.setInt32(12, 1);
  let o = XERIAL_HEADER_BYTES;
  for (const b of blocks) {
    v.setInt32(o, b.length);
    out.set(b, o + 4);
    o += 4 + b.length;
  }
  return out;
}
