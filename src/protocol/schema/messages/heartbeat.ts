// Schema tables for Kafka API 12 (Heartbeat).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const HeartbeatRequestSchema: MessageSchema = {
  apiKey: 12,
  type: "request",
  name: "HeartbeatRequest",
  validVersions: [0, 4],
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
  ],
  commonStructs: [],
};

export const HeartbeatResponseSchema: MessageSchema = {
  apiKey: 12,
  type: "response",
  name: "HeartbeatResponse",
  validVersions: [0, 4],
  flexibleVersions: 4,
  fields: [
    {
      name: "ThrottleTimeMs",
      type: "int32",
      versions: [1, null],
      ignorable: true,
    },
    { name: "ErrorCode", type: "int16", versions: [0, null] },
  ],
  commonStructs: [],
};
