/**
 * What every Worker shares through SharedArrayBuffers, created once by the
 * supervisor: connection quotas, the request memory pool, the unsent-response
 * budget, the bounded request queue and the metrics regions. (The table of
 * served API versions comes from the handlers: see handler_pool.ts.)
 */
import type { BrokerConfig } from "../config/keys.ts";
import { createMetricsBuffer } from "../metrics/layout.ts";
import { effectiveMaxConnections } from "../network/connection_limit.ts";
import { createQuotaBuffer } from "../network/connection_quotas.ts";
import { createMemoryPoolBuffer } from "../network/memory_pool.ts";
import { RequestQueueCounter } from "../network/request_channel.ts";

export interface SharedState {
  quotaBuffer: SharedArrayBuffer;
  poolBuffer: SharedArrayBuffer;
  unsentBuffer: SharedArrayBuffer;
  queueBuffer: SharedArrayBuffer;
  metricsBuffer: SharedArrayBuffer;
  queue: RequestQueueCounter;
  connectionLimit: ReturnType<typeof effectiveMaxConnections>;
}

export function createSharedState(config: BrokerConfig, processorCount: number, listenerCount = 16): SharedState {
  const queueBuffer = RequestQueueCounter.createBuffer();
  return {
    quotaBuffer: createQuotaBuffer({
      listeners: listenerCount,
      window: { samples: config["quota.window.num"], windowMs: config["quota.window.size.seconds"] * 1000 },
    }),
    poolBuffer: createMemoryPoolBuffer(config["queued.max.request.bytes"]),
    unsentBuffer: createMemoryPoolBuffer(config["tsbroker.queued.max.response.bytes"]),
    queueBuffer,
    metricsBuffer: createMetricsBuffer(processorCount),
    queue: new RequestQueueCounter(queueBuffer, config["queued.max.requests"]),
    connectionLimit: effectiveMaxConnections(config["max.connections"]),
  };
}
