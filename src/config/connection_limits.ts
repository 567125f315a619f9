/** `max.connections.per.ip.overrides` ("host:count,host:count") parsing. */
import { ConfigError } from "./errors.ts";
import type { BrokerConfig } from "./keys.ts";
import type { Fail } from "./listeners.ts";

const KEY = "max.connections.per.ip.overrides";
const COUNT = /^\d{1,10}$/;

/** Parses the overrides text into host → connection limit; blank entries are ignored. */
export function parseConnectionOverrides(text: string, fail: Fail): Map<string, number> {
  const limits = new Map<string, number>();
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    // Split at the last colon so unbracketed IPv6 addresses still work, as in Kafka.
    const colon = entry.lastIndexOf(":");
    let host = colon > 0 ? entry.slice(0, colon).trim() : "";
    const count = colon > 0 ? entry.slice(colon + 1).trim() : "";
    if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
    if (host === "" || !COUNT.test(count)) fail(KEY, `entry "${entry}" is not of the form host:count`);
    const n = Number(count);
    if (n > 2147483647) fail(KEY, `entry "${entry}" has a count above 2147483647`);
    if (limits.has(host)) fail(KEY, `host ${host} is listed more than once`);
    limits.set(host, n);
  }
  return limits;
}

/** Per-host connection limits of a loaded config (host name or IP → limit). */
export function maxConnectionsPerIpOverrides(cfg: BrokerConfig): Map<string, number> {
  return parseConnectionOverrides(cfg[KEY], (key, problem) => {
    throw new ConfigError(`${key}: ${problem}`, { key });
  });
}
