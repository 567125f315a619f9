// Schema tables for Kafka API 42 (DeleteGroups).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DeleteGroupsRequestSchema: MessageSchema = {
  apiKey: 42,
  type: "request",
  name: "DeleteGroupsRequest",
  validVersions: [0, 2],
  flexibleVersions: 2,
  deprecatedVersions: [0, 0],
  fields: [
    { name: "GroupsNames", type: "[]string", versions: [0, null] },
  ],
  commonStructs: [],
};

export const DeleteGroupsResponseSchema: MessageSchema = {
  apiKey: 42,
  type: "response",
  name: "DeleteGroupsResponse",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Results",
      type: "[]DeletableGroupResult",
      versions: [0, null],
      fields: [
        { name: "GroupId", type: "string", versions: [0, null] },
        { name: "ErrorCode", type: "int16", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};
