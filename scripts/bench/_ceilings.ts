/**
 * The ceilings of the benchmark (scripts/bench/bench.ts): what loopback TCP
 * into a sink written with each runtime's listener API carries, and what the
 * disk takes in appends at W2's batch size with and without fdatasync.
 */
import * as path from "node:path";
import { ROOT } from "../../tests/integration/_broker.ts";
import { BROKER_CPU, BUN, DENO, KiB, MiB } from "./_plan.ts";
import { capture, type Server, startServer } from "./_procs.ts";
import type { Bench } from "./_runner.ts";

export async function tcp(b: Bench, runtime: "deno" | "bun"): Promise<void> {
  const system = `tcp-${runtime}`;
  let server: Server | undefined;
  try {
    server = await startServer({
      name: system,
      command: runtime === "deno" ? DENO : BUN,
      args: runtime === "deno"
        ? ["run", "-A", path.join(ROOT, "scripts/bench/tcp_sink_deno.ts")]
        : [path.join(ROOT, "scripts/bench/tcp_sink_bun.ts")],
      cpu: BROKER_CPU,
      readyPattern: /^listening (\d+)/,
    });
    await b.load(
      "CEIL",
      system,
      "ceiling",
      [
        "tcp",
        "-b",
        `127.0.0.1:${server.ready}`,
        "--write",
        String(MiB),
        "--warmup",
        String(Math.min(1, b.plan.warmup)),
        "--duration",
        String(b.plan.duration),
        "--repeats",
        String(b.plan.repeats),
      ],
      server.pid,
      `loopback sink (${runtime === "deno" ? "Deno.listen" : "Bun.listen"}), 1 MiB writes`,
    );
  } catch (e) {
    b.fail("CEIL", system, "ceiling", e);
  } finally {
    await server?.stop();
  }
}

/** Appends at W2's produce batch size, with and without fdatasync after each write (writer on the broker's CPU). */
export async function disk(b: Bench): Promise<void> {
  const batches = b.rows.filter((r) => r.workload === "W2" && r.kind === "tsbroker" && r.median?.batchBytes)
    .map((r) => r.median!.batchBytes!);
  const size = batches.length ? Math.max(4096, Math.round(batches[0])) : 64 * KiB;
  const label = `${(size / KiB).toFixed(0)} KiB writes${batches.length ? " (W2's batch)" : " (W2 did not run)"}`;
  // Start from a clean page cache: the brokers before left GBs of dirty pages, whose writeback
  // would otherwise throttle the appends without fdatasync down to the disk's speed.
  await capture("sync", []);
  for (const sync of [false, true]) {
    const system = sync ? "disk-fdatasync" : "disk-append";
    await b.load(
      "CEIL",
      system,
      "ceiling",
      [
        "disk",
        "--file",
        path.join(b.work, "disk-ceiling.bin"),
        "--write",
        String(size),
        "--duration",
        String(Math.min(b.plan.duration, 5)),
        "--repeats",
        String(b.plan.repeats),
        "--max-bytes",
        String(1024 * MiB),
        ...(sync ? ["--sync"] : []),
      ],
      undefined,
      sync ? label : `${label}, ≤ 1 GiB per window (page cache)`,
      BROKER_CPU,
    );
  }
}
