/**
 * The web console on the metrics HTTP server: its page and assets under
 * /console/, its JSON endpoints under /console/api/ (api.ts). The throughput
 * chart's sampler starts with it and stops on close, as do its clients. Whether
 * users log in, and over which listener, is decided here once (access.ts).
 */
import type { BrokerConfig } from "../../config/keys.ts";
import { parseListeners } from "../../config/listeners.ts";
import { parseMetricsListener } from "../../config/metrics_listener.ts";
import type { MetricsReader } from "../../metrics/layout.ts";
import type { HttpRequestInfo, HttpResponseInit } from "../../runtime/types.ts";
import { type ListenerFacts, planAccess } from "./access.ts";
import { ConsoleApi, type ConsoleContext } from "./api.ts";
import { APP_CSS, APP_JS, INDEX_HTML } from "./assets.ts";
import { HostGuard } from "./guard.ts";
import { ConsoleAuth } from "./login.ts";
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
  }, new ConsoleAuth(planAccess(o.config["authorizer.class.name"], listenerFacts(o))));
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

/**
 * The advertised listeners with what a client of each needs: SASL mechanisms, and for SASL_SSL the broker's
 * own certificates to trust (its chain, whose last certificate is the issuer or self-signed, and its trust
 * store, which holds the CA when the chain stops short of it). The config was checked at start, so parsing
 * it again cannot fail.
 */
function listenerFacts(o: ConsoleOptions): ListenerFacts[] {
  const parsed = new Map(parseListeners(o.config).map((l) => [l.name, l]));
  return o.listeners.map((l) => {
    const own = parsed.get(l.name);
    return {
      ...l,
      mechanisms: own?.sasl?.mechanisms,
      caPem: own?.tls ? own.tls.certChain + own.tls.trustedCerts : undefined,
    };
  });
}
