/** Unsigned varints, zigzag varints/varlongs and their edge values. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Reader } from "../../src/protocol/io/reader.ts";
import { uvarintSize, Writer } from "../../src/protocol/io/writer.ts";
import { hex } from "./bytes_util.ts";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function enc(fn: (w: Writer) => void): string {
  const w = new Writer(16);
  fn(w);
  return hex(w.finish());
}

function fromHex(s: string): Reader {
  return new Reader(Uint8Array.from(s.split(" ").map((x) => parseInt(x, 16))));
}

describe("unsigned varint", () => {
  const cases: [number, string][] = [
    [0, "00"],
    [1, "01"],
    [127, "7f"],
    [128, "80 01"],
    [300, "ac 02"],
    [16383, "ff 7f"],
    [16384, "80 80 01"],
    [INT32_MAX, "ff ff ff ff 07"],
    [0xffffffff, "ff ff ff ff 0f"],
  ];
  for (const [value, wire] of cases) {
    test(`${value} <-> ${wire}`, () => {
      assert.equal(enc((w) => w.writeUnsignedVarint(value)), wire);
      const r = fromHex(wire);
      assert.equal(r.readUnsignedVarint(), value);
      assert.equal(r.remaining(), 0);
      assert.equal(uvarintSize(value), wire.split(" ").length);
    });
  }
});

describe("zigzag varint (int32)", () => {
  const cases: [number, string][] = [
    [0, "00"],
    [-1, "01"],
    [1, "02"],
    [-2, "03"],
    [63, "7e"],
    [-64, "7f"],
    [64, "80 01"],
    [INT32_MAX, "fe ff ff ff 0f"],
    [INT32_MIN, "ff ff ff ff 0f"],
  ];
  for (const [value, wire] of cases) {
    test(`${value} <-> ${wire}`, () => {
      assert.equal(enc((w) => w.writeVarint(value)), wire);
      const r = fromHex(wire);
      assert.equal(r.readVarint(), value);
      assert.equal(r.remaining(), 0);
    });
  }
});

describe("zigzag varlong (int64)", () => {
  const cases: [bigint, string][] = [
    [0n, "00"],
    [-1n, "01"],
    [1n, "02"],
    [-64n, "7f"],
    [64n, "80 01"],
    [BigInt(INT32_MAX), "fe ff ff ff 0f"],
    [BigInt(INT32_MIN), "ff ff ff ff 0f"],
    [2n ** 35n, "80 80 80 80 80 02"],
    [INT64_MAX, "fe ff ff ff ff ff ff ff ff 01"],
    [INT64_MIN, "ff ff ff ff ff ff ff ff ff 01"],
  ];
  for (const [value, wire] of cases) {
    test(`${value} <-> ${wire}`, () => {
      assert.equal(enc((w) => w.writeVarlong(value)), wire);
      const r = fromHex(wire);
      assert.equal(r.readVarlong(), value);
      assert.equal(r.remaining(), 0);
    });
  }

  test("roundtrip across magnitudes", () => {
    for (let shift = 0n; shift < 63n; shift++) {
      for (
        const v of [
          1n << shift,
          -(1n << shift),
          (1n << shift) - 1n,
          -(1n << shift) + 1n,
        ]
      ) {
        const w = new Writer(16);
        w.writeVarlong(v);
        assert.equal(new Reader(w.finish()).readVarlong(), v, `value ${v}`);
      }
    }
  });

  test("varlong longer than 10 bytes is rejected", () => {
    assert.throws(
      () => fromHex("ff ff ff ff ff ff ff ff ff ff 01").readVarlong(),
      /varlong/,
    );
  });
});

describe("int64 fixed width", () => {
  test("min and max", () => {
    for (const v of [INT64_MIN, INT64_MAX, -1n, 0n]) {
      const w = new Writer(16);
      w.writeInt64(v);
      assert.equal(new Reader(w.finish()).readInt64(), v);
    }
    assert.equal(enc((w) => w.writeInt64(-1n)), "ff ff ff ff ff ff ff ff");
  });
});
