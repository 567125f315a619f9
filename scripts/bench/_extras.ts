/**
 * The workloads issues 13–16 added to the benchmark (scripts/bench/bench.ts),
 * each run for every broker (tsbroker flavours and Apache Kafka) by
 * _brokers.ts:
 *
 * - STARTUP: spawn to the first answered ApiVersions, median of a few cold
 *   starts on fresh data dirs (scripts/bench/startup.ts measures one).
 * - SMALL: one connection, one 100-byte record per Produce, one request at a
 *   time, on an otherwise idle broker: round trip and broker CPU per request
 *   (the load generator's `small` mode, loadgen_small.c), after at least
 *   SMALL_WARMUP_S of warm-up (JIT settled).
 * - TLS-W1: W1 through an SSL listener, with a certificate made by openssl
 *   for the run (tests/network/tls/_certs.ts).
 * - W1-2c / W4-2c: W1 and W4 on a broker that may use both CPUs, with its
 *   default thread counts; the load generator shares those CPUs.
 * - CLIENT-W1: W1's records produced by tsbroker's own client library
 *   (scripts/bench/client_producer.ts) instead of librdkafka.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../tests/integration/_broker.ts";
import { makeTestCerts } from "../../tests/network/tls/_certs.ts";
import type { Broker } from "./_brokers.ts";
import { BROKER_CPU, KiB, LOAD_CPU } from "./_plan.ts";
import { procCpuSeconds, type Server } from "./_procs.ts";
import type { Kind, Row, Sample } from "./_report.ts";
import type { Bench } from "./_runner.ts";
import { measureStartup } from "./startup.ts";

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

function oneCore(b: Bench, workload: string, system: string): Row | undefined {
  return b.rows.find((r) => r.workload === workload && r.system === system && r.median && !r.error);
}

/** STARTUP: `plan.startupRuns` cold starts, each on a fresh data dir; the median and the range. */
export async function startup(b: Bench, broker: Broker): Promise<void> {
  if (!b.wants("STARTUP")) return;
  const ms: number[] = [];
  try {
    for (let i = 0; i < b.plan.startupRuns; i++) {
      const cold = await broker.coldStart();
      try {
        const sample = await measureStartup(cold.command, cold.args, cold.port, { idleMs: 0, timeoutMs: 180_000 });
        ms.push(sample.readyMs);
      } finally {
        cold.cleanup();
      }
    }
  } catch (e) {
    b.fail("STARTUP", broker.system, broker.kind, e);
    return;
  }
  const extra = {
    startupMs: median(ms),
    startupMinMs: Math.min(...ms),
    startupMaxMs: Math.max(...ms),
    runs: ms.length,
  };
  const note = `spawn → first ApiVersions answer, median of ${ms.length} cold starts ` +
    `(${Math.round(extra.startupMinMs)}–${Math.round(extra.startupMaxMs)} ms)` +
    (broker.system === "kafka" ? "; data dir formatted beforehand" : "");
  b.add({ workload: "STARTUP", system: broker.system, kind: broker.kind, note, samples: [], extra });
}

/**
 * SMALL's warm-up on its fresh broker in quick and full mode (full mode's warmupFirst): its target is a steady-state
 * latency, and the first seconds measure the JIT instead. The broker is pinned to one core, where JavaScriptCore's
 * JIT thread ran 421 ms in 3 s early in a run (perf sched), in slices of up to 4 ms, delaying requests: with 1.5 s of
 * warm-up Bun's p99 was 3.4 ms and the executable's 4.4, with 10 s 0.62 and 0.55 (Deno 0.86 and 0.47).
 */
const SMALL_WARMUP_S = 10;

/** SMALL on a broker nothing else is using: round trip of each request and broker CPU per request. */
export async function small(b: Bench, system: string, kind: Kind, server: Server, bootstrap: string): Promise<void> {
  const p = b.plan;
  // Smoke mode checks the plumbing, not the figures: it keeps its short warm-up.
  const warmup = p.mode === "smoke" ? p.warmupFirst : Math.max(p.warmupFirst, SMALL_WARMUP_S);
  const args = ["small", "-b", bootstrap, "-t", "small", "-s", "100", "-p", "8", "--create"];
  args.push("--warmup", String(warmup), "--duration", String(p.duration), "--repeats", String(p.repeats));
  const note =
    `1 connection, 1 × 100 B record per Produce v9, 1 in flight; ack = round trip; after ${warmup} s of warm-up`;
  const row = await b.load("SMALL", system, kind, args, server.pid, note);
  const m = row.median;
  if (m && m.serverCpuSeconds !== undefined) {
    row.extra = { cpuUsPerRequest: (1e6 * m.serverCpuSeconds) / (m.recordsPerSec * m.seconds) };
  }
}

