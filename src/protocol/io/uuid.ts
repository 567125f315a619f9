/**
 * Kafka UUIDs in their string form: the 16 bytes as URL-safe base64 without
 * padding (22 characters), exactly what Kafka's `Uuid.toString()` prints and
 * what `kafka-topics.sh --describe` shows as TopicId.
 */

import { decodeUtf8 } from "./utf8.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const CODE_OF: number[] = Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Reused scratch for the 22 ASCII characters (see uuidFromBytes). */
const CHARS = new Uint8Array(22);
const VALUE_OF = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) VALUE_OF[ALPHABET.charCodeAt(i)] = i;

/** The all-zero UUID, Kafka's "no id" marker (e.g. topic ids before v10). */
export const ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA";

/** Reads 16 bytes at `offset` and returns the 22-character string form. */
export function uuidFromBytes(buf: Uint8Array, offset = 0): string {
  if (offset < 0 || offset + 16 > buf.length) {
    throw new RangeError(
      `uuid needs 16 bytes at offset ${offset}, buffer has ${buf.length}`,
    );
  }
  let zero = true;
  for (let i = 0; i < 16; i++) {
    if (buf[offset + i] !== 0) {
      zero = false;
      break;
    }
  }
  if (zero) return ZERO_UUID; // the common case for version < 10 payloads
  // Build the ASCII bytes, then one string conversion (decodeUtf8 picks the
  // fastest way per runtime); much cheaper than concatenating 22 strings.
  const codes = CHARS;
  let i = offset;
  let c = 0;
  // 15 bytes = five 24-bit groups = 20 characters.
  for (const end = offset + 15; i < end; i += 3) {
    const n = (buf[i] << 16) | (buf[i + 1] << 8) | buf[i + 2];
    codes[c++] = CODE_OF[n >> 18];
    codes[c++] = CODE_OF[(n >> 12) & 63];
    codes[c++] = CODE_OF[(n >> 6) & 63];
    codes[c++] = CODE_OF[n & 63];
  }
  // The last byte yields 2 characters (8 bits = 6 + 2 padded with zeros).
  const last = buf[i];
  codes[20] = CODE_OF[last >> 2];
  codes[21] = CODE_OF[(last & 3) << 4];
  return decodeUtf8(codes, 0, 22);
}

/**
 * Parses the string form into 16 bytes (into `out` at `offset` if given).
 * Accepts the 22-character form, optionally followed by "==" padding.
 */
export function uuidToBytes(
  id: string,
  out?: Uint8Array,
  offset = 0,
): Uint8Array {
  const s = id.length === 24 && id.endsWith("==") ? id.slice(0, 22) : id;
  if (s.length !== 22) {
    throw new RangeError(`invalid uuid ${JSON.stringify(id)}: length`);
  }
  const dst = out ?? new Uint8Array(16);
  if (offset < 0 || offset + 16 > dst.length) {
    throw new RangeError("uuid output buffer too small");
  }
  let o = offset;
  let c = 0;
  for (let g = 0; g < 5; g++, c += 4) {
    const n = (sextet(s, c) << 18) | (sextet(s, c + 1) << 12) |
      (sextet(s, c + 2) << 6) |
      sextet(s, c + 3);
    dst[o++] = n >> 16;
    dst[o++] = (n >> 8) & 255;
    dst[o++] = n & 255;
  }
  const a = sextet(s, 20);
  const b = sextet(s, 21);
  if ((b & 15) !== 0) {
    throw new RangeError(`invalid uuid ${JSON.stringify(id)}: trailing bits`);
  }
  dst[o] = (a << 2) | (b >> 4);
  return dst;
}

function sextet(s: string, i: number): number {
  const code = s.charCodeAt(i);
  const v = code < 128 ? VALUE_OF[code] : -1;
  if (v < 0) {
    throw new RangeError(`invalid uuid ${JSON.stringify(s)}: character ${i}`);
  }
  return v;
}

/**
 * A random (version 4) UUID. Like Kafka's `Uuid.randomUuid()`, ids whose
 * string form starts with '-' are rejected and redrawn, because such ids are
 * awkward to pass on command lines.
 */
export function randomUuid(): string {
  const b = new Uint8Array(16);
  for (;;) {
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; // version 4, as java.util.UUID.randomUUID
    b[8] = (b[8] & 0x3f) | 0x80; // IETF variant
    const id = uuidFromBytes(b);
    if (id[0] !== "-") return id;
  }
}
