// Schema tables for Kafka API 30 (CreateAcls).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const CreateAclsRequestSchema: MessageSchema = {
  apiKey: 30,
  type: "request",
  name: "CreateAclsRequest",
  validVersions: [0, 3],
  flexibleVersions: 2,
  deprecatedVersions: [0, 0],
  fields: [
    {
      name: "Creations",
      type: "[]AclCreation",
      versions: [0, null],
      fields: [
        { name: "ResourceType", type: "int8", versions: [0, null] },
        { name: "ResourceName", type: "string", versions: [0, null] },
        { name: "ResourcePatternType", type: "int8", versions: [1, null], default: 3 },
        { name: "Principal", type: "string", versions: [0, null] },
        { name: "Host", type: "string", versions: [0, null] },
        { name: "Operation", type: "int8", versions: [0, null] },
        { name: "PermissionType", type: "int8", versions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};

export const CreateAclsResponseSchema: MessageSchema = {
  apiKey: 30,
  type: "response",
  name: "CreateAclsResponse",
  validVersions: [0, 3],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Results",
      type: "[]AclCreationResult",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        { name: "ErrorMessage", type: "string", versions: [0, null], nullableVersions: [0, null] },
      ],
    },
  ],
  commonStructs: [],
};
