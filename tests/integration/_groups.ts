/**
 * Helpers shared by the consumer-group tests (groups_*_test.ts): a running
 * group member (confluent-kafka-python's clients/group_consumer.py, or
 * node-rdkafka's clients/group_consumer_rdkafka.mjs) whose JSON-line events
 * the test watches, numbered records produced with
 * clients/group_produce.py, and the admin runners clients/group_admin.py
 * (librdkafka) and clients/group_admin.mjs (kafkajs).
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import process from "node:process";
import { type BrokerProcess, ROOT, runCommand } from "./_broker.ts";

const CLIENTS = path.join(ROOT, "tests/integration/clients");

/** Broker settings every group test uses: no initial rebalance delay, so joins complete at once. */
export const GROUP_OVERRIDES = { "group.initial.rebalance.delay.ms": 0 };

/** One line of group_consumer.py's output. */
export interface ConsumerEvent {
  ev: "assigned" | "revoked" | "lost" | "msg" | "error" | "committed" | "closing" | "closed";
  t: number;
  partitions?: Array<[string, number]>;
  /** On "assigned": only the partitions added (cooperative rebalancing), not the whole assignment. */
  incremental?: boolean;
  topic?: string;
  p?: number;
  o?: number;
  v?: string | null;
  err?: number | null;
  code?: number;
  name?: string;
  text?: string;
  offsets?: Array<[string, number, number]>;
}

export interface ConsumerSettings {
  group: string;
  topics: string[];
  clientId: string;
  commit?: "each" | "none";
  delayMs?: number;
  config?: Record<string, string | number | boolean>;
}

/**
 * A running group member that reports JSON-line events: group_consumer.py
 * (PyConsumer) or group_consumer_rdkafka.mjs (RdkafkaConsumer). Its events as
 * they arrive, commands on stdin, exit status.
 */
export class GroupMember {
  readonly events: ConsumerEvent[] = [];
  stderr = "";
  exitCode: number | null | undefined = undefined;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<number | null>;

  constructor(
    command: string,
    args: string[],
    readonly settings: ConsumerSettings,
    env: Record<string, string> = {},
  ) {
    this.child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let pending = "";
    this.child.stdout.on("data", (d) => {
      pending += d;
      let at;
      while ((at = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, at);
        pending = pending.slice(at + 1);
        if (line.trim() !== "") this.events.push(JSON.parse(line));
      }
    });
    this.child.stderr.on("data", (d) => (this.stderr += d));
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code) => {
        this.exitCode = code;
        resolve(code);
      })
    );
  }

  get name(): string {
    return this.settings.clientId;
  }

  /**
   * Partitions (of all topics) assigned right now: "assigned" replaces the assignment (eager rebalancing) or,
   * marked incremental, adds to it; "revoked"/"lost" take partitions away.
   */
  get assignment(): number[] {
    const owned = new Set<number>();
    for (const e of this.events) {
      if (e.ev === "assigned") {
        if (!e.incremental) owned.clear();
        for (const [, p] of e.partitions!) owned.add(p);
      } else if (e.ev === "revoked" || e.ev === "lost") {
        for (const [, p] of e.partitions!) owned.delete(p);
      }
    }
    return [...owned].sort((a, b) => a - b);
  }

  /** Records consumed so far (values). */
  get values(): string[] {
    return this.events.filter((e) => e.ev === "msg").map((e) => e.v!);
  }

  /** Polls until `condition` holds; the failure names the consumer and shows its stderr. */
  async waitFor(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline || this.exitCode !== undefined && !condition()) {
        throw new Error(
          `${this.name}: ${
            this.exitCode !== undefined ? `exited (${this.exitCode})` : "timed out"
          } waiting until ${what}` +
            `\nlast events: ${JSON.stringify(this.events.slice(-5))}\nstderr: ${this.stderr.slice(-3000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  send(command: string): void {
    this.child.stdin.write(command + "\n");
  }

  /** Asks for the group's committed offsets of partitions 0..partitions-1 of `topic`. */
  async committed(topic: string, partitions: number): Promise<number[]> {
    const before = this.events.length;
    this.send(`committed ${topic} ${partitions}`);
    await this.waitFor(
      "it reports committed offsets",
      () => this.events.slice(before).some((e) => e.ev === "committed"),
    );
    const e = this.events.slice(before).find((x) => x.ev === "committed")!;
    return e.offsets!.map(([, , o]) => o);
  }

  /** consumer.close() (a clean LeaveGroup); resolves once the process has exited 0. */
  async close(timeoutMs = 30_000): Promise<void> {
    this.send("close");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    assert.equal(code, 0, `${this.name} did not close cleanly (${code}): ${this.stderr.slice(-3000)}`);
  }

  /** Ends the process without leaving the group (a crashed member). */
  async kill(): Promise<void> {
    if (this.exitCode === undefined) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/** A confluent-kafka-python (librdkafka 2.0) member: clients/group_consumer.py. */
export class PyConsumer extends GroupMember {
  constructor(broker: BrokerProcess, settings: ConsumerSettings) {
    super("/usr/bin/python3", [
      path.join(CLIENTS, "group_consumer.py"),
      JSON.stringify({ bootstrap: broker.bootstrap, ...settings }),
    ], settings);
  }
}

/**
 * Where node-rdkafka is installed (an npm prefix with node_modules/node-rdkafka built), for the KIP-848
 * test: $NODE_RDKAFKA_PREFIX, else ROOT/.cache/node-rdkafka. Undefined when it is not there.
 */
export function nodeRdkafkaPrefix(): string | undefined {
  const prefix = process.env.NODE_RDKAFKA_PREFIX ?? path.join(ROOT, ".cache", "node-rdkafka");
  const addon = path.join(prefix, "node_modules", "node-rdkafka", "build", "Release", "node-librdkafka.node");
  return fs.existsSync(addon) ? prefix : undefined;
}

/** A node-rdkafka (librdkafka ≥2.12) member: clients/group_consumer_rdkafka.mjs. */
export class RdkafkaConsumer extends GroupMember {
  constructor(broker: BrokerProcess, settings: ConsumerSettings, prefix: string) {
    super(
      "node",
      [
        path.join(CLIENTS, "group_consumer_rdkafka.mjs"),
        JSON.stringify({ bootstrap: broker.bootstrap, ...settings }),
      ],
      settings,
      { NODE_RDKAFKA_PREFIX: prefix },
    );
  }
}

/** Produces records FIRST..FIRST+COUNT-1 ("PREFIX-000042" to partition 42 % partitions); all must be acked. */
export async function produceNumbered(
  broker: BrokerProcess,
  topic: string,
  partitions: number,
  first: number,
  count: number,
  prefix: string,
): Promise<string[]> {
  const { code, stdout, stderr } = await runCommand("/usr/bin/python3", [
    path.join(CLIENTS, "group_produce.py"),
    broker.bootstrap,
    topic,
    String(partitions),
    String(first),
    String(count),
    prefix,
  ]);
  assert.equal(code, 0, stderr);
  const result: { acked: number; failed: string[] } = JSON.parse(stdout);
  assert.deepEqual(result, { acked: count, failed: [] }, `producing ${prefix} records`);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(first + i).padStart(6, "0")}`);
}

