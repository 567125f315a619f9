/**
 * CRC-32C over large inputs with WebAssembly SIMD: 16 lanes at once, each a
 * table-driven CRC whose 256-entry tables are split into 16-entry nibble
 * tables that `i8x16.swizzle` looks up for all 16 lanes in one instruction.
 *
 * Why: the table loop (crc32c.ts) runs at about 1–1.5 GB/s and was 27–35% of
 * the broker's CPU under W1 (perf, 2026-12-07), where Kafka's JVM uses the
 * CPU's CRC32C instruction. WebAssembly has neither that instruction nor a
 * carry-less multiply, but it has byte shuffles.
 *
 * How: a 64-byte row is 16 words of 4 bytes; lane l takes word l of every row
 * (so lane l's bytes are at 4l, 4l+64, 4l+128, …). One row step for a lane is
 * slice-by-64 with only its own 4 bytes non-zero:
 *   r' = T63[x0] ^ T62[x1] ^ T61[x2] ^ T60[x3],  x = r ^ word
 * with Tk[b] the register after byte b and k zero bytes. The registers are
 * kept byte-planar (vector j holds byte j of every lane's register), rows are
 * transposed into the same shape with 12 shuffles, and each Tk lookup is two
 * nibble lookups per output byte. Treating every lane's word as the first of
 * its 64-byte stride shifts lane l's register 4l bytes past the chunk's end;
 * CRC registers are linear, so the chunk's register is lane 0's XOR each other
 * lane's shifted back by 4l zero bytes (an inverse the tables give directly).
 *
 * The module is written here byte by byte (no toolchain, nothing to fetch);
 * where WebAssembly SIMD is missing, `simdLanes()` is null and callers keep
 * the table loop. Each thread that checks a large batch builds its own copy
 * on first use (128 KiB of memory).
 */
import { CRC32C_TABLE } from "./crc32c_table.ts";

/** Bytes per row: 16 lanes of one 4-byte word. */
const ROW = 64;
/** Where the lane registers live (4 vectors), then the nibble tables (32 vectors), then the input. */
const STATE_AT = 0;
const TABLES_AT = 64;
const INPUT_AT = 1024;
/** Input bytes per call into the module: its second page and most of the first. */
const CHUNK = 64 * 1024;
/** Below this many bytes the table loop is as fast (copying in and combining lanes cost about 1 µs). */
export const SIMD_MIN_BYTES = 4096;

// --- a 32-bit GF(2)-linear map as the images of its 32 unit vectors ---

type LinearMap = Int32Array;

function apply(m: LinearMap, x: number): number {
  let out = 0;
  for (let b = 0; x !== 0; b++, x >>>= 1) if (x & 1) out ^= m[b];
  return out;
}

/** The register after one zero byte. */
function zeroByte(r: number): number {
  return CRC32C_TABLE[r & 0xff] ^ (r >>> 8);
}

/**
 * Undoing one zero byte: r' = T[r & 0xff] ^ (r >>> 8), and T's top bytes are all different, so the top byte of r'
 * names r's low byte. Lane l's register is undone 4l times; entry l maps it back.
 */
function laneCorrections(): LinearMap[] {
  const lowByteOfTop = new Uint8Array(256);
  for (let n = 0; n < 256; n++) lowByteOfTop[CRC32C_TABLE[n] >>> 24] = n;
  const undoByte = (s: number) => {
    const low = lowByteOfTop[s >>> 24];
    return ((s ^ CRC32C_TABLE[low]) << 8) | low;
  };
  const columns = Int32Array.from({ length: 32 }, (_, b) => 1 << b);
  const out: LinearMap[] = [columns.slice()];
  for (let lane = 1; lane < 16; lane++) {
    for (let b = 0; b < 32; b++) columns[b] = undoByte(undoByte(undoByte(undoByte(columns[b]))));
    out.push(columns.slice());
  }
  return out;
}

