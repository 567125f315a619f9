// Schema tables for Kafka API 34 (AlterReplicaLogDirs).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const AlterReplicaLogDirsRequestSchema: MessageSchema = {
  apiKey: 34,
  type: "request",
  name: "AlterReplicaLogDirsRequest",
  validVersions: [0, 2],
  flexibleVersions: 2,
  deprecatedVersions: [0, 0],
  fields: [
    {
      name: "Dirs",
      type: "[]AlterReplicaLogDir",
      versions: [0, null],
      fields: [
        { name: "Path", type: "string", versions: [0, null] },
        {
          name: "Topics",
          type: "[]AlterReplicaLogDirTopic",
          versions: [0, null],
          fields: [
            { name: "Name", type: "string", versions: [0, null] },
            { name: "Partitions", type: "[]int32", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};

export const AlterReplicaLogDirsResponseSchema: MessageSchema = {
  apiKey: 34,
  type: "response",
  name: "AlterReplicaLogDirsResponse",
  validVersions: [0, 2],
  flexibleVersions: 2,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Results",
      type: "[]AlterReplicaLogDirTopicResult",
      versions: [0, null],
      fields: [
        { name: "TopicName", type: "string", versions: [0, null] },
        {
          name: "Partitions",
          type: "[]AlterReplicaLogDirPartitionResult",
          versions: [0, null],
          fields: [
            { name: "PartitionIndex", type: "int32", versions: [0, null] },
            { name: "ErrorCode", type: "int16", versions: [0, null] },
          ],
        },
      ],
    },
  ],
  commonStructs: [],
};
