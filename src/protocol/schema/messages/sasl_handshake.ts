// Schema tables for Kafka API 17 (SaslHandshake).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const SaslHandshakeRequestSchema: MessageSchema = {
  apiKey: 17,
  type: "request",
  name: "SaslHandshakeRequest",
  validVersions: [0, 1],
  flexibleVersions: null,
  deprecatedVersions: [0, 0],
  fields: [
    { name: "Mechanism", type: "string", versions: [0, null] },
  ],
  commonStructs: [],
};

export const SaslHandshakeResponseSchema: MessageSchema = {
  apiKey: 17,
  type: "response",
  name: "SaslHandshakeResponse",
  validVersions: [0, 1],
  flexibleVersions: null,
  fields: [
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    { name: "Mechanisms", type: "[]string", versions: [0, null] },
  ],
  commonStructs: [],
};
