/**
 * Decoder fuzzing in the suite: mutated valid requests of every advertised
 * API and version through the request header and request decoders, and
 * mutated record batches, legacy message sets and compressed payloads
 * through the produce path's parsers. Only the code's own error types may
 * come out (ProtocolDecodeError; the codecs' errors), never a RangeError,
 * TypeError or out-of-memory, and no input may take a second. Fixed seeds
 * and counts; `deno task fuzz` runs the same targets for 10^7 inputs.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { hex } from "../../scripts/fuzz/corpus.ts";
import {
  type FuzzReport,
  recordBatchTarget,
  requestDecoderTarget,
  runFuzz,
  type Target,
} from "../../scripts/fuzz/targets.ts";

const SEED = 0x5eed17;

function check(report: FuzzReport): void {
  const shown = report.failures.slice(0, 3).map((f) => `input ${f.index}: ${f.error}\n  bytes ${hex(f.input)}`);
  assert.equal(report.failures.length, 0, `${report.failures.length} failing inputs:\n${shown.join("\n")}`);
}

describe("decoder fuzzing", () => {
  test("request header and request decoders of every advertised API and version: 300,000 inputs", async () => {
    const target = await requestDecoderTarget();
    const report = runFuzz(target, SEED, 300_000);
    console.log(
      `${target.name}: ${target.seeds.length} seeds, ${report.inputs} inputs, slowest ${
        report.slowestMs.toFixed(1)
      } ms`,
    );
    check(report);
  });

  test("record-batch parsers and decompressors: 200,000 inputs", () => {
    const target = recordBatchTarget();
    const report = runFuzz(target, SEED, 200_000);
    console.log(
      `${target.name}: ${target.seeds.length} seeds, ${report.inputs} inputs, slowest ${
        report.slowestMs.toFixed(1)
      } ms`,
    );
    check(report);
  });

  test("the harness reports a decoder that throws something else than its error type", () => {
    const target: Target = {
      name: "broken",
      seeds: [Uint8Array.of(1, 2, 3, 4)],
      run: (input) => {
        try {
          new DataView(input.buffer, input.byteOffset, input.byteLength).getInt32(0);
          return null;
        } catch (e) {
          return String(e);
        }
      },
    };
    const report = runFuzz(target, SEED, 1_000);
    assert.ok(report.failures.length > 0);
    assert.match(report.failures[0].error, /RangeError/);
  });
});
