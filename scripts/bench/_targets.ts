/**
 * The targets of issues 13–16 for each tsbroker flavour, in one table with
 * an issue column (issue 5's own table stays in _report.ts): each target's
 * figure and PASS, MISS, or n/a with the reason (a workload or Apache Kafka
 * did not run, or the target is another flavour's).
 */
import { fmt, fmtMs, renderTable, type Row, type Target } from "./_report.ts";

function find(rows: Row[], workload: string, system: string): Row | undefined {
  return rows.find((r) => r.workload === workload && r.system === system && !r.error);
}

type Format = (x: number) => string;
const ms: Format = (x) => `${fmtMs(x)} ms`;
const times: Format = (x) => `×${x.toFixed(2)}`;
const pct: Format = (x) => `${fmt(x, 0)}%`;
const coreSec: Format = (x) => `${fmt(x, 2)} s/GB`;

class Checker {
  targets: Target[] = [];
  constructor(readonly rows: Row[]) {}

  check(
    issue: number,
    name: string,
    system: string,
    value: number | undefined,
    ok: (x: number) => boolean,
    f: Format,
    why?: string,
  ) {
    if (value === undefined || !Number.isFinite(value)) {
      const reason = why?.includes("did not run") ? why : "not measured (its workload did not run or failed)";
      this.targets.push({ issue, name, system, measured: "-", status: "n/a", why: reason });
    } else this.targets.push({ issue, name, system, measured: f(value), status: ok(value) ? "PASS" : "MISS", why });
  }

  row(workload: string, system: string): Row | undefined {
    return find(this.rows, workload, system);
  }

  /** `system`'s figure over the same figure of `other` in `workload`. */
  over(workload: string, system: string, other: string, value: (r: Row) => number | undefined): number | undefined {
    const a = this.row(workload, system), b = this.row(workload, other);
    const x = a && value(a), y = b && value(b);
    return x !== undefined && y !== undefined && y > 0 ? x / y : undefined;
  }
}

const mbPerSec = (r: Row) => r.median?.mbPerSec;
const cpuPerGB = (r: Row) => r.median?.cpuSecPerGB;
const e2eP99 = (r: Row) => r.median?.e2e?.p99;

/** Issue 15's targets against Apache Kafka, on the same pinned core. */
function versusKafka(c: Checker, system: string): void {
  const kafka = (w: string, f: (r: Row) => number | undefined, unit: Format) => {
    const row = c.row(w, "kafka");
    const x = row && f(row);
    return x === undefined ? "Kafka did not run" : `Kafka ${unit(x)}`;
  };
  const mb: Format = (x) => `${fmt(x)} MB/s`;
  c.check(
    15,
    "W1 ≥ 1.5× Kafka",
    system,
    c.over("W1", system, "kafka", mbPerSec),
    (x) => x >= 1.5,
    times,
    kafka("W1", mbPerSec, mb),
  );
  c.check(
    15,
    "W4 ≥ 1.5× Kafka",
    system,
    c.over("W4", system, "kafka", mbPerSec),
    (x) => x >= 1.5,
    times,
    kafka("W4", mbPerSec, mb),
  );
  c.check(
    15,
    "W1 CPU s/GB ≤ 0.5× Kafka",
    system,
    c.over("W1", system, "kafka", cpuPerGB),
    (x) => x <= 0.5,
    times,
    kafka("W1", cpuPerGB, coreSec),
  );
  c.check(
    15,
    "W4 CPU s/GB ≤ 0.5× Kafka",
    system,
    c.over("W4", system, "kafka", cpuPerGB),
    (x) => x <= 0.5,
    times,
    kafka("W4", cpuPerGB, coreSec),
  );
  c.check(
    15,
    "W5 e2e p99 ≤ Kafka's",
    system,
    c.over("W5", system, "kafka", e2eP99),
    (x) => x <= 1,
    times,
    kafka("W5", e2eP99, ms),
  );
}

function issue15(c: Checker, system: string): void {
  const w5 = c.row("W5", system);
  c.check(15, "W5 e2e p99 ≤ 5 ms", system, w5 && e2eP99(w5), (x) => x <= 5, ms, "at 50% of the flavour's own W1 rate");
  const small = c.row("SMALL", system);
  c.check(
    15,
    "SMALL p99 ≤ 1 ms",
    system,
    small?.median?.ack?.p99,
    (x) => x <= 1,
    ms,
    "round trip of one 100 B produce, nothing else running, after 10 s of warm-up (JIT settled)",
  );
  const w1 = c.row("W1", system), w4 = c.row("W4", system);
  c.check(
    15,
    "W1 CPU ≤ 1.0 core-s/GB",
    system,
    w1 && cpuPerGB(w1),
    (x) => x <= 1,
    coreSec,
    "broker process, all threads",
  );
  c.check(
    15,
    "W4 CPU ≤ 0.5 core-s/GB",
    system,
    w4 && cpuPerGB(w4),
    (x) => x <= 0.5,
    coreSec,
    "broker process, all threads",
  );
  const twoCores = "broker on CPUs 0,1 with its default thread counts, sharing them with the load generator";
  c.check(15, "W1-2c ≥ 1.6× W1", system, ratioOf(c, "W1-2c", "W1", system), (x) => x >= 1.6, times, twoCores);
  c.check(15, "W4-2c ≥ 1.6× W4", system, ratioOf(c, "W4-2c", "W4", system), (x) => x >= 1.6, times, twoCores);
  versusKafka(c, system);
  const exe = system === "tsbroker-exe";
  const limit = system === "tsbroker-deno" ? 80 : 60;
  const idle = c.row("IDLE", system)?.extra?.idleRssMB;
  c.check(15, "idle RSS ≤ 60 MB (bun, exe) / 80 MB (deno)", system, idle, (x) => x <= limit, (x) => `${fmt(x, 0)} MB`);
  const start = c.row("STARTUP", system)?.extra?.startupMs;
  if (!exe && start !== undefined) {
    c.targets.push({
      issue: 15,
      name: "STARTUP ≤ 300 ms (exe)",
      system,
      measured: ms(start),
      status: "n/a",
      why: "the target is the executable's; the others are reported",
    });
  } else {c.check(
      15,
      "STARTUP ≤ 300 ms (exe)",
      system,
      start,
      (x) => x <= 300,
      ms,
      "spawn → first ApiVersions answer, median of cold starts",
    );}
}

