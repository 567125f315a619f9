/**
 * tsbroker as a library: start a Kafka-compatible broker inside your own
 * program or test suite, on Deno or Bun, instead of running Kafka in Docker.
 *
 * @example
 * ```ts
 * import { startBroker } from "./mod.ts";
 * const broker = await startBroker({ overrides: { listeners: "PLAINTEXT://127.0.0.1:0", "log.dirs": "/tmp/kafka-test" } });
 * console.log(broker.bootstrap); // "127.0.0.1:54321"
 * await broker.stop();
 * ```
 */
import { loadConfig } from "./src/config/load.ts";
import type { HostRuntime } from "./src/runtime/types.ts";
import { type RunningBroker, startBroker as start } from "./src/supervisor/broker.ts";

export type { BoundListener, RunningBroker } from "./src/supervisor/broker.ts";
export { ConfigError } from "./src/config/errors.ts";

/** How to configure an embedded broker: the same keys as the config file, without reading the environment. */
export interface EmbeddedBrokerOptions {
  /** TOML text, as a config file would hold. */
  toml?: string;
  /** Config keys and values, applied after `toml` (Kafka property names). */
  overrides?: Record<string, string | number | boolean>;
}

/** A broker running inside this process, with the address to give clients. */
export interface EmbeddedBroker extends RunningBroker {
  /** "host:port" of the first listener, for clients' bootstrap.servers. */
  readonly bootstrap: string;
}

/** Start a broker in this process (its Workers are threads of this process). */
export async function startBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const overrides = Object.entries(options.overrides ?? {}).map(([k, v]) => `${k}=${v}`);
  const config = loadConfig({ text: options.toml, source: "toml", overrides });
  const broker = await start(await detectRuntime(), config);
  const first = broker.listeners[0];
  return { ...broker, stop: broker.stop, bootstrap: `${first.host || "127.0.0.1"}:${first.port}` };
}

async function detectRuntime(): Promise<HostRuntime> {
  if ("Deno" in globalThis) return (await import("./src/runtime/deno/host.ts")).denoRuntime;
  if ("Bun" in globalThis) return (await import("./src/runtime/bun/host.ts")).bunRuntime;
  throw new Error("tsbroker runs on Deno or Bun");
}

// The client library (src/client): producer, consumer and admin client for tsbroker or any Kafka broker.
export {
  type AclBinding,
  type AclBindingFilter,
  type AclOperationName,
  type AclPatternTypeName,
  type AclPermissionName,
  type AclResourceTypeName,
  Admin,
  type AnyGroupDescription,
  type ApiVersionRange,
  type ClientOptions,
  type ClusterDescription,
  type CompressionName,
  type ConfigChange,
  type ConfigEntry,
  Consumer,
  type ConsumerGroupDescription,
  type ConsumerGroupMember,
  type ConsumerOptions,
  type ConsumerRecord,
  type DeliveryCallback,
  type GroupDescription,
  type GroupListing,
  type GroupMemberDescription,
  type GroupOffset,
  KafkaClientError,
  type LogDirDescription,
  type NewTopic,
  type OffsetSpec,
  type PartitionInfo,
  type Payload,
  Producer,
  type ProducerIdentity,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
  type ReplicaLogDirInfo,
  ResourceType,
  type SaslMechanismName,
  type SaslOptions,
  type ScramCredentialInfo,
  type ScramDeletion,
  ScramMechanism,
  type ScramMechanismName,
  type ScramUpsertion,
  type TlsOptions,
  type TopicInfo,
  type TopicPartition,
  type TopicSize,
  type UserScramCredentials,
} from "./src/client/mod.ts";
