// Schema tables for the request and response headers.
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const RequestHeaderSchema: MessageSchema = {
  type: "header",
  name: "RequestHeader",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    { name: "RequestApiKey", type: "int16", versions: [0, null] },
    { name: "RequestApiVersion", type: "int16", versions: [0, null] },
    { name: "CorrelationId", type: "int32", versions: [0, null] },
    {
      name: "ClientId",
      type: "string",
      versions: [1, null],
      nullableVersions: [1, null],
      ignorable: true,
      flexibleVersions: null,
    },
  ],
  commonStructs: [],
};

export const ResponseHeaderSchema: MessageSchema = {
  type: "header",
  name: "ResponseHeader",
  validVersions: [0, 1],
  flexibleVersions: 1,
  fields: [
    { name: "CorrelationId", type: "int32", versions: [0, null] },
  ],
  commonStructs: [],
};
