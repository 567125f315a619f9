/**
 * Producer throughput of our client library (src/client/producer.ts), measured the way kcat's is: the producer
 * runs as its own process pinned to one CPU, sends N keyless values of S bytes (the bytes `kcat -P -l` reads
 * from a file: an 8-digit counter padded with "x", built here in one buffer, each record a view into it, as an
 * application has its data in memory) into a topic of P partitions, flushes, and exits.
 *
 * `measureClientProducer` is the module entry (the bench harness's CLIENT-W1): it returns the rate over the
 * sending (first send() to flush done, so process start-up and building the records are left out), the
 * producer process's wall time, and its CPU seconds (user + system, all threads, from /usr/bin/time).
 *
 * The CLI starts a Deno broker pinned to CPU 0, then alternates kcat (librdkafka, acks=all) and the client
 * on CPU 1, each into a fresh topic after one warm-up each, and prints MB/s over the process's wall time for
 * both (kcat's start-up and file reading included, the client's start-up and buffer building included), the
 * client's sending-only rate, and CPU seconds per GB of producer and broker. Numbers only: nothing asserted.
 *
 *   deno run -A scripts/bench/client_producer.ts [--records 200000] [--size 1024] [--partitions 8] [--runs 3]
 *       [--java-defaults] [--send] [--profile DIR] [--broker-root DIR]
 * --java-defaults runs the client with Java's batching (16 KiB batches) instead of librdkafka's (1 MB);
 * --send also runs the client through send() (a promise per record) besides produce();
 * --profile writes a V8 CPU profile of each client run into DIR (deno --cpu-prof); --broker-root runs the
 * broker from another checkout (say `git archive HEAD` unpacked, while the working tree's broker is mid-edit).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { Admin } from "../../src/client/admin.ts";
import { Producer, type ProducerOptions } from "../../src/client/producer.ts";
import { commandFor, ROOT } from "../../tests/integration/_broker.ts";

/** What `measureClientProducer` runs. */
export interface ClientProducerRun {
  /** "host:port" of the broker. */
  bootstrap: string;
  /** Created with `partitions` partitions when it does not exist. */
  topic: string;
  /** How many records to send. */
  records: number;
  /** Bytes per record value. */
  size: number;
  /** The topic's partition count. */
  partitions: number;
  /** The CPU the producer process is pinned to (taskset -c). */
  cpu: number;
  /** Producer settings on top of the batching librdkafka uses by default (batch.size 1 MB, linger.ms 5). */
  options?: Partial<ProducerOptions>;
  /** produce() without a promise per record (the default), or send() with one. */
  api?: "produce" | "send";
  /** Writes a V8 CPU profile of the producer process into this directory. */
  profileDir?: string;
}

/** What one producer process measured. */
export interface ClientProducerResult {
  /** MB (10^6 bytes of values) per second from the first send() until flush() returned. */
  mbPerSec: number;
  /** CPU seconds of the producer process (user + system), start-up included. */
  cpuSec: number;
  /** Seconds the sending took (as for mbPerSec). */
  sendSec: number;
  /** Wall seconds of the whole producer process (start-up and building the records included). */
  wallSec: number;
}

/**
 * librdkafka's defaults for a keyless produce: batch.size 1,000,000 bytes, linger.ms 5, and a request of at
 * most message.max.bytes (1,000,000); idempotence and acks=all as kcat with -X acks=all and our defaults.
 */
export const LIBRDKAFKA_BATCHING: Partial<ProducerOptions> = {
  batchSize: 1_000_000,
  lingerMs: 5,
  maxRequestSize: 1_000_000,
};

const THIS_FILE = path.join(ROOT, "scripts", "bench", "client_producer.ts");

