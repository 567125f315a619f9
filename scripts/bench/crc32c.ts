/**
 * CRC-32C and batch validation throughput: the bytewise table loop against
 * src/log/crc32c.ts (slice-by-32), on 16 KiB and 1 MiB buffers, then
 * validateBatchForAppend on a 1 MiB uncompressed batch of 1 KiB records
 * (crc over the batch plus the record walk). Run under Deno and Bun:
 *   deno run -A scripts/bench/crc32c.ts     bun scripts/bench/crc32c.ts
 */
import { crc32c } from "../../src/log/crc32c.ts";
import { buildBatch, validateBatchForAppend } from "../../src/log/record_batch.ts";

const runtime = "Deno" in globalThis ? "deno" : "bun";

const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  TABLE[n] = c;
}

/** The one-table, one-byte-per-step loop, as the baseline. */
function bytewise(data: Uint8Array, initial = 0): number {
  let c = ~initial;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** Runs `fn` over `bytes`-sized inputs for about `seconds`; returns bytes per second. */
function rate(bytes: number, seconds: number, fn: () => unknown): number {
  for (let i = 0; i < 20; i++) fn(); // warm up the JIT
  let rounds = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 16; i++) fn();
    rounds += 16;
    now = performance.now();
  }
  return (rounds * bytes) / ((now - start) / 1000);
}

let sink = 0; // keeps results live so the work is not optimized away

/** Pseudo-random bytes; getRandomValues is capped at 64 KiB a call. */
function noise(size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

for (const size of [16 * 1024, 1024 * 1024]) {
  // Offset 21 is where a batch's crc coverage starts: the case that matters.
  for (const offset of [0, 21]) {
    const data = noise(size + offset).subarray(offset);
    for (const [label, fn] of [["bytewise", bytewise], ["slice-by-32", crc32c]] as const) {
      const gbs = rate(size, 2, () => sink ^= fn(data)) / 1e9;
      console.log(
        `${runtime} crc32c ${label.padEnd(10)} ${String(size / 1024).padStart(5)} KiB at +${offset}: ${
          gbs.toFixed(2)
        } GB/s`,
      );
    }
  }
}

{
  const value = noise(1024 - 16);
  const records = Array.from({ length: 1024 }, (_, i) => ({ key: new TextEncoder().encode(`key-${i}`), value }));
  const batch = buildBatch(records);
  const opts = { maxMessageBytes: 2 * 1024 * 1024 };
  if (validateBatchForAppend(batch, 0, batch.length, opts) !== null) throw new Error("bench batch does not validate");
  const mbs =
    rate(batch.length, 2, () => sink ^= validateBatchForAppend(batch, 0, batch.length, opts) === null ? 1 : 0) /
    1e6;
  console.log(
    `${runtime} validateBatchForAppend ${records.length} records, ${(batch.length / 1024).toFixed(0)} KiB: ${
      mbs.toFixed(0)
    } MB/s`,
  );
}

if (sink === 0x12345678) console.log("");
