/**
 * UTF-8 helpers for protocol strings. Most protocol strings (topic names,
 * client ids, group ids, config keys) are short ASCII, where a plain loop
 * beats the per-call overhead of TextDecoder/TextEncoder by a wide margin.
 */

const decoder = new TextDecoder("utf-8"); // non-fatal, like Java's new String(bytes, UTF_8)
const encoder = new TextEncoder();

/**
 * ASCII strings up to this many bytes are built with String.fromCharCode
 * from a reused code array rather than TextDecoder, whose fixed per-call
 * cost dominates short strings. Unlike `s += char` loops, the result is a
 * flat string, which keeps later Map lookups on it fast. The crossover was
 * measured per runtime: on Deno 2.9 (V8) TextDecoder costs ~110 ns per call
 * and fromCharCode wins up to ~32 bytes; on Bun 1.4 (JSC) TextDecoder is
 * cheap and fromCharCode wins only for a handful of bytes.
 */
const SHORT_DECODE = "Bun" in globalThis ? 8 : 32;
const CODE_ARRAYS: number[][] = Array.from(
  { length: SHORT_DECODE + 1 },
  (_, n) => new Array<number>(n).fill(0),
);

export function decodeUtf8(
  buf: Uint8Array,
  start: number,
  end: number,
): string {
  const len = end - start;
  if (len === 0) return "";
  if (len <= SHORT_DECODE) {
    const codes = CODE_ARRAYS[len];
    for (let i = 0; i < len; i++) {
      const c = buf[start + i];
      if (c >= 0x80) return decoder.decode(buf.subarray(start, end));
      codes[i] = c;
    }
    return String.fromCharCode.apply(null, codes);
  }
  return decoder.decode(
    start === 0 && end === buf.length ? buf : buf.subarray(start, end),
  );
}

/** Strings up to this many UTF-16 units try a plain ASCII store loop first. */
const SHORT_ENCODE = 64;

/**
 * Writes `s` as UTF-8 into `buf` at `offset`; the caller guarantees room for
 * the worst case (3 bytes per UTF-16 code unit). Returns the byte count.
 */
export function encodeUtf8Into(
  s: string,
  buf: Uint8Array,
  offset: number,
): number {
  const len = s.length;
  if (len <= SHORT_ENCODE) {
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[offset + i] = c;
    }
    if (i === len) return len;
    return i + encoder.encodeInto(s.slice(i), buf.subarray(offset + i)).written;
  }
  return encoder.encodeInto(s, buf.subarray(offset)).written;
}
