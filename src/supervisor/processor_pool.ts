/**
 * The supervisor's side of the processor Workers: N per listener, each with
 * its own reusePort listener (a socket cannot move between Workers, so there
 * is no acceptor thread). The first processor of a listener binds the
 * configured port (0 allowed); the others bind the port it got.
 */
import type { BrokerConfig } from "../config/keys.ts";
import type { Listener } from "../config/listeners.ts";
import { maxConnectionsPerIpOverrides } from "../config/connection_limits.ts";
import type { ProcessorInit, ProcessorReport } from "../network/processor_worker.ts";
import type { ScramCredentialRecord } from "../network/sasl/scram_cache.ts";
import type { HostRuntime, WorkerHandle } from "../runtime/types.ts";
import type { MetadataImage } from "../cluster/metadata_image.ts";
import { explainListenFailure } from "./listen_errors.ts";
import type { SharedState } from "./shared_state.ts";

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

export interface ProcessorPlan {
  config: BrokerConfig;
  listeners: Listener[];
  perListener: number;
  shared: SharedState;
  /** Per processor: its end of the channel to each handler. */
  handlerPorts: MessagePort[][];
  scramCredentials: () => ScramCredentialRecord[];
  /** [name, topic id] of every topic now. */
  owners: () => Array<[string, string]>;
}

/**
 * Spawn and start every processor, listener by listener; `workers` is filled
 * as they spawn, so a failed start can still terminate those already running.
 */
export async function startProcessors(
  runtime: HostRuntime,
  plan: ProcessorPlan,
  workers: WorkerHandle[],
): Promise<BoundListener[]> {
  const bound: BoundListener[] = [];
  for (const [l, listener] of plan.listeners.entries()) {
    let port = listener.port;
    for (let i = 0; i < plan.perListener; i++) {
      const index = l * plan.perListener + i;
      const worker = runtime.spawnWorker("processor", processorName(listener, i));
      workers.push(worker);
      port = await startProcessor(worker, processorInit(plan, listener, l, i, index, port)).catch((e) => {
        const example = `listeners=${listener.name}://${listener.host || "0.0.0.0"}:${listener.port + 1}`;
        throw new Error(explainListenFailure({ key: "listeners", example }, listener.host, port, e));
      });
    }
    bound.push({ name: listener.name, securityProtocol: listener.securityProtocol, host: listener.host, port });
  }
  return bound;
}

function processorName(listener: Listener, i: number): string {
  return `processor-${listener.name}-${i}`;
}

/** The metrics label of processor `index`: its listener and its place in it. */
export function processorLabel(listeners: Listener[], perListener: number, index: number): string {
  return `${listeners[Math.floor(index / perListener)].name}-${index % perListener}`;
}

function processorInit(
  plan: ProcessorPlan,
  listener: Listener,
  listenerIndex: number,
  i: number,
  index: number,
  port: number,
): ProcessorInit {
  const { config: cfg, shared } = plan;
  return {
    type: "init",
    index,
    name: processorName(listener, i),
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
    supported: shared.supported,
    handlerPorts: plan.handlerPorts[index],
    quotaBuffer: shared.quotaBuffer,
    maxConnections: shared.connectionLimit.maxConnections,
    maxConnectionsSource: shared.connectionLimit.source,
    maxConnectionsPerIp: cfg["max.connections.per.ip"],
    perIpOverrides: [...maxConnectionsPerIpOverrides(cfg)],
    poolBuffer: shared.poolBuffer,
    unsentBuffer: shared.unsentBuffer,
    fetchMaxBytes: cfg["fetch.max.bytes"],
    queueBuffer: shared.queueBuffer,
    queueCapacity: cfg["queued.max.requests"],
    metricsBuffer: shared.metricsBuffer,
    logLevel: cfg["tsbroker.log.level"],
    sasl: listener.sasl,
    tls: listener.tls,
    scramCredentials: plan.scramCredentials(),
    owners: plan.owners(),
  };
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

/** [name, topic id] of every topic in `image`: what processors route Produce by. */
export function topicOwners(image: MetadataImage): Array<[string, string]> {
  return image.topics.map((t) => [t.name, t.topicId]);
}
