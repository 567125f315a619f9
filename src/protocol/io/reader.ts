/**
 * Bounds-checked decoding of Kafka protocol primitives from a Uint8Array.
 *
 * Every read checks the remaining length and throws ProtocolDecodeError
 * naming the primitive being read, so a truncated or corrupt request is
 * reported precisely instead of surfacing as a RangeError from a DataView.
 *
 * Ownership: `records` views returned by readRecords/readCompactRecords alias
 * the input buffer (record batches can be large, and the log layer wants the
 * bytes as they arrived). `bytes` fields are copied, since they are small
 * and often retained (group member metadata, SASL tokens).
 */
import { decodeUtf8 } from "./utf8.ts";
import { uuidFromBytes } from "./uuid.ts";

/** Input ended early or held a value the protocol does not allow. */
export class ProtocolDecodeError extends Error {
  /** Byte offset (relative to the reader's buffer) where the read started. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = "ProtocolDecodeError";
    this.offset = offset;
  }
}

export class Reader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  /** Next byte to read; may be moved by callers that frame sub-messages. */
  pos: number;
  /** One past the last readable byte. */
  readonly end: number;
  /**
   * Array entries this reader may still decode, summed over every array: each entry becomes an object worth
   * far more memory and time than its bytes, so request handling caps them (tsbroker.request.max.list.entries).
   */
  listEntriesLeft = Infinity;

  constructor(buf: Uint8Array, start = 0, end: number = buf.length) {
    if (start < 0 || end > buf.length || start > end) {
      throw new RangeError(
        `bad reader bounds [${start}, ${end}) for ${buf.length} bytes`,
      );
    }
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  /** Throws ProtocolDecodeError if fewer than `n` bytes are left. */
  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw this.truncated(what, n);
  }

  truncated(what: string, needed: number): ProtocolDecodeError {
    return new ProtocolDecodeError(
      `truncated input reading ${what}: need ${needed} bytes at offset ${this.pos}, ${this.end - this.pos} left`,
      this.pos,
    );
  }

  invalid(what: string, detail: string): ProtocolDecodeError {
    return new ProtocolDecodeError(
      `invalid ${what} at offset ${this.pos}: ${detail}`,
      this.pos,
    );
  }

  skip(n: number): void {
    this.need(n, "skipped bytes");
    this.pos += n;
  }

  // ---- fixed-width integers ----

  readInt8(): number {
    if (this.pos >= this.end) throw this.truncated("int8", 1);
    return (this.buf[this.pos++] << 24) >> 24;
  }

  readBool(): boolean {
    if (this.pos >= this.end) throw this.truncated("bool", 1);
    return this.buf[this.pos++] !== 0;
  }

