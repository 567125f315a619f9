// Schema tables for Kafka API 27 (WriteTxnMarkers).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const WriteTxnMarkersRequestSchema: MessageSchema = {
  apiKey: 27,
  type: "request",
  name: "WriteTxnMarkersRequest",
  validVersions: [0, 1],
  flexibleVersions: 1,
  fields: [
    {
      name: "Markers",
      type: "[]WritableTxnMarker",
      versions: [0, null],
      fields: [
        { name: "ProducerId", type: "int64", versions: [0, null] },
        { name: "ProducerEpoch", type: "int16", versions: [0, null] },
        { name: "TransactionResult", type: "bool", versions: [0, null] },
        {
          name: "Topics",
          type: "[]WritableTxnMarkerTopic",
          versions: [0, null],
          fields: [
            { name: "Name", type: "string", versions: [0, null] },
            { name: "PartitionIndexes", type: "[]int32", versions: [0, null] },
          ],
        },
        { name: "CoordinatorEpoch", type: "int32", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const WriteTxnMarkersResponseSchema: MessageSchema = {
  apiKey: 27,
  type: "response",
  name: "WriteTxnMarkersResponse",
  validVersions: [0, 1],
  flexibleVersions: 1,
  fields: [
    {
      name: "Markers",
      type: "[]WritableTxnMarkerResult",
      versions: [0, null],
      fields: [
        { name: "ProducerId", type: "int64", versions: [0, null] },
        {
          name: "Topics",
          type: "[]WritableTxnMarkerTopicResult",
          versions: [0, null],
          fields: [
            { name: "Name", type: "string", versions: [0, null] },
            {
              name: "Partitions",
              type: "[]WritableTxnMarkerPartitionResult",
              versions: [0, null],
              fields: [
                { name: "PartitionIndex", type: "int32", versions: [0, null] },
                { name: "ErrorCode", type: "int16", versions: [0, null] },
              ],
            },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
