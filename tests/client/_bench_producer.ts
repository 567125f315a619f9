/**
 * Producer throughput of the client library against kcat's (librdkafka), both against the same tsbroker
 * process: the broker pinned to CPU 0, the producer (kcat, or this script in a child process) to CPU 1, as
 * scripts/bench/kcat_throughput.ts does. The same records each time (N keyless values of S bytes, like
 * `kcat -P -l` lines: kcat reads them from a file, the client builds the same bytes in memory) into a fresh
 * topic of P partitions; each side runs once to warm up, then the runs alternate. Wall time and CPU seconds of
 * the whole producer process are reported, and the broker's CPU seconds. Numbers only: nothing is asserted.
 *
 *   deno run -A tests/client/_bench_producer.ts [--records 200000] [--size 1024] [--partitions 8] [--runs 2]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { Admin } from "../../src/client/admin.ts";
import { Producer, type ProducerOptions } from "../../src/client/producer.ts";
import { commandFor, ROOT } from "../integration/_broker.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    records: { type: "string", default: "200000" },
    size: { type: "string", default: "1024" },
    partitions: { type: "string", default: "8" },
    runs: { type: "string", default: "2" },
    child: { type: "string" }, // internal: "bootstrap topic mode"
  },
});
const records = Number(args.records);
const size = Number(args.size);

/**
 * The child: produce the same lines kcat reads from its file, built here in one buffer (an application has its
 * data in memory; reading a 200 MB file through Deno costs more CPU than kcat's reading does), each record a
 * view into it, and print the seconds the sending took.
 */
async function child(bootstrap: string, topic: string, mode: string): Promise<void> {
  const settings: Record<string, Partial<ProducerOptions>> = {
    "java-defaults": {},
    "librdkafka-batching": { batchSize: 1_000_000, lingerMs: 5 },
  };
  const data = new Uint8Array(records * (size + 1)).fill(0x78); // "x"
  const digits = new TextEncoder();
  for (let i = 0; i < records; i++) {
    digits.encodeInto(String(i).padStart(8, "0"), data.subarray(i * (size + 1)));
    data[i * (size + 1) + size] = 10;
  }
  const producer = new Producer({ bootstrapServers: [bootstrap], ...settings[mode] });
  // Bounded memory: at most WINDOW unanswered records, in a ring (Array.shift would copy the whole window).
  const WINDOW = 20_000;
  const ring: Promise<unknown>[] = new Array(WINDOW);
  const started = performance.now();
  // Lines are all `size` bytes: each record is a view at a fixed stride (kcat finds the newlines with memchr).
  const count = Math.floor(data.length / (size + 1));
  for (let i = 0; i < count; i++) {
    if (i >= WINDOW) await ring[i % WINDOW];
    const start = i * (size + 1);
    ring[i % WINDOW] = producer.send({ topic, value: data.subarray(start, start + size) });
  }
  await Promise.all(ring.filter((p) => p !== undefined));
  await producer.flush();
  const seconds = (performance.now() - started) / 1000;
  await producer.close();
  console.log(seconds);
}

/** Runs `command` on CPU 1 under /usr/bin/time: its stdout and the CPU seconds (user + system) it used. */
async function run(command: string, commandArgs: string[]): Promise<{ stdout: string; cpu: number }> {
  const timeFile = path.join(os.tmpdir(), `client-bench-time-${process.pid}`);
  const { code, stdout, stderr } = await new Deno.Command("taskset", {
    args: ["-c", "1", "/usr/bin/time", "-f", "%U %S", "-o", timeFile, command, ...commandArgs],
    stdin: "null",
  }).output();
  if (code !== 0) throw new Error(`${command} failed: ${new TextDecoder().decode(stderr)}`);
  const [user, system] = fs.readFileSync(timeFile, "utf8").trim().split(/\s+/).map(Number);
  fs.rmSync(timeFile);
  return { stdout: new TextDecoder().decode(stdout), cpu: user + system };
}

