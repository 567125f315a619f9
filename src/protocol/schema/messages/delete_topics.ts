// Schema tables for Kafka API 20 (DeleteTopics).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DeleteTopicsRequestSchema: MessageSchema = {
  apiKey: 20,
  type: "request",
  name: "DeleteTopicsRequest",
  validVersions: [0, 6],
  flexibleVersions: 4,
  deprecatedVersions: [0, 0],
  fields: [
    {
      name: "Topics",
      type: "[]DeleteTopicState",
      versions: [6, null],
      fields: [
        {
          name: "Name",
          type: "string",
          versions: [6, null],
          nullableVersions: [6, null],
          default: null,
        },
        { name: "TopicId", type: "uuid", versions: [6, null] },
      ],
    },
    { name: "TopicNames", type: "[]string", versions: [0, 5], ignorable: true },
    { name: "TimeoutMs", type: "int32", versions: [0, null] },
  ],
  commonStructs: [],
};

export const DeleteTopicsResponseSchema: MessageSchema = {
  apiKey: 20,
  type: "response",
  name: "DeleteTopicsResponse",
  validVersions: [0, 6],
  flexibleVersions: 4,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [1, null],
      ignorable: true,
    },
    {
      name: "Responses",
      type: "[]DeletableTopicResult",
      versions: [0, null],
      fields: [
        {
          name: "Name",
          type: "string",
          versions: [0, null],
          nullableVersions: [6, null],
        },
        { name: "TopicId", type: "uuid", versions: [6, null], ignorable: true },
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        {
          name: "ErrorMessage",
          type: "string",
          versions: [5, null],
          nullableVersions: [5, null],
          default: null,
          ignorable: true,
        },
      ],
    },
  ],
  commonStructs: [],
};
