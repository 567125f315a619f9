/**
 * The cost of one small produce, end to end: one connection sends Produce v9 requests one at a time
 * (acks=1, one 100-byte record, spread round robin over the topic's partitions) to a broker process and
 * reports the round trip's p50/p99/p999 and the broker's CPU per request (all its threads, from
 * /proc/<pid>/stat). It isolates the per-request path (framing, the processor→handler crossing, the owner
 * hand-over, the append) from batching. Numbers only: nothing is asserted. `deno task bench`'s SMALL
 * workload is the same measurement from C (scripts/bench/loadgen_small.c), for every broker it runs.
 *
 *   deno run -A scripts/bench/small_produce.ts [--bun] [--requests N] [--partitions P] [--override k=v]...
 */
import * as fs from "node:fs";
import { startBroker } from "../../tests/integration/_broker.ts";
import { requestFrame, WireClient } from "../../tests/integration/_wire.ts";
import { encodeCreateTopicsRequest } from "../../src/protocol/generated/create_topics.ts";
import { encodeProduceRequest } from "../../src/protocol/generated/produce.ts";
import { buildBatch } from "../../src/log/record_batch.ts";

const args = Deno.args;
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const requests = arg("--requests", 20_000);
const partitions = arg("--partitions", 8);
const overrides: Record<string, string> = {};
args.forEach((a, i) => {
  if (a === "--override") {
    const [k, ...v] = args[i + 1].split("=");
    overrides[k] = v.join("=");
  }
});

/** utime + stime of every thread of `pid`, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// Broker on CPU 0, this client on CPU 1 (as the benchmark pins them), unless --no-pin.
const pinned = !args.includes("--no-pin");
const broker = await startBroker(args.includes("--bun") ? "bun" : "deno", {
  overrides,
  launcher: pinned ? ["taskset", "-c", "0"] : undefined,
});
try {
  const client = await WireClient.connect(broker.port, broker.host);
  client.write(requestFrame(19, 4, 1, "bench", {
    topics: [{ name: "small", numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10_000,
    validateOnly: false,
  }, encodeCreateTopicsRequest));
  await client.readFrame();
  const value = new Uint8Array(100).fill(120);
  const frames = Array.from({ length: partitions }, (_, p) => (id: number) =>
    requestFrame(0, 9, id, "bench", {
      transactionalId: null,
      acks: 1,
      timeoutMs: 10_000,
      topicData: [{ name: "small", partitionData: [{ index: p, records: buildBatch([{ key: null, value }]) }] }],
    }, encodeProduceRequest));
  const warmup = Math.min(2000, requests / 5);
  const rtt: number[] = [];
  let cpuStart = 0;
  for (let i = 0; i < warmup + requests; i++) {
    if (i === warmup) cpuStart = cpuSeconds(broker.pid);
    const t0 = performance.now();
    client.write(frames[i % partitions](i + 2));
    await client.readFrame();
    if (i >= warmup) rtt.push(performance.now() - t0);
  }
  const cpu = cpuSeconds(broker.pid) - cpuStart;
  rtt.sort((a, b) => a - b);
  const q = (p: number) => rtt[Math.min(rtt.length - 1, Math.floor(p * rtt.length))].toFixed(3);
  const wall = rtt.reduce((a, b) => a + b, 0) / 1000;
  console.log(
    `${broker.flavour}: ${requests} produces over ${partitions} partitions, ${(requests / wall).toFixed(0)} req/s; ` +
      `round trip p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, p999 ${q(0.999)} ms; ` +
      `broker CPU ${(cpu * 1e6 / requests).toFixed(0)} µs per request`,
  );
  client.destroy();
} finally {
  await broker.stop();
}
