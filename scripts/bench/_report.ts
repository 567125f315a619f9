/**
 * Results of a benchmark run (scripts/bench/bench.ts): the row model, the one
 * table, the ratios of tsbroker to each reference, the issue's targets with
 * PASS/MISS, and the comparison of two runs' JSON files.
 */

export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
}

/** One measured window (a repeat) of one workload on one system. */
export interface Sample {
  recordsPerSec: number;
  mbPerSec: number;
  bytes: number;
  seconds: number;
  ack?: Percentiles;
  e2e?: Percentiles;
  /** CPU-seconds the server (whole process) spent in the window. */
  serverCpuSeconds?: number;
  cpuSecPerGB?: number;
  peakRssMB?: number;
  /** The load generator's own CPU use, % of one core. */
  loadgenCpuPct?: number;
  /** Average produce batch (bytes per produce response). */
  batchBytes?: number;
  errors?: number;
}

export type Kind = "tsbroker" | "reference" | "ceiling";

export interface Row {
  workload: string;
  system: string;
  kind: Kind;
  note?: string;
  samples: Sample[];
  /** Median of each figure over the samples. */
  median?: Sample;
  /** (max - min) / median of MB/s, as a fraction. */
  spread?: number;
  /** Workload-specific figures (idle RSS, extra RSS of idle connections, slowdown). */
  extra?: Record<string, number>;
  error?: string;
}

export interface Target {
  /** The issue whose target it is (issue 5's table has none). */
  issue?: number;
  name: string;
  system: string;
  measured: string;
  status: "PASS" | "MISS" | "n/a";
  why?: string;
}

export interface HostReported {
  sinceBootMB: number;
  duringRunMB: number;
}

export interface Results {
  version: 1;
  mode: string;
  startedAt: string;
  seconds: number;
  host: {
    uptime: string;
    loadavg: number[];
    cpus: number;
    kernel: string;
    busy: boolean;
    /** MB of freed memory the VM handed back to its host (free page reporting) since boot, and during the run. */
    reportedToHost?: HostReported;
  };
  versions: Record<string, string>;
  plan?: { warmupFirst: number; warmup: number; duration: number; repeats: number };
  rows: Row[];
  targets: Target[];
  /** The targets of issues 13–16 (_targets.ts); absent in runs before they were added. */
  issueTargets?: Target[];
}

/**
 * The header line for a VM that hands freed memory back to its host, or null. Writes into the page cache
 * pay a host fault for each page that was handed back (seen as the kernel's copy into the page cache taking
 * a third or more of the broker's CPU), so a row that grows the page cache after others (W8 and W8-1p after
 * W8-idem on the same broker) can read up to 2× slower than it does alone.
 */
export function hostMemoryNote(reported: HostReported | undefined): string | null {
  if (reported === undefined || !(reported.sinceBootMB > 0)) return null;
  const during = Number.isFinite(reported.duringRunMB) ? Math.max(0, reported.duringRunMB) : 0;
  return `free page reporting: this VM has handed ${(reported.sinceBootMB / 1024).toFixed(1)} GB of freed memory ` +
    `back to its host since boot (${during.toFixed(0)} MB during the run); page-cache writes into such memory pay ` +
    'a host fault per page, so rows that write after others can read slower (docs/benchmarks.md, "Caveats")';
}

function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function medianPct(list: Array<Percentiles | undefined>): Percentiles | undefined {
  const present = list.filter((p): p is Percentiles => p !== undefined && p.p50 >= 0);
  if (present.length === 0) return undefined;
  return {
    p50: median(present.map((p) => p.p50)),
    p99: median(present.map((p) => p.p99)),
    p999: median(present.map((p) => p.p999)),
  };
}

