/**
 * The body of a processor Worker, independent of the runtime: it receives its
 * settings and shared buffers from the supervisor, opens its own
 * SO_REUSEPORT listener (the part of Kafka's Acceptor a Worker can do, since
 * sockets cannot move between Workers), and runs a Processor on it.
 */
import { OwnerTable } from "./produce_owner.ts";
import type { ConnectionEvents, NetRuntime, TcpListener, TlsServerOptions, WorkerScope } from "../runtime/types.ts";
import { Logger, type LogLevel, setLoggerLevels, setLogLevel } from "../util/logger.ts";
import { ConnectionQuotas } from "./connection_quotas.ts";
import { MemoryPool } from "./memory_pool.ts";
import { UnsentBudget } from "./unsent_budget.ts";
import { Processor } from "./processor.ts";
import { RequestQueueCounter } from "./request_channel.ts";
import type { RequestEnvelope, ResponseEnvelope } from "./request_channel.ts";
import { channelPort, type RequestChannelKind } from "./batch_port.ts";
import { ProcessorRingPort, type RingLinkBuffers } from "./ring_envelopes.ts";
import { ProcessorMetrics } from "../metrics/layout.ts";
import type { SaslListenerSettings } from "./sasl/authenticator.ts";
import { ScramCredentialCache, type ScramCredentialRecord } from "./sasl/scram_cache.ts";
import type { TlsListenerSettings } from "../config/tls_settings.ts";
import { certificatePrincipal } from "./tls/principal.ts";
import { startupTrace } from "../util/startup_trace.ts";

export interface ProcessorInit {
  type: "init";
  index: number;
  name: string;
  listenerIndex: number;
  listenerName: string;
  host: string;
  port: number;
  reusePort: boolean;
  sendBufferBytes: number;
  receiveBufferBytes: number;
  maxRequestBytes: number;
  idleTimeoutMs: number;
  requestReadTimeoutMs: number;
  writeStallMs: number;
  supported: Int16Array;
  handlerPorts: MessagePort[];
  /** A "ring" channel: the rings shared with each handler (by handler index); else null. */
  handlerRings: RingLinkBuffers[] | null;
  /** tsbroker.request.channel, "auto" resolved by the supervisor: the handlers wrap their ends the same way. */
  requestChannel: RequestChannelKind;
  quotaBuffer: SharedArrayBuffer;
  maxConnections: number;
  /** Where maxConnections came from, for the log line of the first processor. */
  maxConnectionsSource: string;
  maxConnectionsPerIp: number;
  perIpOverrides: Array<[string, number]>;
  /** `listener.name.<l>.max.connections`, `max.connection.creation.rate` and the listener's own rate (KIP-612). */
  maxListenerConnections?: number;
  maxConnectionCreationRate?: number;
  maxListenerConnectionCreationRate?: number;
  poolBuffer: SharedArrayBuffer;
  /** The unsent-response budget (tsbroker.queued.max.response.bytes), a memory pool buffer. */
  unsentBuffer: SharedArrayBuffer;
  fetchMaxBytes: number;
  queueBuffer: SharedArrayBuffer;
  queueCapacity: number;
  metricsBuffer: SharedArrayBuffer;
  logLevel: LogLevel;
  /** The main thread's time origin (epoch ms): start-up trace lines count from it. */
  traceOrigin?: number;
  /** Set on SASL listeners. */
  sasl?: SaslListenerSettings | null;
  /** Set on SSL and SASL_SSL listeners. */
  tls?: TlsListenerSettings | null;
  /** The SCRAM credential store's contents at start. */
  scramCredentials?: ScramCredentialRecord[];
  /** [name, topic id] of every topic, for owner-aware Produce dispatch. */
  owners?: Array<[string, string]>;
}

/** Supervisor → processor after init. */
export type ProcessorCommand =
  | { type: "stop-accepting" }
  | { type: "shutdown"; timeoutMs: number }
  /** BROKER_LOGGER changes (IncrementalAlterConfigs): every logger's level, root included. */
  | { type: "log-levels"; levels: Record<string, string> }
  /** The SCRAM credential store changed (AlterUserScramCredentials): its whole new contents. */
  | { type: "scram-credentials"; credentials: ScramCredentialRecord[] }
  /** The topics changed: [name, topic id] of every topic. */
  | { type: "owners"; topics: Array<[string, string]> }
  /** The listener's key or trust store changed (a dynamic config): new connections use these settings. */
  | { type: "tls-settings"; tls: TlsListenerSettings };

/** Processor → supervisor. */
export type ProcessorReport =
  | { type: "listening"; port: number }
  | { type: "stopped" }
  | { type: "failed"; message: string }
  /** Answers "tls-settings" (applied or not: the log says which). */
  | { type: "tls-reloaded" };

export function runProcessorWorker(scope: WorkerScope, net: NetRuntime): void {
  const worker = new ProcessorWorker(scope, net);
  scope.onmessage = (event: MessageEvent) => worker.receive(event.data as ProcessorInit | ProcessorCommand);
}

/** One processor Worker's state, and a step for each message of the supervisor. */
class ProcessorWorker {
  private processor: Processor | null = null;
  private listener: TcpListener | null = null;
  private readonly scram = new ScramCredentialCache();
  private owners: OwnerTable | undefined;
  private init: ProcessorInit | null = null;
  private log: Logger | null = null;

  constructor(private readonly scope: WorkerScope, private readonly net: NetRuntime) {}

