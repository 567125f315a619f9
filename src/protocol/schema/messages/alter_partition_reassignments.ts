// Schema tables for Kafka API 45 (AlterPartitionReassignments).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const AlterPartitionReassignmentsRequestSchema: MessageSchema = {
  apiKey: 45,
  type: "request",
  name: "AlterPartitionReassignmentsRequest",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "TimeoutMs", type: "int32", versions: [0, null], default: 60000 },
    {
      name: "Topics",
      type: "[]ReassignableTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]ReassignablePartition",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "Replicas", type: "[]int32", versions: [0, null], nullableVersions: [0, null], default: null },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};

export const AlterPartitionReassignmentsResponseSchema: MessageSchema = {
  apiKey: 45,
  type: "response",
  name: "AlterPartitionReassignmentsResponse",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
    {
      name: "Responses",
      type: "[]ReassignableTopicResponse",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]ReassignablePartitionResponse",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
