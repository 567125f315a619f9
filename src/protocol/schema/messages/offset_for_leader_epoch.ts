// Schema tables for Kafka API 23 (OffsetForLeaderEpoch).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const OffsetForLeaderEpochRequestSchema: MessageSchema = {
  apiKey: 23,
  type: "request",
  name: "OffsetForLeaderEpochRequest",
  validVersions: [0, 4],
  flexibleVersions: 4,
  deprecatedVersions: [0, 1],
  fields: [
    {
      name: "ReplicaId",
      type: "int32",
      versions: [3, null],
      default: -2,
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]OffsetForLeaderTopic",
      versions: [0, null],
      fields: [
        { name: "Topic", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]OffsetForLeaderPartition",
          versions: [0, null],
          fields: [
            { name: "Partition", type: "int32", versions: [0, null] },
            {
              name: "CurrentLeaderEpoch",
              type: "int32",
              versions: [2, null],
              default: -1,
              ignorable: true,
            },
            { name: "LeaderEpoch", type: "int32", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};

export const OffsetForLeaderEpochResponseSchema: MessageSchema = {
  apiKey: 23,
  type: "response",
  name: "OffsetForLeaderEpochResponse",
  validVersions: [0, 4],
  flexibleVersions: 4,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [2, null],
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]OffsetForLeaderTopicResult",
      versions: [0, null],
      fields: [
        { name: "Topic", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]EpochEndOffset",
          versions: [0, null],
          fields: [
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            { name: "Partition", type: "int32", versions: [0, null] },
            {
              name: "LeaderEpoch",
              type: "int32",
              versions: [1, null],
              default: -1,
              ignorable: true,
            },
            {
              name: "EndOffset",
              type: "int64",
              versions: [0, null],
              default: -1n,
            },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