  async receive(message: ProcessorInit | ProcessorCommand): Promise<void> {
    if (message.type === "init") {
      await this.start(message);
    } else if (message.type === "log-levels") {
      setLoggerLevels(message.levels);
    } else if (message.type === "scram-credentials") {
      this.scram.replace(message.credentials);
    } else if (message.type === "tls-settings") {
      this.reloadTls(message.tls);
    } else if (message.type === "owners") {
      this.owners?.replace(message.topics);
    } else if (message.type === "stop-accepting") {
      this.listener?.close();
      this.listener = null;
    } else if (message.type === "shutdown") {
      this.listener?.close();
      this.listener = null;
      await this.processor?.shutdown(message.timeoutMs);
      this.scope.postMessage({ type: "stopped" } satisfies ProcessorReport);
    }
  }

  /** Build the Processor, then listen and report the bound port (or why not). */
  private async start(init: ProcessorInit): Promise<void> {
    this.init = init;
    setLogLevel(init.logLevel);
    const log = this.log = new Logger(init.name);
    const trace = startupTrace(log, init.traceOrigin);
    trace(`init received (modules loaded ${performance.now().toFixed(1)} ms after the Worker's start)`);
    this.scram.replace(init.scramCredentials ?? []);
    this.owners = new OwnerTable(init.handlerPorts.length);
    this.owners.replace(init.owners ?? []);
    const processor = this.processor = createProcessor(init, this.owners, this.scram, log);
    if (init.index === 0) log.info(`max.connections=${init.maxConnections} (${init.maxConnectionsSource})`);
    try {
      this.listener = await this.net.listen({
        host: init.host,
        port: init.port,
        reusePort: init.reusePort,
        sendBufferBytes: init.sendBufferBytes,
        receiveBufferBytes: init.receiveBufferBytes,
        tls: init.tls ? adapterTls(init, init.tls) : undefined,
      }, init.tls ? withHandshakeLog(processor, log) : processor);
      trace("listening");
      this.scope.postMessage({ type: "listening", port: this.listener.port } satisfies ProcessorReport);
    } catch (e) {
      // Bun's listen error keeps the errno name (EADDRINUSE) in `code`, not in its message.
      const code = (e as { code?: unknown })?.code;
      const cause = `${e}${typeof code === "string" && !String(e).includes(code) ? ` (${code})` : ""}`;
      const message = `cannot listen on ${init.host}:${init.port}: ${cause}`;
      this.scope.postMessage({ type: "failed", message } satisfies ProcessorReport);
    }
  }

  private reloadTls(tls: TlsListenerSettings): void {
    try {
      if (!this.listener?.updateTls || !this.init) throw new Error("this listener cannot change its TLS settings");
      this.listener.updateTls(adapterTls(this.init, tls));
      this.log?.info("TLS key and trust stores reloaded: new connections use them");
    } catch (e) {
      this.log?.error(`TLS reload failed, the previous key and trust stores stay in use: ${e}`);
    }
    this.scope.postMessage({ type: "tls-reloaded" } satisfies ProcessorReport);
  }
}

/** The Processor an init describes, over the shared buffers it names. */
function createProcessor(init: ProcessorInit, owners: OwnerTable, scram: ScramCredentialCache, log: Logger): Processor {
  return new Processor({
    index: init.index,
    listenerIndex: init.listenerIndex,
    listenerName: init.listenerName,
    maxRequestBytes: init.maxRequestBytes,
    idleTimeoutMs: init.idleTimeoutMs,
    requestReadTimeoutMs: init.requestReadTimeoutMs,
    writeStallMs: init.writeStallMs,
    supported: init.supported,
    handlers: init.handlerPorts.map((port, h) =>
      init.handlerRings
        ? new ProcessorRingPort(port, init.handlerRings[h])
        : channelPort<RequestEnvelope, ResponseEnvelope>(port, init.requestChannel)
    ),
    owners,
    quotas: new ConnectionQuotas(init.quotaBuffer, {
      maxConnections: init.maxConnections,
      maxConnectionsPerIp: init.maxConnectionsPerIp,
      perIpOverrides: new Map(init.perIpOverrides),
      listenerIndex: init.listenerIndex,
      maxListenerConnections: init.maxListenerConnections,
      maxConnectionCreationRate: init.maxConnectionCreationRate,
      maxListenerConnectionCreationRate: init.maxListenerConnectionCreationRate,
    }),
    pool: new MemoryPool(init.poolBuffer),
    unsent: new UnsentBudget(new MemoryPool(init.unsentBuffer), init.fetchMaxBytes),
    queue: new RequestQueueCounter(init.queueBuffer, init.queueCapacity),
    metrics: new ProcessorMetrics(init.metricsBuffer, init.index),
    log,
    sasl: init.sasl,
    scram: scram.lookup,
    // On SASL_SSL the SASL principal wins, as Kafka's principal builder gives it.
    principalOf: init.tls && !init.sasl ? certificatePrincipal(init.tls.principalRules, log) : undefined,
  });
}

/** A listener's TLS settings as the adapter takes them. */
function adapterTls(init: ProcessorInit, tls: TlsListenerSettings): TlsServerOptions {
  return {
    ...tls,
    // A handshake is bounded as a request's bytes are.
    handshakeTimeoutMs: init.requestReadTimeoutMs,
    maxPendingHandshakes: init.maxConnections,
  };
}

/** The processor's events, plus a rate-limited log line for each failed TLS handshake. */
function withHandshakeLog(processor: Processor, log: Logger): ConnectionEvents {
  return {
    open: (conn) => processor.open(conn),
    data: (conn, chunk) => processor.data(conn, chunk),
    drain: (conn) => processor.drain(conn),
    close: (conn, error) => processor.close(conn, error),
    acceptFailed: (error) => processor.acceptFailed(error),
    handshakeFailed: (address, reason) =>
      log.limited("info", "tls handshake", `TLS handshake with ${address || "a client"} failed: ${reason}`),
  };
}