/** Fills in a row's median and spread from its samples. */
export function summarize(row: Row): Row {
  const s = row.samples;
  if (s.length === 0) return row;
  const num = (f: (x: Sample) => number | undefined) => median(s.map((x) => f(x) ?? NaN));
  row.median = {
    recordsPerSec: num((x) => x.recordsPerSec),
    mbPerSec: num((x) => x.mbPerSec),
    bytes: num((x) => x.bytes),
    seconds: num((x) => x.seconds),
    ack: medianPct(s.map((x) => x.ack)),
    e2e: medianPct(s.map((x) => x.e2e)),
    serverCpuSeconds: num((x) => x.serverCpuSeconds),
    cpuSecPerGB: num((x) => x.cpuSecPerGB),
    peakRssMB: Math.max(...s.map((x) => x.peakRssMB ?? NaN).filter(Number.isFinite)),
    loadgenCpuPct: num((x) => x.loadgenCpuPct),
    batchBytes: num((x) => x.batchBytes),
    errors: s.reduce((a, x) => a + (x.errors ?? 0), 0),
  };
  if (!Number.isFinite(row.median.peakRssMB)) row.median.peakRssMB = NaN; // no samples: -Infinity
  const mb = s.map((x) => x.mbPerSec).filter(Number.isFinite);
  row.spread = mb.length > 1 && row.median.mbPerSec > 0
    ? (Math.max(...mb) - Math.min(...mb)) / row.median.mbPerSec
    : undefined;
  return row;
}

/**
 * An A-B-A repeat of `base` (`again`, a row `bench.add` gave) joins `base`: its samples are pooled and
 * `base`'s medians taken again. A failed repeat adds nothing.
 */
export function poolRepeat(rows: Row[], base: Row, again: Row): void {
  rows.splice(rows.indexOf(again), 1);
  if (again.samples.length === 0) return;
  base.samples.push(...again.samples);
  summarize(base);
}

// ------------------------------------------------------------------ formatting

export function fmt(x: number | undefined, digits = 1): string {
  if (x === undefined || !Number.isFinite(x)) return "-";
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  return x.toFixed(digits);
}

