/**
 * The web console on the metrics HTTP server: its page and assets under
 * /console/, its JSON endpoints under /console/api/ (api.ts). The throughput
 * chart's sampler starts with it and stops on close, as does its Admin client.
 */
import type { BrokerConfig } from "../../config/keys.ts";
import { parseMetricsListener } from "../../config/metrics_listener.ts";
import type { MetricsReader } from "../../metrics/layout.ts";
import type { HttpRequestInfo, HttpResponseInit } from "../../runtime/types.ts";
import { ConsoleApi, type ConsoleContext } from "./api.ts";
import { APP_CSS, APP_JS, INDEX_HTML } from "./assets.ts";
import { HostGuard } from "./guard.ts";
import { ThroughputSampler } from "./throughput.ts";

/** What the supervisor tells the console about the broker. */
export interface ConsoleOptions {
  config: BrokerConfig;
  version: string;
  runtime: string;
  nodeId: number;
  /** Every listener as advertised, ports resolved. */
  listeners: ConsoleContext["listeners"];
}

export interface WebConsole {
  /** Answers a path under /console, or returns null for paths that are not the console's. */
  handle(path: string, request: HttpRequestInfo): Promise<HttpResponseInit> | null;
  /** Tells the console the port its HTTP server bound (Host headers must name it). */
  bound(port: number): void;
  close(): Promise<void>;
}

const ASSETS: Record<string, { contentType: string; body: string }> = {
  "/console": { contentType: "text/html; charset=utf-8", body: INDEX_HTML },
  "/console/": { contentType: "text/html; charset=utf-8", body: INDEX_HTML },
  "/console/index.html": { contentType: "text/html; charset=utf-8", body: INDEX_HTML },
  "/console/app.js": { contentType: "text/javascript; charset=utf-8", body: APP_JS },
  "/console/app.css": { contentType: "text/css; charset=utf-8", body: APP_CSS },
};

const API_PREFIX = "/console/api/";

export function startConsole(o: ConsoleOptions, reader: MetricsReader, processorCount: number): WebConsole {
  const throughput = new ThroughputSampler(reader, processorCount);
  throughput.start();
  const api = new ConsoleApi({
    version: o.version,
    runtime: o.runtime,
    nodeId: o.nodeId,
    startedAt: Date.now(),
    allowChanges: o.config["tsbroker.console.allow.changes"],
    listeners: o.listeners,
    throughput,
  });
  const address = parseMetricsListener(o.config);
  const guard = new HostGuard(address?.host ?? "", o.config["tsbroker.console.allowed.hosts"], address?.port ?? 0);
  return {
    handle(path, request) {
      if (path !== "/console" && !path.startsWith("/console/")) return null;
      const refused = guard.check(request);
      if (refused) return Promise.resolve(refused);
      if (path.startsWith(API_PREFIX)) return api.handle(path.slice(API_PREFIX.length), request);
      const asset = ASSETS[path];
      if (!asset) {
        return Promise.resolve({ status: 404, contentType: "text/plain", body: `not found: try /console/\n` });
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        return Promise.resolve({ status: 405, contentType: "text/plain", body: "only GET\n" });
      }
      return Promise.resolve({ status: 200, ...asset });
    },
    bound(port) {
      guard.bound(port);
    },
    async close() {
      throughput.stop();
      await api.close();
    },
  };
}