/** Runs the producer as a child process pinned to `run.cpu` and returns what it measured. */
export async function measureClientProducer(run: ClientProducerRun): Promise<ClientProducerResult> {
  await ensureTopic(run.bootstrap, run.topic, run.partitions);
  const spec = JSON.stringify({
    bootstrap: run.bootstrap,
    topic: run.topic,
    records: run.records,
    size: run.size,
    api: run.api ?? "produce",
    options: { ...LIBRDKAFKA_BATCHING, ...run.options },
  });
  const profile = run.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${run.profileDir}`] : [];
  const started = performance.now();
  const { stdout, cpu } = await pinned(run.cpu, Deno.execPath(), ["run", "-A", ...profile, THIS_FILE, "--child", spec]);
  const wallSec = (performance.now() - started) / 1000;
  const sendSec = Number(JSON.parse(stdout.trim().split("\n").at(-1)!).sendSec);
  return { mbPerSec: (run.records * run.size) / 1e6 / sendSec, cpuSec: cpu, sendSec, wallSec };
}

/** Creates `topic` with `partitions` unless it exists. */
export async function ensureTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ bootstrapServers: [bootstrap] });
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics([{ name: topic, partitions, replicationFactor: 1 }]);
    }
  } finally {
    await admin.close();
  }
}

/** Runs `command` on `cpu` under /usr/bin/time: its stdout and the CPU seconds (user + system) it used. */
export async function pinned(cpu: number, command: string, args: string[]): Promise<{ stdout: string; cpu: number }> {
  const timeFile = path.join(os.tmpdir(), `client-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const { code, stdout, stderr } = await new Deno.Command("taskset", {
      args: ["-c", String(cpu), "/usr/bin/time", "-f", "%U %S", "-o", timeFile, command, ...args],
      stdin: "null",
    }).output();
    if (code !== 0) throw new Error(`${command} failed: ${new TextDecoder().decode(stderr)}`);
    const [user, system] = fs.readFileSync(timeFile, "utf8").trim().split(/\s+/).map(Number);
    return { stdout: new TextDecoder().decode(stdout), cpu: user + system };
  } finally {
    fs.rmSync(timeFile, { force: true });
  }
}

/** The lines kcat reads with -l: an 8-digit counter padded to `size` bytes with "x", each ending in "\n". */
export function recordLines(records: number, size: number): Uint8Array {
  const data = new Uint8Array(records * (size + 1)).fill(0x78); // "x"
  for (let i = 0; i < records; i++) {
    const at = i * (size + 1);
    for (let d = 7, n = i; d >= 0; d--, n = Math.floor(n / 10)) data[at + d] = 0x30 + (n % 10);
    data[at + size] = 10;
  }
  return data;
}

/**
 * The child: sends the records either as produce() calls (no promise per record; it waits only when
 * produce() says the buffer is full, and flush() reports any failure), or, with api "send", as an
 * application that wants each record's promise (at most WINDOW unanswered, so memory stays bounded). Prints
 * the seconds from the first record to flush() returning.
 */
async function child(spec: string): Promise<void> {
  const o = JSON.parse(spec) as {
    bootstrap: string;
    topic: string;
    records: number;
    size: number;
    api: "produce" | "send";
    options: object;
  };
  const data = recordLines(o.records, o.size);
  const producer = new Producer({ bootstrapServers: [o.bootstrap], ...o.options });
  const stride = o.size + 1;
  const value = (i: number) => data.subarray(i * stride, i * stride + o.size);
  const started = performance.now();
  if (o.api === "send") {
    const WINDOW = 20_000;
    const ring: Promise<unknown>[] = new Array(WINDOW);
    for (let i = 0; i < o.records; i++) {
      if (i >= WINDOW) await ring[i % WINDOW];
      ring[i % WINDOW] = producer.send({ topic: o.topic, value: value(i) });
    }
    await Promise.all(ring.filter((p) => p !== undefined));
  } else {
    for (let i = 0; i < o.records; i++) {
      const wait = producer.produce({ topic: o.topic, value: value(i) });
      if (wait) await wait;
    }
  }
  await producer.flush();
  const sendSec = (performance.now() - started) / 1000;
  await producer.close();
  console.log(JSON.stringify({ sendSec }));
}

