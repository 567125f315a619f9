/**
 * In-process fuzz targets: the request header and request decoders of every
 * advertised API and version (exactly as the broker's request handler calls
 * them), and the record-batch parsers of the produce path (batch splitting,
 * validation, legacy message-set up-conversion, record timestamps) with the
 * decompressors. A target runs one input and returns null, or a description
 * of a failure: an exception other than the code's own error type, or an
 * input that took too long.
 */
import { dispatchTable } from "../../src/handler/apis/registry.ts";
import { readRequestHeader } from "../../src/protocol/api_headers.ts";
import { ProtocolDecodeError, Reader } from "../../src/protocol/io/reader.ts";
import { buildBatch, CompressionType, splitBatches, validateBatchForAppend } from "../../src/log/record_batch.ts";
import { visitRecordTimestamps } from "../../src/log/batch_records.ts";
import { crc32, upConvertMessageSet } from "../../src/log/legacy_message_set.ts";
import { gzipCompress, gzipDecompress } from "../../src/log/codecs/gzip.ts";
import { Lz4Error, lz4FrameCompress, lz4FrameDecompress } from "../../src/log/codecs/lz4.ts";
import { snappyCompress, snappyDecompress, SnappyError } from "../../src/log/codecs/snappy.ts";
import { concat, mutate, type Random, seeded, seedFrames } from "./corpus.ts";

export interface Target {
  name: string;
  seeds: Uint8Array[];
  /** Runs one input; returns why it failed, or null. */
  run(input: Uint8Array): string | null;
}

export interface FuzzFailure {
  target: string;
  index: number;
  error: string;
  input: Uint8Array;
}

export interface FuzzReport {
  inputs: number;
  failures: FuzzFailure[];
  slowestMs: number;
}

/** An input slower than this counts as a hang. */
export const SLOW_MS = 1000;

const handlers = dispatchTable();

