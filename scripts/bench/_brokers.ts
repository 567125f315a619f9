/**
 * The workloads of a Kafka-protocol broker that keeps its log on disk —
 * tsbroker in each flavour, and Apache Kafka (_kafka.ts) — run the same way
 * for both: a broker with its default config for IDLE, W1, W4, W3, W7, W5
 * and W6, then a fresh one in durable mode for W2. Also how tsbroker itself
 * is started.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { commandFor, type Flavour } from "../../tests/integration/_broker.ts";
import { clientW1, small, startup, tlsW1, twoCores } from "./_extras.ts";
import { BROKER_CPU, KiB, MiB } from "./_plan.ts";
import { procMemMB, type Server, sleep, startServer } from "./_procs.ts";
import type { Kind } from "./_report.ts";
import type { Bench } from "./_runner.ts";
import { freePort } from "./_setup.ts";

/** How a broker under test is started. */
export interface StartOptions {
  /** Durable mode (W2). */
  durable?: boolean;
  /** The taskset CPU list of the broker; BROKER_CPU unless said. */
  cpus?: number | string;
  /** Listen with TLS (SSL) using this key store (key and certificate, PEM); `ready` is that port. */
  tls?: { keyStore: string };
}

/** A cold start's command line (STARTUP): spawned as is, on a fresh data dir; ready when `port` answers. */
export interface ColdStart {
  command: string;
  args: string[];
  port: number;
  cleanup(): void;
}

/** A broker under test. `start` gives a fresh broker (and data dir) whose `ready` is its port. */
export interface Broker {
  system: string;
  kind: Kind;
  start(options: StartOptions): Promise<Server>;
  coldStart(): Promise<ColdStart>;
  /** The IDLE row's note (what "default config" means for this broker). */
  idleNote: string;
  /** The W2 row's note (how it is made durable). */
  durableNote: string;
}

const DEFAULT_CONFIG_WORKLOADS = ["IDLE", "SMALL", "W1", "CLIENT-W1", "W3", "W4", "W5", "W6", "W7", "W8"];

/**
 * Every workload of one broker: cold starts first, then one broker with the default config, a durable one
 * (W2), one with an SSL listener (TLS-W1) and one on two CPUs (W1-2c, W4-2c).
 */
export async function brokerWorkloads(b: Bench, broker: Broker): Promise<void> {
  await startup(b, broker);
  await defaultAndDurable(b, broker);
  await tlsW1(b, broker);
  await twoCores(b, broker);
}

async function defaultAndDurable(b: Bench, broker: Broker): Promise<void> {
  if (DEFAULT_CONFIG_WORKLOADS.some((w) => b.wants(w))) {
    let server: Server | undefined;
    try {
      server = await broker.start({});
      await defaultConfigWorkloads(b, broker, server);
    } catch (e) {
      b.fail("W1", broker.system, broker.kind, e);
    } finally {
      await server?.stop();
    }
  }
  if (b.wants("W2")) {
    let server: Server | undefined;
    try {
      server = await broker.start({ durable: true });
      await b.load(
        "W2",
        broker.system,
        broker.kind,
        b.produceArgs("produce", `127.0.0.1:${server.ready}`, {
          topic: "w2",
          size: KiB,
          partitions: 8,
          acks: "all",
          warmup: b.plan.warmupFirst,
          create: true,
        }),
        server.pid,
        broker.durableNote,
      );
    } catch (e) {
      b.fail("W2", broker.system, broker.kind, e);
    } finally {
      await server?.stop();
    }
  }
}

