// Schema tables for Kafka API 19 (CreateTopics).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const CreateTopicsRequestSchema: MessageSchema = {
  apiKey: 19,
  type: "request",
  name: "CreateTopicsRequest",
  validVersions: [0, 7],
  flexibleVersions: 5,
  deprecatedVersions: [0, 1],
  fields: [
    {
      name: "Topics",
      type: "[]CreatableTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "NumPartitions", type: "int32", versions: [0, null] },
        { name: "ReplicationFactor", type: "int16", versions: [0, null] },
        {
          name: "Assignments",
          type: "[]CreatableReplicaAssignment",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "BrokerIds", type: "[]int32", versions: [0, null] },
          ],
        },
        {
          name: "Configs",
          type: "[]CreatableTopicConfig",
          versions: [0, null],
          fields: [
            { name: "Name", type: "string", versions: [0, null] },
            {
              name: "Value",
              type: "string",
              versions: [0, null],
              nullableVersions: [0, null],
            },
          ],
        },
      ],
    },
    { name: "timeoutMs", type: "int32", versions: [0, null], default: 60000 },
    {
      name: "validateOnly",
      type: "bool",
      versions: [1, null],
      default: false,
      ignorable: false,
    },
  ],
  commonStructs: [],
};

export const CreateTopicsResponseSchema: MessageSchema = {
  apiKey: 19,
  type: "response",
  name: "CreateTopicsResponse",
  validVersions: [0, 7],
  flexibleVersions: 5,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [2, null],
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]CreatableTopicResult",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "TopicId", type: "uuid", versions: [7, null], ignorable: true },
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        {
          name: "ErrorMessage",
          type: "string",
          versions: [1, null],
          nullableVersions: [0, null],
          ignorable: true,
        },
        {
          name: "TopicConfigErrorCode",
          type: "int16",
          versions: [5, null],
          taggedVersions: [5, null],
          tag: 0,
          ignorable: true,
        },
        {
          name: "NumPartitions",
          type: "int32",
          versions: [5, null],
          default: -1,
          ignorable: true,
        },
        {
          name: "ReplicationFactor",
          type: "int16",
          versions: [5, null],
          default: -1,
          ignorable: true,
        },
        {
          name: "Configs",
          type: "[]CreatableTopicConfigs",
          versions: [5, null],
          nullableVersions: [5, null],
          ignorable: true,
          fields: [
            { name: "Name", type: "string", versions: [5, null] },
            {
              name: "Value",
              type: "string",
              versions: [5, null],
              nullableVersions: [5, null],
            },
            { name: "ReadOnly", type: "bool", versions: [5, null] },
            {
              name: "ConfigSource",
              type: "int8",
              versions: [5, null],
              default: -1,
              ignorable: true,
            },
            { name: "IsSensitive", type: "bool", versions: [5, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
