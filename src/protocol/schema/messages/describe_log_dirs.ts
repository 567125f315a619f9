// Schema tables for Kafka API 35 (DescribeLogDirs).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeLogDirsRequestSchema: MessageSchema = {
  apiKey: 35,
  type: "request",
  name: "DescribeLogDirsRequest",
  validVersions: [0, 4],
  flexibleVersions: 2,
  deprecatedVersions: [0, 0],
  fields: [
    {
      name: "Topics",
      type: "[]DescribableLogDirTopic",
      versions: [0, null],
      nullableVersions: [0, null],
      fields: [
        { name: "Topic", type: "string", versions: [0, null] },
        { name: "Partitions", type: "[]int32", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const DescribeLogDirsResponseSchema: MessageSchema = {
  apiKey: 35,
  type: "response",
  name: "DescribeLogDirsResponse",
  validVersions: [0, 4],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [3, null], ignorable: true },
    {
      name: "Results",
      type: "[]DescribeLogDirsResult",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        { name: "LogDir", type: "string", versions: [0, null] },
        {
          name: "Topics",
          type: "[]DescribeLogDirsTopic",
          versions: [0, null],
          fields: [
            { name: "Name", type: "string", versions: [0, null] },
            {
              name: "Partitions",
              type: "[]DescribeLogDirsPartition",
              versions: [0, null],
              fields: [
                { name: "PartitionIndex", type: "int32", versions: [0, null] },
                { name: "PartitionSize", type: "int64", versions: [0, null] },
                { name: "OffsetLag", type: "int64", versions: [0, null] },
                { name: "IsFutureKey", type: "bool", versions: [0, null] },
              ],
            },
          ],
        },
        {
          name: "TotalBytes",
          type: "int64",
          versions: [4, null],
          default: -1n,
          ignorable: true,
        },
        {
          name: "UsableBytes",
          type: "int64",
          versions: [4, null],
          default: -1n,
          ignorable: true,
        },
      ],
    },
  ],
  commonStructs: [],
};
