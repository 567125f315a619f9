/** Header versions per API version, API key names and error codes. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  apiDescriptor,
  isFlexibleVersion,
  requestHeaderVersion,
  responseHeaderVersion,
} from "../../src/protocol/api_headers.ts";
import { API_DESCRIPTORS } from "../../src/protocol/generated/apis.ts";
import { METADATA_API } from "../../src/protocol/generated/metadata.ts";
import { API_VERSIONS_API } from "../../src/protocol/generated/api_versions.ts";
import { apiKeyName } from "../../src/protocol/api_keys.ts";
import { ErrorCode, errorName } from "../../src/protocol/errors.ts";

describe("api headers", () => {
  test("descriptors", () => {
    assert.deepEqual(METADATA_API, {
      apiKey: 3,
      name: "Metadata",
      minVersion: 0,
      maxVersion: 12,
      firstFlexibleVersion: 9,
    });
    assert.deepEqual(API_VERSIONS_API, {
      apiKey: 18,
      name: "ApiVersions",
      minVersion: 0,
      maxVersion: 4,
      firstFlexibleVersion: 3,
    });
    assert.equal(API_DESCRIPTORS.length, 51);
    assert.equal(apiDescriptor(3), METADATA_API);
    assert.equal(apiDescriptor(4), undefined);
    assert.equal(apiDescriptor(-1), undefined);
    for (const d of API_DESCRIPTORS) assert.equal(apiKeyName(d.apiKey), d.name);
  });

  test("metadata: header v1/v0 before v9, v2/v1 from v9", () => {
    assert.equal(requestHeaderVersion(3, 8), 1);
    assert.equal(responseHeaderVersion(3, 8), 0);
    assert.equal(requestHeaderVersion(3, 9), 2);
    assert.equal(responseHeaderVersion(3, 9), 1);
    assert.equal(requestHeaderVersion(3, 12), 2);
  });

  test("ApiVersions responses always use header v0", () => {
    for (let v = 0; v <= 10; v++) assert.equal(responseHeaderVersion(18, v), 0);
    assert.equal(requestHeaderVersion(18, 2), 1);
    assert.equal(requestHeaderVersion(18, 3), 2);
    // A too-new ApiVersions request still has a flexible header.
    assert.equal(requestHeaderVersion(18, 9), 2);
  });

  test("never-flexible and always-flexible APIs", () => {
    assert.equal(isFlexibleVersion(17, 1), false); // SaslHandshake
    assert.equal(requestHeaderVersion(47, 0), 1); // OffsetDelete
    assert.equal(requestHeaderVersion(75, 0), 2); // DescribeTopicPartitions
    assert.equal(responseHeaderVersion(68, 0), 1); // ConsumerGroupHeartbeat
  });

  test("unknown APIs get the non-flexible header", () => {
    assert.equal(requestHeaderVersion(1000, 5), 1);
    assert.equal(responseHeaderVersion(1000, 5), 0);
  });

  test("names", () => {
    assert.equal(apiKeyName(0), "Produce");
    assert.equal(apiKeyName(75), "DescribeTopicPartitions");
    assert.equal(apiKeyName(200), "Unknown(200)");
    assert.equal(ErrorCode.NONE, 0);
    assert.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1);
    assert.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3);
    assert.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
    assert.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
    assert.equal(ErrorCode.UNKNOWN_TOPIC_ID, 100);
    assert.equal(ErrorCode.TRANSACTION_ABORTABLE, 120);
    assert.equal(errorName(25), "UNKNOWN_MEMBER_ID");
    assert.equal(errorName(9999), "UNKNOWN_ERROR_CODE(9999)");
    const codes = Object.values(ErrorCode);
    assert.equal(new Set(codes).size, codes.length, "codes are unique");
  });
});
