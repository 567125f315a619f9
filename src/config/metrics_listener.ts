/** `tsbroker.metrics.listener` parsing: where the Prometheus/health HTTP server binds. */
import { type HostPort, parseHostPort } from "./address.ts";
import { ConfigError } from "./errors.ts";
import type { BrokerConfig } from "./keys.ts";
import type { Fail } from "./listeners.ts";

const KEY = "tsbroker.metrics.listener";

export function resolveMetricsListener(text: string, fail: Fail): HostPort | undefined {
  if (text === "") return undefined;
  const address = parseHostPort(text);
  return typeof address === "string" ? fail(KEY, address) : address;
}

/** Address of the /metrics + /healthz server, or undefined when it is disabled (empty value). */
export function parseMetricsListener(cfg: BrokerConfig): HostPort | undefined {
  return resolveMetricsListener(cfg[KEY], (key, problem) => {
    throw new ConfigError(`${key}: ${problem}`, { key });
  });
}
