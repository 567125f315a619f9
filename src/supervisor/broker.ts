/**
 * The supervisor: Kafka's KafkaServer.startup and SocketServer.startup, run
 * on the main thread.
 *
 * It owns the broker's identity and metadata (as the controller), creates
 * the shared buffers (connection quotas, memory pool, request queue,
 * metrics), spawns M handler Workers (connected to each other by
 * MessagePorts, for partition ops) and, per listener, N processor Workers
 * connected to every handler by a MessagePort, and serves /metrics. It
 * keeps each log dir's checkpoint files and clean-shutdown marker. The
 * first processor of a listener binds the configured port (0 allowed); the
 * others then bind the port it got, with SO_REUSEPORT.
 */
import * as path from "node:path";
import type { BrokerConfig } from "../config/keys.ts";
import { type Listener, parseListeners } from "../config/listeners.ts";
import { parseMetricsListener } from "../config/metrics_listener.ts";
import { threadCounts } from "../config/thread_counts.ts";
import type { HostRuntime, HttpServer, WorkerHandle } from "../runtime/types.ts";
import type { Checkpoints } from "../handler/handler_worker.ts";
import type { AdvertisedListener } from "../cluster/metadata_image.ts";
import { buildSupportedVersions } from "../network/supported_versions.ts";
import { createRingLinkBuffers, type RingLinkBuffers } from "../network/ring_envelopes.ts";
import type { RequestChannelKind } from "../network/batch_port.ts";
import { createPeerPorts } from "../handler/services/partition_router.ts";
import { Logger, setLogLevel } from "../util/logger.ts";
import { VERSION } from "../version.ts";
import { type ControlPlane, createControlPlane } from "./control_plane.ts";
import { HandlerPool } from "./handler_pool.ts";
import { explainListenFailure } from "./listen_errors.ts";
import { LogDirSet } from "./log_dir_set.ts";
import type { ConsoleOptions } from "./console/console.ts";
import { startMetricsServer } from "./metrics_http.ts";
import { type BoundListener, processorLabel, spawnProcessors, startProcessors, topicOwners } from "./processor_pool.ts";
import { scramStoreFor } from "./scram_store.ts";
import { createSharedState, type SharedState } from "./shared_state.ts";
import { startTlsReload } from "./tls_reload.ts";
import { startupTrace } from "../util/startup_trace.ts";

export type { BoundListener };

/** A started broker: its identity, where it listens, and how to stop it. */
export interface RunningBroker {
  /** The cluster id kept in meta.properties of the log dir. */
  readonly clusterId: string;
  /** This broker's node.id. */
  readonly nodeId: number;
  /** Every listener, in the order of the `listeners` key. */
  readonly listeners: BoundListener[];
  /** Bound metrics port, or null when the metrics server is disabled. */
  readonly metricsPort: number | null;
  /** Processor Workers over all listeners (num.network.threads per listener). */
  readonly processorCount: number;
  /** Request handler Workers (num.io.threads). */
  readonly handlerCount: number;
  /** Graceful stop: stop accepting, finish in-flight requests, close everything. */
  stop(): Promise<void>;
}

/**
 * Start in named steps. The Workers are spawned first, so each loads its
 * modules while the supervisor opens the log dirs; processors bind their
 * listeners as soon as the handlers' API versions are known, and handlers
 * then open their partitions with the final image (bound ports included).
 * As in Kafka, whose acceptors bind before request processing is enabled,
 * a connection made meanwhile is accepted and its requests wait, in order,
 * in the handlers' ports until the handlers serve.
 */
export async function startBroker(runtime: HostRuntime, config: BrokerConfig): Promise<RunningBroker> {
  setLogLevel(config["tsbroker.log.level"]);
  const log = new Logger("broker");
  const trace = startupTrace(log);
  trace("supervisor modules loaded");
  const listeners = parseListeners(config);
  const threads = planThreads(runtime, config, listeners.length, log);
  const shared = createSharedState(config, threads.processorCount, listeners.length);
  const workers = spawnWorkers(runtime, config, listeners, threads, shared);
  trace("Workers spawned");
  const dirState = openLogDirs(config, log, workers);
  trace("log dirs opened");
  // Advertised ports of port-0 listeners are only known once bound.
  const advertised = listeners.map((l) => ({
    name: l.name,
    securityProtocol: l.securityProtocol,
    host: l.advertisedHost,
    port: l.advertisedPort,
  }));
  const plane = brokerControlPlane(config, log, dirState, advertised, listeners, threads, workers);
  const bound = await bindListeners(config, listeners, threads, shared, plane, workers, dirState);
  bound.forEach((b, l) => advertised[l].port ||= b.port);
  trace("processors listening");
  const metrics = await openPartitions(runtime, config, log, { shared, listeners, threads, workers, dirState, plane });
  trace("handlers ready");
  await startTlsReload(plane.controller, config, listeners, threads.perListener, workers.processors, log);
  forwardToProcessors(plane, path.resolve(config["log.dirs"][0]), workers.processors);
  log.info(startedLine(runtime, dirState, bound, threads, listeners.length, metrics?.address ?? null));
  log.info(nextStepHint(advertised[0], metrics?.address ?? null, config["tsbroker.console.enable"]));
  return {
    clusterId: dirState.meta.clusterId,
    nodeId: dirState.meta.nodeId,
    listeners: bound,
    metricsPort: metrics?.server.port ?? null,
    processorCount: threads.processorCount,
    handlerCount: threads.handlerCount,
    stop: stopOnce(config, log, workers, dirState, metrics?.server ?? null),
  };
}

