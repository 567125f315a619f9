/**
 * The reference systems of the benchmark (scripts/bench/bench.ts), each on
 * the broker's CPU: librdkafka's in-memory mock cluster (an upper bound for
 * the Kafka protocol), Redis Streams driven by redis-benchmark, and NATS
 * JetStream driven by the load generator's raw publisher.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BROKER_CPU, KiB, LOAD_CPU } from "./_plan.ts";
import { capture, procCpuSeconds, procMemMB, resetPeakRss, type Server, startServer, which } from "./_procs.ts";
import type { Kind, Sample } from "./_report.ts";
import type { Bench } from "./_runner.ts";
import { freePort, versionOf } from "./_setup.ts";

/** The mock cluster's topics (NAME:PARTITIONS): it is started with them, as it creates none on request. */
const MOCK_TOPICS = ["w1:32", "w3:32", "w5:32", "w7:100", "w8-idem:8", "w8-txn:8", "w8-txn-1p:8"];

export async function mock(b: Bench): Promise<void> {
  const system = "rdkafka-mock";
  let server: Server | undefined;
  try {
    server = await startServer({
      name: system,
      command: b.loadgen,
      args: ["mock", ...MOCK_TOPICS.flatMap((t) => ["--topic", t])],
      cpu: BROKER_CPU,
      readyPattern: /^# bootstrap (\S+)/,
      stdinPipe: true,
    });
    await mockWorkloads(b, server);
  } catch (e) {
    b.fail("W1", system, "reference", e);
  } finally {
    await server?.stop();
  }
}

/**
 * The mock cluster's rows: W1 (also as W5's rate), W4 on its backlog, W3, W7, W5 and W8. Its W8 rows are the
 * load generator's own ceiling for issue 13's ratios: the mock's transactions cost it next to nothing.
 */
async function mockWorkloads(b: Bench, server: Server): Promise<void> {
  const system = "rdkafka-mock";
  const kind: Kind = "reference";
  const note = "in-memory, 32 partitions";
  const bootstrap = server.ready;
  const p = b.plan;
  const produce = (workload: string, topic: string, size: number, partitions: number, warmup: number, n = note) =>
    b.load(
      workload,
      system,
      kind,
      b.produceArgs("produce", bootstrap, { topic, size, partitions, warmup, create: false }),
      server.pid,
      n,
    );
  let w1Rate: number | undefined;
  if (b.wants("W1") || b.wants("W4") || b.wants("W5")) {
    const w1 = await produce("W1", "w1", KiB, 32, p.warmupFirst);
    w1Rate = w1.median?.recordsPerSec;
    if (!b.wants("W1")) b.rows.splice(b.rows.indexOf(w1), 1);
  }
  if (b.wants("W4")) {
    const row = await b.catchUp(system, kind, server, bootstrap, "w1", 32);
    row.note = `${row.note}: all it retains (~5 MB per partition)`;
  }
  if (b.wants("W3")) await produce("W3", "w3", 100, 32, p.warmup);
  if (b.wants("W7")) await produce("W7", "w7", KiB, 100, p.warmup, "in-memory, 100 partitions");
  if (b.wants("W5")) {
    const row = await b.e2e(system, kind, server, bootstrap, w1Rate, 32, false);
    row.note = `${row.note}; the mock holds each Fetch for fetch.wait.max.ms (500 ms), so its e2e is no bound`;
  }
  if (b.wants("W8")) await b.transactions(system, kind, server, bootstrap, false);
}

export async function redis(b: Bench): Promise<void> {
  const serverBin = which("redis-server"), benchBin = which("redis-benchmark");
  const runs: Array<["relaxed" | "durable", string, number]> = [];
  if (b.wants("W1")) runs.push(["relaxed", "W1", KiB]);
  if (b.wants("W3")) runs.push(["relaxed", "W3", 100]);
  if (b.wants("W2")) runs.push(["durable", "W2", KiB]);
  for (const durability of ["relaxed", "durable"] as const) {
    const mine = runs.filter((r) => r[0] === durability);
    if (mine.length === 0) continue;
    const system = `redis-${durability}`;
    if (!serverBin || !benchBin) {
      for (const [, w] of mine) b.fail(w, system, "reference", "redis-server / redis-benchmark not installed");
      continue;
    }
    let server: Server | undefined;
    try {
      const dir = fs.mkdtempSync(path.join(b.work, "redis-"));
      const port = freePort();
      server = await startServer({
        name: system,
        command: serverBin,
        args: [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--dir",
          dir,
          "--save",
          "",
          "--appendonly",
          "yes",
          "--appendfsync",
          durability === "durable" ? "always" : "everysec",
          "--daemonize",
          "no",
          "--protected-mode",
          "no",
        ],
        cpu: BROKER_CPU,
        readyPattern: /Ready to accept connections()/,
      });
      for (const [, workload, size] of mine) {
        try {
          await redisWorkload(b, workload, system, server, benchBin, port, size);
        } catch (e) {
          b.fail(workload, system, "reference", e);
        }
      }
    } catch (e) {
      for (const [, w] of mine) b.fail(w, system, "reference", e);
    } finally {
      await server?.stop();
    }
  }
}

