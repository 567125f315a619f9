/**
 * The body of a handler Worker (Kafka's KafkaRequestHandler), independent of
 * the runtime: takes requests from every processor's port, runs them through
 * the RequestHandler, and posts each response back on the port it came from.
 * It also owns a share of the partitions (ReplicaManager) and serves ops on
 * them for the other handlers over handler-to-handler ports. Metadata
 * writes go to the supervisor (the controller) and come back as a new
 * metadata image, broadcast to every handler and acknowledged once applied.
 */
import type { WorkerScope } from "../runtime/types.ts";
import type { BrokerConfig } from "../config/keys.ts";
import { type MetadataImage, MetadataView } from "../cluster/metadata_image.ts";
import { advertisedVersions, dispatchTable } from "./apis/registry.ts";
import type { ApiVersionRange } from "../protocol/api_descriptor.ts";
import { MemoryPool } from "../network/memory_pool.ts";
import { type RequestEnvelope, RequestQueueCounter, type ResponseEnvelope } from "../network/request_channel.ts";
import { type ChannelPort, channelPort, type RequestChannelKind } from "../network/batch_port.ts";
import { HandlerRingPort, type RingLinkBuffers } from "../network/ring_envelopes.ts";
import { Logger, type LogLevel, setLogLevel } from "../util/logger.ts";
import type { BrokerState, ControllerClient } from "./services/broker_state.ts";
import type { ControllerOp, ControllerResult } from "../cluster/controller_ops.ts";
import { HandlerCore } from "./handler_core.ts";
import type { CheckpointEntry } from "../replica/replica_manager.ts";
import { type HandledRequest, RequestHandler } from "./request_handler.ts";
import { rateOptionsOf, RateTable } from "../cluster/quota/rate_table.ts";
import { ClientQuotas } from "./services/client_quotas.ts";
import { startupTrace } from "../util/startup_trace.ts";

export interface HandlerInit {
  type: "init";
  index: number;
  count: number;
  name: string;
  config: BrokerConfig;
  image: MetadataImage;
  logDir: string;
  cleanShutdown: boolean;
  /** Kafka checkpoint entries, keyed `${topic}\u0000${partition}`. */
  recoveryPoints: Array<[string, bigint]>;
  logStartOffsets: Array<[string, bigint]>;
  processorPorts: MessagePort[];
  /** A "ring" channel: the rings shared with each processor (same order as processorPorts); else null. */
  processorRings: RingLinkBuffers[] | null;
  /** tsbroker.request.channel, "auto" resolved by the supervisor; the processors wrap their ends the same way. */
  requestChannel: RequestChannelKind;
  /** One port per other handler (null at this handler's own index). */
  peerPorts: Array<MessagePort | null>;
  queueBuffer: SharedArrayBuffer;
  queueCapacity: number;
  poolBuffer: SharedArrayBuffer;
  /** Client quota byte rates, shared by every handler (src/cluster/quota/rate_table.ts). */
  quotaRates: SharedArrayBuffer;
  logLevel: LogLevel;
  /** The main thread's time origin (epoch ms): start-up trace lines count from it. */
  traceOrigin?: number;
}

/** Supervisor → handler. */
export type HandlerCommand =
  | HandlerInit
  | { type: "image"; version: number; image: MetadataImage }
  | { type: "controller-reply"; id: number; result?: ControllerResult; error?: string }
  | { type: "shutdown" };

export interface Checkpoints {
  recoveryPoints: CheckpointEntry[];
  logStartOffsets: CheckpointEntry[];
  /** Partitions offline after a storage error ("name: why"): the shutdown is then not clean. */
  offline?: string[];
}

/** Handler → supervisor. */
export type HandlerReport =
  /** First, before init: the API versions this build serves (processors check frames against them). */
  | { type: "versions"; versions: ApiVersionRange[] }
  | { type: "ready"; partitions: number }
  | { type: "init-failed"; message: string }
  | { type: "controller"; id: number; call: ControllerOp }
  | { type: "image-applied"; version: number }
  | { type: "checkpoints"; checkpoints: Checkpoints }
  | { type: "stopped"; checkpoints: Checkpoints | null };

export function runHandlerWorker(scope: WorkerScope): void {
  const worker = new HandlerWorker(scope);
  scope.onmessage = (event: MessageEvent) => worker.receive(event.data as HandlerCommand);
  // Processors check frames against these: sent before any init, as soon as this Worker's modules are loaded.
  scope.postMessage({ type: "versions", versions: advertisedVersions() } satisfies HandlerReport);
}

/** One handler Worker's state, and a step for each message of the supervisor. */
class HandlerWorker {
  private state!: BrokerState;
  private core: HandlerCore | null = null;
  private log = new Logger("handler");
  private nextCallId = 1;
  /** Images apply one at a time, in the order the controller sent them. */
  private images: Promise<void> = Promise.resolve();
  private readonly pendingCalls = new Map<
    number,
    { resolve: (r: ControllerResult) => void; reject: (e: Error) => void }
  >();
  /** Metadata writes go to the supervisor's controller and are answered by "controller-reply". */
  private readonly controller: ControllerClient = {
    call: (call) =>
      new Promise((resolve, reject) => {
        const id = this.nextCallId++;
        this.pendingCalls.set(id, { resolve: resolve as (r: ControllerResult) => void, reject });
        this.scope.postMessage({ type: "controller", id, call } satisfies HandlerReport);
      }),
  };

  constructor(private readonly scope: WorkerScope) {}

