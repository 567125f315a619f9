// Schema tables for Kafka API 32 (DescribeConfigs).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeConfigsRequestSchema: MessageSchema = {
  apiKey: 32,
  type: "request",
  name: "DescribeConfigsRequest",
  validVersions: [0, 4],
  flexibleVersions: 4,
  deprecatedVersions: [0, 0],
  fields: [
    {
      name: "Resources",
      type: "[]DescribeConfigsResource",
      versions: [0, null],
      fields: [
        { name: "ResourceType", type: "int8", versions: [0, null] },
        { name: "ResourceName", type: "string", versions: [0, null] },
        {
          name: "ConfigurationKeys",
          type: "[]string",
          versions: [0, null],
          nullableVersions: [0, null],
        },
      ],
    },
    {
      name: "IncludeSynonyms",
      type: "bool",
      versions: [1, null],
      default: false,
      ignorable: false,
    },
    {
      name: "IncludeDocumentation",
      type: "bool",
      versions: [3, null],
      default: false,
      ignorable: false,
    },
  ],
  commonStructs: [],
};

export const DescribeConfigsResponseSchema: MessageSchema = {
  apiKey: 32,
  type: "response",
  name: "DescribeConfigsResponse",
  validVersions: [0, 4],
  flexibleVersions: 4,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Results",
      type: "[]DescribeConfigsResult",
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
        {
          name: "Configs",
          type: "[]DescribeConfigsResourceResult",
          versions: [0, null],
          fields: [
            { name: "Name", type: "string", versions: [0, null] },
            {
              name: "Value",
              type: "string",
              versions: [0, null],
              nullableVersions: [0, null],
            },
            { name: "ReadOnly", type: "bool", versions: [0, null] },
            { name: "IsDefault", type: "bool", versions: [0, 0] },
            {
              name: "ConfigSource",
              type: "int8",
              versions: [1, null],
              default: -1,
              ignorable: true,
            },
            { name: "IsSensitive", type: "bool", versions: [0, null] },
            {
              name: "Synonyms",
              type: "[]DescribeConfigsSynonym",
              versions: [1, null],
              ignorable: true,
              fields: [
                { name: "Name", type: "string", versions: [1, null] },
                {
                  name: "Value",
                  type: "string",
                  versions: [1, null],
                  nullableVersions: [0, null],
                },
                { name: "Source", type: "int8", versions: [1, null] },
              ],
            },
            {
              name: "ConfigType",
              type: "int8",
              versions: [3, null],
              default: 0,
              ignorable: true,
            },
            {
              name: "Documentation",
              type: "string",
              versions: [3, null],
              nullableVersions: [0, null],
              ignorable: true,
            },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
