/**
 * Start-up time and idle memory of a broker process: the time from spawn to
 * the first answered ApiVersions (what a client waits for, not a log line),
 * and the process's RSS once it has sat idle for a while (all its threads:
 * Workers are threads of the one process).
 *
 * `measureStartup(command, args, port)` is the reusable part (the bench's
 * STARTUP workload calls it); run as a script it measures tsbroker under
 * Deno, Bun and the executable, pinned to CPU 0, each with a fresh data dir
 * per run and again with the data dir of a previous run, and prints the
 * median and spread of each:
 *
 *   deno run -A scripts/bench/startup.ts [--runs 7] [--flavours deno,bun,exe] [--idle-ms 5000]
 *     [--no-pin] [--lines] [--exe dist/tsbroker] [--override k=v]...
 *
 * `--lines` prints each run's log lines stamped with ms since spawn, at debug
 * level, where the broker logs each start-up step with its time since the
 * runtime's start (src/util/startup_trace.ts).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { commandFor, type Flavour } from "../../tests/integration/_broker.ts";
import { readLines, sleep } from "./_procs.ts";
import { freePort } from "../kafka/reference.ts";

export interface StartupOptions {
  /** Measure RSS this long after spawn (ms); 0 skips the RSS figure. Default 5000. */
  idleMs?: number;
  /** Give up when no ApiVersions answer came within this long (ms). Default 30000. */
  timeoutMs?: number;
  /** Environment added to this process's own. */
  env?: Record<string, string>;
  /** Stop the process once measured (SIGTERM, then SIGKILL after 20 s). Default true. */
  stop?: boolean;
}

export interface StartupSample {
  /** ms from spawn to the first ApiVersions answer. */
  readyMs: number;
  /** ms from spawn to the first accepted TCP connection. */
  connectMs: number;
  /** VmRSS in MB `idleMs` after spawn (NaN when not measured). */
  idleRssMB: number;
  /** Threads of the process at the RSS sample. */
  threads: number;
  /** The process's output lines, each with ms since spawn. */
  lines: Array<{ ms: number; text: string }>;
  pid: number;
  /** Exit code after SIGTERM (null: killed, undefined: not stopped). */
  exitCode?: number | null;
}

/**
 * Spawn `command args`, then try to connect to 127.0.0.1:`port` every
 * millisecond and send ApiVersions v0 on each connection until one is
 * answered. Resolves once the idle RSS is taken (and the process stopped).
 */
export async function measureStartup(
  command: string,
  args: string[],
  port: number,
  options: StartupOptions = {},
): Promise<StartupSample> {
  const idleMs = options.idleMs ?? 5000;
  const t0 = performance.now();
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: Array<{ ms: number; text: string }> = [];
  const onLine = (text: string) => lines.push({ ms: Math.round(performance.now() - t0), text });
  const drained = Promise.all([readLines(child.stdout, onLine), readLines(child.stderr, onLine)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  try {
    const deadline = t0 + (options.timeoutMs ?? 30_000);
    let connectMs = NaN;
    let readyMs = NaN;
    while (Number.isNaN(readyMs)) {
      if (exited) throw new Error(`exited before answering:\n${lines.map((l) => l.text).join("\n")}`);
      if (performance.now() > deadline) {
        throw new Error(`no ApiVersions answer in time:\n${lines.map((l) => l.text).join("\n")}`);
      }
      const attempt = await askApiVersions(port);
      if (attempt.connected && Number.isNaN(connectMs)) connectMs = performance.now() - t0;
      if (attempt.answered) readyMs = performance.now() - t0;
      else await sleep(1);
    }
    let idleRssMB = NaN;
    let threads = 0;
    if (idleMs > 0) {
      await sleep(Math.max(0, t0 + idleMs - performance.now()));
      idleRssMB = statusField(child.pid, "VmRSS") / 1024;
      threads = statusField(child.pid, "Threads");
    }
    const sample: StartupSample = { readyMs, connectMs, idleRssMB, threads, lines, pid: child.pid };
    if (options.stop ?? true) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => exited || child.kill("SIGKILL"), 20_000);
      const s = await status;
      clearTimeout(timer);
      await drained;
      sample.exitCode = s.signal ? null : s.code;
    }
    return sample;
  } catch (e) {
    if (!exited) child.kill("SIGKILL");
    await status;
    throw e;
  }
}

/** ApiVersions v0, correlation id 1, client id "startup". */
const API_VERSIONS = (() => {
  const clientId = new TextEncoder().encode("startup");
  const frame = new Uint8Array(4 + 10 + clientId.length);
  const view = new DataView(frame.buffer);
  view.setInt32(0, frame.length - 4);
  view.setInt16(4, 18); // ApiVersions
  view.setInt16(6, 0);
  view.setInt32(8, 1);
  view.setInt16(12, clientId.length);
  frame.set(clientId, 14);
  return frame;
})();