/** What the broker does with a frame: header, then the body if the API and version are served. */
function decodeRequest(frame: Uint8Array): void {
  const reader = new Reader(frame);
  const header = readRequestHeader(reader);
  const handler = handlers.get(header.requestApiKey);
  const v = header.requestApiVersion;
  if (handler && v >= handler.minVersion && v <= handler.maxVersion) handler.decodeRequest(reader, v);
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split("\n").slice(1, 6).join("\n")}` : String(e);
}

export async function requestDecoderTarget(): Promise<Target> {
  const frames = await seedFrames();
  return {
    name: "request decoders",
    seeds: frames.map((f) => f.bytes),
    run(input) {
      try {
        decodeRequest(input);
      } catch (e) {
        if (!(e instanceof ProtocolDecodeError)) return describe(e);
      }
      return null;
    },
  };
}

const utf8 = new TextEncoder();

/** A legacy (magic 0/1) message, as Produce v0-v2 carry them. */
function legacyMessage(magic: 0 | 1, offset: bigint, value: Uint8Array | null, attributes = 0): Uint8Array {
  const bytesField = (b: Uint8Array | null) => {
    const out = new Uint8Array(4 + (b?.length ?? 0));
    new DataView(out.buffer).setInt32(0, b === null ? -1 : b.length);
    if (b) out.set(b, 4);
    return out;
  };
  const ts = new Uint8Array(magic === 1 ? 8 : 0);
  if (magic === 1) new DataView(ts.buffer).setBigInt64(0, 1_700_000_000_000n);
  const body = concat(Uint8Array.of(magic, attributes), ts, bytesField(utf8.encode("k")), bytesField(value));
  const head = new Uint8Array(16);
  const v = new DataView(head.buffer);
  v.setBigInt64(0, offset);
  v.setInt32(8, 4 + body.length);
  v.setUint32(12, crc32(body));
  return concat(head, body);
}

function batchSeeds(): Uint8Array[] {
  const records = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      key: i % 2 ? null : utf8.encode(`key-${i}`),
      value: utf8.encode(`value-${i}-${"v".repeat(i * 7)}`),
      headers: i % 3 === 0 ? [["h", utf8.encode("x")] as [string, Uint8Array]] : [],
      timestampDelta: i,
    }));
  const plain = [1, 3, 10].map((n) => buildBatch(records(n)));
  const idempotent = buildBatch(records(4), { producerId: 42n, producerEpoch: 1, baseSequence: 7 });
  const set0 = concat(legacyMessage(0, 0n, utf8.encode("a")), legacyMessage(0, 1n, null));
  const set1 = concat(legacyMessage(1, 0n, utf8.encode("b")), legacyMessage(1, 1n, utf8.encode("c")));
  const wrapped = legacyMessage(1, 1n, gzipCompress(set1), 1);
  return [...plain, idempotent, set0, set1, wrapped, concat(plain[0], plain[1])];
}

/** Errors the decompressors may raise for bad input: their own types, and zlib's data errors. */
function codecError(e: unknown): boolean {
  if (e instanceof Lz4Error || e instanceof SnappyError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("Z_");
}

export function recordBatchTarget(): Target {
  const seeds = batchSeeds();
  const sample = utf8.encode("compressible payload ".repeat(40));
  const compressed: Array<[number, Uint8Array]> = [
    [CompressionType.Gzip, gzipCompress(sample)],
    [CompressionType.Snappy, snappyCompress(sample)],
    [CompressionType.Lz4, lz4FrameCompress(sample)],
  ];
  // A compressed payload is tagged with its codec in the first byte, so mutations exercise each decompressor.
  for (const [codec, bytes] of compressed) seeds.push(concat(Uint8Array.of(0xc0 | codec), bytes));
  return {
    name: "record batches",
    seeds,
    run(input) {
      try {
        if (input.length > 0 && (input[0] & 0xf0) === 0xc0) {
          const codec = input[0] & 0x0f;
          const payload = input.subarray(1);
          try {
            if (codec === CompressionType.Gzip) gzipDecompress(payload);
            else if (codec === CompressionType.Snappy) snappyDecompress(payload);
            else if (codec === CompressionType.Lz4) lz4FrameDecompress(payload);
          } catch (e) {
            if (!codecError(e)) return describe(e);
          }
          return null;
        }
        const { batches } = splitBatches(input);
        for (const { start, end } of batches) {
          const error = validateBatchForAppend(input, start, end, { maxMessageBytes: 1 << 20 });
          if (error === null && (input[start + 22] & 0x07) === 0) {
            visitRecordTimestamps(input.subarray(start, end), () => false);
          }
        }
        upConvertMessageSet(input);
      } catch (e) {
        return describe(e);
      }
      return null;
    },
  };
}

/**
 * Runs `count` mutated inputs of `target` from `seed` (input i is mutate(seed input) with a PRNG
 * seeded from (seed, i), so any failing input can be regenerated alone).
 */
export function runFuzz(target: Target, seed: number, count: number, startAt = 0): FuzzReport {
  const failures: FuzzFailure[] = [];
  let slowestMs = 0;
  const random: Random = seeded(seed);
  for (let i = startAt; i < startAt + count; i++) {
    const input = inputFor(target, random);
    const started = performance.now();
    const error = target.run(input);
    const ms = performance.now() - started;
    if (ms > slowestMs) slowestMs = ms;
    if (error !== null) failures.push({ target: target.name, index: i, error, input });
    else if (ms > SLOW_MS) failures.push({ target: target.name, index: i, error: `took ${Math.round(ms)} ms`, input });
    if (failures.length >= 20) break;
  }
  return { inputs: count, failures, slowestMs };
}

function inputFor(target: Target, random: Random): Uint8Array {
  const pick = () => target.seeds[Math.floor(random() * target.seeds.length)];
  let input = mutate(pick(), random, pick());
  // Now and then mutate again, to get further from the valid shapes.
  while (random() < 0.2) input = mutate(input, random, pick());
  return input;
}
