/**
 * The group.* / offsets.* keys resolved into the GroupConfig the group
 * coordinator uses, and their cross-key rules. Kafka names server-side
 * assignors by class; both its class names and the short names are accepted.
 */
import type { BrokerConfig } from "./keys.ts";
import type { Fail } from "./listeners.ts";

/** The group.* / offsets.* broker settings, resolved once. */
export interface GroupConfig {
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.max.size (classic groups) */
  maxSize: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  /** group.consumer.session.timeout.ms (KIP-848) */
  consumerSessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms (KIP-848) */
  consumerHeartbeatIntervalMs: number;
  /** group.consumer.max.size (KIP-848) */
  consumerMaxSize: number;
  /** group.consumer.assignors: names, the first is the default ("uniform", "range"). */
  consumerAssignors: string[];
}

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
