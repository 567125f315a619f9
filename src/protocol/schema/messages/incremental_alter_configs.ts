// Schema tables for Kafka API 44 (IncrementalAlterConfigs).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const IncrementalAlterConfigsRequestSchema: MessageSchema = {
  apiKey: 44,
  type: "request",
  name: "IncrementalAlterConfigsRequest",
  validVersions: [0, 1],
  flexibleVersions: 1,
  fields: [
    {
      name: "Resources",
      type: "[]AlterConfigsResource",
      versions: [0, null],
      fields: [
        { name: "ResourceType", type: "int8", versions: [0, null] },
        { name: "ResourceName", type: "string", versions: [0, null] },
        {
          name: "Configs",
          type: "[]AlterableConfig",
          versions: [0, null],
          fields: [
            { name: "Name", type: "string", versions: [0, null] },
            { name: "ConfigOperation", type: "int8", versions: [0, null] },
            {
              name: "Value",
              type: "string",
              versions: [0, null],
              nullableVersions: [0, null],
            },
          ],
        },
      ],
    },
    { name: "ValidateOnly", type: "bool", versions: [0, null] },
  ],
  commonStructs: [],
};

export const IncrementalAlterConfigsResponseSchema: MessageSchema = {
  apiKey: 44,
  type: "response",
  name: "IncrementalAlterConfigsResponse",
  validVersions: [0, 1],
  flexibleVersions: 1,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Responses",
      type: "[]AlterConfigsResourceResponse",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        {
          name: "ErrorMessage",
          type: "string",
          versions: [0, null],
          nullableVersions: [0, null],
        },
        { name: "ResourceType", type: "int8", versions: [0, null] },
        { name: "ResourceName", type: "string", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};
