// Schema tables for Kafka API 31 (DeleteAcls).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DeleteAclsRequestSchema: MessageSchema = {
  apiKey: 31,
  type: "request",
  name: "DeleteAclsRequest",
  validVersions: [0, 3],
  flexibleVersions: 2,
  deprecatedVersions: [0, 0],
  fields: [
    {
      name: "Filters",
      type: "[]DeleteAclsFilter",
      versions: [0, null],
      fields: [
        { name: "ResourceTypeFilter", type: "int8", versions: [0, null] },
        { name: "ResourceNameFilter", type: "string", versions: [0, null], nullableVersions: [0, null] },
        { name: "PatternTypeFilter", type: "int8", versions: [1, null], default: 3, ignorable: false },
        { name: "PrincipalFilter", type: "string", versions: [0, null], nullableVersions: [0, null] },
        { name: "HostFilter", type: "string", versions: [0, null], nullableVersions: [0, null] },
        { name: "Operation", type: "int8", versions: [0, null] },
        { name: "PermissionType", type: "int8", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const DeleteAclsResponseSchema: MessageSchema = {
  apiKey: 31,
  type: "response",
  name: "DeleteAclsResponse",
  validVersions: [0, 3],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "FilterResults",
      type: "[]DeleteAclsFilterResult",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
        {
          name: "MatchingAcls",
          type: "[]DeleteAclsMatchingAcl",
          versions: [0, null],
          fields: [
            { name: "ErrorCode", type: "int16", versions: [0, null] },
            { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
            { name: "ResourceType", type: "int8", versions: [0, null] },
            { name: "ResourceName", type: "string", versions: [0, null] },
            { name: "PatternType", type: "int8", versions: [1, null], default: 3, ignorable: false },
            { name: "Principal", type: "string", versions: [0, null] },
            { name: "Host", type: "string", versions: [0, null] },
            { name: "Operation", type: "int8", versions: [0, null] },
            { name: "PermissionType", type: "int8", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
