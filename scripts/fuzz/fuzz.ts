/**
 * `deno task fuzz [count] [--seed N] [--only decoders|batches|wire]`: the
 * long-running fuzzers behind tests/fuzz/. Runs `count` (default 10^7)
 * mutated inputs through the request decoders of every advertised API and
 * version and through the record-batch parsers, then sends count/1000
 * (at least 10,000) mutated frames to a real broker with health checks.
 * Prints progress and every failing input (target, input number, error,
 * bytes in hex); exits 1 if any input failed. Input i of a target is
 * reproducible from the seed alone.
 */
import { startBroker } from "../../tests/integration/_broker.ts";
import { hex } from "./corpus.ts";
import { type FuzzFailure, recordBatchTarget, requestDecoderTarget, runFuzz, type Target } from "./targets.ts";
import { fuzzWire } from "./wire.ts";

const args = [...Deno.args];
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const seed = Number(option("--seed") ?? Date.now() % 1_000_000);
const only = option("--only");
const count = Number(args[0] ?? 10_000_000);
if (!Number.isSafeInteger(count) || count <= 0) throw new Error(`count must be a positive integer, not ${args[0]}`);
console.log(`fuzz: seed ${seed}, ${count} inputs per decoder target${only ? `, only ${only}` : ""}`);

const failures: FuzzFailure[] = [];
const CHUNK = 1_000_000;

function runTarget(target: Target): void {
  const started = performance.now();
  let slowest = 0;
  for (let done = 0; done < count; done += CHUNK) {
    // Chunks continue one PRNG stream per chunk, seeded from (seed, chunk), so any chunk can be rerun alone.
    const report = runFuzz(target, seed * 1009 + done / CHUNK, Math.min(CHUNK, count - done), done);
    slowest = Math.max(slowest, report.slowestMs);
    failures.push(...report.failures);
    const rate = Math.round((done + report.inputs) / ((performance.now() - started) / 1000));
    console.log(`${target.name}: ${done + report.inputs} inputs, ${failures.length} failures, ${rate}/s`);
  }
  console.log(`${target.name}: done, slowest input ${slowest.toFixed(1)} ms`);
}

if (!only || only === "decoders") runTarget(await requestDecoderTarget());
if (!only || only === "batches") runTarget(recordBatchTarget());
if (!only || only === "wire") {
  const broker = await startBroker("deno");
  try {
    const frames = Math.max(10_000, Math.floor(count / 1000));
    const report = await fuzzWire({ port: broker.port, seed, frames, log: (line) => console.log(`wire: ${line}`) });
    for (const f of report.failures) console.log(`wire failure: ${f}`);
    if (!broker.running) console.log("wire failure: the broker died");
    if (report.failures.length > 0 || !broker.running) {
      failures.push({ target: "wire", index: -1, error: "see above", input: new Uint8Array(0) });
    }
  } finally {
    const code = await broker.stop("SIGTERM");
    console.log(`wire: broker exited with ${code}`);
    if (code !== 0) {
      failures.push({ target: "wire", index: -1, error: `broker exit code ${code}`, input: new Uint8Array(0) });
    }
  }
}

for (const f of failures) console.log(`FAILED ${f.target} input ${f.index}: ${f.error}\n  bytes ${hex(f.input)}`);
console.log(failures.length === 0 ? "fuzz: no failures" : `fuzz: ${failures.length} failures`);
Deno.exit(failures.length === 0 ? 0 : 1);
