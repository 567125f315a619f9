// Schema tables for Kafka API 43 (ElectLeaders).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ElectLeadersRequestSchema: MessageSchema = {
  apiKey: 43,
  type: "request",
  name: "ElectLeadersRequest",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    { name: "ElectionType", type: "int8", versions: [1, null] },
    {
      name: "TopicPartitions",
      type: "[]TopicPartitions",
      versions: [0, null],
      nullableVersions: [0, null],
      fields: [
        { name: "Topic", type: "string", versions: [0, null] },
        { name: "Partitions", type: "[]int32", versions: [0, null] },
      ],
    },
    { name: "TimeoutMs", type: "int32", versions: [0, null], default: 60000 },
  ],
  commonStructs: [],
};

export const ElectLeadersResponseSchema: MessageSchema = {
  apiKey: 43,
  type: "response",
  name: "ElectLeadersResponse",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [1, null], ignorable: false },
    {
      name: "ReplicaElectionResults",
      type: "[]ReplicaElectionResult",
      versions: [0, null],
      fields: [
        { name: "Topic", type: "string", versions: [0, null] },
        {
          name: "PartitionResult",
          type: "[]PartitionResult",
          versions: [0, null],
          fields: [
            { name: "PartitionId", type: "int32", versions: [0, null] },
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
