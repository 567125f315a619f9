/**
 * ApiVersions (key 18), v0–v4.
 *
 * Lists every API key with the exact version range this broker implements;
 * the list is built from the same registry that dispatches requests. v1+ adds
 * throttle time; v3+ is flexible, carries the client's software name and
 * version (validated as Kafka does: INVALID_REQUEST when malformed) and has
 * tagged feature fields (KIP-584): the features tsbroker implements, at the
 * levels it implements them — metadata.version 21 (3.9-IV0: tsbroker serves
 * Kafka 3.9's protocol; it keeps no KRaft log, so it supports that one level
 * only) and group.version 1 (the KIP-848 consumer group protocol), both
 * finalized, at a fixed epoch since they never change. It does not claim
 * transaction.version, kraft.version, share.version, streams.version or
 * eligible.leader.replicas.version, which name things it does not have.
 * As Kafka 3.9 does, v3 leaves out supported features whose minimum is 0
 * (clients before v4 refuse such a range); v4 lists them all.
 * A request above v4 never reaches this file: the request handler answers it
 * in the v0 format with UNSUPPORTED_VERSION, as Kafka does, so clients can
 * retry at a version from the list. As in Kafka's
 * ApiVersionsRequest.getErrorResponse, an error answer lists no keys, except
 * that UNSUPPORTED_VERSION lists ApiVersions' own range (KIP-511), which is
 * all the client needs to retry. The response header is always v0.
 */
import type { ApiVersionRange } from "../../protocol/api_descriptor.ts";
import { defineApi } from "./api.ts";
import { ErrorCode } from "../../protocol/errors.ts";
import {
  type ApiVersionsRequest,
  type ApiVersionsResponse,
  decodeApiVersionsRequest,
  encodeApiVersionsResponse,
} from "../../protocol/generated/api_versions.ts";

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
    return apiVersionsResponse(
      ctx.broker.apiVersions,
      wellFormed ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST,
      ctx.apiVersion,
    );
  },
  errorResponse(_request, ctx, errorCode) {
    return apiVersionsResponse(ctx.broker.apiVersions, errorCode, ctx.apiVersion);
  },
});

export type { ApiVersionRange };

/** A feature flag: the levels this broker supports and the one it runs at (finalized). */
export interface Feature {
  name: string;
  minVersion: number;
  maxVersion: number;
  finalized: number;
}

export const FEATURES: readonly Feature[] = [
  { name: "metadata.version", minVersion: 21, maxVersion: 21, finalized: 21 },
  { name: "group.version", minVersion: 0, maxVersion: 1, finalized: 1 },
];

/** Features never change here: one epoch for the one set. */
export const FINALIZED_FEATURES_EPOCH = 0n;

export function apiVersionsResponse(
  ranges: readonly ApiVersionRange[],
  errorCode: number,
  version = 4,
): ApiVersionsResponse {
  const listed = errorCode === ErrorCode.NONE
    ? ranges
    : errorCode === ErrorCode.UNSUPPORTED_VERSION
    ? ranges.filter((r) => r.apiKey === 18)
    : [];
  const features = errorCode === ErrorCode.NONE ? FEATURES : [];
  return {
    errorCode,
    apiKeys: listed.map((r) => ({ apiKey: r.apiKey, minVersion: r.minVersion, maxVersion: r.maxVersion })),
    throttleTimeMs: 0,
    supportedFeatures: features
      .filter((f) => version >= 4 || f.minVersion > 0)
      .map((f) => ({ name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion })),
    finalizedFeaturesEpoch: features.length > 0 ? FINALIZED_FEATURES_EPOCH : -1n,
    finalizedFeatures: features
      .filter((f) => f.finalized > 0)
      .map((f) => ({ name: f.name, maxVersionLevel: f.finalized, minVersionLevel: f.finalized })),
    zkMigrationReady: false,
  };
}
