/**
 * The single table of every configuration key tsbroker understands (the log
 * and group keys live in keys_log.ts and keys_groups.ts and are spread in
 * here, in table order; the entry types are in key_spec.ts).
 *
 * Everything else (loading, coercion, validation, docs, --help) is derived from
 * this table, so adding a key here is the only step needed to make it loadable
 * and documented. Kafka's own keys keep Kafka's names and semantics; keys that
 * only make sense for tsbroker are prefixed `tsbroker.`.
 */

export type {
  BooleanSpec,
  EnumSpec,
  KeyOrigin,
  KeySpec,
  KeyType,
  ListSpec,
  NumberSpec,
  SpecialValue,
  StringSpec,
} from "./key_spec.ts";
import { INT_MAX, type KeySpec } from "./key_spec.ts";
import { LOG_KEYS } from "./keys_log.ts";
import { GROUP_KEYS } from "./keys_groups.ts";
import { CLEANER_KEYS } from "./keys_cleaner.ts";
import { TXN_KEYS } from "./keys_txn.ts";
import { SECURITY_KEYS } from "./keys_security.ts";
import { CONSOLE_KEYS } from "./keys_console.ts";

export const CONFIG_KEYS = {
  "node.id": {
    type: "int",
    default: 1,
    min: 0,
    origin: "kafka",
    kafkaDefault: "none, must be set",
    doc: "Id of this broker, reported to clients in Metadata responses.",
  },
  "listeners": {
    type: "list",
    default: ["PLAINTEXT://127.0.0.1:9092"],
    minItems: 1,
    format: "NAME://host:port",
    origin: "kafka",
    kafkaDefault: "PLAINTEXT://:9092",
    doc: "Addresses to listen on; empty host = all interfaces, IPv6 as [::1], port 0 = any free port.",
  },
  "advertised.listeners": {
    type: "list",
    default: [],
    format: "NAME://host:port",
    origin: "kafka",
    doc:
      "Addresses given to clients, by listener name; empty = use listeners (an empty or 0.0.0.0 host becomes the machine's host name).",
  },
  "listener.security.protocol.map": {
    type: "list",
    default: ["PLAINTEXT:PLAINTEXT", "SSL:SSL", "SASL_PLAINTEXT:SASL_PLAINTEXT", "SASL_SSL:SASL_SSL"],
    minItems: 1,
    format: "NAME:PROTOCOL",
    origin: "kafka",
    doc: "Security protocol of each listener name: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.",
  },
  "log.dirs": {
    type: "list",
    default: ["./data"],
    minItems: 1,
    origin: "kafka",
    kafkaDefault: "unset, falling back to log.dir",
    doc: "Directories where partition data is stored.",
  },
  "log.dir": {
    type: "string",
    default: "",
    origin: "kafka",
    kafkaDefault: "/tmp/kafka-logs",
    doc: "Single data directory, used only when log.dirs is not set (Kafka compatibility); empty = unset.",
  },
  "num.network.threads": {
    type: "int",
    default: null,
    min: 1,
    max: 64,
    origin: "kafka",
    kafkaDefault: "3",
    defaultText: "unset: ceil(CPUs / 4), at most 3",
    doc:
      "Threads that read requests from and write responses to sockets, per listener. Unset, it follows the CPUs this process may run on (its affinity mask): every thread is a JS isolate and every hop between threads costs a wake-up, so threads beyond the cores only add work.",
  },
  "num.io.threads": {
    type: "int",
    default: null,
    min: 1,
    max: 256,
    origin: "kafka",
    kafkaDefault: "8",
    defaultText: "unset: CPUs, at most 8",
    doc:
      "Threads that process requests, including disk I/O; each owns a share of the partitions. Unset, it follows the CPUs this process may run on, up to Kafka's 8.",
  },
  "queued.max.requests": {
    type: "int",
    default: 500,
    min: 1,
    origin: "kafka",
    doc: "Requests queued for the I/O threads before the network threads stop reading.",
  },
  "quota.window.num": {
    type: "int",
    default: 11,
    min: 1,
    origin: "kafka",
    doc: "Windows of quota.window.size.seconds over which client quota rates (produce and fetch bytes) are measured.",
  },
  "quota.window.size.seconds": {
    type: "int",
    default: 1,
    min: 1,
    origin: "kafka",
    doc: "Length of each window over which client quota rates are measured.",
  },
  "queued.max.request.bytes": {
    type: "long",
    default: 268435456,
    min: 1,
    special: [{ value: -1, meaning: "unbounded" }],
    origin: "kafka",
    kafkaDefault: "-1",
    doc:
      "Bytes of queued requests before the network threads stop reading; bounded by default to cap memory; must be ≥ socket.request.max.bytes.",
  },
  "socket.request.max.bytes": {
    type: "int",
    default: 104857600,
    min: 1,
    origin: "kafka",
    doc: "Largest request accepted, in bytes.",
  },
  "tsbroker.request.max.list.entries": {
    type: "int",
    default: 1000000,
    min: 1,
    origin: "tsbroker",
    doc:
      "Most list entries (topics, partitions, group ids…, summed over all of its lists) one request may carry. Decoded, each entry costs memory and CPU far beyond its bytes (a 99 MiB Metadata request holds 52 million topics), so a request over it is refused by closing its connection, as one over socket.request.max.bytes is.",
  },
  "max.request.partition.size.limit": {
    type: "int",
    default: 2000,
    min: 1,
    origin: "kafka",
    doc:
      "Most partitions one DescribeTopicPartitions answer lists; a client asking for more gets this many and a cursor to the rest.",
  },
  "socket.send.buffer.bytes": {
    type: "int",
    default: 102400,
    min: 1,
    special: [{ value: -1, meaning: "OS default" }],
    origin: "kafka",
    doc: "Socket send buffer (SO_SNDBUF) size; -1 = OS default.",
  },
  "socket.receive.buffer.bytes": {
    type: "int",
    default: 102400,
    min: 1,
    special: [{ value: -1, meaning: "OS default" }],
    origin: "kafka",
    doc: "Socket receive buffer (SO_RCVBUF) size; -1 = OS default.",
  },
  "connections.max.idle.ms": {
    type: "long",
    default: 600000,
    min: 1,
    origin: "kafka",
    doc: "Connections idle for longer than this are closed.",
  },
  "tsbroker.request.read.timeout.ms": {
    type: "long",
    default: 30000,
    min: 1,
    origin: "tsbroker",
    doc:
      "A connection whose request has started to arrive but is not complete after this long is closed, with a log line. Kafka has no such bound (connections.max.idle.ms only counts silence, so a client trickling a byte a minute holds its request memory forever); 30 s is the clients' default request.timeout.ms, after which the client has given up on the request anyway. Time the broker itself stops reading (full memory pool, back-pressure) does not count.",
  },
  "tsbroker.queued.max.response.bytes": {
    type: "long",
    default: 268435456,
    min: 1,
    special: [{ value: -1, meaning: "unbounded" }],
    origin: "tsbroker",
    doc:
      "Broker-wide budget of response bytes not yet sent (fetched data is held in memory, not sent with sendfile). A Fetch takes credit when dispatched: its max_bytes, capped at fetch.max.bytes and at 1/8 of what is left (at least 1 MiB; the request's max_bytes is lowered to match); with nothing left, fetches wait. A connection with more than 4 MiB unsent gets no more requests dispatched.",
  },
  "tsbroker.connections.max.write.stall.ms": {
    type: "long",
    default: 10000,
    min: 1,
    origin: "tsbroker",
    doc:
      "When less than 1/8 of tsbroker.queued.max.response.bytes is left, connections whose unsent responses have not moved for this long (the client stopped reading) are closed, with a log line, so their memory serves clients that read. Otherwise a client that stops reading is only paused, and closed after connections.max.idle.ms.",
  },
  "tsbroker.request.channel": {
    type: "enum",
    default: "auto",
    values: ["auto", "transfer", "batch", "ring"],
    origin: "tsbroker",
    doc:
      "How requests and answers cross between processor and handler threads: transfer = one postMessage per message; batch = the messages one thread posts in one task leave as one postMessage; ring = a SharedArrayBuffer ring per direction of each processor–handler pair (512 KiB per pair), frames up to 16 KiB copied through it and larger ones transferred, the reader woken by Atomics.waitAsync only when it sleeps; auto = ring under Deno, transfer under Bun, which measured cheapest in each (ARCHITECTURE.md, The RequestChannel). Between handlers it is transfer, or batch when set.",
  },
  "max.connections": {
    type: "int",
    default: null,
    min: 0,
    origin: "kafka",
    kafkaDefault: "2147483647",
    defaultText: "unset: (open-files limit − 256) / 2",
    doc:
      "Maximum number of connections open at once; further ones are closed at accept. Unset, it is derived from the process's open-files limit (RLIMIT_NOFILE): 256 descriptors are kept for the runtime, and half of the rest for storage (segment and index files), since every connection holds a descriptor and at the limit Deno panics instead of failing the call; 1024 → 384, 20,000 → 9,872.",
  },
  "max.connection.creation.rate": {
    type: "int",
    default: INT_MAX,
    min: 0,
    origin: "kafka",
    doc:
      "Connections the broker accepts per second, all listeners together (KIP-612; per listener also listener.name.<name>.max.connection.creation.rate, and listener.name.<name>.max.connections beside max.connections). Over the rate, accepting waits, as Kafka's acceptor does: a new connection is held, reading paused, until its turn. After a quiet spell rate × (quota.window.num − 1) × quota.window.size.seconds connections pass at once, as in Kafka; then they are spaced 1/rate apart (Kafka's sampled measurement lets that burst through again every ~11 s; tsbroker's holds the rate). Up to 50 connections per network thread wait so; more are closed.",
  },
  "max.connections.per.ip": {
    type: "int",
    default: INT_MAX,
    min: 0,
    origin: "kafka",
    doc: "Maximum connections from one IP address; 0 only together with max.connections.per.ip.overrides.",
  },
  "max.connections.per.ip.overrides": {
    type: "string",
    default: "",
    format: "host:count,host:count",
    origin: "kafka",
    doc: "Per-IP (or host name) exceptions to max.connections.per.ip.",
  },
  "auto.create.topics.enable": {
    type: "boolean",
    default: true,
    origin: "kafka",
    doc: "Create a topic when a client produces to or asks metadata for a topic that does not exist.",
  },
  "num.partitions": {
    type: "int",
    default: 1,
    min: 1,
    origin: "kafka",
    doc: "Partitions of topics created automatically or without an explicit count.",
  },
  "tsbroker.max.partitions": {
    type: "int",
    default: null,
    min: 1,
    origin: "tsbroker",
    defaultText: "unset: (open-files limit − 256) / 6",
    doc:
      "Partitions this broker may hold, all topics together (__consumer_offsets included). Each partition holds file descriptors, and too many make every restart fail with EMFILE, so CreateTopics, CreatePartitions and auto-creation beyond it are refused with POLICY_VIOLATION, naming this key. Unset, it is derived from the process's open-files limit (RLIMIT_NOFILE; 65,536 assumed when unknown): of the descriptors left after 256 for the runtime, the half max.connections does not take, at 3 per partition (log, index, time index); 1024 → 128, 20,000 → 3,290.",
  },
  "default.replication.factor": {
    type: "int",
    default: 1,
    min: 1,
    max: 1,
    origin: "kafka",
    rangeNote: "tsbroker is a single-node broker, so 1 is the only valid replication factor",
    doc: "Replication factor of topics created automatically; only 1 on this single-node broker.",
  },
  "min.insync.replicas": {
    type: "int",
    default: 1,
    min: 1,
    origin: "kafka",
    doc:
      "Replicas that must have a record before an acks=all produce succeeds; this single-node broker has one, so above 1 every acks=all produce fails with NOT_ENOUGH_REPLICAS, as in Kafka (topic-level: min.insync.replicas).",
  },
  "delete.topic.enable": {
    type: "boolean",
    default: true,
    origin: "kafka",
    doc: "Allow DeleteTopics; when false, deleting a topic fails with TOPIC_DELETION_DISABLED.",
  },
  "message.max.bytes": {
    type: "int",
    default: 1048588,
    min: 0,
    origin: "kafka",
    doc: "Largest record batch accepted, in bytes, after compression (topic-level: max.message.bytes).",
  },
  "fetch.max.bytes": {
    type: "int",
    default: 57671680,
    min: 1024,
    origin: "kafka",
    doc: "Upper bound on the bytes returned by one Fetch, whatever the client asks for.",
  },
  "max.incremental.fetch.session.cache.slots": {
    type: "int",
    default: 1000,
    min: 0,
    origin: "kafka",
    doc: "Incremental fetch sessions (KIP-227) kept at once; 0 disables sessions, so every fetch is a full fetch.",
  },
  "producer.id.expiration.ms": {
    type: "int",
    default: 86400000,
    min: 1,
    origin: "kafka",
    doc: "Time without writes after which a partition forgets an idempotent producer's state, in milliseconds.",
  },
  ...LOG_KEYS,
  ...CLEANER_KEYS,
  ...GROUP_KEYS,
  ...TXN_KEYS,
  ...SECURITY_KEYS,
  ...CONSOLE_KEYS,
  "tsbroker.metrics.listener": {
    type: "string",
    default: "127.0.0.1:9464",
    format: "host:port",
    origin: "tsbroker",
    doc:
      "host:port of the HTTP server for Prometheus /metrics and /healthz; empty disables it; port 0 = any free port.",
  },
  "tsbroker.shutdown.timeout.ms": {
    type: "int",
    default: 10000,
    min: 0,
    origin: "tsbroker",
    doc: "Upper bound on graceful shutdown, in milliseconds; work still pending afterwards is abandoned.",
  },
  "tsbroker.log.level": {
    type: "enum",
    default: "info",
    values: ["error", "warn", "info", "debug"],
    origin: "tsbroker",
    doc: "Least severe level of broker log messages that are written.",
  },
  "tsbroker.log.roll.flush.delay.ms": {
    type: "long",
    default: 30000,
    min: 0,
    origin: "tsbroker",
    doc:
      "Delay between a segment roll and the fdatasync of the finished segment (Kafka syncs at once). By then the kernel's own writeback has written most of it, so the sync is short; a whole segment synced at once stalled appends to every partition for ~1 s on ext4. Until then the recovery point stays below that segment, so a crash recovers it by checking it.",
  },
  "tsbroker.fsync.acks.all": {
    type: "boolean",
    default: false,
    origin: "tsbroker",
    doc:
      "When true, a Produce with acks=all (-1) is answered only after its records are fdatasync'ed to disk; concurrent producers share each sync (group commit). Costs latency/throughput; protects acknowledged data against power loss and kernel crashes, not just broker crashes.",
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Maps a key's spec to the type of its loaded value. */
export type ConfigValue<S> = S extends { readonly type: "enum"; readonly values: readonly (infer V)[] } ? V
  : S extends { readonly type: "int" | "long" | "double"; readonly default: null } ? number | null
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
