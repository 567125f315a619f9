/** Writer behaviour beyond single primitives: growth, framing, length prefixes. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Reader } from "../../src/protocol/io/reader.ts";
import { ProtocolEncodeError, Writer } from "../../src/protocol/io/writer.ts";
import {
  defaultMetadataResponse,
  defaultMetadataResponseTopic,
  encodeMetadataResponse,
} from "../../src/protocol/generated/metadata.ts";
import { hex } from "./bytes_util.ts";

describe("writer", () => {
  test("grows geometrically and keeps earlier bytes", () => {
    const w = new Writer(16);
    for (let i = 0; i < 10000; i++) w.writeInt32(i);
    const r = new Reader(w.finish());
    for (let i = 0; i < 10000; i++) assert.equal(r.readInt32(), i);
    assert.ok(w.buf.length >= 40000 && w.buf.length < 80000 * 2);
  });

  test("size prefix is back-filled without copying", () => {
    const w = new Writer(16);
    w.reserveSizePrefix();
    w.writeInt32(7);
    w.writeString("hello");
    const framed = w.finishWithSizePrefix();
    assert.equal(framed.buffer, w.buf.buffer);
    assert.equal(hex(framed), "00 00 00 0b 00 00 00 07 00 05 68 65 6c 6c 6f");
  });

  test("size prefix must come first", () => {
    const w = new Writer();
    w.writeInt8(1);
    assert.throws(() => w.reserveSizePrefix(), ProtocolEncodeError);
    assert.throws(
      () => new Writer().finishWithSizePrefix(),
      ProtocolEncodeError,
    );
  });

  test("reset reuses the buffer", () => {
    const w = new Writer(16);
    w.writeInt32(1);
    const buf = w.buf;
    w.reset();
    w.writeInt16(2);
    assert.equal(w.buf, buf);
    assert.equal(hex(w.finish()), "00 02");
  });

  test("UTF-8 strings, short and long, ASCII and not", () => {
    for (
      const s of [
        "",
        "a",
        "topic-1",
        "ü",
        "é✓€😀",
        "x".repeat(100),
        "é".repeat(100),
        "ab".repeat(5000),
      ]
    ) {
      const w = new Writer(8);
      w.writeString(s);
      w.writeCompactString(s);
      w.writeNullableString(s);
      w.writeCompactNullableString(s);
      const r = new Reader(w.finish());
      assert.equal(r.readString(), s);
      assert.equal(r.readCompactString(), s);
      assert.equal(r.readNullableString(), s);
      assert.equal(r.readCompactNullableString(), s);
      assert.equal(r.remaining(), 0);
    }
  });

  test("compact string whose UTF-8 length needs a longer prefix than guessed", () => {
    // 100 UTF-16 units guess a 1-byte prefix; 200 UTF-8 bytes need 2.
    const s = "é".repeat(100);
    const w = new Writer(8);
    w.writeCompactString(s);
    const out = w.finish();
    assert.equal(hex(out.subarray(0, 2)), "c9 01"); // 201 = length + 1
    assert.equal(out.length, 202);
    assert.equal(new Reader(out).readCompactString(), s);
  });

  test("int16-length string limit", () => {
    assert.throws(
      () => new Writer().writeString("x".repeat(40000)),
      ProtocolEncodeError,
    );
  });

  test("tagged field larger than 127 bytes gets a 2-byte size", () => {
    const w = new Writer(8);
    w.writeInt8(0x55);
    const start = w.beginTaggedField(3);
    for (let i = 0; i < 200; i++) w.writeInt8(i);
    w.endTaggedField(start);
    w.writeInt8(0x66);
    const out = w.finish();
    assert.equal(hex(out.subarray(0, 4)), "55 03 c8 01");
    assert.equal(out.length, 1 + 1 + 2 + 200 + 1);
    assert.equal(out[4], 0);
    assert.equal(out[203], 199);
    assert.equal(out[204], 0x66);
  });

  test("null in a version where the field is not nullable is refused", () => {
    const m = defaultMetadataResponse();
    m.topics = [{ ...defaultMetadataResponseTopic(), name: null }];
    encodeMetadataResponse(new Writer(), 12, m); // nullable from v12
    assert.throws(
      () => encodeMetadataResponse(new Writer(), 11, m),
      (e: unknown) =>
        e instanceof ProtocolEncodeError &&
        /MetadataResponseTopic\.Name/.test(e.message),
    );
  });
});

describe("chunked mode (large byte fields sent by reference)", () => {
  const concat = (chunks: Uint8Array[]) => {
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  };

  /** The same writes in plain and chunked mode. */
  function both(minBytes: number, initial: number, write: (w: Writer) => void) {
    const plain = new Writer(initial);
    plain.reserveSizePrefix();
    write(plain);
    const chunked = new Writer(initial);
    chunked.reserveSizePrefix();
    chunked.externalizeFrom(minBytes);
    write(chunked);
    return { plain: plain.finishWithSizePrefix().slice(), chunks: chunked.finishChunksWithSizePrefix() };
  }

  test("large byte fields become their own chunks, by reference; the frame is byte-identical", () => {
    const big1 = new Uint8Array(5000).fill(7);
    const big2 = new Uint8Array(3000).fill(9);
    const { plain, chunks } = both(1000, 16, (w) => {
      w.writeInt32(42);
      w.writeCompactNullableBytes(big1);
      w.writeString("between");
      w.writeNullableBytes(new Uint8Array([1, 2, 3])); // small: copied
      w.writeBytes(big2);
      w.writeInt16(-1);
    });
    assert.deepEqual(concat(chunks), plain);
    assert.equal(chunks.length, 5);
    assert.equal(chunks[1], big1, "the first large field is the caller's array, not a copy");
    assert.equal(chunks[3], big2);
    assert.equal(new DataView(chunks[0].buffer, chunks[0].byteOffset).getInt32(0), plain.byteLength - 4);
  });

  test("the buffer regrowing after a chunk was cut keeps earlier chunks intact", () => {
    const big = new Uint8Array(2048).fill(3);
    const { plain, chunks } = both(1024, 16, (w) => {
      w.writeString("a".repeat(10));
      w.writeBytes(big);
      w.writeString("b".repeat(500)); // forces the 16-byte buffer to grow
      w.writeBytes(big);
    });
    assert.deepEqual(concat(chunks), plain);
  });

  test("nothing large: one chunk, the same bytes as finishWithSizePrefix", () => {
    const { plain, chunks } = both(1 << 20, 64, (w) => {
      w.writeInt64(5n);
      w.writeCompactBytes(new Uint8Array(100));
    });
    assert.equal(chunks.length, 1);
    assert.deepEqual(chunks[0], plain);
  });

  test("a tagged field around an externalized field is refused rather than corrupted", () => {
    const w = new Writer(64);
    w.reserveSizePrefix();
    w.externalizeFrom(10);
    const start = w.beginTaggedField(0);
    w.writeRaw(new Uint8Array(20));
    assert.throws(() => w.endTaggedField(start), /tagged field/);
  });
});
