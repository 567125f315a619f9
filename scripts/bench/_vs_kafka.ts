/**
 * tsbroker next to Apache Kafka (issue 11): for each workload both ran, each
 * tsbroker flavour's figure, Kafka's, and tsbroker ÷ Kafka — throughput,
 * W5's end-to-end p99, CPU-seconds per GB and RSS — and a closing line with
 * the ratios summed up.
 */
import { fmt, fmtMs, ratio, renderTable, type Results, type Row, WORKLOAD_ORDER } from "./_report.ts";

interface Figure {
  label: string;
  workloads: string[];
  value(row: Row): number | undefined;
  format(x: number | undefined): string;
}

const THROUGHPUT = ["W1", "TLS-W1", "W1-2c", "W2", "W3", "W4", "W4-2c", "W6", "W7", "W8", "W8-1p"];
const LOADED = ["W1", "TLS-W1", "W1-2c", "W2", "W3", "W4", "W4-2c", "W5", "W6", "W7", "W8"];
/** Workloads left out of the closing note's means (each has its own line in the table). */
const SUMMARY_THROUGHPUT = ["W1", "W2", "W3", "W4", "W6", "W7", "W8"];
const SUMMARY_LOADED = ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8"];

// W5's MB/s is left out: each system produces at half of its own W1 rate there.
const FIGURES: Figure[] = [
  { label: "RSS MB", workloads: ["IDLE"], value: (r) => r.extra?.idleRssMB, format: (x) => fmt(x, 0) },
  { label: "ms to first answer", workloads: ["STARTUP"], value: (r) => r.extra?.startupMs, format: (x) => fmt(x, 0) },
  {
    label: "round trip p99 ms",
    workloads: ["SMALL"],
    value: (r) => r.median?.ack?.p99,
    format: (x) => fmtMs(x ?? NaN),
  },
  {
    label: "CPU µs per request",
    workloads: ["SMALL"],
    value: (r) => r.extra?.cpuUsPerRequest,
    format: (x) => fmt(x, 0),
  },
  { label: "MB/s", workloads: THROUGHPUT, value: (r) => r.median?.mbPerSec, format: (x) => fmt(x) },
  { label: "e2e p99 ms", workloads: ["W5"], value: (r) => r.median?.e2e?.p99, format: (x) => fmtMs(x ?? NaN) },
  { label: "CPU s/GB", workloads: LOADED, value: (r) => r.median?.cpuSecPerGB, format: (x) => fmt(x, 2) },
  { label: "peak RSS MB", workloads: LOADED, value: (r) => r.median?.peakRssMB, format: (x) => fmt(x, 0) },
  {
    label: "+RSS MB, 1,000 idle conns",
    workloads: ["W6"],
    value: (r) => r.extra?.extraRssMB,
    format: (x) => fmt(x, 1),
  },
];

function row(rows: Row[], workload: string, system: string): Row | undefined {
  return rows.find((r) => r.workload === workload && r.system === system && !r.error);
}

function flavoursOf(results: Results): string[] {
  return [...new Set(results.rows.filter((r) => r.kind === "tsbroker").map((r) => r.system))];
}

/** The table, or undefined when Kafka did not run (or tsbroker did not). */
export function kafkaTable(results: Results, markdown = false): string | undefined {
  const flavours = flavoursOf(results);
  if (flavours.length === 0 || !results.rows.some((r) => r.system === "kafka" && !r.error)) return undefined;
  const names = flavours.map((f) => f.replace("tsbroker-", "")).join(" / ");
  const header = ["wl", "figure", `tsbroker ${names}`, "Kafka", `tsbroker ÷ Kafka (${names})`];
  const lines: string[][] = [];
  for (const workload of WORKLOAD_ORDER) {
    const kafka = row(results.rows, workload, "kafka");
    if (!kafka) continue;
    for (const figure of FIGURES.filter((f) => f.workloads.includes(workload))) {
      const k = figure.value(kafka);
      const ours = flavours.map((f) => {
        const r = row(results.rows, workload, f);
        return r ? figure.value(r) : undefined;
      });
      if (ours.every((x) => x === undefined) || k === undefined) continue;
      lines.push([
        workload,
        figure.label,
        ours.map((x) => figure.format(x)).join(" / "),
        figure.format(k),
        ours.map((x) => ratio(x, k)).join(" / "),
      ]);
    }
  }
  return renderTable(header, lines, [false, false, true, true, true], markdown);
}

function geomean(xs: number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  return ok.length ? Math.exp(ok.reduce((a, x) => a + Math.log(x), 0) / ok.length) : NaN;
}

/** The closing note: per flavour, the ratios that sum up the table. */
export function kafkaSummary(results: Results): string | undefined {
  if (!results.rows.some((r) => r.system === "kafka" && !r.error)) return undefined;
  const lines: string[] = [];
  const per = (workloads: string[], f: string, value: (r: Row) => number | undefined) =>
    geomean(workloads.map((w) => {
      const a = row(results.rows, w, f), k = row(results.rows, w, "kafka");
      return a && k ? (value(a) ?? NaN) / (value(k) ?? NaN) : NaN;
    }));
  const x = (r: number) => ratio(r, 1);
  for (const f of flavoursOf(results)) {
    const mb = per(SUMMARY_THROUGHPUT, f, (r) => r.median?.mbPerSec);
    const p99 = per(["W5"], f, (r) => r.median?.e2e?.p99);
    const cpu = per(SUMMARY_LOADED, f, (r) => r.median?.cpuSecPerGB);
    const rss = per(SUMMARY_LOADED, f, (r) => r.median?.peakRssMB);
    const idle = per(["IDLE"], f, (r) => r.extra?.idleRssMB);
    lines.push(
      `  ${f} ÷ kafka: throughput ${x(mb)}, W5 e2e p99 ${x(p99)}, CPU s/GB ${x(cpu)}, ` +
        `peak RSS under load ${x(rss)}, idle RSS ${x(idle)}`,
    );
  }
  return `tsbroker ÷ Apache Kafka (geometric means over the workloads both ran; ` +
    `throughput: higher is better, the rest: lower is better):\n${lines.join("\n")}`;
}
