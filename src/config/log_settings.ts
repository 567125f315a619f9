/**
 * Broker-level log settings whose value depends on more than one key, with
 * Kafka's precedence (KafkaConfig.logRetentionTimeMillis, logRollTimeMillis,
 * logRollTimeJitterMillis, logFlushIntervalMs). Several of these keys default
 * to "unset" (null), so code must read them through these helpers rather than
 * the raw keys.
 */
import type { BrokerConfig } from "./keys.ts";

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/** log.retention.ms > log.retention.minutes > log.retention.hours; any negative result means "no limit" (-1). */
export function effectiveRetentionMs(cfg: BrokerConfig): number {
  const minutes = cfg["log.retention.minutes"];
  const ms = cfg["log.retention.ms"] ??
    (minutes !== null ? minutes * MS_PER_MINUTE : cfg["log.retention.hours"] * MS_PER_HOUR);
  return ms < 0 ? -1 : ms;
}

/** log.roll.ms, or else log.roll.hours. */
export function effectiveRollMs(cfg: BrokerConfig): number {
  return cfg["log.roll.ms"] ?? cfg["log.roll.hours"] * MS_PER_HOUR;
}

/** log.roll.jitter.ms, or else log.roll.jitter.hours. */
export function effectiveRollJitterMs(cfg: BrokerConfig): number {
  return cfg["log.roll.jitter.ms"] ?? cfg["log.roll.jitter.hours"] * MS_PER_HOUR;
}

/**
 * log.flush.interval.ms, or else log.flush.scheduler.interval.ms (Kafka's rule; with the defaults both mean
 * "never flush by time", leaving it to the OS). Number.MAX_SAFE_INTEGER stands for Kafka's Long.MAX_VALUE.
 */
export function effectiveFlushMs(cfg: BrokerConfig): number {
  return cfg["log.flush.interval.ms"] ?? cfg["log.flush.scheduler.interval.ms"];
}