// --- the module's bytes ---

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  localGet: 0x20,
  localSet: 0x21,
  i32Const: 0x41,
  i32Add: 0x6a,
  i32GeU: 0x4f,
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  empty: 0x40,
  simd: 0xfd,
};
const simd = { load: 0x00, store: 0x0b, const: 0x0c, shuffle: 0x0d, and: 0x4e, xor: 0x51, shrU: 0x6d };
/**
 * i8x16.swizzle, and relaxed SIMD's i8x16.relaxed_swizzle (0x100), which is x86's pshufb without the fix-up for
 * indices over 15 (3 GB/s against 1.5 in Deno); the indices here are nibbles, where both give the same bytes.
 */
const SWIZZLE = [0x0e];
const RELAXED_SWIZZLE = [0x80, 0x02];

/** Byte k of each of a vector's 4 words, grouped: [w0.b0 w1.b0 w2.b0 w3.b0  w0.b1 …]. */
const GROUP_BYTES = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15];
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const LOW_WORDS = [...range(0, 4), ...range(16, 4), ...range(4, 4), ...range(20, 4)];
const HIGH_WORDS = [...range(8, 4), ...range(24, 4), ...range(12, 4), ...range(28, 4)];
const LOW_HALVES = [...range(0, 8), ...range(16, 8)];
const HIGH_HALVES = [...range(8, 8), ...range(24, 8)];

