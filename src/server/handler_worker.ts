/**
 * The body of a handler Worker (Kafka's KafkaRequestHandler), independent of
 * the runtime: takes requests from every processor's port, runs them through
 * the RequestHandler, and posts each response back on the port it came from.
 * Metadata writes go to the supervisor (the controller) and come back as a
 * new metadata image, broadcast to every handler.
 */
import type { WorkerScope } from "../runtime/types.ts";
import type { BrokerConfig } from "../config/keys.ts";
import { type MetadataImage, MetadataView } from "../cluster/metadata_image.ts";
import { advertisedVersions, dispatchTable } from "../apis/registry.ts";
import { MemoryPool } from "../network/memory_pool.ts";
import { RequestQueueCounter, type RequestEnvelope, type ResponseEnvelope } from "../network/request_channel.ts";
import { Logger, type LogLevel, setLogLevel } from "../util/logger.ts";
import type { BrokerState } from "./broker_state.ts";
import { RequestHandler } from "./request_handler.ts";

export interface HandlerInit {
  type: "init";
  index: number;
  name: string;
  config: BrokerConfig;
  image: MetadataImage;
  processorPorts: MessagePort[];
  queueBuffer: SharedArrayBuffer;
  queueCapacity: number;
  poolBuffer: SharedArrayBuffer;
  logLevel: LogLevel;
}

/** Supervisor → handler. */
export type HandlerCommand =
  | HandlerInit
  | { type: "image"; image: MetadataImage }
  | { type: "controller-reply"; id: number; error?: string }
  | { type: "shutdown" };

/** Handler → supervisor. */
export type HandlerReport =
  | { type: "ready" }
  | { type: "controller"; id: number; op: "createTopics"; names: string[] }
  | { type: "stopped" };

export function runHandlerWorker(scope: WorkerScope): void {
  let state: BrokerState;
  let nextCallId = 1;
  const pendingCalls = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  const callController = (names: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextCallId++;
      pendingCalls.set(id, { resolve, reject });
      scope.postMessage({ type: "controller", id, op: "createTopics", names } satisfies HandlerReport);
    });

  scope.onmessage = (event: MessageEvent) => {
    const message = event.data as HandlerCommand;
    switch (message.type) {
      case "init": {
        setLogLevel(message.logLevel);
        const log = new Logger(message.name);
        state = {
          config: message.config,
          metadata: new MetadataView(message.image),
          apiVersions: advertisedVersions(),
          controller: { createTopics: callController },
        };
        const handler = new RequestHandler(dispatchTable(), () => state, log);
        const queue = new RequestQueueCounter(message.queueBuffer, message.queueCapacity);
        const pool = new MemoryPool(message.poolBuffer);
        for (const port of message.processorPorts) {
          port.onmessage = (e: MessageEvent) => serve(e.data as RequestEnvelope, port, handler, queue, pool);
        }
        scope.postMessage({ type: "ready" } satisfies HandlerReport);
        break;
      }
      case "image":
        state.metadata = new MetadataView(message.image);
        break;
      case "controller-reply": {
        const call = pendingCalls.get(message.id);
        pendingCalls.delete(message.id);
        if (message.error) call?.reject(new Error(message.error));
        else call?.resolve();
        break;
      }
      case "shutdown":
        scope.postMessage({ type: "stopped" } satisfies HandlerReport);
        break;
    }
  };
}

async function serve(
  envelope: RequestEnvelope,
  port: MessagePort,
  handler: RequestHandler,
  queue: RequestQueueCounter,
  pool: MemoryPool,
): Promise<void> {
  queue.dequeued();
  const frame = new Uint8Array(envelope.frame);
  let result;
  try {
    result = await handler.handle(frame, {
      listenerIndex: envelope.listener,
      principal: envelope.principal,
      clientAddress: envelope.client,
    });
  } finally {
    pool.release(frame.byteLength);
  }
  let response: ResponseEnvelope;
  if (result.action === "send") {
    const bytes = result.bytes;
    const buffer = bytes.byteOffset === 0 ? bytes.buffer as ArrayBuffer : bytes.slice().buffer;
    response = { conn: envelope.conn, action: "send", frame: buffer, length: bytes.byteLength, error: result.error };
    port.postMessage(response, [buffer]);
    return;
  }
  response = result.action === "none"
    ? { conn: envelope.conn, action: "none", frame: null, length: 0, error: result.error }
    : { conn: envelope.conn, action: "close", frame: null, length: 0, error: 1, reason: result.reason };
  port.postMessage(response);
}
