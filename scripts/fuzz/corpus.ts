/**
 * Seed inputs and mutations shared by the fuzzers (scripts/fuzz/fuzz.ts and
 * tests/fuzz/): valid request frames of every API and version the broker
 * advertises, built with the generated codecs from sample messages, and the
 * mutations applied to them. Everything is driven by a seeded PRNG, so a
 * failure is reproduced from its seed and input number.
 */
import { advertisedVersions } from "../../src/handler/apis/registry.ts";
import { requestHeaderVersion } from "../../src/protocol/api_headers.ts";
import { encodeRequestHeader } from "../../src/protocol/generated/headers.ts";
import { Writer } from "../../src/protocol/io/writer.ts";
import { API_SCHEMAS } from "../../src/protocol/schema/messages/index.ts";
import { makeMessage } from "../../tests/protocol/value_gen.ts";

export type Random = () => number;

/** mulberry32: small, fast, seeded. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedFrame {
  apiKey: number;
  version: number;
  /** Header and body, without the 4-byte size prefix. */
  bytes: Uint8Array;
}

type Encode = (w: Writer, version: number, m: unknown) => void;

/**
 * For every advertised API and version: frames of a message with every field set, one with nullable fields
 * null, and one with default values (empty lists), with the request header of that version.
 */
export async function seedFrames(): Promise<SeedFrame[]> {
  const out: SeedFrame[] = [];
  for (const range of advertisedVersions()) {
    const pair = API_SCHEMAS.find((a) => a.apiKey === range.apiKey);
    if (!pair) throw new Error(`no schema for advertised API ${range.apiKey}`);
    const mod = await import(`../../src/protocol/generated/${pair.module}.ts`) as Record<string, unknown>;
    const encode = mod[`encode${pair.request.name}`] as Encode;
    const makeDefault = mod[`default${pair.request.name}`] as () => unknown;
    for (let version = range.minVersion; version <= range.maxVersion; version++) {
      const messages = [
        makeMessage(pair.request, version, { nulls: false, seed: version * 1000 }),
        makeMessage(pair.request, version, { nulls: true, seed: version * 1000 + 500 }),
        makeDefault(),
      ];
      for (const message of messages) {
        out.push({ apiKey: range.apiKey, version, bytes: frame(range.apiKey, version, message, encode) });
      }
    }
  }
  return out;
}

/** Header and body of one request, without the size prefix. */
export function frame(
  apiKey: number,
  version: number,
  message: unknown,
  encode: Encode,
  correlationId = 7,
): Uint8Array {
  const w = new Writer();
  encodeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId,
    clientId: "fuzz",
  });
  encode(w, version, message);
  return w.finish().slice();
}

/** Values that break length and count fields: zero, -1, sign edges, and huge. */
const INT32_EDGES = [0, -1, 1, 0x7fffffff, -0x80000000, 0xffff, 0x7fff, -2, 0x10000, 0x3fffffff];
/** Varints that decode to huge, negative or overlong values. */
const VARINT_EDGES = [
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0x7f],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0x00],
  [0x01],
  [0xfe, 0xff, 0xff, 0xff, 0x07],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
];

/**
 * One mutated copy of `input`: 1-4 of bit flips, random bytes, truncation, insertion, deletion, edge
 * values written over int16/int32/varint positions, or a splice with `other`.
 */
export function mutate(input: Uint8Array, random: Random, other?: Uint8Array): Uint8Array {
  let b: Uint8Array = input.slice();
  const rounds = 1 + Math.floor(random() * 4);
  const at = (len = b.length) => Math.floor(random() * Math.max(1, len));
  for (let i = 0; i < rounds; i++) {
    switch (Math.floor(random() * 9)) {
      case 0: // bit flips
        for (let k = 1 + Math.floor(random() * 4); k > 0 && b.length > 0; k--) b[at()] ^= 1 << Math.floor(random() * 8);
        break;
      case 1: // random bytes
        for (let k = 1 + Math.floor(random() * 4); k > 0 && b.length > 0; k--) b[at()] = Math.floor(random() * 256);
        break;
      case 2: // truncation
        b = b.slice(0, at(b.length + 1));
        break;
      case 3: { // insert random bytes
        const n = 1 + Math.floor(random() * 16);
        const p = at(b.length + 1);
        const ins = Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
        b = concat(b.subarray(0, p), ins, b.subarray(p));
        break;
      }
      case 4: { // delete a range
        const p = at();
        b = concat(b.subarray(0, p), b.subarray(p + 1 + Math.floor(random() * 16)));
        break;
      }
      case 5: { // int32 edge value (lengths of arrays, bytes, records)
        const p = at(b.length - 3);
        if (b.length >= 4) new DataView(b.buffer, b.byteOffset).setInt32(p, INT32_EDGES[at(INT32_EDGES.length)]);
        break;
      }
      case 6: { // int16 edge value (string lengths)
        const p = at(b.length - 1);
        if (b.length >= 2) new DataView(b.buffer, b.byteOffset).setInt16(p, [0, -1, 0x7fff, -0x8000, -2][at(5)]);
        break;
      }
      case 7: { // varint edge value (compact lengths, tagged fields)
        const v = VARINT_EDGES[at(VARINT_EDGES.length)];
        const p = at(b.length + 1);
        b = random() < 0.5 ? concat(b.subarray(0, p), Uint8Array.from(v), b.subarray(p + v.length)) : concat(
          b.subarray(0, p),
          Uint8Array.from(v),
          b.subarray(p),
        );
        break;
      }
      case 8: // splice: our head, the other's tail
        if (other && other.length > 0) b = concat(b.subarray(0, at(b.length + 1)), other.subarray(at(other.length)));
        break;
    }
  }
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Hex of at most `max` bytes, for a failure report. */
export function hex(b: Uint8Array, max = 512): string {
  return Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, "0")).join("") +
    (b.length > max ? `… (${b.length} bytes)` : "");
}
