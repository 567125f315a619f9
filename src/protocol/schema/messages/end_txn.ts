// Schema tables for Kafka API 26 (EndTxn).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const EndTxnRequestSchema: MessageSchema = {
  apiKey: 26,
  type: "request",
  name: "EndTxnRequest",
  validVersions: [0, 4],
  flexibleVersions: 3,
  fields: [
    { name: "TransactionalId", type: "string", versions: [0, null] },
    { name: "ProducerId", type: "int64", versions: [0, null] },
    { name: "ProducerEpoch", type: "int16", versions: [0, null] },
    { name: "Committed", type: "bool", versions: [0, null] },
  ],
  commonStructs: [],
};

export const EndTxnResponseSchema: MessageSchema = {
  apiKey: 26,
  type: "response",
  name: "EndTxnResponse",
  validVersions: [0, 4],
  flexibleVersions: 3,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
  ],
  commonStructs: [],
};