/** `rows(at, end)`: runs the row step over [at, end) (whole rows), registers in and out at STATE_AT. */
function moduleBytes(swizzle: number[]): Uint8Array<ArrayBuffer> {
  // Locals: 0 at, 1 end; then v128: r0..r3 (2..5), p0..p3 (6..9), a b c d (10..13), x0..x3 (14..17), mask (18).
  const r = (j: number) => 2 + j, p = (m: number) => 6 + m, x = (k: number) => 14 + k;
  const [A, B, C, D, MASK] = [10, 11, 12, 13, 18];
  const code: number[] = [];
  const get = (i: number) => code.push(op.localGet, ...uleb(i));
  const set = (i: number) => code.push(op.localSet, ...uleb(i));
  const i32 = (v: number) => code.push(op.i32Const, ...sleb(v));
  const load = (offset: number) => code.push(op.simd, simd.load, 0, ...uleb(offset));
  const shuffle = (lanes: number[]) => code.push(op.simd, simd.shuffle, ...lanes);
  const v = (o: number | number[]) => code.push(op.simd, ...(typeof o === "number" ? [o] : o));

  code.push(op.simd, simd.const, ...new Array(16).fill(0x0f)), set(MASK);
  for (let j = 0; j < 4; j++) (i32(0), load(STATE_AT + 16 * j), set(r(j)));
  code.push(op.block, op.empty, op.loop, op.empty);
  get(0), get(1), code.push(op.i32GeU, op.brIf, 1);
  // Transpose the row: p_m groups each byte position of words 4m..4m+3; a..d gather those groups by words.
  for (let m = 0; m < 4; m++) (get(0), load(16 * m), get(0), load(16 * m), shuffle(GROUP_BYTES), set(p(m)));
  (get(p(0)), get(p(1)), shuffle(LOW_WORDS), set(A)), (get(p(2)), get(p(3)), shuffle(LOW_WORDS), set(B));
  (get(p(0)), get(p(1)), shuffle(HIGH_WORDS), set(C)), (get(p(2)), get(p(3)), shuffle(HIGH_WORDS), set(D));
  // Columns: vector k gets byte k of all 16 words, XORed with byte k of every lane's register.
  const columns = [[A, B, LOW_HALVES], [A, B, HIGH_HALVES], [C, D, LOW_HALVES], [C, D, HIGH_HALVES]] as const;
  columns.forEach(([lo, hi, lanes], k) => (get(lo), get(hi), shuffle(lanes), get(r(k)), v(simd.xor), set(x(k))));
  // Each lane byte's two nibbles, once per row: low ones in p0..p3, high ones in a..d (both free by now).
  const low = (k: number) => p(k), high = (k: number) => [A, B, C, D][k];
  for (let k = 0; k < 4; k++) {
    get(x(k)), get(MASK), v(simd.and), set(low(k));
    get(x(k)), i32(4), v(simd.shrU), set(high(k));
  }
  // Register byte j of every lane: the XOR over lane bytes k of the nibble tables of T(63-k), byte j.
  for (let j = 0; j < 4; j++) {
    for (let k = 0; k < 4; k++) {
      const table = TABLES_AT + 16 * (8 * k + 2 * j);
      i32(0), load(table), get(low(k)), v(swizzle);
      if (k > 0) v(simd.xor);
      i32(0), load(table + 16), get(high(k)), v(swizzle), v(simd.xor);
    }
    set(r(j));
  }
  get(0), i32(ROW), code.push(op.i32Add), set(0);
  code.push(op.br, 0, op.end, op.end);
  for (let j = 0; j < 4; j++) (i32(0), get(r(j)), code.push(op.simd, simd.store, 0, ...uleb(STATE_AT + 16 * j)));
  code.push(op.end);

  const body = [...vec([[17, V128]]), ...code];
  const name = (s: string) => [...uleb(s.length), ...[...s].map((ch) => ch.charCodeAt(0))];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vec([[0x60, ...vec([[I32], [I32]]), ...vec([])]])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 2]])),
    ...section(7, vec([[...name("rows"), 0x00, 0], [...name("memory"), 0x02, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

/**
 * The nibble tables: for lane byte k and register byte j, byte j of T(63-k)[n] and of T(63-k)[n << 4], n < 16.
 * Only those 32 entries of each table are needed: each is T0's entry advanced by 60 to 63 zero bytes.
 */
function writeTables(mem: Uint8Array): void {
  for (let n = 0; n < 16; n++) {
    for (const [byte, half] of [[n, 0], [n << 4, 16]]) {
      let r = CRC32C_TABLE[byte];
      for (let step = 0; step < 60; step++) r = zeroByte(r);
      for (let k = 3; k >= 0; k--, r = zeroByte(r)) {
        for (let j = 0; j < 4; j++) mem[TABLES_AT + 16 * (8 * k + 2 * j) + half + n] = (r >>> (8 * j)) & 0xff;
      }
    }
  }
}

function instantiate(): Lanes | null {
  if (typeof WebAssembly !== "object") return null;
  let bytes = moduleBytes(RELAXED_SWIZZLE);
  if (!WebAssembly.validate(bytes)) bytes = moduleBytes(SWIZZLE);
  if (!WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  const rows = instance.exports.rows as (at: number, end: number) => void;
  const mem = new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer);
  writeTables(mem);
  const corrections = laneCorrections();
  /** The register after the whole rows of `data` (its length a multiple of ROW, at most CHUNK). */
  const chunk = (register: number, data: Uint8Array): number => {
    mem.fill(0, STATE_AT, STATE_AT + 64);
    for (let j = 0; j < 4; j++) mem[STATE_AT + 16 * j] = (register >>> (8 * j)) & 0xff;
    mem.set(data, INPUT_AT);
    rows(INPUT_AT, INPUT_AT + data.byteLength);
    let out = 0;
    for (let lane = 0; lane < 16; lane++) {
      const reg = mem[STATE_AT + lane] | (mem[STATE_AT + 16 + lane] << 8) | (mem[STATE_AT + 32 + lane] << 16) |
        (mem[STATE_AT + 48 + lane] << 24);
      out ^= lane === 0 ? reg : apply(corrections[lane], reg);
    }
    return out;
  };
  return (register, data) => {
    const whole = data.byteLength - (data.byteLength % ROW);
    for (let at = 0; at < whole; at += CHUNK) {
      register = chunk(register, data.subarray(at, Math.min(at + CHUNK, whole)));
    }
    return register;
  };
}

type Lanes = (register: number, data: Uint8Array) => number;

let lanes: Lanes | null | undefined;

/**
 * Advances a CRC-32C register (not the finished CRC: crc32c.ts inverts it) over the whole 64-byte rows of `data`;
 * the caller handles the remaining `data.byteLength % 64` bytes. Null where WebAssembly SIMD is unavailable. Built
 * on first use (about 5 ms), so a thread that never checks a large batch (and start-up) does not pay for it.
 */
export function simdLanes(): Lanes | null {
  if (lanes === undefined) lanes = instantiate();
  return lanes;
}
