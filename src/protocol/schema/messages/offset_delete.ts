// Schema tables for Kafka API 47 (OffsetDelete).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const OffsetDeleteRequestSchema: MessageSchema = {
  apiKey: 47,
  type: "request",
  name: "OffsetDeleteRequest",
  validVersions: [0, 0],
  flexibleVersions: null,
  fields: [
    { name: "GroupId", type: "string", versions: [0, null] },
    {
      name: "Topics",
      type: "[]OffsetDeleteRequestTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]OffsetDeleteRequestPartition",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};

export const OffsetDeleteResponseSchema: MessageSchema = {
  apiKey: 47,
  type: "response",
  name: "OffsetDeleteResponse",
  validVersions: [0, 0],
  flexibleVersions: null,
  fields: [
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [0, null],
      ignorable: true,
    },
    {
      name: "Topics",
      type: "[]OffsetDeleteResponseTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]OffsetDeleteResponsePartition",
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
