/**
 * What every Worker shares through SharedArrayBuffers, created once by the
 * supervisor: connection quotas, the request memory pool, the unsent-response
 * budget, the bounded request queue and the metrics regions; and the table
 * of served API versions that processors check frames against.
 */
import type { BrokerConfig } from "../config/keys.ts";
import { advertisedVersions } from "../handler/apis/registry.ts";
import { createMetricsBuffer } from "../metrics/layout.ts";
import { effectiveMaxConnections } from "../network/connection_limit.ts";
import { createQuotaBuffer } from "../network/connection_quotas.ts";
import { createMemoryPoolBuffer } from "../network/memory_pool.ts";
import { RequestQueueCounter } from "../network/request_channel.ts";
import { buildSupportedVersions, type SupportedVersions } from "../network/supported_versions.ts";

export interface SharedState {
  supported: SupportedVersions;
  quotaBuffer: SharedArrayBuffer;
  poolBuffer: SharedArrayBuffer;
  unsentBuffer: SharedArrayBuffer;
  queueBuffer: SharedArrayBuffer;
  metricsBuffer: SharedArrayBuffer;
  queue: RequestQueueCounter;
  connectionLimit: ReturnType<typeof effectiveMaxConnections>;
}

export function createSharedState(config: BrokerConfig, processorCount: number): SharedState {
  const queueBuffer = RequestQueueCounter.createBuffer();
  return {
    supported: buildSupportedVersions(advertisedVersions()),
    quotaBuffer: createQuotaBuffer(),
    poolBuffer: createMemoryPoolBuffer(config["queued.max.request.bytes"]),
    unsentBuffer: createMemoryPoolBuffer(config["tsbroker.queued.max.response.bytes"]),
    queueBuffer,
    metricsBuffer: createMetricsBuffer(processorCount),
    queue: new RequestQueueCounter(queueBuffer, config["queued.max.requests"]),
    connectionLimit: effectiveMaxConnections(config["max.connections"]),
  };
}