/** Every Worker the broker runs, with the RequestChannel between them. */
interface Workers {
  processors: WorkerHandle[];
  handlers: WorkerHandle[];
  pool: HandlerPool;
}

/** The processors' ends of the RequestChannel, by processor then handler (rings only when the channel is "ring"). */
interface ProcessorChannels {
  handlerPorts: MessagePort[][];
  handlerRings: RingLinkBuffers[][] | null;
  requestChannel: RequestChannelKind;
}

/** tsbroker.request.channel, with "auto" resolved to what costs this runtime least. */
function requestChannelKind(config: BrokerConfig, runtime: HostRuntime): RequestChannelKind {
  const configured = config["tsbroker.request.channel"];
  return configured === "auto" ? runtime.requestChannel : configured;
}

/** Step 1: spawn the handlers and the processors; they load their modules and wait for their inits. */
function spawnWorkers(
  runtime: HostRuntime,
  config: BrokerConfig,
  listeners: Listener[],
  threads: ThreadPlan,
  shared: SharedState,
): Workers & ProcessorChannels {
  const channels = requestChannels(threads);
  const channel = requestChannelKind(config, runtime);
  const rings = channel === "ring" ? channels.map((row) => row.map(() => createRingLinkBuffers())) : null;
  const pool = new HandlerPool(runtime, {
    count: threads.handlerCount,
    config,
    logDir: path.resolve(config["log.dirs"][0]),
    processorPorts: Array.from({ length: threads.handlerCount }, (_, h) => channels.map((row) => row[h].port2)),
    processorRings: rings && Array.from({ length: threads.handlerCount }, (_, h) => rings.map((row) => row[h])),
    requestChannel: channel,
    peerPorts: createPeerPorts(threads.handlerCount),
    queueBuffer: shared.queueBuffer,
    poolBuffer: shared.poolBuffer,
  });
  return {
    processors: spawnProcessors(runtime, listeners, threads.perListener),
    handlers: pool.workers,
    pool,
    handlerPorts: channels.map((row) => row.map((c) => c.port1)),
    handlerRings: rings,
    requestChannel: channel,
  };
}

/** Step 2: every log dir's meta.properties, checkpoints and clean-shutdown marker; the first also holds the metadata. */
function openLogDirs(config: BrokerConfig, log: Logger, workers: Workers): LogDirSet {
  try {
    return LogDirSet.open(config["log.dirs"], config["node.id"], log);
  } catch (e) {
    for (const worker of [...workers.processors, ...workers.handlers]) worker.terminate();
    throw e;
  }
}

/** Step 3: the controller and its metadata image, published to the handlers and (topic owners) processors. */
function brokerControlPlane(
  config: BrokerConfig,
  log: Logger,
  dirState: LogDirSet,
  advertised: AdvertisedListener[],
  listeners: Listener[],
  threads: ThreadPlan,
  workers: Workers,
): ControlPlane {
  const plane = createControlPlane({
    logDir: path.resolve(config["log.dirs"][0]),
    config,
    log,
    clusterId: dirState.meta.clusterId,
    nodeId: dirState.meta.nodeId,
    listeners: advertised,
    // The controller publishes on changes, which come from handlers once they serve, never while constructed.
    publish: (image) => {
      // Processors route Produce to partition owners; a stale table only costs a hop, so it need not wait.
      const topics = topicOwners(image);
      for (const worker of workers.processors) worker.postMessage({ type: "owners", topics });
      return workers.pool.publish(image);
    },
    loggerNames: threadLoggerNames(listeners, threads),
  });
  workers.pool.controller = plane.controller;
  return plane;
}

