// Schema tables for Kafka API 21 (DeleteRecords).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DeleteRecordsRequestSchema: MessageSchema = {
  apiKey: 21,
  type: "request",
  name: "DeleteRecordsRequest",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    {
      name: "Topics",
      type: "[]DeleteRecordsTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]DeleteRecordsPartition",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "Offset", type: "int64", versions: [0, null] },
          ],
        },
      ],
    },
    { name: "TimeoutMs", type: "int32", versions: [0, null] },
  ],
  commonStructs: [],
};

export const DeleteRecordsResponseSchema: MessageSchema = {
  apiKey: 21,
  type: "response",
  name: "DeleteRecordsResponse",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Topics",
      type: "[]DeleteRecordsTopicResult",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]DeleteRecordsPartitionResult",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "LowWatermark", type: "int64", versions: [0, null] },
            { name: "ErrorCode", type: "int16", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