/** TLS-W1: W1 against a broker whose only client listener is SSL, a fresh certificate per run. */
export async function tlsW1(b: Bench, broker: Broker): Promise<void> {
  if (!b.wants("TLS-W1")) return;
  let server: Server | undefined;
  let certs: ReturnType<typeof makeTestCerts> | undefined;
  try {
    certs = makeTestCerts();
    server = await broker.start({ tls: { keyStore: certs.serverStore } });
    const args = b.produceArgs("produce", `127.0.0.1:${server.ready}`, {
      topic: "w1",
      size: KiB,
      partitions: 8,
      warmup: b.plan.warmupFirst,
      create: true,
    });
    args.push("-X", "security.protocol=ssl", "-X", `ssl.ca.location=${certs.caPem}`);
    const row = await b.load(
      "TLS-W1",
      broker.system,
      broker.kind,
      args,
      server.pid,
      "W1 over SSL (librdkafka/OpenSSL)",
    );
    const plain = oneCore(b, "W1", broker.system)?.median?.mbPerSec;
    if (row.median && plain) row.extra = { ofPlaintextPct: (100 * row.median.mbPerSec) / plain };
  } catch (e) {
    b.fail("TLS-W1", broker.system, broker.kind, e);
  } finally {
    await server?.stop();
    certs?.remove();
  }
}

/** W1-2c and W4-2c: one broker allowed on both CPUs (default thread counts), the load generator beside it. */
export async function twoCores(b: Bench, broker: Broker): Promise<void> {
  if (!b.wants("W1-2c") && !b.wants("W4-2c")) return;
  const { system, kind } = broker;
  const cpus = `${BROKER_CPU},${LOAD_CPU}`;
  let server: Server | undefined;
  try {
    server = await broker.start({ cpus });
    const bootstrap = `127.0.0.1:${server.ready}`;
    const note = `broker and load generator share CPUs ${cpus}; default thread counts`;
    const args = b.produceArgs("produce", bootstrap, {
      topic: "w1",
      size: KiB,
      partitions: 8,
      warmup: b.plan.warmupFirst,
      create: true,
    });
    const w1 = await b.load("W1-2c", system, kind, args, server.pid, note, cpus);
    if (b.wants("W4-2c")) {
      const w4 = await b.catchUp(system, kind, server, bootstrap, "w1", 8, { workload: "W4-2c", cpu: cpus });
      w4.note = `${w4.note}; ${note}`;
    }
    if (!b.wants("W1-2c")) b.rows.splice(b.rows.indexOf(w1), 1);
    for (const [two, one] of [["W1-2c", "W1"], ["W4-2c", "W4"]]) {
      const row = oneCore(b, two, system), base = oneCore(b, one, system);
      if (row?.median && base?.median) row.extra = { ofOneCore: row.median.mbPerSec / base.median.mbPerSec };
    }
  } catch (e) {
    b.fail("W1-2c", system, kind, e);
  } finally {
    await server?.stop();
  }
}

/** What CLIENT-W1 needs of scripts/bench/client_producer.ts (loaded when the workload runs). */
interface ClientProducerModule {
  measureClientProducer(run: {
    bootstrap: string;
    topic: string;
    records: number;
    size: number;
    partitions: number;
    cpu: number;
    options?: Record<string, unknown>;
  }): Promise<{ mbPerSec: number; cpuSec: number; sendSec: number; wallSec: number }>;
  recordLines(records: number, size: number): Uint8Array;
  pinned(cpu: number, command: string, args: string[]): Promise<{ stdout: string; cpu: number }>;
  ensureTopic(bootstrap: string, topic: string, partitions: number): Promise<void>;
}

const CLIENT_RECORDS = { quick: 200_000, full: 500_000, smoke: 20_000 };

