// Schema tables for Kafka API 2 (ListOffsets).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ListOffsetsRequestSchema: MessageSchema = {
  apiKey: 2,
  type: "request",
  name: "ListOffsetsRequest",
  validVersions: [0, 9],
  flexibleVersions: 6,
  deprecatedVersions: [0, 0],
  latestVersionUnstable: false,
  fields: [
    { name: "ReplicaId", type: "int32", versions: [0, null] },
    { name: "IsolationLevel", type: "int8", versions: [2, null] },
    {
      name: "Topics",
      type: "[]ListOffsetsTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]ListOffsetsPartition",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            {
              name: "CurrentLeaderEpoch",
              type: "int32",
              versions: [4, null],
              default: -1,
              ignorable: true,
            },
            { name: "Timestamp", type: "int64", versions: [0, null] },
            {
              name: "MaxNumOffsets",
              type: "int32",
              versions: [0, 0],
              default: 1,
            },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};

export const ListOffsetsResponseSchema: MessageSchema = {
  apiKey: 2,
  type: "response",
  name: "ListOffsetsResponse",
  validVersions: [0, 9],
  flexibleVersions: 6,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [2, null],
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]ListOffsetsTopicResponse",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]ListOffsetsPartitionResponse",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            {
              name: "OldStyleOffsets",
              type: "[]int64",
              versions: [0, 0],
              ignorable: false,
            },
            {
              name: "Timestamp",
              type: "int64",
              versions: [1, null],
              default: -1n,
              ignorable: false,
            },
            {
              name: "Offset",
              type: "int64",
              versions: [1, null],
              default: -1n,
              ignorable: false,
            },
            {
              name: "LeaderEpoch",
              type: "int32",
              versions: [4, null],
              default: -1,
            },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
