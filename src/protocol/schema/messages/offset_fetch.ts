// Schema tables for Kafka API 9 (OffsetFetch).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const OffsetFetchRequestSchema: MessageSchema = {
  apiKey: 9,
  type: "request",
  name: "OffsetFetchRequest",
  validVersions: [0, 9],
  flexibleVersions: 6,
  deprecatedVersions: [0, 0],
  fields: [
    { name: "GroupId", type: "string", versions: [0, 7] },
    {
      name: "Topics",
      type: "[]OffsetFetchRequestTopic",
      versions: [0, 7],
      nullableVersions: [2, 7],
      fields: [
        { name: "Name", type: "string", versions: [0, 7] },
        { name: "PartitionIndexes", type: "[]int32", versions: [0, 7] },
      ],
    },
    {
      name: "Groups",
      type: "[]OffsetFetchRequestGroup",
      versions: [8, null],
      fields: [
        { name: "GroupId", type: "string", versions: [8, null] },
        {
          name: "MemberId",
          type: "string",
          versions: [9, null],
          nullableVersions: [9, null],
          default: null,
          ignorable: true,
        },
        {
          name: "MemberEpoch",
          type: "int32",
          versions: [9, null],
          default: -1,
          ignorable: true,
        },
        {
          name: "Topics",
          type: "[]OffsetFetchRequestTopics",
          versions: [8, null],
          nullableVersions: [8, null],
          fields: [
            { name: "Name", type: "string", versions: [8, null] },
            { name: "PartitionIndexes", type: "[]int32", versions: [8, null] },
          ],
        },
      ],
    },
    {
      name: "RequireStable",
      type: "bool",
      versions: [7, null],
      default: false,
    },
  ],
  commonStructs: [],
};

export const OffsetFetchResponseSchema: MessageSchema = {
  apiKey: 9,
  type: "response",
  name: "OffsetFetchResponse",
  validVersions: [0, 9],
  flexibleVersions: 6,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [3, null],
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]OffsetFetchResponseTopic",
      versions: [0, 7],
      fields: [
        { name: "Name", type: "string", versions: [0, 7] },
        {
          name: "Partitions",
          type: "[]OffsetFetchResponsePartition",
          versions: [0, 7],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, 7] },
            { name: "CommittedOffset", type: "int64", versions: [0, 7] },
            {
              name: "CommittedLeaderEpoch",
              type: "int32",
              versions: [5, 7],
              default: -1,
              ignorable: true,
            },
            {
              name: "Metadata",
              type: "string",
              versions: [0, 7],
              nullableVersions: [0, 7],
            },
            { name: "ErrorCode", type: "int16", versions: [0, 7] },
          ],
        },
      ],
    },
    {
      name: "ErrorCode",
      type: "int16",
      versions: [2, 7],
      default: 0,
      ignorable: true,
    },
    {
      name: "Groups",
      type: "[]OffsetFetchResponseGroup",
      versions: [8, null],
      fields: [
        { name: "GroupId", type: "string", versions: [8, null] },
        {
          name: "Topics",
          type: "[]OffsetFetchResponseTopics",
          versions: [8, null],
          fields: [
            { name: "Name", type: "string", versions: [8, null] },
            {
              name: "Partitions",
              type: "[]OffsetFetchResponsePartitions",
              versions: [8, null],
              fields: [
                { name: "PartitionIndex", type: "int32", versions: [8, null] },
                { name: "CommittedOffset", type: "int64", versions: [8, null] },
                {
                  name: "CommittedLeaderEpoch",
                  type: "int32",
                  versions: [8, null],
                  default: -1,
                  ignorable: true,
                },
                {
                  name: "Metadata",
                  type: "string",
                  versions: [8, null],
                  nullableVersions: [8, null],
                },
                { name: "ErrorCode", type: "int16", versions: [8, null] },
              ],
            },
          ],
        },
        { name: "ErrorCode", type: "int16", versions: [8, null], default: 0 },
      ],
    },
  ],
  commonStructs: [],
};
