// Schema tables for Kafka API 3 (Metadata).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const MetadataRequestSchema: MessageSchema = {
  apiKey: 3,
  type: "request",
  name: "MetadataRequest",
  validVersions: [0, 12],
  flexibleVersions: 9,
  deprecatedVersions: [0, 3],
  fields: [
    {
      name: "Topics",
      type: "[]MetadataRequestTopic",
      versions: [0, null],
      nullableVersions: [1, null],
      fields: [
        {
          name: "TopicId",
          type: "uuid",
          versions: [10, null],
          ignorable: true,
        },
        {
          name: "Name",
          type: "string",
          versions: [0, null],
          nullableVersions: [10, null],
        },
      ],
    },
    {
      name: "AllowAutoTopicCreation",
      type: "bool",
      versions: [4, null],
      default: true,
      ignorable: false,
    },
    {
      name: "IncludeClusterAuthorizedOperations",
      type: "bool",
      versions: [8, 10],
    },
    {
      name: "IncludeTopicAuthorizedOperations",
      type: "bool",
      versions: [8, null],
    },
  ],
  commonStructs: [],
};

export const MetadataResponseSchema: MessageSchema = {
  apiKey: 3,
  type: "response",
  name: "MetadataResponse",
  validVersions: [0, 12],
  flexibleVersions: 9,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [3, null],
      ignorable: true,
    },
    {
      name: "Brokers",
      type: "[]MetadataResponseBroker",
      versions: [0, null],
      fields: [
        { name: "NodeId", type: "int32", versions: [0, null] },
        { name: "Host", type: "string", versions: [0, null] },
        { name: "Port", type: "int32", versions: [0, null] },
        {
          name: "Rack",
          type: "string",
          versions: [1, null],
          nullableVersions: [1, null],
          default: null,
          ignorable: true,
        },
      ],
    },
    {
      name: "ClusterId",
      type: "string",
      versions: [2, null],
      nullableVersions: [2, null],
      default: null,
      ignorable: true,
    },
    {
      name: "ControllerId",
      type: "int32",
      versions: [1, null],
      default: -1,
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]MetadataResponseTopic",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        {
          name: "Name",
          type: "string",
          versions: [0, null],
          nullableVersions: [12, null],
        },
        {
          name: "TopicId",
          type: "uuid",
          versions: [10, null],
          ignorable: true,
        },
        {
          name: "IsInternal",
          type: "bool",
          versions: [1, null],
          default: false,
          ignorable: true,
        },
        {
          name: "Partitions",
          type: "[]MetadataResponsePartition",
          versions: [0, null],
          fields: [
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "LeaderId", type: "int32", versions: [0, null] },
            {
              name: "LeaderEpoch",
              type: "int32",
              versions: [7, null],
              default: -1,
              ignorable: true,
            },
            { name: "ReplicaNodes", type: "[]int32", versions: [0, null] },
            { name: "IsrNodes", type: "[]int32", versions: [0, null] },
            {
              name: "OfflineReplicas",
              type: "[]int32",
              versions: [5, null],
              ignorable: true,
            },
          ],
        },
        {
          name: "TopicAuthorizedOperations",
          type: "int32",
          versions: [8, null],
          default: -2147483648,
        },
      ],
    },
    {
      name: "ClusterAuthorizedOperations",
      type: "int32",
      versions: [8, 10],
      default: -2147483648,
    },
  ],
  commonStructs: [],
};
