// Schema tables for Kafka API 51 (AlterUserScramCredentials).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const AlterUserScramCredentialsRequestSchema: MessageSchema = {
  apiKey: 51,
  type: "request",
  name: "AlterUserScramCredentialsRequest",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    {
      name: "Deletions",
      type: "[]ScramCredentialDeletion",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "Mechanism", type: "int8", versions: [0, null] },
      ],
    },
    {
      name: "Upsertions",
      type: "[]ScramCredentialUpsertion",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "Mechanism", type: "int8", versions: [0, null] },
        { name: "Iterations", type: "int32", versions: [0, null] },
        { name: "Salt", type: "bytes", versions: [0, null] },
        { name: "SaltedPassword", type: "bytes", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const AlterUserScramCredentialsResponseSchema: MessageSchema = {
  apiKey: 51,
  type: "response",
  name: "AlterUserScramCredentialsResponse",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Results",
      type: "[]AlterUserScramCredentialsResult",
      versions: [0, null],
      fields: [
        { name: "User", type: "string", versions: [0, null] },
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};
