/**
 * tsbroker benchmarks side by side (issue 5; method in docs/benchmarks.md).
 *
 *   deno task bench                  quick mode (< 3 min): 1 repeat, short windows
 *   deno task bench -- --full        full mode: 10 s warm-up, 3 × 10 s windows, 1 GiB backlog
 *   deno task bench -- --smoke       seconds: tsbroker under Deno + librdkafka's mock cluster only
 *   ... --only deno,bun,exe,mock,redis,nats,tcp,disk   run only these systems
 *   ... --workloads W1,W4            run only these workloads (IDLE, W1..W7)
 *   ... --markdown                   print the tables as Markdown
 *   ... --compare OLD.json           after the run, print the change from OLD
 *   ... --compare OLD.json NEW.json  only compare two earlier runs
 *   ... --show RUN.json [--markdown] only print an earlier run's tables
 *   ... --no-install                 do not run scripts/install-bench-deps.sh
 *
 * It installs what it needs (scripts/install-bench-deps.sh), builds the C
 * load generator (scripts/bench/loadgen.c, against librdkafka), then runs
 * tsbroker under Deno, under Bun and as the Bun-compiled executable, and the
 * references (librdkafka's mock cluster, Redis Streams, NATS JetStream, raw
 * loopback TCP in each runtime, the disk's append bandwidth), every server
 * pinned to CPU 0 and every load generator to CPU 1. It prints one table,
 * the ratios of tsbroker to each reference, and the targets, and
 * writes everything to bench-results/<time>.json.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commandFor, EXECUTABLE, type Flavour, ROOT } from "../../tests/integration/_broker.ts";
import {
  capture,
  killAll,
  loadAverage,
  procCpuSeconds,
  procMemMB,
  resetPeakRss,
  runLoad,
  type Server,
  sleep,
  startServer,
  which,
  type Window,
} from "./_procs.ts";
import {
  checkTargets,
  compare,
  type Kind,
  type Percentiles,
  ratios,
  type Results,
  type Row,
  type Sample,
  summarize,
  table,
  targetsTable,
} from "./_report.ts";

const BROKER_CPU = 0;
const LOAD_CPU = 1;
const KiB = 1024;
const MiB = 1024 * KiB;
const DENO = path.join(ROOT, "node_modules", ".bin", "deno");
const BUN = path.join(ROOT, "node_modules", ".bin", "bun");
const CACHE = path.join(ROOT, "node_modules", ".cache", "tsbroker-bench");

type SystemId = "deno" | "bun" | "exe" | "mock" | "redis" | "nats" | "tcp" | "disk";

interface Plan {
  mode: "quick" | "full" | "smoke";
  /** Warm-up of the first load on a fresh broker process (JIT), seconds. */
  warmupFirst: number;
  warmup: number;
  duration: number;
  repeats: number;
  /** W4's backlog. */
  backlogBytes: number;
  idleSettleMs: number;
  systems: Set<SystemId>;
  workloads: Set<string>;
  markdown: boolean;
  compareWith?: string;
  install: boolean;
}

const ALL_WORKLOADS = ["IDLE", "W1", "W2", "W3", "W4", "W5", "W6", "W7"];