/** Step 4: once a handler has said which API versions it serves, every processor binds its listener. */
async function bindListeners(
  config: BrokerConfig,
  listeners: Listener[],
  threads: ThreadPlan,
  shared: SharedState,
  plane: ControlPlane,
  workers: Workers & ProcessorChannels,
  dirState: LogDirSet,
): Promise<BoundListener[]> {
  const logDir = path.resolve(config["log.dirs"][0]);
  try {
    const versions = await workers.pool.versions;
    return await startProcessors({
      config,
      listeners,
      perListener: threads.perListener,
      shared,
      handlerPorts: workers.handlerPorts,
      handlerRings: workers.handlerRings,
      requestChannel: workers.requestChannel,
      supported: buildSupportedVersions(versions),
      scramCredentials: () => scramStoreFor(logDir).all(),
      owners: () => topicOwners(plane.image()),
    }, workers.processors);
  } catch (e) {
    // No log was opened yet: the dirs are left as found, clean-shutdown marker included.
    for (const worker of [...workers.processors, ...workers.handlers]) worker.terminate();
    dirState.close(dirState.cleanShutdown);
    throw e;
  }
}

/** Step 5: handlers open their partitions (and serve what waited meanwhile) while the metrics server starts. */
async function openPartitions(
  runtime: HostRuntime,
  config: BrokerConfig,
  log: Logger,
  s: {
    shared: SharedState;
    listeners: Listener[];
    threads: ThreadPlan;
    workers: Workers;
    dirState: LogDirSet;
    plane: ControlPlane;
  },
): Promise<{ server: HttpServer; address: string } | null> {
  const recovering = Date.now();
  const ready = s.workers.pool.start(s.plane.image(), s.dirState)
    .then(() => log.info(`Logs opened in ${Date.now() - recovering} ms (${openedHow(s.dirState)})`));
  const metrics = startMetrics(runtime, config, s.shared, s.listeners, s.threads, s.workers, {
    config,
    version: VERSION,
    runtime: `${runtime.name} ${runtime.version}`,
    nodeId: s.dirState.meta.nodeId,
    listeners: s.plane.image().listeners,
  });
  const [handlers, server] = await Promise.allSettled([ready, metrics]);
  if (handlers.status === "fulfilled" && server.status === "fulfilled") return server.value;
  if (server.status === "fulfilled") await server.value?.server.close();
  await abandonStart(s.workers, s.dirState);
  throw handlers.status === "rejected" ? handlers.reason : (server as PromiseRejectedResult).reason;
}

/** The RequestChannel: one MessageChannel per (processor, handler) pair. */
function requestChannels(threads: ThreadPlan): MessageChannel[][] {
  return Array.from(
    { length: threads.processorCount },
    () => Array.from({ length: threads.handlerCount }, () => new MessageChannel()),
  );
}

function startedLine(
  runtime: HostRuntime,
  dirState: LogDirSet,
  bound: BoundListener[],
  threads: ThreadPlan,
  listenerCount: number,
  metrics: string | null,
): string {
  return `tsbroker ${VERSION} started on ${runtime.name} ${runtime.version}: node.id=${dirState.meta.nodeId} ` +
    `cluster.id=${dirState.meta.clusterId} listeners=${
      bound.map((b) => `${b.name}://${b.host}:${b.port}`).join(",")
    } ` +
    `log.dirs=${dirState.paths.join(",")} num.network.threads=${threads.perListener} (x${listenerCount} ` +
    `listeners) num.io.threads=${threads.handlerCount}` + (metrics ? ` metrics=http://${metrics}/metrics` : "");
}

interface ThreadPlan {
  perListener: number;
  processorCount: number;
  handlerCount: number;
}

function planThreads(runtime: HostRuntime, config: BrokerConfig, listenerCount: number, log: Logger): ThreadPlan {
  const threads = threadCounts(config);
  const perListener = runtime.reusePortBalances ? threads.network : 1;
  if (!runtime.reusePortBalances && threads.network > 1) {
    log.warn("SO_REUSEPORT does not balance connections on this OS: one processor per listener");
  }
  return { perListener, processorCount: listenerCount * perListener, handlerCount: threads.io };
}

/** BROKER_LOGGER lists a logger per thread (the names their log lines carry), besides root. */
function threadLoggerNames(listeners: Listener[], threads: ThreadPlan): string[] {
  return [
    "broker",
    ...Array.from({ length: threads.handlerCount }, (_, h) => `handler-${h}`),
    ...listeners.flatMap((l) => Array.from({ length: threads.perListener }, (_, i) => `processor-${l.name}-${i}`)),
  ];
}

function openedHow(dirState: LogDirSet): string {
  if (dirState.fresh) return "new log dir";
  return dirState.cleanShutdown ? "after a clean shutdown" : "after an unclean shutdown: tails checked";
}

