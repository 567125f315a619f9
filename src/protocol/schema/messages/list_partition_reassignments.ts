// Schema tables for Kafka API 46 (ListPartitionReassignments).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ListPartitionReassignmentsRequestSchema: MessageSchema = {
  apiKey: 46,
  type: "request",
  name: "ListPartitionReassignmentsRequest",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "TimeoutMs", type: "int32", versions: [0, null], default: 60000 },
    {
      name: "Topics",
      type: "[]ListPartitionReassignmentsTopics",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "PartitionIndexes", type: "[]int32", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const ListPartitionReassignmentsResponseSchema: MessageSchema = {
  apiKey: 46,
  type: "response",
  name: "ListPartitionReassignmentsResponse",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
    {
      name: "Topics",
      type: "[]OngoingTopicReassignment",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]OngoingPartitionReassignment",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "Replicas", type: "[]int32", versions: [0, null] },
            { name: "AddingReplicas", type: "[]int32", versions: [0, null] },
            { name: "RemovingReplicas", type: "[]int32", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