function fmtCount(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "-";
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

export function fmtMs(x: number): string {
  if (!Number.isFinite(x) || x < 0) return "-";
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function fmtPct(p: Percentiles | undefined): string {
  return p ? `${fmtMs(p.p50)}/${fmtMs(p.p99)}/${fmtMs(p.p999)}` : "-";
}

function pad(cells: string[], widths: number[], right: boolean[]): string {
  return cells.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
}

export function renderTable(header: string[], rows: string[][], right: boolean[], markdown: boolean): string {
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    return [line(header), line(header.map((_, i) => (right[i] ? "---:" : "---"))), ...rows.map(line)].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [
    pad(header, widths, right),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map((r) => pad(r, widths, right)),
  ]
    .join("\n");
}

export const WORKLOAD_ORDER = [
  "IDLE",
  "STARTUP",
  "SMALL",
  "W1",
  "TLS-W1",
  "W1-2c",
  "KCAT-W1",
  "CLIENT-W1",
  "W2",
  "W3",
  "W4",
  "W4-2c",
  "W5",
  "W6-base",
  "W6",
  "W7",
  "W8-idem",
  "W8",
  "W8-1p",
  "CEIL",
];

function sortRows(rows: Row[]): Row[] {
  const kindOrder: Record<Kind, number> = { tsbroker: 0, reference: 1, ceiling: 2 };
  return rows.map((r, i) => ({ r, i })).sort((a, b) =>
    (WORKLOAD_ORDER.indexOf(a.r.workload) - WORKLOAD_ORDER.indexOf(b.r.workload)) ||
    (kindOrder[a.r.kind] - kindOrder[b.r.kind]) || (a.i - b.i)
  ).map((x) => x.r);
}

/** The server's CPU use over the window, % of one core. */
function serverCpuPct(m: Sample): number {
  return m.serverCpuSeconds !== undefined && m.seconds > 0 ? (100 * m.serverCpuSeconds) / m.seconds : NaN;
}

/** The one table: a line per workload and system. */
export function table(results: Results, markdown = false): string {
  const header = [
    "wl",
    "system",
    "records/s",
    "MB/s",
    "±",
    "ack p50/p99/p99.9 ms",
    "e2e p50/p99/p99.9 ms",
    "CPU s/GB",
    "peak RSS MB",
    "srv CPU",
    "loadgen CPU",
    "note",
  ];
  const right = header.map((_, i) => i >= 2 && i < header.length - 1);
  const lines: string[][] = [];
  const blank = (n: number) => Array.from({ length: n }, () => "-");
  for (const row of sortRows(results.rows)) {
    if (row.error) {
      lines.push([row.workload, row.system, ...blank(9), `FAILED: ${row.error.slice(0, 90)}`]);
      continue;
    }
    const m = row.median;
    if (row.workload === "IDLE") {
      lines.push([row.workload, row.system, ...blank(6), fmt(row.extra?.idleRssMB, 0), "-", "-", row.note ?? ""]);
      continue;
    }
    if (row.workload === "STARTUP") {
      lines.push([row.workload, row.system, ...blank(9), `${fmt(row.extra?.startupMs, 0)} ms: ${row.note ?? ""}`]);
      continue;
    }
    if (!m) continue;
    const notes = [row.note ?? ""];
    const serverPct = serverCpuPct(m);
    if (m.errors) notes.push(`${m.errors} errors`);
    if ((m.loadgenCpuPct ?? 0) >= 95 && !(serverPct >= 90)) notes.push("LOADGEN-BOUND");
    const extra = row.extra?.extraRssMB;
    if (extra !== undefined) notes.push(`${extra >= 0 ? "+" : ""}${fmt(extra, 0)} MB RSS with the idle connections`);
    const perRequest = row.extra?.cpuUsPerRequest;
    if (perRequest !== undefined) notes.push(`broker CPU ${fmt(perRequest, 0)} µs per request`);
    const ofPlain = row.extra?.ofPlaintextPct;
    if (ofPlain !== undefined) notes.push(`${fmt(ofPlain, 0)}% of W1`);
    const ofKcat = row.extra?.ofKcatPct;
    if (ofKcat !== undefined) notes.push(`${fmt(ofKcat, 0)}% of kcat`);
    const ofOne = row.extra?.ofOneCore;
    if (ofOne !== undefined) notes.push(`${ratio(ofOne, 1)} the one-core figure`);
    const slow = row.extra?.slowdownPct;
    if (slow !== undefined) notes.push(`${fmt(Math.abs(slow), 0)}% ${slow >= 0 ? "slower" : "faster"} than W6-base`);
    lines.push([
      row.workload,
      row.system,
      fmtCount(m.recordsPerSec),
      fmt(m.mbPerSec),
      row.spread !== undefined ? `${Math.round(row.spread * 100)}%` : "",
      fmtPct(m.ack),
      fmtPct(m.e2e),
      fmt(m.cpuSecPerGB, 2),
      fmt(m.peakRssMB, 0),
      Number.isFinite(serverPct) ? `${Math.round(serverPct)}%` : "-",
      Number.isFinite(m.loadgenCpuPct) ? `${Math.round(m.loadgenCpuPct!)}%` : "-",
      notes.filter(Boolean).join("; "),
    ]);
  }
  return renderTable(header, lines, right, markdown);
}

/** Which reference rows each tsbroker row of a workload is compared with. */
function referencesFor(row: Row, rows: Row[]): Row[] {
  // Apache Kafka has a table of its own (_vs_kafka.ts)
  const refs = rows.filter((r) =>
    r.kind === "reference" && r.system !== "kafka" && r.workload === row.workload && r.median && !r.error
  );
  const runtime = row.system.replace("tsbroker-", "");
  const ceilings = rows.filter((r) => r.kind === "ceiling" && r.median && !r.error).filter((r) =>
    (row.workload === "W1" && r.system === `tcp-${runtime === "exe" ? "bun" : runtime}`) ||
    (row.workload === "W2" && r.system === "disk-fdatasync")
  );
  return [...refs, ...ceilings];
}

export function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "-";
  const r = a / b;
  return `×${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(3)}`;
}

/** Each tsbroker figure over the same figure of each reference in the same workload. */
export function ratios(results: Results, markdown = false): string {
  const header = ["wl", "tsbroker", "reference", "MB/s", "ack p99", "e2e p99", "CPU s/GB", "peak RSS"];
  const right = [false, false, false, true, true, true, true, true];
  const lines: string[][] = [];
  for (const row of sortRows(results.rows)) {
    if (row.kind !== "tsbroker" || !row.median || row.error) continue;
    for (const ref of referencesFor(row, results.rows)) {
      const a = row.median, b = ref.median!;
      lines.push([
        row.workload,
        row.system,
        ref.system,
        ratio(a.mbPerSec, b.mbPerSec),
        ratio(a.ack?.p99, b.ack?.p99),
        // the mock holds every Fetch for fetch.wait.max.ms (no wake-up on new data): its e2e is no bound
        ref.system === "rdkafka-mock" ? "-" : ratio(a.e2e?.p99, b.e2e?.p99),
        ratio(a.cpuSecPerGB, b.cpuSecPerGB),
        ratio(a.peakRssMB, b.peakRssMB),
      ]);
    }
  }
  return renderTable(header, lines, right, markdown);
}

// ------------------------------------------------------------------ targets

function find(rows: Row[], workload: string, system: string): Row | undefined {
  return rows.find((r) => r.workload === workload && r.system === system && !r.error);
}

/** One target's verdict: PASS/MISS with the figure, or n/a when it was not measured. */
function verdict(
  name: string,
  system: string,
  measured: number | undefined,
  ok: (x: number) => boolean,
  unit: string,
  why?: string,
): Target {
  if (measured === undefined || !Number.isFinite(measured)) {
    return { name, system, measured: "-", status: "n/a", why: why ?? "not measured" };
  }
  return { name, system, measured: `${fmt(measured)}${unit}`, status: ok(measured) ? "PASS" : "MISS", why };
}

/** The issue's targets, for every tsbroker flavour that ran. */
export function checkTargets(rows: Row[], mode = "full"): Target[] {
  const targets: Target[] = [];
  const flavours = [...new Set(rows.filter((r) => r.kind === "tsbroker").map((r) => r.system))];
  const check = (...args: Parameters<typeof verdict>) => targets.push(verdict(...args));
  const redis = find(rows, "W1", "redis-relaxed");
  const disk = find(rows, "CEIL", "disk-fdatasync");
  const nats = find(rows, "W2", "nats-durable");
  const natsMissing = rows.find((r) => r.workload === "W2" && r.system === "nats-durable")?.error;
  for (const system of flavours) {
    const w1 = find(rows, "W1", system)?.median?.mbPerSec;
    check("W1 ≥ 300 MB/s", system, w1, (x) => x >= 300, " MB/s");
    check(
      "W1 ≥ 2× Redis relaxed",
      system,
      w1 !== undefined && redis?.median ? w1 / redis.median.mbPerSec : undefined,
      (x) => x >= 2,
      "×",
      redis ? `Redis ${fmt(redis.median?.mbPerSec)} MB/s` : "Redis did not run",
    );
    const w2 = find(rows, "W2", system)?.median?.mbPerSec;
    check(
      "W2 ≥ 70% of disk fdatasync",
      system,
      w2 !== undefined && disk?.median ? (100 * w2) / disk.median.mbPerSec : undefined,
      (x) => x >= 70,
      "%",
      disk
        ? `disk ${fmt(disk.median?.mbPerSec)} MB/s at ${disk.note ?? "W2's batch size"}`
        : "disk ceiling did not run",
    );
    check(
      "W2 ≥ 5× NATS durable",
      system,
      w2 !== undefined && nats?.median ? w2 / nats.median.mbPerSec : undefined,
      (x) => x >= 5,
      "×",
      nats ? `NATS ${fmt(nats.median?.mbPerSec)} MB/s` : natsMissing ?? "NATS durable did not run",
    );
    check("W4 ≥ 800 MB/s", system, find(rows, "W4", system)?.median?.mbPerSec, (x) => x >= 800, " MB/s");
    const w5 = find(rows, "W5", system);
    check(
      "W5 e2e p99 ≤ 10 ms",
      system,
      w5?.median?.e2e?.p99,
      (x) => x <= 10,
      " ms",
      w5?.median ? `at ${fmtCount(w5.median.recordsPerSec)} records/s` : undefined,
    );
    const w6 = find(rows, "W6", system);
    check("W6 1000 idle < 100 MB", system, w6?.extra?.extraRssMB, (x) => x < 100, " MB");
    const slowdown = w6?.extra?.slowdownPct;
    if (mode !== "full" && slowdown !== undefined && Number.isFinite(slowdown)) {
      // one 2 s window each way moves by far more than 10% on a shared VM
      targets.push({
        name: "W6 slows W1 ≤ 10%",
        system,
        measured: `${fmt(slowdown)}%`,
        status: "n/a",
        why: "32 producers, vs W6-base; quick mode cannot resolve 10%: the verdict needs --full",
      });
    } else check("W6 slows W1 ≤ 10%", system, slowdown, (x) => x <= 10, "%", "32 producers, vs W6-base (A-B-A)");
    check("idle RSS ≤ 200 MB", system, find(rows, "IDLE", system)?.extra?.idleRssMB, (x) => x <= 200, " MB");
  }
  return targets;
}

export function targetsTable(targets: Target[], markdown = false): string {
  const systems = [...new Set(targets.map((t) => t.system))];
  const names = [...new Set(targets.map((t) => t.name))];
  const header = ["target", ...systems];
  const lines = names.map((name) => [
    name,
    ...systems.map((s) => {
      const t = targets.find((x) => x.name === name && x.system === s);
      return t ? (t.status === "n/a" && t.measured === "-" ? "n/a" : `${t.status} ${t.measured}`) : "-";
    }),
  ]);
  const notes = names.map((name) => {
    const why = targets.find((t) => t.name === name && t.why)?.why;
    return why ? `  ${name}: ${why}` : "";
  }).filter(Boolean);
  return renderTable(header, lines, header.map((_, i) => i > 0), markdown) +
    (notes.length ? "\n" + notes.join("\n") : "");
}

// ------------------------------------------------------------------ comparison of two runs

function delta(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || a === 0) return "-";
  const d = ((b - a) / a) * 100;
  return `${d >= 0 ? "+" : ""}${d.toFixed(0)}%`;
}

