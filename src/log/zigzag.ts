/**
 * Zigzag varints and varlongs as record batches hold them (lengths, deltas), as plain Numbers: exact for
 * |n| < 2^53, which every length, offset delta and timestamp delta of a real batch is.
 */

/** Reads one at `pos`, not past `end`; returns [value, next position], NaN for bytes that end or run on. */
export function readZigzag(buf: Uint8Array, pos: number, end: number): [number, number] {
  let raw = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return [NaN, pos];
    const b = buf[pos++];
    raw += (b & 0x7f) * mul;
    if (b < 0x80) return [raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2, pos];
    mul *= 128;
  }
  return [NaN, pos];
}

/** Bytes `writeZigzag` takes for `n`. */
export function zigzagSize(n: number): number {
  let u = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (u >= 0x80) {
    u = Math.floor(u / 0x80);
    size++;
  }
  return size;
}

/** Writes `n` at `pos`; returns the next position. */
export function writeZigzag(buf: Uint8Array, pos: number, n: number): number {
  let u = n >= 0 ? n * 2 : -n * 2 - 1;
  while (u >= 0x80) {
    buf[pos++] = (u % 0x80) | 0x80;
    u = Math.floor(u / 0x80);
  }
  buf[pos++] = u;
  return pos;
}
