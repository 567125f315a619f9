/**
 * Connection limits beyond one key's value: `max.connections.per.ip.overrides`
 * ("host:count,host:count") and the per-listener `listener.name.<l>.max.connections`
 * and `listener.name.<l>.max.connection.creation.rate` (KIP-612), which apply
 * together with the broker-wide keys, as in Kafka.
 */
import { ConfigError } from "./errors.ts";
import type { BrokerConfig, ConfigKey } from "./keys.ts";
import { INT_MAX } from "./key_spec.ts";
import { listenerScopedKey, listenerScopedValues } from "./keys_security.ts";
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

/** A listener's own connection limits; Kafka's Int.MaxValue where the listener sets none. */
export interface ListenerConnectionLimits {
  maxConnections: number;
  maxConnectionCreationRate: number;
}

const PER_LISTENER_KEYS = ["max.connections", "max.connection.creation.rate"] as const;

/** `listener.name.<listener>.max.connections` and `.max.connection.creation.rate` of a config, checked. */
export function listenerConnectionLimits(cfg: BrokerConfig, listener: string, fail: Fail): ListenerConnectionLimits {
  const own = new Map<string, string>();
  for (const [name, value] of listenerScopedValues(cfg)) {
    const scoped = listenerScopedKey(name);
    if (scoped?.listener === listener.toUpperCase() && scoped.mechanism === null) own.set(scoped.key, value);
  }
  const [maxConnections, maxConnectionCreationRate] = PER_LISTENER_KEYS.map((key) => {
    const text = own.get(key);
    if (text === undefined) return INT_MAX;
    const n = Number(text.trim());
    if (text.trim() === "" || !Number.isInteger(n) || n < 0 || n > INT_MAX) {
      const name = `listener.name.${listener.toLowerCase()}.${key}`;
      fail(key as ConfigKey, `${name} = ${text}: expected an integer from 0 to ${INT_MAX}`);
    }
    return n;
  });
  return { maxConnections, maxConnectionCreationRate };
}

/** Whether `key` is a per-listener connection limit (`listener.name.<l>.max.connections` or its creation rate). */
export function isListenerConnectionKey(key: string): boolean {
  return /^listener\.name\.[^.]+\.(max\.connections|max\.connection\.creation\.rate)$/.test(key);
}

/** Per-listener connection limits naming no listener of `listeners` (likely a typo). */
export function strayConnectionKeys(cfg: BrokerConfig, listeners: readonly string[]): string[] {
  return [...listenerScopedValues(cfg).keys()].filter((key) =>
    isListenerConnectionKey(key) && !listeners.includes(listenerScopedKey(key)!.listener)
  );
}
