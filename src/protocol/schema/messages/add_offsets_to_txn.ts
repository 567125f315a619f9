// Schema tables for Kafka API 25 (AddOffsetsToTxn).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const AddOffsetsToTxnRequestSchema: MessageSchema = {
  apiKey: 25,
  type: "request",
  name: "AddOffsetsToTxnRequest",
  validVersions: [0, 4],
  flexibleVersions: 3,
  fields: [
    { name: "TransactionalId", type: "string", versions: [0, null] },
    { name: "ProducerId", type: "int64", versions: [0, null] },
    { name: "ProducerEpoch", type: "int16", versions: [0, null] },
    { name: "GroupId", type: "string", versions: [0, null] },
  ],
  commonStructs: [],
};

export const AddOffsetsToTxnResponseSchema: MessageSchema = {
  apiKey: 25,
  type: "response",
  name: "AddOffsetsToTxnResponse",
  validVersions: [0, 4],
  flexibleVersions: 3,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
  ],
  commonStructs: [],
};