/** Per row present in both runs: the change from `old` to `now`. */
export function compare(old: Results, now: Results, markdown = false): string {
  const header = ["wl", "system", "MB/s old→new", "Δ MB/s", "Δ ack p99", "Δ e2e p99", "Δ CPU s/GB", "Δ peak RSS"];
  const right = [false, false, true, true, true, true, true, true];
  const lines: string[][] = [];
  for (const row of sortRows(now.rows)) {
    const before = old.rows.find((r) => r.workload === row.workload && r.system === row.system);
    if (!before?.median || !row.median) {
      if (before?.extra?.idleRssMB !== undefined && row.extra?.idleRssMB !== undefined) {
        lines.push([
          row.workload,
          row.system,
          "-",
          "-",
          "-",
          "-",
          "-",
          delta(before.extra.idleRssMB, row.extra.idleRssMB),
        ]);
      }
      continue;
    }
    const a = before.median, b = row.median;
    lines.push([
      row.workload,
      row.system,
      `${fmt(a.mbPerSec)}→${fmt(b.mbPerSec)}`,
      delta(a.mbPerSec, b.mbPerSec),
      delta(a.ack?.p99, b.ack?.p99),
      delta(a.e2e?.p99, b.e2e?.p99),
      delta(a.cpuSecPerGB, b.cpuSecPerGB),
      delta(a.peakRssMB, b.peakRssMB),
    ]);
  }
  return `compared with the run of ${old.startedAt} (${old.mode}):\n` + renderTable(header, lines, right, markdown);
}
