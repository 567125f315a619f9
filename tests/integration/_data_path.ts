/**
 * Helpers shared by the real-client data-path tests (data_path_*_test.ts):
 * topic administration through confluent-kafka-python's AdminClient, reading
 * a topic back with kcat, and polling for something the broker does in the
 * background (retention, deleting partition directories).
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { type BrokerProcess, ROOT, runCommand } from "./_broker.ts";

/** One result per op of tests/integration/clients/admin_ops.py. */
export type AdminResult = { ok: boolean; code?: number; error?: number | null; partitions?: number[] };

/** Runs admin_ops.py with a list of ops (create, describe, delete, ...) against the broker. */
export async function adminOps(broker: BrokerProcess, ops: unknown[]): Promise<AdminResult[]> {
  const { code, stdout, stderr } = await runCommand("/usr/bin/python3", [
    path.join(ROOT, "tests/integration/clients/admin_ops.py"),
    broker.bootstrap,
    JSON.stringify(ops),
  ]);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

/** Polls `condition` every 100 ms until it holds; throws after `timeoutMs`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface KcatReadOptions {
  /** One partition (-p); the whole topic when absent. */
  partition?: number;
  /** kcat -f format, e.g. "%p %o %s\\n". */
  format: string;
  /** Stop after this many records (-c). */
  count?: number;
  timeoutMs?: number;
  /** Start of the assertion message when kcat fails (its stderr follows). */
  failure?: string;
}

/** kcat -C from the beginning to the end (-e) of a topic or partition: one output line per record. */
export async function kcatRead(broker: BrokerProcess, topic: string, opts: KcatReadOptions): Promise<string[]> {
  const args = ["-C", "-b", broker.bootstrap, "-t", topic];
  if (opts.partition !== undefined) args.push("-p", String(opts.partition));
  args.push("-o", "beginning", "-e", "-q");
  if (opts.count !== undefined) args.push("-c", String(opts.count));
  args.push("-f", opts.format);
  const { code, stdout, stderr } = await runCommand(
    "kcat",
    args,
    opts.timeoutMs === undefined ? undefined : { timeoutMs: opts.timeoutMs },
  );
  assert.equal(code, 0, opts.failure === undefined ? stderr : `${opts.failure}: ${stderr}`);
  return stdout.split("\n").filter((l) => l !== "");
}
