/**
 * The benchmark's command line (scripts/bench/bench.ts): modes, the systems
 * and workloads to run, and the constants every part of the harness shares
 * (the CPUs, the paths of the tools).
 */
import * as path from "node:path";
import { ROOT } from "../../tests/integration/_broker.ts";

/** Every server runs on this CPU, so that figures read "per core". */
export const BROKER_CPU = 0;
/** Every load generator runs on this one. */
export const LOAD_CPU = 1;
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const DENO = path.join(ROOT, "node_modules", ".bin", "deno");
export const BUN = path.join(ROOT, "node_modules", ".bin", "bun");
export const CACHE = path.join(ROOT, "node_modules", ".cache", "tsbroker-bench");

export type SystemId = "deno" | "bun" | "exe" | "kafka" | "mock" | "redis" | "nats" | "tcp" | "disk";

export interface Plan {
  mode: "quick" | "full" | "smoke";
  /** Warm-up of the first load on a fresh broker process (JIT), seconds. */
  warmupFirst: number;
  warmup: number;
  duration: number;
  repeats: number;
  /** W4's backlog. */
  backlogBytes: number;
  idleSettleMs: number;
  /** STARTUP's cold starts per system (the median is reported). */
  startupRuns: number;
  systems: Set<SystemId>;
  workloads: Set<string>;
  markdown: boolean;
  compareWith?: string;
  install: boolean;
  /** Apache Kafka's heap (-Xms = -Xmx). */
  kafkaHeap: string;
  /** Extra server.properties entries for Apache Kafka (--kafka-config key=value). */
  kafkaConfig: Record<string, string>;
  /**
   * The librdkafka the load generator and kcat load (--librdkafka FILE | system): unset, the current release
   * bundled in the confluent-kafka wheel of the project's venv (_setup.ts currentLibrdkafka); "system", the
   * system's (Debian 12: 2.0.2).
   */
  librdkafka?: string;
}

export type Parsed =
  | Plan
  | { compareOnly: [string, string]; markdown: boolean }
  | { show: string; markdown: boolean };

export const ALL_WORKLOADS = [
  "IDLE",
  "STARTUP",
  "SMALL",
  "W1",
  "W2",
  "W3",
  "W4",
  "W5",
  "W6",
  "W7",
  "W8",
  "TLS-W1",
  "W1-2C",
  "W4-2C",
  "CLIENT-W1",
];
const ALL_SYSTEMS: SystemId[] = ["deno", "bun", "exe", "kafka", "mock", "redis", "nats", "tcp", "disk"];
// Smoke mode leaves Apache Kafka out: its JVM alone takes ~10 s to start (twice: W2 needs a
// differently configured broker); `--smoke --only deno,kafka` runs it.
const SMOKE_SYSTEMS: SystemId[] = ["deno", "mock"];

const SMOKE_WORKLOADS = ["IDLE", "STARTUP", "SMALL", "W1", "W4", "W5", "TLS-W1", "W1-2C", "W4-2C"];

const TIMINGS = {
  quick: {
    warmupFirst: 1.5,
    warmup: 1,
    duration: 2,
    repeats: 1,
    backlogBytes: 256 * MiB,
    idleSettleMs: 1000,
    startupRuns: 5,
  },
  full: {
    warmupFirst: 10,
    warmup: 3,
    duration: 10,
    repeats: 3,
    backlogBytes: 1024 * MiB,
    idleSettleMs: 3000,
    startupRuns: 5,
  },
  smoke: {
    warmupFirst: 0.5,
    warmup: 0.3,
    duration: 1,
    repeats: 1,
    backlogBytes: 32 * MiB,
    idleSettleMs: 500,
    startupRuns: 2,
  },
};

export function parsePlan(args: string[]): Parsed {
  args = args.filter((a) => a !== "--");
  let mode: Plan["mode"] = "quick";
  let only: string[] | undefined;
  let workloads: string[] | undefined;
  let markdown = false;
  let install = true;
  let kafkaHeap = "1g";
  const kafkaConfig: Record<string, string> = {};
  const comparePaths: string[] = [];
  let librdkafka: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--full") mode = "full";
    else if (a === "--quick") mode = "quick";
    else if (a === "--smoke") mode = "smoke";
    else if (a === "--markdown") markdown = true;
    else if (a === "--no-install") install = false;
    else if (a === "--only") only = args[++i].split(",");
    else if (a === "--workloads") {
      workloads = args[++i].split(",").map((w) => w.toUpperCase());
      const unknown = workloads.filter((w) => !ALL_WORKLOADS.includes(w));
      if (unknown.length) throw new Error(`--workloads: unknown ${unknown.join(",")} (${ALL_WORKLOADS.join(",")})`);
    } else if (a === "--kafka-heap") kafkaHeap = args[++i];
    else if (a === "--kafka-config") {
      const kv = args[++i];
      if (!kv?.includes("=")) throw new Error("--kafka-config needs key=value");
      kafkaConfig[kv.slice(0, kv.indexOf("="))] = kv.slice(kv.indexOf("=") + 1);
    } else if (a === "--librdkafka") {
      librdkafka = args[++i];
      if (!librdkafka) throw new Error("--librdkafka needs a librdkafka shared library file, or system");
    } else if (a === "--show") return { show: args[++i], markdown: args.includes("--markdown") };
    else if (a === "--compare") {
      while (i + 1 < args.length && !args[i + 1].startsWith("--")) comparePaths.push(args[++i]);
      if (comparePaths.length === 0) throw new Error("--compare needs a results file");
    } else throw new Error(`unknown argument ${a} (see the header of scripts/bench/bench.ts)`);
  }
  if (comparePaths.length === 2) return { compareOnly: [comparePaths[0], comparePaths[1]], markdown };
  const unknown = (only ?? []).filter((s) => !ALL_SYSTEMS.includes(s as SystemId));
  if (unknown.length) throw new Error(`--only: unknown system ${unknown.join(",")} (${ALL_SYSTEMS.join(",")})`);
  return {
    mode,
    ...TIMINGS[mode],
    systems: new Set<SystemId>((only ?? (mode === "smoke" ? SMOKE_SYSTEMS : ALL_SYSTEMS)) as SystemId[]),
    workloads: new Set(workloads ?? (mode === "smoke" ? SMOKE_WORKLOADS : ALL_WORKLOADS)),
    markdown,
    compareWith: comparePaths[0],
    install,
    kafkaHeap,
    kafkaConfig,
    librdkafka,
  };
}

export function log(message: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}
