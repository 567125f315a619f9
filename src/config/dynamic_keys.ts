/**
 * Which broker keys can change while tsbroker runs (Kafka's dynamic broker
 * configs, KIP-226), and how a new value is checked.
 *
 * Kafka 4.4 lets about a hundred broker keys change at run time. Of the keys
 * tsbroker has, it applies at once the ones that are defaults of topic
 * configs (log.retention.ms, log.segment.bytes, message.max.bytes...): every
 * open partition without its own override re-resolves its settings, as
 * Kafka's DynamicLogConfig does. The other keys Kafka changes at run time
 * size or bind things tsbroker fixes at start (Workers, listeners, the
 * connection quotas the processors hold, producer-state managers already
 * open): tsbroker refuses them with Kafka's INVALID_REQUEST "Cannot update
 * these configs dynamically" and says why, rather than storing a value that
 * would not take effect. Every other key of tsbroker's table is static, as
 * in Kafka. Names tsbroker does not know are stored and shown as Kafka does
 * with names it does not know (its plug-ins may read them); they change
 * nothing.
 *
 * Values are checked as Kafka's ConfigDef parses them, against tsbroker's
 * key table (types, bounds, enum values), with Kafka's wording: "Invalid
 * value x for configuration k: Not a number of type LONG".
 */
import { CONFIG_KEY_NAMES, type ConfigKey, isConfigKey, type KeySpec, keySpec } from "./keys.ts";

/** Keys tsbroker applies while running: broker defaults of topic configs, re-resolved on every open partition. */
const APPLIED: readonly string[] = [
  "log.segment.bytes",
  "log.roll.ms",
  "log.roll.jitter.ms",
  "log.retention.ms",
  "log.retention.bytes",
  "log.segment.delete.delay.ms",
  "log.index.interval.bytes",
  "log.index.size.max.bytes",
  "log.flush.interval.messages",
  "log.flush.interval.ms",
  "log.message.timestamp.type",
  "log.message.timestamp.before.max.ms",
  "log.message.timestamp.after.max.ms",
  "log.cleanup.policy",
  "log.cleaner.delete.retention.ms",
  "log.cleaner.min.compaction.lag.ms",
  "log.cleaner.max.compaction.lag.ms",
  "log.cleaner.min.cleanable.ratio",
  "log.local.retention.ms",
  "log.local.retention.bytes",
  "compression.type",
  "compression.gzip.level",
  "compression.lz4.level",
  "compression.zstd.level",
  "message.max.bytes",
  "min.insync.replicas",
];

/** Keys Kafka changes while running that tsbroker cannot, and why (appended to Kafka's refusal). */
const KAFKA_DYNAMIC_NOT_APPLIED: Readonly<Record<string, string>> = {
  "num.io.threads": "tsbroker starts its handler Workers once",
  "num.network.threads": "tsbroker starts its processor Workers once",
  "listeners": "tsbroker binds its listeners once",
  "listener.security.protocol.map": "tsbroker binds its listeners once",
  "max.connections": "tsbroker's processors read the connection limits once",
  "max.connections.per.ip": "tsbroker's processors read the connection limits once",
  "max.connections.per.ip.overrides": "tsbroker's processors read the connection limits once",
  "max.connection.creation.rate": "tsbroker's processors read the connection limits once",
  "producer.id.expiration.ms": "tsbroker's open partitions read it once",
  "log.cleaner.threads": "tsbroker's log cleaner reads its settings once",
  "log.cleaner.backoff.ms": "tsbroker's log cleaner reads its settings once",
  "log.cleaner.dedupe.buffer.size": "tsbroker's log cleaner reads its settings once",
  "log.cleaner.io.buffer.size": "tsbroker's log cleaner reads its settings once",
  "log.cleaner.io.buffer.load.factor": "tsbroker's log cleaner reads its settings once",
  "log.cleaner.io.max.bytes.per.second": "tsbroker's log cleaner reads its settings once",
};

/** Kafka's per-broker-only keys among tsbroker's: refused on the cluster-wide default resource. */
const PER_BROKER_ONLY: ReadonlySet<string> = new Set(["listeners", "listener.security.protocol.map"]);

/** Whether tsbroker applies `key` while running (DescribeConfigs shows such keys read-write). */
export function isDynamicKey(key: string): boolean {
  return APPLIED.includes(key) && isConfigKey(key);
}

