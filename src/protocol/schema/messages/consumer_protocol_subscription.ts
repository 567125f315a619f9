// Schema tables for the ConsumerProtocolSubscription data schema (consumer group member metadata).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ConsumerProtocolSubscriptionSchema: MessageSchema = {
  type: "data",
  name: "ConsumerProtocolSubscription",
  validVersions: [0, 3],
  flexibleVersions: null,
  fields: [
    { name: "Topics", type: "[]string", versions: [0, null] },
    {
      name: "UserData",
      type: "bytes",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
    {
      name: "OwnedPartitions",
      type: "[]TopicPartition",
      versions: [1, null],
      ignorable: true,
      fields: [
        { name: "Topic", type: "string", versions: [1, null] },
        { name: "Partitions", type: "[]int32", versions: [1, null] },
      ],
    },
    {
      name: "GenerationId",
      type: "int32",
      versions: [2, null],
      default: -1,
      ignorable: true,
    },
    {
      name: "RackId",
      type: "string",
      versions: [3, null],
      nullableVersions: [3, null],
      default: null,
      ignorable: true,
    },
  ],
  commonStructs: [],
};