function ratioOf(c: Checker, workload: string, base: string, system: string): number | undefined {
  const a = c.row(workload, system), b = c.row(base, system);
  const x = a && mbPerSec(a), y = b && mbPerSec(b);
  return x !== undefined && y !== undefined && y > 0 ? x / y : undefined;
}

/**
 * librdkafka 2.0's main thread busy-polls its clock while transactional producers run, which holds the load
 * generator's core in W8-1p (docs/benchmarks.md, "W8 and TLS-W1 with the current librdkafka").
 */
function transactionalClientNote(librdkafka: string | undefined): string {
  return /^librdkafka 2\.0\./.test(librdkafka ?? "")
    ? `; ${librdkafka} polls its clock in transactions and can hold this row: try --librdkafka with a newer build`
    : "";
}

/**
 * The load generator's own ceiling for a W8 ratio: the same ratio against librdkafka's mock cluster, whose
 * transactions cost it next to nothing, so no broker can do better with this client on this machine.
 */
function clientCeilingNote(c: Checker, workload: string): string {
  const ceiling = c.row(workload, "rdkafka-mock")?.extra?.ofIdempotentPct;
  return ceiling === undefined ? "" : `; the load generator's own ceiling (against rdkafka-mock) is ${pct(ceiling)}`;
}

/** Every target of issues 13–16 for every tsbroker flavour in `rows`; `librdkafka`: the load generator's version line. */
export function checkIssueTargets(rows: Row[], librdkafka?: string): Target[] {
  const c = new Checker(rows);
  const flavours = [...new Set(rows.filter((r) => r.kind === "tsbroker").map((r) => r.system))];
  for (const system of flavours) {
    issue15(c, system);
    const tls = ratioOf(c, "TLS-W1", "W1", system);
    c.check(
      14,
      "TLS-W1 ≥ 50% of W1",
      system,
      tls && 100 * tls,
      (x) => x >= 50,
      pct,
      "W1 through an SSL listener, vs plaintext W1",
    );
    c.check(
      13,
      "W8 transactional ≥ 70% of idempotent",
      system,
      c.row("W8", system)?.extra?.ofIdempotentPct,
      (x) => x >= 70,
      pct,
      "100 records per transaction over 8 partitions, vs W8-idem" + clientCeilingNote(c, "W8"),
    );
    c.check(
      13,
      "W8-1p transactional ≥ 70% of idempotent",
      system,
      c.row("W8-1p", system)?.extra?.ofIdempotentPct,
      (x) => x >= 70,
      pct,
      "100 records per transaction to one partition (a sticky partitioner's placement), vs W8-idem" +
        transactionalClientNote(librdkafka) + clientCeilingNote(c, "W8-1p"),
    );
    const client = c.row("CLIENT-W1", system);
    c.check(
      16,
      "client producer ≥ 80% of kcat",
      system,
      client?.extra?.ofKcatPct,
      (x) => x >= 80,
      pct,
      client ? "tsbroker's client library vs kcat, W1's records (KCAT-W1)" : "CLIENT-W1 did not run",
    );
  }
  return c.targets;
}

/** The table: a line per target (issue, name) and a column per flavour; the reasons below it. */
export function issueTargetsTable(targets: Target[], markdown = false): string {
  const systems = [...new Set(targets.map((t) => t.system))];
  const keys = [...new Set(targets.map((t) => `${t.issue}\u0000${t.name}`))];
  const header = ["issue", "target", ...systems];
  const lines = keys.map((key) => {
    const [issue, name] = key.split("\u0000");
    return [
      issue,
      name,
      ...systems.map((s) => {
        const t = targets.find((x) => x.name === name && x.system === s);
        return t ? (t.status === "n/a" && t.measured === "-" ? "n/a" : `${t.status} ${t.measured}`) : "-";
      }),
    ];
  });
  const notes = keys.map((key) => {
    const name = key.split("\u0000")[1];
    const whys = [...new Set(targets.filter((t) => t.name === name && t.why).map((t) => t.why))];
    return whys.length ? `  ${name}: ${whys.join("; ")}` : "";
  }).filter(Boolean);
  return renderTable(header, lines, header.map((_, i) => i > 1), markdown) +
    (notes.length ? "\n" + notes.join("\n") : "");
}
