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
import { maxConnectionsPerIpOverrides } from "../config/connection_limits.ts";
import { parseMetricsListener } from "../config/metrics_listener.ts";
import { threadCounts } from "../config/thread_counts.ts";
import type { HostRuntime, HttpServer, WorkerHandle } from "../runtime/types.ts";
import type { MetadataImage } from "../cluster/metadata_image.ts";
import { TopicRegistry } from "../cluster/topic_registry.ts";
import { advertisedVersions } from "../handler/apis/registry.ts";
import { buildSupportedVersions } from "../network/supported_versions.ts";
import { createQuotaBuffer } from "../network/connection_quotas.ts";
import { createMemoryPoolBuffer } from "../network/memory_pool.ts";
import { effectiveMaxConnections } from "../network/connection_limit.ts";
import { RequestQueueCounter } from "../network/request_channel.ts";
import type { ProcessorInit, ProcessorReport } from "../network/processor_worker.ts";
import { scramStoreFor } from "./scram_store.ts";
import { createMetricsBuffer } from "../metrics/layout.ts";
import { startMetricsServer } from "./metrics_http.ts";
import { Logger, setLogLevel } from "../util/logger.ts";
import { Controller } from "./controller.ts";
import type { Checkpoints, HandlerInit, HandlerReport } from "../handler/handler_worker.ts";
import { LogDirSet } from "./log_dir_set.ts";
import { createPeerPorts } from "../handler/services/partition_router.ts";
import { explainListenFailure } from "./listen_errors.ts";
import { VERSION } from "../version.ts";

/** A listener as bound: its port is the real one even when 0 was configured. */
export interface BoundListener {
  /** The listener's name, e.g. PLAINTEXT. */
  name: string;
  /** Its security protocol (listener.security.protocol.map). */
  securityProtocol: string;
  /** The host it listens on; empty means every interface. */
  host: string;
  /** The port it is bound to. */
  port: number;
}

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

