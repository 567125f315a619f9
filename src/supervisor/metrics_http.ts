/**
 * The metrics HTTP server on its own port: `/metrics` (Prometheus text) and
 * `/healthz` (200 "ok" while the broker runs). Served from the supervisor,
 * which reads the processors' shared metric regions and the shared buffers.
 */
import type { HostRuntime, HttpServer } from "../runtime/types.ts";
import type { HostPort } from "../config/address.ts";
import { MemoryPool } from "../network/memory_pool.ts";
import { ConnectionQuotas } from "../network/connection_quotas.ts";
import type { RequestQueueCounter } from "../network/request_channel.ts";
import { MetricsReader } from "../metrics/layout.ts";
import { renderPrometheus } from "../metrics/prometheus.ts";

export interface MetricsServerOptions {
  metricsBuffer: SharedArrayBuffer;
  processorCount: number;
  poolBuffer: SharedArrayBuffer;
  queue: RequestQueueCounter;
  quotaBuffer: SharedArrayBuffer;
  processorNames: string[];
  handlerCount: number;
}

export function startMetricsServer(
  runtime: HostRuntime,
  address: HostPort,
  o: MetricsServerOptions,
): Promise<HttpServer> {
  const reader = new MetricsReader(o.metricsBuffer, o.processorCount);
  const pool = new MemoryPool(o.poolBuffer);
  const quotas = new ConnectionQuotas(o.quotaBuffer, {
    maxConnections: 0,
    maxConnectionsPerIp: 0,
    perIpOverrides: new Map(),
  });
  return runtime.serveHttp(address.host, address.port, (path) => {
    if (path === "/metrics") {
      const body = renderPrometheus({
        reader,
        processorNames: o.processorNames,
        handlerCount: o.handlerCount,
        poolAvailable: pool.available,
        poolUsed: pool.used,
        requestQueueSize: o.queue.size,
        connections: quotas.total,
      });
      return { status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body };
    }
    if (path === "/healthz") return { status: 200, contentType: "text/plain", body: "ok\n" };
    return { status: 404, contentType: "text/plain", body: "not found: try /metrics or /healthz\n" };
  });
}
