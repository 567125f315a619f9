/**
 * ApiVersions (key 18), v0–v4.
 *
 * Lists every API key with the exact version range this broker implements;
 * the list is built from the same registry that dispatches requests. v1+ adds
 * throttle time; v3+ is flexible, carries the client's software name and
 * version (validated as Kafka does: INVALID_REQUEST when malformed) and has
 * tagged feature fields, which a broker without feature flags leaves empty.
 * A request above v4 never reaches this file: the request handler answers it
 * in the v0 format with UNSUPPORTED_VERSION, as Kafka does, so clients can
 * retry at a version from the list. As in Kafka's
 * ApiVersionsRequest.getErrorResponse, an error answer lists no keys, except
 * that UNSUPPORTED_VERSION lists ApiVersions' own range (KIP-511), which is
 * all the client needs to retry. The response header is always v0.
 */
import { defineApi } from "./api.ts";
import { ErrorCode } from "../protocol/errors.ts";
import {
  type ApiVersionsRequest,
  type ApiVersionsResponse,
  decodeApiVersionsRequest,
  encodeApiVersionsResponse,
} from "../protocol/generated/api_versions.ts";

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler = defineApi<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: 18,
  name: "ApiVersions",
  minVersion: 0,
  maxVersion: 4,
  decodeRequest: decodeApiVersionsRequest,
  encodeResponse: encodeApiVersionsResponse,
  handle(request, ctx) {
    const wellFormed = ctx.apiVersion < 3 ||
      (SOFTWARE_PATTERN.test(request.clientSoftwareName) && SOFTWARE_PATTERN.test(request.clientSoftwareVersion));
    return apiVersionsResponse(ctx.broker.apiVersions, wellFormed ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST);
  },
  errorResponse(_request, ctx, errorCode) {
    return apiVersionsResponse(ctx.broker.apiVersions, errorCode);
  },
});

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export function apiVersionsResponse(ranges: readonly ApiVersionRange[], errorCode: number): ApiVersionsResponse {
  const listed = errorCode === ErrorCode.NONE
    ? ranges
    : errorCode === ErrorCode.UNSUPPORTED_VERSION
    ? ranges.filter((r) => r.apiKey === 18)
    : [];
  return {
    errorCode,
    apiKeys: listed.map((r) => ({ apiKey: r.apiKey, minVersion: r.minVersion, maxVersion: r.maxVersion })),
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
}
