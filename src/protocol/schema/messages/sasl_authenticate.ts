// Schema tables for Kafka API 36 (SaslAuthenticate).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const SaslAuthenticateRequestSchema: MessageSchema = {
  apiKey: 36,
  type: "request",
  name: "SaslAuthenticateRequest",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    { name: "AuthBytes", type: "bytes", versions: [0, null] },
  ],
  commonStructs: [],
};

export const SaslAuthenticateResponseSchema: MessageSchema = {
  apiKey: 36,
  type: "response",
  name: "SaslAuthenticateResponse",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    {
      name: "ErrorMessage",
      type: "string",
      versions: [0, null],
      nullableVersions: [0, null],
    },
    { name: "AuthBytes", type: "bytes", versions: [0, null] },
    {
      name: "SessionLifetimeMs",
      type: "int64",
      versions: [1, null],
      default: 0n,
      ignorable: true,
    },
  ],
  commonStructs: [],
};
