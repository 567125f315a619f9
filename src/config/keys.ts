/**
 * The single table of every configuration key tsbroker understands.
 *
 * Everything else (loading, coercion, validation, docs, --help) is derived from
 * this table, so adding a key here is the only step needed to make it loadable
 * and documented. Kafka's own keys keep Kafka's names and semantics; keys that
 * only make sense for tsbroker are prefixed `tsbroker.`.
 */

export type KeyType = "string" | "int" | "long" | "double" | "boolean" | "list" | "enum";

/** "kafka": a key with Kafka's name and meaning; "tsbroker": an extension (name starts with `tsbroker.`). */
export type KeyOrigin = "kafka" | "tsbroker";

/** A value allowed outside min..max, such as -1 meaning "unbounded". */
export interface SpecialValue {
  readonly value: number;
  readonly meaning: string;
}

interface SpecBase {
  /** One-line meaning, shown in docs and --help. */
  readonly doc: string;
  readonly origin: KeyOrigin;
  /** Set only when tsbroker's default differs from Kafka's, so users migrating notice. */
  readonly kafkaDefault?: string;
}

export interface NumberSpec extends SpecBase {
  readonly type: "int" | "long" | "double";
  readonly default: number;
  readonly min?: number;
  readonly max?: number;
  readonly special?: readonly SpecialValue[];
  /** Why the range is what it is; appended to out-of-range errors. */
  readonly rangeNote?: string;
}

export interface StringSpec extends SpecBase {
  readonly type: "string";
  readonly default: string;
  /** Expected shape, for docs and errors; checked by validate.ts. */
  readonly format?: string;
}

export interface ListSpec extends SpecBase {
  readonly type: "list";
  readonly default: readonly string[];
  /** Lists that must not be empty (e.g. listeners) set this to 1. */
  readonly minItems?: number;
  /** Shape of each item, for docs and errors. */
  readonly format?: string;
}

export interface BooleanSpec extends SpecBase {
  readonly type: "boolean";
  readonly default: boolean;
}

export interface EnumSpec extends SpecBase {
  readonly type: "enum";
  readonly default: string;
  readonly values: readonly string[];
}

export type KeySpec = NumberSpec | StringSpec | ListSpec | BooleanSpec | EnumSpec;

const INT_MAX = 2147483647;