/** A Deno broker pinned to CPU 0 with its data in `dir`, from the tree at `root`; resolves once it listens. */
async function startBroker(dir: string, root: string) {
  const [command] = commandFor("deno");
  const base = ["run", "-A", "--unstable-net", path.join(root, "src", "runtime", "deno", "main.ts")];
  const overrides = ["listeners=PLAINTEXT://127.0.0.1:0", `log.dirs=${dir}`, "tsbroker.metrics.listener=127.0.0.1:0"];
  const broker = new Deno.Command("taskset", {
    args: ["-c", "0", command, ...base, ...overrides.flatMap((o) => ["--override", o])],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  broker.stderr.pipeTo(new WritableStream());
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("broker did not start in 60 s")), 60_000);
    (async () => {
      for await (const chunk of broker.stdout.pipeThrough(new TextDecoderStream())) {
        const m = /listeners=[A-Z_]+:\/\/[^:]*:(\d+)/.exec(chunk);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      }
    })();
  });
  /** The broker's CPU seconds so far (user + system, all its threads), from /proc. */
  const cpu = () => {
    const stat = fs.readFileSync(`/proc/${broker.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const stop = async () => {
    broker.kill("SIGTERM");
    await broker.status;
  };
  return { bootstrap: `127.0.0.1:${port}`, cpu, stop };
}

async function cli(argv: string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: argv,
    options: {
      records: { type: "string", default: "200000" },
      size: { type: "string", default: "1024" },
      partitions: { type: "string", default: "8" },
      runs: { type: "string", default: "3" },
      "java-defaults": { type: "boolean", default: false },
      send: { type: "boolean", default: false },
      profile: { type: "string" },
      "broker-root": { type: "string" },
    },
  });
  const records = Number(a.records);
  const size = Number(a.size);
  const partitions = Number(a.partitions);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-client-bench-"));
  const broker = await startBroker(path.join(work, "data"), a["broker-root"] ?? ROOT);
  const file = path.join(work, "records.txt");
  fs.writeFileSync(file, recordLines(records, size));
  const admin = new Admin({ bootstrapServers: [broker.bootstrap] });
  let topicNo = 0;
  const topic = () => `bench-${topicNo++}`;
  const gb = (records * size) / 1e9;
  const options = a["java-defaults"] ? { batchSize: 16384, lingerMs: 5, maxRequestSize: 1024 * 1024 } : {};
  const sides: Record<string, () => Promise<{ wallSec: number; cpuSec: number; note: string }>> = {
    "kcat (librdkafka defaults, acks=all)": async () => {
      const t = topic();
      await admin.createTopics([{ name: t, partitions, replicationFactor: 1 }]);
      const started = performance.now();
      const args = ["-P", "-b", broker.bootstrap, "-t", t, "-l", file, "-X", "sticky.partitioning.linger.ms=0"];
      const { cpu } = await pinned(1, "kcat", [...args, "-X", "acks=all"]);
      return { wallSec: (performance.now() - started) / 1000, cpuSec: cpu, note: "" };
    },
  };
  const client = (api: "produce" | "send") => async () => {
    const r = await measureClientProducer({
      bootstrap: broker.bootstrap,
      topic: topic(),
      records,
      size,
      partitions,
      cpu: 1,
      options,
      api,
      profileDir: a.profile,
    });
    return { ...r, note: `; sending ${r.mbPerSec.toFixed(1)} MB/s` };
  };
  const batches = a["java-defaults"] ? "Java's 16 KiB" : "librdkafka's 1 MB";
  sides[`client produce() (${batches} batches)`] = client("produce");
  if (a.send) sides[`client send(), a promise each (${batches} batches)`] = client("send");
  console.log(`${records} × ${size} B, ${partitions} partitions; broker (Deno) on CPU 0, producer on CPU 1`);
  try {
    for (const f of Object.values(sides)) await f(); // warm-up
    for (let r = 0; r < Number(a.runs); r++) {
      for (const [label, f] of Object.entries(sides)) {
        const before = broker.cpu();
        const { wallSec, cpuSec, note } = await f();
        const brokerSec = broker.cpu() - before;
        const mbs = (gb * 1000 / wallSec).toFixed(1).padStart(6);
        console.log(
          `${label.padEnd(50)} ${mbs} MB/s (${wallSec.toFixed(2)} s${note}); CPU s/GB: producer ${
            (cpuSec / gb).toFixed(1)
          }, broker ${(brokerSec / gb).toFixed(1)}`,
        );
      }
    }
  } finally {
    await admin.close();
    await broker.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--child");
  if (at >= 0) await child(Deno.args[at + 1]);
  else await cli(Deno.args);
}
