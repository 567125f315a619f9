// Schema tables for Kafka API 60 (DescribeCluster).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeClusterRequestSchema: MessageSchema = {
  apiKey: 60,
  type: "request",
  name: "DescribeClusterRequest",
  validVersions: [0, 1],
  flexibleVersions: 0,
  fields: [
    {
      name: "IncludeClusterAuthorizedOperations",
      type: "bool",
      versions: [0, null],
    },
    { name: "EndpointType", type: "int8", versions: [1, null], default: 1 },
  ],
  commonStructs: [],
};

export const DescribeClusterResponseSchema: MessageSchema = {
  apiKey: 60,
  type: "response",
  name: "DescribeClusterResponse",
  validVersions: [0, 1],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    {
      name: "ErrorMessage",
      type: "string",
      versions: [0, null],
      nullableVersions: [0, null],
      default: null,
    },
    { name: "EndpointType", type: "int8", versions: [1, null], default: 1 },
    { name: "ClusterId", type: "string", versions: [0, null] },
    { name: "ControllerId", type: "int32", versions: [0, null], default: -1 },
    {
      name: "Brokers",
      type: "[]DescribeClusterBroker",
      versions: [0, null],
      fields: [
        { name: "BrokerId", type: "int32", versions: [0, null] },
        { name: "Host", type: "string", versions: [0, null] },
        { name: "Port", type: "int32", versions: [0, null] },
        {
          name: "Rack",
          type: "string",
          versions: [0, null],
          nullableVersions: [0, null],
          default: null,
        },
      ],
    },
    {
      name: "ClusterAuthorizedOperations",
      type: "int32",
      versions: [0, null],
      default: -2147483648,
    },
  ],
  commonStructs: [],
};
