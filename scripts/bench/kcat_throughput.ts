/**
 * Produce and consume throughput measured with kcat (librdkafka) against a
 * real broker process, the broker pinned to CPU 0 and kcat to CPU 1 so that
 * neither steals the other's core. For each record shape (default 1,000,000
 * × 100 B and 200,000 × 1 KiB) and acks=1 / acks=all, it produces the records
 * from a file (kcat -P -l, sticky.partitioning.linger.ms=0 to spread them
 * over the partitions), then reads them all back (kcat -C -e), and prints
 * MB/s and records/s of each. Numbers only: nothing is asserted.
 *
 *   deno run -A scripts/bench/kcat_throughput.ts [--bun] [--records N --size S] [--partitions P]
 *       [--override key=value]...
 * --bun runs the broker under Bun instead of Deno. Needs kcat and taskset.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commandFor, type Flavour, ROOT } from "../../tests/integration/_broker.ts";

interface Options {
  flavour: Flavour;
  shapes: Array<[number, number]>;
  partitions: number;
  overrides: string[];
}

function parseArgs(args: string[]): Options {
  const options: Options = {
    flavour: "deno",
    shapes: [[1_000_000, 100], [200_000, 1024]],
    partitions: 8,
    overrides: [],
  };
  let records: number | undefined;
  let size: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--bun") options.flavour = "bun";
    else if (arg === "--records") records = Number(args[++i]);
    else if (arg === "--size") size = Number(args[++i]);
    else if (arg === "--partitions") options.partitions = Number(args[++i]);
    else if (arg === "--override") options.overrides.push(args[++i]);
    else throw new Error(`unknown argument ${arg}`);
  }
  if (records !== undefined || size !== undefined) options.shapes = [[records ?? 1_000_000, size ?? 100]];
  return options;
}

/** Starts the broker under `taskset -c 0`; resolves to its port and a stop function once it is listening. */
async function startPinnedBroker(options: Options, dataDir: string) {
  const [command, base] = commandFor(options.flavour);
  const overrides = [
    "listeners=PLAINTEXT://127.0.0.1:0",
    `log.dirs=${dataDir}`,
    "tsbroker.metrics.listener=127.0.0.1:0",
    `num.partitions=${options.partitions}`,
    ...options.overrides,
  ];
  const child = new Deno.Command("taskset", {
    args: ["-c", "0", command, ...base, ...overrides.flatMap((o) => ["--override", o])],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`broker did not start:\n${output.join("\n")}`)), 30_000);
    const watch = async (stream: ReadableStream<Uint8Array<ArrayBuffer>>) => {
      let rest = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        let at;
        while ((at = rest.indexOf("\n")) >= 0) {
          const line = rest.slice(0, at);
          rest = rest.slice(at + 1);
          output.push(line);
          const m = /tsbroker \S+ started .* listeners=[A-Z_]+:\/\/[^:]*:(\d+)/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        }
      }
    };
    watch(child.stdout);
    watch(child.stderr);
    child.status.then((s) => reject(new Error(`broker exited (${s.code}):\n${output.join("\n")}`)));
  });
  return {
    port,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/** Runs kcat pinned to CPU 1; resolves to the wall time in seconds. */
async function kcat(args: string[]): Promise<number> {
  const started = performance.now();
  const { code, stderr } = await new Deno.Command("taskset", {
    args: ["-c", "1", "kcat", ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`kcat ${args.join(" ")} failed: ${new TextDecoder().decode(stderr)}`);
  return seconds;
}

function report(label: string, records: number, size: number, seconds: number): void {
  const mb = (records * size) / 1e6;
  console.log(
    `${label.padEnd(40)} ${(mb / seconds).toFixed(1).padStart(8)} MB/s ${
      Math.round(records / seconds).toLocaleString("en-US").padStart(12)
    } records/s  (${seconds.toFixed(2)} s)`,
  );
}

const options = parseArgs(Deno.args);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-bench-"));
const broker = await startPinnedBroker(options, path.join(work, "data"));
const bootstrap = `127.0.0.1:${broker.port}`;
console.log(`broker under ${options.flavour} on CPU 0, kcat on CPU 1, ${options.partitions} partitions`);
try {
  for (const [records, size] of options.shapes) {
    const file = path.join(work, `records-${records}x${size}.txt`);
    const line = "x".repeat(size - 8);
    fs.writeFileSync(
      file,
      Array.from({ length: records }, (_, i) => `${String(i).padStart(8, "0")}${line}`).join("\n") + "\n",
    );
    // One unreported pass on a topic of its own warms up the JIT; otherwise whichever run
    // comes first looks slower.
    await kcat(["-P", "-b", bootstrap, "-t", `warmup-${size}`, "-l", file, "-X", "sticky.partitioning.linger.ms=0"]);
    await kcat(["-C", "-b", bootstrap, "-t", `warmup-${size}`, "-o", "beginning", "-e", "-q", "-c", String(records)]);
    for (const acks of ["1", "all"]) {
      const topic = `bench-${records}x${size}-acks-${acks}`;
      const produce = await kcat([
        "-P",
        "-b",
        bootstrap,
        "-t",
        topic,
        "-l",
        file,
        "-X",
        "sticky.partitioning.linger.ms=0",
        "-X",
        `acks=${acks}`,
      ]);
      report(`produce ${records} × ${size} B, acks=${acks}`, records, size, produce);
      const consume = await kcat([
        "-C",
        "-b",
        bootstrap,
        "-t",
        topic,
        "-o",
        "beginning",
        "-e",
        "-q",
        "-c",
        String(records),
      ]);
      report(`consume ${records} × ${size} B`, records, size, consume);
    }
    fs.rmSync(file);
  }
} finally {
  await broker.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
