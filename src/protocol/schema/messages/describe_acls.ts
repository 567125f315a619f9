// Schema tables for Kafka API 29 (DescribeAcls).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const DescribeAclsRequestSchema: MessageSchema = {
  apiKey: 29,
  type: "request",
  name: "DescribeAclsRequest",
  validVersions: [0, 3],
  flexibleVersions: 2,
  deprecatedVersions: [0, 0],
  fields: [
    { name: "ResourceTypeFilter", type: "int8", versions: [0, null] },
    { name: "ResourceNameFilter", type: "string", versions: [0, null], nullableVersions: [0, null] },
    { name: "PatternTypeFilter", type: "int8", versions: [1, null], default: 3, ignorable: false },
    { name: "PrincipalFilter", type: "string", versions: [0, null], nullableVersions: [0, null] },
    { name: "HostFilter", type: "string", versions: [0, null], nullableVersions: [0, null] },
    { name: "Operation", type: "int8", versions: [0, null] },
    { name: "PermissionType", type: "int8", versions: [0, null] },
  ],
  commonStructs: [],
};

export const DescribeAclsResponseSchema: MessageSchema = {
  apiKey: 29,
  type: "response",
  name: "DescribeAclsResponse",
  validVersions: [0, 3],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
    { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
    {
      name: "Resources",
      type: "[]DescribeAclsResource",
      versions: [0, null],
      fields: [
        { name: "ResourceType", type: "int8", versions: [0, null] },
        { name: "ResourceName", type: "string", versions: [0, null] },
        { name: "PatternType", type: "int8", versions: [1, null], default: 3, ignorable: false },
        {
          name: "Acls",
          type: "[]AclDescription",
          versions: [0, null],
          fields: [
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
