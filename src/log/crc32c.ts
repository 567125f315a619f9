/**
 * CRC-32C (Castagnoli), the checksum of Kafka's v2 record batches.
 *
 * Slice-by-32: one step folds 32 input bytes (eight 32-bit words) with 32
 * independent table lookups instead of 32 dependent ones. There is no CRC32
 * instruction or carry-less multiply reachable from portable JS or WASM, so
 * tables are the practical ceiling; what still varies is the loop overhead
 * per byte. Measured (scripts/bench/crc32c.ts, 16 KiB and 1 MiB, one core):
 * slice-by-8 1.15 GB/s in Deno and 1.5 in Bun; slice-by-16 1.6 and 1.9;
 * slice-by-32 1.9 and 2.2. All 32 tables live in one Int32Array (32 KiB, one
 * base pointer for the JIT, still within L1), indexed `table * 256 + byte`.
 *
 * Inputs of SIMD_MIN_BYTES or more (record batches as produced) go through
 * WebAssembly SIMD instead where the runtime has it (crc32c_simd.ts: about
 * 3 GB/s against 1–1.3 for this loop, in Deno and Bun alike); this loop
 * finishes their last partial row.
 */
import { CRC32C_TABLE } from "./crc32c_table.ts";
import { SIMD_MIN_BYTES, simdLanes } from "./crc32c_simd.ts";

// Tables and input words are Int32Arrays, not Uint32Arrays: a Uint32Array
// element at or above 2^31 is not an int32, and JavaScriptCore (Bun) then
// falls back to double arithmetic for the whole loop (measured 0.06 GB/s on
// some inputs against 1.8 GB/s). XOR and shifts give the same bits either way.
//
// T[k * 256 + n] is the CRC register after byte n followed by k zero bytes,
// so a byte k positions before the end of a 32-byte block uses table k.
const T = new Int32Array(32 * 256);
T.set(CRC32C_TABLE);
for (let k = 1; k < 32; k++) {
  for (let n = 0; n < 256; n++) {
    const prev = T[(k - 1) * 256 + n];
    T[k * 256 + n] = (prev >>> 8) ^ T[prev & 0xff];
  }
}

// An Int32Array view reads 4 bytes in one load, but yields little-endian
// words only on a little-endian host; elsewhere every byte goes through the
// one-byte loop (correct, slower; no big-endian host is targeted).
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// Below this many bytes, creating the word view costs more than it saves.
const WORD_VIEW_MIN = 128;

/**
 * CRC-32C of `data`, as an unsigned 32-bit number. Pass a previous result as
 * `initial` to continue it: crc32c(b, crc32c(a)) === crc32c(a + b).
 */
export function crc32c(data: Uint8Array, initial = 0): number {
  let c = ~initial;
  const n = data.length;
  let i = 0;
  const lanes = n >= SIMD_MIN_BYTES ? simdLanes() : null;
  if (lanes !== null) {
    c = lanes(c, data);
    i = n - (n % 64); // fewer than 64 bytes left: the byte loop below
  } else if (LITTLE_ENDIAN && n >= WORD_VIEW_MIN) {
    // Consume bytes until the view is 4-byte aligned, as Int32Array needs.
    const head = (4 - (data.byteOffset & 3)) & 3;
    for (; i < head; i++) c = T[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    const words = new Int32Array(data.buffer, data.byteOffset + i, ((n - i) >>> 5) * 8);
    const t = T;
    for (let j = 0; j < words.length; j += 8) {
      c ^= words[j];
      const w1 = words[j + 1], w2 = words[j + 2], w3 = words[j + 3];
      const w4 = words[j + 4], w5 = words[j + 5], w6 = words[j + 6], w7 = words[j + 7];
      c = t[0x1f00 | (c & 0xff)] ^ t[0x1e00 | ((c >>> 8) & 0xff)] ^
        t[0x1d00 | ((c >>> 16) & 0xff)] ^ t[0x1c00 | (c >>> 24)] ^
        t[0x1b00 | (w1 & 0xff)] ^ t[0x1a00 | ((w1 >>> 8) & 0xff)] ^
        t[0x1900 | ((w1 >>> 16) & 0xff)] ^ t[0x1800 | (w1 >>> 24)] ^
        t[0x1700 | (w2 & 0xff)] ^ t[0x1600 | ((w2 >>> 8) & 0xff)] ^
        t[0x1500 | ((w2 >>> 16) & 0xff)] ^ t[0x1400 | (w2 >>> 24)] ^
        t[0x1300 | (w3 & 0xff)] ^ t[0x1200 | ((w3 >>> 8) & 0xff)] ^
        t[0x1100 | ((w3 >>> 16) & 0xff)] ^ t[0x1000 | (w3 >>> 24)] ^
        t[0x0f00 | (w4 & 0xff)] ^ t[0x0e00 | ((w4 >>> 8) & 0xff)] ^
        t[0x0d00 | ((w4 >>> 16) & 0xff)] ^ t[0x0c00 | (w4 >>> 24)] ^
        t[0x0b00 | (w5 & 0xff)] ^ t[0x0a00 | ((w5 >>> 8) & 0xff)] ^
        t[0x0900 | ((w5 >>> 16) & 0xff)] ^ t[0x0800 | (w5 >>> 24)] ^
        t[0x0700 | (w6 & 0xff)] ^ t[0x0600 | ((w6 >>> 8) & 0xff)] ^
        t[0x0500 | ((w6 >>> 16) & 0xff)] ^ t[0x0400 | (w6 >>> 24)] ^
        t[0x0300 | (w7 & 0xff)] ^ t[0x0200 | ((w7 >>> 8) & 0xff)] ^
        t[0x0100 | ((w7 >>> 16) & 0xff)] ^ t[w7 >>> 24];
    }
    i += words.length * 4;
  }
  for (; i < n; i++) c = T[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
