/**
 * The metrics HTTP server on its own port: `/metrics` (Prometheus text),
 * `/healthz` (200 "ok" while the broker runs) and, unless
 * tsbroker.console.enable=false, the web console under `/console/`. Served
 * from the supervisor, which reads the processors' shared metric regions and
 * the shared buffers.
 */
import type { HostRuntime, HttpRequestInfo, HttpServer } from "../runtime/types.ts";
import type { HostPort } from "../config/address.ts";
import { MemoryPool } from "../network/memory_pool.ts";
import { ConnectionQuotas } from "../network/connection_quotas.ts";
import type { RequestQueueCounter } from "../network/request_channel.ts";
import { MetricsReader } from "../metrics/layout.ts";
import { renderPrometheus } from "../metrics/prometheus.ts";
import { type ConsoleOptions, startConsole, type WebConsole } from "./console/console.ts";

export interface MetricsServerOptions {
  metricsBuffer: SharedArrayBuffer;
  processorCount: number;
  poolBuffer: SharedArrayBuffer;
  queue: RequestQueueCounter;
  quotaBuffer: SharedArrayBuffer;
  processorNames: string[];
  handlerCount: number;
  /** The web console's facts about the broker; without them (or with tsbroker.console.enable=false) no console. */
  console?: ConsoleOptions;
}

export async function startMetricsServer(
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
  const web: WebConsole | null = o.console?.config["tsbroker.console.enable"]
    ? startConsole(o.console, reader, o.processorCount)
    : null;
  const hint = web ? "/metrics, /healthz or /console/" : "/metrics or /healthz";
  const handler = (path: string, request: HttpRequestInfo) => {
    const answer = web?.handle(path, request);
    if (answer) return answer;
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
    return { status: 404, contentType: "text/plain", body: `not found: try ${hint}\n` };
  };
  let server: HttpServer;
  try {
    server = await runtime.serveHttp(address.host, address.port, handler);
  } catch (e) {
    // Port taken: stop the console's sampler timer, or it would keep the process alive.
    await web?.close();
    throw e;
  }
  if (!web) return server;
  web.bound(server.port);
  return {
    port: server.port,
    close: async () => {
      await web.close();
      await server.close();
    },
  };
}
