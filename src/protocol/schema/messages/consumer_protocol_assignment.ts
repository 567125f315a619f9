// Schema tables for the ConsumerProtocolAssignment data schema (consumer group member metadata).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ConsumerProtocolAssignmentSchema: MessageSchema = {
  type: "data",
  name: "ConsumerProtocolAssignment",
  validVersions: [0, 3],
  flexibleVersions: null,
  fields: [
    {
      name: "AssignedPartitions",
      type: "[]TopicPartition",
      versions: [0, null],
      fields: [
        { name: "Topic", type: "string", versions: [0, null] },
        { name: "Partitions", type: "[]int32", versions: [0, null] },
      ],
    },
    {
      name: "UserData",
      type: "bytes",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
  ],
  commonStructs: [],
};
