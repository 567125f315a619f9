// Schema tables for Kafka API 11 (JoinGroup).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const JoinGroupRequestSchema: MessageSchema = {
  apiKey: 11,
  type: "request",
  name: "JoinGroupRequest",
  validVersions: [0, 9],
  flexibleVersions: 6,
  deprecatedVersions: [0, 1],
  fields: [
    { name: "GroupId", type: "string", versions: [0, null] },
    { name: "SessionTimeoutMs", type: "int32", versions: [0, null] },
    {
      name: "RebalanceTimeoutMs",
      type: "int32",
      versions: [1, null],
      default: -1,
      ignorable: true,
    },
    { name: "MemberId", type: "string", versions: [0, null] },
    {
      name: "GroupInstanceId",
      type: "string",
      versions: [5, null],
      nullableVersions: [5, null],
      default: null,
    },
    { name: "ProtocolType", type: "string", versions: [0, null] },
    {
      name: "Protocols",
      type: "[]JoinGroupRequestProtocol",
      versions: [0, null],
      fields: [
        { name: "Name", type: "string", versions: [0, null] },
        { name: "Metadata", type: "bytes", versions: [0, null] },
      ],
    },
    {
      name: "Reason",
      type: "string",
      versions: [8, null],
      nullableVersions: [8, null],
      default: null,
      ignorable: true,
    },
  ],
  commonStructs: [],
};

export const JoinGroupResponseSchema: MessageSchema = {
  apiKey: 11,
  type: "response",
  name: "JoinGroupResponse",
  validVersions: [0, 9],
  flexibleVersions: 6,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [2, null],
      ignorable: true,
    },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    { name: "GenerationId", type: "int32", versions: [0, null], default: -1 },
    {
      name: "ProtocolType",
      type: "string",
      versions: [7, null],
      nullableVersions: [7, null],
      default: null,
      ignorable: true,
    },
    {
      name: "ProtocolName",
      type: "string",
      versions: [0, null],
      nullableVersions: [7, null],
    },
    { name: "Leader", type: "string", versions: [0, null] },
    {
      name: "SkipAssignment",
      type: "bool",
      versions: [9, null],
      default: false,
    },
    { name: "MemberId", type: "string", versions: [0, null] },
    {
      name: "Members",
      type: "[]JoinGroupResponseMember",
      versions: [0, null],
      fields: [
        { name: "MemberId", type: "string", versions: [0, null] },
        {
          name: "GroupInstanceId",
          type: "string",
          versions: [5, null],
          nullableVersions: [5, null],
          default: null,
          ignorable: true,
        },
        { name: "Metadata", type: "bytes", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};
