// Schema tables for Kafka API 49 (AlterClientQuotas).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const AlterClientQuotasRequestSchema: MessageSchema = {
  apiKey: 49,
  type: "request",
  name: "AlterClientQuotasRequest",
  validVersions: [0, 1],
  flexibleVersions: 1,
  fields: [
    {
      name: "Entries",
      type: "[]EntryData",
      versions: [0, null],
      fields: [
        {
          name: "Entity",
          type: "[]EntityData",
          versions: [0, null],
          fields: [
            { name: "EntityType", type: "string", versions: [0, null] },
            { name: "EntityName", type: "string", versions: [0, null], nullableVersions: [0, null] },
          ],
        },
        {
          name: "Ops",
          type: "[]OpData",
          versions: [0, null],
          fields: [
            { name: "Key", type: "string", versions: [0, null] },
            { name: "Value", type: "float64", versions: [0, null] },
            { name: "Remove", type: "bool", versions: [0, null] },
          ],
        },
      ],
    },
    { name: "ValidateOnly", type: "bool", versions: [0, null] },
  ],
  commonStructs: [],
};

export const AlterClientQuotasResponseSchema: MessageSchema = {
  apiKey: 49,
  type: "response",
  name: "AlterClientQuotasResponse",
  validVersions: [0, 1],
  flexibleVersions: 1,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Entries",
      type: "[]EntryData",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
        {
          name: "Entity",
          type: "[]EntityData",
          versions: [0, null],
          fields: [
            { name: "EntityType", type: "string", versions: [0, null] },
            { name: "EntityName", type: "string", versions: [0, null], nullableVersions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