/** redis-benchmark XADD, 50 clients × pipeline 16, on a stream capped at ~1M entries. */
async function redisWorkload(
  b: Bench,
  workload: string,
  system: string,
  server: Server,
  benchBin: string,
  port: number,
  size: number,
) {
  const value = "x".repeat(size);
  const run = async (n: number) => {
    const cpu0 = procCpuSeconds(server.pid);
    resetPeakRss(server.pid);
    const t0 = performance.now();
    const out = await capture("bash", [
      "-c",
      `taskset -c ${LOAD_CPU} "$0" "$@" 2>&1 | tr '\\r' '\\n' | grep -v 'rps='; times`,
      benchBin,
      "-p",
      String(port),
      "-n",
      String(n),
      "-c",
      "50",
      "-P",
      "16",
      "xadd",
      `bench-${workload}`,
      "MAXLEN",
      "~",
      "1000000",
      "*",
      "f",
      value,
    ]);
    const wall = (performance.now() - t0) / 1000;
    const cpu = procCpuSeconds(server.pid) - cpu0;
    const rps = Number(/throughput summary: ([\d.]+) requests per second/.exec(out)?.[1] ?? NaN);
    const percentiles = [...out.matchAll(/([\d.]+)% <= ([\d.]+) milliseconds/g)].map((
      m,
    ) => [Number(m[1]), Number(m[2])])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const at = (pct: number) => percentiles.find(([p]) => p >= pct)?.[1] ?? NaN;
    const times = [...out.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].pop();
    const loadCpu = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : NaN;
    const seconds = n / rps;
    const bytes = n * size;
    const sample: Sample = {
      recordsPerSec: rps,
      mbPerSec: (rps * size) / 1e6,
      bytes,
      seconds,
      ack: { p50: at(50), p99: at(99), p999: at(99.9) },
      serverCpuSeconds: cpu,
      cpuSecPerGB: cpu / (bytes / 1e9),
      peakRssMB: procMemMB(server.pid, "VmHWM"),
      loadgenCpuPct: (100 * loadCpu) / wall,
    };
    return sample;
  };
  // warm-up and calibration: size the measured runs to last about `duration` seconds
  const calibration = await run(b.plan.mode === "smoke" ? 5_000 : 30_000);
  const n = Math.max(10_000, Math.min(20_000_000, Math.round(calibration.recordsPerSec * b.plan.duration)));
  const samples: Sample[] = [];
  for (let i = 0; i < b.plan.repeats; i++) samples.push(await run(n));
  b.add({
    workload,
    system,
    kind: "reference",
    note: `XADD ${size} B, -c 50 -P 16, appendfsync ${system.endsWith("durable") ? "always" : "everysec"}`,
    samples,
  });
}

/** A JetStream file store in `dir`; durable: fsync every write. Returns the config file. */
function natsConf(dir: string, port: number, durable: boolean): string {
  const conf = path.join(dir, "nats.conf");
  const lines = [
    `listen: 127.0.0.1:${port}`,
    "jetstream {",
    `  store_dir: "${path.join(dir, "js")}"`,
    "  max_file_store: 64G",
    ...(durable ? ["  sync_interval: always"] : []),
    "}",
  ];
  fs.writeFileSync(conf, lines.join("\n") + "\n");
  return conf;
}

export async function nats(b: Bench): Promise<void> {
  const serverBin = which("nats-server");
  const runs: Array<["relaxed" | "durable", string, number]> = [];
  if (b.wants("W1")) runs.push(["relaxed", "W1", KiB]);
  if (b.wants("W3")) runs.push(["relaxed", "W3", 100]);
  if (b.wants("W2")) runs.push(["durable", "W2", KiB]);
  for (const durability of ["relaxed", "durable"] as const) {
    const mine = runs.filter((r) => r[0] === durability);
    if (mine.length === 0) continue;
    const system = `nats-${durability}`;
    if (!serverBin) {
      for (const [, w] of mine) b.fail(w, system, "reference", "nats-server not installed");
      continue;
    }
    let server: Server | undefined;
    try {
      const dir = fs.mkdtempSync(path.join(b.work, "nats-"));
      const port = freePort();
      const conf = natsConf(dir, port, durability === "durable");
      try {
        server = await startServer({
          name: system,
          command: serverBin,
          args: ["-c", conf],
          cpu: BROKER_CPU,
          readyPattern: /Server is ready()/,
        });
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (/unknown field "sync_interval"/.test(message)) {
          const version = await versionOf(serverBin, ["--version"]);
          throw new Error(`${version} has no "sync_interval: always" (NATS ≥ 2.10): durable mode unavailable`);
        }
        throw e;
      }
      for (const [, workload, size] of mine) {
        await b.load(
          workload,
          system,
          "reference",
          [
            "nats",
            "-b",
            `127.0.0.1:${port}`,
            "-s",
            String(size),
            "--window",
            "4096",
            "--stream",
            workload,
            "--warmup",
            String(b.plan.warmup),
            "--duration",
            String(b.plan.duration),
            "--repeats",
            String(b.plan.repeats),
          ],
          server.pid,
          `JetStream file store, ${
            durability === "durable" ? "sync_interval: always" : "default sync"
          }, 4096 in flight`,
        );
      }
    } catch (e) {
      for (const [, w] of mine) {
        if (!b.rows.some((r) => r.workload === w && r.system === system)) b.fail(w, system, "reference", e);
      }
    } finally {
      await server?.stop();
    }
  }
}