/** One connection: connected at all, and an answer with our correlation id read back. */
function askApiVersions(port: number): Promise<{ connected: boolean; answered: boolean }> {
  return new Promise((resolve) => {
    let connected = false;
    let got = new Uint8Array(0);
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ connected, answered });
    };
    // A listener that accepts but whose handlers never answer counts as not ready: try again.
    const timer = setTimeout(() => done(false), 2000);
    socket.on("connect", () => {
      connected = true;
      socket.write(API_VERSIONS);
    });
    socket.on("data", (chunk: Uint8Array) => {
      const next = new Uint8Array(got.length + chunk.length);
      next.set(got);
      next.set(chunk, got.length);
      got = next;
      if (got.length >= 8) {
        const view = new DataView(got.buffer, got.byteOffset);
        done(view.getInt32(4) === 1);
      }
    });
    socket.on("error", () => done(false));
    socket.on("close", () => done(false));
  });
}

function statusField(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** The broker command line for one run: a flavour, pinned or not, on `port` with `dataDir`. */
export function tsbrokerCommand(
  flavour: Flavour,
  port: number,
  dataDir: string,
  overrides: Record<string, string> = {},
  pin = true,
  executable?: string,
): [string, string[]] {
  const [command, base] = flavour === "exe" && executable ? [executable, []] : commandFor(flavour);
  const settings: Record<string, string> = {
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    "log.dirs": dataDir,
    "tsbroker.metrics.listener": "127.0.0.1:0",
    ...overrides,
  };
  const args = [...base, ...Object.entries(settings).flatMap(([k, v]) => ["--override", `${k}=${v}`])];
  return pin ? ["taskset", ["-c", "0", command, ...args]] : [command, args];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.ceil(i)] - sorted[lo]) * (i - lo);
}

/** "p50 (min–max)" of a list of numbers. */
export function summary(values: number[], digits = 0): string {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return "-";
  const f = (v: number) => v.toFixed(digits);
  return `${f(quantile(sorted, 0.5))} (${f(sorted[0])}–${f(sorted[sorted.length - 1])})`;
}

async function main(argv: string[]): Promise<void> {
  const value = (name: string, fallback: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const runs = Number(value("--runs", "7"));
  const idleMs = Number(value("--idle-ms", "5000"));
  const flavours = value("--flavours", "deno,bun,exe").split(",") as Flavour[];
  const pin = !argv.includes("--no-pin");
  const exe = argv.includes("--exe") ? value("--exe", "") : undefined;
  const overrides: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (a !== "--override") return;
    const [k, ...v] = argv[i + 1].split("=");
    overrides[k] = v.join("=");
  });
  if (argv.includes("--lines")) overrides["tsbroker.log.level"] ??= "debug";
  console.log(`# start-up: ${runs} runs each, idle RSS at ${idleMs} ms, ${pin ? "broker on CPU 0" : "not pinned"}`);
  console.log("flavour  data dir   ready ms p50 (min–max)   connect ms p50   idle RSS MB p50 (min–max)   threads");
  for (const flavour of flavours) {
    const existing = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-startup-"));
    // The existing dir is one a broker has run on and stopped cleanly.
    const preparePort = await freePort();
    await measureStartup(...tsbrokerCommand(flavour, preparePort, existing, overrides, pin, exe), preparePort, {
      idleMs: 0,
    });
    for (const kind of ["fresh", "existing"] as const) {
      const samples: StartupSample[] = [];
      for (let r = 0; r < runs; r++) {
        const dataDir = kind === "existing" ? existing : fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-startup-"));
        const port = await freePort();
        const [command, args] = tsbrokerCommand(flavour, port, dataDir, overrides, pin, exe);
        const sample = await measureStartup(command, args, port, { idleMs });
        samples.push(sample);
        if (kind === "fresh") fs.rmSync(dataDir, { recursive: true, force: true });
        if (argv.includes("--lines")) {
          console.log(`## ${flavour} ${kind} run ${r + 1}: ready at ${sample.readyMs.toFixed(0)} ms`);
          for (const l of sample.lines) console.log(`  ${String(l.ms).padStart(5)} ${l.text}`);
        }
      }
      console.log(
        `${flavour.padEnd(8)} ${kind.padEnd(10)} ${summary(samples.map((s) => s.readyMs)).padEnd(24)} ${
          summary(samples.map((s) => s.connectMs)).padEnd(16)
        } ${summary(samples.map((s) => s.idleRssMB), 1).padEnd(27)} ${samples[0].threads}`,
      );
    }
    fs.rmSync(existing, { recursive: true, force: true });
  }
}

if (import.meta.main) await main(Deno.args);
