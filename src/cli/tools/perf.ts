/**
 * `tsbroker perf produce|consume`, after Kafka's kafka-producer-perf-test and kafka-consumer-perf-test:
 * send N records of B bytes (optionally at R records/s) and report records/s, MB/s and the latency of each
 * send (from send() to the broker's acknowledgement) as average, max and percentiles; or read N records
 * and report the same rates and the end-to-end latency (receipt time minus the record's timestamp, which
 * means something when the records are produced while consuming).
 */
import { Consumer } from "../../client/consumer.ts";
import type { CompressionName } from "../../client/batch_encoder.ts";
import { Producer } from "../../client/producer.ts";
import type { ToolCommand } from "./command.ts";
import { describeFailure, type ToolContext, ToolFailure } from "./context.ts";
import { UsageError } from "./flags.ts";
import { json } from "./output.ts";
import { requireTopics } from "./topic.ts";

const MB = 1024 * 1024;

/** Latency summary in ms: average, max and the percentiles Kafka's perf tools print. */
export function latencySummary(samples: Float64Array): Record<string, number> {
  const sorted = Float64Array.from(samples).sort();
  const at = (
    q: number,
  ) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    avgMs: round(sorted.length ? sum / sorted.length : 0),
    maxMs: round(sorted.length ? sorted[sorted.length - 1] : 0),
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    p99Ms: round(at(0.99)),
    p999Ms: round(at(0.999)),
  };
}

function report(
  ctx: ToolContext,
  verb: string,
  records: number,
  bytes: number,
  ms: number,
  lat: Record<string, number>,
) {
  const rate = records / (ms / 1000);
  const mbs = bytes / MB / (ms / 1000);
  const out = {
    records,
    bytes,
    seconds: Math.round(ms) / 1000,
    recordsPerSec: Math.round(rate * 10) / 10,
    mbPerSec: Math.round(mbs * 100) / 100,
    ...lat,
  };
  ctx.emit(
    out,
    () =>
      `${records} records ${verb} in ${out.seconds} s, ${out.recordsPerSec} records/sec (${out.mbPerSec} MB/sec), ` +
      `${lat.avgMs} ms avg latency, ${lat.maxMs} ms max latency, ${lat.p50Ms} ms 50th, ${lat.p95Ms} ms 95th, ` +
      `${lat.p99Ms} ms 99th, ${lat.p999Ms} ms 99.9th.\n`,
    json,
  );
}

