/**
 * Test harness: runs a real tsbroker process (under Deno, under Bun, or the
 * compiled executable) on free ports with a fresh data directory, and waits
 * for its start line, which names the bound listener and metrics ports.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";

export type Flavour = "deno" | "bun" | "exe";

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
export const EXECUTABLE = path.join(ROOT, "dist", "tsbroker");

export interface BrokerProcess {
  readonly flavour: Flavour;
  readonly host: string;
  readonly port: number;
  readonly bootstrap: string;
  readonly metricsPort: number;
  readonly dataDir: string;
  readonly output: string[];
  readonly pid: number;
  readonly running: boolean;
  /** Send a signal and wait for exit; resolves to the exit code (null if killed by a signal). */
  stop(signal?: Deno.Signal): Promise<number | null>;
}

export interface BrokerOptions {
  overrides?: Record<string, string | number | boolean>;
  dataDir?: string;
  configText?: string;
  startTimeoutMs?: number;
  /** Print the broker's output as it comes (debugging). */
  echo?: boolean;
  /** Extra environment variables for the broker process (added to this process's own). */
  env?: Record<string, string>;
  /** A command the broker is started through, e.g. ["prlimit", "--nofile=256:256", "--"]. */
  launcher?: string[];
}

export function commandFor(flavour: Flavour): [string, string[]] {
  switch (flavour) {
    case "deno":
      return [path.join(BIN, "deno"), ["run", "-A", "--unstable-net", path.join(ROOT, "src/runtime/deno/main.ts")]];
    case "bun":
      return [path.join(BIN, "bun"), [path.join(ROOT, "src/runtime/bun/main.ts")]];
    case "exe":
      return [EXECUTABLE, []];
  }
}

export function tempDir(prefix = "tsbroker-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startBroker(flavour: Flavour, options: BrokerOptions = {}): Promise<BrokerProcess> {
  const dataDir = options.dataDir ?? tempDir();
  const overrides: Record<string, string | number | boolean> = {
    listeners: "PLAINTEXT://127.0.0.1:0",
    "log.dirs": dataDir,
    "tsbroker.metrics.listener": "127.0.0.1:0",
    "num.network.threads": 2,
    "num.io.threads": 2,
    ...options.overrides,
  };
  const args: string[] = [];
  if (options.configText !== undefined) {
    const file = path.join(dataDir, "..", `${path.basename(dataDir)}.toml`);
    fs.writeFileSync(file, options.configText);
    args.push("--config", file);
  }
  for (const [key, value] of Object.entries(overrides)) args.push("--override", `${key}=${value}`);
  const [broker, brokerArgs] = commandFor(flavour);
  const [command, base] = options.launcher
    ? [options.launcher[0], [...options.launcher.slice(1), broker, ...brokerArgs]]
    : [broker, brokerArgs];
  // Deno.Command rather than node:child_process: Deno's child_process reports
  // a child that handled SIGTERM and exited 0 as killed by the signal.
  const child = new Deno.Command(command, {
    args: [...base, ...args],
    cwd: ROOT,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const exited = child.status.then((s) => {
    // A death by signal reads as null; say which, for the failing test's message.
    if (s.signal) output.push(`[harness] ${flavour} broker ended by ${s.signal}`);
    return s.signal ? null : s.code;
  });

  const started = new Promise<{ port: number; metricsPort: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${flavour} broker did not start in time:\n${output.join("\n")}`)),
      options.startTimeoutMs ?? 30_000,
    );
    const onLine = (line: string) => {
      output.push(line);
      if (options.echo) console.log(`[${flavour}] ${line}`);
      const m = /tsbroker \S+ started .* listeners=[A-Z_]+:\/\/[^:]*:(\d+)\S* .*metrics=http:\/\/[^:]+:(\d+)/.exec(
        line,
      );
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), metricsPort: Number(m[2]) });
      }
    };
    lines(child.stdout, onLine);
    lines(child.stderr, onLine);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${flavour} broker exited with ${code} before starting:\n${output.join("\n")}`));
    });
  });
  const { port, metricsPort } = await started;
  let finished = false;
  exited.then(() => (finished = true));
  return {
    flavour,
    host: "127.0.0.1",
    port,
    bootstrap: `127.0.0.1:${port}`,
    metricsPort,
    dataDir,
    output,
    pid: child.pid,
    get running() {
      return !finished;
    },
    async stop(signal: Deno.Signal = "SIGTERM") {
      if (!finished) child.kill(signal);
      const timer = setTimeout(() => {
        if (!finished) child.kill("SIGKILL");
      }, 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Call onLine for each line of a byte stream. */
async function lines(stream: ReadableStream<Uint8Array<ArrayBuffer>>, onLine: (line: string) => void): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let at;
    while ((at = rest.indexOf("\n")) >= 0) {
      onLine(rest.slice(0, at));
      rest = rest.slice(at + 1);
    }
  }
  if (rest) onLine(rest);
}

/** Run a command to completion; resolves to its exit code and output. */
export function runCommand(
  command: string,
  args: string[],
  options: { timeoutMs?: number; input?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on("error", reject);
    // "close", not "exit": exit can come before the last of stdout has been
    // read, and a program's final line (its JSON result) was lost that way.
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** GET a path from the broker's metrics server. */
export async function httpGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return { status: response.status, body: await response.text() };
}

/** The value of a Prometheus metric from the broker's /metrics, summed over its label sets. */
export async function metric(broker: BrokerProcess, name: string): Promise<number> {
  const { body } = await httpGet(broker.metricsPort, "/metrics");
  let total = 0;
  for (const line of body.split("\n")) {
    if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
}
