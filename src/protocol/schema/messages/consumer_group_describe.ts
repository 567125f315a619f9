// Schema tables for Kafka API 69 (ConsumerGroupDescribe).
// Imported from the Kafka 3.9 message specification by scripts/protocol/import_spec.ts
// and maintained here since; tests/protocol/schema_matches_spec_test.ts checks them
// against the specification. Regenerate codecs with scripts/protocol/generate.ts.
import type { MessageSchema } from "../types.ts";

export const ConsumerGroupDescribeRequestSchema: MessageSchema = {
  apiKey: 69,
  type: "request",
  name: "ConsumerGroupDescribeRequest",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "GroupIds", type: "[]string", versions: [0, null] },
    { name: "IncludeAuthorizedOperations", type: "bool", versions: [0, null] },
  ],
  commonStructs: [],
};

export const ConsumerGroupDescribeResponseSchema: MessageSchema = {
  apiKey: 69,
  type: "response",
  name: "ConsumerGroupDescribeResponse",
  validVersions: [0, 0],
  flexibleVersions: 0,
  fields: [
    { name: "ThrottleTimeMs", type: "int32", versions: [0, null] },
    {
      name: "Groups",
      type: "[]DescribedGroup",
      versions: [0, null],
      fields: [
        { name: "ErrorCode", type: "int16", versions: [0, null] },
        {
          name: "ErrorMessage",
          type: "string",
          versions: [0, null],
          nullableVersions: [0, null],
          default: null,
        },
        { name: "GroupId", type: "string", versions: [0, null] },
        { name: "GroupState", type: "string", versions: [0, null] },
        { name: "GroupEpoch", type: "int32", versions: [0, null] },
        { name: "AssignmentEpoch", type: "int32", versions: [0, null] },
        { name: "AssignorName", type: "string", versions: [0, null] },
        {
          name: "Members",
          type: "[]Member",
          versions: [0, null],
          fields: [
            { name: "MemberId", type: "string", versions: [0, null] },
            {
              name: "InstanceId",
              type: "string",
              versions: [0, null],
              nullableVersions: [0, null],
              default: null,
            },
            {
              name: "RackId",
              type: "string",
              versions: [0, null],
              nullableVersions: [0, null],
              default: null,
            },
            { name: "MemberEpoch", type: "int32", versions: [0, null] },
            { name: "ClientId", type: "string", versions: [0, null] },
            { name: "ClientHost", type: "string", versions: [0, null] },
            {
              name: "SubscribedTopicNames",
              type: "[]string",
              versions: [0, null],
            },
            {
              name: "SubscribedTopicRegex",
              type: "string",
              versions: [0, null],
              nullableVersions: [0, null],
              default: null,
            },
            { name: "Assignment", type: "Assignment", versions: [0, null] },
            {
              name: "TargetAssignment",
              type: "Assignment",
              versions: [0, null],
            },
          ],
        },
        {
          name: "AuthorizedOperations",
          type: "int32",
          versions: [0, null],
          default: -2147483648,
        },
      ],
    },
  ],
  commonStructs: [
    {
      name: "TopicPartitions",
      versions: [0, null],
      fields: [
        { name: "TopicId", type: "uuid", versions: [0, null] },
        { name: "TopicName", type: "string", versions: [0, null] },
        { name: "Partitions", type: "[]int32", versions: [0, null] },
      ],
    },
    {
      name: "Assignment",
      versions: [0, null],
      fields: [
        {
          name: "TopicPartitions",
          type: "[]TopicPartitions",
          versions: [0, null],
        },
      ],
    },
  ],
};