const produce: ToolCommand = {
  path: ["perf", "produce"],
  summary: "Send N records of B bytes and report throughput and latency",
  usage: "TOPIC --records N --size B [--rate R] [--acks 0|1|all] [--compression CODEC]",
  argsName: "topic name",
  args: [1, 1],
  flags: [
    { name: "records", short: "n", type: "string", arg: "N", help: "How many records to send" },
    { name: "size", short: "s", type: "string", arg: "B", help: "Value size in bytes" },
    { name: "rate", type: "string", arg: "R", help: "At most R records per second (unlimited)" },
    { name: "acks", type: "string", arg: "0|1|all", help: "Acknowledgements to wait for (all)" },
    { name: "compression", short: "z", type: "string", arg: "CODEC", help: "none, gzip, snappy, lz4 or zstd (none)" },
    { name: "batch-size", type: "string", arg: "B", help: "The producer's batch.size (16384)" },
    { name: "linger-ms", type: "string", arg: "MS", help: "The producer's linger.ms (5)" },
  ],
  notes: "Example:\n  tsbroker perf produce bench --records 100000 --size 1024",
  async run(ctx) {
    const [topic] = ctx.flags.positionals;
    if (!ctx.flags.has("records") || !ctx.flags.has("size")) throw new UsageError("--records and --size are required");
    const n = ctx.flags.int("records", 0, 1);
    const size = ctx.flags.int("size", 0, 0, 64 * MB);
    const rate = ctx.flags.int("rate", 0, 1);
    const acksRaw = ctx.flags.string("acks") ?? "all";
    if (!["0", "1", "all", "-1"].includes(acksRaw)) throw new UsageError(`--acks takes 0, 1 or all (got "${acksRaw}")`);
    const compression = ctx.flags.string("compression") ?? "none";
    if (!["none", "gzip", "snappy", "lz4", "zstd"].includes(compression)) {
      throw new UsageError(`--compression takes none, gzip, snappy, lz4 or zstd (got "${compression}")`);
    }
    await requireTopics(await ctx.adminClient(), [topic]);
    const producer = new Producer({
      ...ctx.clientOptions(),
      acks: acksRaw === "all" ? -1 : Number(acksRaw) as 0 | 1 | -1,
      compression: compression as CompressionName,
      batchSize: ctx.flags.int("batch-size", 16384, 1),
      lingerMs: ctx.flags.int("linger-ms", 5, 0),
    });
    ctx.onClose(() => producer.close());
    const value = new Uint8Array(size);
    for (let i = 0; i < size; i++) value[i] = 65 + (i % 26);
    const latencies = new Float64Array(n);
    let failure: unknown;
    let acked = 0;
    // At most `window` records unanswered (about 16 MiB), as Kafka's perf test blocks in send() once the
    // producer's buffer is full: without a bound every record queues at once and latency measures the queue.
    const window = Math.max(100, Math.min(20_000, Math.floor((16 * MB) / Math.max(size, 1))));
    const ring: Promise<void>[] = new Array(window);
    const start = performance.now();
    let lastReport = start;
    for (let i = 0; i < n && failure === undefined; i++) {
      if (i >= window) await ring[i % window];
      if (rate > 0) {
        const due = start + (i / rate) * 1000;
        const now = performance.now();
        if (due > now) await new Promise((r) => setTimeout(r, due - now));
      }
      const sentAt = performance.now();
      ring[i % window] = producer.send({ topic, value }).then(() => {
        latencies[acked++] = performance.now() - sentAt;
      }, (e) => void (failure ??= e));
      if (ctx.io.isTty && i % 1000 === 999 && performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        ctx.io.err(`${acked} of ${n} records acknowledged...\n`);
      }
    }
    await Promise.all(ring.filter((p) => p !== undefined));
    await producer.flush();
    if (failure !== undefined) throw new ToolFailure(describeFailure(`cannot produce to '${topic}'`, failure));
    report(ctx, "sent", n, n * size, performance.now() - start, latencySummary(latencies.subarray(0, acked)));
  },
};

const consume: ToolCommand = {
  path: ["perf", "consume"],
  summary: "Read N records from the beginning and report throughput and latency",
  usage: "TOPIC --records N [--idle-ms MS]",
  argsName: "topic name",
  args: [1, 1],
  flags: [
    { name: "records", short: "n", type: "string", arg: "N", help: "How many records to read" },
    { name: "idle-ms", type: "string", arg: "MS", help: "Give up after this long without a record (10000)" },
  ],
  notes: "Latency is end to end: the time of receipt minus the record's timestamp.",
  async run(ctx) {
    const [topic] = ctx.flags.positionals;
    if (!ctx.flags.has("records")) throw new UsageError("--records is required");
    const n = ctx.flags.int("records", 0, 1);
    const idleMs = ctx.flags.int("idle-ms", 10_000, 1);
    const admin = await ctx.adminClient();
    await requireTopics(admin, [topic]);
    const [info] = await admin.describeTopics([topic]);
    const consumer = new Consumer({ ...ctx.clientOptions(), autoOffsetReset: "earliest" });
    ctx.onClose(() => consumer.close());
    const tps = info.partitions.map((p) => ({ topic, partition: p.partition }));
    consumer.assign(tps);
    await consumer.seekToBeginning(tps);
    const latencies = new Float64Array(n);
    let got = 0;
    let bytes = 0;
    const start = performance.now();
    let lastRecord = start;
    while (got < n && performance.now() - lastRecord < idleMs) {
      const records = await consumer.poll(Math.min(500, idleMs));
      const now = Date.now();
      for (const r of records) {
        if (got >= n) break;
        latencies[got++] = Math.max(0, now - r.timestamp);
        bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
      }
      if (records.length > 0) lastRecord = performance.now();
    }
    const elapsed = lastRecord - start;
    report(ctx, "read", got, bytes, elapsed, latencySummary(latencies.subarray(0, got)));
    if (got < n) throw new ToolFailure(`read only ${got} of ${n} records: none arrived for ${idleMs} ms`);
  },
};

export const perfCommands: ToolCommand[] = [produce, consume];
