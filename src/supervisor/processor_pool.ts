/**
 * The supervisor's side of the processor Workers: N per listener, each with
 * its own reusePort listener (a socket cannot move between Workers, so there
 * is no acceptor thread). The first processor of a listener binds the
 * configured port (0 allowed); the others bind the port it got. They are
 * spawned as the broker starts, so their modules load meanwhile, and started
 * (init, listen) once the handlers' API versions are known.
 */
import type { BrokerConfig } from "../config/keys.ts";
import type { Listener } from "../config/listeners.ts";
import { listenerConnectionLimits, maxConnectionsPerIpOverrides } from "../config/connection_limits.ts";
import type { ProcessorInit, ProcessorReport } from "../network/processor_worker.ts";
import type { ScramCredentialRecord } from "../network/sasl/scram_cache.ts";
import type { HostRuntime, WorkerHandle } from "../runtime/types.ts";
import type { MetadataImage } from "../cluster/metadata_image.ts";
import { explainListenFailure } from "./listen_errors.ts";
import type { SharedState } from "./shared_state.ts";
import type { SupportedVersions } from "../network/supported_versions.ts";
import type { RingLinkBuffers } from "../network/ring_envelopes.ts";
import type { RequestChannelKind } from "../network/batch_port.ts";

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
  /** A "ring" channel: per processor, the rings it shares with each handler; else null. */
  handlerRings: RingLinkBuffers[][] | null;
  /** tsbroker.request.channel, "auto" resolved. */
  requestChannel: RequestChannelKind;
  /** The API versions served: processors close connections that send others. */
  supported: SupportedVersions;
  scramCredentials: () => ScramCredentialRecord[];
  /** [name, topic id] of every topic now. */
  owners: () => Array<[string, string]>;
}

/** Spawn every processor Worker, listener by listener; they load their modules and wait for their init. */
export function spawnProcessors(runtime: HostRuntime, listeners: Listener[], perListener: number): WorkerHandle[] {
  return listeners.flatMap((listener) =>
    Array.from({ length: perListener }, (_, i) => runtime.spawnWorker("processor", processorName(listener, i)))
  );
}

/**
 * Start every processor (spawned by spawnProcessors): per listener the first
 * binds the configured port (0 allowed), then the others bind the port it
 * got, all at once.
 */
export async function startProcessors(plan: ProcessorPlan, workers: WorkerHandle[]): Promise<BoundListener[]> {
  return await Promise.all(plan.listeners.map(async (listener, l) => {
    const start = (i: number, port: number) =>
      startProcessor(workers[l * plan.perListener + i], processorInit(plan, listener, l, i, port)).catch((e) => {
        const example = `listeners=${listener.name}://${listener.host || "0.0.0.0"}:${listener.port + 1}`;
        throw new Error(explainListenFailure({ key: "listeners", example }, listener.host, port, e));
      });
    const port = await start(0, listener.port);
    await Promise.all(Array.from({ length: plan.perListener - 1 }, (_, i) => start(i + 1, port)));
    return { name: listener.name, securityProtocol: listener.securityProtocol, host: listener.host, port };
  }));
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
  port: number,
): ProcessorInit {
  const { config: cfg, shared } = plan;
  const index = listenerIndex * plan.perListener + i;
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
    supported: plan.supported,
    handlerPorts: plan.handlerPorts[index],
    handlerRings: plan.handlerRings?.[index] ?? null,
    requestChannel: plan.requestChannel,
    quotaBuffer: shared.quotaBuffer,
    maxConnections: shared.connectionLimit.maxConnections,
    maxConnectionsSource: shared.connectionLimit.source,
    maxConnectionsPerIp: cfg["max.connections.per.ip"],
    perIpOverrides: [...maxConnectionsPerIpOverrides(cfg)],
    ...listenerLimits(cfg, listener.name),
    poolBuffer: shared.poolBuffer,
    unsentBuffer: shared.unsentBuffer,
    fetchMaxBytes: cfg["fetch.max.bytes"],
    queueBuffer: shared.queueBuffer,
    queueCapacity: cfg["queued.max.requests"],
    metricsBuffer: shared.metricsBuffer,
    logLevel: cfg["tsbroker.log.level"],
    traceOrigin: performance.timeOrigin,
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

/** A listener's connection limits for its processors (the config loader has checked them). */
function listenerLimits(cfg: BrokerConfig, listener: string) {
  const own = listenerConnectionLimits(cfg, listener, (key, problem) => {
    throw new Error(`${key}: ${problem}`);
  });
  return {
    maxListenerConnections: own.maxConnections,
    maxConnectionCreationRate: cfg["max.connection.creation.rate"],
    maxListenerConnectionCreationRate: own.maxConnectionCreationRate,
  };
}