/** Handlers take logger levels from the image; processors get them, and SCRAM credentials, by message. */
function forwardToProcessors(plane: ControlPlane, logDir: string, processors: WorkerHandle[]): void {
  plane.controller.brokerConfigs.onLoggerLevels = (levels) => {
    for (const worker of processors) worker.postMessage({ type: "log-levels", levels });
  };
  scramStoreFor(logDir).onChange = (credentials) => {
    for (const worker of processors) worker.postMessage({ type: "scram-credentials", credentials });
  };
}

/**
 * A start that fails once the logs are open (a port is taken, a handler
 * failed) closes them as a stop would, so the next start is not treated
 * as recovering from a crash.
 */
async function abandonStart(workers: Workers, dirState: LogDirSet): Promise<void> {
  for (const worker of workers.processors) worker.terminate();
  const closed = await Promise.all(workers.handlers.map((worker) => stopWorker(worker, { type: "shutdown" }, 5000)));
  for (const worker of workers.handlers) worker.terminate();
  closed.forEach((checkpoints, h) => checkpoints && dirState.record(h, checkpoints));
  dirState.close(closed.every((c) => c !== null));
}

async function startMetrics(
  runtime: HostRuntime,
  config: BrokerConfig,
  shared: SharedState,
  listeners: Listener[],
  threads: ThreadPlan,
  workers: Workers,
  consoleOptions: ConsoleOptions,
): Promise<{ server: HttpServer; address: string } | null> {
  const address = parseMetricsListener(config);
  if (!address) return null;
  try {
    const server = await startMetricsServer(runtime, address, {
      metricsBuffer: shared.metricsBuffer,
      processorCount: threads.processorCount,
      poolBuffer: shared.poolBuffer,
      queue: shared.queue,
      quotaBuffer: shared.quotaBuffer,
      processorNames: workers.processors.map((_, i) => processorLabel(listeners, threads.perListener, i)),
      handlerCount: threads.handlerCount,
      console: consoleOptions,
    });
    return { server, address: `${address.host}:${server.port}` };
  } catch (e) {
    throw new Error(explainListenFailure(METRICS_PURPOSE, address.host, address.port, e));
  }
}

/** Graceful stop, once: stop accepting, let processors finish in-flight requests, close the handlers' logs. */
function stopOnce(
  config: BrokerConfig,
  log: Logger,
  workers: Workers,
  dirState: LogDirSet,
  metricsServer: HttpServer | null,
): () => Promise<void> {
  let stopping: Promise<void> | null = null;
  return () =>
    stopping ??= (async () => {
      const timeoutMs = config["tsbroker.shutdown.timeout.ms"];
      log.info("Shutting down: no new connections, finishing in-flight requests");
      for (const worker of workers.processors) worker.postMessage({ type: "stop-accepting" });
      await Promise.all(
        workers.processors.map((worker) => stopWorker(worker, { type: "shutdown", timeoutMs }, timeoutMs + 1000)),
      );
      const closed = await Promise.all(
        workers.handlers.map((worker) => stopWorker(worker, { type: "shutdown" }, timeoutMs)),
      );
      for (const worker of [...workers.processors, ...workers.handlers]) worker.terminate();
      await metricsServer?.close();
      const allClosed = closed.every((c) => c !== null);
      closed.forEach((checkpoints, h) => checkpoints && dirState.record(h, checkpoints));
      dirState.close(allClosed);
      log.info(
        allClosed
          ? "Shut down cleanly"
          : "Shut down, but some logs did not close in time: the next start will check them",
      );
    })();
}

const METRICS_PURPOSE = {
  key: "tsbroker.metrics.listener",
  example: "tsbroker.metrics.listener=127.0.0.1:9465",
  also: 'or "" to turn the metrics server off',
};

/** The start-up line's companion: what a new user can run next. */
function nextStepHint(first: { host: string; port: number }, metrics: string | null, webConsole: boolean): string {
  const address = `${first.host}:${first.port}`;
  return `Ready for Kafka clients at ${address}: try \`kcat -L -b ${address}\`` +
    (metrics ? `; metrics at http://${metrics}/metrics` : "") +
    (metrics && webConsole ? `; web console at http://${metrics}/console/` : "") + "; stop with Ctrl-C";
}

/**
 * Ask a worker to stop and wait for its "stopped" (or give up after
 * `waitMs`); resolves to the checkpoints a handler reports, null otherwise.
 */
function stopWorker(worker: WorkerHandle, command: unknown, waitMs: number): Promise<Checkpoints | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), waitMs);
    worker.onmessage = (e) => {
      const report = e.data as { type: string; checkpoints?: Checkpoints | null };
      if (report.type === "stopped") {
        clearTimeout(timer);
        resolve(report.checkpoints ?? null);
      }
    };
    worker.postMessage(command);
  });
}
