import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeBroker } from "../_in_memory.ts";
import { advertisedVersions } from "../../../src/handler/apis/registry.ts";
import { ErrorCode } from "../../../src/protocol/errors.ts";
import {
  decodeApiVersionsResponse,
  defaultApiVersionsRequest,
  encodeApiVersionsRequest,
} from "../../../src/protocol/generated/api_versions.ts";
import { Reader } from "../../../src/protocol/io/reader.ts";

describe("ApiVersions", () => {
  for (let version = 0; version <= 4; version++) {
    test(`v${version} lists exactly the registry's versions`, async () => {
      const broker = new FakeBroker();
      const request = {
        ...defaultApiVersionsRequest(),
        clientSoftwareName: "librdkafka",
        clientSoftwareVersion: "2.0.2",
      };
      const response = await broker.call(18, version, request, encodeApiVersionsRequest, decodeApiVersionsResponse);
      assert.equal(response.errorCode, ErrorCode.NONE);
      assert.deepEqual(response.apiKeys, advertisedVersions());
      assert.deepEqual(response.apiKeys.find((k) => k.apiKey === 18), { apiKey: 18, minVersion: 0, maxVersion: 4 });
    });
  }

  test("v3 with a malformed client software name answers INVALID_REQUEST", async () => {
    const broker = new FakeBroker();
    const request = { ...defaultApiVersionsRequest(), clientSoftwareName: "-bad name", clientSoftwareVersion: "1.0" };
    const response = await broker.call(18, 3, request, encodeApiVersionsRequest, decodeApiVersionsResponse);
    assert.equal(response.errorCode, ErrorCode.INVALID_REQUEST);
    assert.deepEqual(response.apiKeys, []);
  });

  test("a version above 4 gets a v0-format UNSUPPORTED_VERSION answer listing ApiVersions' own range", async () => {
    const broker = new FakeBroker();
    // Header v2 as a future client would send it; the broker must not parse the body.
    const frame = new Uint8Array([0, 18, 0, 9, 0, 0, 0, 77, 0, 1, 65, 0, 0xde, 0xad]);
    const result = await broker.raw(frame);
    assert.equal(result.action, "send");
    if (result.action !== "send") return;
    const r = new Reader(result.bytes, 4);
    assert.equal(r.readInt32(), 77); // response header v0: correlation id only
    const body = decodeApiVersionsResponse(r, 0);
    assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.deepEqual(body.apiKeys, advertisedVersions().filter((k) => k.apiKey === 18));
    assert.equal(r.remaining(), 0);
  });
});
