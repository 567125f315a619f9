/**
 * Encoding of Kafka protocol primitives into a growable buffer.
 *
 * The buffer grows geometrically and is reused across `reset()` calls, so a
 * connection can keep one Writer and encode every response into it. A
 * response can be framed without a copy: `reserveSizePrefix()` before the
 * header, `finishWithSizePrefix()` at the end back-fills the int32 length.
 *
 * Views returned by `finish*()` alias the internal buffer: they stay valid
 * until the next `reset()` or write (a later write may reallocate).
 */
import { encodeUtf8Into } from "./utf8.ts";
import { uuidToBytes } from "./uuid.ts";

/** A value cannot be represented in the requested encoding. */
export class ProtocolEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolEncodeError";
  }
}

const INT16_MAX = 0x7fff;

export class Writer {
  buf: Uint8Array;
  view: DataView;
  /** Next byte to write (= bytes written so far). */
  pos = 0;
  private sizePrefixAt = -1;
  /**
   * Chunked mode (see `externalizeFrom`): finished pieces of the output, in
   * order, alternating between views of this writer's buffers and byte
   * arrays written by reference instead of copied.
   */
  private chunks: Uint8Array[] | null = null;
  private chunkStart = 0;
  private externalMin = Infinity;
  /** Buffer position at the last externalized field (-1: none). */
  private lastExternalAt = -1;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes, doubling the capacity as needed. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Forgets the contents, keeping the allocated buffer for reuse. */
  reset(): void {
    this.pos = 0;
    this.sizePrefixAt = -1;
    if (this.chunks) this.chunks = [];
    this.chunkStart = 0;
    this.lastExternalAt = -1;
  }

  /**
   * Chunked mode: byte arrays of at least `minBytes` (fetched records) are
   * not copied but kept by reference as their own chunk, and the output is
   * read with `finishChunksWithSizePrefix()`. Saves copying (and zero-filling
   * a buffer for) megabytes per Fetch response; the caller must own those
   * arrays, since they travel with the response.
   */
  externalizeFrom(minBytes: number): void {
    // Everything written so far (the size prefix) is the start of the first chunk.
    this.chunks = [];
    this.chunkStart = 0;
    this.externalMin = minBytes;
  }

  /**
   * Back-fills the size prefix and returns the frame as chunks to send in
   * order (one chunk when nothing was large enough to externalize).
   */
  finishChunksWithSizePrefix(): Uint8Array[] {
    if (this.sizePrefixAt !== 0) throw new ProtocolEncodeError("no size prefix was reserved");
    const chunks = this.chunks ?? [];
    if (this.pos > this.chunkStart || chunks.length === 0) chunks.push(this.buf.subarray(this.chunkStart, this.pos));
    let total = 0;
    for (const c of chunks) total += c.byteLength;
    // The first chunk starts with the prefix, even if the buffer has been regrown since.
    new DataView(chunks[0].buffer, chunks[0].byteOffset, 4).setInt32(0, total - 4);
    this.chunks = null;
    return chunks;
  }

  /** Bytes written so far, as a view into the internal buffer. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /**
   * Reserves 4 bytes for the int32 frame length. Must be the first write;
   * `finishWithSizePrefix()` fills it in with the length of what follows.
   */
  reserveSizePrefix(): void {
    if (this.pos !== 0) {
      throw new ProtocolEncodeError(
        "size prefix must be reserved before any write",
      );
    }
    this.ensure(4);
    this.sizePrefixAt = 0;
    this.pos = 4;
  }

  /** Back-fills the reserved size prefix and returns the whole frame. */
  finishWithSizePrefix(): Uint8Array {
    if (this.sizePrefixAt < 0) {
      throw new ProtocolEncodeError("no size prefix was reserved");
    }
    this.view.setInt32(this.sizePrefixAt, this.pos - this.sizePrefixAt - 4);
    return this.buf.subarray(0, this.pos);
  }

  // ---- fixed-width ----

