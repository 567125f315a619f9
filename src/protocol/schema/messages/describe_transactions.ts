// Schema tables for Kafka API 65 (DescribeTransactions).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeTransactionsRequestSchema: MessageSchema = {
  apiKey: 65,
  type: "request",
  name: "DescribeTransactionsRequest",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "TransactionalIds", type: "[]string", versions: [0, null] },
  ],
  commonStructs: [],
};

export const DescribeTransactionsResponseSchema: MessageSchema = {
  apiKey: 65,
  type: "response",
  name: "DescribeTransactionsResponse",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "TransactionStates",
      type: "[]TransactionState",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        { name: "TransactionalId", type: "string", versions: [0, null] },
        { name: "TransactionState", type: "string", versions: [0, null] },
        { name: "TransactionTimeoutMs", type: "int32", versions: [0, null] },
        { name: "TransactionStartTimeMs", type: "int64", versions: [0, null] },
        { name: "ProducerId", type: "int64", versions: [0, null] },
        { name: "ProducerEpoch", type: "int16", versions: [0, null] },
        {
          name: "Topics",
          type: "[]TopicData",
          versions: [0, null],
          fields: [
            { name: "Topic", type: "string", versions: [0, null] },
            { name: "Partitions", type: "[]int32", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
