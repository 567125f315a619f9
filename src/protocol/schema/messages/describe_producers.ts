// Schema tables for Kafka API 61 (DescribeProducers).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeProducersRequestSchema: MessageSchema = {
  apiKey: 61,
  type: "request",
  name: "DescribeProducersRequest",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    {
      name: "Topics",
      type: "[]TopicRequest",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "PartitionIndexes", type: "[]int32", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const DescribeProducersResponseSchema: MessageSchema = {
  apiKey: 61,
  type: "response",
  name: "DescribeProducersResponse",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Topics",
      type: "[]TopicResponse",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]PartitionResponse",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            {
              name: "ErrorMessage",
              type: "string",
              versions: [0, null],
              nullableVersions: [0, null],
              default: null,
            },
            {
              name: "ActiveProducers",
              type: "[]ProducerState",
              versions: [0, null],
              fields: [
                { name: "ProducerId", type: "int64", versions: [0, null] },
                { name: "ProducerEpoch", type: "int32", versions: [0, null] },
                {
                  name: "LastSequence",
                  type: "int32",
                  versions: [0, null],
                  default: -1,
                },
                {
                  name: "LastTimestamp",
                  type: "int64",
                  versions: [0, null],
                  default: -1n,
                },
                {
                  name: "CoordinatorEpoch",
                  type: "int32",
                  versions: [0, null],
                },
                {
                  name: "CurrentTxnStartOffset",
                  type: "int64",
                  versions: [0, null],
                  default: -1n,
                },
              ],
            },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
