// Schema tables for Kafka API 14 (SyncGroup).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const SyncGroupRequestSchema: MessageSchema = {
  apiKey: 14,
  type: "request",
  name: "SyncGroupRequest",
  validVersions: [0, 5],
  flexibleVersions: 4,
  fields: [
    { name: "GroupId", type: "string", versions: [0, null] },
    { name: "GenerationId", type: "int32", versions: [0, null] },
    { name: "MemberId", type: "string", versions: [0, null] },
    {
      name: "GroupInstanceId",
      type: "string",
      versions: [3, null],
      nullableVersions: [3, null],
      default: null,
    },
    {
      name: "ProtocolType",
      type: "string",
      versions: [5, null],
      nullableVersions: [5, null],
      default: null,
      ignorable: true,
    },
    {
      name: "ProtocolName",
      type: "string",
      versions: [5, null],
      nullableVersions: [5, null],
      default: null,
      ignorable: true,
    },
    {
      name: "Assignments",
      type: "[]SyncGroupRequestAssignment",
      versions: [0, null],
      fields: [
        { name: "MemberId", type: "string", versions: [0, null] },
        { name: "Assignment", type: "bytes", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const SyncGroupResponseSchema: MessageSchema = {
  apiKey: 14,
  type: "response",
  name: "SyncGroupResponse",
  validVersions: [0, 5],
  flexibleVersions: 4,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [1, null],
      ignorable: true,
    },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    {
      name: "ProtocolType",
      type: "string",
      versions: [5, null],
      nullableVersions: [5, null],
      default: null,
      ignorable: true,
    },
    {
      name: "ProtocolName",
      type: "string",
      versions: [5, null],
      nullableVersions: [5, null],
      default: null,
      ignorable: true,
    },
    { name: "Assignment", type: "bytes", versions: [0, null] },
  ],
  commonStructs: [],
};
