/**
 * The benchmark's runner (scripts/bench/bench.ts): collects rows, runs the
 * load generator against a server and turns its windows into samples, and
 * holds the workloads every Kafka-protocol system shares (argument lists,
 * W4's catch-up read, W5's end-to-end run, W6's idle connections, W8's
 * idempotent and transactional producers). The
 * systems themselves live in _brokers.ts, _kafka.ts, _references.ts and
 * _ceilings.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KiB, LOAD_CPU, log, MiB, type Plan } from "./_plan.ts";
import { procMemMB, runLoad, type Server, sleep, type Window } from "./_procs.ts";
import { type Kind, type Percentiles, poolRepeat, type Row, type Sample, summarize } from "./_report.ts";

/** W8's producers: transactions wait for EndTxn, so a few producers keep the broker busy between them. */
const W8_PRODUCERS = 16;

export class Bench {
  rows: Row[] = [];
  work = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-bench-"));
  constructor(readonly plan: Plan, readonly loadgen: string) {}

  /** Whether the plan runs `workload` (rows may say W1-2c; the command line is upper-cased). */
  wants(workload: string): boolean {
    return this.plan.workloads.has(workload.toUpperCase());
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
    cpu: number | string = LOAD_CPU,
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
      /** enable.idempotence (with acks=all). */
      idempotent?: boolean;
      /** A transactional producer committing every this many records. */
      txn?: number;
      /** Each transaction's records to one partition (the next transaction's to the next). */
      txnSticky?: boolean;
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
      ...(o.idempotent ? ["--idempotent"] : []),
      ...(o.txn ? ["--txn", String(o.txn)] : []),
      ...(o.txnSticky ? ["--txn-sticky"] : []),
    ];
  }

  /**
   * W8: idempotent producers (W8-idem), then the same producers transactional with 100 records per
   * transaction (W8), each record to the next of 8 partitions, so every transaction spans all 8 and pays
   * AddPartitionsToTxn, its produce requests, EndTxn and 8 markers; then W8-1p, each transaction's records to
   * one partition (the next transaction to the next), as a keyless producer's sticky partitioner places a
   * transaction produced within its linger: one produce request and one marker per transaction. Then
   * W8-idem again (A-B-A), its samples pooled with the first run's: the VM's page cache growing into memory
   * handed back to its host slows whatever runs later on a broker by up to half (docs/benchmarks.md), so
   * the ratios compare each transactional row with idempotent runs on both sides of it. `create`: the load
   * generator creates the topics (false where they exist, as on the mock cluster).
   */
  async transactions(system: string, kind: Kind, server: Server, bootstrap: string, create = true) {
    const base = { size: KiB, partitions: 8, producers: W8_PRODUCERS, acks: "all", warmup: this.plan.warmup };
    const idem = this.produceArgs("produce", bootstrap, { ...base, topic: "w8-idem", idempotent: true, create });
    const idemRow = await this.load(
      "W8-idem",
      system,
      kind,
      idem,
      server.pid,
      `${W8_PRODUCERS} idempotent producers, before and after W8 and W8-1p`,
    );
    const runs: Array<[string, string, boolean, string]> = [
      ["W8", "w8-txn", false, "100 records per transaction over 8 partitions"],
      ["W8-1p", "w8-txn-1p", true, "100 records per transaction to one partition"],
    ];
    const txnRows: Row[] = [];
    for (const [workload, topic, txnSticky, what] of runs) {
      const txn = this.produceArgs("produce", bootstrap, { ...base, topic, txn: 100, txnSticky, create });
      txnRows.push(
        await this.load(workload, system, kind, txn, server.pid, `${W8_PRODUCERS} transactional producers, ${what}`),
      );
    }
    if (!idemRow.median) return;
    const again = await this.load("W8-idem", system, kind, idem.filter((a) => a !== "--create"), server.pid);
    poolRepeat(this.rows, idemRow, again);
    for (const row of txnRows) {
      if (row.median) {
        row.extra = { ...row.extra, ofIdempotentPct: 100 * row.median.mbPerSec / idemRow.median.mbPerSec };
      }
    }
  }

  /** W4: catch-up reads of the backlog W1 left (each repeat a fresh consumer). */
  async catchUp(
    system: string,
    kind: Kind,
    server: Server,
    bootstrap: string,
    topic: string,
    partitions: number,
    o: { workload?: string; cpu?: number | string; extra?: string[] } = {},
  ) {
    const { workload = "W4", cpu = LOAD_CPU } = o;
    const count = Math.floor(this.plan.backlogBytes / KiB);
    const args = ["consume", "-b", bootstrap, "-t", topic, "-p", String(partitions), "--count", String(count)];
    args.push("--duration", "300", ...(o.extra ?? []));
    if (this.plan.mode === "full") await runLoad(this.loadgen, args, { cpu }); // warms the page cache and JIT
    const windows: Window[] = [];
    let error: string | undefined;
    for (let i = 0; i < this.plan.repeats; i++) {
      const r = await runLoad(this.loadgen, args, { cpu, serverPid: server.pid });
      if (r.code !== 0 || r.windows.length === 0) {
        error = r.stderr.trim().split("\n").pop() ?? `loadgen exited ${r.code}`;
        break;
      }
      windows.push(...r.windows);
    }
    if (error) return this.fail(workload, system, kind, error);
    const read = windows[0]?.result.bytes as number;
    return this.add({
      workload,
      system,
      kind,
      note: `backlog ${(read / MiB).toFixed(0)} MiB`,
      samples: this.samples(windows),
    });
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
        poolRepeat(this.rows, base, await this.load("W6-base", system, kind, args, server.pid));
      }
      if (base.median && row.median) {
        row.extra.slowdownPct = 100 * (1 - row.median.mbPerSec / base.median.mbPerSec);
      }
    } finally {
      await idle.child?.stdin.close().catch(() => {});
      await idle.finish?.();
    }
  }

  cleanup(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}
