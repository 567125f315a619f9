/**
 * tsbroker's Kafka client library: a producer, a consumer and an admin client on tsbroker's own protocol
 * codecs, runtime-agnostic (Deno, Bun, Node), talking to tsbroker or any Kafka broker.
 *
 * @example
 * ```ts
 * import { Admin, Consumer, Producer } from "./mod.ts";
 * const bootstrapServers = ["127.0.0.1:9092"];
 * const admin = new Admin({ bootstrapServers });
 * await admin.createTopics([{ name: "events", partitions: 3 }]);
 * const producer = new Producer({ bootstrapServers });
 * await producer.send({ topic: "events", key: "k", value: "hello" });
 * await producer.close();
 * const consumer = new Consumer({ bootstrapServers, groupId: "readers", autoOffsetReset: "earliest" });
 * consumer.subscribe(["events"]);
 * console.log(await consumer.poll(5000));
 * await consumer.close();
 * await admin.close();
 * ```
 *
 * @module
 */
export {
  type DeliveryCallback,
  type Payload,
  Producer,
  type ProducerIdentity,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
} from "./producer.ts";
export type { CompressionName } from "./batch_encoder.ts";
export { Consumer, type ConsumerOptions, type ConsumerRecord, type TopicPartition } from "./consumer.ts";
export {
  Admin,
  type ApiVersionRange,
  type ClusterDescription,
  type ConfigChange,
  type ConfigEntry,
  type ConsumerGroupDescription,
  type ConsumerGroupMember,
  type GroupDescription,
  type GroupListing,
  type GroupMemberDescription,
  type GroupOffset,
  type NewTopic,
  type OffsetSpec,
  ResourceType,
} from "./admin.ts";
export {
  type AclBinding,
  type AclBindingFilter,
  type AclOperationName,
  type AclPatternTypeName,
  type AclPermissionName,
  type AclResourceTypeName,
  type ScramCredentialInfo,
  type ScramDeletion,
  ScramMechanism,
  type ScramMechanismName,
  type ScramUpsertion,
  type UserScramCredentials,
} from "./admin_security.ts";
export { KafkaClientError } from "./errors.ts";
export type { ClientOptions } from "./network_client.ts";
export type { SaslMechanismName, SaslOptions } from "./sasl.ts";
export type { TlsOptions } from "./tls_options.ts";
export type { PartitionInfo, TopicInfo } from "./metadata.ts";
export type { AnyGroupDescription } from "./admin_groups.ts";
export type { LogDirDescription, ReplicaLogDirInfo, TopicSize } from "./admin_log_dirs.ts";
