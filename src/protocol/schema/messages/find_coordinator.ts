// Schema tables for Kafka API 10 (FindCoordinator).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const FindCoordinatorRequestSchema: MessageSchema = {
  apiKey: 10,
  type: "request",
  name: "FindCoordinatorRequest",
  validVersions: [0, 6],
  flexibleVersions: 3,
  deprecatedVersions: [0, 0],
  fields: [
    { name: "Key", type: "string", versions: [0, 3] },
    {
      name: "KeyType",
      type: "int8",
      versions: [1, null],
      default: 0,
      ignorable: false,
    },
    { name: "CoordinatorKeys", type: "[]string", versions: [4, null] },
  ],
  commonStructs: [],
};

export const FindCoordinatorResponseSchema: MessageSchema = {
  apiKey: 10,
  type: "response",
  name: "FindCoordinatorResponse",
  validVersions: [0, 6],
  flexibleVersions: 3,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [1, null],
      ignorable: true,
    },
    { name: "ErrorCode", type: "int16", versions: [0, 3] },
    {
      name: "ErrorMessage",
      type: "string",
      versions: [1, 3],
      nullableVersions: [1, 3],
      ignorable: true,
    },
    { name: "NodeId", type: "int32", versions: [0, 3] },
    { name: "Host", type: "string", versions: [0, 3] },
    { name: "Port", type: "int32", versions: [0, 3] },
    {
      name: "Coordinators",
      type: "[]Coordinator",
      versions: [4, null],
      fields: [
        { name: "Key", type: "string", versions: [4, null] },
        { name: "NodeId", type: "int32", versions: [4, null] },
        { name: "Host", type: "string", versions: [4, null] },
        { name: "Port", type: "int32", versions: [4, null] },
        { name: "ErrorCode", type: "int16", versions: [4, null] },
        {
          name: "ErrorMessage",
          type: "string",
          versions: [4, null],
          nullableVersions: [4, null],
          ignorable: true,
        },
      ],
    },
  ],
  commonStructs: [],
};
