// Schema tables for Kafka API 16 (ListGroups).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ListGroupsRequestSchema: MessageSchema = {
  apiKey: 16,
  type: "request",
  name: "ListGroupsRequest",
  validVersions: [0, 5],
  flexibleVersions: 3,
  fields: [
    { name: "StatesFilter", type: "[]string", versions: [4, null] },
    { name: "TypesFilter", type: "[]string", versions: [5, null] },
  ],
  commonStructs: [],
};

export const ListGroupsResponseSchema: MessageSchema = {
  apiKey: 16,
  type: "response",
  name: "ListGroupsResponse",
  validVersions: [0, 5],
  flexibleVersions: 3,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [1, null],
      ignorable: true,
    },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    {
      name: "Groups",
      type: "[]ListedGroup",
      versions: [0, null],
      fields: [
        { name: "GroupId", type: "string", versions: [0, null] },
        { name: "ProtocolType", type: "string", versions: [0, null] },
        {
          name: "GroupState",
          type: "string",
          versions: [4, null],
          ignorable: true,
        },
        {
          name: "GroupType",
          type: "string",
          versions: [5, null],
          ignorable: true,
        },
      ],
    },
  ],
  commonStructs: [],
};