async function parent(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-client-bench-"));
  const [command, base] = commandFor("deno");
  const broker = new Deno.Command("taskset", {
    args: [
      "-c",
      "0",
      command,
      ...base,
      ...[
        "listeners=PLAINTEXT://127.0.0.1:0",
        `log.dirs=${path.join(work, "data")}`,
        "tsbroker.metrics.listener=127.0.0.1:0",
      ].flatMap((o) => ["--override", o]),
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const port = await new Promise<number>((resolve) => {
    (async () => {
      for await (const chunk of broker.stdout.pipeThrough(new TextDecoderStream())) {
        const m = /listeners=[A-Z_]+:\/\/[^:]*:(\d+)/.exec(chunk);
        if (m) resolve(Number(m[1]));
      }
    })();
    broker.stderr.pipeTo(new WritableStream());
  });
  const bootstrap = `127.0.0.1:${port}`;
  /** The broker's CPU seconds so far (user + system, all its threads), from /proc. */
  const brokerCpu = () => {
    const fields = fs.readFileSync(`/proc/${broker.pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const file = path.join(work, "records.txt");
  const line = "x".repeat(size - 8);
  fs.writeFileSync(
    file,
    Array.from({ length: records }, (_, i) => `${String(i).padStart(8, "0")}${line}`).join("\n") + "\n",
  );
  const admin = new Admin({ bootstrapServers: [bootstrap] });
  let topicNo = 0;
  const topic = async () => {
    const name = `bench-${topicNo++}`;
    await admin.createTopics([{ name, partitions: Number(args.partitions), replicationFactor: 1 }]);
    return name;
  };
  const client = async (mode: string) => {
    const args = ["run", "-A", import.meta.filename!, "--records", String(records), "--size", String(size)];
    const t = await topic();
    const started = performance.now();
    const r = await run(Deno.execPath(), [...args, "--child", `${bootstrap} ${t} ${mode}`]);
    // Wall time of the whole process, as for kcat (start-up and reading the file included).
    return { seconds: (performance.now() - started) / 1000, cpu: r.cpu };
  };
  const sides: Record<string, () => Promise<{ seconds: number; cpu: number }>> = {
    "kcat (acks=all, librdkafka defaults)": async () => {
      const t = await topic();
      const started = performance.now();
      const kcatArgs = ["-P", "-b", bootstrap, "-t", t, "-l", file, "-X", "sticky.partitioning.linger.ms=0"];
      const { cpu } = await run("kcat", [...kcatArgs, "-X", "acks=all"]);
      return { seconds: (performance.now() - started) / 1000, cpu };
    },
    "client (Java defaults: idempotent, 16 KiB batches)": () => client("java-defaults"),
    "client (idempotent, batch.size 1 MB as librdkafka)": () => client("librdkafka-batching"),
  };
  console.log(`${records} × ${size} B, ${args.partitions} partitions; broker (Deno) on CPU 0, producer on CPU 1`);
  try {
    for (const f of Object.values(sides)) await f(); // warm-up
    for (let r = 0; r < Number(args.runs); r++) {
      for (const [label, f] of Object.entries(sides)) {
        const before = brokerCpu();
        const { seconds, cpu } = await f();
        const broker = brokerCpu() - before;
        const mbs = ((records * size) / 1e6 / seconds).toFixed(1).padStart(7);
        console.log(
          `${label.padEnd(52)} ${mbs} MB/s  (${seconds.toFixed(2)} s; CPU: producer ${cpu.toFixed(2)} s, broker ${
            broker.toFixed(2)
          } s)`,
        );
      }
    }
  } finally {
    await admin.close();
    broker.kill("SIGTERM");
    await broker.status;
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (args.child) {
  const [bootstrap, topic, mode] = args.child.split(" ");
  await child(bootstrap, topic, mode);
} else {
  await parent();
}
