// Schema tables for Kafka API 8 (OffsetCommit).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const OffsetCommitRequestSchema: MessageSchema = {
  apiKey: 8,
  type: "request",
  name: "OffsetCommitRequest",
  validVersions: [0, 9],
  flexibleVersions: 8,
  deprecatedVersions: [0, 1],
  fields: [
    { name: "GroupId", type: "string", versions: [0, null] },
    {
      name: "GenerationIdOrMemberEpoch",
      type: "int32",
      versions: [1, null],
      default: -1,
      ignorable: true,
    },
    { name: "MemberId", type: "string", versions: [1, null], ignorable: true },
    {
      name: "GroupInstanceId",
      type: "string",
      versions: [7, null],
      nullableVersions: [7, null],
      default: null,
    },
    {
      name: "RetentionTimeMs",
      type: "int64",
      versions: [2, 4],
      default: -1n,
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]OffsetCommitRequestTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]OffsetCommitRequestPartition",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "CommittedOffset", type: "int64", versions: [0, null] },
            {
              name: "CommittedLeaderEpoch",
              type: "int32",
              versions: [6, null],
              default: -1,
              ignorable: true,
            },
            {
              name: "CommitTimestamp",
              type: "int64",
              versions: [1, 1],
              default: -1n,
            },
            {
              name: "CommittedMetadata",
              type: "string",
              versions: [0, null],
              nullableVersions: [0, null],
            },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};

export const OffsetCommitResponseSchema: MessageSchema = {
  apiKey: 8,
  type: "response",
  name: "OffsetCommitResponse",
  validVersions: [0, 9],
  flexibleVersions: 8,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [3, null],
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]OffsetCommitResponseTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]OffsetCommitResponsePartition",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "ErrorCode", type: "int16", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