function parsePlan(
  args: string[],
): Plan | { compareOnly: [string, string]; markdown: boolean } | { show: string; markdown: boolean } {
  args = args.filter((a) => a !== "--");
  let mode: Plan["mode"] = "quick";
  let only: string[] | undefined;
  let workloads: string[] | undefined;
  let markdown = false;
  let install = true;
  const comparePaths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--full") mode = "full";
    else if (a === "--quick") mode = "quick";
    else if (a === "--smoke") mode = "smoke";
    else if (a === "--markdown") markdown = true;
    else if (a === "--no-install") install = false;
    else if (a === "--only") only = args[++i].split(",");
    else if (a === "--workloads") workloads = args[++i].split(",").map((w) => w.toUpperCase());
    else if (a === "--show") return { show: args[++i], markdown: args.includes("--markdown") };
    else if (a === "--compare") {
      while (i + 1 < args.length && !args[i + 1].startsWith("--")) comparePaths.push(args[++i]);
      if (comparePaths.length === 0) throw new Error("--compare needs a results file");
    } else throw new Error(`unknown argument ${a} (see the header of scripts/bench/bench.ts)`);
  }
  if (comparePaths.length === 2) return { compareOnly: [comparePaths[0], comparePaths[1]], markdown };
  const base = {
    quick: { warmupFirst: 1.5, warmup: 1, duration: 2, repeats: 1, backlogBytes: 256 * MiB, idleSettleMs: 1000 },
    full: { warmupFirst: 10, warmup: 3, duration: 10, repeats: 3, backlogBytes: 1024 * MiB, idleSettleMs: 3000 },
    smoke: { warmupFirst: 0.5, warmup: 0.3, duration: 1, repeats: 1, backlogBytes: 32 * MiB, idleSettleMs: 500 },
  }[mode];
  const systems = new Set<SystemId>(
    (only ??
      (mode === "smoke"
        ? ["deno", "mock"]
        : ["deno", "bun", "exe", "mock", "redis", "nats", "tcp", "disk"])) as SystemId[],
  );
  return {
    mode,
    ...base,
    systems,
    workloads: new Set(workloads ?? (mode === "smoke" ? ["IDLE", "W1", "W4", "W5"] : ALL_WORKLOADS)),
    markdown,
    compareWith: comparePaths[0],
    install,
  };
}

function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

// ------------------------------------------------------------------ setup

async function installDeps(): Promise<void> {
  const { code } = await new Deno.Command("bash", {
    args: [path.join(ROOT, "scripts", "install-bench-deps.sh")],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) log("WARNING: scripts/install-bench-deps.sh failed; systems whose tools are missing will fail");
}

/** Builds scripts/bench/loadgen.c into the cache (once per source version); returns the binary's path. */
async function buildLoadgen(): Promise<string> {
  const source = path.join(ROOT, "scripts", "bench", "loadgen.c");
  const flags = ["-O2", "-Wall", "-pthread"];
  const hash = createHash("sha256").update(fs.readFileSync(source)).update(flags.join(" ")).digest("hex").slice(0, 16);
  const binary = path.join(CACHE, `loadgen-${hash}`);
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(CACHE, { recursive: true });
  log(`building ${path.relative(ROOT, binary)} (gcc ${flags.join(" ")} -lrdkafka)`);
  const tmp = `${binary}.${Deno.pid}.tmp`;
  await capture("gcc", [...flags, "-o", tmp, source, "-lrdkafka", "-lpthread"]);
  fs.renameSync(tmp, binary);
  for (const old of fs.readdirSync(CACHE)) {
    if (old.startsWith("loadgen-") && old !== path.basename(binary)) fs.rmSync(path.join(CACHE, old), { force: true });
  }
  return binary;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(file));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(file).mtimeMs);
  }
  return newest;
}

/**
 * The single executable: dist/tsbroker, built with `deno task compile:bun`
 * when missing. When it is older than src/, the same build goes to the cache
 * instead (dist/ may be in use by a test run), so the numbers are of the
 * current code.
 */
