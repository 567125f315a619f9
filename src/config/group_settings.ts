/**
 * The group.* / offsets.* keys resolved into the GroupConfig the group
 * coordinator uses, and their cross-key rules. Kafka names server-side
 * assignors by class; both its class names and the short names are accepted.
 */
import type { BrokerConfig } from "./keys.ts";
import type { Fail } from "./listeners.ts";
import type { GroupConfig } from "../group/types.ts";

const ASSIGNOR_CLASSES: Record<string, string> = {
  "org.apache.kafka.coordinator.group.assignor.UniformAssignor": "uniform",
  "org.apache.kafka.coordinator.group.assignor.RangeAssignor": "range",
  "org.apache.kafka.coordinator.group.api.assignor.UniformAssignor": "uniform",
  "org.apache.kafka.coordinator.group.api.assignor.RangeAssignor": "range",
};
const ASSIGNORS = ["uniform", "range"];

/** The short assignor name of a configured value, or null if unknown. */
export function assignorName(value: string): string | null {
  const name = ASSIGNOR_CLASSES[value] ?? value;
  return ASSIGNORS.includes(name) ? name : null;
}

export function validateGroupSettings(cfg: BrokerConfig, fail: Fail): void {
  if (cfg["group.min.session.timeout.ms"] > cfg["group.max.session.timeout.ms"]) {
    fail(
      "group.min.session.timeout.ms",
      `must not exceed group.max.session.timeout.ms (${cfg["group.max.session.timeout.ms"]})`,
    );
  }
  for (const value of cfg["group.consumer.assignors"]) {
    if (!assignorName(value)) fail("group.consumer.assignors", `unknown assignor "${value}"; known: uniform, range`);
  }
}

export function resolveGroupConfig(cfg: BrokerConfig): GroupConfig {
  return {
    minSessionTimeoutMs: cfg["group.min.session.timeout.ms"],
    maxSessionTimeoutMs: cfg["group.max.session.timeout.ms"],
    initialRebalanceDelayMs: cfg["group.initial.rebalance.delay.ms"],
    maxSize: cfg["group.max.size"],
    offsetsRetentionMs: cfg["offsets.retention.minutes"] * 60_000,
    offsetMetadataMaxBytes: cfg["offset.metadata.max.bytes"],
    consumerSessionTimeoutMs: cfg["group.consumer.session.timeout.ms"],
    consumerHeartbeatIntervalMs: cfg["group.consumer.heartbeat.interval.ms"],
    consumerMaxSize: cfg["group.consumer.max.size"],
    consumerAssignors: cfg["group.consumer.assignors"].map((v) => assignorName(v) ?? v),
  };
}
