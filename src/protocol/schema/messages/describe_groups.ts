// Schema tables for Kafka API 15 (DescribeGroups).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeGroupsRequestSchema: MessageSchema = {
  apiKey: 15,
  type: "request",
  name: "DescribeGroupsRequest",
  validVersions: [0, 5],
  flexibleVersions: 5,
  fields: [
    { name: "Groups", type: "[]string", versions: [0, null] },
    { name: "IncludeAuthorizedOperations", type: "bool", versions: [3, null] },
  ],
  commonStructs: [],
};

export const DescribeGroupsResponseSchema: MessageSchema = {
  apiKey: 15,
  type: "response",
  name: "DescribeGroupsResponse",
  validVersions: [0, 5],
  flexibleVersions: 5,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [1, null],
      ignorable: true,
    },
    {
      name: "Groups",
      type: "[]DescribedGroup",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        { name: "GroupId", type: "string", versions: [0, null] },
        { name: "GroupState", type: "string", versions: [0, null] },
        { name: "ProtocolType", type: "string", versions: [0, null] },
        { name: "ProtocolData", type: "string", versions: [0, null] },
        {
          name: "Members",
          type: "[]DescribedGroupMember",
          versions: [0, null],
          fields: [
            { name: "MemberId", type: "string", versions: [0, null] },
            {
              name: "GroupInstanceId",
              type: "string",
              versions: [4, null],
              nullableVersions: [4, null],
              default: null,
              ignorable: true,
            },
            { name: "ClientId", type: "string", versions: [0, null] },
            { name: "ClientHost", type: "string", versions: [0, null] },
            { name: "MemberMetadata", type: "bytes", versions: [0, null] },
            { name: "MemberAssignment", type: "bytes", versions: [0, null] },
          ],
        },
        {
          name: "AuthorizedOperations",
          type: "int32",
          versions: [3, null],
          default: -2147483648,
        },
      ],
    },
  ],
  commonStructs: [],
};