  receive(message: HandlerCommand): void {
    switch (message.type) {
      case "init":
        this.init(message).catch((e) => {
          const text = e instanceof Error ? e.stack ?? e.message : String(e);
          this.scope.postMessage({ type: "init-failed", message: text } satisfies HandlerReport);
        });
        break;
      case "image":
        this.images = this.images.then(() => this.applyImage(message.version, message.image));
        break;
      case "controller-reply":
        this.controllerReply(message);
        break;
      case "shutdown":
        this.images.then(() => this.shutdown());
        break;
    }
  }

  /** Open this handler's partitions, then serve every processor's port. */
  private async init(message: HandlerInit): Promise<void> {
    setLogLevel(message.logLevel);
    this.log = new Logger(message.name);
    const trace = startupTrace(this.log, message.traceOrigin);
    trace(`init received (modules loaded ${performance.now().toFixed(1)} ms after the Worker's start)`);
    // tsbroker.request.channel: the processors and the other handlers wrap their ends the same way.
    const kind = message.requestChannel;
    const core = this.core = await HandlerCore.create({
      index: message.index,
      count: message.count,
      config: message.config,
      log: this.log,
      image: message.image,
      logDir: message.logDir,
      cleanShutdown: message.cleanShutdown,
      recoveryPoints: new Map(message.recoveryPoints),
      logStartOffsets: new Map(message.logStartOffsets),
      peerPorts: message.peerPorts.map((port) => port && channelPort(port, kind)),
      controller: this.controller,
    });
    this.state = core.state;
    const quotas = new ClientQuotas(new RateTable(message.quotaRates, rateOptionsOf(message.config)));
    const handler = new RequestHandler(dispatchTable(), () => this.state, this.log, true, quotas);
    const queue = new RequestQueueCounter(message.queueBuffer, message.queueCapacity);
    const pool = new MemoryPool(message.poolBuffer);
    // Requests that arrived while the partitions opened waited in these ports; they are served now, in order.
    for (const [p, processorPort] of message.processorPorts.entries()) {
      const port = message.processorRings
        ? new HandlerRingPort(processorPort, message.processorRings[p])
        : channelPort<ResponseEnvelope, RequestEnvelope>(processorPort, kind);
      port.onmessage = (e: MessageEvent) => serve(e.data as RequestEnvelope, port, handler, queue, pool);
    }
    const replicas = core.replicas;
    const reportCheckpoints = () =>
      this.scope.postMessage({ type: "checkpoints", checkpoints: replicas.checkpoints() } satisfies HandlerReport);
    replicas.startBackgroundTasks(reportCheckpoints);
    reportCheckpoints();
    trace(`ready, ${replicas.size} partitions`);
    this.scope.postMessage({ type: "ready", partitions: replicas.size } satisfies HandlerReport);
  }

  private async applyImage(version: number, image: MetadataImage): Promise<void> {
    try {
      await this.core!.applyImage(image);
    } catch (e) {
      this.log.error(`applying metadata image ${version} failed: ${e instanceof Error ? e.stack : e}`);
      this.state.metadata = new MetadataView(image);
    }
    this.scope.postMessage({ type: "image-applied", version } satisfies HandlerReport);
  }

  private controllerReply(message: { id: number; result?: ControllerResult; error?: string }): void {
    const call = this.pendingCalls.get(message.id);
    this.pendingCalls.delete(message.id);
    if (message.error !== undefined) call?.reject(new Error(message.error));
    else call?.resolve(message.result!);
  }

  private async shutdown(): Promise<void> {
    let checkpoints: Checkpoints | null = null;
    if (this.core) {
      await this.core.close();
      checkpoints = this.core.replicas.checkpoints();
    }
    this.scope.postMessage({ type: "stopped", checkpoints } satisfies HandlerReport);
  }
}

async function serve(
  envelope: RequestEnvelope,
  port: ChannelPort<ResponseEnvelope>,
  handler: RequestHandler,
  queue: RequestQueueCounter,
  pool: MemoryPool,
): Promise<void> {
  queue.dequeued();
  const frame = new Uint8Array(envelope.frame);
  const { conn, seq } = envelope;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    port.postMessage({ conn, seq, action: "release", frame: null, length: 0, error: 0 } satisfies ResponseEnvelope);
  };
  let result: HandledRequest;
  try {
    result = await handler.handle(frame, {
      listenerIndex: envelope.listener,
      principal: envelope.principal,
      clientAddress: envelope.client,
      release,
    });
  } catch (e) {
    // Anything RequestHandler did not turn into an answer (a failing error
    // response, say) closes this one connection; the Worker and every other
    // connection carry on.
    result = { action: "close", reason: `internal error: ${e instanceof Error ? e.message : e}` };
  } finally {
    pool.release(frame.byteLength);
  }
  let response: ResponseEnvelope;
  if (result.action === "send") {
    const bytes = result.bytes;
    const buffer = bytes.byteOffset === 0 ? bytes.buffer as ArrayBuffer : bytes.slice().buffer;
    response = { conn, seq, action: "send", frame: buffer, length: bytes.byteLength, error: result.error };
    if (result.throttleMs) response.throttleMs = result.throttleMs;
    const transfer = new Set<ArrayBuffer>([buffer]);
    if (result.more && result.more.length > 0) {
      response.more = [];
      for (const chunk of result.more) {
        if (chunk.byteLength === 0) continue;
        response.more.push({ buffer: chunk.buffer as ArrayBuffer, offset: chunk.byteOffset, length: chunk.byteLength });
        transfer.add(chunk.buffer as ArrayBuffer);
      }
    }
    port.postMessage(response, [...transfer]);
    return;
  }
  response = result.action === "none"
    ? { conn, seq, action: "none", frame: null, length: 0, error: result.error, throttleMs: result.throttleMs }
    : { conn, seq, action: "close", frame: null, length: 0, error: 1, reason: result.reason };
  port.postMessage(response);
}