async function defaultConfigWorkloads(b: Bench, broker: Broker, server: Server): Promise<void> {
  const { system, kind } = broker;
  const p = b.plan;
  const bootstrap = `127.0.0.1:${server.ready}`;
  await sleep(p.idleSettleMs);
  if (b.wants("IDLE")) {
    const idleRssMB = procMemMB(server.pid, "VmRSS");
    b.add({ workload: "IDLE", system, kind, note: broker.idleNote, samples: [], extra: { idleRssMB } });
  }
  if (b.wants("SMALL")) await small(b, system, kind, server, bootstrap);
  let w1Rate: number | undefined;
  if (b.wants("W1") || b.wants("W4") || b.wants("W5")) {
    const w1 = await b.load(
      "W1",
      system,
      kind,
      b.produceArgs("produce", bootstrap, {
        topic: "w1",
        size: KiB,
        partitions: 8,
        warmup: p.warmupFirst,
        create: true,
      }),
      server.pid,
    );
    w1Rate = w1.median?.recordsPerSec;
    if (!b.wants("W1")) b.rows.splice(b.rows.indexOf(w1), 1);
  }
  if (b.wants("CLIENT-W1") && kind === "tsbroker") await clientW1(b, system, kind, server, bootstrap);
  if (b.wants("W4")) await b.catchUp(system, kind, server, bootstrap, "w1", 8);
  if (b.wants("W3")) {
    const args = { topic: "w3", size: 100, partitions: 8, warmup: p.warmup, create: true };
    await b.load("W3", system, kind, b.produceArgs("produce", bootstrap, args), server.pid);
  }
  if (b.wants("W7")) {
    const args = { topic: "w7", size: KiB, partitions: 100, warmup: p.warmup, create: true };
    await b.load("W7", system, kind, b.produceArgs("produce", bootstrap, args), server.pid, "100 partitions");
  }
  if (b.wants("W5")) await b.e2e(system, kind, server, bootstrap, w1Rate, 8, true);
  if (b.wants("W6")) await b.idleConnections(system, kind, server, bootstrap);
  if (b.wants("W8")) await b.transactions(system, kind, server, bootstrap);
}

/** tsbroker with its default config under `flavour`, a fresh data dir per start (removed on stop). */
export function tsbroker(b: Bench, flavour: Flavour, executable: string): Broker {
  const system = `tsbroker-${flavour}`;
  const [command, base] = flavour === "exe" ? [executable, []] : commandFor(flavour);
  const argsFor = (dataDir: string, listener: string, extra: string[]) => [
    ...base,
    ...[
      `listeners=${listener}`,
      `log.dirs=${dataDir}`,
      "tsbroker.metrics.listener=127.0.0.1:0",
      ...RETENTION.map(([k, v]) => `${k}=${v}`),
      ...extra,
    ].flatMap((o) => ["--override", o]),
  ];
  const start = async (o: StartOptions): Promise<Server> => {
    const dataDir = fs.mkdtempSync(path.join(b.work, `${flavour}-`));
    const extra = [
      ...(o.durable ? ["tsbroker.fsync.acks.all=true"] : []),
      ...(o.tls ? [`ssl.keystore.location=${o.tls.keyStore}`] : []),
    ];
    const server = await startServer({
      name: system,
      command,
      args: argsFor(dataDir, `${o.tls ? "SSL" : "PLAINTEXT"}://127.0.0.1:0`, extra),
      cpu: o.cpus ?? BROKER_CPU,
      readyPattern: /tsbroker \S+ started .* listeners=[A-Z_]+:\/\/[^:]*:(\d+)/,
    });
    return withCleanup(server, dataDir);
  };
  const coldStart = (): Promise<ColdStart> => {
    const dataDir = fs.mkdtempSync(path.join(b.work, `${flavour}-cold-`));
    const port = freePort();
    return Promise.resolve({
      command: "taskset",
      args: ["-c", String(BROKER_CPU), command, ...argsFor(dataDir, `PLAINTEXT://127.0.0.1:${port}`, [])],
      port,
      cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }),
    });
  };
  return {
    system,
    kind: "tsbroker",
    start,
    coldStart,
    idleNote: "default config, after start-up",
    durableNote: "tsbroker.fsync.acks.all=true",
  };
}

/**
 * Retention for every broker under test (the same keys in tsbroker and
 * Kafka). Full mode writes tens of GB per broker: without a cap it filled a
 * 78 GB disk. Keep at most ~2 × 256 MiB per partition (W4's 1 GiB backlog
 * over 8 partitions fits), checked every few seconds.
 */
export const RETENTION: Array<[string, string]> = [
  ["log.retention.bytes", String(256 * MiB)],
  ["log.segment.bytes", String(128 * MiB)],
  ["log.retention.check.interval.ms", "2000"],
  ["log.segment.delete.delay.ms", "1000"],
];

/** The same server, whose stop() also removes its data. */
export function withCleanup(server: Server, dataDir: string): Server {
  const stop = server.stop.bind(server);
  return Object.assign(Object.create(server), {
    stop: async () => {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  }) as Server;
}