export const CONFIG_KEYS = {
  "node.id": {
    type: "int", default: 1, min: 0, origin: "kafka", kafkaDefault: "none, must be set",
    doc: "Id of this broker, reported to clients in Metadata responses.",
  },
  "listeners": {
    type: "list", default: ["PLAINTEXT://127.0.0.1:9092"], minItems: 1, format: "NAME://host:port",
    origin: "kafka", kafkaDefault: "PLAINTEXT://:9092",
    doc: "Addresses to listen on; empty host = all interfaces, IPv6 as [::1], port 0 = any free port.",
  },
  "advertised.listeners": {
    type: "list", default: [], format: "NAME://host:port", origin: "kafka",
    doc: "Addresses given to clients, by listener name; empty = use listeners (an empty or 0.0.0.0 host becomes the machine's host name).",
  },
  "listener.security.protocol.map": {
    type: "list", default: ["PLAINTEXT:PLAINTEXT", "SSL:SSL", "SASL_PLAINTEXT:SASL_PLAINTEXT", "SASL_SSL:SASL_SSL"],
    minItems: 1, format: "NAME:PROTOCOL", origin: "kafka",
    doc: "Security protocol of each listener name; only PLAINTEXT is supported so far.",
  },
  "log.dirs": {
    type: "list", default: ["./data"], minItems: 1, origin: "kafka", kafkaDefault: "unset, falling back to log.dir",
    doc: "Directories where partition data is stored.",
  },
  "log.dir": {
    type: "string", default: "", origin: "kafka", kafkaDefault: "/tmp/kafka-logs",
    doc: "Single data directory, used only when log.dirs is not set (Kafka compatibility); empty = unset.",
  },
  "num.network.threads": {
    type: "int", default: 2, min: 1, max: 64, origin: "kafka", kafkaDefault: "3",
    doc: "Threads that read requests from and write responses to sockets; each is a JS isolate costing ~20 MB, hence the lower default.",
  },
  "num.io.threads": {
    type: "int", default: 2, min: 1, max: 256, origin: "kafka", kafkaDefault: "8",
    doc: "Threads that process requests, including disk I/O; each is a JS isolate costing ~20 MB, hence the lower default.",
  },
  "queued.max.requests": {
    type: "int", default: 500, min: 1, origin: "kafka",
    doc: "Requests queued for the I/O threads before the network threads stop reading.",
  },
  "queued.max.request.bytes": {
    type: "long", default: 268435456, min: 1, special: [{ value: -1, meaning: "unbounded" }],
    origin: "kafka", kafkaDefault: "-1",
    doc: "Bytes of queued requests before the network threads stop reading; bounded by default to cap memory; must be ≥ socket.request.max.bytes.",
  },
  "socket.request.max.bytes": {
    type: "int", default: 104857600, min: 1, origin: "kafka",
    doc: "Largest request accepted, in bytes.",
  },
  "socket.send.buffer.bytes": {
    type: "int", default: 102400, min: 1, special: [{ value: -1, meaning: "OS default" }], origin: "kafka",
    doc: "Socket send buffer (SO_SNDBUF) size; -1 = OS default.",
  },
  "socket.receive.buffer.bytes": {
    type: "int", default: 102400, min: 1, special: [{ value: -1, meaning: "OS default" }], origin: "kafka",
    doc: "Socket receive buffer (SO_RCVBUF) size; -1 = OS default.",
  },
  "connections.max.idle.ms": {
    type: "long", default: 600000, min: 1, origin: "kafka",
    doc: "Connections idle for longer than this are closed.",
  },
  "max.connections": {
    type: "int", default: INT_MAX, min: 0, origin: "kafka",
    doc: "Maximum number of connections open at once.",
  },
  "max.connections.per.ip": {
    type: "int", default: INT_MAX, min: 0, origin: "kafka",
    doc: "Maximum connections from one IP address; 0 only together with max.connections.per.ip.overrides.",
  },
  "max.connections.per.ip.overrides": {
    type: "string", default: "", format: "host:count,host:count", origin: "kafka",
    doc: "Per-IP (or host name) exceptions to max.connections.per.ip.",
  },
  "auto.create.topics.enable": {
    type: "boolean", default: true, origin: "kafka",
    doc: "Create a topic when a client produces to or asks metadata for a topic that does not exist.",
  },
  "num.partitions": {
    type: "int", default: 1, min: 1, origin: "kafka",
    doc: "Partitions of topics created automatically or without an explicit count.",
  },
  "default.replication.factor": {
    type: "int", default: 1, min: 1, max: 1, origin: "kafka",
    rangeNote: "tsbroker is a single-node broker, so 1 is the only valid replication factor",
    doc: "Replication factor of topics created automatically; only 1 on this single-node broker.",
  },
  "tsbroker.metrics.listener": {
    type: "string", default: "127.0.0.1:9464", format: "host:port", origin: "tsbroker",
    doc: "host:port of the HTTP server for Prometheus /metrics and /healthz; empty disables it; port 0 = any free port.",
  },
  "tsbroker.shutdown.timeout.ms": {
    type: "int", default: 10000, min: 0, origin: "tsbroker",
    doc: "Upper bound on graceful shutdown, in milliseconds; work still pending afterwards is abandoned.",
  },
  "tsbroker.log.level": {
    type: "enum", default: "info", values: ["error", "warn", "info", "debug"], origin: "tsbroker",
    doc: "Least severe level of broker log messages that are written.",
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Maps a key's spec to the type of its loaded value. */
export type ConfigValue<S> = S extends { readonly type: "enum"; readonly values: readonly (infer V)[] } ? V
  : S extends { readonly type: "int" | "long" | "double" } ? number
  : S extends { readonly type: "boolean" } ? boolean
  : S extends { readonly type: "list" } ? string[]
  : string;

/** A loaded, validated configuration: `cfg["num.network.threads"]` is a number, lists are string arrays. */
export type BrokerConfig = { readonly [K in ConfigKey]: ConfigValue<(typeof CONFIG_KEYS)[K]> };

/** Keys that are not supported but have an obvious replacement: writing them is an error naming the replacement. */
export const REPLACED_KEYS: Readonly<Record<string, { readonly use: ConfigKey; readonly why: string }>> = {
  "broker.id": { use: "node.id", why: "tsbroker follows KRaft-era Kafka, where the broker's id is node.id" },
};

/** Typed view of the table for code that walks every key. */
export function keySpec(key: ConfigKey): KeySpec {
  return CONFIG_KEYS[key];
}

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key);
}

export const CONFIG_KEY_NAMES: readonly ConfigKey[] = Object.keys(CONFIG_KEYS) as ConfigKey[];
