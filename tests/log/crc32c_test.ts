/** CRC-32C: published check values, incremental use, slice-by-32 and the WebAssembly SIMD lanes vs a bytewise reference. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../src/log/crc32c.ts";
import { SIMD_MIN_BYTES, simdLanes } from "../../src/log/crc32c_simd.ts";

/** The textbook one-byte-at-a-time CRC-32C, sharing nothing with the code under test. */
function referenceCrc32c(data: Uint8Array, initial = 0): number {
  let c = ~initial >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

/** Small seeded PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("crc32c check values", () => {
  const cases: [string, Uint8Array, number][] = [
    ["empty", new Uint8Array(0), 0],
    ['"123456789"', new TextEncoder().encode("123456789"), 0xe3069283],
    ["32 zero bytes", new Uint8Array(32), 0x8a9136aa],
    ["32 0xFF bytes", new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ["ascending 0..31", Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
  ];
  for (const [name, data, expected] of cases) {
    test(name, () => {
      assert.equal(crc32c(data), expected);
      assert.equal(referenceCrc32c(data), expected);
    });
  }

  test("result is an unsigned 32-bit number", () => {
    // 0xE3069283 has its top bit set: a signed result would be negative.
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 3808858755);
  });
});

describe("crc32c incremental", () => {
  test("crc of a+b equals crc32c(b, crc32c(a)) at every split point", () => {
    const next = rng(1);
    const data = Uint8Array.from({ length: 700 }, () => Math.floor(next() * 256));
    const whole = crc32c(data);
    for (let split = 0; split <= data.length; split++) {
      assert.equal(crc32c(data.subarray(split), crc32c(data.subarray(0, split))), whole, `split ${split}`);
    }
  });
});

describe("crc32c vs bytewise reference", () => {
  test("random lengths 0..5000 at random byte offsets", () => {
    const seed = 20240611;
    const next = rng(seed);
    const pool = Uint8Array.from({ length: 5000 + 64 }, () => Math.floor(next() * 256));
    for (let i = 0; i < 400; i++) {
      const length = Math.floor(next() * 5001);
      const offset = Math.floor(next() * 64);
      const data = pool.subarray(offset, offset + length);
      const initial = i % 4 === 0 ? Math.floor(next() * 4294967296) : 0;
      assert.equal(
        crc32c(data, initial),
        referenceCrc32c(data, initial),
        `seed ${seed} case ${i}: length ${length}, offset ${offset}`,
      );
    }
  });

  test("every alignment and tail length around the word-view threshold", () => {
    const next = rng(7);
    const pool = Uint8Array.from({ length: 600 }, () => Math.floor(next() * 256));
    for (let offset = 0; offset < 8; offset++) {
      for (let length = 100; length < 300; length++) {
        const data = pool.subarray(offset, offset + length);
        assert.equal(crc32c(data), referenceCrc32c(data), `length ${length}, offset ${offset}`);
      }
    }
  });
});

describe("crc32c through WebAssembly SIMD (inputs of SIMD_MIN_BYTES and more)", () => {
  test("the runtime has it, so large inputs take that path", () => {
    // Deno and Bun both validate the module; a runtime without SIMD would fall back to the table loop.
    assert.notEqual(simdLanes(), null);
  });

  test("lengths around the threshold, the 64-byte rows and the 64 KiB chunks, at every byte offset mod 8", () => {
    const next = rng(64);
    const pool = Uint8Array.from({ length: 3 * 65536 + 256 }, () => Math.floor(next() * 256));
    const lengths = [SIMD_MIN_BYTES - 1, SIMD_MIN_BYTES, SIMD_MIN_BYTES + 1, SIMD_MIN_BYTES + 63, SIMD_MIN_BYTES + 64];
    lengths.push(65535, 65536, 65537, 65536 + 64, 2 * 65536 - 1, 3 * 65536 + 200);
    for (const length of lengths) {
      for (let offset = 0; offset < 8; offset++) {
        const data = pool.subarray(offset, offset + length);
        const initial = offset % 2 === 0 ? 0 : Math.floor(next() * 4294967296);
        assert.equal(crc32c(data, initial), referenceCrc32c(data, initial), `length ${length}, offset ${offset}`);
      }
    }
  });

  test("each of the 16 lanes sees its own bytes: a single flipped bit anywhere changes the CRC as the reference does", () => {
    const data = new Uint8Array(8192);
    const clean = crc32c(data);
    for (let at = 0; at < 1024; at += 4) {
      // Positions 0..1023 in steps of 4 cover every lane (word = at/4 mod 16) and several rows.
      data[at] = 1 << (at % 8);
      assert.equal(crc32c(data), referenceCrc32c(data), `bit flipped at byte ${at}`);
      assert.notEqual(crc32c(data), clean);
      data[at] = 0;
    }
  });

  test("random large inputs, continued from random registers, agree with the reference", () => {
    const seed = 4242;
    const next = rng(seed);
    const pool = Uint8Array.from({ length: 300_000 }, () => Math.floor(next() * 256));
    for (let i = 0; i < 40; i++) {
      const length = SIMD_MIN_BYTES + Math.floor(next() * 200_000);
      const offset = Math.floor(next() * 1000);
      const data = pool.subarray(offset, offset + length);
      const initial = Math.floor(next() * 4294967296);
      assert.equal(crc32c(data, initial), referenceCrc32c(data, initial), `seed ${seed} case ${i}: length ${length}`);
    }
  });
});