export async function startBroker(runtime: HostRuntime, config: BrokerConfig): Promise<RunningBroker> {
  setLogLevel(config["tsbroker.log.level"]);
  const log = new Logger("broker");
  const listeners = parseListeners(config);
  const logDir = path.resolve(config["log.dirs"][0]);
  // Every log dir's meta.properties, checkpoints and clean-shutdown marker; the first also holds the metadata.
  const dirState = LogDirSet.open(config["log.dirs"], config["node.id"], log);
  const meta = dirState.meta;
  const topics = new TopicRegistry(logDir);

  const threads = threadCounts(config);
  const processorsPerListener = runtime.reusePortBalances ? threads.network : 1;
  if (!runtime.reusePortBalances && threads.network > 1) {
    log.warn("SO_REUSEPORT does not balance connections on this OS: one processor per listener");
  }
  const handlerCount = threads.io;
  const processorCount = listeners.length * processorsPerListener;
  const supported = buildSupportedVersions(advertisedVersions());
  const quotaBuffer = createQuotaBuffer();
  const poolBuffer = createMemoryPoolBuffer(config["queued.max.request.bytes"]);
  const unsentBuffer = createMemoryPoolBuffer(config["tsbroker.queued.max.response.bytes"]);
  const connectionLimit = effectiveMaxConnections(config["max.connections"]);
  const queueBuffer = RequestQueueCounter.createBuffer();
  const metricsBuffer = createMetricsBuffer(processorCount);
  const queue = new RequestQueueCounter(queueBuffer, config["queued.max.requests"]);

  // Advertised ports of port-0 listeners are only known once bound.
  const advertised = listeners.map((l) => ({
    name: l.name,
    securityProtocol: l.securityProtocol,
    host: l.advertisedHost,
    port: l.advertisedPort,
  }));
  const image = (): MetadataImage => ({
    clusterId: meta.clusterId,
    nodeId: meta.nodeId,
    listeners: advertised,
    topics: topics.list(),
    brokerConfigs: controller.brokerConfigs.image(),
  });

  // RequestChannel: one MessageChannel per (processor, handler) pair.
  const channels = Array.from(
    { length: processorCount },
    () => Array.from({ length: handlerCount }, () => new MessageChannel()),
  );

  // Handler-to-handler ports: one MessageChannel per pair.
  const peerPorts = createPeerPorts(handlerCount);

  let imageVersion = 0;
  const imageAcks = new Map<number, { remaining: number; done: () => void }>();
  /** Send the current image to every handler; resolves once all have applied it. */
  const publish = (): Promise<void> => {
    const version = ++imageVersion;
    const next = image();
    return new Promise((resolve) => {
      imageAcks.set(version, { remaining: handlers.length, done: resolve });
      for (const worker of handlers) worker.postMessage({ type: "image", version, image: next });
    });
  };
  // BROKER_LOGGER lists a logger per thread (the names their log lines carry), besides root.
  const loggerNames = [
    "broker",
    ...Array.from({ length: handlerCount }, (_, h) => `handler-${h}`),
    ...listeners.flatMap((l) => Array.from({ length: processorsPerListener }, (_, i) => `processor-${l.name}-${i}`)),
  ];
  const controller = new Controller(logDir, topics, config, log, publish, loggerNames);

  const handlers: WorkerHandle[] = [];
  const handlerReady: Promise<void>[] = [];
  const recovering = Date.now();
  for (let h = 0; h < handlerCount; h++) {
    const name = `handler-${h}`;
    const worker = runtime.spawnWorker("handler", name);
    handlers.push(worker);
    handlerReady.push(
      new Promise((resolve, reject) => {
        worker.onerror = (e) => reject(new Error(`${name} failed: ${e.message}`));
        worker.onmessage = (e) => {
          const report = e.data as HandlerReport;
          switch (report.type) {
            case "ready":
              resolve();
              break;
            case "init-failed":
              reject(new Error(`${name} failed to start: ${report.message}`));
              break;
            case "controller":
              controller.execute(report.call).then(
                (result) => worker.postMessage({ type: "controller-reply", id: report.id, result }),
                (err) => worker.postMessage({ type: "controller-reply", id: report.id, error: String(err) }),
              );
              break;
            case "image-applied": {
              const ack = imageAcks.get(report.version);
              if (ack && --ack.remaining === 0) {
                imageAcks.delete(report.version);
                ack.done();
              }
              break;
            }
            case "checkpoints":
              dirState.record(h, report.checkpoints);
              break;
          }
        };
      }),
    );
    const ports = channels.map((row) => row[h].port2);
    const peers = peerPorts[h].filter((p): p is MessagePort => p !== null);
    worker.postMessage(
      {
        type: "init",
        index: h,
        count: handlerCount,
        name,
        config,
        image: image(),
        logDir,
        cleanShutdown: dirState.cleanShutdown,
        recoveryPoints: dirState.recoveryPointEntries(),
        logStartOffsets: dirState.logStartOffsetEntries(),
        processorPorts: ports,
        peerPorts: peerPorts[h],
        queueBuffer,
        queueCapacity: config["queued.max.requests"],
        poolBuffer,
        logLevel: config["tsbroker.log.level"],
      } satisfies HandlerInit,
      [...ports, ...peers],
    );
  }

  const processors: WorkerHandle[] = [];
  const bound: BoundListener[] = [];
  /**
   * A start that fails once the logs are open (a port is taken, a handler
   * failed) closes them as a stop would, so the next start is not treated
   * as recovering from a crash.
   */
  const abandonStart = async (): Promise<void> => {
    for (const worker of processors) worker.terminate();
    const closed = await Promise.all(handlers.map((worker) => stopWorker(worker, { type: "shutdown" }, 5000)));
    for (const worker of handlers) worker.terminate();
    closed.forEach((checkpoints, h) => checkpoints && dirState.record(h, checkpoints));
    dirState.close(closed.every((c) => c !== null));
  };
  try {
    await Promise.all(handlerReady);
    const how = dirState.fresh
      ? "new log dir"
      : dirState.cleanShutdown
      ? "after a clean shutdown"
      : "after an unclean shutdown: tails checked";
    log.info(`Logs opened in ${Date.now() - recovering} ms (${how})`);
    for (let l = 0; l < listeners.length; l++) {
      const listener = listeners[l];
      let port = listener.port;
      for (let i = 0; i < processorsPerListener; i++) {
        const index = l * processorsPerListener + i;
        const worker = runtime.spawnWorker("processor", `processor-${listener.name}-${i}`);
        processors.push(worker);
        port = await startProcessor(worker, processorInit(config, listener, l, i, index, port)).catch((e) => {
          const example = `listeners=${listener.name}://${listener.host || "0.0.0.0"}:${listener.port + 1}`;
          throw new Error(explainListenFailure({ key: "listeners", example }, listener.host, port, e));
        });
      }
      bound.push({ name: listener.name, securityProtocol: listener.securityProtocol, host: listener.host, port });
      if (advertised[l].port === 0) advertised[l].port = port;
    }
  } catch (e) {
    await abandonStart();
    throw e;
  }
  // Handlers started with port-0 listeners unresolved: send the final image.
  await publish();
  // Handlers take logger levels from the image; processors from this message.
  controller.brokerConfigs.onLoggerLevels = (levels) => {
    for (const worker of processors) worker.postMessage({ type: "log-levels", levels });
  };
  scramStoreFor(logDir).onChange = (credentials) => {
    for (const worker of processors) worker.postMessage({ type: "scram-credentials", credentials });
  };

  function processorInit(
    cfg: BrokerConfig,
    listener: Listener,
    listenerIndex: number,
    i: number,
    index: number,
    port: number,
  ): ProcessorInit {
    const ports = channels[index].map((c) => c.port1);
    return {
      type: "init",
      index,
      name: `processor-${listener.name}-${i}`,
      listenerIndex,
      listenerName: listener.name,
      host: listener.host,
      port,
      reusePort: true,
      sendBufferBytes: cfg["socket.send.buffer.bytes"],
      receiveBufferBytes: cfg["socket.receive.buffer.bytes"],
      maxRequestBytes: cfg["socket.request.max.bytes"],
      idleTimeoutMs: cfg["connections.max.idle.ms"],
      requestReadTimeoutMs: cfg["tsbroker.request.read.timeout.ms"],
      writeStallMs: cfg["tsbroker.connections.max.write.stall.ms"],
      supported,
      handlerPorts: ports,
      quotaBuffer,
      maxConnections: connectionLimit.maxConnections,
      maxConnectionsSource: connectionLimit.source,
      maxConnectionsPerIp: cfg["max.connections.per.ip"],
      perIpOverrides: [...maxConnectionsPerIpOverrides(cfg)],
      poolBuffer,
      unsentBuffer,
      fetchMaxBytes: cfg["fetch.max.bytes"],
      queueBuffer,
      queueCapacity: cfg["queued.max.requests"],
      metricsBuffer,
      logLevel: cfg["tsbroker.log.level"],
      sasl: listener.sasl,
      tls: listener.tls,
      scramCredentials: scramStoreFor(logDir).all(),
    };
  }

  let metricsServer: HttpServer | null = null;
  const metricsAddress = parseMetricsListener(config);
  if (metricsAddress) {
    try {
      metricsServer = await startMetricsServer(runtime, metricsAddress, {
        metricsBuffer,
        processorCount,
        poolBuffer,
        queue,
        quotaBuffer,
        processorNames: processors.map((_, index) => processorLabel(listeners, processorsPerListener, index)),
        handlerCount,
      });
    } catch (e) {
      await abandonStart();
      throw new Error(explainListenFailure(METRICS_PURPOSE, metricsAddress.host, metricsAddress.port, e));
    }
  }

  log.info(
    `tsbroker ${VERSION} started on ${runtime.name} ${runtime.version}: node.id=${meta.nodeId} cluster.id=${meta.clusterId} ` +
      `listeners=${bound.map((b) => `${b.name}://${b.host}:${b.port}`).join(",")} log.dirs=${
        dirState.paths.join(",")
      } ` +
      `num.network.threads=${processorsPerListener} (x${listeners.length} listeners) num.io.threads=${handlerCount}` +
      (metricsServer ? ` metrics=http://${metricsAddress!.host}:${metricsServer.port}/metrics` : ""),
  );
  log.info(nextStepHint(advertised[0], metricsServer && `${metricsAddress!.host}:${metricsServer.port}`));

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const timeoutMs = config["tsbroker.shutdown.timeout.ms"];
      log.info("Shutting down: no new connections, finishing in-flight requests");
      for (const worker of processors) worker.postMessage({ type: "stop-accepting" });
      await Promise.all(
        processors.map((worker) => stopWorker(worker, { type: "shutdown", timeoutMs }, timeoutMs + 1000)),
      );
      const closed = await Promise.all(handlers.map((worker) => stopWorker(worker, { type: "shutdown" }, timeoutMs)));
      for (const worker of [...processors, ...handlers]) worker.terminate();
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
    return stopping;
  };

  return {
    clusterId: meta.clusterId,
    nodeId: meta.nodeId,
    listeners: bound,
    metricsPort: metricsServer?.port ?? null,
    processorCount,
    handlerCount,
    stop,
  };
}

const METRICS_PURPOSE = {
  key: "tsbroker.metrics.listener",
  example: "tsbroker.metrics.listener=127.0.0.1:9465",
  also: 'or "" to turn the metrics server off',
};

/** The start-up line's companion: what a new user can run next. */
function nextStepHint(first: { host: string; port: number }, metrics: string | null): string {
  const address = `${first.host}:${first.port}`;
  return `Ready for Kafka clients at ${address}: try \`kcat -L -b ${address}\`` +
    (metrics ? `; metrics at http://${metrics}/metrics` : "") + "; stop with Ctrl-C";
}

function processorLabel(listeners: Listener[], perListener: number, index: number): string {
  return `${listeners[Math.floor(index / perListener)].name}-${index % perListener}`;
}

/** Init a processor and wait until it listens; resolves to the bound port. */
function startProcessor(worker: WorkerHandle, init: ProcessorInit): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.onerror = (e) => reject(new Error(`${init.name} failed: ${e.message}`));
    worker.onmessage = (e) => {
      const report = e.data as ProcessorReport;
      if (report.type === "listening") resolve(report.port);
      else if (report.type === "failed") reject(new Error(report.message));
    };
    worker.postMessage(init, init.handlerPorts);
  });
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
