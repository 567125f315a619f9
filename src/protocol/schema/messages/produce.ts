// Schema tables for Kafka API 0 (Produce).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ProduceRequestSchema: MessageSchema = {
  apiKey: 0,
  type: "request",
  name: "ProduceRequest",
  validVersions: [0, 11],
  flexibleVersions: 9,
  deprecatedVersions: [0, 6],
  fields: [
    {
      name: "TransactionalId",
      type: "string",
      versions: [3, null],
      nullableVersions: [3, null],
      default: null,
    },
    { name: "Acks", type: "int16", versions: [0, null] },
    { name: "TimeoutMs", type: "int32", versions: [0, null] },
    {
      name: "TopicData",
      type: "[]TopicProduceData",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "PartitionData",
          type: "[]PartitionProduceData",
          versions: [0, null],
          fields: [
            { name: "Index", type: "int32", versions: [0, null] },
            {
              name: "Records",
              type: "records",
              versions: [0, null],
              nullableVersions: [0, null],
            },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};

export const ProduceResponseSchema: MessageSchema = {
  apiKey: 0,
  type: "response",
  name: "ProduceResponse",
  validVersions: [0, 11],
  flexibleVersions: 9,
  fields: [
    {
      name: "Responses",
      type: "[]TopicProduceResponse",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        {
          name: "PartitionResponses",
          type: "[]PartitionProduceResponse",
          versions: [0, null],
          fields: [
            { name: "Index", type: "int32", versions: [0, null] },
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            { name: "BaseOffset", type: "int64", versions: [0, null] },
            {
              name: "LogAppendTimeMs",
              type: "int64",
              versions: [2, null],
              default: -1n,
              ignorable: true,
            },
            {
              name: "LogStartOffset",
              type: "int64",
              versions: [5, null],
              default: -1n,
              ignorable: true,
            },
            {
              name: "RecordErrors",
              type: "[]BatchIndexAndErrorMessage",
              versions: [8, null],
              ignorable: true,
              fields: [
                { name: "BatchIndex", type: "int32", versions: [8, null] },
                {
                  name: "BatchIndexErrorMessage",
                  type: "string",
                  versions: [8, null],
                  nullableVersions: [8, null],
                  default: null,
                },
              ],
            },
            {
              name: "ErrorMessage",
              type: "string",
              versions: [8, null],
              nullableVersions: [8, null],
              default: null,
              ignorable: true,
            },
            {
              name: "CurrentLeader",
              type: "LeaderIdAndEpoch",
              versions: [10, null],
              taggedVersions: [10, null],
              tag: 0,
              fields: [
                {
                  name: "LeaderId",
                  type: "int32",
                  versions: [10, null],
                  default: -1,
                },
                {
                  name: "LeaderEpoch",
                  type: "int32",
                  versions: [10, null],
                  default: -1,
                },
              ],
            },
          ],
        },
      ],
    },
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [1, null],
      default: 0,
      ignorable: true,
    },
    {
      name: "NodeEndpoints",
      type: "[]NodeEndpoint",
      versions: [10, null],
      taggedVersions: [10, null],
      tag: 0,
      fields: [
        { name: "NodeId", type: "int32", versions: [10, null] },
        { name: "Host", type: "string", versions: [10, null] },
        { name: "Port", type: "int32", versions: [10, null] },
        {
          name: "Rack",
          type: "string",
          versions: [10, null],
          nullableVersions: [10, null],
          default: null,
        },
      ],
    },
  ],
  commonStructs: [],
};
