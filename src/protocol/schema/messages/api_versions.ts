// Schema tables for Kafka API 18 (ApiVersions).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ApiVersionsRequestSchema: MessageSchema = {
  apiKey: 18,
  type: "request",
  name: "ApiVersionsRequest",
  validVersions: [0, 4],
  flexibleVersions: 3,
  fields: [
    {
      name: "ClientSoftwareName",
      type: "string",
      versions: [3, null],
      ignorable: true,
    },
    {
      name: "ClientSoftwareVersion",
      type: "string",
      versions: [3, null],
      ignorable: true,
    },
  ],
  commonStructs: [],
};

export const ApiVersionsResponseSchema: MessageSchema = {
  apiKey: 18,
  type: "response",
  name: "ApiVersionsResponse",
  validVersions: [0, 4],
  flexibleVersions: 3,
  fields: [
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    {
      name: "ApiKeys",
      type: "[]ApiVersion",
      versions: [0, null],
      fields: [
        { name: "ApiKey", type: "int16", versions: [0, null] },
        { name: "MinVersion", type: "int16", versions: [0, null] },
        { name: "MaxVersion", type: "int16", versions: [0, null] },
      ],
    },
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [1, null],
      ignorable: true,
    },
    {
      name: "SupportedFeatures",
      type: "[]SupportedFeatureKey",
      versions: [3, null],
      taggedVersions: [3, null],
      tag: 0,
      ignorable: true,
      fields: [
        { name: "Name", type: "string", versions: [3, null] },
        { name: "MinVersion", type: "int16", versions: [3, null] },
        { name: "MaxVersion", type: "int16", versions: [3, null] },
      ],
    },
    {
      name: "FinalizedFeaturesEpoch",
      type: "int64",
      versions: [3, null],
      taggedVersions: [3, null],
      tag: 1,
      default: -1n,
      ignorable: true,
    },
    {
      name: "FinalizedFeatures",
      type: "[]FinalizedFeatureKey",
      versions: [3, null],
      taggedVersions: [3, null],
      tag: 2,
      ignorable: true,
      fields: [
        { name: "Name", type: "string", versions: [3, null] },
        { name: "MaxVersionLevel", type: "int16", versions: [3, null] },
        { name: "MinVersionLevel", type: "int16", versions: [3, null] },
      ],
    },
    {
      name: "ZkMigrationReady",
      type: "bool",
      versions: [3, null],
      taggedVersions: [3, null],
      tag: 3,
      default: false,
      ignorable: true,
    },
  ],
  commonStructs: [],
};