/**
 * CLIENT-W1: W1's records (1 KiB, 8 partitions, acks=1, librdkafka's batching) sent by tsbroker's own
 * producer, a fresh Deno process on the load generator's CPU per repeat (MB/s over the sending: first record
 * to flush), each repeat after a kcat run with the same records from a file (`kcat -P -l`, librdkafka's
 * defaults, acks=1, spread over the partitions; MB/s over its whole run, start-up and file reading included),
 * the KCAT-W1 row: issue 16 asks for 80% of kcat's throughput.
 */
export async function clientW1(b: Bench, system: string, kind: Kind, server: Server, bootstrap: string) {
  const file = path.join(ROOT, "scripts", "bench", "client_producer.ts");
  if (!fs.existsSync(file)) return b.fail("CLIENT-W1", system, kind, "scripts/bench/client_producer.ts is missing");
  const records = CLIENT_RECORDS[b.plan.mode];
  const lines = path.join(fs.mkdtempSync(path.join(Deno.env.get("TMPDIR") ?? "/tmp", "client-w1-")), "records");
  try {
    const m = await import(toFileUrl(file)) as ClientProducerModule;
    fs.writeFileSync(lines, m.recordLines(records, KiB));
    const client: Sample[] = [];
    const kcat: Sample[] = [];
    for (let i = 0; i < b.plan.repeats; i++) {
      kcat.push(await kcatRun(m, server, bootstrap, lines, records));
      const cpu0 = procCpuSeconds(server.pid);
      const r = await m.measureClientProducer({
        bootstrap,
        topic: "client-w1",
        records,
        size: KiB,
        partitions: 8,
        cpu: LOAD_CPU,
        options: { acks: 1 },
      });
      client.push(producerSample(records, r.sendSec, procCpuSeconds(server.pid) - cpu0, r.cpuSec / r.wallSec));
    }
    const kcatNote = `kcat -P -l from a file, librdkafka's defaults, acks=1, ${
      records.toLocaleString("en-US")
    } records`;
    const kcatRow = b.add({ workload: "KCAT-W1", system, kind, note: kcatNote, samples: kcat });
    const note = `tsbroker's client producer (Deno), ${records.toLocaleString("en-US")} records per run; ` +
      "broker CPU over the whole run";
    const row = b.add({ workload: "CLIENT-W1", system, kind, note, samples: client });
    const w1 = oneCore(b, "W1", system)?.median?.mbPerSec;
    const k = kcatRow.median?.mbPerSec;
    if (row.median) {
      row.extra = {
        ...(w1 ? { ofPlaintextPct: (100 * row.median.mbPerSec) / w1 } : {}),
        ...(k ? { ofKcatPct: (100 * row.median.mbPerSec) / k } : {}),
      };
    }
    return row;
  } catch (e) {
    return b.fail("CLIENT-W1", system, kind, e);
  } finally {
    fs.rmSync(path.dirname(lines), { recursive: true, force: true });
  }
}

/** One kcat run producing the records of `lines` to a topic of 8 partitions, pinned to the load CPU. */
async function kcatRun(
  m: ClientProducerModule,
  server: Server,
  bootstrap: string,
  lines: string,
  records: number,
): Promise<Sample> {
  await m.ensureTopic(bootstrap, "kcat-w1", 8);
  const cpu0 = procCpuSeconds(server.pid);
  const started = performance.now();
  const args = ["-P", "-b", bootstrap, "-t", "kcat-w1", "-l", lines, "-X", "sticky.partitioning.linger.ms=0"];
  const { cpu } = await m.pinned(LOAD_CPU, "kcat", [...args, "-X", "acks=1"]);
  const seconds = (performance.now() - started) / 1000;
  return producerSample(records, seconds, procCpuSeconds(server.pid) - cpu0, cpu / seconds);
}

function producerSample(records: number, seconds: number, brokerCpu: number, loadgenShare: number): Sample {
  const bytes = records * KiB;
  return {
    recordsPerSec: records / seconds,
    mbPerSec: bytes / 1e6 / seconds,
    bytes,
    seconds,
    serverCpuSeconds: brokerCpu,
    cpuSecPerGB: brokerCpu / (bytes / 1e9),
    loadgenCpuPct: 100 * loadgenShare,
  };
}

function toFileUrl(file: string): string {
  return new URL(`file://${file}`).href;
}
