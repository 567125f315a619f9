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
import { ProcessorMetrics } from "../metrics/layout.ts";
import type { SaslListenerSettings } from "./sasl/authenticator.ts";
import { ScramCredentialCache, type ScramCredentialRecord } from "./sasl/scram_cache.ts";
import type { TlsListenerSettings } from "../config/tls_settings.ts";
import { certificatePrincipal } from "./tls/principal.ts";

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
  quotaBuffer: SharedArrayBuffer;
  maxConnections: number;
  /** Where maxConnections came from, for the log line of the first processor. */
  maxConnectionsSource: string;
  maxConnectionsPerIp: number;
  perIpOverrides: Array<[string, number]>;
  poolBuffer: SharedArrayBuffer;
  /** The unsent-response budget (tsbroker.queued.max.response.bytes), a memory pool buffer. */
  unsentBuffer: SharedArrayBuffer;
  fetchMaxBytes: number;
  queueBuffer: SharedArrayBuffer;
  queueCapacity: number;
  metricsBuffer: SharedArrayBuffer;
  logLevel: LogLevel;
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
  let processor: Processor | null = null;
  let listener: TcpListener | null = null;
  const scram = new ScramCredentialCache();
  let owners: OwnerTable | undefined;
  let init: ProcessorInit | null = null;
  let workerLog: Logger | null = null;
  scope.onmessage = async (event: MessageEvent) => {
    const message = event.data as ProcessorInit | ProcessorCommand;
    if (message.type === "init") {
      init = message;
      setLogLevel(message.logLevel);
      const log = new Logger(message.name);
      workerLog = log;
      scram.replace(message.scramCredentials ?? []);
      owners = new OwnerTable(message.handlerPorts.length);
      owners.replace(message.owners ?? []);
      processor = new Processor({
        index: message.index,
        listenerIndex: message.listenerIndex,
        listenerName: message.listenerName,
        maxRequestBytes: message.maxRequestBytes,
        idleTimeoutMs: message.idleTimeoutMs,
        requestReadTimeoutMs: message.requestReadTimeoutMs,
        writeStallMs: message.writeStallMs,
        supported: message.supported,
        handlers: message.handlerPorts,
        owners,
        quotas: new ConnectionQuotas(message.quotaBuffer, {
          maxConnections: message.maxConnections,
          maxConnectionsPerIp: message.maxConnectionsPerIp,
          perIpOverrides: new Map(message.perIpOverrides),
        }),
        pool: new MemoryPool(message.poolBuffer),
        unsent: new UnsentBudget(new MemoryPool(message.unsentBuffer), message.fetchMaxBytes),
        queue: new RequestQueueCounter(message.queueBuffer, message.queueCapacity),
        metrics: new ProcessorMetrics(message.metricsBuffer, message.index),
        log,
        sasl: message.sasl,
        scram: scram.lookup,
        // On SASL_SSL the SASL principal wins, as Kafka's principal builder gives it.
        principalOf: message.tls && !message.sasl ? certificatePrincipal(message.tls.principalRules, log) : undefined,
      });
      if (message.index === 0) log.info(`max.connections=${message.maxConnections} (${message.maxConnectionsSource})`);
      try {
        listener = await net.listen({
          host: message.host,
          port: message.port,
          reusePort: message.reusePort,
          sendBufferBytes: message.sendBufferBytes,
          receiveBufferBytes: message.receiveBufferBytes,
          tls: message.tls ? adapterTls(message, message.tls) : undefined,
        }, message.tls ? withHandshakeLog(processor, log) : processor);
        scope.postMessage({ type: "listening", port: listener.port } satisfies ProcessorReport);
      } catch (e) {
        // Bun's listen error keeps the errno name (EADDRINUSE) in `code`, not in its message.
        const code = (e as { code?: unknown })?.code;
        const cause = `${e}${typeof code === "string" && !String(e).includes(code) ? ` (${code})` : ""}`;
        scope.postMessage(
          {
            type: "failed",
            message: `cannot listen on ${message.host}:${message.port}: ${cause}`,
          } satisfies ProcessorReport,
        );
      }
    } else if (message.type === "log-levels") {
      setLoggerLevels(message.levels);
    } else if (message.type === "scram-credentials") {
      scram.replace(message.credentials);
    } else if (message.type === "tls-settings") {
      try {
        if (!listener?.updateTls || !init) throw new Error("this listener cannot change its TLS settings");
        listener.updateTls(adapterTls(init, message.tls));
        workerLog?.info("TLS key and trust stores reloaded: new connections use them");
      } catch (e) {
        workerLog?.error(`TLS reload failed, the previous key and trust stores stay in use: ${e}`);
      }
      scope.postMessage({ type: "tls-reloaded" } satisfies ProcessorReport);
    } else if (message.type === "owners") {
      owners?.replace(message.topics);
    } else if (message.type === "stop-accepting") {
      listener?.close();
      listener = null;
    } else if (message.type === "shutdown") {
      listener?.close();
      listener = null;
      await processor?.shutdown(message.timeoutMs);
      scope.postMessage({ type: "stopped" } satisfies ProcessorReport);
    }
  };
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
