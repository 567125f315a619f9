// Schema tables for Kafka API 50 (DescribeUserScramCredentials).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeUserScramCredentialsRequestSchema: MessageSchema = {
  apiKey: 50,
  type: "request",
  name: "DescribeUserScramCredentialsRequest",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    {
      name: "Users",
      type: "[]UserName",
      versions: [0, null],
      nullableVersions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const DescribeUserScramCredentialsResponseSchema: MessageSchema = {
  apiKey: 50,
  type: "response",
  name: "DescribeUserScramCredentialsResponse",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
    {
      name: "Results",
      type: "[]DescribeUserScramCredentialsResult",
      versions: [0, null],
      fields: [
        { name: "User", type: "string", versions: [0, null] },
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
        {
          name: "CredentialInfos",
          type: "[]CredentialInfo",
          versions: [0, null],
          fields: [
            { name: "Mechanism", type: "int8", versions: [0, null] },
            { name: "Iterations", type: "int32", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
