/**
 * Process plumbing for the benchmark harness (scripts/bench/bench.ts): start
 * servers pinned to a CPU and wait for their ready line, run the load
 * generator on the other CPU while sampling the server's CPU time and peak
 * memory at the load generator's "# measure" / "# done" markers, and read
 * /proc.
 */
import * as fs from "node:fs";
import { ROOT } from "../../tests/integration/_broker.ts";

/** Every child this harness started, so that an interrupted run leaves nothing behind. */
const children = new Set<Deno.ChildProcess>();

export function killAll(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }
  children.clear();
}

const CLK_TCK = 100; // USER_HZ on Linux

/** utime + stime of the whole process (all threads, Workers included), in seconds. */
export function procCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 and 15 of proc(5)
  } catch {
    return NaN;
  }
}

/** A /proc/<pid>/status memory figure (VmRSS, VmHWM) in MB. */
export function procMemMB(pid: number, key: "VmRSS" | "VmHWM"): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * KiB of freed memory this VM's kernel has handed back to its host so far (virtio-balloon free page
 * reporting), or null where the kernel does not report. A page handed back costs a host fault when the
 * guest next uses it, and the page cache grows into such pages: see docs/benchmarks.md, "Caveats".
 */
export function hostReportedKiB(file = "/sys/module/page_reporting/parameters/reported_kib"): number | null {
  try {
    const kib = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isFinite(kib) ? kib : null;
  } catch {
    return null;
  }
}

/** Resets the process's peak RSS (VmHWM) to its current RSS (proc(5): clear_refs "5"). */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

export function loadAverage(): [number, number, number] {
  const [a, b, c] = fs.readFileSync("/proc/loadavg", "utf8").split(" ").map(Number);
  return [a, b, c];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Call onLine for each line of a byte stream. */
export async function readLines(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  onLine: (line: string) => void,
): Promise<void> {
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

export interface Server {
  readonly name: string;
  readonly pid: number;
  readonly output: string[];
  /** The first capture group of the ready pattern (a port or an address). */
  readonly ready: string;
  readonly running: boolean;
  stop(): Promise<void>;
}

export interface ServerSpec {
  name: string;
  command: string;
  args: string[];
  /** A taskset CPU list: one CPU (0) or several ("0,1"). */
  cpu: number | string;
  /** Matched against every output line; its first group becomes `ready`. */
  readyPattern: RegExp;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Keep stdin open (the process exits when it closes). */
  stdinPipe?: boolean;
}

/** Starts a process under `taskset -c <cpu>` and waits for its ready line. */
export async function startServer(spec: ServerSpec): Promise<Server> {
  const child = new Deno.Command("taskset", {
    args: ["-c", String(spec.cpu), spec.command, ...spec.args],
    cwd: ROOT,
    env: spec.env,
    stdin: spec.stdinPipe ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  children.add(child);
  const output: string[] = [];
  let finished = false;
  const status = child.status.then((s) => {
    finished = true;
    children.delete(child);
    return s;
  });
  const ready = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${spec.name} did not start in time:\n${output.slice(-20).join("\n")}`)),
      spec.timeoutMs ?? 60_000,
    );
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 2000) output.splice(0, 1000);
      const m = spec.readyPattern.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? "");
      }
    };
    readLines(child.stdout, onLine);
    readLines(child.stderr, onLine);
    status.then((s) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} exited (${s.code}) before it was ready:\n${output.slice(-20).join("\n")}`));
    });
  });
  const writer = spec.stdinPipe ? child.stdin.getWriter() : undefined;
  return {
    name: spec.name,
    pid: child.pid,
    output,
    ready,
    get running() {
      return !finished;
    },
    async stop() {
      if (finished) return;
      if (writer) {
        try {
          await writer.close();
        } catch { /* already closed */ }
      } else {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 20_000);
      await status;
      clearTimeout(timer);
    },
  };
}

/** One measured window of the load generator, plus what the harness sampled of the server meanwhile. */
export interface Window {
  /** The load generator's JSON line. */
  result: Record<string, unknown>;
  serverCpuSeconds: number;
  serverPeakRssMB: number;
  wallSeconds: number;
}

export interface LoadResult {
  windows: Window[];
  stderr: string;
  code: number;
}

/**
 * Runs the load generator pinned to `cpu`, sampling `serverPid` (when given)
 * at each "# measure" and "# done" marker. `onLine` sees every other stdout
 * line (e.g. "# ready N" of the idle mode).
 */
export async function runLoad(
  command: string,
  args: string[],
  options: { cpu: number | string; serverPid?: number; onLine?: (line: string) => void; stdinPipe?: boolean } = {
    cpu: 1,
  },
): Promise<LoadResult & { child?: Deno.ChildProcess; finish?: () => Promise<LoadResult> }> {
  const child = new Deno.Command("taskset", {
    args: ["-c", String(options.cpu), command, ...args],
    cwd: ROOT,
    stdin: options.stdinPipe ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  children.add(child);
  const pid = options.serverPid;
  const windows: Window[] = [];
  const marks: Array<{ cpu: number; t: number }> = [];
  const closed: Array<{ cpu: number; rss: number; wall: number }> = [];
  const results: Array<Record<string, unknown>> = [];
  let stderr = "";
  const out = readLines(child.stdout, (line) => {
    if (line === "# measure") {
      if (pid !== undefined) resetPeakRss(pid);
      marks.push({ cpu: pid !== undefined ? procCpuSeconds(pid) : NaN, t: performance.now() });
    } else if (line === "# done") {
      const start = marks[closed.length];
      const cpu = pid !== undefined ? procCpuSeconds(pid) : NaN;
      closed.push({
        cpu: start ? cpu - start.cpu : NaN,
        rss: pid !== undefined ? procMemMB(pid, "VmHWM") : NaN,
        wall: start ? (performance.now() - start.t) / 1000 : NaN,
      });
    } else if (line.startsWith("{")) {
      try {
        results.push(JSON.parse(line));
      } catch { /* not ours */ }
    } else options.onLine?.(line);
  });
  const err = readLines(child.stderr, (line) => {
    if (stderr.length < 20_000) stderr += line + "\n";
  });
  let finished: Promise<LoadResult> | undefined;
  const finish = (): Promise<LoadResult> => (finished ??= collect());
  const collect = async (): Promise<LoadResult> => {
    const status = await child.status;
    children.delete(child);
    await out;
    await err;
    results.forEach((result, i) => {
      const sample = closed[i];
      windows.push({
        result,
        serverCpuSeconds: sample?.cpu ?? NaN,
        serverPeakRssMB: sample?.rss ?? NaN,
        wallSeconds: sample?.wall ?? NaN,
      });
    });
    return { windows, stderr, code: status.code };
  };
  if (options.stdinPipe) return { windows, stderr, code: 0, child, finish };
  return await finish();
}

/** Runs a command to completion, returning its stdout (throws on failure). */
export async function capture(command: string, args: string[], cwd = ROOT): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(command, { args, cwd, stdin: "null" }).output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${code}): ${new TextDecoder().decode(stderr)}`);
  return text;
}

/** Finds an executable on PATH or in the sbin directories (Debian puts nats-server in /usr/sbin). */
export function which(name: string): string | undefined {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/local/sbin", "/usr/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = `${dir}/${name}`;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch { /* next */ }
  }
  return undefined;
}
