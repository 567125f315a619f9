// Schema tables for Kafka API 68 (ConsumerGroupHeartbeat).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
// Version 1 is Kafka 4.0's (beyondSpec): re-running the importer would drop it.
import type { MessageSchema } from "../types.ts";

export const ConsumerGroupHeartbeatRequestSchema: MessageSchema = {
  apiKey: 68,
  type: "request",
  name: "ConsumerGroupHeartbeatRequest",
  validVersions: [0, 1],
  beyondSpec: {
    kafka: "4.0",
    specMaxVersion: 0,
    why: "v1 adds SubscribedTopicRegex (KIP-848) and requires a member id made by the client (KIP-1082); " +
      "librdkafka 2.16 and franz-go speak KIP-848 only over v1",
  },
  flexibleVersions: 0,
  fields: [
    { name: "GroupId", type: "string", versions: [0, null] },
    { name: "MemberId", type: "string", versions: [0, null] },
    { name: "MemberEpoch", type: "int32", versions: [0, null] },
    {
      name: "InstanceId",
      type: "string",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
    {
      name: "RackId",
      type: "string",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
    {
      name: "RebalanceTimeoutMs",
      type: "int32",
      versions: [0, null],
      default: -1,
    },
    {
      name: "SubscribedTopicNames",
      type: "[]string",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
    {
      name: "SubscribedTopicRegex",
      type: "string",
      versions: [1, null],
      nullableVersions: [1, null],
      default: null,
    },
    {
      name: "ServerAssignor",
      type: "string",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
    {
      name: "TopicPartitions",
      type: "[]TopicPartitions",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
      fields: [
        { name: "TopicId", type: "uuid", versions: [0, null] },
        { name: "Partitions", type: "[]int32", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const ConsumerGroupHeartbeatResponseSchema: MessageSchema = {
  apiKey: 68,
  type: "response",
  name: "ConsumerGroupHeartbeatResponse",
  validVersions: [0, 1],
  beyondSpec: {
    kafka: "4.0",
    specMaxVersion: 0,
    why: "v1 has v0's fields; it may carry INVALID_REGULAR_EXPRESSION",
  },
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    {
      name: "ErrorMessage",
      type: "string",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
    {
      name: "MemberId",
      type: "string",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
    { name: "MemberEpoch", type: "int32", versions: [0, null] },
    { name: "HeartbeatIntervalMs", type: "int32", versions: [0, null] },
    {
      name: "Assignment",
      type: "Assignment",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
      fields: [
        {
          name: "TopicPartitions",
          type: "[]TopicPartitions",
          versions: [0, null],
        },
      ],
    },
  ],
  commonStructs: [
    {
      name: "TopicPartitions",
      versions: [0, null],
      fields: [
        { name: "TopicId", type: "uuid", versions: [0, null] },
        { name: "Partitions", type: "[]int32", versions: [0, null] },
      ],
    },
  ],
};