  writeInt8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  writeBool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  writeInt16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v);
    this.pos += 2;
  }

  writeUint16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  writeInt32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
  }

  writeUint32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v);
    this.pos += 4;
  }

  writeInt64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.pos, v);
    this.pos += 8;
  }

  writeFloat64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v);
    this.pos += 8;
  }

  writeUuid(id: string): void {
    this.ensure(16);
    uuidToBytes(id, this.buf, this.pos);
    this.pos += 16;
  }

  // ---- varints ----

  writeUnsignedVarint(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let u = v >>> 0;
    while (u >= 0x80) {
      buf[this.pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    buf[this.pos++] = u;
  }

  /** Zigzag-encoded signed 32-bit varint. */
  writeVarint(v: number): void {
    this.writeUnsignedVarint((v << 1) ^ (v >> 31));
  }

  /** Zigzag-encoded signed 64-bit varint. */
  writeVarlong(v: bigint): void {
    this.ensure(10);
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  // ---- strings ----

  /** int16 length + UTF-8. */
  writeString(s: string): void {
    this.ensure(2 + s.length * 3);
    const n = encodeUtf8Into(s, this.buf, this.pos + 2);
    if (n > INT16_MAX) {
      throw new ProtocolEncodeError(
        `string of ${n} bytes exceeds int16 length`,
      );
    }
    this.view.setInt16(this.pos, n);
    this.pos += 2 + n;
  }

  writeNullableString(s: string | null): void {
    if (s === null) this.writeInt16(-1);
    else this.writeString(s);
  }

  /** Unsigned varint (length + 1) + UTF-8. */
  writeCompactString(s: string): void {
    const len = s.length;
    if (len < 0x7f) {
      // Fast path: short ASCII, whose 1-byte length prefix is known up front.
      this.ensure(1 + len * 3);
      const buf = this.buf;
      const at = this.pos + 1;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      if (i === len) {
        buf[at - 1] = len + 1;
        this.pos = at + len;
        return;
      }
    }
    // Guess the prefix size from the UTF-16 length; multi-byte characters
    // can make the real one longer, then the bytes are shifted (rare).
    const guess = uvarintSize(s.length + 1);
    this.ensure(5 + s.length * 3);
    const n = encodeUtf8Into(s, this.buf, this.pos + guess);
    this.placeLengthBefore(n + 1, guess, n);
  }

  writeCompactNullableString(s: string | null): void {
    if (s === null) this.writeUnsignedVarint(0);
    else this.writeCompactString(s);
  }

  /**
   * Writes uvarint `value` at `pos` ahead of `n` data bytes that were
   * written after a `guess`-byte gap, moving the data if the gap is wrong.
   */
  private placeLengthBefore(value: number, guess: number, n: number): void {
    const size = uvarintSize(value);
    if (size !== guess) {
      this.buf.copyWithin(
        this.pos + size,
        this.pos + guess,
        this.pos + guess + n,
      );
    }
    this.writeUnsignedVarint(value);
    this.pos += n;
  }

  // ---- bytes / records ----

  writeRaw(b: Uint8Array): void {
    if (b.length >= this.externalMin && this.chunks) {
      if (this.pos > this.chunkStart) this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
      this.chunks.push(b);
      this.chunkStart = this.pos;
      this.lastExternalAt = this.pos;
      return;
    }
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** int32 length + bytes. */
  writeBytes(b: Uint8Array): void {
    this.writeInt32(b.length);
    this.writeRaw(b);
  }

  writeNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.writeInt32(-1);
    else this.writeBytes(b);
  }

  /** Unsigned varint (length + 1) + bytes. */
  writeCompactBytes(b: Uint8Array): void {
    this.writeUnsignedVarint(b.length + 1);
    this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.writeUnsignedVarint(0);
    else this.writeCompactBytes(b);
  }

  // ---- arrays ----

  /** int32 element count; -1 encodes a null array. */
  writeArrayLength(n: number): void {
    this.writeInt32(n);
  }

  /** Unsigned varint (count + 1); -1 encodes a null array (0 on the wire). */
  writeCompactArrayLength(n: number): void {
    this.writeUnsignedVarint(n + 1);
  }

  // ---- tagged fields ----

  /** An empty tagged-field section (count 0). */
  writeEmptyTaggedFields(): void {
    this.ensure(1);
    this.buf[this.pos++] = 0;
  }

  /**
   * Starts a tagged field: writes the tag and leaves a one-byte gap for its
   * size. Returns the data start to pass to `endTaggedField`.
   */
  beginTaggedField(tag: number): number {
    this.writeUnsignedVarint(tag);
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  /** Fills in the size of the tagged field begun at `start`. */
  endTaggedField(start: number): void {
    if (this.chunks && this.lastExternalAt >= start) {
      throw new ProtocolEncodeError("a tagged field cannot hold externalized bytes");
    }
    const n = this.pos - start;
    if (n < 0x80) {
      this.buf[start - 1] = n;
      return;
    }
    // Sizes >= 128 need a longer varint: shift the data right (rare; only
    // large tagged arrays such as NodeEndpoints get here).
    const size = uvarintSize(n);
    this.ensure(size - 1);
    this.buf.copyWithin(start - 1 + size, start, this.pos);
    this.pos = start - 1;
    this.writeUnsignedVarint(n);
    this.pos += n;
  }
}

/** Bytes needed for `v` as an unsigned varint. */
export function uvarintSize(v: number): number {
  const u = v >>> 0;
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

/**
 * Used by generated encoders for fields that are nullable only in some
 * versions: null cannot be encoded in the others, so it is refused, as
 * Kafka's generated code does.
 */
export function nonNull<T>(v: T | null, field: string): T {
  if (v === null) {
    throw new ProtocolEncodeError(`non-nullable field ${field} was null`);
  }
  return v;
}