  readInt16(): number {
    this.need(2, "int16");
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  readUint16(): number {
    this.need(2, "uint16");
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  readInt32(): number {
    this.need(4, "int32");
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  readUint32(): number {
    this.need(4, "uint32");
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  readInt64(): bigint {
    this.need(8, "int64");
    const v = this.view.getBigInt64(this.pos);
    this.pos += 8;
    return v;
  }

  readFloat64(): number {
    this.need(8, "float64");
    const v = this.view.getFloat64(this.pos);
    this.pos += 8;
    return v;
  }

  readUuid(): string {
    this.need(16, "uuid");
    const v = uuidFromBytes(this.buf, this.pos);
    this.pos += 16;
    return v;
  }

  // ---- variable-length integers ----

  /** Unsigned LEB128 varint of at most 5 bytes (a uint32), as Kafka. */
  readUnsignedVarint(what = "unsigned varint"): number {
    // Fast path: lengths, counts and tags are almost always < 128.
    const first = this.pos;
    if (first < this.end) {
      const b = this.buf[first];
      if (b < 0x80) {
        this.pos = first + 1;
        return b;
      }
    }
    return this.readLongUnsignedVarint(what);
  }

  private readLongUnsignedVarint(what: string): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) throw this.truncated(what, pos - this.pos + 1);
      const b = buf[pos++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        if (shift === 28 && b > 0x0f) {
          throw this.invalid(what, "more than 32 bits");
        }
        this.pos = pos;
        return result >>> 0;
      }
    }
    throw this.invalid(what, "longer than 5 bytes");
  }

  /** Zigzag-encoded signed 32-bit varint. */
  readVarint(): number {
    const u = this.readUnsignedVarint("varint");
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zigzag-encoded signed 64-bit varint (at most 10 bytes). */
  readVarlong(): bigint {
    const buf = this.buf;
    let pos = this.pos;
    // Fast path: up to 4 bytes fit exactly in a JS number without overflow.
    let small = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= this.end) throw this.truncated("varlong", pos - this.pos + 1);
      const b = buf[pos++];
      small |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return BigInt((small >>> 1) ^ -(small & 1));
      }
    }
    let result = BigInt(small >>> 0);
    for (let shift = 28n; shift < 70n; shift += 7n) {
      if (pos >= this.end) throw this.truncated("varlong", pos - this.pos + 1);
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        if (shift === 63n && b > 1) {
          throw this.invalid("varlong", "more than 64 bits");
        }
        this.pos = pos;
        return BigInt.asIntN(64, (result >> 1n) ^ -(result & 1n));
      }
    }
    throw this.invalid("varlong", "longer than 10 bytes");
  }

  // ---- strings ----

  private utf8(len: number, what: string): string {
    this.need(len, what);
    const start = this.pos;
    this.pos += len;
    return decodeUtf8(this.buf, start, this.pos);
  }

  /** int16 length + UTF-8; null (-1) is rejected. */
  readString(): string {
    const len = this.readInt16Len("string length");
    if (len < 0) {
      throw this.invalid(
        "string",
        "null where a non-nullable string is required",
      );
    }
    return this.utf8(len, "string bytes");
  }

  readNullableString(): string | null {
    const len = this.readInt16Len("nullable string length");
    if (len < 0) return null;
    return this.utf8(len, "nullable string bytes");
  }

  /** Unsigned varint (length + 1) + UTF-8; null (0) is rejected. */
  readCompactString(): string {
    const n = this.readUnsignedVarint("compact string length");
    if (n === 0) {
      throw this.invalid(
        "compact string",
        "null where a non-nullable string is required",
      );
    }
    return this.utf8(n - 1, "compact string bytes");
  }

  readCompactNullableString(): string | null {
    const n = this.readUnsignedVarint("compact nullable string length");
    if (n === 0) return null;
    return this.utf8(n - 1, "compact nullable string bytes");
  }

  private readInt16Len(what: string): number {
    this.need(2, what);
    const v = this.view.getInt16(this.pos);
    this.pos += 2;
    if (v < -1) throw this.invalid(what, `negative length ${v}`);
    return v;
  }

  // ---- bytes and records ----

  private copyBytes(len: number, what: string): Uint8Array {
    this.need(len, what);
    const start = this.pos;
    this.pos += len;
    return this.buf.slice(start, this.pos);
  }

  private viewBytes(len: number, what: string): Uint8Array {
    this.need(len, what);
    const start = this.pos;
    this.pos += len;
    return this.buf.subarray(start, this.pos);
  }

  private readInt32Len(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    if (v < -1) throw this.invalid(what, `negative length ${v}`);
    return v;
  }

  /** int32 length + bytes (copied); null (-1) is rejected. */
  readBytes(): Uint8Array {
    const len = this.readInt32Len("bytes length");
    if (len < 0) {
      throw this.invalid("bytes", "null where non-nullable bytes are required");
    }
    return this.copyBytes(len, "bytes");
  }

  readNullableBytes(): Uint8Array | null {
    const len = this.readInt32Len("nullable bytes length");
    return len < 0 ? null : this.copyBytes(len, "nullable bytes");
  }

  readCompactBytes(): Uint8Array {
    const n = this.readUnsignedVarint("compact bytes length");
    if (n === 0) {
      throw this.invalid(
        "compact bytes",
        "null where non-nullable bytes are required",
      );
    }
    return this.copyBytes(n - 1, "compact bytes");
  }

  readCompactNullableBytes(): Uint8Array | null {
    const n = this.readUnsignedVarint("compact nullable bytes length");
    return n === 0 ? null : this.copyBytes(n - 1, "compact nullable bytes");
  }

  /** int32-length record batches as a view into the input (not copied). */
  readRecords(): Uint8Array | null {
    const len = this.readInt32Len("records length");
    return len < 0 ? null : this.viewBytes(len, "records");
  }

  readCompactRecords(): Uint8Array | null {
    const n = this.readUnsignedVarint("compact records length");
    return n === 0 ? null : this.viewBytes(n - 1, "compact records");
  }

  /** `n` raw bytes as a view into the input. */
  readRaw(n: number): Uint8Array {
    return this.viewBytes(n, "raw bytes");
  }

  // ---- arrays ----

  /**
   * int32 element count; null (-1) is rejected. Like Kafka, a count larger
   * than the bytes left is refused before anything is allocated.
   */
  readArrayLength(): number {
    const n = this.readNullableArrayLength();
    if (n < 0) {
      throw this.invalid(
        "array",
        "null where a non-nullable array is required",
      );
    }
    return n;
  }

  /** int32 element count, or -1 for a null array. */
  readNullableArrayLength(): number {
    const n = this.readInt32Len("array length");
    if (n > this.end - this.pos) {
      throw this.invalid(
        "array length",
        `${n} elements but only ${this.end - this.pos} bytes left`,
      );
    }
    if (n > 0 && (this.listEntriesLeft -= n) < 0) throw this.invalid("array length", "too many list entries");
    return n;
  }

  readCompactArrayLength(): number {
    const n = this.readCompactNullableArrayLength();
    if (n < 0) {
      throw this.invalid(
        "compact array",
        "null where a non-nullable array is required",
      );
    }
    return n;
  }

  /** Unsigned varint (count + 1), or -1 for a null array (0 on the wire). */
  readCompactNullableArrayLength(): number {
    const n = this.readUnsignedVarint("compact array length") - 1;
    if (n > this.end - this.pos) {
      throw this.invalid(
        "compact array length",
        `${n} elements but only ${this.end - this.pos} bytes left`,
      );
    }
    if (n > 0 && (this.listEntriesLeft -= n) < 0) throw this.invalid("array length", "too many list entries");
    return n;
  }

  // ---- tagged fields ----

  /** Skips a whole tagged-field section (count, then tag/size/data each). */
  skipTaggedFields(): void {
    const count = this.readUnsignedVarint("tagged field count");
    for (let i = 0; i < count; i++) {
      this.readUnsignedVarint("tag");
      this.skip(this.readUnsignedVarint("tagged field size"));
    }
  }

  /**
   * Checks that a known tagged field consumed exactly its declared size;
   * used by generated decoders after reading a tagged value.
   */
  endTaggedField(end: number, what: string): void {
    if (this.pos !== end) {
      throw this.invalid(
        `tagged field ${what}`,
        `declared size ends at ${end}, value ended at ${this.pos}`,
      );
    }
  }
}
