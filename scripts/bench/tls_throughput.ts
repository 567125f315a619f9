/**
 * Produce throughput over TLS against plaintext, on one broker process with a
 * PLAINTEXT and an SSL listener (the broker pinned to CPU 0, kcat to CPU 1):
 * kcat (librdkafka) produces 200,000 × 1 KiB records (W1's record size, 8
 * partitions, acks=1) to each listener in turn, five times, and the medians
 * and their ratio are printed. kcat (rather than the bench's load
 * generator, which runs TLS-W1 in `deno task bench`) keeps this script free
 * of the C build; its own TLS work runs on the other core. Each run
 * also gives the broker's CPU seconds per GB (all its threads), which shows
 * the broker's side when kcat is the limit. Numbers only: nothing is
 * asserted.
 *
 *   deno run -A scripts/bench/tls_throughput.ts [--bun] [--repeats N]
 * Needs kcat, openssl and taskset.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commandFor, type Flavour, ROOT } from "../../tests/integration/_broker.ts";
import { makeTestCerts } from "../../tests/network/tls/_certs.ts";
import { procCpuSeconds } from "./_procs.ts";

const flavour: Flavour = Deno.args.includes("--bun") ? "bun" : "deno";
const repeatsAt = Deno.args.indexOf("--repeats");
const repeats = repeatsAt >= 0 ? Number(Deno.args[repeatsAt + 1]) : 5;
const RECORDS = 200_000;
const SIZE = 1024;

const certs = makeTestCerts();
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tsbroker-tls-bench-"));
const [command, base] = commandFor(flavour);
const overrides = [
  "listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0",
  `log.dirs=${path.join(work, "data")}`,
  "tsbroker.metrics.listener=127.0.0.1:0",
  "num.partitions=8",
  `ssl.keystore.location=${certs.serverStore}`,
];
const child = new Deno.Command("taskset", {
  args: ["-c", "0", command, ...base, ...overrides.flatMap((o) => ["--override", o])],
  cwd: ROOT,
  stdin: "null",
  stdout: "piped",
  stderr: "piped",
}).spawn();
const [plainPort, sslPort] = await new Promise<[number, number]>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("the broker did not start in 60 s")), 60_000);
  (async () => {
    let seen = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      seen += chunk;
      const m = /listeners=PLAINTEXT:\/\/[^:]*:(\d+),SSL:\/\/[^:]*:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve([Number(m[1]), Number(m[2])]);
      }
    }
  })();
  (async () => {
    for await (const _ of child.stderr) { /* drained */ }
  })();
});

interface Run {
  mbPerSec: number;
  cpuSecondsPerGb: number;
}

/** Produces the records file to `topic` through kcat on CPU 1: MB/s, and the broker's CPU per GB. */
async function produce(port: number, topic: string, extra: string[]): Promise<Run> {
  const started = performance.now();
  const cpuBefore = procCpuSeconds(child.pid);
  const { code, stderr } = await new Deno.Command("taskset", {
    args: ["-c", "1", "kcat", "-P", "-b", `127.0.0.1:${port}`, "-t", topic, "-l", file, ...extra],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`kcat failed: ${new TextDecoder().decode(stderr)}`);
  const gb = (RECORDS * SIZE) / 1e9;
  return {
    mbPerSec: gb * 1e3 / ((performance.now() - started) / 1000),
    cpuSecondsPerGb: (procCpuSeconds(child.pid) - cpuBefore) / gb,
  };
}

const file = path.join(work, "records.txt");
const filler = "x".repeat(SIZE - 8);
fs.writeFileSync(file, Array.from({ length: RECORDS }, (_, i) => `${String(i).padStart(8, "0")}${filler}`).join("\n"));
const common = ["-X", "sticky.partitioning.linger.ms=0", "-X", "acks=1"];
const tls = [...common, "-X", "security.protocol=SSL", "-X", `ssl.ca.location=${certs.caPem}`];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  // One unreported pass on each listener warms up the JIT.
  await produce(plainPort, "warmup-plain", common);
  await produce(sslPort, "warmup-tls", tls);
  const plain: Run[] = [], secure: Run[] = [];
  const show = (r: Run) => `${r.mbPerSec.toFixed(1)} MB/s (${r.cpuSecondsPerGb.toFixed(2)} CPU s/GB)`;
  for (let i = 0; i < repeats; i++) {
    plain.push(await produce(plainPort, `plain-${i}`, common));
    secure.push(await produce(sslPort, `tls-${i}`, tls));
    console.log(`run ${i + 1}: PLAINTEXT ${show(plain[i])}, SSL ${show(secure[i])}`);
  }
  const mid = (runs: Run[]): Run => ({
    mbPerSec: median(runs.map((r) => r.mbPerSec)),
    cpuSecondsPerGb: median(runs.map((r) => r.cpuSecondsPerGb)),
  });
  const [p, s] = [mid(plain), mid(secure)];
  console.log(
    `${flavour}: median PLAINTEXT ${show(p)}, SSL ${show(s)}, TLS at ${(s.mbPerSec / p.mbPerSec * 100).toFixed(0)}%`,
  );
} finally {
  child.kill("SIGTERM");
  await child.status;
  fs.rmSync(work, { recursive: true, force: true });
  certs.remove();
}
