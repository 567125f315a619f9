/**
 * The key table's consumer-group and committed-offset keys (classic and
 * KIP-848 groups, __consumer_offsets), spread into CONFIG_KEYS in keys.ts.
 */
import { INT_MAX, type KeySpec } from "./key_spec.ts";

export const GROUP_KEYS = {
  "group.min.session.timeout.ms": {
    type: "int",
    default: 6000,
    min: 0,
    origin: "kafka",
    doc:
      "Smallest session timeout a classic-protocol member may ask for in JoinGroup; less gets INVALID_SESSION_TIMEOUT.",
  },
  "group.max.session.timeout.ms": {
    type: "int",
    default: 1800000,
    min: 0,
    origin: "kafka",
    doc:
      "Largest session timeout a classic-protocol member may ask for in JoinGroup; more gets INVALID_SESSION_TIMEOUT.",
  },
  "group.initial.rebalance.delay.ms": {
    type: "int",
    default: 3000,
    min: 0,
    origin: "kafka",
    doc:
      "How long the first rebalance of an empty classic group waits for more members to join (each join extends it, up to the rebalance timeout), in milliseconds.",
  },
  "group.max.size": {
    type: "int",
    default: INT_MAX,
    min: 1,
    origin: "kafka",
    doc: "Most members a classic group may have; more get GROUP_MAX_SIZE_REACHED.",
  },
  "group.consumer.session.timeout.ms": {
    type: "int",
    default: 45000,
    min: 1,
    origin: "kafka",
    doc:
      "Session timeout of members of KIP-848 consumer groups (group.protocol=consumer): a member without a heartbeat for this long is removed, in milliseconds.",
  },
  "group.consumer.heartbeat.interval.ms": {
    type: "int",
    default: 5000,
    min: 1,
    origin: "kafka",
    doc: "Heartbeat interval given to members of KIP-848 consumer groups, in milliseconds.",
  },
  "group.consumer.max.size": {
    type: "int",
    default: INT_MAX,
    min: 1,
    origin: "kafka",
    doc: "Most members a KIP-848 consumer group may have; more get GROUP_MAX_SIZE_REACHED.",
  },
  "group.consumer.assignors": {
    type: "list",
    default: ["uniform", "range"],
    minItems: 1,
    format: "uniform|range",
    origin: "kafka",
    kafkaDefault:
      "org.apache.kafka.coordinator.group.assignor.UniformAssignor,org.apache.kafka.coordinator.group.assignor.RangeAssignor",
    doc:
      "Server-side assignors of KIP-848 consumer groups, the first being the default; Kafka's class names are accepted for uniform and range.",
  },
  "offsets.topic.num.partitions": {
    type: "int",
    default: 50,
    min: 1,
    origin: "kafka",
    doc:
      "Partitions of the internal __consumer_offsets topic, created on the first group request; fixed once created. A group lives in partition hash(group id) mod this count, on that partition's handler.",
  },
  "offsets.topic.segment.bytes": {
    type: "int",
    default: 104857600,
    min: 1,
    origin: "kafka",
    doc:
      "Segment size of __consumer_offsets; a partition whose log outgrows it (and twice its live state) is compacted: its live records are rewritten and older segments dropped.",
  },
  "offsets.retention.minutes": {
    type: "int",
    default: 10080,
    min: 1,
    origin: "kafka",
    doc:
      "How long committed offsets are kept after their group became empty (or, for groups without members, after the commit), in minutes.",
  },
  "offsets.retention.check.interval.ms": {
    type: "long",
    default: 600000,
    min: 1,
    origin: "kafka",
    doc: "How often committed offsets are checked for expiry, in milliseconds.",
  },
  "offset.metadata.max.bytes": {
    type: "int",
    default: 4096,
    min: 0,
    origin: "kafka",
    doc: "Largest metadata string a committed offset may carry; longer gets OFFSET_METADATA_TOO_LARGE.",
  },
} as const satisfies Record<string, KeySpec>;
