// Schema tables for Kafka API 66 (ListTransactions).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ListTransactionsRequestSchema: MessageSchema = {
  apiKey: 66,
  type: "request",
  name: "ListTransactionsRequest",
  validVersions: [0, 1],
  flexibleVersions: 0,
  fields: [
    { name: "StateFilters", type: "[]string", versions: [0, null] },
    { name: "ProducerIdFilters", type: "[]int64", versions: [0, null] },
    {
      name: "DurationFilter",
      type: "int64",
      versions: [1, null],
      default: -1n,
    },
  ],
  commonStructs: [],
};

export const ListTransactionsResponseSchema: MessageSchema = {
  apiKey: 66,
  type: "response",
  name: "ListTransactionsResponse",
  validVersions: [0, 1],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    { name: "UnknownStateFilters", type: "[]string", versions: [0, null] },
    {
      name: "TransactionStates",
      type: "[]TransactionState",
      versions: [0, null],
      fields: [
        { name: "TransactionalId", type: "string", versions: [0, null] },
        { name: "ProducerId", type: "int64", versions: [0, null] },
        { name: "TransactionState", type: "string", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};