/** Every key of the table that tsbroker applies while running, sorted. */
export function dynamicKeys(): ConfigKey[] {
  return CONFIG_KEY_NAMES.filter((k) => isDynamicKey(k)).sort();
}

/**
 * Kafka's checks of the keys a BROKER alteration sets, in its order: keys that cannot change while running,
 * then per-broker-only keys on the default resource (""), then each value. The message of Kafka's
 * INVALID_REQUEST, or null when all pass; names tsbroker does not know pass (stored, without effect).
 */
export function dynamicChangeProblem(entries: ReadonlyArray<[string, string]>, clusterDefault: boolean): string | null {
  const names = entries.map(([name]) => name);
  const fixed = names.filter((n) => isConfigKey(n) && !isDynamicKey(n) && !Object.hasOwn(KAFKA_DYNAMIC_NOT_APPLIED, n));
  if (fixed.length > 0) return `Cannot update these configs dynamically: [${fixed.join(", ")}]`;
  if (clusterDefault) {
    const perBroker = names.filter((n) => PER_BROKER_ONLY.has(n));
    if (perBroker.length > 0) {
      return `Cannot update these configs at default cluster level, broker id must be specified: [${
        perBroker.join(", ")
      }]`;
    }
  }
  const notApplied = names.filter((n) => Object.hasOwn(KAFKA_DYNAMIC_NOT_APPLIED, notAppliedName(n)));
  if (notApplied.length > 0) {
    const why = [...new Set(notApplied.map((n) => KAFKA_DYNAMIC_NOT_APPLIED[notAppliedName(n)]))].join("; ");
    return `Cannot update these configs dynamically: [${notApplied.join(", ")}] (${why}: set them in the ` +
      `config file and restart)`;
  }
  for (const [name, value] of entries) {
    if (!isConfigKey(name)) continue;
    const problem = valueProblem(keySpec(name), value);
    if (problem !== null) return `Invalid value ${value} for configuration ${name}: ${problem}`;
  }
  return null;
}

/** Per-listener connection limits (listener.name.<l>.max.connections...) are refused as their broker-wide keys are. */
function notAppliedName(name: string): string {
  const m = /^listener\.name\.[^.]+\.(max\.connections|max\.connection\.creation\.rate)$/.exec(name);
  return m ? m[1] : name;
}

const INT_RANGE = [-2147483648n, 2147483647n] as const;
const LONG_RANGE = [-9223372036854775808n, 9223372036854775807n] as const;

/** Kafka's ConfigDef.parseType and validators, on tsbroker's spec of the key; null when the value is fine. */
export function valueProblem(spec: KeySpec, raw: string): string | null {
  const text = raw.trim();
  switch (spec.type) {
    case "int":
    case "long": {
      const [lo, hi] = spec.type === "int" ? INT_RANGE : LONG_RANGE;
      if (!/^[+-]?\d+$/.test(text) || BigInt(text) < lo || BigInt(text) > hi) {
        return `Not a number of type ${spec.type.toUpperCase()}`;
      }
      return rangeProblem(spec.min, spec.max, spec.special, Number(BigInt(text)));
    }
    case "double": {
      const n = Number(text);
      if (text === "" || !Number.isFinite(n)) return "Not a number of type DOUBLE";
      return rangeProblem(spec.min, spec.max, spec.special, n);
    }
    case "boolean":
      return /^(true|false)$/i.test(text) ? null : "Expected value to be either true or false";
    case "enum":
      return spec.values.includes(text) ? null : `String must be one of: ${spec.values.join(", ")}`;
    case "string":
    case "list":
      return null;
  }
}

function rangeProblem(
  min: number | undefined,
  max: number | undefined,
  special: readonly { value: number }[] | undefined,
  n: number,
): string | null {
  if ((special ?? []).some((s) => s.value === n)) return null;
  if (min !== undefined && n < min) return `Value must be at least ${min}`;
  if (max !== undefined && n > max) return `Value must be no more than ${max}`;
  return null;
}

/** The keys Kafka changes while running that tsbroker refuses to, with the reason (for docs and tests). */
export function keysRefusedWhileRunning(): Array<[string, string]> {
  return Object.entries(KAFKA_DYNAMIC_NOT_APPLIED).filter(([k]) => isConfigKey(k));
}
