/**
 * Rules that involve more than one key, or the inner format of a string/list
 * value. Run after every value has been coerced to its type.
 */
import { listenerConnectionLimits, parseConnectionOverrides, strayConnectionKeys } from "./connection_limits.ts";
import type { BrokerConfig, ConfigKey } from "./keys.ts";
import { type Fail, resolveListeners } from "./listeners.ts";
import { resolveMetricsListener } from "./metrics_listener.ts";
import { validateGroupSettings } from "./group_settings.ts";

/** `wasSet` tells keys the user wrote from defaults, so a rule blames the key the user can change. */
export function validateConfig(cfg: BrokerConfig, fail: Fail, wasSet: (key: ConfigKey) => boolean): void {
  const listeners = resolveListeners(cfg, fail);
  for (const listener of listeners) listenerConnectionLimits(cfg, listener.name, fail);
  const stray = strayConnectionKeys(cfg, listeners.map((l) => l.name));
  if (stray.length > 0) fail("listeners", `${stray.join(", ")} ${stray.length === 1 ? "names" : "name"} no listener`);
  resolveMetricsListener(cfg["tsbroker.metrics.listener"], fail);
  validateGroupSettings(cfg, fail);

  const overrides = parseConnectionOverrides(cfg["max.connections.per.ip.overrides"], fail);
  // Kafka's rule: a per-IP limit of 0 only makes sense if some hosts are let in by overrides.
  if (cfg["max.connections.per.ip"] === 0 && overrides.size === 0) {
    fail("max.connections.per.ip", "0 is allowed only when max.connections.per.ip.overrides lets some hosts in");
  }

  // Kafka's rule: a bounded queue smaller than one request would block forever on a large request.
  const queued = cfg["queued.max.request.bytes"];
  const requestMax = cfg["socket.request.max.bytes"];
  if (queued !== -1 && queued < requestMax) {
    const blamed = wasSet("queued.max.request.bytes") ? "queued.max.request.bytes" : "socket.request.max.bytes";
    fail(blamed, `queued.max.request.bytes (${queued}) must be -1 or ≥ socket.request.max.bytes (${requestMax})`);
  }

  // Kafka's ValidList: each item one of the policies, no repeats.
  const policies = cfg["log.cleanup.policy"];
  const unknown = policies.filter((p) => p !== "delete" && p !== "compact");
  if (unknown.length > 0) {
    fail("log.cleanup.policy", `unknown policy ${unknown.join(", ")}: use delete, compact or both`);
  } else if (new Set(policies).size !== policies.length) fail("log.cleanup.policy", "a policy is named twice");
}
