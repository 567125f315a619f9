// Schema tables for Kafka API 13 (LeaveGroup).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const LeaveGroupRequestSchema: MessageSchema = {
  apiKey: 13,
  type: "request",
  name: "LeaveGroupRequest",
  validVersions: [0, 5],
  flexibleVersions: 4,
  fields: [
    { name: "GroupId", type: "string", versions: [0, null] },
    { name: "MemberId", type: "string", versions: [0, 2] },
    {
      name: "Members",
      type: "[]MemberIdentity",
      versions: [3, null],
      fields: [
        { name: "MemberId", type: "string", versions: [3, null] },
        {
          name: "GroupInstanceId",
          type: "string",
          versions: [3, null],
          nullableVersions: [3, null],
          default: null,
        },
        {
          name: "Reason",
          type: "string",
          versions: [5, null],
          nullableVersions: [5, null],
          default: null,
          ignorable: true,
        },
      ],
    },
  ],
  commonStructs: [],
};

export const LeaveGroupResponseSchema: MessageSchema = {
  apiKey: 13,
  type: "response",
  name: "LeaveGroupResponse",
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
      name: "Members",
      type: "[]MemberResponse",
      versions: [3, null],
      fields: [
        { name: "MemberId", type: "string", versions: [3, null] },
        {
          name: "GroupInstanceId",
          type: "string",
          versions: [3, null],
          nullableVersions: [3, null],
        },
        { name: "ErrorCode", type: "int16", versions: [3, null] },
      ],
    },
  ],
  commonStructs: [],
};
