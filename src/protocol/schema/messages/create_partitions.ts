// Schema tables for Kafka API 37 (CreatePartitions).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const CreatePartitionsRequestSchema: MessageSchema = {
  apiKey: 37,
  type: "request",
  name: "CreatePartitionsRequest",
  validVersions: [0, 3],
  flexibleVersions: 2,
  fields: [
    {
      name: "Topics",
      type: "[]CreatePartitionsTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "Count", type: "int32", versions: [0, null] },
        {
          name: "Assignments",
          type: "[]CreatePartitionsAssignment",
          versions: [0, null],
          nullableVersions: [0, null],
          fields: [
            { name: "BrokerIds", type: "[]int32", versions: [0, null] },
          ],
        },
      ],
    },
    { name: "TimeoutMs", type: "int32", versions: [0, null] },
    { name: "ValidateOnly", type: "bool", versions: [0, null] },
  ],
  commonStructs: [],
};

export const CreatePartitionsResponseSchema: MessageSchema = {
  apiKey: 37,
  type: "response",
  name: "CreatePartitionsResponse",
  validVersions: [0, 3],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Results",
      type: "[]CreatePartitionsTopicResult",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        {
          name: "ErrorMessage",
          type: "string",
          versions: [0, null],
          nullableVersions: [0, null],
          default: null,
        },
      ],
    },
  ],
  commonStructs: [],
};
