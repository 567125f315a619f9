// Schema tables for Kafka API 75 (DescribeTopicPartitions).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeTopicPartitionsRequestSchema: MessageSchema = {
  apiKey: 75,
  type: "request",
  name: "DescribeTopicPartitionsRequest",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    {
      name: "Topics",
      type: "[]TopicRequest",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
      ],
    },
    {
      name: "ResponsePartitionLimit",
      type: "int32",
      versions: [0, null],
      default: 2000,
    },
    {
      name: "Cursor",
      type: "Cursor",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
      fields: [
        { name: "TopicName", type: "string", versions: [0, null] },
        { name: "PartitionIndex", type: "int32", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const DescribeTopicPartitionsResponseSchema: MessageSchema = {
  apiKey: 75,
  type: "response",
  name: "DescribeTopicPartitionsResponse",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [0, null],
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]DescribeTopicPartitionsResponseTopic",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        {
          name: "Name",
          type: "string",
          versions: [0, null],
          nullableVersions: [0, null],
        },
        { name: "TopicId", type: "uuid", versions: [0, null], ignorable: true },
        {
          name: "IsInternal",
          type: "bool",
          versions: [0, null],
          default: false,
          ignorable: true,
        },
        {
          name: "Partitions",
          type: "[]DescribeTopicPartitionsResponsePartition",
          versions: [0, null],
          fields: [
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "LeaderId", type: "int32", versions: [0, null] },
            {
              name: "LeaderEpoch",
              type: "int32",
              versions: [0, null],
              default: -1,
              ignorable: true,
            },
            { name: "ReplicaNodes", type: "[]int32", versions: [0, null] },
            { name: "IsrNodes", type: "[]int32", versions: [0, null] },
            {
              name: "EligibleLeaderReplicas",
              type: "[]int32",
              versions: [0, null],
              nullableVersions: [0, null],
              default: null,
            },
            {
              name: "LastKnownElr",
              type: "[]int32",
              versions: [0, null],
              nullableVersions: [0, null],
              default: null,
            },
            {
              name: "OfflineReplicas",
              type: "[]int32",
              versions: [0, null],
              ignorable: true,
            },
          ],
        },
        {
          name: "TopicAuthorizedOperations",
          type: "int32",
          versions: [0, null],
          default: -2147483648,
        },
      ],
    },
    {
      name: "NextCursor",
      type: "Cursor",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
      fields: [
        { name: "TopicName", type: "string", versions: [0, null] },
        { name: "PartitionIndex", type: "int32", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};
