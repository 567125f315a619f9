// Schema tables for Kafka API 22 (InitProducerId).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const InitProducerIdRequestSchema: MessageSchema = {
  apiKey: 22,
  type: "request",
  name: "InitProducerIdRequest",
  validVersions: [0, 5],
  flexibleVersions: 2,
  fields: [
    {
      name: "TransactionalId",
      type: "string",
      versions: [0, null],
      nullableVersions: [0, null],
    },
    { name: "TransactionTimeoutMs", type: "int32", versions: [0, null] },
    { name: "ProducerId", type: "int64", versions: [3, null], default: -1n },
    { name: "ProducerEpoch", type: "int16", versions: [3, null], default: -1 },
  ],
  commonStructs: [],
};

export const InitProducerIdResponseSchema: MessageSchema = {
  apiKey: 22,
  type: "response",
  name: "InitProducerIdResponse",
  validVersions: [0, 5],
  flexibleVersions: 2,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [0, null],
      ignorable: true,
    },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    { name: "ProducerId", type: "int64", versions: [0, null], default: -1n },
    { name: "ProducerEpoch", type: "int16", versions: [0, null] },
  ],
  commonStructs: [],
};
