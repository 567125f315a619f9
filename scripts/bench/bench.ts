/**
 * tsbroker benchmarks side by side (issue 5; method in docs/benchmarks.md).
 *
 *   deno task bench                  quick mode (~4 min): 1 repeat, short windows
 *   deno task bench -- --full        full mode: 10 s warm-up, 3 × 10 s windows, 1 GiB backlog
 *   deno task bench -- --smoke       seconds: tsbroker under Deno + librdkafka's mock cluster only
 *   ... --only deno,bun,exe,kafka,mock,redis,nats,tcp,disk   run only these systems
 *   ... --workloads W1,W4            run only these workloads (IDLE, STARTUP, SMALL, W1..W8, TLS-W1,
 *                                    W1-2c, W4-2c, CLIENT-W1)
 *   ... --kafka-heap 1g              Apache Kafka's heap (-Xms = -Xmx; default 1g)
 *   ... --kafka-config key=value     an extra server.properties entry for Apache Kafka (repeatable)
 *   ... --markdown                   print the tables as Markdown
 *   ... --compare OLD.json           after the run, print the change from OLD
 *   ... --compare OLD.json NEW.json  only compare two earlier runs
 *   ... --show RUN.json [--markdown] only print an earlier run's tables
 *   ... --no-install                 do not run scripts/install-bench-deps.sh nor make the venv
 *   ... --librdkafka FILE|system     the librdkafka the load generator and kcat load: by default the
 *                                    current one in the confluent-kafka wheel (the venv of
 *                                    scripts/install-client-deps.sh); system: the system's (Debian: 2.0.2)
 *
 * It installs what it needs (scripts/install-bench-deps.sh, and the venv
 * whose confluent-kafka wheel carries the current librdkafka), builds the C
 * load generator (scripts/bench/loadgen.c, against librdkafka), then runs
 * tsbroker under Deno, under Bun and as the Bun-compiled executable, Apache
 * Kafka (scripts/kafka/pom.xml's version, on the JVM) through the same
 * workloads, and the references (librdkafka's mock cluster, Redis Streams,
 * NATS JetStream, raw loopback TCP in each runtime, the disk's append
 * bandwidth), every server pinned to CPU 0 and every load generator to CPU
 * 1. It prints one table, tsbroker next to Kafka, the ratios of tsbroker to
 * each other reference, issue 5's targets and those of issues 13–16
 * (_targets.ts), and writes everything to bench-results/<time>.json.
 *
 * The parts: _plan.ts (command line), _setup.ts (tools), _runner.ts (the
 * load generator and shared workloads), _brokers.ts (tsbroker, and the
 * workload sequence it shares with Kafka), _extras.ts (STARTUP, SMALL,
 * TLS-W1, the two-core runs, CLIENT-W1), _kafka.ts, _references.ts,
 * _ceilings.ts, _procs.ts (processes and /proc), _report.ts, _vs_kafka.ts
 * and _targets.ts (the tables).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXECUTABLE, ROOT } from "../../tests/integration/_broker.ts";
import { javaCommand, kafkaVersion } from "../kafka/reference.ts";
import { brokerWorkloads, tsbroker } from "./_brokers.ts";
import { disk, tcp } from "./_ceilings.ts";
import { apacheKafka } from "./_kafka.ts";
import { BROKER_CPU, BUN, DENO, LOAD_CPU, log, parsePlan, type Plan } from "./_plan.ts";
import { hostReportedKiB, killAll, loadAverage, which } from "./_procs.ts";
import { mock, nats, redis } from "./_references.ts";
import { checkTargets, compare, hostMemoryNote, ratios, type Results, table, targetsTable } from "./_report.ts";
import { Bench } from "./_runner.ts";
import { checkIssueTargets, issueTargetsTable } from "./_targets.ts";
import { buildLoadgen, currentLibrdkafka, ensureExecutable, installDeps, useLibrdkafka, versionOf } from "./_setup.ts";
import { kafkaSummary, kafkaTable } from "./_vs_kafka.ts";

function printResults(results: Results, md: boolean): void {
  const p = results.plan;
  const [l1, l5, l15] = results.host.loadavg;
  console.log(
    `\ntsbroker benchmark, ${results.mode} mode, ${results.startedAt} (${results.seconds.toFixed(0)} s); ` +
      `server on CPU ${BROKER_CPU}, load generator on CPU ${LOAD_CPU}; load average before the run ${l1} ${l5} ${l15}` +
      (results.host.busy ? " (BUSY: figures are low and noisy)" : ""),
  );
  const memoryNote = hostMemoryNote(results.host.reportedToHost);
  if (memoryNote) console.log(memoryNote);
  if (p) {
    console.log(
      `${p.repeats} × ${p.duration} s windows after ${p.warmupFirst} s (first load on a broker) / ${p.warmup} s ` +
        `warm-up; latencies in ms; ± = spread of MB/s over the repeats; CPU = % of one core\n`,
    );
  }
  console.log(table(results, md));
  const vsKafka = kafkaTable(results, md);
  if (vsKafka) {
    const kafka = results.versions.kafka ? `Apache Kafka ${results.versions.kafka}` : "Apache Kafka";
    console.log(`\ntsbroker next to ${kafka} (same core, same workloads; ÷ = tsbroker's figure over Kafka's):\n`);
    console.log(vsKafka);
  }
  console.log(
    `\ntsbroker ÷ reference (same workload; W1 also ÷ the raw TCP ceiling of its runtime, W2 ÷ disk fdatasync):\n`,
  );
  console.log(ratios(results, md));
  console.log(`\nissue 5 targets:\n`);
  console.log(targetsTable(results.targets, md));
  const issueTargets = results.issueTargets ?? checkIssueTargets(results.rows, results.versions?.librdkafka);
  if (issueTargets.length) {
    console.log(`\nissues 13–16 targets (PASS / MISS / n/a, with the figure):\n`);
    console.log(issueTargetsTable(issueTargets, md));
  }
  const summary = kafkaSummary(results);
  if (summary) console.log(`\n${summary}`);
}

async function toolVersions(plan: Plan, loadgen: string): Promise<Record<string, string>> {
  const versions: Record<string, string> = {
    deno: await versionOf(DENO, ["--version"]),
    bun: await versionOf(BUN, ["--version"]),
    librdkafka: await versionOf(loadgen, ["version"]),
    redis: await versionOf(which("redis-server") ?? "redis-server", ["--version"]),
    nats: await versionOf(which("nats-server") ?? "nats-server", ["--version"]),
  };
  if (plan.systems.has("kafka")) {
    versions.kafka = kafkaVersion();
    versions.java = await versionOf(javaCommand(), ["--version"]);
  }
  return versions;
}

/** Runs every selected system, one at a time. */
async function runSystems(bench: Bench, executable: string): Promise<void> {
  const systems = bench.plan.systems;
  for (const flavour of ["deno", "bun", "exe"] as const) {
    if (systems.has(flavour)) await brokerWorkloads(bench, tsbroker(bench, flavour, executable));
  }
  if (systems.has("kafka")) {
    await brokerWorkloads(bench, apacheKafka(bench, bench.plan.kafkaHeap, bench.plan.kafkaConfig));
  }
  if (systems.has("mock")) await mock(bench);
  if (systems.has("redis")) await redis(bench);
  if (systems.has("nats")) await nats(bench);
  if (systems.has("tcp")) {
    await tcp(bench, "deno");
    await tcp(bench, "bun");
  }
  if (systems.has("disk")) await disk(bench);
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
  const reportedBefore = hostReportedKiB();
  const busy = loadavg[0] > 0.7;
  log(`${plan.mode} mode; uptime: ${uptime}`);
  if (busy) log(`WARNING: the machine is busy (load ${loadavg[0]}): figures will be low and noisy`);

  if (plan.install) await installDeps();
  const librdkafka = plan.librdkafka === "system" ? null : plan.librdkafka ?? await currentLibrdkafka(plan.install);
  if (librdkafka) useLibrdkafka(librdkafka);
  else log("librdkafka clients load the system's librdkafka");
  const loadgen = await buildLoadgen();
  const executable = plan.systems.has("exe") ? await ensureExecutable() : EXECUTABLE;
  const versions = await toolVersions(plan, loadgen);

  const bench = new Bench(plan, loadgen);
  const stopOnSignal = () => {
    killAll();
    bench.cleanup();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", stopOnSignal);
  Deno.addSignalListener("SIGTERM", stopOnSignal);
  try {
    await runSystems(bench, executable);
  } finally {
    killAll();
    bench.cleanup();
  }

  const reportedAfter = hostReportedKiB();
  const reportedToHost = reportedBefore === null || reportedAfter === null
    ? undefined
    : { sinceBootMB: reportedAfter / 1024, duringRunMB: (reportedAfter - reportedBefore) / 1024 };
  const results: Results = {
    version: 1,
    mode: plan.mode,
    startedAt,
    seconds: (performance.now() - started) / 1000,
    host: { uptime, loadavg, cpus: os.cpus().length, kernel: os.release(), busy, reportedToHost },
    versions,
    rows: bench.rows,
    targets: checkTargets(bench.rows, plan.mode),
    issueTargets: checkIssueTargets(bench.rows, versions.librdkafka),
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