/** A group as clients/group_admin.py (librdkafka's list_groups) shows it. */
export interface PyGroup {
  id: string;
  error: number | null;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{
    id: string;
    clientId: string;
    clientHost: string;
    topics: string[];
    assignment: Array<[string, number[]]>;
  }>;
}

export type PyAdminResult = {
  ok: boolean;
  groups?: PyGroup[];
  offsets?: number[];
  code?: number;
  name?: string;
  message?: string;
};

/** Runs clients/group_admin.py with a list of ops ("list", "committed"). */
export async function pyGroupAdmin(broker: BrokerProcess, ops: unknown[]): Promise<PyAdminResult[]> {
  const { code, stdout, stderr } = await runCommand("/usr/bin/python3", [
    path.join(CLIENTS, "group_admin.py"),
    broker.bootstrap,
    JSON.stringify(ops),
  ]);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

/** A group as kafkajs' admin.describeGroups shows it (assignments decoded). */
export interface JsGroup {
  groupId: string;
  errorCode: number;
  state: string;
  protocolType: string;
  protocol: string;
  members: Array<{
    memberId: string;
    clientId: string;
    clientHost: string;
    topics: string[];
    assignment: Array<[string, number[]]>;
  }>;
}

export type JsAdminResult = {
  ok: boolean;
  groups?: Array<JsGroup & { protocolType: string }>;
  offsets?: number[];
  results?: Array<{ groupId: string; errorCode: number }>;
  name?: string;
  type?: string | null;
  code?: number | null;
  message?: string;
};

/** Runs clients/group_admin.mjs (kafkajs admin) with a list of ops. */
export async function jsGroupAdmin(broker: BrokerProcess, ops: unknown[]): Promise<JsAdminResult[]> {
  const { code, stdout, stderr } = await runCommand("node", [
    path.join(CLIENTS, "group_admin.mjs"),
    broker.bootstrap,
    JSON.stringify(ops),
  ], { timeoutMs: 90_000 });
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout);
}

/** True when the members' current assignments are non-empty, disjoint and together cover 0..partitions-1. */
export function coversAll(members: GroupMember[], partitions: number): boolean {
  const all = members.map((m) => m.assignment);
  if (all.some((a) => a.length === 0)) return false;
  const flat = all.flat();
  return flat.length === partitions && new Set(flat).size === partitions;
}
