// Schema tables for Kafka API 24 (AddPartitionsToTxn).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const AddPartitionsToTxnRequestSchema: MessageSchema = {
  apiKey: 24,
  type: "request",
  name: "AddPartitionsToTxnRequest",
  validVersions: [0, 5],
  flexibleVersions: 3,
  latestVersionUnstable: false,
  fields: [
    {
      name: "Transactions",
      type: "[]AddPartitionsToTxnTransaction",
      versions: [4, null],
      fields: [
        { name: "TransactionalId", type: "string", versions: [4, null] },
        { name: "ProducerId", type: "int64", versions: [4, null] },
        { name: "ProducerEpoch", type: "int16", versions: [4, null] },
        {
          name: "VerifyOnly",
          type: "bool",
          versions: [4, null],
          default: false,
        },
        {
          name: "Topics",
          type: "[]AddPartitionsToTxnTopic",
          versions: [4, null],
        },
      ],
    },
    { name: "V3AndBelowTransactionalId", type: "string", versions: [0, 3] },
    { name: "V3AndBelowProducerId", type: "int64", versions: [0, 3] },
    { name: "V3AndBelowProducerEpoch", type: "int16", versions: [0, 3] },
    {
      name: "V3AndBelowTopics",
      type: "[]AddPartitionsToTxnTopic",
      versions: [0, 3],
    },
  ],
  commonStructs: [
    {
      name: "AddPartitionsToTxnTopic",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "Partitions", type: "[]int32", versions: [0, null] },
      ],
    },
  ],
};

export const AddPartitionsToTxnResponseSchema: MessageSchema = {
  apiKey: 24,
  type: "response",
  name: "AddPartitionsToTxnResponse",
  validVersions: [0, 5],
  flexibleVersions: 3,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [4, null], ignorable: true },
    {
      name: "ResultsByTransaction",
      type: "[]AddPartitionsToTxnResult",
      versions: [4, null],
      fields: [
        { name: "TransactionalId", type: "string", versions: [4, null] },
        {
          name: "TopicResults",
          type: "[]AddPartitionsToTxnTopicResult",
          versions: [4, null],
        },
      ],
    },
    {
      name: "ResultsByTopicV3AndBelow",
      type: "[]AddPartitionsToTxnTopicResult",
      versions: [0, 3],
    },
  ],
  commonStructs: [
    {
      name: "AddPartitionsToTxnTopicResult",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "ResultsByPartition",
          type: "[]AddPartitionsToTxnPartitionResult",
          versions: [0, null],
        },
      ],
    },
    {
      name: "AddPartitionsToTxnPartitionResult",
      versions: [0, null],
      fields: [
        { name: "PartitionIndex", type: "int32", versions: [0, null] },
        { name: "PartitionErrorCode", type: "int16", versions: [0, null] },
      ],
    },
  ],
};