async function ensureExecutable(): Promise<string> {
  if (!fs.existsSync(EXECUTABLE)) {
    log("building dist/tsbroker (deno task compile:bun)");
    await capture(DENO, ["task", "compile:bun"]);
    return EXECUTABLE;
  }
  if (fs.statSync(EXECUTABLE).mtimeMs >= newestMtime(path.join(ROOT, "src"))) return EXECUTABLE;
  const task = JSON.parse(fs.readFileSync(path.join(ROOT, "deno.json"), "utf8")).tasks["compile:bun"] as string;
  const out = path.join(CACHE, "tsbroker");
  const [command, ...args] = task.split(/\s+/).map((a) => (a === "dist/tsbroker" ? out : a));
  log(`dist/tsbroker is older than src/: building the same executable into ${path.relative(ROOT, out)}`);
  fs.mkdirSync(CACHE, { recursive: true });
  await capture(path.resolve(ROOT, command), args);
  return out;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function versionOf(command: string, args: string[]): Promise<string> {
  try {
    return (await capture(command, args)).split("\n")[0].trim();
  } catch {
    return "missing";
  }
}

// ------------------------------------------------------------------ running workloads

class Bench {
  rows: Row[] = [];
  work = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-bench-"));
  constructor(readonly plan: Plan, readonly loadgen: string) {}

  wants(workload: string): boolean {
    return this.plan.workloads.has(workload);
  }

  add(row: Row): Row {
    summarize(row);
    this.rows.push(row);
    const m = row.median;
    if (row.error) log(`${row.workload} ${row.system}: FAILED ${row.error.split("\n")[0]}`);
    else if (m) {
      const lat = m.e2e ? ` e2e p99 ${m.e2e.p99} ms` : m.ack ? ` ack p99 ${m.ack.p99} ms` : "";
      log(`${row.workload} ${row.system}: ${m.mbPerSec.toFixed(1)} MB/s${lat}`);
    }
    return row;
  }

  fail(workload: string, system: string, kind: Kind, error: unknown): Row {
    const message = error instanceof Error ? error.message : String(error);
    return this.add({ workload, system, kind, samples: [], error: message });
  }

  /** Turns the load generator's windows into samples. */
  samples(windows: Window[]): Sample[] {
    const pct = (x: unknown): Percentiles | undefined => {
      const p = x as { count?: number; p50: number; p99: number; p999: number } | undefined;
      return p && (p.count ?? 0) > 0 ? { p50: p.p50, p99: p.p99, p999: p.p999 } : undefined;
    };
    return windows.map((w) => {
      const r = w.result as Record<string, number | undefined>;
      const bytes = r.bytes ?? 0;
      const seconds = r.seconds ?? NaN;
      return {
        recordsPerSec: r.records_per_s ?? NaN,
        mbPerSec: r.mb_per_s ?? NaN,
        bytes,
        seconds,
        ack: pct(w.result.ack),
        e2e: pct(w.result.e2e),
        serverCpuSeconds: w.serverCpuSeconds,
        cpuSecPerGB: bytes > 0 ? w.serverCpuSeconds / (bytes / 1e9) : NaN,
        peakRssMB: w.serverPeakRssMB,
        loadgenCpuPct: r.cpu_s !== undefined && seconds > 0 ? (100 * r.cpu_s) / seconds : NaN,
        batchBytes: r.batch_avg || undefined,
        errors: r.errors,
      };
    });
  }

  async load(
    workload: string,
    system: string,
    kind: Kind,
    args: string[],
    serverPid: number | undefined,
    note?: string,
    cpu = LOAD_CPU,
  ): Promise<Row> {
    const result = await runLoad(this.loadgen, args, { cpu, serverPid });
    const lastError = result.stderr.trim().split("\n").filter(Boolean).pop();
    if (result.code !== 0 || result.windows.length === 0) {
      return this.fail(workload, system, kind, lastError ?? `loadgen exited ${result.code} without results`);
    }
    return this.add({ workload, system, kind, note, samples: this.samples(result.windows) });
  }

  produceArgs(
    mode: "produce" | "e2e",
    bootstrap: string,
    o: {
      topic: string;
      size: number;
      partitions: number;
      producers?: number;
      acks?: string;
      warmup: number;
      rate?: number;
      create: boolean;
    },
  ): string[] {
    const p = this.plan;
    return [
      mode,
      "-b",
      bootstrap,
      "-t",
      o.topic,
      "-s",
      String(o.size),
      "-p",
      String(o.partitions),
      "-n",
      String(o.producers ?? 1),
      "--acks",
      o.acks ?? "1",
      "--warmup",
      String(o.warmup),
      "--duration",
      String(p.duration),
      "--repeats",
      String(p.repeats),
      ...(o.rate ? ["--rate", String(Math.round(o.rate))] : []),
      ...(o.create ? ["--create"] : []),
    ];
  }

  /** W4: catch-up reads of the backlog W1 left (each repeat a fresh consumer). */
  async catchUp(system: string, kind: Kind, server: Server, bootstrap: string, topic: string, partitions: number) {
    const count = Math.floor(this.plan.backlogBytes / KiB);
    const args = ["consume", "-b", bootstrap, "-t", topic, "-p", String(partitions), "--count", String(count)];
    args.push("--duration", "300");
    if (this.plan.mode === "full") await runLoad(this.loadgen, args, { cpu: LOAD_CPU }); // warms the page cache and JIT
    const windows: Window[] = [];
    let error: string | undefined;
    for (let i = 0; i < this.plan.repeats; i++) {
      const r = await runLoad(this.loadgen, args, { cpu: LOAD_CPU, serverPid: server.pid });
      if (r.code !== 0 || r.windows.length === 0) {
        error = r.stderr.trim().split("\n").pop() ?? `loadgen exited ${r.code}`;
        break;
      }
      windows.push(...r.windows);
    }
    if (error) return this.fail("W4", system, kind, error);
    const read = windows[0]?.result.bytes as number;
    return this.add({
      workload: "W4",
      system,
      kind,
      note: `backlog ${(read / MiB).toFixed(0)} MiB`,
      samples: this.samples(windows),
    });
  }

  // ---------------------------------------------------------------- tsbroker

  async tsbroker(flavour: Flavour, executable: string): Promise<void> {
    const system = `tsbroker-${flavour}`;
    const kind: Kind = "tsbroker";
    const start = async (durable: boolean) => {
      const [command, base] = flavour === "exe" ? [executable, []] : commandFor(flavour);
      const dataDir = fs.mkdtempSync(path.join(this.work, `${flavour}-`));
      const overrides = [
        "listeners=PLAINTEXT://127.0.0.1:0",
        `log.dirs=${dataDir}`,
        "tsbroker.metrics.listener=127.0.0.1:0",
        ...(durable ? ["tsbroker.fsync.acks.all=true"] : []),
        // Full mode writes tens of GB per broker: without a cap it filled a
        // 78 GB disk. Keep at most ~2 × 256 MiB per partition (W4's 1 GiB
        // backlog over 8 partitions fits), checked every few seconds.
        `log.retention.bytes=${256 * MiB}`,
        `log.segment.bytes=${128 * MiB}`,
        "log.retention.check.interval.ms=2000",
        "log.segment.delete.delay.ms=1000",
      ];
      const server = await startServer({
        name: system,
        command,
        args: [...base, ...overrides.flatMap((o) => ["--override", o])],
        cpu: BROKER_CPU,
        readyPattern: /tsbroker \S+ started .* listeners=[A-Z_]+:\/\/[^:]*:(\d+)/,
      });
      // Its data goes with it.
      const stop = server.stop.bind(server);
      return Object.assign(Object.create(server), {
        stop: async () => {
          await stop();
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      }) as Server;
    };
    const p = this.plan;
    const needsDefault = ["IDLE", "W1", "W3", "W4", "W5", "W6", "W7"].some((w) => this.wants(w));
    if (needsDefault) {
      let server: Server | undefined;
      try {
        server = await start(false);
        const bootstrap = `127.0.0.1:${server.ready}`;
        await sleep(p.idleSettleMs);
        if (this.wants("IDLE")) {
          this.add({
            workload: "IDLE",
            system,
            kind,
            note: "default config, after start-up",
            samples: [],
            extra: { idleRssMB: procMemMB(server.pid, "VmRSS") },
          });
        }
        let w1Rate: number | undefined;
        if (this.wants("W1") || this.wants("W4") || this.wants("W5")) {
          const w1 = await this.load(
            "W1",
            system,
            kind,
            this.produceArgs("produce", bootstrap, {
              topic: "w1",
              size: KiB,
              partitions: 8,
              warmup: p.warmupFirst,
              create: true,
            }),
            server.pid,
          );
          w1Rate = w1.median?.recordsPerSec;
          if (!this.wants("W1")) this.rows.splice(this.rows.indexOf(w1), 1);
        }
        if (this.wants("W4")) await this.catchUp(system, kind, server, bootstrap, "w1", 8);
        if (this.wants("W3")) {
          await this.load(
            "W3",
            system,
            kind,
            this.produceArgs("produce", bootstrap, {
              topic: "w3",
              size: 100,
              partitions: 8,
              warmup: p.warmup,
              create: true,
            }),
            server.pid,
          );
        }
        if (this.wants("W7")) {
          await this.load(
            "W7",
            system,
            kind,
            this.produceArgs("produce", bootstrap, {
              topic: "w7",
              size: KiB,
              partitions: 100,
              warmup: p.warmup,
              create: true,
            }),
            server.pid,
            "100 partitions",
          );
        }
        if (this.wants("W5")) await this.e2e(system, kind, server, bootstrap, w1Rate, 8, true);
        if (this.wants("W6")) await this.idleConnections(system, kind, server, bootstrap);
      } catch (e) {
        this.fail("W1", system, kind, e);
      } finally {
        await server?.stop();
      }
    }
    if (this.wants("W2")) {
      let server: Server | undefined;
      try {
        server = await start(true);
        await this.load(
          "W2",
          system,
          kind,
          this.produceArgs("produce", `127.0.0.1:${server.ready}`, {
            topic: "w2",
            size: KiB,
            partitions: 8,
            acks: "all",
            warmup: p.warmupFirst,
            create: true,
          }),
          server.pid,
          "tsbroker.fsync.acks.all=true",
        );
      } catch (e) {
        this.fail("W2", system, kind, e);
      } finally {
        await server?.stop();
      }
    }
  }

  /** W5: producers at half of W1's rate plus a consumer; end-to-end latency. */
  async e2e(
    system: string,
    kind: Kind,
    server: Server,
    bootstrap: string,
    w1Rate: number | undefined,
    partitions: number,
    create: boolean,
  ) {
    if (!w1Rate || !Number.isFinite(w1Rate)) return this.fail("W5", system, kind, "no W1 rate to take half of");
    const rate = w1Rate / 2;
    return await this.load(
      "W5",
      system,
      kind,
      this.produceArgs("e2e", bootstrap, {
        topic: "w5",
        size: KiB,
        partitions,
        warmup: Math.max(this.plan.warmup, 1),
        rate,
        create,
      }),
      server.pid,
      `at ${Math.round(rate / 1000)}k records/s (50% of W1)`,
    );
  }

  /** W6: 32 producers without, then with, 1,000 idle connections open. */
  async idleConnections(system: string, kind: Kind, server: Server, bootstrap: string) {
    const args = this.produceArgs("produce", bootstrap, {
      topic: "w6",
      size: KiB,
      partitions: 8,
      producers: 32,
      warmup: this.plan.warmup,
      create: true,
    });
    const base = await this.load("W6-base", system, kind, args, server.pid, "32 producers");
    let ready: (n: number) => void = () => {};
    const opened = new Promise<number>((resolve) => (ready = resolve));
    await sleep(500);
    const rssBefore = procMemMB(server.pid, "VmRSS");
    const idle = await runLoad(this.loadgen, ["idle", "-b", bootstrap, "--connections", "1000"], {
      cpu: LOAD_CPU,
      stdinPipe: true,
      onLine: (line) => {
        const m = /^# ready (\d+)/.exec(line);
        if (m) ready(Number(m[1]));
      },
    });
    try {
      const n = await Promise.race([opened, sleep(60_000).then(() => -1)]);
      if (n < 0) throw new Error("idle connections did not open in 60 s");
      await sleep(this.plan.idleSettleMs);
      const extra = procMemMB(server.pid, "VmRSS") - rssBefore;
      const row = await this.load("W6", system, kind, args, server.pid, `32 producers + ${n} idle connections`);
      row.extra = { extraRssMB: extra, idleConnections: n };
      await idle.child?.stdin.close().catch(() => {});
      await idle.finish?.();
      if (this.plan.mode === "full") {
        // A-B-A: the base again after the idle connections closed, so that drift over time
        // (page cache, JIT, a busy neighbour) does not read as a slowdown
        const again = await this.load("W6-base", system, kind, args, server.pid);
        this.rows.splice(this.rows.indexOf(again), 1);
        base.samples.push(...again.samples);
        summarize(base);
      }
      if (base.median && row.median) {
        row.extra.slowdownPct = 100 * (1 - row.median.mbPerSec / base.median.mbPerSec);
      }
    } finally {
      await idle.child?.stdin.close().catch(() => {});
      await idle.finish?.();
    }
  }

  // ---------------------------------------------------------------- references

  async mock(): Promise<void> {
    const system = "rdkafka-mock";
    const kind: Kind = "reference";
    const note = "in-memory, 32 partitions";
    let server: Server | undefined;
    try {
      server = await startServer({
        name: system,
        command: this.loadgen,
        args: ["mock", "--topic", "w1:32", "--topic", "w3:32", "--topic", "w5:32", "--topic", "w7:100"],
        cpu: BROKER_CPU,
        readyPattern: /^# bootstrap (\S+)/,
        stdinPipe: true,
      });
      const bootstrap = server.ready;
      const p = this.plan;
      let w1Rate: number | undefined;
      if (this.wants("W1") || this.wants("W4") || this.wants("W5")) {
        const w1 = await this.load(
          "W1",
          system,
          kind,
          this.produceArgs("produce", bootstrap, {
            topic: "w1",
            size: KiB,
            partitions: 32,
            warmup: p.warmupFirst,
            create: false,
          }),
          server.pid,
          note,
        );
        w1Rate = w1.median?.recordsPerSec;
        if (!this.wants("W1")) this.rows.splice(this.rows.indexOf(w1), 1);
      }
      if (this.wants("W4")) {
        const row = await this.catchUp(system, kind, server, bootstrap, "w1", 32);
        row.note = `${row.note}: all it retains (~5 MB per partition)`;
      }
      if (this.wants("W3")) {
        await this.load(
          "W3",
          system,
          kind,
          this.produceArgs("produce", bootstrap, {
            topic: "w3",
            size: 100,
            partitions: 32,
            warmup: p.warmup,
            create: false,
          }),
          server.pid,
          note,
        );
      }
      if (this.wants("W7")) {
        await this.load(
          "W7",
          system,
          kind,
          this.produceArgs("produce", bootstrap, {
            topic: "w7",
            size: KiB,
            partitions: 100,
            warmup: p.warmup,
            create: false,
          }),
          server.pid,
          "in-memory, 100 partitions",
        );
      }
      if (this.wants("W5")) {
        const row = await this.e2e(system, kind, server, bootstrap, w1Rate, 32, false);
        row.note = `${row.note}; the mock holds each Fetch for fetch.wait.max.ms (500 ms), so its e2e is no bound`;
      }
    } catch (e) {
      this.fail("W1", system, kind, e);
    } finally {
      await server?.stop();
    }
  }

  async redis(): Promise<void> {
    const serverBin = which("redis-server"), benchBin = which("redis-benchmark");
    const runs: Array<["relaxed" | "durable", string, number]> = [];
    if (this.wants("W1")) runs.push(["relaxed", "W1", KiB]);
    if (this.wants("W3")) runs.push(["relaxed", "W3", 100]);
    if (this.wants("W2")) runs.push(["durable", "W2", KiB]);
    for (const durability of ["relaxed", "durable"] as const) {
      const mine = runs.filter((r) => r[0] === durability);
      if (mine.length === 0) continue;
      const system = `redis-${durability}`;
      if (!serverBin || !benchBin) {
        for (const [, w] of mine) this.fail(w, system, "reference", "redis-server / redis-benchmark not installed");
        continue;
      }
      let server: Server | undefined;
      try {
        const dir = fs.mkdtempSync(path.join(this.work, "redis-"));
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
            await this.redisWorkload(workload, system, server, benchBin, port, size);
          } catch (e) {
            this.fail(workload, system, "reference", e);
          }
        }
      } catch (e) {
        for (const [, w] of mine) this.fail(w, system, "reference", e);
      } finally {
        await server?.stop();
      }
    }
  }

  /** redis-benchmark XADD, 50 clients × pipeline 16, on a stream capped at ~1M entries. */
  async redisWorkload(workload: string, system: string, server: Server, benchBin: string, port: number, size: number) {
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
    const calibration = await run(this.plan.mode === "smoke" ? 5_000 : 30_000);
    const n = Math.max(10_000, Math.min(20_000_000, Math.round(calibration.recordsPerSec * this.plan.duration)));
    const samples: Sample[] = [];
    for (let i = 0; i < this.plan.repeats; i++) samples.push(await run(n));
    this.add({
      workload,
      system,
      kind: "reference",
      note: `XADD ${size} B, -c 50 -P 16, appendfsync ${system.endsWith("durable") ? "always" : "everysec"}`,
      samples,
    });
  }

  async nats(): Promise<void> {
    const serverBin = which("nats-server");
    const runs: Array<["relaxed" | "durable", string, number]> = [];
    if (this.wants("W1")) runs.push(["relaxed", "W1", KiB]);
    if (this.wants("W3")) runs.push(["relaxed", "W3", 100]);
    if (this.wants("W2")) runs.push(["durable", "W2", KiB]);
    for (const durability of ["relaxed", "durable"] as const) {
      const mine = runs.filter((r) => r[0] === durability);
      if (mine.length === 0) continue;
      const system = `nats-${durability}`;
      if (!serverBin) {
        for (const [, w] of mine) this.fail(w, system, "reference", "nats-server not installed");
        continue;
      }
      let server: Server | undefined;
      try {
        const dir = fs.mkdtempSync(path.join(this.work, "nats-"));
        const port = freePort();
        const conf = path.join(dir, "nats.conf");
        fs.writeFileSync(
          conf,
          [
            `listen: 127.0.0.1:${port}`,
            "jetstream {",
            `  store_dir: "${path.join(dir, "js")}"`,
            "  max_file_store: 64G",
            ...(durability === "durable" ? ["  sync_interval: always"] : []),
            "}",
            "",
          ].join("\n"),
        );
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
          await this.load(
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
              String(this.plan.warmup),
              "--duration",
              String(this.plan.duration),
              "--repeats",
              String(this.plan.repeats),
            ],
            server.pid,
            `JetStream file store, ${
              durability === "durable" ? "sync_interval: always" : "default sync"
            }, 4096 in flight`,
          );
        }
      } catch (e) {
        for (const [, w] of mine) {
          if (!this.rows.some((r) => r.workload === w && r.system === system)) this.fail(w, system, "reference", e);
        }
      } finally {
        await server?.stop();
      }
    }
  }

  // ---------------------------------------------------------------- ceilings

  async tcp(runtime: "deno" | "bun"): Promise<void> {
    const system = `tcp-${runtime}`;
    let server: Server | undefined;
    try {
      server = await startServer({
        name: system,
        command: runtime === "deno" ? DENO : BUN,
        args: runtime === "deno"
          ? ["run", "-A", path.join(ROOT, "scripts/bench/tcp_sink_deno.ts")]
          : [path.join(ROOT, "scripts/bench/tcp_sink_bun.ts")],
        cpu: BROKER_CPU,
        readyPattern: /^listening (\d+)/,
      });
      await this.load(
        "CEIL",
        system,
        "ceiling",
        [
          "tcp",
          "-b",
          `127.0.0.1:${server.ready}`,
          "--write",
          String(MiB),
          "--warmup",
          String(Math.min(1, this.plan.warmup)),
          "--duration",
          String(this.plan.duration),
          "--repeats",
          String(this.plan.repeats),
        ],
        server.pid,
        `loopback sink (${runtime === "deno" ? "Deno.listen" : "Bun.listen"}), 1 MiB writes`,
      );
    } catch (e) {
      this.fail("CEIL", system, "ceiling", e);
    } finally {
      await server?.stop();
    }
  }

  /** Appends at W2's produce batch size, with and without fdatasync after each write (writer on the broker's CPU). */
  async disk(): Promise<void> {
    const batches = this.rows.filter((r) => r.workload === "W2" && r.kind === "tsbroker" && r.median?.batchBytes)
      .map((r) => r.median!.batchBytes!);
    const size = batches.length ? Math.max(4096, Math.round(batches[0])) : 64 * KiB;
    const label = `${(size / KiB).toFixed(0)} KiB writes${batches.length ? " (W2's batch)" : " (W2 did not run)"}`;
    // Start from a clean page cache: the brokers before left GBs of dirty pages, whose writeback
    // would otherwise throttle the appends without fdatasync down to the disk's speed.
    await capture("sync", []);
    for (const sync of [false, true]) {
      const system = sync ? "disk-fdatasync" : "disk-append";
      await this.load(
        "CEIL",
        system,
        "ceiling",
        [
          "disk",
          "--file",
          path.join(this.work, "disk-ceiling.bin"),
          "--write",
          String(size),
          "--duration",
          String(Math.min(this.plan.duration, 5)),
          "--repeats",
          String(this.plan.repeats),
          "--max-bytes",
          String(1024 * MiB),
          ...(sync ? ["--sync"] : []),
        ],
        undefined,
        sync ? label : `${label}, ≤ 1 GiB per window (page cache)`,
        BROKER_CPU,
      );
    }
  }

  cleanup(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ main

function printResults(results: Results, md: boolean): void {
  const p = results.plan;
  const [l1, l5, l15] = results.host.loadavg;
  console.log(
    `\ntsbroker benchmark, ${results.mode} mode, ${results.startedAt} (${results.seconds.toFixed(0)} s); ` +
      `server on CPU ${BROKER_CPU}, load generator on CPU ${LOAD_CPU}; load average before the run ${l1} ${l5} ${l15}` +
      (results.host.busy ? " (BUSY: figures are low and noisy)" : ""),
  );
  if (p) {
    console.log(
      `${p.repeats} × ${p.duration} s windows after ${p.warmupFirst} s (first load on a broker) / ${p.warmup} s ` +
        `warm-up; latencies in ms; ± = spread of MB/s over the repeats; CPU = % of one core\n`,
    );
  }
  console.log(table(results, md));
  console.log(
    `\ntsbroker ÷ reference (same workload; W1 also ÷ the raw TCP ceiling of its runtime, W2 ÷ disk fdatasync):\n`,
  );
  console.log(ratios(results, md));
  console.log(`\nissue 5 targets:\n`);
  console.log(targetsTable(results.targets, md));
}

async function main(): Promise<number> {
  const parsed = parsePlan(Deno.args);
  if ("compareOnly" in parsed) {
    const [a, b] = parsed.compareOnly.map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as Results);
    console.log(compare(a, b, parsed.markdown));
    return 0;
  }
  if ("show" in parsed) {
    printResults(JSON.parse(fs.readFileSync(parsed.show, "utf8")) as Results, parsed.markdown);
    return 0;
  }
  const plan = parsed;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const uptime = (await versionOf("uptime", [])).trim();
  const loadavg = loadAverage();
  const busy = loadavg[0] > 0.7;
  log(`${plan.mode} mode; uptime: ${uptime}`);
  if (busy) log(`WARNING: the machine is busy (load ${loadavg[0]}): figures will be low and noisy`);

  if (plan.install) await installDeps();
  const loadgen = await buildLoadgen();
  const executable = plan.systems.has("exe") ? await ensureExecutable() : EXECUTABLE;
  const versions: Record<string, string> = {
    deno: await versionOf(DENO, ["--version"]),
    bun: await versionOf(BUN, ["--version"]),
    librdkafka: await versionOf(loadgen, ["version"]),
    redis: await versionOf(which("redis-server") ?? "redis-server", ["--version"]),
    nats: await versionOf(which("nats-server") ?? "nats-server", ["--version"]),
  };

  const bench = new Bench(plan, loadgen);
  const stopOnSignal = () => {
    killAll();
    bench.cleanup();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", stopOnSignal);
  Deno.addSignalListener("SIGTERM", stopOnSignal);
  try {
    for (const flavour of ["deno", "bun", "exe"] as const) {
      if (plan.systems.has(flavour)) await bench.tsbroker(flavour, executable);
    }
    if (plan.systems.has("mock")) await bench.mock();
    if (plan.systems.has("redis")) await bench.redis();
    if (plan.systems.has("nats")) await bench.nats();
    if (plan.systems.has("tcp")) {
      await bench.tcp("deno");
      await bench.tcp("bun");
    }
    if (plan.systems.has("disk")) await bench.disk();
  } finally {
    killAll();
    bench.cleanup();
  }

  const results: Results = {
    version: 1,
    mode: plan.mode,
    startedAt,
    seconds: (performance.now() - started) / 1000,
    host: { uptime, loadavg, cpus: os.cpus().length, kernel: os.release(), busy },
    versions,
    rows: bench.rows,
    targets: checkTargets(bench.rows, plan.mode),
  };
  results.plan = {
    warmupFirst: plan.warmupFirst,
    warmup: plan.warmup,
    duration: plan.duration,
    repeats: plan.repeats,
  };
  printResults(results, plan.markdown);

  const dir = path.join(ROOT, "bench-results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.replace(/[:.]/g, "-")}-${plan.mode}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 1) + "\n");
  console.log(`\nresults: ${path.relative(ROOT, file)}`);
  if (plan.compareWith) {
    const old = JSON.parse(fs.readFileSync(plan.compareWith, "utf8")) as Results;
    console.log("\n" + compare(old, results, plan.markdown));
  }
  const failed = bench.rows.filter((r) => r.error);
  return plan.mode === "smoke" && (failed.length > 0 || bench.rows.length === 0) ? 1 : 0;
}

Deno.exit(await main());
