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
