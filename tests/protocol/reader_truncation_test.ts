/**
 * Short or malformed input must surface as ProtocolDecodeError naming what
 * was being read, never as a RangeError/TypeError from deeper down, so the
 * network layer can answer or close the connection cleanly.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ProtocolDecodeError, Reader } from "../../src/protocol/io/reader.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { API_SCHEMAS } from "../../src/protocol/schema/messages/index.ts";
import { makeMessage } from "./value_gen.ts";
import { bytes, i32 } from "./bytes_util.ts";

function throwsDecode(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(
      e instanceof ProtocolDecodeError,
      `expected ProtocolDecodeError, got ${e}`,
    );
    assert.match(e.message, pattern);
    return true;
  });
}

describe("reader truncation", () => {
  const cases: [string, Uint8Array, (r: Reader) => unknown, RegExp][] = [
    ["int8", bytes(), (r) => r.readInt8(), /reading int8/],
    ["bool", bytes(), (r) => r.readBool(), /reading bool/],
    [
      "int16",
      bytes(1),
      (r) => r.readInt16(),
      /reading int16: need 2 bytes at offset 0, 1 left/,
    ],
    ["uint16", bytes(1), (r) => r.readUint16(), /reading uint16/],
    ["int32", bytes(0, 1, 2), (r) => r.readInt32(), /reading int32/],
    ["uint32", bytes(0, 1, 2), (r) => r.readUint32(), /reading uint32/],
    [
      "int64",
      bytes(0, 1, 2, 3, 4, 5, 6),
      (r) => r.readInt64(),
      /reading int64/,
    ],
    ["float64", bytes(0, 1), (r) => r.readFloat64(), /reading float64/],
    ["uuid", new Uint8Array(15), (r) => r.readUuid(), /reading uuid/],
    [
      "unsigned varint",
      bytes(0x80, 0x80),
      (r) => r.readUnsignedVarint(),
      /reading unsigned varint/,
    ],
    ["varint", bytes(0xff), (r) => r.readVarint(), /reading varint/],
    [
      "varlong",
      bytes(0xff, 0xff, 0xff, 0xff, 0xff),
      (r) => r.readVarlong(),
      /reading varlong/,
    ],
    ["string length", bytes(0), (r) => r.readString(), /reading string length/],
    [
      "string bytes",
      bytes(0, 5, 0x61, 0x62),
      (r) => r.readString(),
      /reading string bytes: need 5 bytes at offset 2, 2 left/,
    ],
    [
      "nullable string bytes",
      bytes(0, 3, 0x61),
      (r) => r.readNullableString(),
      /reading nullable string bytes/,
    ],
    [
      "compact string length",
      bytes(0x80),
      (r) => r.readCompactString(),
      /reading compact string length/,
    ],
    [
      "compact string bytes",
      bytes(0x04, 0x61),
      (r) => r.readCompactString(),
      /reading compact string bytes/,
    ],
    [
      "compact nullable string",
      bytes(0x04),
      (r) => r.readCompactNullableString(),
      /compact nullable string bytes/,
    ],
    ["bytes", bytes(i32(4), 1), (r) => r.readBytes(), /reading bytes: need 4/],
    [
      "nullable bytes length",
      bytes(0, 0),
      (r) => r.readNullableBytes(),
      /nullable bytes length/,
    ],
    [
      "compact bytes",
      bytes(0x03, 1),
      (r) => r.readCompactBytes(),
      /reading compact bytes/,
    ],
    [
      "records",
      bytes(i32(10), 1, 2),
      (r) => r.readRecords(),
      /reading records/,
    ],
    [
      "compact records",
      bytes(0x0b, 1, 2),
      (r) => r.readCompactRecords(),
      /reading compact records/,
    ],
    [
      "array length",
      bytes(0, 0),
      (r) => r.readArrayLength(),
      /reading array length/,
    ],
    [
      "tagged field section",
      bytes(0x01, 0x00, 0x05, 1),
      (r) => r.skipTaggedFields(),
      /reading skipped bytes/,
    ],
  ];
  for (const [name, input, read, pattern] of cases) {
    test(name, () => throwsDecode(() => read(new Reader(input)), pattern));
  }
});

describe("reader rejects invalid values", () => {
  test("null string where not nullable", () => {
    throwsDecode(
      () => new Reader(bytes(0xff, 0xff)).readString(),
      /null where a non-nullable string/,
    );
    throwsDecode(
      () => new Reader(bytes(0x00)).readCompactString(),
      /null where a non-nullable string/,
    );
  });
  test("null array where not nullable", () => {
    throwsDecode(
      () => new Reader(bytes(i32(-1))).readArrayLength(),
      /non-nullable array/,
    );
    throwsDecode(
      () => new Reader(bytes(0x00)).readCompactArrayLength(),
      /non-nullable array/,
    );
  });
  test("negative lengths other than -1", () => {
    throwsDecode(
      () => new Reader(bytes(0xff, 0xfe)).readNullableString(),
      /negative length -2/,
    );
    throwsDecode(
      () => new Reader(bytes(i32(-7))).readNullableBytes(),
      /negative length -7/,
    );
  });
  test("array count larger than the remaining bytes (no huge allocation)", () => {
    throwsDecode(
      () => new Reader(bytes(i32(0x7fffffff), 0, 0)).readArrayLength(),
      /2147483647 elements but only 2 bytes left/,
    );
    throwsDecode(
      () =>
        new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0x07))
          .readCompactArrayLength(),
      /elements but only 0 bytes left/,
    );
  });
  test("varint longer than 5 bytes", () => {
    throwsDecode(
      () =>
        new Reader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01))
          .readUnsignedVarint(),
      /longer than 5 bytes|more than 32 bits/,
    );
  });
});

describe("every strict prefix of an encoded message fails with ProtocolDecodeError", () => {
  for (const api of API_SCHEMAS) {
    test(api.name, async () => {
      const mod = (await import(
        new URL(
          `../../src/protocol/generated/${api.module}.ts`,
          import.meta.url,
        ).href
      )) as Record<string, (...args: unknown[]) => unknown>;
      for (const schema of [api.request, api.response]) {
        const version = schema.validVersions[1];
        const w = new Writer();
        mod[`encode${schema.name}`](
          w,
          version,
          makeMessage(schema, version, { nulls: false, seed: 3 }),
        );
        const full = w.finish().slice();
        for (let len = 0; len < full.length; len++) {
          const r = new Reader(full, 0, len);
          assert.throws(
            () => mod[`decode${schema.name}`](r, version),
            ProtocolDecodeError,
            `${schema.name} v${version} prefix of ${len}/${full.length} bytes`,
          );
        }
      }
    });
  }
});
